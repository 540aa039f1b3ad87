//! Phase 1: powers of tau, for every relation whose QAP domain has at most `2^power` points.
//!
//! `powers.bin` (a binary artifact) holds, uncompressed, after a `u32` LE `power`
//! (`n = 2^power`):
//!
//! `τ^i·G1 (i < 2n − 1), τ^i·G2 (i < n), α·τ^i·G1 (i < n), β·τ^i·G1 (i < n), β·G2`
//!
//! A contribution multiplies `τ`, `α` and `β` by secrets `x`, `a`, `b`: each point by the
//! matching `x^i`, `a·x^i` or `b·x^i`, streamed a chunk at a time.

use super::beacon;
use super::chain::{self, blame_last, verify_chain, ChainPoint};
use super::files::{self, read_point};
use super::pok::same_ratio;
use super::secret::Secrets;
use super::transcript::{check_name, Contribution, ContributionKind, Transcript};
use crate::error::ZkError;
use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{Field, PrimeField};
use ark_std::rand::RngCore;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use vsies_core::artifact::{self, ArtifactKind, BinaryReader};

/// File name of the powers in a phase-1 directory.
pub const POWERS_FILE: &str = "powers.bin";
/// The phase's name in its transcript and proofs of knowledge.
pub const PHASE: &str = "powers";
/// The secrets of a phase-1 contribution, in order.
pub const SECRETS: [&str; 3] = ["tau", "alpha", "beta"];
/// Largest power: BN254's scalar field has radix-2 domains up to `2^28`.
pub const MAX_POWER: u32 = 28;

/// A phase-1 directory.
pub struct Powers {
    directory: PathBuf,
    /// Its transcript.
    pub transcript: Transcript,
}

/// The sizes of the powers for `power`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `n = 2^power`.
    pub n: usize,
}

impl Layout {
    /// For `power`.
    pub fn new(power: u32) -> Self {
        Self { n: 1 << power }
    }

    /// `τ^i·G1` points.
    pub fn tau_g1(&self) -> usize {
        2 * self.n - 1
    }

    fn payload_len(&self) -> u64 {
        let (g1, g2) = (64u64, 128u64);
        4 + g1 * (self.tau_g1() + 2 * self.n) as u64 + g2 * (self.n + 1) as u64
    }
}

/// The first points of a phase-1 state: what the transcript's chain must end at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Heads {
    tau: G1Affine,
    alpha: G1Affine,
    beta: G1Affine,
}

impl Heads {
    fn initial() -> Self {
        let g1 = G1Affine::generator();
        Self { tau: g1, alpha: g1, beta: g1 }
    }

    fn get(&self, secret: &str) -> G1Affine {
        match secret {
            "tau" => self.tau,
            "alpha" => self.alpha,
            _ => self.beta,
        }
    }
}

