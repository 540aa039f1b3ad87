//! The relation's soundness, shown on the constraint system itself (an unsatisfiable witness,
//! not just a refusing CLI), and the verifier's rejections.

use ark_bn254::Fr;
use ark_relations::gr1cs::ConstraintSystem;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::path::Path;
use std::sync::OnceLock;
use vsies_core::{DataCommitment, QuantizedDataset};
use vsies_zk::circuit::Builder;
use vsies_zk::groth16::witness::WitnessSink;
use vsies_zk::groth16::{check_satisfied, Circuit};
use vsies_zk::{
    constraint_count, doc_dataset, DataKeys, DataProof, DataRelation, Offsets, Relation, Statement, ZkError,
};

const MAX_ROWS: usize = 8;
const BUCKETS: usize = 4;

fn relation() -> DataRelation {
    let (schema, _) = doc_dataset();
    DataRelation::for_schema(&schema, MAX_ROWS, BUCKETS).unwrap()
}

fn honest_offsets(relation: &DataRelation) -> Offsets {
    relation.offsets(&doc_dataset().1).unwrap()
}

/// Whether `offsets` with the claimed `statement` satisfy the constraints, by arkworks' check
/// and by the check the streaming prover makes (which must agree).
fn satisfied(relation: &DataRelation, statement: &Statement, offsets: &Offsets) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    relation.synthesize(&Builder::new(cs.clone()), statement, offsets).unwrap();
    let satisfied = cs.is_satisfied().unwrap();
    let builder = Builder::new(WitnessSink::with_capacity(0));
    relation.synthesize(&builder, statement, offsets).unwrap();
    assert_eq!(builder.is_satisfied(), satisfied, "the prover's check disagrees with arkworks'");
    assert_eq!(check_satisfied(relation, statement, offsets).unwrap().is_none(), satisfied);
    satisfied
}

/// The true statement of `offsets`.
fn honest(relation: &DataRelation, offsets: &Offsets) -> bool {
    satisfied(relation, &relation.statement(offsets), offsets)
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
    let offsets = honest_offsets(&relation);
    let statement = relation.statement(&offsets);
    let circuit = Circuit { relation: &relation, statement: &statement, witness: &offsets };
    ark_relations::gr1cs::ConstraintSynthesizer::generate_constraints(circuit, cs.clone()).unwrap();
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
    assert!(!honest(&relation, &offsets));
    // Beyond the bit width too.
    offsets.values[0] = 1 << relation.columns[0].bits;
    assert!(!honest(&relation, &offsets));
    // The library refuses such data before proving, naming row and column.
    let (schema, dataset) = doc_dataset();
    let mut values = dataset.values().to_vec();
    values[0] = (relation.columns[0].lo + range as i64 + 1) as i32;
    let outside = QuantizedDataset::from_values(
        dataset.schema_id(),
        dataset.format(),
        dataset.columns(),
        values,
        dataset.labels().map(<[u8]>::to_vec),
    )
    .unwrap();
    let err = DataRelation::for_schema(&schema, MAX_ROWS, BUCKETS).unwrap().offsets(&outside).unwrap_err();
    assert!(err.to_string().starts_with("row 0, column `a`"), "{err}");
}

#[test]
fn a_bad_label_cannot_satisfy_the_circuit() {
    let relation = relation();
    let mut offsets = honest_offsets(&relation);
    let width = offsets.width;
    offsets.values[2 * width - 1] = 2; // row 1's label: a third class
    assert!(!honest(&relation, &offsets));
}

#[test]
fn a_histogram_off_by_one_cannot_satisfy_the_circuit() {
    let relation = relation();
    let offsets = honest_offsets(&relation);
    let mut statement = relation.statement(&offsets);
    statement.histogram[1][0] += 1;
    statement.histogram[1][1] = statement.histogram[1][1].wrapping_sub(1);
    assert!(!satisfied(&relation, &statement, &offsets));
}

#[test]
fn a_commitment_to_other_data_cannot_satisfy_the_circuit() {
    let relation = relation();
    let honest = honest_offsets(&relation);
    let mut other = honest.clone();
    other.values[1] = if other.values[1] == 0 { 1 } else { 0 };
    // The witness is `other`, the claim is the honest data's commitment.
    let mut statement = relation.statement(&other);
    statement.commitment = relation.commit(&honest);
    statement.histogram = relation.histogram(&honest);
    assert!(!satisfied(&relation, &statement, &other));
    // And a wrong row count.
    let mut statement = relation.statement(&honest);
    statement.rows += 1;
    assert!(!satisfied(&relation, &statement, &honest));
}

