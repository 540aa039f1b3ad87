//! Training under TFHE against the plaintext spec: the decrypted weights after every batch
//! equal `vsies_core::spec`'s, on a small dataset whose rows reach the formats' extremes.

use tfhe::core_crypto::commons::generators::DeterministicSeeder;
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use vsies_core::spec::TrainingState;
mod common;

use common::{tiny_dataset, tiny_training_config};
use vsies_core::{FixedFormat, QuantizedDataset, TrainingConfig};
use vsies_fhe::train::{EncryptedModel, EncryptedTrainingData, NoiseProbe, Trainer, TrainingKey};
use vsies_fhe::{Cpu, Keys};

/// Two features of 3 bits; rows at the extremes of the format and labels against the score.
fn dataset() -> QuantizedDataset {
    let values = vec![3, -4, -4, 3, 3, 3, -4, -4, 1, -2];
    let labels = vec![0, 1, 1, 0, 1];
    tiny_dataset(2, values, labels)
}

fn config() -> TrainingConfig {
    tiny_training_config(3)
}

/// log2 of the chance that honest noise fails one of the spread checks below (some ten of
/// them: under one false alarm in 10^5 runs). Encryption draws fresh randomness, so the
/// measured spread differs from run to run; a fixed tolerance (such as 1.2x the predicted σ)
/// fails honest runs now and then, a bound at this probability almost never.
const FALSE_ALARM_LOG2: f64 = -20.0;

/// Bounds `(1 - δ₋, 1 + δ₊)` on the measured variance over the predicted one for `n` errors,
/// each exceeded by honest noise with probability at most 2^[`FALSE_ALARM_LOG2`]: Chernoff's
/// bounds on `χ²_n / n`, `exp(-n/2 (δ₊ - ln(1 + δ₊)))` and `exp(-n δ₋² / 4)`. Each error is a
/// sum of some 460 independent roundings (the modulus switch dominates), Gaussian to a good
/// approximation; distinct lookups' roundings are independent to the same approximation (the
/// probe measures each mask once).
fn variance_ratio_bounds(n: u64) -> (f64, f64) {
    let t = -FALSE_ALARM_LOG2 * std::f64::consts::LN_2;
    let n = n as f64;
    let lower = (1.0 - (4.0 * t / n).sqrt()).max(0.0);
    // `δ - ln(1 + δ)` increases on δ > 0: bisection.
    let (mut low, mut high) = (0.0f64, 1e3);
    for _ in 0..100 {
        let middle = (low + high) / 2.0;
        if n / 2.0 * (middle - middle.ln_1p()) < t {
            low = middle;
        } else {
            high = middle;
        }
    }
    (lower, 1.0 + high)
}

#[test]
fn variance_ratio_bounds_are_chernoffs() {
    // n = 400: δ₋ = sqrt(4 · 13.86 / 400) = 0.372; δ₊ solves δ - ln(1 + δ) = 0.0693.
    let (lower, upper) = variance_ratio_bounds(400);
    assert!((lower - 0.6277).abs() < 1e-3, "{lower}");
    let delta = upper - 1.0;
    assert!((200.0 * (delta - delta.ln_1p()) - 20.0 * std::f64::consts::LN_2).abs() < 1e-9);
    assert!((1.40..1.45).contains(&upper), "{upper}");
    assert!(variance_ratio_bounds(50).1 > upper && variance_ratio_bounds(10).0 == 0.0);
}

