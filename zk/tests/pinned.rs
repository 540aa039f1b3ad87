//! Keys and proofs are pinned byte for byte: a refactoring of the engine or the relation that
//! changes a constraint, the variable order or the key layout changes these digests, and must
//! then bump the relation's version and say so in the docs.

use ark_serialize::CanonicalSerialize;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use sha2::{Digest, Sha256};
use vsies_zk::{doc_dataset, DataKeys, DataRelation};
use vsies_zk::{PROVING_KEY_FILE, SNARKJS_VERIFYING_KEY_FILE, VERIFYING_KEY_FILE};

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn data_validation_keys_and_proofs_are_the_pinned_bytes() {
    let (schema, dataset) = doc_dataset();
    let dir = tempfile::tempdir().unwrap();
    let verifier = DataKeys::generate(
        DataRelation::for_schema(&schema, 8, 4).unwrap(),
        &mut StdRng::seed_from_u64(21),
        dir.path(),
    )
    .unwrap();
    let file = |name: &str| digest(&std::fs::read(dir.path().join(name)).unwrap());
    let prover = vsies_zk::DataProver::load(dir.path()).unwrap();
    let proof = prover.prove(&dataset, &mut StdRng::seed_from_u64(22)).unwrap();
    let mut groth16 = Vec::new();
    proof.groth16("p".as_ref()).unwrap().serialize_compressed(&mut groth16).unwrap();
    assert_eq!(file(PROVING_KEY_FILE), "c42073ae2a9cccc31a889f3b0ba48b40c7c91aec565e7143c3e8ce8983cc557e");
    assert_eq!(file(VERIFYING_KEY_FILE), "9e3d35fe6a0004386c5620d1374140c9891f91b4425607d0df090e3f36c3567c");
    assert_eq!(file(SNARKJS_VERIFYING_KEY_FILE), "a9482ec65db6b64c9ca6207e489b832b298df0b878d13993e9ca1d6d423004a5");
    assert_eq!(verifier.id.to_string(), "bafkreib33ism7yfzs2lyq5bwvgwqhjcsunts4giwv76udy7hmya6rt4oy4");
    assert_eq!(digest(&groth16), "65debd64242d17c614ed74ec1e04cab8a6d00a73efc70ac2f9ae75ffd52ce90a");
    assert_eq!(proof.commitment.to_string(), "0f6644272cefde63cd98ab1094343b9d72d362ae386edc857b9e4dc57964a0e5");
}
