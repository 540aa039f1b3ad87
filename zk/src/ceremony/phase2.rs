//! Phase 2: one relation's proving key from phase 1, and contributions that randomize its
//! `δ` (and, for a relation with a commitment, the commitment basis's `σ`).
//!
//! A ceremony directory holds `transcript.json`, `initial.key` (the key phase 1 and the
//! circuit give, with `δ = σ = 1`: anyone recomputes it) and `current.key` (the key after the
//! last contribution), both in `proving.key`'s layout ([`crate::groth16::key_file`]).
//!
//! A contribution with secrets `s` (and `t`) writes `δ·s` in G1 and G2, the `h` and `L`
//! queries divided by `s`, and `σ·t` with the `σK` query times `t`; everything else is copied.
//! [`Ceremony::check_state`] checks `current.key` against `initial.key` with random linear
//! combinations (`e(Σ ρ_i H'_i, δ'·G2) = e(Σ ρ_i H_i, G2)` and alike), so a state that passes
//! is `initial.key` with the transcript's `δ` and `σ`; [`Ceremony::verify`] also recomputes
//! `initial.key` from phase 1 and checks phase 1's transcript.

use super::beacon;
use super::chain::{self, blame_last, verify_chain, ChainPoint};
use super::files::{self, copy_bytes, read_len, read_point, read_u64};
use super::initial::{self, LagrangeBasis};
use super::pok::same_ratio;
use super::powers::{self, rho, Powers};
use super::secret::Secrets;
use super::transcript::{check_name, Contribution, ContributionKind, PowersReference, Transcript};
use crate::error::ZkError;
use crate::groth16::key_file::{self, point_size, query_size, write_query_len, PROVING_KEY_FILE};
use crate::groth16::{qap, Relation, Verifier};
use ark_bn254::{Bn254, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::Field;
use ark_groth16::VerifyingKey;
use ark_poly::EvaluationDomain;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use vsies_core::artifact::{ArtifactKind, BinaryReader};

/// The phase's name in its transcript and proofs of knowledge.
pub const PHASE: &str = "phase2";
/// File name of the key phase 2 starts from.
pub const INITIAL_FILE: &str = "initial.key";
/// File name of the key after the last contribution.
pub const CURRENT_FILE: &str = "current.key";

/// A phase-2 ceremony directory.
pub struct Ceremony {
    directory: PathBuf,
    /// Its transcript.
    pub transcript: Transcript,
}

/// What `finalize` wrote.
pub struct FinalKeys<R: Relation> {
    /// The verifier of the final keys.
    pub verifier: Verifier<R>,
}

/// The power of two of `relation`'s QAP domain: the phase-1 power it needs at least.
pub fn required_power<R: Relation>(relation: &R) -> Result<u32, ZkError> {
    let shape = relation.shape()?.with_blinding();
    let domain = qap::domain(shape.constraints, shape.public_inputs + 1)?;
    Ok(domain.size().trailing_zeros())
}

/// The secrets of a contribution: `delta`, and `sigma` for a relation with a commitment.
fn secrets_for(committing: bool) -> &'static [&'static str] {
    if committing {
        &["delta", "sigma"]
    } else {
        &["delta"]
    }
}

/// The initial key in memory: what [`initial`] makes of phase 1 and a circuit.
struct InitialKey {
    header: Vec<u8>,
    vk: VerifyingKey<Bn254>,
    /// The commitment basis `K`, for a committing relation.
    basis: Option<Vec<G1Affine>>,
    beta_g1: G1Affine,
    a: Vec<G1Affine>,
    b_g1: Vec<G1Affine>,
    b_g2: Vec<ark_bn254::G2Affine>,
    h: Vec<G1Affine>,
    l: Vec<G1Affine>,
}