#[test]
fn encrypted_training_equals_the_spec_after_every_batch_and_resumes_byte_identically() {
    let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(11));
    let keys = Keys::generate_with_seeder(&mut seeder);
    let (training_key, small_key) = TrainingKey::generate_with_small_key(&keys.secret, &mut seeder);
    let data = dataset();
    let encrypted = EncryptedTrainingData::encrypt(&data, &keys.public).unwrap();
    let probe = NoiseProbe::new(small_key);
    let initial = [1i64, -8, 7];
    let mut trainer =
        Trainer::with_probe(&Cpu, &training_key, &encrypted, config(), Some(&initial), Some(&probe)).unwrap();
    let mut clear = TrainingState::new(config(), &data, Some(&initial)).unwrap();
    let mut checkpoints = Vec::new();
    while trainer.step().unwrap() {
        clear.step(&data).unwrap();
        let checkpoint = trainer.checkpoint();
        assert_eq!(checkpoint.decrypt(&keys.secret).unwrap(), clear.weights(), "after batch {}", checkpoint.completed);
        checkpoints.push(checkpoint);
    }
    assert!(clear.is_finished());
    let stats = probe.stats();
    eprintln!(
        "{} bootstraps; noise at the bootstrap inputs (units of 1/4096): max {:.1}, sigma {:.2} over {} inputs",
        trainer.bootstraps(),
        stats.max_abs,
        stats.std_dev(),
        stats.count
    );
    assert!(stats.count > 0 && stats.max_abs < 128.0);
    // The measured spread against the predicted budget: all inputs pooled (each error over its
    // weight's predicted σ), within both Chernoff bounds; every noise weight with 50 inputs or
    // more below its upper one (a class with fewer is checked on its maximum only).
    let mut normalized = 0.0;
    for (weight, stats) in probe.stats_by_weight() {
        let predicted = vsies_fhe::train::params::predicted_noise_std(weight);
        eprintln!(
            "noise weight {weight}: {} inputs, sigma {:.2} (predicted {predicted:.2}), max {:.0}",
            stats.count,
            stats.std_dev(),
            stats.max_abs
        );
        assert!(stats.max_abs < vsies_fhe::train::params::NOISE_BOUND_UNITS);
        normalized += stats.sum_squares / (predicted * predicted);
        if stats.count >= 50 {
            let ratio = (stats.std_dev() / predicted).powi(2);
            assert!(
                ratio < variance_ratio_bounds(stats.count).1,
                "weight {weight}: variance {ratio:.3}x the predicted"
            );
        }
    }
    let (lower, upper) = variance_ratio_bounds(stats.count);
    assert!(lower > 0.0, "{} inputs are too few for a lower bound", stats.count);
    let ratio = normalized / stats.count as f64;
    eprintln!("pooled variance {ratio:.3}x the predicted (honest noise within [{lower:.3}, {upper:.3}])");
    assert!((lower..upper).contains(&ratio), "pooled variance {ratio:.3}x the predicted");
    // The count is data-independent: the counting backend predicts it (batches of 2, 2, 1; the
    // first from public weights).
    let count = |rows, public: Option<&[i64]>| {
        vsies_fhe::train::cost::bootstraps_per_batch(&config(), data.format(), 2, rows, public).unwrap()
    };
    assert_eq!(trainer.bootstraps(), count(2, Some(&initial)) + count(2, None) + count(1, None));

    // A checkpoint written, read back and resumed gives the uninterrupted run's bytes.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("checkpoint.vsies");
    checkpoints[0].save(&path).unwrap();
    let loaded = EncryptedModel::load(&path).unwrap();
    assert_eq!(loaded, checkpoints[0]);
    let mut resumed = Trainer::resume(&Cpu, &training_key, &encrypted, &loaded).unwrap();
    while resumed.step().unwrap() {}
    assert_eq!(resumed.checkpoint().content_id(), checkpoints.last().unwrap().content_id());
}

/// The reference sizes' bootstrap counts (what `vsies bench fhe-train` reports).
#[test]
#[ignore = "measurement: prints bootstraps per batch at the reference sizes"]
fn bootstraps_per_batch_at_the_reference_sizes() {
    let config = TrainingConfig::default();
    let zero = [0i64; 31];
    for public in [Some(&zero[..]), None] {
        let count =
            vsies_fhe::train::cost::bootstraps_per_batch(&config, FixedFormat::FEATURES, 30, 8, public).unwrap();
        eprintln!("30 features, batch 8, public weights {}: {count} bootstraps", public.is_some());
    }
}
