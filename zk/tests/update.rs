//! The update relation: an honest encryption proves and verifies; every way of encrypting
//! something else (a chosen mask, a non-binary `r`, a large error, another message, another
//! model, a point known in advance) leaves the constraints unsatisfied where it happened, or
//! gives a proof that does not verify.
//!
//! The encryptions here follow `vsies-secure-agg`'s scheme on small rings, so that many cases
//! run in seconds; `secure-agg`'s own tests prove its real 4096-degree updates.

use ark_bn254::Fr;
use ark_ff::{Field, UniformRand};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use std::path::Path;
use vsies_core::FixedFormat;
use vsies_zk::groth16::{check_satisfied, check_satisfied_with_seed, Keys, Prover, Verifier};
use vsies_zk::relations::model_commitment;
use vsies_zk::relations::update::{RingParams, UpdateParams, UpdateRelation, UpdateStatement, RELATION};

mod ring_support;
use ring_support::{multiply, noise};

const FORMAT: FixedFormat = FixedFormat { bits: 12, frac_bits: 8 };

fn ring(degree: usize, packing: usize) -> RingParams {
    RingParams { degree, mask_bits: 96, body_bits: 88, delta_log2: 96, noise_bound_log2: 34, packing }
}

fn relation(degree: usize, packing: usize, width: usize) -> UpdateRelation {
    let params = UpdateParams { relation: RELATION.into(), ring: ring(degree, packing), width, weight_format: FORMAT };
    UpdateRelation::new(params).unwrap()
}

fn switch_down(value: u128, bits: u32) -> u128 {
    let shift = 128 - bits;
    value.wrapping_add(1u128 << (shift - 1)) >> shift
}

/// A committee key and a client's encryption of `weights` for `rows`, as secure-agg makes
/// them, with the binary polynomials it used; `mask_noise` overrides the mask's noise bits
/// (34 for an honest client).
struct Encryption {
    statement: UpdateStatement,
    weights: Vec<i64>,
    blinding: Fr,
    binary: Vec<Vec<bool>>,
}

fn encrypt_with(relation: &UpdateRelation, seed: u64, messages: Option<Vec<i64>>, mask_noise: u32) -> Encryption {
    let mut rng = StdRng::seed_from_u64(seed);
    let ring = relation.params.ring;
    let n = ring.degree;
    let width = relation.params.width;
    let weights: Vec<i64> = (0..width).map(|_| rng.gen_range(FORMAT.min()..=FORMAT.max())).collect();
    let rows = 300u64;
    let blinding = Fr::rand(&mut rng);
    let trained = model_commitment::commit(FORMAT, &weights, blinding);
    let mask_key: Vec<u128> = (0..n).map(|_| rng.gen()).collect();
    let keys = ring.packing.min(relation.polynomials());
    let body_keys: Vec<Vec<u128>> = (0..keys)
        .map(|_| {
            let secret: Vec<i64> = (0..n).map(|_| rng.gen_range(0..=1)).collect();
            let mut b = multiply(&mask_key, &secret);
            b.iter_mut().for_each(|c| *c = c.wrapping_add(noise(&mut rng, 34)));
            b
        })
        .collect();
    let messages = messages.unwrap_or_else(|| relation.messages(&weights, rows));
    let binary: Vec<Vec<bool>> = (0..relation.chunks()).map(|_| (0..n).map(|_| rng.gen()).collect()).collect();
    let small = |r: &[bool]| r.iter().map(|&b| i64::from(b)).collect::<Vec<_>>();
    let masks = binary
        .iter()
        .map(|r| {
            multiply(&mask_key, &small(r))
                .into_iter()
                .map(|c| switch_down(c.wrapping_add(noise(&mut rng, mask_noise)), ring.mask_bits))
                .collect()
        })
        .collect();
    let bodies = (0..relation.polynomials())
        .map(|poly| {
            let product = multiply(&body_keys[poly % ring.packing], &small(&binary[poly / ring.packing]));
            (0..relation.values_in(poly))
                .map(|k| {
                    let message = (messages[poly * n + k] as u32 as u128) << ring.delta_log2;
                    let c = product[k].wrapping_add(noise(&mut rng, 34)).wrapping_add(message);
                    switch_down(c, ring.body_bits)
                })
                .collect()
        })
        .collect();
    let statement = UpdateStatement {
        committee: [7; 32],
        round: 3,
        client: [9; 20],
        trained,
        rows,
        mask_key,
        body_keys,
        masks,
        bodies,
    };
    Encryption { statement, weights, blinding, binary }
}

fn encrypt(relation: &UpdateRelation, seed: u64) -> Encryption {
    encrypt_with(relation, seed, None, 34)
}

fn small(binary: &[Vec<bool>]) -> Vec<Vec<i64>> {
    binary.iter().map(|r| r.iter().map(|&b| i64::from(b)).collect()).collect()
}

