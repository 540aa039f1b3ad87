//! Groth16 with a commitment to the looked-up values, on a relation defined here: values range-
//! checked by a logUp lookup whose challenge is drawn from the commitment. The honest proof
//! verifies; a witness built to satisfy the lookup at a challenge known in advance satisfies the
//! circuit at that challenge, yet no proof of it verifies, because the challenge is the
//! commitment's hash; tampered commitments, proofs of knowledge and statements are rejected.

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, One, Zero};
use ark_relations::gr1cs::SynthesisError;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::path::Path;
use vsies_zk::circuit::{Builder, ConstraintSink, Wire};
use vsies_zk::gadgets::lookup::enforce_log_up;
use vsies_zk::groth16::{check_satisfied_with_seed, prover, Cpu};
use vsies_zk::{Keys, Prover, Relation, ZkError};

const TABLE: u64 = 16;

/// "These values are each below 16 and sum to the statement."
#[derive(Clone, Debug)]
struct SmallValues(Params);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Params {
    relation: String,
    values: usize,
}

/// The witness: the values, and the multiplicities the prover claims (honest: their counts).
#[derive(Clone, Debug)]
struct Witness {
    values: Vec<Fr>,
    multiplicities: Vec<Fr>,
}

impl Witness {
    fn honest(values: &[u64]) -> Self {
        let mut counts = vec![Fr::zero(); TABLE as usize];
        values.iter().for_each(|&v| counts[v as usize] += Fr::one());
        Self { values: values.iter().map(|&v| Fr::from(v)).collect(), multiplicities: counts }
    }
}

impl Relation for SmallValues {
    type Params = Params;
    type Statement = Fr;
    type Witness = Witness;
    const NAME: &'static str = "test/small-values/v1";
    const CHALLENGES: usize = 1;

    fn new(params: Params) -> Result<Self, ZkError> {
        Ok(Self(params))
    }
    fn params(&self) -> &Params {
        &self.0
    }
    fn public_inputs(&self, total: &Fr) -> Vec<Fr> {
        vec![*total]
    }
    fn synthesize<S: ConstraintSink>(&self, b: &Builder<S>, total: &Fr, w: &Witness) -> Result<(), SynthesisError> {
        b.stage("values");
        let claimed = b.input(*total)?;
        let values: Vec<Wire> = w.values.iter().map(|&v| b.committed_witness(v)).collect::<Result<_, _>>()?;
        let counts: Vec<Wire> = w.multiplicities.iter().map(|&m| b.committed_witness(m)).collect::<Result<_, _>>()?;
        let challenges = b.challenges(1)?;
        b.stage("lookup");
        let table: Vec<(Wire, &Wire)> =
            counts.iter().enumerate().map(|(t, m)| (Wire::constant(Fr::from(t as u64)), m)).collect();
        let locate = |i| b.locate(&[("value", i)]);
        enforce_log_up(
            b,
            &challenges[0],
            values.len(),
            |i| values[i].clone(),
            &table,
            locate,
            |i| b.locate(&[("entry", i)]),
        )?;
        b.stage("statement");
        let sum = Wire::sum(&values);
        b.enforce_equal_named("total", &sum, &claimed)?;
        Ok(())
    }
    fn setup_assignment(&self) -> (Fr, Witness) {
        (Fr::zero(), Witness::honest(&vec![0; self.0.values]))
    }
}

fn relation() -> SmallValues {
    SmallValues(Params { relation: SmallValues::NAME.into(), values: 6 })
}

fn total(values: &[Fr]) -> Fr {
    values.iter().sum()
}

fn keys(seed: u64) -> (tempfile::TempDir, Prover<SmallValues>) {
    let dir = tempfile::tempdir().unwrap();
    Keys::generate(relation(), &mut StdRng::seed_from_u64(seed), dir.path()).unwrap();
    let prover = Prover::<SmallValues>::load(dir.path()).unwrap();
    (dir, prover)
}

