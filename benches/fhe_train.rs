//! Criterion benches of training under TFHE: lookups (key switch and NTT bootstrap) of a
//! contributor's bits, one table each or a counter's three bits from one blind rotation
//! (multi-value), and one whole batch of two rows of one 3-bit feature with 4-bit weights
//! (from encrypted weights). `vsies bench fhe-train` reports the reference sizes from these
//! figures and the exact bootstrap counts.
use criterion::{criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use vsies_core::{ContentId, FixedFormat, QuantizedDataset, TrainingConfig};
use vsies_fhe::train::engine::{Engine, Table};
use vsies_fhe::train::{EncryptedTrainingData, Trainer, TrainingKey};
use vsies_fhe::{Cpu, Keys};

fn training_under_tfhe(c: &mut Criterion) {
    let keys = Keys::generate();
    let key = TrainingKey::generate(&keys.secret);
    let format = FixedFormat { bits: 3, frac_bits: 1 };
    let rows =
        QuantizedDataset::from_values(ContentId::of(b"bench"), format, 1, vec![3, -4, 1, -2], Some(vec![1, 0, 0, 1]))
            .expect("a valid dataset");
    let data = EncryptedTrainingData::encrypt(&rows, &keys.public).expect("fits");
    let config = TrainingConfig {
        weight_format: FixedFormat { bits: 4, frac_bits: 2 },
        sigmoid_frac_bits: 1,
        batch_size_log2: 1,
        learning_rate_log2: 0,
        epochs: 1,
        seed: 0,
    };
    let mut group = c.benchmark_group("fhe_train");
    group.sample_size(10);
    let engine = Engine::new(&Cpu, key.bootstrap_key(), key.keyswitch_key(), None).expect("a key");
    let row = data.row(0);
    let tables = [Table::Bit(0)];
    let jobs: Vec<_> = row.features[0].iter().cycle().take(16).map(|bit| (bit.clone(), &tables[..])).collect();
    group.bench_function("16_lookups", |b| b.iter(|| engine.eval(black_box(&jobs)).expect("lookups")));
    let counter = [Table::Bit(0), Table::Bit(1), Table::Bit(2)];
    let jobs: Vec<_> = jobs.into_iter().map(|(bit, _)| (bit, &counter[..])).collect();
    group.bench_function("16_rotations_3_lookups_each", |b| b.iter(|| engine.eval(black_box(&jobs)).expect("lookups")));
    // The second batch, from the encrypted weights the first batch left.
    let mut trainer = Trainer::new(&Cpu, &key, &data, config, None).expect("a training");
    trainer.step().expect("the first batch");
    let checkpoint = trainer.checkpoint();
    group.bench_function("batch_2_rows_1_feature_encrypted_weights", |b| {
        // Resuming (which prepares the bootstrap key) is setup, not measured.
        b.iter_batched(
            || Trainer::resume(&Cpu, &key, &data, &checkpoint).expect("a checkpoint"),
            |mut trainer| trainer.step().expect("a batch"),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// The benchmark group (criterion's macro defines an undocumented `pub fn`).
mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::training_under_tfhe);
}
criterion_main!(group::benches);
