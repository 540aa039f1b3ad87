//! The generic engine on a relation defined here, in a few lines, without touching the
//! engine's files: streamed keys, proofs and verification, located failures, and refusal of a
//! key of another relation.

use ark_bn254::Fr;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::path::Path;
mod common;

use common::{cubic, Cubic};
use vsies_zk::{Keys, Prover, Relation, Verifier};

#[test]
fn a_relation_defined_outside_the_engine_gets_streamed_keys_proofs_and_verification() {
    let dir = tempfile::tempdir().unwrap();
    let verifier = Keys::generate(cubic(), &mut StdRng::seed_from_u64(1), dir.path()).unwrap();
    assert_eq!(cubic().shape().unwrap().constraints, 3);
    let prover = Prover::<Cubic>::load(dir.path()).unwrap();
    let (x, y) = (Fr::from(3u64), Fr::from(35u64)); // 27 + 3 + 5
    let proof = prover.prove_groth16(&y, &x, &mut StdRng::seed_from_u64(2)).unwrap();
    let loaded = Verifier::<Cubic>::load(dir.path()).unwrap();
    assert_eq!(loaded.id, verifier.id);
    loaded.verify_groth16(&y, &proof, Path::new("proof")).unwrap();
    let err = loaded.verify_groth16(&Fr::from(36u64), &proof, Path::new("proof")).unwrap_err();
    assert!(err.is_invalid_proof(), "{err}");

    // The streamed keys are arkworks' keys for the same randomness.
    let memory = tempfile::tempdir().unwrap();
    Keys::setup(cubic(), &mut StdRng::seed_from_u64(1)).unwrap().save(memory.path()).unwrap();
    for file in [vsies_zk::PROVING_KEY_FILE, vsies_zk::VERIFYING_KEY_FILE] {
        assert_eq!(std::fs::read(dir.path().join(file)).unwrap(), std::fs::read(memory.path().join(file)).unwrap());
    }
}

#[test]
fn a_wrong_witness_is_located_and_a_key_of_another_relation_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    Keys::generate(cubic(), &mut StdRng::seed_from_u64(3), dir.path()).unwrap();
    let prover = Prover::<Cubic>::load(dir.path()).unwrap();
    let err = prover.prove_groth16(&Fr::from(35u64), &Fr::from(4u64), &mut StdRng::seed_from_u64(4)).unwrap_err();
    assert_eq!(
        err.constraint_failure().unwrap().to_string(),
        "relation test/cubic/v1, stage `cubic`, constraint `x^3 + x + 5 = y` (#2)"
    );
    let err = vsies_zk::DataVerifier::load(dir.path()).err().expect("another relation's key");
    assert!(err.to_string().contains("a key for relation `test/cubic/v1`, not `vsies/data-validation/v2`"), "{err}");
}
