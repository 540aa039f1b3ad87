//! The relation's soundness, shown on the constraint system itself (an unsatisfiable witness,
//! not just a refusing CLI), and the verifier's rejections.

use ark_bn254::Fr;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::path::Path;
use std::sync::OnceLock;
use vsies_zk::gadget::Builder;
use vsies_zk::witness::WitnessSink;
use vsies_zk::{constraint_count, doc_dataset, DataCircuit, DataKeys, DataProof, DataRelation, Offsets, ZkError};

const MAX_ROWS: usize = 8;
const BUCKETS: usize = 4;

fn relation() -> DataRelation {
    let (schema, _) = doc_dataset();
    DataRelation::for_schema(&schema, MAX_ROWS, BUCKETS).unwrap()
}

fn honest_offsets(relation: &DataRelation) -> Offsets {
    relation.offsets(&doc_dataset().1).unwrap()
}

/// Synthesizes `circuit` and reports whether its constraints hold, by arkworks' check and by
/// the check the streaming prover makes (which must agree).
fn satisfied(circuit: DataCircuit<'_>) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    circuit.synthesize(&Builder::new(cs.clone())).unwrap();
    let satisfied = cs.is_satisfied().unwrap();
    let builder = Builder::new(WitnessSink::with_capacity(0));
    circuit.synthesize(&builder).unwrap();
    assert_eq!(builder.into_sink().first_unsatisfied.is_none(), satisfied, "the prover's check disagrees");
    satisfied
}

fn keys() -> &'static DataKeys {
    static KEYS: OnceLock<DataKeys> = OnceLock::new();
    KEYS.get_or_init(|| DataKeys::setup(relation(), &mut StdRng::seed_from_u64(1)).unwrap())
}

fn proof() -> DataProof {
    keys().prover.prove(&doc_dataset().1, &mut StdRng::seed_from_u64(2)).unwrap()
}

fn path() -> &'static Path {
    Path::new("proof.json")
}

#[test]
fn the_honest_witness_satisfies_the_circuit_and_the_count_is_as_documented() {
    let relation = relation();
    let cs = ConstraintSystem::<Fr>::new_ref();
    DataCircuit::new(&relation, honest_offsets(&relation)).generate_constraints(cs.clone()).unwrap();
    assert!(cs.is_satisfied().unwrap());
    assert_eq!(cs.num_constraints(), constraint_count(&relation));
    assert_eq!(cs.num_instance_variables() - 1, relation.public_input_count());
}

#[test]
fn a_value_out_of_range_cannot_satisfy_the_circuit() {
    let relation = relation();
    let mut offsets = honest_offsets(&relation);
    // Column `a` (index 0): one past its range, still inside its bit width.
    let range = relation.columns[0].range;
    assert!(range + 1 < 1 << relation.columns[0].bits, "the test needs room inside the bit width");
    offsets.values[0] = range + 1;
    assert!(!satisfied(DataCircuit::new(&relation, offsets.clone())));
    // Beyond the bit width too.
    offsets.values[0] = 1 << relation.columns[0].bits;
    assert!(!satisfied(DataCircuit::new(&relation, offsets)));
    // The library refuses such data before proving, naming row and column.
    let (schema, mut dataset) = doc_dataset();
    dataset.values[0] = (relation.columns[0].lo + range as i64 + 1) as i32;
    let err = DataRelation::for_schema(&schema, MAX_ROWS, BUCKETS).unwrap().offsets(&dataset).unwrap_err();
    assert!(err.to_string().starts_with("row 1, column `a`"), "{err}");
}

#[test]
fn a_bad_label_cannot_satisfy_the_circuit() {
    let relation = relation();
    let mut offsets = honest_offsets(&relation);
    let width = offsets.width;
    offsets.values[2 * width - 1] = 2; // row 2's label: a third class
    assert!(!satisfied(DataCircuit::new(&relation, offsets)));
}

#[test]
fn a_histogram_off_by_one_cannot_satisfy_the_circuit() {
    let relation = relation();
    let mut circuit = DataCircuit::new(&relation, honest_offsets(&relation));
    circuit.statement.histogram[1][0] += 1;
    circuit.statement.histogram[1][1] = circuit.statement.histogram[1][1].wrapping_sub(1);
    assert!(!satisfied(circuit));
}

#[test]
fn a_commitment_to_other_data_cannot_satisfy_the_circuit() {
    let relation = relation();
    let honest = honest_offsets(&relation);
    let mut other = honest.clone();
    other.values[1] = if other.values[1] == 0 { 1 } else { 0 };
    // The witness is `other`, the claim is the honest data's commitment.
    let mut circuit = DataCircuit::new(&relation, other);
    circuit.statement.commitment = relation.commit(&honest);
    circuit.statement.histogram = relation.histogram(&honest);
    assert!(!satisfied(circuit));
    // And a wrong row count.
    let mut circuit = DataCircuit::new(&relation, honest);
    circuit.statement.rows += 1;
    assert!(!satisfied(circuit));
}

