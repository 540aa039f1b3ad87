//! The key-contribution relation: an honest dealing proves and verifies, and each holder's
//! check of its piece passes; every other dealing (a large error, a non-binary secret, pieces
//! that do not sum to the secret, pieces other than those dealt, a point known in advance)
//! leaves the constraints unsatisfied where it happened, fails a holder's check, or gives a
//! proof that does not verify.
//!
//! The dealings follow `vsies-secure-agg`'s key generation on small rings, so that every case
//! runs in seconds; `secure-agg`'s tests prove real 4096-degree contributions.

use ark_bn254::Fr;
use ark_ff::{Field, UniformRand};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use std::path::Path;
use std::sync::OnceLock;
use vsies_zk::groth16::{check_satisfied, check_satisfied_with_seed, CommittedProof, Keys, Prover, Verifier};
use vsies_zk::relations::key_contribution::{
    piece_evaluations, piece_hash, ContributionParams, ContributionStatement, KeyContributionRelation,
};

mod ring_support;
use ring_support::{multiply, noise};

const DEGREE: usize = 32;
const PACKING: usize = 2;
const PIECES: usize = 3;

fn relation() -> KeyContributionRelation {
    KeyContributionRelation::for_shape(ContributionParams {
        degree: DEGREE,
        noise_bound_log2: 34,
        packing: PACKING,
        pieces: PIECES,
    })
    .unwrap()
}

/// A dealer's contribution and pieces as secure-agg makes them: binary `s_j`, `b_j = a·s_j +
/// e_j`, uniform pieces but the last, which makes their sum `s_j`.
#[derive(Clone)]
struct Dealing {
    statement: ContributionStatement,
    secret: Vec<Vec<bool>>,
    pieces: Vec<Vec<Vec<u128>>>,
    salts: Vec<Fr>,
}

fn deal(seed: u64) -> Dealing {
    let mut rng = StdRng::seed_from_u64(seed);
    let mask: Vec<u128> = (0..DEGREE).map(|_| rng.gen()).collect();
    let secret: Vec<Vec<bool>> = (0..PACKING).map(|_| (0..DEGREE).map(|_| rng.gen()).collect()).collect();
    let contribution = secret
        .iter()
        .map(|s| {
            let mut b = multiply(&mask, &small(s));
            b.iter_mut().for_each(|c| *c = c.wrapping_add(noise(&mut rng, 34)));
            b
        })
        .collect();
    let mut pieces: Vec<Vec<Vec<u128>>> =
        (0..PIECES - 1).map(|_| (0..PACKING).map(|_| (0..DEGREE).map(|_| rng.gen()).collect()).collect()).collect();
    let last = (0..PACKING)
        .map(|j| {
            (0..DEGREE)
                .map(|k| pieces.iter().fold(u128::from(secret[j][k]), |acc, piece| acc.wrapping_sub(piece[j][k])))
                .collect()
        })
        .collect();
    pieces.push(last);
    let salts = (0..PIECES).map(|_| Fr::rand(&mut rng)).collect();
    let statement = ContributionStatement {
        session: [seed as u8; 32],
        dealer: 2,
        commitment: [9; 32],
        mask,
        contribution,
        piece_hashes: Vec::new(),
    };
    Dealing { statement, secret, pieces, salts }
}

fn small(bits: &[bool]) -> Vec<i64> {
    bits.iter().map(|&b| i64::from(b)).collect()
}

/// The stage and constraint where `witness_for`'s witness of `dealing` with `secret` fails.
fn failure(dealing: &Dealing, secret: &[Vec<i64>]) -> Option<(String, String)> {
    let relation = relation();
    let witness = relation.witness_for(&dealing.statement, secret, dealing.pieces.clone(), dealing.salts.clone());
    check_satisfied(&relation, &dealing.statement, &witness)
        .unwrap()
        .map(|failure| (failure.stage.to_string(), failure.constraint.to_string()))
}

fn is_range_failure(failure: &Option<(String, String)>, stage: &str) -> bool {
    let ranges = ["range", "value outside its range", "value wider than its bits"];
    matches!(failure, Some((s, c)) if s == stage && ranges.contains(&c.as_str()))
}

fn keys() -> &'static tempfile::TempDir {
    static KEYS: OnceLock<tempfile::TempDir> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        Keys::generate(relation(), &mut StdRng::seed_from_u64(1), dir.path()).unwrap();
        dir
    })
}

