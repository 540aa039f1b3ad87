//! Keys and proofs are pinned byte for byte: a refactoring of the engine or the relation that
//! changes a constraint, the variable order or the key layout changes these digests, and must
//! then bump the relation's version and say so in the docs. (Pinned at v2, the vault's
//! two-input statement; the commitment is v1's, unchanged.)

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
    assert_eq!(file(PROVING_KEY_FILE), "3cfe1b526395064d59980dd9f11de36f9d11632dc0e6c1d28ccf82e92c2866b9");
    assert_eq!(file(VERIFYING_KEY_FILE), "21564658c267ad74506f08c0f9b0bf31b6bd6df02125a1cd813d2c830baff3b3");
    assert_eq!(file(SNARKJS_VERIFYING_KEY_FILE), "392ec50264bb76bf5a66a7c9124a1569953f84eb6aa10581bb13439f7eb7d512");
    assert_eq!(verifier.id.to_string(), "bafkreif5hswft7sflcvys45l252ge4gauyfjysiooebubnzkyk5m4yyj3y");
    assert_eq!(digest(&groth16), "c0df08384281f669f570d3690bf17b86854f953e6a7595fe20680fba5dc2b92d");
    assert_eq!(proof.commitment.to_string(), "0f6644272cefde63cd98ab1094343b9d72d362ae386edc857b9e4dc57964a0e5");
}