#[test]
fn an_honest_committed_proof_verifies_and_its_statement_is_bound() {
    let (_dir, prover) = keys(1);
    let witness = Witness::honest(&[3, 15, 0, 7, 7, 1]);
    let statement = total(&witness.values);
    let proof = prover.prove_committed(&statement, &witness, &mut StdRng::seed_from_u64(2)).unwrap();
    let verifier = &prover.verifier;
    verifier.verify_committed(&statement, &proof, Path::new("p")).unwrap();
    assert_eq!(proof.to_bytes().len(), 192);
    let parsed = vsies_zk::groth16::CommittedProof::from_bytes(&proof.to_bytes(), Path::new("p")).unwrap();
    assert_eq!(parsed, proof);
    // Other spellings of a proof are refused: any point flagged as the identity (whose
    // coordinates a lax parser ignores), a trailing byte.
    let bytes = proof.to_bytes();
    for point_end in [32, 96, 128, 160, 192] {
        let mut other = bytes.clone();
        other[point_end - 1] ^= 0x40;
        let parsed = vsies_zk::groth16::CommittedProof::from_bytes(&other, Path::new("p"));
        assert!(parsed.is_err_and(|err| err.is_invalid_proof()), "the point ending at byte {point_end}");
    }
    let longer = [&bytes[..], &[0]].concat();
    assert!(vsies_zk::groth16::CommittedProof::from_bytes(&longer, Path::new("p")).is_err());
    let err = verifier.verify_committed(&(statement + Fr::one()), &proof, Path::new("p")).unwrap_err();
    assert!(err.is_invalid_proof(), "{err}");
    // The commitment hides the values: two proofs of the same witness commit differently.
    let again = prover.prove_committed(&statement, &witness, &mut StdRng::seed_from_u64(3)).unwrap();
    assert_ne!(again.commitment.point, proof.commitment.point);
}

#[test]
fn an_out_of_range_value_is_refused_and_located() {
    let (_dir, prover) = keys(4);
    let witness = Witness::honest(&[3, 1, 2, 0, 0, 0]);
    let mut bad = witness.clone();
    bad.values[4] = Fr::from(20u64);
    let err = prover.prove_committed(&total(&bad.values), &bad, &mut StdRng::seed_from_u64(5)).unwrap_err();
    let failure = err.constraint_failure().expect("located");
    assert_eq!((failure.stage, failure.constraint), ("lookup", "lookup: key not in the table"), "{failure}");
    assert!(failure.to_string().ends_with("value 4"), "{failure}");
}

/// Multiplicities that balance the logUp identity at `gamma` for `values`, one of them out
/// of the table: the cheat a prover who knows the challenge before committing can build.
fn cheat_at(gamma: Fr, values: &[u64]) -> Witness {
    let mut witness = Witness::honest(&values.iter().map(|&v| v.min(TABLE - 1)).collect::<Vec<_>>());
    witness.values = values.iter().map(|&v| Fr::from(v)).collect();
    let left: Fr = witness.values.iter().map(|v| (gamma - v).inverse().unwrap()).sum();
    let others: Fr =
        (1..TABLE).map(|t| witness.multiplicities[t as usize] * (gamma - Fr::from(t)).inverse().unwrap()).sum();
    witness.multiplicities[0] = (left - others) * gamma;
    witness
}

#[test]
fn a_witness_that_knows_the_challenge_in_advance_satisfies_the_circuit_but_never_verifies() {
    let relation = relation();
    let seed = Fr::from(123_456_789u64);
    let gamma = vsies_zk::transcript::expand_challenges(seed, 1)[0];
    let values = [3, 15, 0, 7, 100, 1]; // 100 is outside the table
    let cheat = cheat_at(gamma, &values);
    let statement = total(&cheat.values);
    // At the seed it was built for, every constraint holds: the lookup alone cannot tell.
    assert!(check_satisfied_with_seed(&relation, &statement, &cheat, seed).unwrap().is_none());
    // At any other seed it does not.
    assert!(check_satisfied_with_seed(&relation, &statement, &cheat, seed + Fr::one()).unwrap().is_some());
    // The engine draws the challenge from the commitment to the cheat's values: refused.
    let (dir, prover) = keys(6);
    let err = prover.prove_committed(&statement, &cheat, &mut StdRng::seed_from_u64(7)).unwrap_err();
    assert!(matches!(err, ZkError::Unsatisfied(_)), "{err}");
    // A prover who uses its chosen challenge anyway makes a proof the verifier rejects.
    let path = dir.path().join(vsies_zk::PROVING_KEY_FILE);
    let proof = prover::prove_committed_with_chosen_seed(
        &relation,
        &statement,
        &cheat,
        &path,
        &Cpu,
        &mut StdRng::seed_from_u64(8),
        seed,
    )
    .unwrap();
    let err = prover.verifier.verify_committed(&statement, &proof, Path::new("forged")).unwrap_err();
    assert!(err.is_invalid_proof(), "{err}");
}

