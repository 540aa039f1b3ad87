//! Encrypted inference on the bundled data: fidelity on every test row (scores identical to
//! the plaintext reference, secret-key and public-key encryption), and each bad input refused.

mod common;

use common::{keys, model_and_test_rows};
use vsies_core::FixedFormat;
use vsies_fhe::{infer, EncryptedDataset, EncryptedScores, FheError};

#[test]
fn secret_key_encrypted_scores_equal_the_plaintext_scores_on_every_test_row() {
    let (model, test) = model_and_test_rows();
    let keys = keys(1);
    let encrypted = EncryptedDataset::encrypt_with_secret_key(&test, &keys.secret).unwrap();
    let scores = infer(&encrypted, &model, &keys.evaluation).unwrap();
    assert_eq!(scores.decrypt_unchecked(&keys.secret).unwrap(), model.scores(&test).unwrap());
    assert!(encrypted.stored_bytes_per_row() <= 984.0, "{} B per row", encrypted.stored_bytes_per_row());
    assert!(EncryptedScores::bytes_per_row() <= 10_864);
}

#[test]
fn public_key_encrypted_scores_equal_the_plaintext_scores_on_every_test_row() {
    let (model, test) = model_and_test_rows();
    let keys = keys(2);
    let encrypted = EncryptedDataset::encrypt_with_public_key(&test, &keys.public).unwrap();
    assert!(encrypted.is_public_key_encrypted());
    let scores = infer(&encrypted, &model, &keys.evaluation).unwrap();
    assert_eq!(scores.decrypt_unchecked(&keys.secret).unwrap(), model.scores(&test).unwrap());
    assert!(encrypted.stored_bytes_per_row() <= 984.0, "{} B per row", encrypted.stored_bytes_per_row());
}

#[test]
fn artifacts_round_trip_through_files() {
    let (model, test) = model_and_test_rows();
    let keys = keys(3);
    let dir = tempfile::tempdir().unwrap();
    keys.save(dir.path()).unwrap();
    let secret = vsies_fhe::SecretKey::load(&dir.path().join("secret.key")).unwrap();
    let public = vsies_fhe::PublicKey::load(&dir.path().join("public.key")).unwrap();
    let evaluation = vsies_fhe::EvaluationKey::load(&dir.path().join("eval.key")).unwrap();
    assert_eq!((secret.key_id(), public.key_id()), (keys.evaluation.key_id, keys.evaluation.key_id));
    for encrypted in [
        EncryptedDataset::encrypt_with_secret_key(&test, &secret).unwrap(),
        EncryptedDataset::encrypt_with_public_key(&test, &public).unwrap(),
    ] {
        encrypted.save(&dir.path().join("data.vsies")).unwrap();
        let loaded = EncryptedDataset::load(&dir.path().join("data.vsies")).unwrap();
        assert_eq!(loaded, encrypted);
        let scores = infer(&loaded, &model, &evaluation).unwrap();
        scores.save(&dir.path().join("preds.vsies")).unwrap();
        let loaded = EncryptedScores::load(&dir.path().join("preds.vsies")).unwrap();
        assert_eq!(loaded.decrypt_unchecked(&secret).unwrap(), model.scores(&test).unwrap());
    }
}

#[cfg(unix)]
#[test]
fn the_secret_key_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    keys(4).save(dir.path()).unwrap();
    let mode = std::fs::metadata(dir.path().join("secret.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn keys_from_another_keygen_are_refused_for_inference_and_decryption() {
    let (model, test) = model_and_test_rows();
    let (ours, theirs) = (keys(5), keys(6));
    let encrypted = EncryptedDataset::encrypt_with_secret_key(&test, &ours.secret).unwrap();
    assert!(matches!(infer(&encrypted, &model, &theirs.evaluation), Err(FheError::WrongKeys { .. })));
    let scores = infer(&encrypted, &model, &ours.evaluation).unwrap();
    let err = scores.decrypt_unchecked(&theirs.secret).unwrap_err();
    assert!(matches!(err, FheError::WrongKeys { .. }));
    assert!(err.to_string().contains("another keygen"), "{err}");
    assert!(matches!(encrypted.decrypt(&theirs.secret), Err(FheError::WrongKeys { .. })));
}

#[test]
fn a_model_for_another_schema_or_feature_count_is_refused() {
    let (model, test) = model_and_test_rows();
    let keys = keys(7);
    let encrypted = EncryptedDataset::encrypt_with_secret_key(&test, &keys.secret).unwrap();
    let mut other_schema = model.clone();
    other_schema.schema.name = "another".into();
    other_schema.schema_id = other_schema.schema.content_id();
    let err = infer(&encrypted, &other_schema, &keys.evaluation).unwrap_err();
    assert!(err.to_string().contains("schema"), "{err}");
    let mut fewer = model.clone();
    fewer.weights.pop();
    let err = infer(&encrypted, &fewer, &keys.evaluation).unwrap_err();
    assert!(err.to_string().contains("29 weights") || err.to_string().contains("feature"), "{err}");
}

#[test]
fn a_model_whose_scores_exceed_the_message_space_is_refused() {
    let (mut model, test) = model_and_test_rows();
    let keys = keys(8);
    model.training.weight_format = FixedFormat { bits: 24, frac_bits: 8 };
    model.weights.iter_mut().for_each(|w| *w = 1 << 20);
    let encrypted = EncryptedDataset::encrypt_with_secret_key(&test, &keys.secret).unwrap();
    let err = infer(&encrypted, &model, &keys.evaluation).unwrap_err();
    assert!(matches!(err, FheError::Parameters(_)), "{err}");
}

#[test]
fn corrupted_or_truncated_ciphertext_files_are_refused() {
    let (_, test) = model_and_test_rows();
    let keys = keys(9);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.vsies");
    EncryptedDataset::encrypt_with_secret_key(&test, &keys.secret).unwrap().save(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    std::fs::write(&path, &flipped).unwrap();
    assert!(EncryptedDataset::load(&path).unwrap_err().to_string().contains("checksum mismatch"));
    std::fs::write(&path, &bytes[..bytes.len() - 100]).unwrap();
    assert!(EncryptedDataset::load(&path).unwrap_err().to_string().contains("truncated"));
    std::fs::write(&path, &bytes[..10]).unwrap();
    assert!(EncryptedDataset::load(&path).is_err());
}
