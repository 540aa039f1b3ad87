//! The noise of public-key-encrypted scores, measured at worst-case weights (30 weights of
//! one sign): over several keys its mean square exceeds the old analysis' prediction many
//! times (the mask noise and the key-dependent offsets were missing) and matches the corrected
//! one, which `check_model_fits` now uses, refusing the widest such model.

mod common;

use common::keys;
use vsies_core::QuantizedDataset;
use vsies_fhe::params::{public_key_noise_std_log2, underestimated_public_key_noise_std_log2, DELTA_LOG2};
use vsies_fhe::{infer, EncryptedDataset, FheError};

#[test]
fn public_key_noise_at_same_sign_weights_exceeds_the_old_bound_and_meets_the_new_one() {
    let rows = 64;
    let zeros = |model: &vsies_core::Model| {
        QuantizedDataset::from_values(
            model.schema.content_id(),
            model.schema.quantization,
            30,
            vec![0; rows * 30],
            None,
        )
        .unwrap()
    };
    // The widest same-sign model is refused for public-key data (8-bit features, so its
    // scores fit the message space: only the noise bound refuses it).
    let widest = vsies_core::test_support::model("noise", vec![2047; 30], 0, 1);
    let encrypted = EncryptedDataset::encrypt_with_public_key(&zeros(&widest), &keys(40).public).unwrap();
    assert!(matches!(infer(&encrypted, &widest, &keys(40).evaluation), Err(FheError::Parameters(_))));

    // A quarter as wide is accepted; measure it over 8 keys (the offsets are per key).
    let model = vsies_core::test_support::model("noise", vec![511; 30], 0, 1);
    let mut squares = Vec::new();
    let mut max = 0u64;
    for seed in 41..49 {
        let keys = keys(seed);
        let encrypted = EncryptedDataset::encrypt_with_public_key(&zeros(&model), &keys.public).unwrap();
        let scores = infer(&encrypted, &model, &keys.evaluation).unwrap();
        for e in scores.noise(&keys.secret, &vec![0; rows]).unwrap() {
            squares.push((e as f64) * (e as f64));
            max = max.max(e.unsigned_abs());
        }
    }
    let rms = (squares.iter().sum::<f64>() / squares.len() as f64).sqrt().log2();
    let old = underestimated_public_key_noise_std_log2(&model.weights);
    let new = public_key_noise_std_log2(&model.weights);
    eprintln!("measured rms 2^{rms:.2}, max 2^{:.2}; old std 2^{old:.2}, corrected 2^{new:.2}", (max as f64).log2());
    assert!(rms > old + 1.5, "the old analysis underestimates: rms 2^{rms:.2} against 2^{old:.2}");
    assert!(rms < new + 0.75, "the corrected analysis predicts it: rms 2^{rms:.2} against 2^{new:.2}");
    assert!((max as f64) < 2f64.powi(DELTA_LOG2 as i32 - 1), "every score decrypts");
}

#[test]
fn more_features_than_one_mask_holds_are_refused_by_both_encryptions() {
    let keys = keys(50);
    let wide = |columns: usize| {
        QuantizedDataset::from_values(
            vsies_core::ContentId::of(b"wide"),
            vsies_core::FixedFormat::FEATURES,
            columns,
            vec![1; columns],
            None,
        )
        .unwrap()
    };
    let too_wide = wide(vsies_fhe::params::LWE_DIMENSION + 1);
    let refused = |result: Result<EncryptedDataset, FheError>| {
        let err = result.unwrap_err();
        assert!(matches!(err, FheError::TooManyFeatures { found: 2049, limit: 2048 }), "{err}");
        assert!(err.is_checked_invalid());
    };
    refused(EncryptedDataset::encrypt_with_public_key(&too_wide, &keys.public));
    refused(EncryptedDataset::encrypt_with_secret_key(&too_wide, &keys.secret));
    let widest = wide(vsies_fhe::params::LWE_DIMENSION);
    let encrypted = EncryptedDataset::encrypt_with_public_key(&widest, &keys.public).unwrap();
    assert_eq!(encrypted.decrypt(&keys.secret).unwrap(), widest.values());
}
