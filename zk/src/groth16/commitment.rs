//! Groth16 with a commitment to selected witnesses, so a relation can draw challenges after
//! the values its lookups check are fixed (the construction of gnark's commitment extension,
//! after LegoSNARK's commit-carrying Groth16).
//!
//! **Setup.** Witnesses the relation makes with [`crate::circuit::Builder::committed_witness`]
//! leave the `L` query (scaled by `1/δ`) for a commitment basis scaled by `1/γ`, as public
//! inputs are: `K_i = (β u_i(t) + α v_i(t) + w_i(t)) / γ · G1`. A fresh secret `σ` gives the
//! basis `σ K_i` and, in the verifying key, `σγ · G2`. The engine adds one committed *blinding*
//! witness (in a constraint of its own), so the commitment hides the committed values.
//!
//! **Proof.** `D = Σ w_i K_i` (with the blinding) and `P = Σ w_i σ K_i = σ D`; the challenge
//! seed is [`crate::transcript::challenge_seed`] of `(D, P)`, the circuit's last public input,
//! which the circuit expands into its challenges. The proof is `(A, B, C, D, P)`.
//!
//! **Verification.** With the inputs' accumulation `vk_x` (the statement's inputs, then the
//! seed the verifier derives from `D` and `P`):
//!
//! - `e(A, B) = e(α, β) · e(vk_x + D, γ) · e(C, δ)`: the Groth16 equation, `D` standing for the
//!   committed witnesses' share of it;
//! - `e(D, σγ) = e(P, γ)`: a proof of knowledge of `D`'s opening in the basis `K` (only the
//!   basis `σK` has `σ` in it), so `D` cannot carry other terms, such as public inputs'.
//!
//! A verifier may fold both into one multi-pairing with a random `ρ`:
//! `e(A, B) · e(-α, β) · e(-(vk_x + D + ρP), γ) · e(-C, δ) · e(ρD, σγ) = 1`.

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::error::ZkError;
use crate::transcript::point_words;
use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::AffineRepr;
use ark_groth16::Proof;
use ark_relations::gr1cs::SynthesisError;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use ark_std::One;
use std::path::Path;

/// What a verifier needs beyond the Groth16 verifying key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitmentKey {
    /// Committed witnesses, the blinding included.
    pub committed: u64,
    /// `σγ · G2`.
    pub sigma_gamma_g2: G2Affine,
}

/// The commitment part of a proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commitment {
    /// `D = Σ w_i K_i`.
    pub point: G1Affine,
    /// `P = σ D`, its proof of knowledge.
    pub knowledge: G1Affine,
}

/// A proof of a committing relation: Groth16's `(A, B, C)` and the commitment.
#[derive(Clone, Debug, PartialEq)]
pub struct CommittedProof {
    /// `(A, B, C)`.
    pub proof: Proof<Bn254>,
    /// `(D, P)`.
    pub commitment: Commitment,
}

/// Bytes of a [`CommittedProof`] in its canonical (compressed) encoding.
pub const COMMITTED_PROOF_BYTES: usize = 128 + 32 + 32;

impl CommittedProof {
    /// The challenge seed the verifier derives from the proof's commitment: what a relation's
    /// derived values (a point, values at it) depend on.
    pub fn challenge_seed(&self) -> ark_bn254::Fr {
        crate::transcript::challenge_seed(&self.commitment.point, &self.commitment.knowledge)
    }

    /// `A ‖ B ‖ C ‖ D ‖ P`, compressed (192 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(COMMITTED_PROOF_BYTES);
        self.proof.serialize_compressed(&mut bytes).expect("writing to memory");
        self.commitment.point.serialize_compressed(&mut bytes).expect("writing to memory");
        self.commitment.knowledge.serialize_compressed(&mut bytes).expect("writing to memory");
        bytes
    }

    /// Parses [`CommittedProof::to_bytes`]'s output, checking every point (on the curve, in
    /// the subgroup) and refusing any other length.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self, ZkError> {
        let invalid = |reason: String| ZkError::InvalidProof { path: path.into(), reason };
        if bytes.len() != COMMITTED_PROOF_BYTES {
            return Err(invalid(format!("{} proof bytes, a committed proof has {COMMITTED_PROOF_BYTES}", bytes.len())));
        }
        let proof = Proof::deserialize_compressed(&bytes[..128]).map_err(|err| invalid(format!("(A, B, C): {err}")))?;
        let point = G1Affine::deserialize_compressed(&bytes[128..160]).map_err(|err| invalid(format!("D: {err}")))?;
        let knowledge = G1Affine::deserialize_compressed(&bytes[160..]).map_err(|err| invalid(format!("P: {err}")))?;
        let parsed = Self { proof, commitment: Commitment { point, knowledge } };
        // One encoding per proof (flag bits, the identity's spelling): anything that
        // identifies proofs by their bytes then sees one proof once.
        if parsed.to_bytes() != bytes {
            return Err(invalid("the proof bytes are not the canonical encoding of its points".into()));
        }
        Ok(parsed)
    }

    /// The EVM words of `D` and `P`.
    pub fn commitment_words(&self) -> [[u8; 32]; 4] {
        let [dx, dy] = point_words(&self.commitment.point);
        let [px, py] = point_words(&self.commitment.knowledge);
        [dx, dy, px, py]
    }
}

/// The engine's blinding witness: a committed witness holding `rho` (uniform in proofs) in a
/// constraint of its own (`rho · 1 = copy`), so its basis point is not zero and the commitment
/// is uniformly distributed whatever the other committed values.
pub(crate) fn append_blinding<S: ConstraintSink>(builder: &Builder<S>, rho: Fr) -> Result<(), SynthesisError> {
    builder.stage("commitment blinding");
    let blind = builder.committed_witness(rho)?;
    let copy = builder.witness(rho)?;
    builder.enforce_named("blinding", &blind, &Wire::one(), &copy)
}

/// Whether `e(D, σγ) = e(P, γ)`: `D`'s opening is known in the committed basis.
pub(crate) fn knowledge_holds(key: &CommitmentKey, gamma_g2: &G2Affine, commitment: &Commitment) -> bool {
    if commitment.point.is_zero() {
        // A blinded commitment is never the identity (probability 1/r): refuse the degenerate
        // point rather than reason about it.
        return false;
    }
    let left = [commitment.point, (-commitment.knowledge.into_group()).into()];
    let right = [key.sigma_gamma_g2, *gamma_g2];
    Bn254::multi_pairing(left, right).0.is_one()
}