/// Proves `dealing` honestly; returns the statement with its piece hashes and the proof.
fn prove(dealing: &Dealing, proving: &[Vec<Vec<u128>>]) -> (ContributionStatement, CommittedProof) {
    let prover = Prover::<KeyContributionRelation>::load(keys().path()).unwrap();
    let relation = &prover.relation;
    let witness =
        relation.witness(&dealing.statement, &dealing.secret, proving.to_vec(), dealing.salts.clone()).unwrap();
    let mut statement = dealing.statement.clone();
    let proof = prover
        .prove_committed_completing(&vsies_zk::groth16::Cpu, &mut statement, &witness, &mut StdRng::seed_from_u64(3))
        .unwrap();
    assert_eq!(statement.piece_hashes, relation.piece_hashes(&dealing.statement, &witness, proof.challenge_seed()));
    (statement, proof)
}

/// What the holder of piece set `set` checks: its piece's evaluations at the proof's point
/// hash, with its salt, to the stated hash.
fn holder_accepts(dealing: &Dealing, statement: &ContributionStatement, proof: &CommittedProof, set: usize) -> bool {
    let point = relation().point(statement, proof.challenge_seed());
    piece_hash(dealing.salts[set], &piece_evaluations(&dealing.pieces[set], point)) == statement.piece_hashes[set]
}

#[test]
fn an_honest_dealing_proves_verifies_and_passes_every_holders_check() {
    let dealing = deal(1);
    let relation = relation();
    let witness =
        relation.witness(&dealing.statement, &dealing.secret, dealing.pieces.clone(), dealing.salts.clone()).unwrap();
    assert_eq!(check_satisfied(&relation, &dealing.statement, &witness).unwrap(), None);
    let (statement, proof) = prove(&dealing, &dealing.pieces);
    let verifier = Verifier::<KeyContributionRelation>::load(keys().path()).unwrap();
    let path = Path::new("contribution");
    verifier.verify_committed(&statement, &proof, path).unwrap();
    assert!((0..PIECES).all(|set| holder_accepts(&dealing, &statement, &proof, set)));
    // The proof states its session, dealer, commitment, contribution and piece hashes.
    let changes: [fn(&mut ContributionStatement); 7] = [
        |s| s.session[0] ^= 1,
        |s| s.dealer += 1,
        |s| s.commitment[31] ^= 1,
        |s| s.contribution[1][5] ^= 1,
        |s| s.mask[0] ^= 1 << 100,
        |s| s.piece_hashes.swap(0, 1),
        |s| s.piece_hashes[2] += Fr::from(1u64),
    ];
    for (index, change) in changes.iter().enumerate() {
        let mut changed = statement.clone();
        change(&mut changed);
        assert!(verifier.verify_committed(&changed, &proof, path).is_err(), "change {index} verified");
    }
}

#[test]
fn a_contribution_with_an_error_beyond_the_bound_is_refused() {
    let mut dealing = deal(2);
    dealing.statement.contribution[1][7] = dealing.statement.contribution[1][7].wrapping_add(1 << 40);
    let relation = relation();
    let err = relation
        .witness(&dealing.statement, &dealing.secret, dealing.pieces.clone(), dealing.salts.clone())
        .unwrap_err();
    assert!(err.to_string().contains("exceeds the noise bound"), "{err}");
    let secret: Vec<Vec<i64>> = dealing.secret.iter().map(|s| small(s)).collect();
    assert!(is_range_failure(&failure(&dealing, &secret), "secret"));
    // A rogue contribution (not a·s + e for any binary s the dealer knows) fails the same way.
    let mut rogue = deal(3);
    rogue.statement.contribution[0] = (0..DEGREE as u128).map(|k| k << 90).collect();
    let secret: Vec<Vec<i64>> = rogue.secret.iter().map(|s| small(s)).collect();
    assert!(is_range_failure(&failure(&rogue, &secret), "secret"));
}

#[test]
fn a_non_binary_secret_is_refused_even_when_everything_else_fits() {
    // s with a 2: b = a·s + e and pieces that sum to it, all honest-sized.
    let mut dealing = deal(4);
    let mut secret: Vec<Vec<i64>> = dealing.secret.iter().map(|s| small(s)).collect();
    secret[0][3] = 2;
    let mut rng = StdRng::seed_from_u64(40);
    dealing.statement.contribution[0] = multiply(&dealing.statement.mask, &secret[0]);
    dealing.statement.contribution[0].iter_mut().for_each(|c| *c = c.wrapping_add(noise(&mut rng, 34)));
    let last = PIECES - 1;
    dealing.pieces[last][0][3] = dealing.pieces[last][0][3].wrapping_add(2 - u128::from(dealing.secret[0][3]));
    assert_eq!(failure(&dealing, &secret), Some(("secret".into(), "binary s".into())));
}

