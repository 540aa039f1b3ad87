//! Proofs of training: the circuit accepts exactly the spec's training on the committed rows,
//! and the proof verifies; adversarial witnesses (a wrong rounding, a skipped clamp, a changed
//! gradient or error term, another learning rate, other rows, a row not in D, another order,
//! other starting weights) leave it unsatisfied, located.

use ark_bn254::Fr;
use ark_ff::UniformRand;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::path::Path;
use vsies_core::{Model, TrainingConfig};
use vsies_zk::groth16::check_satisfied_with_seed;
use vsies_zk::relations::training::{TrainingParams, TrainingRelation, TrainingWitness, RELATION};
use vsies_zk::{doc_dataset, DataRelation, Keys, Prover, Relation};

fn config() -> TrainingConfig {
    TrainingConfig { batch_size_log2: 1, epochs: 2, ..TrainingConfig::default() }
}

fn relation() -> TrainingRelation {
    let (schema, dataset) = doc_dataset();
    TrainingRelation::new(TrainingParams {
        relation: RELATION.into(),
        schema,
        rows: dataset.rows(),
        training: config(),
    })
    .unwrap()
}

fn witness(relation: &TrainingRelation, initial: &[i64]) -> TrainingWitness {
    let (schema, dataset) = doc_dataset();
    let data = DataRelation::for_schema(&schema, dataset.rows(), 1).unwrap();
    let (trace, _) = relation.trace(&dataset, initial).unwrap();
    TrainingWitness {
        offsets: data.offsets(&dataset).unwrap(),
        initial: initial.to_vec(),
        trace,
        initial_blinding: Fr::from(0u64),
        trained_blinding: Fr::from(99u64),
    }
}

fn random_seed() -> Fr {
    Fr::rand(&mut StdRng::seed_from_u64(42))
}

#[test]
fn the_honest_trace_is_the_spec_and_satisfies_the_circuit() {
    let relation = relation();
    let (schema, dataset) = doc_dataset();
    let initial = vec![0; 4];
    let witness = witness(&relation, &initial);
    let model = Model::train(&schema, &dataset, config(), None).unwrap();
    assert_eq!(witness.trained_weights(4), model.augmented_weights());
    let statement = relation.statement(3, [7; 20], &witness);
    let failure = check_satisfied_with_seed(&relation, &statement, &witness, random_seed()).unwrap();
    assert!(failure.is_none(), "{}", failure.unwrap());
}

#[test]
fn a_training_proof_verifies_and_binds_its_statement() {
    let relation = relation();
    let dir = tempfile::tempdir().unwrap();
    Keys::generate(relation.clone(), &mut StdRng::seed_from_u64(1), dir.path()).unwrap();
    let prover = Prover::<TrainingRelation>::load(dir.path()).unwrap();
    let witness = witness(&relation, &[5, -3, 2, 1]);
    let statement = relation.statement(3, [7; 20], &witness);
    let proof = prover.prove_committed(&statement, &witness, &mut StdRng::seed_from_u64(2)).unwrap();
    prover.verifier.verify_committed(&statement, &proof, Path::new("p")).unwrap();
    for tampered in [
        vsies_zk::relations::training::TrainingStatement { round: 4, ..statement.clone() },
        vsies_zk::relations::training::TrainingStatement { node: [8; 20], ..statement.clone() },
        vsies_zk::relations::training::TrainingStatement { trained: statement.initial, ..statement.clone() },
    ] {
        assert!(prover.verifier.verify_committed(&tampered, &proof, Path::new("p")).unwrap_err().is_invalid_proof());
    }
    println!("constraints {:?}", relation.shape().unwrap());
}

/// The located failure of `witness` against the honest statement of `honest` (what a verifier
/// checks), at random challenges; `None` when satisfied.
fn failure_of(relation: &TrainingRelation, honest: &TrainingWitness, witness: &TrainingWitness) -> Option<String> {
    let statement = relation.statement(3, [7; 20], honest);
    check_satisfied_with_seed(relation, &statement, witness, random_seed()).unwrap().map(|f| f.to_string())
}