impl Powers {
    /// Starts phase 1 in `directory` for domains up to `2^power`: `τ = α = β = 1`.
    pub fn new(directory: &Path, power: u32) -> Result<Self, ZkError> {
        if power == 0 || power > MAX_POWER {
            return Err(ZkError::Relation(format!("the power must be 1 to {MAX_POWER}")));
        }
        std::fs::create_dir_all(directory).map_err(|source| ZkError::Io { path: directory.into(), source })?;
        let layout = Layout::new(power);
        let path = directory.join(POWERS_FILE);
        let g1 = [G1Affine::generator(); 1];
        let g2 = [G2Affine::generator(); 1];
        let progress = crate::progress::phase("powers: initial state", (layout.tau_g1() + 3 * layout.n + 1) as u64);
        let initial =
            artifact::write_binary_streamed(&path, ArtifactKind::CeremonyPowers, layout.payload_len(), |writer| {
                writer.write_all(&power.to_le_bytes())?;
                let write_repeated = |writer: &mut dyn Write, count: usize, one: &[u8]| -> std::io::Result<()> {
                    let block = one.repeat(files::CHUNK.min(count));
                    let mut left = count;
                    while left > 0 {
                        let take = left.min(files::CHUNK);
                        writer.write_all(&block[..take * one.len()])?;
                        progress.advance(take as u64);
                        left -= take;
                    }
                    Ok(())
                };
                let mut one_g1 = Vec::new();
                crate::groth16::key_file::write_points(&mut one_g1, &g1)?;
                let mut one_g2 = Vec::new();
                crate::groth16::key_file::write_points(&mut one_g2, &g2)?;
                write_repeated(writer, layout.tau_g1(), &one_g1)?;
                write_repeated(writer, layout.n, &one_g2)?;
                write_repeated(writer, 2 * layout.n, &one_g1)?;
                write_repeated(writer, 1, &one_g2)
            })?;
        let transcript = Transcript {
            phase: PHASE.into(),
            power: Some(power),
            relation: None,
            powers: None,
            commitment: false,
            initial,
            contributions: Vec::new(),
        };
        transcript.save(directory)?;
        Ok(Self { directory: directory.into(), transcript })
    }

    /// Opens a phase-1 directory (its transcript; the powers are read by each step).
    pub fn open(directory: &Path) -> Result<Self, ZkError> {
        let transcript = Transcript::load_phase(directory, PHASE)?;
        if transcript.power.is_none_or(|power| power == 0 || power > MAX_POWER) {
            return Err(ZkError::malformed(
                directory.join(super::transcript::TRANSCRIPT_FILE),
                "ceremony transcript",
                "no valid power",
            ));
        }
        Ok(Self { directory: directory.into(), transcript })
    }

    /// The power of two of the largest domain served.
    pub fn power(&self) -> u32 {
        self.transcript.power.expect("checked when opened")
    }

    /// The directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// `powers.bin`.
    pub fn path(&self) -> PathBuf {
        self.directory.join(POWERS_FILE)
    }

    /// Adds a contribution with secrets from the operating system and `name`, after checking
    /// the current state. Returns the new contribution.
    pub fn contribute(&mut self, name: &str) -> Result<&Contribution, ZkError> {
        check_name(name)?;
        let secrets = Secrets::from_entropy(name, SECRETS.len());
        self.apply(name, ContributionKind::Random, secrets)
    }

    /// Adds a beacon contribution ([`beacon`]).
    pub fn beacon(&mut self, name: &str, hex: &str, iterations_exp: u32) -> Result<&Contribution, ZkError> {
        check_name(name)?;
        let secrets = beacon::secrets(hex, iterations_exp, SECRETS.len())?;
        let kind = ContributionKind::Beacon { hex: hex.to_lowercase(), iterations_exp };
        self.apply(name, kind, secrets)
    }

    fn apply(&mut self, name: &str, kind: ContributionKind, mut secrets: Secrets) -> Result<&Contribution, ZkError> {
        // Build only on a state that verifies: a bad state is then its last contributor's.
        self.verify()?;
        let previous = self.transcript.current();
        let position = self.transcript.contributions.len() + 1;
        let heads = self.heads();
        let (x, a, b) = (*secrets.factor(0), *secrets.factor(1), *secrets.factor(2));
        let factors = chain::prove_factors(PHASE, &previous, position, &SECRETS, &mut secrets, |secret, factor| {
            chain::scale_g1(heads.get(secret), factor)
        });
        let path = self.path();
        let layout = Layout::new(self.power());
        let mut reader = BinaryReader::open(&path, ArtifactKind::CeremonyPowers)?;
        read_power(&mut reader, self.power(), &path)?;
        let progress = crate::progress::phase("powers: contribute", (layout.tau_g1() + 3 * layout.n + 1) as u64);
        let state = files::write_state(&path, ArtifactKind::CeremonyPowers, layout.payload_len(), |writer| {
            writer
                .write_all(&self.power().to_le_bytes())
                .map_err(|source| ZkError::Io { path: path.clone(), source })?;
            scale_powers::<G1Affine>(&mut reader, writer, layout.tau_g1(), x, Fr::ONE, &path, "tau_g1", &progress)?;
            scale_powers::<G2Affine>(&mut reader, writer, layout.n, x, Fr::ONE, &path, "tau_g2", &progress)?;
            scale_powers::<G1Affine>(&mut reader, writer, layout.n, x, a, &path, "alpha_g1", &progress)?;
            scale_powers::<G1Affine>(&mut reader, writer, layout.n, x, b, &path, "beta_g1", &progress)?;
            scale_powers::<G2Affine>(&mut reader, writer, 1, Fr::ONE, b, &path, "beta_g2", &progress)
        })?;
        drop(secrets);
        self.transcript.contributions.push(Contribution { name: name.into(), kind, previous, state, factors });
        self.transcript.save(&self.directory)?;
        Ok(self.transcript.contributions.last().expect("just pushed"))
    }

