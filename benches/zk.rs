//! Criterion benches of data-validation proofs on the bundled dataset (569 rows x 30
//! features and the label): commitment, proving and verification; and of update proofs (a
//! committee-encrypted 30-feature update proved an honest encryption, `vsies/update/v1`),
//! beside tfhe-rs's proof of public-key encryption (`../shared/ANCHORS.md`). Setup runs once,
//! untimed (`vsies bench zk` times it, and the larger synthetic sizes; `vsies setup update`
//! prints its time).
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

/// One client's update of a 30-feature model (32 values) under a 3-member committee of
/// packing 1: proving (the relation's witness and the Groth16 proof) and checking it as a
/// member does (the statement's evaluations and the Groth16 check).
fn update_proof(c: &mut Criterion) {
    use vsies_secure_agg::test_support::{toy_model, CountingSeeder};
    use vsies_secure_agg::{
        generate, prove_update, update_params, ClientKey, Committee, EncryptedUpdate, UpdateChecker,
    };
    use vsies_zk::groth16::{Keys, Prover, Verifier};
    use vsies_zk::relations::update::UpdateRelation;
    let (public, _) = generate(Committee::with_packing(3, 2, 1).unwrap(), &mut CountingSeeder(1));
    let model = toy_model(30, 100);
    let format = model.training.weight_format;
    let keys = tempfile::tempdir().unwrap();
    let relation = UpdateRelation::new(update_params(1, 31, format)).unwrap();
    Keys::generate(relation, &mut StdRng::seed_from_u64(1), keys.path()).unwrap();
    let prover = Prover::<UpdateRelation>::load(keys.path()).unwrap();
    let blinding = ark_bn254::Fr::from(5u64);
    let trained = vsies_zk::relations::model_commitment::commit(format, &model.augmented_weights(), blinding);
    let client = ClientKey::from_bytes(&[7; 32]).unwrap();
    let (mut update, randomness) =
        EncryptedUpdate::encrypt_keeping_randomness(&public, &model, 1, &mut CountingSeeder(2)).unwrap();
    update.sign(&client).unwrap();
    let mut rng = StdRng::seed_from_u64(2);
    let mut group = c.benchmark_group("update_proof");
    group.sample_size(10);
    group.bench_function("prove_32_values", |b| {
        b.iter(|| {
            let mut update = update.clone();
            prove_update(&mut update, &public, &randomness, &model, trained, blinding, &prover, &mut rng).unwrap();
        })
    });
    prove_update(&mut update, &public, &randomness, &model, trained, blinding, &prover, &mut rng).unwrap();
    let checker = UpdateChecker::new(Verifier::load(keys.path()).unwrap(), public.clone());
    group.bench_function("verify_32_values", |b| {
        b.iter(|| checker.check(black_box(&update), Path::new("u.vsies")).unwrap())
    });
    group.finish();
}

/// The benchmark group (criterion's macro defines an undocumented `pub fn`).
mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::data_validation, super::update_proof);
}
criterion_main!(group::benches);
