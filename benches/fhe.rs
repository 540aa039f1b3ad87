//! Criterion benches of encrypted inference on the bundled data's 143 test rows: key
//! generation, encryption (secret and public key), inference and decryption.
use criterion::{criterion_main, Criterion};
use std::hint::black_box;
use vsies_benches::breast_cancer_quantized;
use vsies_core::{train_test_split, Model, TrainingConfig};
use vsies_fhe::{infer, EncryptedDataset, Keys};

fn encrypted_inference(c: &mut Criterion) {
    let (schema, data) = breast_cancer_quantized();
    let split = train_test_split(data.rows(), 0.25, 0).unwrap();
    let (train, test) = (data.select_rows(&split.train), data.select_rows(&split.test));
    let model = Model::train(&schema, &train, TrainingConfig::default(), None).unwrap();
    let one = test.select_rows(&[0]);
    let keys = Keys::generate();
    let mut group = c.benchmark_group("fhe");
    group.sample_size(20);
    group.bench_function("keygen", |b| b.iter(Keys::generate));
    group.bench_function("encrypt_1_row_secret_key", |b| {
        b.iter(|| EncryptedDataset::encrypt_with_secret_key(black_box(&one), &keys.secret).expect("fits"))
    });
    group.bench_function("encrypt_1_row_public_key", |b| {
        b.iter(|| EncryptedDataset::encrypt_with_public_key(black_box(&one), &keys.public).expect("fits"))
    });
    let encrypted_one = EncryptedDataset::encrypt_with_secret_key(&one, &keys.secret).expect("fits");
    group.bench_function("infer_1_row", |b| {
        b.iter(|| infer(black_box(&encrypted_one), &model, &keys.evaluation).unwrap())
    });
    let encrypted = EncryptedDataset::encrypt_with_secret_key(&test, &keys.secret).expect("fits");
    group.bench_function("infer_143_rows_secret_key_ciphertexts", |b| {
        b.iter(|| infer(black_box(&encrypted), &model, &keys.evaluation).unwrap())
    });
    let encrypted_pk = EncryptedDataset::encrypt_with_public_key(&test, &keys.public).expect("fits");
    group.bench_function("infer_143_rows_public_key_ciphertexts", |b| {
        b.iter(|| infer(black_box(&encrypted_pk), &model, &keys.evaluation).unwrap())
    });
    let scores = infer(&encrypted, &model, &keys.evaluation).unwrap();
    group.bench_function("decrypt_143_scores", |b| {
        b.iter(|| scores.decrypt_unchecked(black_box(&keys.secret)).unwrap())
    });
    group.finish();
}

/// The benchmark group (criterion's macro defines an undocumented `pub fn`).
mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::encrypted_inference);
}
criterion_main!(group::benches);