#[test]
fn padding_rows_fill_to_any_row_count_and_the_commitment_ignores_max_rows() {
    let (schema, dataset) = doc_dataset();
    let small = DataRelation::for_schema(&schema, 5, BUCKETS).unwrap();
    let large = DataRelation::for_schema(&schema, 64, BUCKETS).unwrap();
    let offsets = small.offsets(&dataset).unwrap();
    assert_eq!(small.commit(&offsets), large.commit(&offsets));
    assert!(satisfied(DataCircuit::new(&small, offsets.clone())));
    assert!(satisfied(DataCircuit::new(&large, offsets)));
    let tiny = DataRelation::for_schema(&schema, 4, BUCKETS).unwrap();
    assert!(matches!(tiny.offsets(&dataset), Err(ZkError::TooManyRows { rows: 5, max_rows: 4 })));
}

#[test]
fn a_valid_proof_verifies_and_reads_back() {
    let proof = proof();
    let statement = keys().verifier.verify(&proof, path()).unwrap();
    assert_eq!(statement.rows, 5);
    assert_eq!(proof.histogram.last().unwrap().buckets.iter().map(|b| b.count).collect::<Vec<_>>(), [2, 3]);
    let dir = tempfile::tempdir().unwrap();
    proof.save(&dir.path().join("proof.json")).unwrap();
    assert_eq!(DataProof::load(&dir.path().join("proof.json")).unwrap(), proof);
}

#[test]
fn a_tampered_proof_or_statement_is_rejected() {
    let verifier = &keys().verifier;
    let honest = proof();
    // A flipped proof byte: a different valid point, or not a point at all.
    for position in [0, 70, 200] {
        let mut tampered = honest.clone();
        let digit = tampered.proof.as_bytes()[position];
        let flipped = if digit == b'0' { '1' } else { '0' };
        tampered.proof.replace_range(position..position + 1, &flipped.to_string());
        assert!(verifier.verify(&tampered, path()).unwrap_err().is_invalid_proof());
    }
    // Changed public inputs: rows, a histogram count, the commitment (readable and listed alike).
    let mut rows = honest.clone();
    rows.rows += 1;
    assert!(verifier.verify(&rows, path()).unwrap_err().is_invalid_proof());
    let mut count = honest.clone();
    count.histogram[0].buckets[0].count += 1;
    assert!(verifier.verify(&count, path()).unwrap_err().is_invalid_proof());
    let mut listed = honest.clone();
    listed.public_inputs[2] = "1".into();
    assert!(verifier.verify(&listed, path()).unwrap_err().is_invalid_proof());
    let mut both = honest.clone();
    both.commitment = format!("{:064x}", 7);
    both.public_inputs[2] = "7".into();
    assert!(verifier.verify(&both, path()).unwrap_err().is_invalid_proof());
}

#[test]
fn a_proof_for_other_keys_is_rejected() {
    let other = DataKeys::setup(relation(), &mut StdRng::seed_from_u64(9)).unwrap();
    let err = other.verifier.verify(&proof(), path()).unwrap_err();
    assert!(matches!(err, ZkError::WrongKeys { .. }), "{err}");
    // Even when the proof claims the other keys' id, the Groth16 check fails.
    let mut relabelled = proof();
    relabelled.verifying_key = other.verifier.id;
    assert!(other.verifier.verify(&relabelled, path()).unwrap_err().is_invalid_proof());
}

#[test]
fn keys_round_trip_through_files_and_damaged_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    keys().save(dir.path()).unwrap();
    let prover = vsies_zk::DataProver::load(dir.path()).unwrap();
    let verifier = vsies_zk::DataVerifier::load(dir.path()).unwrap();
    assert_eq!(verifier.id, keys().verifier.id);
    let proof = prover.prove(&doc_dataset().1, &mut StdRng::seed_from_u64(3)).unwrap();
    verifier.verify(&proof, path()).unwrap();
    let vk = dir.path().join("verifying.key");
    let mut bytes = std::fs::read(&vk).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&vk, &bytes).unwrap();
    assert!(matches!(vsies_zk::DataVerifier::load(dir.path()), Err(ZkError::Artifact(_))));
    std::fs::write(&vk, &bytes[..10]).unwrap();
    assert!(vsies_zk::DataVerifier::load(dir.path()).is_err());
    std::fs::write(dir.path().join("proof.json"), b"{\"vsies_artifact\": ").unwrap();
    assert!(DataProof::load(&dir.path().join("proof.json")).is_err());
}