    /// The heads the transcript's chain ends at.
    fn heads(&self) -> Heads {
        let mut heads = Heads::initial();
        if let Some(last) = self.transcript.contributions.last() {
            for factor in &last.factors {
                let point = factor.after_g1.unwrap_or_default();
                match factor.secret.as_str() {
                    "tau" => heads.tau = point,
                    "alpha" => heads.alpha = point,
                    _ => heads.beta = point,
                }
            }
        }
        heads
    }

    /// Checks the whole phase: every contribution's proofs of knowledge and the chain of its
    /// points ([`verify_chain`]), then that `powers.bin` is the state the chain ends at and is
    /// made of successive powers ([`Self::check_state`]).
    pub fn verify(&self) -> Result<(), ZkError> {
        verify_chain(&self.transcript, &self.directory, PHASE, &SECRETS, |_| ChainPoint::G1(G1Affine::generator()))?;
        self.check_state()
    }

    /// Whether `powers.bin` holds successive powers of one `τ` (and their multiples by `α` and
    /// `β`) whose first points are the chain's last, with the transcript's checksum. A random
    /// linear combination of each sequence against the same combination shifted by one:
    /// `e(Σ ρ_i P_{i+1}, G2) = e(Σ ρ_i P_i, τ·G2)`.
    fn check_state(&self) -> Result<(), ZkError> {
        let path = self.path();
        let layout = Layout::new(self.power());
        let blame = |reason: String| blame_last(&self.transcript, &path, reason);
        let mut reader = BinaryReader::open(&path, ArtifactKind::CeremonyPowers)?;
        read_power(&mut reader, self.power(), &path)?;
        let seed = random_seed();
        let progress = crate::progress::phase("powers: verify", (layout.tau_g1() + 3 * layout.n + 1) as u64);
        let tau_g1 = Shifted::<G1Affine>::read(&mut reader, layout.tau_g1(), seed, &path, "tau_g1", &progress)?;
        let tau_g2 = Shifted::<G2Affine>::read(&mut reader, layout.n, seed, &path, "tau_g2", &progress)?;
        let alpha = Shifted::<G1Affine>::read(&mut reader, layout.n, seed, &path, "alpha_g1", &progress)?;
        let beta = Shifted::<G1Affine>::read(&mut reader, layout.n, seed, &path, "beta_g1", &progress)?;
        let beta_g2: G2Affine = read_point(&mut reader, &path, "beta_g2")?;
        let checksum = reader.finish()?;
        if checksum != self.transcript.current() {
            return Err(blame("powers.bin is not the state the transcript ends at (its checksum differs)".into()));
        }
        let (g1, g2) = (G1Affine::generator(), G2Affine::generator());
        let heads = self.heads();
        if tau_g1.first != g1 || tau_g2.first != g2 {
            return Err(blame("the zeroth powers are not the generators".into()));
        }
        if tau_g1.second != heads.tau || alpha.first != heads.alpha || beta.first != heads.beta {
            return Err(blame("the powers do not start at the points of the last contribution".into()));
        }
        let tau_in_g2 = tau_g2.second;
        let checks = [
            ("tau_g1", same_ratio((tau_g1.combined, tau_g1.shifted), (g2, tau_in_g2))),
            ("tau_g2", same_ratio((g1, heads.tau), (tau_g2.combined, tau_g2.shifted))),
            ("alpha_g1", same_ratio((alpha.combined, alpha.shifted), (g2, tau_in_g2))),
            ("beta_g1", same_ratio((beta.combined, beta.shifted), (g2, tau_in_g2))),
            ("beta_g2", same_ratio((g1, heads.beta), (g2, beta_g2))),
        ];
        if let Some((what, _)) = checks.iter().find(|(_, holds)| !holds) {
            return Err(blame(format!("{what} are not successive powers of the transcript's tau")));
        }
        Ok(())
    }