#[test]
fn a_moved_commitment_or_a_forged_knowledge_proof_is_rejected() {
    let (_dir, prover) = keys(9);
    let witness = Witness::honest(&[1, 2, 3, 4, 5, 6]);
    let statement = total(&witness.values);
    let honest = prover.prove_committed(&statement, &witness, &mut StdRng::seed_from_u64(10)).unwrap();
    let verifier = &prover.verifier;
    // D shifted by a public input's basis point, P left alone: the proof of knowledge fails.
    let mut moved = honest.clone();
    moved.commitment.point = (moved.commitment.point + verifier.key.gamma_abc_g1[1]).into_affine();
    assert!(verifier.verify_committed(&statement, &moved, Path::new("p")).unwrap_err().is_invalid_proof());
    // Both D and P replaced by a pair the prover can make without σ: rejected.
    let mut forged = honest.clone();
    forged.commitment.knowledge = G1Affine::generator();
    assert!(verifier.verify_committed(&statement, &forged, Path::new("p")).unwrap_err().is_invalid_proof());
    let mut zero = honest.clone();
    zero.commitment.point = G1Affine::zero();
    zero.commitment.knowledge = G1Affine::zero();
    assert!(verifier.verify_committed(&statement, &zero, Path::new("p")).unwrap_err().is_invalid_proof());
    // Another setup's keys: rejected.
    let (_other_dir, other) = keys(11);
    assert!(other.verifier.verify_committed(&statement, &honest, Path::new("p")).unwrap_err().is_invalid_proof());
}

#[test]
fn the_chain_verifier_gives_the_same_verdicts_from_calldata_words() {
    use vsies_verifier_contract::groth16::{encode_g2, EvmCommittedProof, PreparedCommittedKey};
    use vsies_verifier_contract::solidity::EvmVerifyingKey;
    let (_dir, prover) = keys(12);
    let verifier = &prover.verifier;
    let sigma_gamma = encode_g2(&verifier.commitment.as_ref().unwrap().sigma_gamma_g2);
    let chain = PreparedCommittedKey::new(&EvmVerifyingKey::from_key(&verifier.key), &sigma_gamma).unwrap();
    assert_eq!(chain.inputs(), 1, "the seed is the engine's, not the statement's");
    let witness = Witness::honest(&[4, 4, 9, 0, 1, 2]);
    let statement = total(&witness.values);
    let proof = prover.prove_committed(&statement, &witness, &mut StdRng::seed_from_u64(13)).unwrap();
    let words = EvmCommittedProof::new(&proof.proof, &proof.commitment.point, &proof.commitment.knowledge);
    let input = |value: Fr| [vsies_zk::field_bytes(&value)];
    assert!(chain.verify(&words, &input(statement)));
    assert!(!chain.verify(&words, &input(statement + Fr::one())), "another statement");
    let mut moved = words.clone();
    moved.commitment = vsies_verifier_contract::groth16::encode_g1(
        &(proof.commitment.point + verifier.key.gamma_abc_g1[1]).into_affine(),
    );
    assert!(!chain.verify(&moved, &input(statement)), "a moved commitment");
    let mut swapped = words.clone();
    swapped.knowledge = words.commitment;
    assert!(!chain.verify(&swapped, &input(statement)), "a forged proof of knowledge");
    let mut zero = words.clone();
    zero.commitment = [[0; 32]; 2];
    zero.knowledge = [[0; 32]; 2];
    assert!(!chain.verify(&zero, &input(statement)), "the identity commitment");
    assert!(!chain.verify(&words, &[[0xff; 32]]), "an input outside the field");
}