impl InitialKey {
    fn new<R: Relation>(relation: &R, powers: &Powers) -> Result<Self, ZkError> {
        let shape = relation.shape()?.with_blinding();
        let domain = qap::domain(shape.constraints, shape.public_inputs + 1)?;
        let phase1 = powers.read_for_domain(domain.size())?;
        let basis = LagrangeBasis::new(&domain, &phase1);
        let points = initial::circuit_points(relation, &domain, &basis)?;
        drop(basis);
        let normalize_g1 = |f: &(dyn Fn(&initial::VariablePoints) -> G1Projective + Sync)| {
            let projective: Vec<G1Projective> = points.variables.par_iter().map(f).collect();
            G1Projective::normalize_batch(&projective)
        };
        let a = normalize_g1(&|v| v.a);
        let b_g1 = normalize_g1(&|v| v.b_g1);
        let mut k = normalize_g1(&|v| v.k);
        let b_g2 = {
            let projective: Vec<_> = points.variables.par_iter().map(|v| v.b_g2).collect();
            ark_bn254::G2Projective::normalize_batch(&projective)
        };
        let witnesses = k.split_off(points.instance_count);
        let (mut committed, mut l) = (Vec::new(), Vec::new());
        for (point, is_committed) in witnesses.into_iter().zip(&points.committed) {
            if *is_committed {
                committed.push(point)
            } else {
                l.push(point)
            }
        }
        let vk = VerifyingKey::<Bn254> {
            alpha_g1: phase1.alpha_g1[0],
            beta_g2: phase1.beta_g2,
            gamma_g2: initial::one_g2(),
            delta_g2: initial::one_g2(),
            gamma_abc_g1: k,
        };
        Ok(Self {
            header: key_file::params_header::<R>(relation.params()),
            vk,
            basis: (shape.committed > 0).then_some(committed),
            beta_g1: phase1.beta_g1[0],
            a,
            b_g1,
            b_g2,
            h: initial::h_query(&domain, &phase1),
            l,
        })
    }

    fn payload_len(&self) -> u64 {
        let variables = self.a.len();
        let commitment = self.basis.as_ref().map_or(0, |basis| 128 + 2 * query_size::<G1Affine>(basis.len()));
        self.header.len() as u64
            + self.vk.uncompressed_size() as u64
            + commitment
            + 2 * point_size::<G1Affine>() as u64
            + 2 * query_size::<G1Affine>(variables)
            + query_size::<ark_bn254::G2Affine>(variables)
            + query_size::<G1Affine>(self.h.len())
            + query_size::<G1Affine>(self.l.len())
    }

    fn write(&self, writer: &mut dyn Write) -> Result<(), ZkError> {
        let io = |source| ZkError::Io { path: "(the initial key)".into(), source };
        let path = Path::new("(the initial key)");
        let query = |writer: &mut dyn Write, points: &[G1Affine]| -> Result<(), ZkError> {
            write_query_len(writer, points.len()).map_err(io)?;
            files::write_all_points(writer, points, path)
        };
        writer.write_all(&self.header).map_err(io)?;
        let mut fixed = Vec::new();
        self.vk.serialize_uncompressed(&mut fixed).expect("writing to memory");
        if let Some(basis) = &self.basis {
            initial::one_g2().serialize_uncompressed(&mut fixed).expect("writing to memory");
            writer.write_all(&fixed).map_err(io)?;
            fixed.clear();
            query(writer, basis)?;
            query(writer, basis)?;
        }
        self.beta_g1.serialize_uncompressed(&mut fixed).expect("writing to memory");
        G1Affine::generator().serialize_uncompressed(&mut fixed).expect("writing to memory");
        writer.write_all(&fixed).map_err(io)?;
        query(writer, &self.a)?;
        query(writer, &self.b_g1)?;
        write_query_len(writer, self.b_g2.len()).map_err(io)?;
        files::write_all_points(writer, &self.b_g2, path)?;
        query(writer, &self.h)?;
        query(writer, &self.l)
    }
}

/// What a contribution does to one part of the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Unchanged.
    Fixed,
    /// Times `δ`'s factor.
    Delta,
    /// Divided by `δ`'s factor.
    InverseDelta,
    /// Times `σ`'s factor.
    Sigma,
}

/// The parts of the key after the verifying key, in file order, with their roles.
fn parts(committing: bool) -> Vec<(&'static str, Part)> {
    let mut parts = Vec::new();
    if committing {
        parts.push(("sigma_gamma_g2", Part::PointG2(Role::Sigma)));
        parts.push(("commitment basis", Part::QueryG1(Role::Fixed)));
        parts.push(("sigma commitment basis", Part::QueryG1(Role::Sigma)));
    }
    parts.extend([
        ("beta_g1", Part::PointG1(Role::Fixed)),
        ("delta_g1", Part::PointG1(Role::Delta)),
        ("a_query", Part::QueryG1(Role::Fixed)),
        ("b_g1_query", Part::QueryG1(Role::Fixed)),
        ("b_g2_query", Part::QueryG2),
        ("h_query", Part::QueryG1(Role::InverseDelta)),
        ("l_query", Part::QueryG1(Role::InverseDelta)),
    ]);
    parts
}