#[test]
fn padding_rows_fill_to_any_row_count_and_the_commitment_ignores_max_rows() {
    let (schema, dataset) = doc_dataset();
    let small = DataRelation::for_schema(&schema, 5, BUCKETS).unwrap();
    let large = DataRelation::for_schema(&schema, 64, BUCKETS).unwrap();
    let offsets = small.offsets(&dataset).unwrap();
    assert_eq!(small.commit(&offsets), large.commit(&offsets));
    assert!(honest(&small, &offsets));
    assert!(honest(&large, &offsets));
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
    // Changed statements: rows, a histogram count, the commitment, the node (readable and
    // listed alike).
    let mut rows = honest.clone();
    rows.rows += 1;
    assert!(verifier.verify(&rows, path()).unwrap_err().is_invalid_proof());
    let mut count = honest.clone();
    count.histogram[0].buckets[0].count += 1;
    assert!(verifier.verify(&count, path()).unwrap_err().is_invalid_proof());
    let mut listed = honest.clone();
    listed.public_inputs[1] = "1".into();
    assert!(verifier.verify(&listed, path()).unwrap_err().is_invalid_proof());
    let mut both = honest.clone();
    both.commitment = format!("{:064x}", 7).parse::<DataCommitment>().unwrap();
    let statement = verifier.statement(&both, path()).unwrap();
    both.public_inputs = verifier.relation.public_inputs(&statement).iter().map(|x| x.to_string()).collect();
    assert!(verifier.verify(&both, path()).unwrap_err().is_invalid_proof());
    // Another node claiming the proof, with consistent inputs: the Groth16 check fails.
    let mut node = honest.clone();
    node.node = format!("0x{}", "11".repeat(20));
    let statement = verifier.statement(&node, path()).unwrap();
    node.public_inputs = verifier.relation.public_inputs(&statement).iter().map(|x| x.to_string()).collect();
    assert!(verifier.verify(&node, path()).unwrap_err().is_invalid_proof());
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

#[test]
fn an_unsatisfied_witness_is_reported_with_its_stage_constraint_row_and_column() {
    let relation = relation();
    let mut offsets = honest_offsets(&relation);
    let width = offsets.width;
    // Row 2, column `b` (index 1): one past its range.
    offsets.values[2 * width + 1] = relation.columns[1].range + 1;
    let failure = check_satisfied(&relation, &relation.statement(&offsets), &offsets).unwrap().expect("unsatisfied");
    let message = failure.to_string();
    // The identity is the constraint before the histogram's: the report names it and the culprit.
    let digest = relation.digest_blocks() * vsies_zk::poseidon::CONSTRAINTS_PER_PERMUTATION + 1;
    let identity = constraint_count(&relation) - digest - relation.bucket_count() - 1;
    let expected = format!(
        "relation vsies/data-validation/v2, stage `lookup`, constraint `lookup: key not in the table` (#{identity}), row 2, column `b`"
    );
    assert_eq!(message, expected);
    // A value that does not fit its bits fails in the rows stage, at its cell.
    let mut offsets = honest_offsets(&relation);
    offsets.values[3 * width] = 1 << relation.columns[0].bits;
    let failure = check_satisfied(&relation, &relation.statement(&offsets), &offsets).unwrap().expect("unsatisfied");
    assert_eq!((failure.stage, failure.constraint), ("rows", "value wider than its bits"), "{failure}");
    assert!(failure.to_string().ends_with("row 3, column `a`"), "{failure}");
    // The prover refuses with the same located message and never prints witness values.
    let err = keys().prover.prove_offsets(&offsets, &mut StdRng::seed_from_u64(4)).unwrap_err();
    let located = err.constraint_failure().expect("a located failure");
    assert_eq!(located, &failure);
    assert!(!err.to_string().contains("witness values"), "{err}");
    assert!(located.with_values().contains("witness values"));
}

#[test]
fn a_histogram_claim_fails_at_its_bucket() {
    let relation = relation();
    let offsets = honest_offsets(&relation);
    let mut statement = relation.statement(&offsets);
    statement.histogram[2][1] += 1;
    let failure = check_satisfied(&relation, &statement, &offsets).unwrap().expect("unsatisfied");
    assert_eq!(failure.to_string().split(", ").last(), Some("bucket 1"), "{failure}");
    assert!(failure.to_string().contains("stage `histogram`, constraint `bucket count`"), "{failure}");
    assert!(failure.to_string().contains("column `c`"), "{failure}");
}