#[test]
fn a_wrong_rounding_in_one_score_is_caught_at_that_sample() {
    let relation = relation();
    let honest = witness(&relation, &[0; 4]);
    for delta in [1, -1, 256] {
        let mut bad = honest.clone();
        bad.trace.samples[6][0] += delta; // 3 batches per epoch (2, 2, 1): epoch 1, batch 0, position 1
        let failure = failure_of(&relation, &honest, &bad).expect("unsatisfied");
        assert!(failure.contains("stage `lookup`") && failure.ends_with("epoch 1, batch 0, sample 1"), "{failure}");
    }
    // Rounding down instead of half up (a remainder off by 2^(s_z - 1), still a valid remainder).
    let mut bad = honest.clone();
    let [r, ..] = bad.trace.samples[0];
    bad.trace.samples[0][0] = (r + 128) % 256;
    assert!(failure_of(&relation, &honest, &bad).is_some());
}

#[test]
fn a_skipped_clamp_is_caught_at_that_weight() {
    let relation = relation();
    // Weights at the top of the format: some update is clamped (it stays at 2047 from 2047
    // while the gradient pushes it up).
    let honest = witness(&relation, &[2047, 2047, 2047, 2047]);
    let mut before = vec![2047i64; 4];
    let mut clamped = None;
    for (step, chunk) in honest.trace.updates.chunks(4).enumerate() {
        let after: Vec<i64> = chunk.iter().map(|[_, w]| *w).collect();
        if let Some(j) = (0..4).find(|&j| before[j] == 2047 && after[j] == 2047) {
            clamped = Some((step, j));
            break;
        }
        before = after;
    }
    let (step, j) = clamped.expect("a clamped update");
    let mut bad = honest.clone();
    bad.trace.updates[step * 4 + j][1] = 2048; // unclamped: a value the format cannot hold
    let failure = failure_of(&relation, &honest, &bad).expect("unsatisfied");
    assert!(failure.contains("stage `lookup`") && failure.contains(&format!("weight {j}")), "{failure}");
}

#[test]
fn a_changed_gradient_or_new_weight_is_caught() {
    let relation = relation();
    let honest = witness(&relation, &[10, -20, 30, 5]);
    let mut remainder = honest.clone();
    remainder.trace.updates[6][0] += 1;
    assert!(failure_of(&relation, &honest, &remainder).unwrap().contains("weight 2"));
    let mut weight = honest.clone();
    weight.trace.updates[6][1] += 1;
    assert!(failure_of(&relation, &honest, &weight).unwrap().contains("weight 2"));
    // One sample's error term changed (its sigmoid's low part): every gradient term `e·x_j`
    // of that sample changes with it.
    let mut error = honest.clone();
    error.trace.samples[3][1] += 1;
    assert!(failure_of(&relation, &honest, &error).is_some());
}

#[test]
fn a_trace_at_another_learning_rate_is_caught() {
    let relation = relation();
    let honest = witness(&relation, &[10, -20, 30, 5]);
    let slower = TrainingRelation::new(TrainingParams {
        training: TrainingConfig { learning_rate_log2: config().learning_rate_log2 + 1, ..config() },
        ..relation.params.clone()
    })
    .unwrap();
    let (_, dataset) = doc_dataset();
    let (trace, _) = slower.trace(&dataset, &[10, -20, 30, 5]).unwrap();
    assert_ne!(trace.updates, honest.trace.updates, "the learning rate changes the training");
    let other_rate = TrainingWitness { trace, ..honest.clone() };
    let failure = failure_of(&relation, &honest, &other_rate).expect("unsatisfied");
    assert!(failure.contains("weight"), "{failure}");
}