#[derive(Clone, Copy, Debug)]
enum Part {
    PointG1(Role),
    PointG2(Role),
    QueryG1(Role),
    /// The `B` query in G2, unchanged by contributions.
    QueryG2,
}

/// Reads a key's parameters header (returned as its bytes, length included) and verifying key.
fn read_head(reader: &mut BinaryReader, path: &Path) -> Result<(Vec<u8>, VerifyingKey<Bn254>), ZkError> {
    let malformed = |reason: String| ZkError::malformed(path, "ceremony state", reason);
    let mut length = [0u8; 4];
    reader.read_exact(&mut length).map_err(|err| malformed(err.to_string()))?;
    let len = u32::from_le_bytes(length) as usize;
    if len > 64 << 20 {
        return Err(malformed(format!("a {len}-byte parameters header")));
    }
    let mut header = length.to_vec();
    header.resize(4 + len, 0);
    reader.read_exact(&mut header[4..]).map_err(|err| malformed(err.to_string()))?;
    serde_json::from_slice::<serde_json::Value>(&header[4..]).map_err(|err| malformed(format!("parameters: {err}")))?;
    let vk = VerifyingKey::deserialize_with_mode(&mut *reader, Compress::No, Validate::Yes)
        .map_err(|err| malformed(format!("verifying key: {err}")))?;
    Ok((header, vk))
}

impl Ceremony {
    /// Starts phase 2 for `relation` in `directory` from the phase-1 directory `powers`, which
    /// is verified first: writes `initial.key`, `current.key` (the same) and the transcript.
    pub fn init<R: Relation>(relation: &R, powers: &Powers, directory: &Path) -> Result<Self, ZkError> {
        powers.verify()?;
        std::fs::create_dir_all(directory).map_err(|source| ZkError::Io { path: directory.into(), source })?;
        let key = InitialKey::new(relation, powers)?;
        let initial_path = directory.join(INITIAL_FILE);
        let progress = crate::progress::phase("ceremony: initial key", 1);
        let initial = files::write_state(&initial_path, ArtifactKind::ZkProvingKey, key.payload_len(), |writer| {
            key.write(writer)
        })?;
        progress.advance(1);
        drop(progress);
        let current_path = directory.join(CURRENT_FILE);
        files::write_state(&current_path, ArtifactKind::ZkProvingKey, key.payload_len(), |writer| key.write(writer))?;
        let transcript = Transcript {
            phase: PHASE.into(),
            power: None,
            relation: Some(serde_json::to_value(relation.params()).expect("relation parameters serialize")),
            powers: Some(PowersReference {
                directory: powers.directory().display().to_string(),
                checksum: powers.transcript.current(),
                contributions: powers.transcript.contributions.len(),
            }),
            commitment: key.basis.is_some(),
            initial,
            contributions: Vec::new(),
        };
        transcript.save(directory)?;
        Ok(Self { directory: directory.into(), transcript })
    }