/// The stage and constraint where `witness_for`'s witness of `encryption` (with `r`) fails.
fn failure(relation: &UpdateRelation, encryption: &Encryption, r: &[Vec<i64>]) -> Option<(String, String)> {
    let witness = relation.witness_for(&encryption.statement, &encryption.weights, encryption.blinding, r);
    check_satisfied(relation, &encryption.statement, &witness)
        .unwrap()
        .map(|failure| (failure.stage.to_string(), failure.constraint.to_string()))
}

/// Whether `failure` is a range check of `stage` (the decomposition's own report, or the
/// equality that ties it to the value).
fn range_failure(failure: Option<(String, String)>, stage: &str) -> bool {
    let ranges = ["range", "value outside its range", "value wider than its bits"];
    matches!(failure, Some((s, c)) if s == stage && ranges.contains(&c.as_str()))
}

#[test]
fn honest_encryptions_satisfy_the_relation_with_one_or_many_masks_and_bodies() {
    // One mask, one body of 4 values; then 3 bodies of 4 coefficients in 2 chunks (packing 2).
    for (degree, packing, width) in [(64, 1, 3), (4, 2, 9)] {
        let relation = relation(degree, packing, width);
        let encryption = encrypt(&relation, 1);
        let witness = relation
            .witness(&encryption.statement, &encryption.weights, encryption.blinding, &encryption.binary)
            .unwrap();
        assert_eq!(check_satisfied(&relation, &encryption.statement, &witness).unwrap(), None);
    }
}

#[test]
fn a_chosen_mask_cannot_be_proved() {
    // The key-recovery attack's mask: a large constant instead of a·r + e. Whatever r the
    // prover names, the error that makes the congruence hold is far outside its range.
    let relation = relation(64, 1, 3);
    let mut encryption = encrypt(&relation, 2);
    encryption.statement.masks[0] = vec![0; 64];
    encryption.statement.masks[0][0] = 1 << 90;
    let honest = relation.witness(&encryption.statement, &encryption.weights, encryption.blinding, &encryption.binary);
    assert!(honest.unwrap_err().to_string().contains("not an encryption"));
    let zero = vec![vec![0i64; 64]];
    for r in [small(&encryption.binary), zero] {
        assert!(range_failure(failure(&relation, &encryption, &r), "masks"));
    }
}

#[test]
fn a_mask_noise_beyond_the_bound_is_refused() {
    // Noise of 2^36 (the relation proves |e| < 2^35): the flooding would not cover it.
    let relation = relation(64, 1, 3);
    let encryption = encrypt_with(&relation, 3, None, 36);
    assert!(range_failure(failure(&relation, &encryption, &small(&encryption.binary)), "masks"));
}

#[test]
fn a_non_binary_r_is_refused_even_when_everything_else_fits() {
    // r with a 2: the mask is a·r + e for that r, so only the booleanity check stands in the way.
    let relation = relation(64, 1, 3);
    let honest = encrypt(&relation, 4);
    let mut r = small(&honest.binary);
    r[0][5] = 2;
    let mut encryption = encrypt(&relation, 4);
    let mut product = multiply(&encryption.statement.mask_key, &r[0]);
    product.iter_mut().for_each(|c| *c = switch_down(*c, 96));
    encryption.statement.masks[0] = product;
    // Bodies stay those of the binary r; the mask's error is now only a rounding.
    let witness = relation.witness_for(&encryption.statement, &encryption.weights, encryption.blinding, &r);
    let failure = check_satisfied(&relation, &encryption.statement, &witness).unwrap().unwrap();
    assert_eq!((failure.stage, failure.constraint), ("masks", "binary r"));
}

#[test]
fn another_message_than_n_times_the_committed_weights_is_refused() {
    let relation = relation(64, 1, 3);
    let honest = encrypt(&relation, 5);
    // The same randomness, the bias coordinate doubled.
    let mut messages = relation.messages(&honest.weights, honest.statement.rows);
    messages[2] *= 2;
    messages[2] += 1;
    let encryption = encrypt_with(&relation, 5, Some(messages), 34);
    assert!(range_failure(failure(&relation, &encryption, &small(&encryption.binary)), "bodies"));
    // A row count other than the stated one (the last value): the same.
    let mut messages = relation.messages(&honest.weights, honest.statement.rows);
    *messages.last_mut().unwrap() += 1;
    let encryption = encrypt_with(&relation, 5, Some(messages), 34);
    assert!(range_failure(failure(&relation, &encryption, &small(&encryption.binary)), "bodies"));
}

