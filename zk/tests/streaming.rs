//! The bounded-memory key generation and prover against arkworks': byte-identical keys and
//! proofs from the same randomness (with chunk sizes that split every query unevenly), and
//! refusals of unsatisfied witnesses and damaged keys.

use ark_bn254::Bn254;
use ark_groth16::{Groth16, ProvingKey};
use ark_serialize::CanonicalSerialize;
use ark_snark::SNARK;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::path::Path;
use vsies_zk::groth16::prover::{self, KeySource};
use vsies_zk::groth16::{Circuit, Cpu};
use vsies_zk::{doc_dataset, DataKeys, DataProver, DataRelation, ProvingKeyLocation, ZkError};
use vsies_zk::{PROVING_KEY_FILE, SNARKJS_VERIFYING_KEY_FILE, VERIFYING_KEY_FILE};

fn relation() -> DataRelation {
    DataRelation::for_schema(&doc_dataset().0, 8, 4).unwrap()
}

fn proving_key(keys: &DataKeys) -> &ProvingKey<Bn254> {
    match &keys.prover.key {
        ProvingKeyLocation::Memory(key) => key,
        ProvingKeyLocation::File(_) => unreachable!("setup keeps the key in memory"),
    }
}

fn bytes(proof: &impl CanonicalSerialize) -> Vec<u8> {
    let mut bytes = Vec::new();
    proof.serialize_compressed(&mut bytes).unwrap();
    bytes
}

#[test]
fn streamed_key_generation_writes_arkworks_keys_byte_for_byte() {
    let reference = tempfile::tempdir().unwrap();
    DataKeys::setup(relation(), &mut StdRng::seed_from_u64(11)).unwrap().save(reference.path()).unwrap();
    for chunk_points in [7, 1 << 20] {
        let streamed = tempfile::tempdir().unwrap();
        let verifier =
            DataKeys::generate_with(relation(), &mut StdRng::seed_from_u64(11), streamed.path(), &Cpu, chunk_points)
                .unwrap();
        for file in [PROVING_KEY_FILE, VERIFYING_KEY_FILE, SNARKJS_VERIFYING_KEY_FILE] {
            let (expected, found) = (
                std::fs::read(reference.path().join(file)).unwrap(),
                std::fs::read(streamed.path().join(file)).unwrap(),
            );
            assert!(expected == found, "{file} differs (chunks of {chunk_points})");
        }
        assert_eq!(verifier.id, vsies_zk::DataVerifier::load(reference.path()).unwrap().id);
    }
}