    /// Starts phase 2 for `relation` in `directory` from an initial key made at a setup's
    /// speed for powers of tau whose `τ`, `α`, `β` are drawn from `rng` and forgotten
    /// ([`crate::groth16::keygen::write_unscaled_key`]): laid out as [`Ceremony::init`]'s,
    /// without the phase 1 and the group FFT that take hours at 2^23. **Benchmarks only**, of
    /// phase-2 contributions and checks: the transcript names no phase 1, so
    /// [`Ceremony::verify`] refuses it, and whoever knew `rng` knows `τ`.
    pub fn init_for_benchmark<R: Relation, G: ark_std::rand::RngCore + ark_std::rand::CryptoRng>(
        relation: &R,
        directory: &Path,
        rng: &mut G,
    ) -> Result<Self, ZkError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ZkError::Io { path, source }
        };
        std::fs::create_dir_all(directory).map_err(io(directory))?;
        let initial_path = directory.join(INITIAL_FILE);
        let (_, commitment) = crate::groth16::keygen::write_unscaled_key(
            relation,
            rng,
            &crate::groth16::Cpu,
            &initial_path,
            crate::groth16::key_file::CHUNK_POINTS,
        )?;
        let current_path = directory.join(CURRENT_FILE);
        std::fs::copy(&initial_path, &current_path).map_err(io(&current_path))?;
        let mut reader = BinaryReader::open(&initial_path, ArtifactKind::ZkProvingKey)?;
        std::io::copy(&mut reader, &mut std::io::sink()).map_err(io(&initial_path))?;
        let transcript = Transcript {
            phase: PHASE.into(),
            power: None,
            relation: Some(serde_json::to_value(relation.params()).expect("relation parameters serialize")),
            powers: None,
            commitment: commitment.is_some(),
            initial: reader.finish()?,
            contributions: Vec::new(),
        };
        transcript.save(directory)?;
        Ok(Self { directory: directory.into(), transcript })
    }

    /// Opens a phase-2 directory.
    pub fn open(directory: &Path) -> Result<Self, ZkError> {
        let transcript = Transcript::load_phase(directory, PHASE)?;
        Ok(Self { directory: directory.into(), transcript })
    }

    /// The relation's name, from the transcript.
    pub fn relation_name(&self) -> Option<&str> {
        self.transcript.relation.as_ref()?.get("relation")?.as_str()
    }

    /// The directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    fn secrets(&self) -> &'static [&'static str] {
        secrets_for(self.transcript.commitment)
    }

    /// Adds a contribution with secrets from the operating system and `name`, after checking
    /// the current state.
    pub fn contribute(&mut self, name: &str) -> Result<&Contribution, ZkError> {
        check_name(name)?;
        let secrets = Secrets::from_entropy(name, self.secrets().len());
        self.apply(name, ContributionKind::Random, secrets)
    }

    /// Adds a beacon contribution ([`beacon`]).
    pub fn beacon(&mut self, name: &str, hex: &str, iterations_exp: u32) -> Result<&Contribution, ZkError> {
        check_name(name)?;
        let secrets = beacon::secrets(hex, iterations_exp, self.secrets().len())?;
        let kind = ContributionKind::Beacon { hex: hex.to_lowercase(), iterations_exp };
        self.apply(name, kind, secrets)
    }

    /// The chain's `δ·G1` and `σ·G2` now.
    fn heads(&self) -> (G1Affine, G2Affine) {
        let (mut delta, mut sigma) = (G1Affine::generator(), initial::one_g2());
        if let Some(last) = self.transcript.contributions.last() {
            for factor in &last.factors {
                match (factor.after_g1, factor.after_g2) {
                    (Some(point), _) => delta = point,
                    (_, Some(point)) => sigma = point,
                    _ => {}
                }
            }
        }
        (delta, sigma)
    }

    fn apply(&mut self, name: &str, kind: ContributionKind, mut secrets: Secrets) -> Result<&Contribution, ZkError> {
        self.check_chain()?;
        self.check_state()?;
        let previous = self.transcript.current();
        let position = self.transcript.contributions.len() + 1;
        let (delta, sigma) = self.heads();
        let factors = chain::prove_factors(
            PHASE,
            &previous,
            position,
            self.secrets(),
            &mut secrets,
            |secret, factor| match secret {
                "delta" => chain::scale_g1(delta, factor),
                _ => chain::scale_g2(sigma, factor),
            },
        );
        let delta_factor = *secrets.factor(0);
        let sigma_factor = self.transcript.commitment.then(|| *secrets.factor(1));
        let state = self.transform(delta_factor, sigma_factor)?;
        drop(secrets);
        self.transcript.contributions.push(Contribution { name: name.into(), kind, previous, state, factors });
        self.transcript.save(&self.directory)?;
        Ok(self.transcript.contributions.last().expect("just pushed"))
    }

    /// Rewrites `current.key` with `δ·s` and `σ·t`, streamed; returns its new checksum.
    fn transform(&self, s: Fr, t: Option<Fr>) -> Result<[u8; 32], ZkError> {
        let path = self.directory.join(CURRENT_FILE);
        let s_inverse = s.inverse().expect("a factor is nonzero");
        let mut reader = BinaryReader::open(&path, ArtifactKind::ZkProvingKey)?;
        let length = reader.remaining();
        let (header, mut vk) = read_head(&mut reader, &path)?;
        vk.delta_g2 = (vk.delta_g2 * s).into_affine();
        let progress = crate::progress::phase("ceremony: contribute", length);
        let factor = |role: Role| match role {
            Role::Fixed => None,
            Role::Delta => Some(s),
            Role::InverseDelta => Some(s_inverse),
            Role::Sigma => t,
        };
        files::write_state(&path, ArtifactKind::ZkProvingKey, length, |writer| {
            let io = |source| ZkError::Io { path: path.clone(), source };
            writer.write_all(&header).map_err(io)?;
            let mut bytes = Vec::new();
            vk.serialize_uncompressed(&mut bytes).expect("writing to memory");
            writer.write_all(&bytes).map_err(io)?;
            for (what, part) in parts(self.transcript.commitment) {
                match part {
                    Part::PointG1(role) => {
                        let point: G1Affine = read_point(&mut reader, &path, what)?;
                        let point = factor(role).map_or(point, |f| (point * f).into_affine());
                        files::write_all_points(writer, &[point], &path)?;
                    }
                    Part::PointG2(role) => {
                        let point: G2Affine = read_point(&mut reader, &path, what)?;
                        let point = factor(role).map_or(point, |f| (point * f).into_affine());
                        files::write_all_points(writer, &[point], &path)?;
                    }
                    Part::QueryG1(role) => {
                        let len = read_u64(&mut reader, &path, what)?;
                        write_query_len(writer, len).map_err(io)?;
                        match factor(role) {
                            None => copy_bytes(&mut reader, writer, len as u64 * 64, &path, what)?,
                            Some(f) => {
                                files::for_each_chunk::<G1Affine>(&mut reader, len, &path, what, |_, points| {
                                    let scaled: Vec<G1Projective> = points.par_iter().map(|p| *p * f).collect();
                                    progress.advance(points.len() as u64 * 64);
                                    files::write_all_points(writer, &G1Projective::normalize_batch(&scaled), &path)
                                })?
                            }
                        }
                    }
                    Part::QueryG2 => {
                        let len = read_u64(&mut reader, &path, what)?;
                        write_query_len(writer, len).map_err(io)?;
                        copy_bytes(&mut reader, writer, len as u64 * 128, &path, what)?;
                    }
                }
            }
            Ok(())
        })
    }

    /// Checks the transcript's chain of contributions ([`verify_chain`]).
    pub fn check_chain(&self) -> Result<(), ZkError> {
        verify_chain(&self.transcript, &self.directory, PHASE, self.secrets(), |secret| match secret {
            "delta" => ChainPoint::G1(G1Affine::generator()),
            _ => ChainPoint::G2(initial::one_g2()),
        })
    }

    /// Checks `current.key` against `initial.key`: both the transcript's files; every part a
    /// contribution does not change is identical; `δ` and `σ` are the chain's last; the `h`,
    /// `L` and `σK` queries are the initial ones scaled by them (random linear combinations).
    pub fn check_state(&self) -> Result<(), ZkError> {
        let initial_path = self.directory.join(INITIAL_FILE);
        let path = self.directory.join(CURRENT_FILE);
        let blame = |reason: String| blame_last(&self.transcript, &path, reason);
        let mut initial = BinaryReader::open(&initial_path, ArtifactKind::ZkProvingKey)?;
        let mut current = BinaryReader::open(&path, ArtifactKind::ZkProvingKey)?;
        if initial.remaining() != current.remaining() {
            return Err(blame("current.key is not the length of initial.key".into()));
        }
        let progress = crate::progress::phase("ceremony: check state", current.remaining());
        let (initial_header, initial_vk) = read_head(&mut initial, &initial_path)?;
        let (header, vk) = read_head(&mut current, &path)?;
        let (delta, sigma) = self.heads();
        let g2 = initial::one_g2();
        if header != initial_header {
            return Err(blame("its relation parameters differ from initial.key's".into()));
        }
        if (VerifyingKey { delta_g2: initial_vk.delta_g2, ..vk.clone() }) != initial_vk {
            return Err(blame("its verifying key differs from initial.key's in more than delta".into()));
        }
        if !same_ratio((G1Affine::generator(), delta), (g2, vk.delta_g2)) {
            return Err(blame("delta_g2 is not the transcript's delta".into()));
        }
        let seed = powers::random_seed();
        for (what, part) in parts(self.transcript.commitment) {
            match part {
                Part::PointG1(role) => {
                    let (old, new): (G1Affine, G1Affine) =
                        (read_point(&mut initial, &initial_path, what)?, read_point(&mut current, &path, what)?);
                    let expected = if role == Role::Delta { delta } else { old };
                    if new != expected {
                        return Err(blame(format!("{what} is not the expected point")));
                    }
                }
                Part::PointG2(_) => {
                    let (_, new): (G2Affine, G2Affine) =
                        (read_point(&mut initial, &initial_path, what)?, read_point(&mut current, &path, what)?);
                    if new != sigma {
                        return Err(blame(format!("{what} is not the transcript's sigma")));
                    }
                }
                Part::QueryG1(Role::Fixed) | Part::QueryG2 => {
                    let size = if matches!(part, Part::QueryG2) { 128 } else { 64 };
                    let len = read_u64(&mut initial, &initial_path, what)?;
                    read_len(&mut current, len, &path, what).map_err(|err| blame(err.to_string()))?;
                    if !same_bytes(&mut initial, &mut current, len as u64 * size, &path, what)? {
                        return Err(blame(format!("{what} differs from initial.key's")));
                    }
                    progress.advance(len as u64 * size);
                }
                Part::QueryG1(role) => {
                    let len = read_u64(&mut initial, &initial_path, what)?;
                    read_len(&mut current, len, &path, what).map_err(|err| blame(err.to_string()))?;
                    let (old, new) =
                        combine_pair(&mut initial, &mut current, len, &seed, (&initial_path, &path), what)?;
                    progress.advance(len as u64 * 64);
                    // new = old / δ (h, L) or new = σ · old (σK).
                    let holds = match role {
                        Role::Sigma => old.is_zero() && new.is_zero() || same_ratio((old, new), (g2, sigma)),
                        _ => old.is_zero() && new.is_zero() || same_ratio((new, old), (g2, vk.delta_g2)),
                    };
                    if !holds {
                        return Err(blame(format!("{what} is not initial.key's scaled by the transcript's factors")));
                    }
                }
            }
        }
        if initial.finish()? != self.transcript.initial {
            return Err(ZkError::InvalidCeremony {
                path: initial_path,
                reason: "initial.key is not the transcript's initial state".into(),
            });
        }
        if current.finish()? != self.transcript.current() {
            return Err(blame("current.key is not the state the transcript ends at (its checksum differs)".into()));
        }
        Ok(())
    }

    /// Checks everything: phase 1 (from `powers`, or the directory the transcript names) and
    /// that it is the phase 1 this ceremony started from, that `initial.key` is what phase 1
    /// and `relation`'s circuit give, the chain of contributions and the current state.
    pub fn verify<R: Relation>(&self, powers: Option<&Path>) -> Result<(), ZkError> {
        let transcript_path = self.directory.join(super::transcript::TRANSCRIPT_FILE);
        let malformed = |reason: &str| ZkError::malformed(&transcript_path, "ceremony transcript", reason);
        let reference = self.transcript.powers.as_ref().ok_or_else(|| malformed("no phase-1 reference"))?;
        let params = self.transcript.relation.clone().ok_or_else(|| malformed("no relation"))?;
        let params: R::Params = serde_json::from_value(params).map_err(|err| malformed(&err.to_string()))?;
        let relation = R::new(params)?;
        let powers_directory = powers.map_or_else(|| PathBuf::from(&reference.directory), Path::to_path_buf);
        let phase1 = Powers::open(&powers_directory)?;
        phase1.verify()?;
        let prefix = phase1.transcript.contributions.get(..reference.contributions);
        let start = match prefix.and_then(|c| c.last()) {
            Some(last) => last.state,
            None => phase1.transcript.initial,
        };
        if start != reference.checksum || prefix.is_none() {
            return Err(ZkError::InvalidCeremony {
                path: transcript_path,
                reason: format!("phase 2 did not start from {}'s powers", powers_directory.display()),
            });
        }
        if phase1.transcript.contributions.len() != reference.contributions {
            // Phase 1 went on after this ceremony started: its current powers are not the ones
            // initial.key was made from, and only those can be recomputed.
            return Err(ZkError::InvalidCeremony {
                path: transcript_path,
                reason: format!(
                    "phase 1 has {} contributions, this ceremony started after {}: keep a copy of the phase-1 directory as it was",
                    phase1.transcript.contributions.len(),
                    reference.contributions
                ),
            });
        }
        let key = InitialKey::new(&relation, &phase1)?;
        let recomputed = files::state_checksum(ArtifactKind::ZkProvingKey, key.payload_len(), |w| key.write(w))?;
        if recomputed != self.transcript.initial {
            return Err(ZkError::InvalidCeremony {
                path: self.directory.join(INITIAL_FILE),
                reason: "the initial key is not the one phase 1 and the relation's circuit give".into(),
            });
        }
        self.check_chain()?;
        self.check_state()
    }

    /// Writes `proving.key`, `verifying.key` and `verification_key.json` into `out` from the
    /// current state, after checking the chain and the state.
    pub fn finalize<R: Relation>(&self, out: &Path) -> Result<FinalKeys<R>, ZkError> {
        if self.transcript.powers.is_none() {
            return Err(ZkError::InvalidCeremony {
                path: self.directory.join(super::transcript::TRANSCRIPT_FILE),
                reason: "a benchmark ceremony (`init_for_benchmark`: no phase 1, its τ was known): its keys would be forgeable, so it is never finalized".into(),
            });
        }
        self.write_final_keys(out)
    }

    /// [`Ceremony::finalize`] of a benchmark ceremony ([`Ceremony::init_for_benchmark`]), to
    /// measure finalization: **its keys are forgeable** by whoever knew the benchmark's `τ`.
    pub fn finalize_benchmark<R: Relation>(&self, out: &Path) -> Result<FinalKeys<R>, ZkError> {
        self.write_final_keys(out)
    }

    fn write_final_keys<R: Relation>(&self, out: &Path) -> Result<FinalKeys<R>, ZkError> {
        self.check_chain()?;
        self.check_state()?;
        std::fs::create_dir_all(out).map_err(|source| ZkError::Io { path: out.into(), source })?;
        let target = out.join(PROVING_KEY_FILE);
        let source = self.directory.join(CURRENT_FILE);
        let mut reader = BinaryReader::open(&source, ArtifactKind::ZkProvingKey)?;
        let length = reader.remaining();
        files::write_state(&target, ArtifactKind::ZkProvingKey, length, |writer| {
            copy_bytes(&mut reader, writer, length, &source, "current.key")
        })?;
        if reader.finish()? != self.transcript.current() {
            return Err(ZkError::InvalidCeremony {
                path: source,
                reason: "current.key changed while it was copied".into(),
            });
        }
        let key = key_file::ProvingKeyReader::<R>::open(&target, key_file::CHUNK_POINTS)?;
        let verifier = Verifier::new(key.relation, key.vk, key.commitment);
        verifier.save(out)?;
        Ok(FinalKeys { verifier })
    }
}