#[test]
fn weights_that_do_not_open_the_commitment_are_refused() {
    let relation = relation(64, 1, 3);
    let mut encryption = encrypt(&relation, 6);
    encryption.weights[0] = if encryption.weights[0] == 0 { 1 } else { 0 };
    let failure = failure(&relation, &encryption, &small(&encryption.binary)).unwrap();
    assert_eq!(failure, ("statement".into(), "statement digest".into()));
}

#[test]
fn a_prover_who_knows_the_point_satisfies_the_circuit_but_not_the_verifier() {
    // With the point known in advance, a free quotient coefficient absorbs any mask: the
    // circuit is satisfied for that seed. The point must come from the commitment, and
    // the verifier derives it from the proof, so such a proof fails.
    let relation = relation(16, 1, 3);
    let mut encryption = encrypt(&relation, 7);
    encryption.statement.masks[0][3] ^= 1 << 80;
    let r = small(&encryption.binary);
    let mut witness = relation.witness_for(&encryption.statement, &encryption.weights, encryption.blinding, &r);
    // Keep every error and carry honest-sized; fix the mismatch through H_0 at the point.
    let honest = encrypt(&relation, 7);
    let honest_witness = relation.witness(&honest.statement, &honest.weights, honest.blinding, &honest.binary).unwrap();
    witness.mask_errors = honest_witness.mask_errors.clone();
    witness.mask_carries = honest_witness.mask_carries.clone();
    assert!(check_satisfied(&relation, &encryption.statement, &witness).unwrap().is_some());
    let seed = Fr::from(12345u64);
    let point = relation.point(&encryption.statement, seed);
    let evaluations = relation.evaluations(&encryption.statement, point);
    let at = |coefficients: &[Fr]| coefficients.iter().rev().fold(Fr::from(0u64), |acc, c| acc * point + c);
    let carry = vsies_zk::field::power_of_two(128);
    let terms: Vec<Fr> =
        witness.mask_errors[0].iter().zip(&witness.mask_carries[0]).map(|(e, k)| *e - carry * k).collect();
    let wrap = point.pow([16u64]) + Fr::from(1u64);
    let lhs = evaluations[0] * at(&witness.binary[0]) + at(&terms) - vsies_zk::field::power_of_two(32) * evaluations[1];
    let rest = at(&witness.mask_quotients[0]) - witness.mask_quotients[0][0];
    witness.mask_quotients[0][0] = lhs * wrap.inverse().unwrap() - rest;
    assert_eq!(check_satisfied_with_seed(&relation, &encryption.statement, &witness, seed).unwrap(), None);
    // Proved with that seed, the proof does not verify.
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::generate(relation.clone(), &mut StdRng::seed_from_u64(1), dir.path()).unwrap();
    drop(keys);
    let proof = vsies_zk::groth16::prover::prove_committed_with_chosen_seed(
        &relation,
        &encryption.statement,
        &witness,
        &dir.path().join("proving.key"),
        &vsies_zk::groth16::Cpu,
        &mut StdRng::seed_from_u64(2),
        seed,
    )
    .unwrap();
    let verifier = Verifier::<UpdateRelation>::load(dir.path()).unwrap();
    assert!(verifier.verify_committed(&encryption.statement, &proof, Path::new("update")).is_err());
}

#[test]
fn an_honest_proof_verifies_and_binds_committee_round_client_ciphertext_and_model() {
    let relation = relation(64, 1, 3);
    let encryption = encrypt(&relation, 8);
    let dir = tempfile::tempdir().unwrap();
    Keys::generate(relation.clone(), &mut StdRng::seed_from_u64(1), dir.path()).unwrap();
    let prover = Prover::<UpdateRelation>::load(dir.path()).unwrap();
    let witness =
        relation.witness(&encryption.statement, &encryption.weights, encryption.blinding, &encryption.binary).unwrap();
    let proof = prover.prove_committed(&encryption.statement, &witness, &mut StdRng::seed_from_u64(3)).unwrap();
    let verifier = Verifier::<UpdateRelation>::load(dir.path()).unwrap();
    let path = Path::new("update");
    verifier.verify_committed(&encryption.statement, &proof, path).unwrap();
    let changed: [fn(&mut UpdateStatement); 7] = [
        |s| s.committee[0] ^= 1,
        |s| s.round += 1,
        |s| s.client[19] ^= 1,
        |s| s.trained += Fr::from(1u64),
        |s| s.rows += 1,
        |s| s.masks[0][10] ^= 1,
        |s| s.bodies[0][1] ^= 1,
    ];
    for (index, change) in changed.iter().enumerate() {
        let mut statement = encryption.statement.clone();
        change(&mut statement);
        assert!(verifier.verify_committed(&statement, &proof, path).is_err(), "change {index} verified");
    }
    let mut statement = encryption.statement.clone();
    statement.mask_key[0] ^= 1;
    assert!(verifier.verify_committed(&statement, &proof, path).is_err(), "another committee key verified");
}