    /// Reads the points phase 2 needs for a domain of `n ≤ 2^power` points:
    /// `τ^i·G1` (`i < 2n − 1`), `τ^i·G2`, `α·τ^i·G1`, `β·τ^i·G1` (`i < n`), `β·G2`; checks
    /// the file's checksum against the transcript.
    pub fn read_for_domain(&self, n: usize) -> Result<DomainPowers, ZkError> {
        let path = self.path();
        let layout = Layout::new(self.power());
        if n > layout.n {
            return Err(ZkError::Relation(format!(
                "the relation's domain has {n} points; these powers serve at most {} (power {})",
                layout.n,
                self.power()
            )));
        }
        let mut reader = BinaryReader::open(&path, ArtifactKind::CeremonyPowers)?;
        read_power(&mut reader, self.power(), &path)?;
        let mut take = |count: usize, total: usize, size: u64, what: &str| -> Result<Vec<u8>, ZkError> {
            let mut bytes = vec![0u8; count * size as usize];
            reader
                .read_exact(&mut bytes)
                .map_err(|err| ZkError::malformed(&path, "ceremony state", format!("{what}: {err}")))?;
            files::copy_bytes(&mut reader, &mut std::io::sink(), (total - count) as u64 * size, &path, what)?;
            Ok(bytes)
        };
        let tau_g1 = take(2 * n - 1, layout.tau_g1(), 64, "tau_g1")?;
        let tau_g2 = take(n, layout.n, 128, "tau_g2")?;
        let alpha_g1 = take(n, layout.n, 64, "alpha_g1")?;
        let beta_g1 = take(n, layout.n, 64, "beta_g1")?;
        let beta_g2: G2Affine = read_point(&mut reader, &path, "beta_g2")?;
        if reader.finish()? != self.transcript.current() {
            return Err(ZkError::malformed(&path, "ceremony state", "not the state its transcript ends at"));
        }
        let parse_g1 =
            |bytes: &[u8]| files::read_points::<G1Affine>(&mut &bytes[..], bytes.len() / 64, &path, "powers");
        Ok(DomainPowers {
            tau_g1: parse_g1(&tau_g1)?,
            tau_g2: files::read_points::<G2Affine>(&mut &tau_g2[..], n, &path, "tau_g2")?,
            alpha_g1: parse_g1(&alpha_g1)?,
            beta_g1: parse_g1(&beta_g1)?,
            beta_g2,
        })
    }
}

/// Phase 1's points for one domain.
pub struct DomainPowers {
    /// `τ^i·G1`, `i < 2n − 1`.
    pub tau_g1: Vec<G1Affine>,
    /// `τ^i·G2`, `i < n`.
    pub tau_g2: Vec<G2Affine>,
    /// `α·τ^i·G1`, `i < n`.
    pub alpha_g1: Vec<G1Affine>,
    /// `β·τ^i·G1`, `i < n`.
    pub beta_g1: Vec<G1Affine>,
    /// `β·G2`.
    pub beta_g2: G2Affine,
}