/// Whether the next `bytes` bytes of both readers are equal.
fn same_bytes(a: &mut impl Read, b: &mut impl Read, bytes: u64, path: &Path, what: &str) -> Result<bool, ZkError> {
    let mut left = bytes;
    let (mut x, mut y) = (vec![0u8; bytes.min(8 << 20) as usize], vec![0u8; bytes.min(8 << 20) as usize]);
    let mut equal = true;
    while left > 0 {
        let take = left.min(8 << 20) as usize;
        let read = |r: &mut dyn Read, buffer: &mut [u8]| {
            r.read_exact(buffer).map_err(|err| ZkError::malformed(path, "ceremony state", format!("{what}: {err}")))
        };
        read(a, &mut x[..take])?;
        read(b, &mut y[..take])?;
        equal &= x[..take] == y[..take];
        left -= take as u64;
    }
    Ok(equal)
}

/// `Σ ρ_i P_i` over the next `len` G1 points of both readers, with the same coefficients.
fn combine_pair(
    a: &mut impl Read,
    b: &mut impl Read,
    len: usize,
    seed: &[u8; 32],
    paths: (&Path, &Path),
    what: &str,
) -> Result<(G1Affine, G1Affine), ZkError> {
    let (mut left, mut right) = (G1Projective::default(), G1Projective::default());
    let mut start = 0;
    while start < len {
        let take = files::CHUNK.min(len - start);
        let scalars: Vec<Fr> = (start..start + take).into_par_iter().map(|i| rho(seed, i)).collect();
        let x: Vec<G1Affine> = files::read_points(a, take, paths.0, what)?;
        let y: Vec<G1Affine> = files::read_points(b, take, paths.1, what)?;
        left += G1Projective::msm_unchecked(&x, &scalars);
        right += G1Projective::msm_unchecked(&y, &scalars);
        start += take;
    }
    Ok((left.into_affine(), right.into_affine()))
}
