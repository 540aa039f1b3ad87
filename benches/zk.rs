//! Criterion benches of data-validation proofs on the bundled dataset (569 rows x 30
//! features and the label): commitment, proving and verification. Setup runs once, untimed
//! (`vsies bench zk` times it, and the larger synthetic sizes).
use ark_std::rand::{rngs::StdRng, SeedableRng};
use criterion::{criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use vsies_benches::breast_cancer_quantized;
use vsies_zk::{DataKeys, DataRelation, DEFAULT_BUCKETS};

fn data_validation(c: &mut Criterion) {
    let (schema, data) = breast_cancer_quantized();
    let relation = DataRelation::for_schema(&schema, data.rows(), DEFAULT_BUCKETS).unwrap();
    let mut rng = StdRng::seed_from_u64(0);
    let keys = DataKeys::setup(relation.clone(), &mut rng).unwrap();
    let offsets = relation.offsets(&data).unwrap();
    let proof = keys.prover.prove(&data, &mut rng).unwrap();
    let mut group = c.benchmark_group("zk");
    group.sample_size(10);
    group.bench_function("commit_569_rows", |b| b.iter(|| relation.commit(black_box(&offsets))));
    group.bench_function("prove_569_rows", |b| b.iter(|| keys.prover.prove(black_box(&data), &mut rng).unwrap()));
    group.bench_function("verify", |b| {
        b.iter(|| keys.verifier.verify(black_box(&proof), Path::new("proof.json")).unwrap())
    });
    group.finish();
}

/// The benchmark group (criterion's macro defines an undocumented `pub fn`).
mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::data_validation);
}
criterion_main!(group::benches);