fn read_power(reader: &mut BinaryReader, power: u32, path: &Path) -> Result<(), ZkError> {
    let mut bytes = [0u8; 4];
    reader.read_exact(&mut bytes).map_err(|err| ZkError::malformed(path, "ceremony state", err))?;
    if u32::from_le_bytes(bytes) != power {
        return Err(ZkError::malformed(path, "ceremony state", "its power is not the transcript's"));
    }
    Ok(())
}

/// Multiplies the next `count` points of `reader` by `factor · x^i` and writes them.
#[allow(clippy::too_many_arguments)]
fn scale_powers<P: AffineRepr<ScalarField = Fr>>(
    reader: &mut impl Read,
    writer: &mut dyn Write,
    count: usize,
    x: Fr,
    factor: Fr,
    path: &Path,
    what: &str,
    progress: &crate::progress::Phase,
) -> Result<(), ZkError> {
    files::for_each_chunk::<P>(reader, count, path, what, |start, points| {
        let mut scalars = Vec::with_capacity(points.len());
        let mut power = factor * x.pow([start as u64]);
        for _ in 0..points.len() {
            scalars.push(power);
            power *= x;
        }
        let scaled: Vec<P::Group> = points.par_iter().zip(&scalars).map(|(p, s)| *p * s).collect();
        files::write_all_points(writer, &P::Group::normalize_batch(&scaled), path)?;
        progress.advance(points.len() as u64);
        Ok(())
    })
}

/// A verifier's random seed for its linear combinations (unknown to whoever wrote the state).
pub(crate) fn random_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    ark_std::rand::rngs::OsRng.fill_bytes(&mut seed);
    seed
}

/// The `i`-th 128-bit coefficient of a random linear combination.
pub(crate) fn rho(seed: &[u8; 32], i: usize) -> Fr {
    let digest = Sha256::new().chain_update(seed).chain_update((i as u64).to_le_bytes()).finalize();
    Fr::from_le_bytes_mod_order(&digest[..16])
}

/// A sequence read once: its first two points, `Σ ρ_i P_i` and `Σ ρ_i P_{i+1}` (`i < len − 1`).
struct Shifted<P: AffineRepr> {
    first: P,
    second: P,
    combined: P,
    shifted: P,
}

impl<P: AffineRepr<ScalarField = Fr>> Shifted<P> {
    fn read(
        reader: &mut impl Read,
        len: usize,
        seed: [u8; 32],
        path: &Path,
        what: &str,
        progress: &crate::progress::Phase,
    ) -> Result<Self, ZkError> {
        let (mut combined, mut shifted) = (P::Group::default(), P::Group::default());
        let (mut first, mut second) = (P::zero(), P::zero());
        files::for_each_chunk::<P>(reader, len, path, what, |start, points| {
            if start == 0 {
                first = points[0];
                second = points.get(1).copied().unwrap_or(P::zero());
            }
            let range = start..start + points.len();
            // P_j enters `combined` with ρ_j (j < len − 1) and `shifted` with ρ_{j−1} (j ≥ 1).
            let (bases, scalars): (Vec<P>, Vec<Fr>) =
                range.clone().zip(&points).filter(|(j, _)| *j + 1 < len).map(|(j, p)| (*p, rho(&seed, j))).unzip();
            combined += P::Group::msm_unchecked(&bases, &scalars);
            let (bases, scalars): (Vec<P>, Vec<Fr>) =
                range.zip(&points).filter(|(j, _)| *j >= 1).map(|(j, p)| (*p, rho(&seed, j - 1))).unzip();
            shifted += P::Group::msm_unchecked(&bases, &scalars);
            progress.advance(points.len() as u64);
            Ok(())
        })?;
        Ok(Self { first, second, combined: combined.into_affine(), shifted: shifted.into_affine() })
    }
}