#[test]
fn training_on_other_rows_or_from_other_weights_cannot_claim_the_committed_ones() {
    let relation = relation();
    let honest = witness(&relation, &[0; 4]);
    // Row 0 replaced by a copy of row 1, trained on consistently: the circuit's D is not the
    // claimed D.
    let (schema, dataset) = doc_dataset();
    let data = DataRelation::for_schema(&schema, dataset.rows(), 1).unwrap();
    let other = dataset.select_rows(&[1, 1, 2, 3, 4]);
    let (trace, _) = relation.trace(&other, &[0; 4]).unwrap();
    let other_rows = TrainingWitness { offsets: data.offsets(&other).unwrap(), trace, ..honest.clone() };
    let failure = failure_of(&relation, &honest, &other_rows).expect("unsatisfied");
    assert!(failure.contains("stage `statement`, constraint `statement digest`"), "{failure}");
    // A row that is in no row of D (a value of row 0 changed within the schema's range).
    let columns = dataset.columns();
    let mut values = dataset.values().to_vec();
    values[0] = values[columns];
    let foreign = vsies_core::QuantizedDataset::from_values(
        dataset.schema_id(),
        dataset.format(),
        columns,
        values,
        dataset.labels().map(<[u8]>::to_vec),
    )
    .unwrap();
    assert!((0..dataset.rows()).all(|row| dataset.row(row) != foreign.row(0)), "row 0 is new");
    let (trace, _) = relation.trace(&foreign, &[0; 4]).unwrap();
    let foreign_row = TrainingWitness { offsets: data.offsets(&foreign).unwrap(), trace, ..honest.clone() };
    let failure = failure_of(&relation, &honest, &foreign_row).expect("unsatisfied");
    assert!(failure.contains("stage `statement`, constraint `statement digest`"), "{failure}");
    // Other starting weights than the statement's C_in.
    let other_start = witness(&relation, &[1, 0, 0, 0]);
    assert!(failure_of(&relation, &honest, &other_start).unwrap().contains("statement digest"));
    // A trace of another permutation (seed) under these keys' wiring.
    let reseeded = TrainingRelation::new(TrainingParams {
        training: TrainingConfig { seed: 1, ..config() },
        ..relation.params.clone()
    })
    .unwrap();
    let (trace, _) = reseeded.trace(&dataset, &[0; 4]).unwrap();
    assert_ne!(trace.samples, honest.trace.samples, "another order trains differently");
    let other_order = TrainingWitness { trace, ..honest.clone() };
    let failure = failure_of(&relation, &honest, &other_order).expect("unsatisfied");
    assert!(failure.contains("stage `") && failure.contains("epoch "), "{failure}");
}

#[test]
fn keys_of_other_parameters_reject_the_proof() {
    let relation = relation();
    let dir = tempfile::tempdir().unwrap();
    Keys::generate(relation.clone(), &mut StdRng::seed_from_u64(1), dir.path()).unwrap();
    let prover = Prover::<TrainingRelation>::load(dir.path()).unwrap();
    let honest = witness(&relation, &[0; 4]);
    let statement = relation.statement(0, [0; 20], &honest);
    let proof = prover.prove_committed(&statement, &honest, &mut StdRng::seed_from_u64(2)).unwrap();
    let other = TrainingRelation::new(TrainingParams {
        training: TrainingConfig { learning_rate_log2: 3, ..config() },
        ..relation.params.clone()
    })
    .unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    let other_verifier = Keys::generate(other, &mut StdRng::seed_from_u64(1), other_dir.path()).unwrap();
    assert!(other_verifier.verify_committed(&statement, &proof, Path::new("p")).unwrap_err().is_invalid_proof());
}

#[test]
fn the_vault_rebuilds_both_relations_public_inputs_from_calldata() {
    use vsies_verifier_contract::vault::statement::{data_digest, packed_input, training_digest, word};
    let relation = relation();
    let honest = witness(&relation, &[5, -3, 2, 1]);
    let statement = relation.statement(9, [0xab; 20], &honest);
    let inputs = relation.public_inputs(&statement);
    let bytes = |c: &vsies_core::DataCommitment| *c.as_bytes();
    assert_eq!(packed_input(9, &[0xab; 20]), word(&inputs[0]));
    let digest = training_digest(
        &bytes(&statement.data),
        &word(&relation.params_element()),
        &bytes(&statement.initial),
        &bytes(&statement.trained),
        relation.compute_units(),
        relation.data_units(),
    );
    assert_eq!(digest, Some(word(&inputs[1])));
    let (schema, dataset) = doc_dataset();
    let data = DataRelation::for_schema(&schema, 8, 3).unwrap();
    let data_statement = data.statement_for(&data.offsets(&dataset).unwrap(), [0xcd; 20]);
    let data_inputs = data.public_inputs(&data_statement);
    assert_eq!(packed_input(0, &[0xcd; 20]), word(&data_inputs[0]));
    let histogram: Vec<[u8; 32]> = DataRelation::histogram_words(&data_statement.histogram).iter().map(word).collect();
    let digest = data_digest(
        &word(&data.params_element()),
        &word(&data_statement.commitment),
        data_statement.rows as u64,
        &histogram,
    );
    assert_eq!(digest, Some(word(&data_inputs[1])));
}