#[test]
fn the_streaming_prover_makes_arkworks_proofs_byte_for_byte() {
    let relation = relation();
    let keys = DataKeys::setup(relation.clone(), &mut StdRng::seed_from_u64(12)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    keys.save(dir.path()).unwrap();
    let path = dir.path().join(PROVING_KEY_FILE);
    let offsets = relation.offsets(&doc_dataset().1).unwrap();
    let statement = relation.statement(&offsets);
    let circuit = Circuit { relation: &relation, statement: &statement, witness: &offsets };
    let prove = |source: &KeySource| {
        prover::prove(&relation, &statement, &offsets, source, &Cpu, &mut StdRng::seed_from_u64(5)).unwrap()
    };

    let expected = Groth16::<Bn254>::prove(proving_key(&keys), circuit, &mut StdRng::seed_from_u64(5)).unwrap();
    assert_eq!(bytes(&prove(&KeySource::Memory(proving_key(&keys)))), bytes(&expected));
    for chunk_points in [1, 5, 1 << 20] {
        let proof = prove(&KeySource::File { path: &path, chunk_points });
        assert_eq!(bytes(&proof), bytes(&expected), "chunks of {chunk_points}");
    }
    // And the library's file-backed prover makes a proof the verifier accepts.
    let prover = DataProver::load(dir.path()).unwrap();
    let proof = prover.prove(&doc_dataset().1, &mut StdRng::seed_from_u64(6)).unwrap();
    keys.verifier.verify(&proof, Path::new("proof.json")).unwrap();
}

#[test]
fn an_unsatisfied_witness_is_refused_before_any_key_is_read() {
    let relation = relation();
    let mut offsets = relation.offsets(&doc_dataset().1).unwrap();
    offsets.values[0] = relation.columns[0].range + 1;
    let missing = Path::new("/nonexistent/proving.key");
    let err = prover::prove(
        &relation,
        &relation.statement(&offsets),
        &offsets,
        &KeySource::File { path: missing, chunk_points: 8 },
        &Cpu,
        &mut StdRng::seed_from_u64(1),
    )
    .unwrap_err();
    assert!(matches!(err, ZkError::Unsatisfied(_)), "{err}");
}

#[test]
fn a_damaged_or_foreign_proving_key_makes_no_proof() {
    let dir = tempfile::tempdir().unwrap();
    DataKeys::generate(relation(), &mut StdRng::seed_from_u64(13), dir.path()).unwrap();
    let path = dir.path().join(PROVING_KEY_FILE);
    let good = std::fs::read(&path).unwrap();
    let dataset = doc_dataset().1;

    // A flipped bit deep in a query: noticed by the checksum once the key has been read.
    let mut damaged = good.clone();
    let index = good.len() - 100;
    damaged[index] ^= 1;
    std::fs::write(&path, &damaged).unwrap();
    let prover = DataProver::load(dir.path()).unwrap();
    let err = prover.prove(&dataset, &mut StdRng::seed_from_u64(1)).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");

    // Truncated: refused when opened.
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let err = DataProver::load(dir.path()).err().expect("refused");
    assert!(err.to_string().contains("truncated"), "{err}");

    // Another setup's proving key beside this verifying key.
    let other = tempfile::tempdir().unwrap();
    DataKeys::generate(relation(), &mut StdRng::seed_from_u64(14), other.path()).unwrap();
    std::fs::copy(other.path().join(PROVING_KEY_FILE), &path).unwrap();
    let err = DataProver::load(dir.path()).err().expect("refused");
    assert!(err.to_string().contains("does not belong"), "{err}");
}

/// Length fields crafted in a proving key whose checksum is recomputed (as an attacker who
/// ships keys would): refused from the lengths, before anything of that size is allocated.
#[test]
fn crafted_length_fields_in_a_proving_key_are_refused_before_allocating() {
    use vsies_core::artifact::{encode_binary, read_binary};
    use vsies_core::ArtifactKind;
    let dir = tempfile::tempdir().unwrap();
    DataKeys::generate(relation(), &mut StdRng::seed_from_u64(13), dir.path()).unwrap();
    let path = dir.path().join(PROVING_KEY_FILE);
    let payload = read_binary(&path, ArtifactKind::ZkProvingKey).unwrap();
    let dataset = doc_dataset().1;
    let refused = |payload: &[u8]| {
        std::fs::write(&path, encode_binary(ArtifactKind::ZkProvingKey, payload)).unwrap();
        match DataProver::load(dir.path()) {
            Err(err) => err.to_string(),
            Ok(prover) => prover.prove(&dataset, &mut StdRng::seed_from_u64(1)).unwrap_err().to_string(),
        }
    };
    // The parameters header claims 4 GiB.
    let mut huge_params = payload.clone();
    huge_params[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    let err = refused(&huge_params);
    assert!(err.contains("4294967295-byte parameters header"), "{err}");
    // The verifying key's input basis claims 2^60 points (after alpha in G1 and beta, gamma,
    // delta in G2, uncompressed).
    let json_len = u32::from_le_bytes(payload[..4].try_into().unwrap()) as usize;
    let at = 4 + json_len + 64 + 3 * 128;
    let mut huge_basis = payload.clone();
    huge_basis[at..at + 8].copy_from_slice(&(1u64 << 60).to_le_bytes());
    let err = refused(&huge_basis);
    assert!(err.contains("verifying key"), "{err}");
}