#[test]
fn pieces_that_do_not_sum_to_the_secret_are_refused() {
    let mut dealing = deal(5);
    dealing.pieces[0][1][9] = dealing.pieces[0][1][9].wrapping_add(1);
    let relation = relation();
    let err = relation
        .witness(&dealing.statement, &dealing.secret, dealing.pieces.clone(), dealing.salts.clone())
        .unwrap_err();
    assert!(err.to_string().contains("do not sum"), "{err}");
    let secret: Vec<Vec<i64>> = dealing.secret.iter().map(|s| small(s)).collect();
    assert!(is_range_failure(&failure(&dealing, &secret), "secret"));
}

#[test]
fn a_dealer_who_proves_other_pieces_than_it_dealt_fails_the_holders_check() {
    // The dealer deals one holder a piece that does not sum to its secret, and proves with
    // pieces that do: the proof verifies, and the holder of the changed set sees the mismatch
    // (its signed piece, published, is the evidence).
    let proving = deal(6);
    let mut dealt = proving.clone();
    dealt.pieces[1][0][0] = dealt.pieces[1][0][0].wrapping_add(1 << 64);
    let (statement, proof) = prove(&proving, &proving.pieces);
    let verifier = Verifier::<KeyContributionRelation>::load(keys().path()).unwrap();
    verifier.verify_committed(&statement, &proof, Path::new("contribution")).unwrap();
    assert!(holder_accepts(&dealt, &statement, &proof, 0));
    assert!(!holder_accepts(&dealt, &statement, &proof, 1));
    assert!(holder_accepts(&dealt, &statement, &proof, 2));
    // Without its salt, a non-holder cannot recompute the hash from the piece alone.
    let point = relation().point(&statement, proof.challenge_seed());
    assert_ne!(piece_hash(Fr::from(0u64), &piece_evaluations(&proving.pieces[1], point)), statement.piece_hashes[1]);
}

#[test]
fn a_dealer_who_knows_the_point_satisfies_the_circuit_but_not_the_verifier() {
    // With the point known in advance, a free quotient coefficient absorbs any contribution:
    // the circuit is satisfied for that seed. The verifier derives the point from the proof,
    // so such a proof fails.
    let relation = relation();
    let mut dealing = deal(7);
    let honest =
        relation.witness(&dealing.statement, &dealing.secret, dealing.pieces.clone(), dealing.salts.clone()).unwrap();
    dealing.statement.contribution[0][3] ^= 1 << 80;
    let secret: Vec<Vec<i64>> = dealing.secret.iter().map(|s| small(s)).collect();
    let mut witness = relation.witness_for(&dealing.statement, &secret, dealing.pieces.clone(), dealing.salts.clone());
    witness.errors = honest.errors.clone();
    witness.carries = honest.carries.clone();
    assert!(check_satisfied(&relation, &dealing.statement, &witness).unwrap().is_some());
    let seed = Fr::from(4242u64);
    let point = relation.point(&dealing.statement, seed);
    let derived = relation.derived_at(&dealing.statement, point);
    let at = |coefficients: &[Fr]| coefficients.iter().rev().fold(Fr::from(0u64), |acc, c| acc * point + c);
    let carry = vsies_zk::field::power_of_two(128);
    let terms: Vec<Fr> = witness.errors[0].iter().zip(&witness.carries[0]).map(|(e, k)| *e - carry * k).collect();
    let wrap = point.pow([DEGREE as u64]) + Fr::from(1u64);
    let lhs = derived[0] * at(&witness.secret[0]) + at(&terms) - derived[1];
    let rest = at(&witness.quotients[0]) - witness.quotients[0][0];
    witness.quotients[0][0] = lhs * wrap.inverse().unwrap() - rest;
    assert_eq!(check_satisfied_with_seed(&relation, &dealing.statement, &witness, seed).unwrap(), None);
    let proof = vsies_zk::groth16::prover::prove_committed_with_chosen_seed(
        &relation,
        &dealing.statement,
        &witness,
        &keys().path().join("proving.key"),
        &vsies_zk::groth16::Cpu,
        &mut StdRng::seed_from_u64(2),
        seed,
    )
    .unwrap();
    let statement = ContributionStatement {
        piece_hashes: relation.piece_hashes(&dealing.statement, &witness, seed),
        ..dealing.statement.clone()
    };
    let verifier = Verifier::<KeyContributionRelation>::load(keys().path()).unwrap();
    assert!(verifier.verify_committed(&statement, &proof, Path::new("contribution")).is_err());
}

#[test]
fn a_witness_of_the_wrong_sizes_is_refused_before_any_constraint() {
    let dealing = deal(8);
    let relation = relation();
    let mut witness =
        relation.witness(&dealing.statement, &dealing.secret, dealing.pieces.clone(), dealing.salts.clone()).unwrap();
    witness.pieces.pop();
    assert!(check_satisfied(&relation, &dealing.statement, &witness).is_err());
    let err = relation.witness(&dealing.statement, &dealing.secret[..1], dealing.pieces.clone(), dealing.salts.clone());
    assert!(err.is_err());
}
