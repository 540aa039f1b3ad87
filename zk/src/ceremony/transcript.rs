//! `transcript.json`: what a ceremony's contributions published, in order.

use super::files::{digest_hex, g1_hex, g2_hex};
use super::pok::FactorKey;
use crate::error::ZkError;
use ark_bn254::{G1Affine, G2Affine};
use serde::{Deserialize, Serialize};
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};

/// File name of the transcript in a ceremony directory.
pub const TRANSCRIPT_FILE: &str = "transcript.json";

/// Longest contributor name kept (longer ones are refused).
pub const MAX_NAME: usize = 256;

/// How a contribution's secrets were drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContributionKind {
    /// From the contributor's operating system (and its text); nobody can recompute them.
    Random,
    /// From a public random beacon hashed `2^iterations_exp` times ([`super::beacon`]); anyone
    /// recomputes them.
    Beacon {
        /// The beacon's value, hex.
        hex: String,
        /// The exponent of the number of SHA-256 iterations.
        iterations_exp: u32,
    },
}

/// One secret factor of a contribution: its proof of knowledge and the state's point after it
/// (in G1 or G2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Factor {
    /// Which secret (`tau`, `alpha`, `beta`; `delta`, `sigma`).
    pub secret: String,
    /// Its proof of knowledge.
    pub key: FactorKey,
    /// The point the factor scaled, after the contribution, when it is in G1.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "g1_hex::option")]
    pub after_g1: Option<G1Affine>,
    /// The point, when it is in G2.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "g2_hex::option")]
    pub after_g2: Option<G2Affine>,
}

/// One contribution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    /// The contributor's name (free text, public).
    pub name: String,
    /// Random or beacon.
    #[serde(flatten)]
    pub kind: ContributionKind,
    /// The checksum of the state the contribution changed (it checked that state first).
    #[serde(with = "digest_hex")]
    pub previous: [u8; 32],
    /// The checksum of the state it wrote.
    #[serde(with = "digest_hex")]
    pub state: [u8; 32],
    /// Its secret factors, in the phase's order.
    pub factors: Vec<Factor>,
}

/// The whole transcript of one phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// `powers` (phase 1) or `phase2`.
    pub phase: String,
    /// Phase 1: the power of two of the largest domain the powers serve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power: Option<u32>,
    /// Phase 2: the relation's parameters (as in its key files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<serde_json::Value>,
    /// Phase 2: the phase-1 directory it started from and the checksum of its powers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub powers: Option<PowersReference>,
    /// Phase 2: whether the relation has a commitment (its contributions also randomize `σ`).
    #[serde(default)]
    pub commitment: bool,
    /// The checksum of the state before any contribution.
    #[serde(with = "digest_hex")]
    pub initial: [u8; 32],
    /// The contributions, oldest first.
    pub contributions: Vec<Contribution>,
}

/// Which phase-1 state a phase 2 started from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowersReference {
    /// The directory, as given to `init` (verify can be pointed elsewhere).
    pub directory: String,
    /// The checksum of its `powers.bin`.
    #[serde(with = "digest_hex")]
    pub checksum: [u8; 32],
    /// Its contributions.
    pub contributions: usize,
}

impl Transcript {
    /// Reads `directory/transcript.json`.
    pub fn load(directory: &Path) -> Result<Self, ZkError> {
        Ok(artifact::read_json(&directory.join(TRANSCRIPT_FILE), ArtifactKind::CeremonyTranscript)?)
    }

    /// Writes it atomically.
    pub fn save(&self, directory: &Path) -> Result<(), ZkError> {
        Ok(artifact::write_json(&directory.join(TRANSCRIPT_FILE), ArtifactKind::CeremonyTranscript, self)?)
    }

    /// The checksum of the current state: the last contribution's, or the initial one.
    pub fn current(&self) -> [u8; 32] {
        self.contributions.last().map_or(self.initial, |c| c.state)
    }

    /// Reads `directory/transcript.json`, which must be of `phase`.
    pub fn load_phase(directory: &Path, phase: &str) -> Result<Self, ZkError> {
        let transcript = Self::load(directory)?;
        transcript.expect_phase(phase, directory)?;
        Ok(transcript)
    }

    /// The phase must be `phase`.
    pub fn expect_phase(&self, phase: &str, directory: &Path) -> Result<(), ZkError> {
        if self.phase != phase {
            let reason = format!("a `{}` ceremony, not `{phase}`", self.phase);
            return Err(ZkError::malformed(directory.join(TRANSCRIPT_FILE), "ceremony transcript", reason));
        }
        Ok(())
    }
}

/// Checks a contributor's name.
pub fn check_name(name: &str) -> Result<(), ZkError> {
    if name.len() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(ZkError::Relation(format!(
            "a contributor name has at most {MAX_NAME} bytes and no control characters"
        )));
    }
    Ok(())
}
