//! Criterion benches of the plaintext pipeline on the bundled data: validation, quantization,
//! content id, training (the spec's reference parameters) and scoring.
use criterion::{criterion_main, Criterion};
use std::hint::black_box;
use vsies_benches::{breast_cancer_csv, breast_cancer_quantized};
use vsies_core::{train_test_split, validate_csv_file, Model, QuantizedDataset, TrainingConfig, ValidateOptions};

fn pipeline(c: &mut Criterion) {
    let (schema, data) = breast_cancer_quantized();
    let split = train_test_split(data.rows(), 0.25, 0).unwrap();
    let (train, test) = (data.select_rows(&split.train), data.select_rows(&split.test));
    let path = breast_cancer_csv();

    c.bench_function("validate_csv/breast_cancer_569x30", |b| {
        b.iter(|| validate_csv_file(black_box(&path), &schema, ValidateOptions::default()).unwrap())
    });
    let raw = validate_csv_file(&path, &schema, ValidateOptions::default()).unwrap();
    c.bench_function("quantize/breast_cancer_569x30", |b| {
        b.iter(|| QuantizedDataset::from_raw(&schema, black_box(&raw)))
    });
    c.bench_function("content_id/breast_cancer_569x30", |b| b.iter(|| black_box(&data).content_id()));
    c.bench_function("train/breast_cancer_426x30_10_epochs", |b| {
        b.iter(|| Model::train(&schema, black_box(&train), TrainingConfig::default(), None).unwrap())
    });
    let model = Model::train(&schema, &train, TrainingConfig::default(), None).unwrap();
    c.bench_function("score/breast_cancer_143x30", |b| b.iter(|| model.scores(black_box(&test)).unwrap()));
}

/// The benchmark group (criterion's macro defines an undocumented `pub fn`).
mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::pipeline);
}
criterion_main!(group::benches);
