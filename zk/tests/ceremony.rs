//! The setup ceremony end to end on small relations defined here: three contributors and a
//! beacon in each phase give keys that prove and verify (and that the original setup's keys
//! do not accept); every way a contributor can break the protocol is named by `verify`.

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, One};
use ark_relations::gr1cs::SynthesisError;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::rand::{rngs::StdRng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use vsies_core::artifact::{self, ArtifactKind};
use vsies_zk::ceremony::phase2::{CURRENT_FILE, INITIAL_FILE};
use vsies_zk::ceremony::powers::POWERS_FILE;
use vsies_zk::ceremony::transcript::Transcript;
use vsies_zk::ceremony::{Ceremony, Powers};
use vsies_zk::circuit::{Builder, ConstraintSink, Wire};
use vsies_zk::{Keys, Prover, Relation, ZkError};

mod common;

use common::{cubic, Cubic};

/// "The committed values are a permutation of the public list": a relation with a commitment
/// (its challenge is drawn after the values are committed), so phase 2 also randomizes `σ`.
#[derive(Clone, Debug)]
struct Permutation(Params);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Params {
    relation: String,
    len: usize,
}

impl Relation for Permutation {
    type Params = Params;
    type Statement = Vec<Fr>;
    type Witness = Vec<Fr>;
    const NAME: &'static str = "test/permutation/v1";
    const CHALLENGES: usize = 1;

    fn new(params: Params) -> Result<Self, ZkError> {
        Ok(Self(params))
    }
    fn params(&self) -> &Params {
        &self.0
    }
    fn public_inputs(&self, list: &Vec<Fr>) -> Vec<Fr> {
        list.clone()
    }
    fn synthesize<S: ConstraintSink>(
        &self,
        b: &Builder<S>,
        list: &Vec<Fr>,
        values: &Vec<Fr>,
    ) -> Result<(), SynthesisError> {
        b.stage("permutation");
        let list: Vec<Wire> = list.iter().map(|&v| b.input(v)).collect::<Result<_, _>>()?;
        let values: Vec<Wire> = values.iter().map(|&v| b.committed_witness(v)).collect::<Result<_, _>>()?;
        let r = b.challenges(1)?.remove(0);
        let product = |wires: &[Wire]| -> Result<Wire, SynthesisError> {
            wires.iter().try_fold(Wire::one(), |acc, w| b.mul(&acc, &r.sub(w)))
        };
        let (left, right) = (product(&values)?, product(&list)?);
        b.enforce_equal_named("same multiset", &left, &right)
    }
    fn setup_assignment(&self) -> (Vec<Fr>, Vec<Fr>) {
        (vec![Fr::from(0u64); self.0.len], vec![Fr::from(0u64); self.0.len])
    }
}

fn permutation() -> Permutation {
    Permutation(Params { relation: Permutation::NAME.into(), len: 4 })
}

const POWER: u32 = 9;

/// Phase 1 with two contributors and a beacon.
fn phase1(root: &Path) -> Powers {
    let mut powers = Powers::new(&root.join("powers"), POWER).unwrap();
    powers.contribute("alice").unwrap();
    powers.contribute("bob").unwrap();
    powers.beacon("beacon", "0badc0ffee", 3).unwrap();
    powers.verify().unwrap();
    powers
}

/// Phase 2 for `relation` with three contributors and a beacon.
fn phase2<R: Relation>(relation: &R, powers: &Powers, root: &Path) -> Ceremony {
    let mut ceremony = Ceremony::init(relation, powers, &root.join("phase2")).unwrap();
    for name in ["alice", "bob", "carol"] {
        ceremony.contribute(name).unwrap();
    }
    ceremony.beacon("beacon", "5eed", 2).unwrap();
    ceremony.verify::<R>(None).unwrap();
    ceremony
}

/// Finalizes `ceremony` into `keys`, proves a permutation with the keys and verifies it (with
/// `prove_committed`'s own check); returns the statement, the proof and the prover.
fn finalized_keys_prove(
    ceremony: &Ceremony,
    keys: &Path,
) -> (Vec<Fr>, vsies_zk::groth16::CommittedProof, Prover<Permutation>) {
    ceremony.finalize::<Permutation>(keys).unwrap();
    let prover = Prover::<Permutation>::load(keys).unwrap();
    let list: Vec<Fr> = [3u64, 1, 4, 1].map(Fr::from).to_vec();
    let values: Vec<Fr> = [1u64, 4, 1, 3].map(Fr::from).to_vec();
    let proof = prover.prove_committed(&list, &values, &mut StdRng::seed_from_u64(1)).unwrap();
    prover.verifier.verify_committed(&list, &proof, Path::new("p")).unwrap();
    (list, proof, prover)
}

#[test]
fn a_three_contributor_ceremony_gives_keys_that_prove_and_verify() {
    let root = tempfile::tempdir().unwrap();
    let powers = phase1(root.path());
    let ceremony = phase2(&permutation(), &powers, root.path());
    assert_eq!(ceremony.transcript.contributions.len(), 4);
    let keys = root.path().join("keys");
    let (list, proof, prover) = finalized_keys_prove(&ceremony, &keys);
    let other: Vec<Fr> = [3u64, 1, 4, 2].map(Fr::from).to_vec();
    assert!(prover.verifier.verify_committed(&other, &proof, Path::new("p")).is_err());
    // Keys of an ordinary (one-party) setup of the same relation do not accept the proof.
    let setup = root.path().join("setup");
    let original = Keys::generate(permutation(), &mut StdRng::seed_from_u64(2), &setup).unwrap();
    assert!(original.verify_committed(&list, &proof, Path::new("p")).is_err());
    assert!(setup.join("verification_key.json").exists() && keys.join("verification_key.json").exists());
}

#[test]
fn a_benchmark_start_takes_contributions_and_proves_but_never_verifies_as_a_ceremony() {
    // `init_for_benchmark` lays out an initial key like `init`'s, at setup speed, for powers
    // whose τ it drew: contributions, checks and finalization work on it as on a real one
    // (the committing relation, so σ and the σK basis are scaled too), and the keys prove.
    let root = tempfile::tempdir().unwrap();
    let directory = root.path().join("bench");
    let mut ceremony = Ceremony::init_for_benchmark(&permutation(), &directory, &mut StdRng::seed_from_u64(4)).unwrap();
    ceremony.contribute("alice").unwrap();
    ceremony.contribute("bob").unwrap();
    ceremony.check_chain().unwrap();
    ceremony.check_state().unwrap();
    // It names no phase 1: the full verification and finalization refuse it; only the
    // benchmark's own finalization writes (forgeable) keys, and they prove.
    assert!(Ceremony::open(&directory).unwrap().verify::<Permutation>(None).is_err());
    let err = ceremony.finalize::<Permutation>(&root.path().join("refused")).err().unwrap();
    assert!(err.to_string().contains("benchmark ceremony"), "{err}");
    let keys = root.path().join("keys");
    ceremony.finalize_benchmark::<Permutation>(&keys).unwrap();
    let prover = Prover::<Permutation>::load(&keys).unwrap();
    let list: Vec<Fr> = [3u64, 1, 4, 1].map(Fr::from).to_vec();
    let values: Vec<Fr> = [1u64, 4, 1, 3].map(Fr::from).to_vec();
    prover.prove_committed(&list, &values, &mut StdRng::seed_from_u64(1)).unwrap();
}

#[test]
fn a_plain_relation_gets_keys_from_the_same_powers() {
    let root = tempfile::tempdir().unwrap();
    let powers = phase1(root.path());
    let mut ceremony = Ceremony::init(&cubic(), &powers, &root.path().join("cubic")).unwrap();
    ceremony.contribute("alice").unwrap();
    ceremony.verify::<Cubic>(None).unwrap();
    let keys = root.path().join("keys");
    ceremony.finalize::<Cubic>(&keys).unwrap();
    let prover = Prover::<Cubic>::load(&keys).unwrap();
    let proof = prover.prove_groth16(&Fr::from(35u64), &Fr::from(3u64), &mut StdRng::seed_from_u64(1)).unwrap();
    assert!(prover.verifier.verify_groth16(&Fr::from(36u64), &proof, Path::new("p")).is_err());
}

/// The contribution `verify` names, and its reason.
fn named(err: ZkError) -> (usize, String) {
    match err {
        ZkError::InvalidContribution { position, reason, .. } => (position, reason),
        other => panic!("expected a named contribution, got {other}"),
    }
}

fn rewrite_transcript(directory: &Path, change: impl FnOnce(&mut Transcript)) {
    let mut transcript = Transcript::load(directory).unwrap();
    change(&mut transcript);
    transcript.save(directory).unwrap();
}

/// Rewrites a state file's payload as a dishonest contributor would, with a valid checksum,
/// and records the new checksum as its contribution's.
fn rewrite_state(directory: &Path, file: &str, kind: ArtifactKind, change: impl FnOnce(&mut Vec<u8>)) {
    let path: PathBuf = directory.join(file);
    let mut payload = artifact::read_binary(&path, kind).unwrap();
    change(&mut payload);
    let encoded = artifact::encode_binary(kind, &payload);
    std::fs::write(&path, &encoded).unwrap();
    let checksum = artifact::binary_checksum(&encoded);
    rewrite_transcript(directory, |t| t.contributions.last_mut().unwrap().state = checksum);
}

/// Byte offsets of the `h` and `L` queries' first points in a plain relation's key payload.
fn query_offsets(payload: &[u8]) -> (usize, usize) {
    let u64_at = |at: usize| u64::from_le_bytes(payload[at..at + 8].try_into().unwrap()) as usize;
    let header = 4 + u32::from_le_bytes(payload[..4].try_into().unwrap()) as usize;
    let inputs = u64_at(header + 64 + 3 * 128);
    let mut at = header + 64 + 3 * 128 + 8 + 64 * inputs + 2 * 64;
    let variables = u64_at(at);
    at += 2 * (8 + 64 * variables) + 8 + 128 * variables;
    let h = at + 8;
    let l = h + 64 * u64_at(at) + 8;
    (h, l)
}

fn point_at(payload: &[u8], at: usize) -> G1Affine {
    G1Affine::deserialize_uncompressed(&payload[at..at + 64]).unwrap()
}

fn put_point(payload: &mut [u8], at: usize, point: G1Affine) {
    let mut bytes = Vec::new();
    point.serialize_uncompressed(&mut bytes).unwrap();
    payload[at..at + 64].copy_from_slice(&bytes);
}

/// A plain-relation ceremony after two honest contributions, and its directory.
fn two_contributions(root: &Path) -> (Powers, PathBuf) {
    let powers = phase1(root);
    let directory = root.join("phase2");
    let mut ceremony = Ceremony::init(&cubic(), &powers, &directory).unwrap();
    ceremony.contribute("alice").unwrap();
    ceremony.contribute("mallory").unwrap();
    (powers, directory)
}

#[test]
fn a_wrong_exponent_in_one_query_point_is_named() {
    let root = tempfile::tempdir().unwrap();
    let (_powers, directory) = two_contributions(root.path());
    rewrite_state(&directory, CURRENT_FILE, ArtifactKind::ZkProvingKey, |payload| {
        let (_, l) = query_offsets(payload);
        let point = point_at(payload, l);
        put_point(payload, l, (point * Fr::from(2u64)).into_affine());
    });
    let (position, reason) = named(Ceremony::open(&directory).unwrap().verify::<Cubic>(None).unwrap_err());
    assert_eq!(position, 2);
    assert!(reason.contains("l_query"), "{reason}");
    // The next contributor refuses to build on it.
    let err = Ceremony::open(&directory).unwrap().contribute("carol").unwrap_err();
    assert_eq!(named(err).0, 2);
}

#[test]
fn a_swapped_point_is_named() {
    let root = tempfile::tempdir().unwrap();
    let (_powers, directory) = two_contributions(root.path());
    rewrite_state(&directory, CURRENT_FILE, ArtifactKind::ZkProvingKey, |payload| {
        let (h, _) = query_offsets(payload);
        let (first, second) = (point_at(payload, h), point_at(payload, h + 64));
        assert_ne!(first, second);
        put_point(payload, h, second);
        put_point(payload, h + 64, first);
    });
    let (position, reason) = named(Ceremony::open(&directory).unwrap().verify::<Cubic>(None).unwrap_err());
    assert_eq!(position, 2);
    assert!(reason.contains("h_query"), "{reason}");
}

#[test]
fn a_forged_proof_of_knowledge_is_named() {
    let root = tempfile::tempdir().unwrap();
    let (_powers, directory) = two_contributions(root.path());
    rewrite_transcript(&directory, |t| {
        let key = &mut t.contributions[0].factors[0].key;
        key.spx_g2 = (key.spx_g2 * Fr::from(3u64)).into_affine();
    });
    let (position, reason) = named(Ceremony::open(&directory).unwrap().verify::<Cubic>(None).unwrap_err());
    assert_eq!(position, 1);
    assert!(reason.contains("proof of knowledge"), "{reason}");
}

#[test]
fn a_reused_key_is_named() {
    let root = tempfile::tempdir().unwrap();
    let (_powers, directory) = two_contributions(root.path());
    rewrite_transcript(&directory, |t| {
        let earlier = t.contributions[0].factors[0].key;
        t.contributions[1].factors[0].key = earlier;
    });
    let (position, reason) = named(Ceremony::open(&directory).unwrap().verify::<Cubic>(None).unwrap_err());
    assert_eq!(position, 2);
    assert!(reason.contains("reuses contribution 1"), "{reason}");
}

#[test]
fn a_delta_without_the_proved_factor_is_named() {
    // Mallory's δ is not Alice's times the factor its proof of knowledge is for.
    let root = tempfile::tempdir().unwrap();
    let (_powers, directory) = two_contributions(root.path());
    rewrite_transcript(&directory, |t| {
        let factor = &mut t.contributions[1].factors[0];
        factor.after_g1 = Some((factor.after_g1.unwrap() * Fr::from(5u64)).into_affine());
    });
    let (position, reason) = named(Ceremony::open(&directory).unwrap().verify::<Cubic>(None).unwrap_err());
    assert_eq!(position, 2);
    assert!(reason.contains("not the previous one times"), "{reason}");
}

#[test]
fn a_beacon_contribution_with_other_secrets_is_named() {
    let root = tempfile::tempdir().unwrap();
    let powers = phase1(root.path());
    let directory = root.path().join("phase2");
    let mut ceremony = Ceremony::init(&cubic(), &powers, &directory).unwrap();
    ceremony.contribute("alice").unwrap();
    ceremony.beacon("beacon", "abcd", 1).unwrap();
    ceremony.verify::<Cubic>(None).unwrap();
    rewrite_transcript(&directory, |t| {
        let last = t.contributions.last_mut().unwrap();
        last.kind = vsies_zk::ceremony::ContributionKind::Beacon { hex: "abce".into(), iterations_exp: 1 };
    });
    let (position, reason) = named(Ceremony::open(&directory).unwrap().verify::<Cubic>(None).unwrap_err());
    assert_eq!(position, 2);
    assert!(reason.contains("beacon"), "{reason}");
}

#[test]
fn an_initial_key_from_other_powers_is_refused() {
    // A coordinator that starts phase 2 from a key of its own (a τ it knows) is caught when
    // verify recomputes the initial key from phase 1.
    let root = tempfile::tempdir().unwrap();
    let (_powers, directory) = two_contributions(root.path());
    let other = Powers::new(&root.path().join("other"), POWER).unwrap();
    let forged = Ceremony::init(&cubic(), &other, &root.path().join("forged")).unwrap();
    std::fs::copy(root.path().join("forged").join(INITIAL_FILE), directory.join(INITIAL_FILE)).unwrap();
    rewrite_transcript(&directory, |t| t.initial = forged.transcript.initial);
    let err = Ceremony::open(&directory).unwrap().verify::<Cubic>(None).unwrap_err();
    assert!(matches!(err, ZkError::InvalidCeremony { .. } | ZkError::InvalidContribution { .. }), "{err}");
}

#[test]
fn phase_one_names_a_wrong_power_and_a_forged_proof() {
    let root = tempfile::tempdir().unwrap();
    let directory = root.path().join("powers");
    let mut powers = Powers::new(&directory, POWER).unwrap();
    powers.contribute("alice").unwrap();
    powers.contribute("mallory").unwrap();
    // Mallory raises one τ power by an extra factor (offset: the u32 power, then τ^5·G1).
    rewrite_state(&directory, POWERS_FILE, ArtifactKind::CeremonyPowers, |payload| {
        let at = 4 + 5 * 64;
        let point = point_at(payload, at);
        put_point(payload, at, (point * Fr::from(7u64)).into_affine());
    });
    let (position, reason) = named(Powers::open(&directory).unwrap().verify().unwrap_err());
    assert_eq!(position, 2);
    assert!(reason.contains("tau_g1"), "{reason}");

    let other = root.path().join("forged");
    let mut powers = Powers::new(&other, POWER).unwrap();
    powers.contribute("alice").unwrap();
    rewrite_transcript(&other, |t| {
        let key = &mut t.contributions[0].factors[1].key;
        key.sx_g1 = (key.sx_g1 * Fr::from(2u64).inverse().unwrap()).into_affine();
    });
    let (position, reason) = named(Powers::open(&other).unwrap().verify().unwrap_err());
    assert_eq!(position, 1);
    assert!(reason.contains("alpha"), "{reason}");
}

#[test]
fn the_identity_contribution_is_refused() {
    // x = 1 leaves the state as it was: no proof of knowledge accepts it.
    let challenge = vsies_zk::ceremony::pok::challenge("phase2", &[0; 32], 1, "delta");
    let key = vsies_zk::ceremony::pok::FactorKey::new(&Fr::one(), &challenge, &mut StdRng::seed_from_u64(3));
    assert!(!key.proves_knowledge(&challenge));
    assert!(!G1Affine::generator().is_zero());
}
