//! Proofs that a key-generation contribution is well formed
//! ([`vsies_zk::relations::key_contribution`]): `b_i = a·s_i + e_i` with binary `s_i` and
//! `|e_i| < 2^35`, and the pieces its dealer committed to in round 1 sum to `s_i`. A session
//! that names the relation's verifying key ([`super::Session::proof_key`]) requires one with
//! every contribution; each holder checks its pieces against the proof's piece hashes, and a
//! piece that fails is a complaint anyone can check.

use super::{Commitment, Contribution, Piece, Session};
use crate::committee::Committee;
use crate::error::AggError;
use crate::params::{NOISE_BOUND_LOG2, RING_DEGREE};
use crate::proof::canonical_field;
use ark_bn254::Fr;
use std::path::Path;
use vsies_core::codec::{CodecError, Reader, Writer};
use vsies_core::ContentId;
use vsies_zk::groth16::commitment::COMMITTED_PROOF_BYTES;
use vsies_zk::groth16::{CommittedProof, Verifier};
use vsies_zk::relations::key_contribution::{
    piece_evaluations, piece_hash, piece_salt, ContributionParams, ContributionStatement, KeyContributionRelation,
};

/// The key-contribution relation's shape for `committee`: keys made for it (`vsies setup
/// keygen`) serve every key generation of that shape.
pub fn contribution_params(committee: &Committee) -> ContributionParams {
    ContributionParams {
        degree: RING_DEGREE,
        noise_bound_log2: NOISE_BOUND_LOG2,
        packing: committee.packing,
        pieces: committee.piece_sets().len(),
    }
}

/// The relation for `committee`.
pub fn contribution_relation(committee: &Committee) -> Result<KeyContributionRelation, AggError> {
    KeyContributionRelation::for_shape(contribution_params(committee))
        .map_err(|err| AggError::Committee(err.to_string()))
}

/// The key-contribution relation's prover (a dealer's `proving.key`).
pub type ContributionProver = vsies_zk::groth16::Prover<KeyContributionRelation>;
/// The key-contribution relation's verifier.
pub type ContributionVerifier = Verifier<KeyContributionRelation>;

/// A contribution's proof: the verifying key it was made for, the piece hashes it states (per
/// piece set, in the committee's order) and the proof.
#[derive(Clone, Debug, PartialEq)]
pub struct ContributionProof {
    /// The verifying key's id.
    pub verifying_key: ContentId,
    /// Per piece set, the salted hash of the piece's evaluations at the proof's point.
    pub piece_hashes: Vec<Fr>,
    /// The proof.
    pub proof: CommittedProof,
}

impl ContributionProof {
    pub(crate) fn push(&self, out: &mut Writer) {
        out.raw(self.verifying_key.digest()).u32(self.piece_hashes.len() as u32);
        self.piece_hashes.iter().for_each(|hash| {
            out.raw(&vsies_zk::field::field_bytes(hash));
        });
        out.raw(&self.proof.to_bytes());
    }

    /// Reads a proof of a committee with `sets` piece sets; hashes must be canonical field
    /// elements and points on the curve.
    pub(crate) fn read(reader: &mut Reader<'_>, sets: usize, path: &Path) -> Result<Self, AggError> {
        let codec = |err: CodecError| AggError::malformed(path, err.to_string());
        let verifying_key = ContentId::from_digest(reader.array("verifying key").map_err(codec)?);
        let count = reader.u32("piece hashes").map_err(codec)? as usize;
        if count != sets {
            return Err(AggError::malformed(
                path,
                format!("{count} piece hashes; the committee has {sets} piece sets"),
            ));
        }
        let piece_hashes = (0..count)
            .map(|_| {
                let bytes = reader.array("piece hash").map_err(codec)?;
                canonical_field(&bytes).ok_or_else(|| AggError::malformed(path, "a piece hash is not a field element"))
            })
            .collect::<Result<_, _>>()?;
        let proof = CommittedProof::from_bytes(reader.take("proof", COMMITTED_PROOF_BYTES).map_err(codec)?, path)
            .map_err(|err| AggError::malformed(path, format!("the contribution proof: {err}")))?;
        Ok(Self { verifying_key, piece_hashes, proof })
    }
}

/// The statement of `contribution` (committed to by `commitment`) with `piece_hashes`.
pub(crate) fn statement(
    session: &Session,
    commitment: &Commitment,
    contribution: &Contribution,
    piece_hashes: Vec<Fr>,
) -> ContributionStatement {
    ContributionStatement {
        session: session.id(),
        dealer: contribution.dealer as u32,
        commitment: commitment.digest(),
        mask: session.mask(),
        contribution: contribution.b.clone(),
        piece_hashes,
    }
}

/// Checks `contribution`'s proof under the session's verifying key: a contribution without
/// one, or with one for other keys or that does not verify, is refused with the reason.
pub fn verify_contribution(
    session: &Session,
    verifier: &Verifier<KeyContributionRelation>,
    commitment: &Commitment,
    contribution: &Contribution,
) -> Result<(), String> {
    let Some(proof) = &contribution.proof else {
        return Err("its contribution carries no proof that it is well formed".into());
    };
    if proof.verifying_key != verifier.id {
        return Err(format!(
            "its contribution is proved with verifying key {}, the session's is {}",
            proof.verifying_key, verifier.id
        ));
    }
    let statement = statement(session, commitment, contribution, proof.piece_hashes.clone());
    verifier.relation.check_statement(&statement).map_err(|err| err.to_string())?;
    verifier
        .verify_committed(&statement, &proof.proof, Path::new("its contribution"))
        .map_err(|err| format!("its proof that the contribution is well formed fails: {err}"))
}

/// Whether `piece` is what its dealer's proof sums: its evaluations at the proof's point,
/// salted, hash to the proof's hash for its set. `true` when the contribution carries no proof
/// (the dealer is then excluded for that).
pub(crate) fn piece_matches_proof(
    session: &Session,
    commitment: &Commitment,
    contribution: &Contribution,
    piece: &Piece,
) -> bool {
    let Some(proof) = &contribution.proof else { return true };
    let Some(index) = session.committee.piece_sets().iter().position(|set| *set == piece.set) else { return false };
    let Ok(relation) = contribution_relation(&session.committee) else { return false };
    let statement = statement(session, commitment, contribution, proof.piece_hashes.clone());
    let point = relation.point(&statement, proof.proof.challenge_seed());
    proof.piece_hashes.get(index) == Some(&piece_hash(piece_salt(&piece.salt), &piece_evaluations(&piece.polys, point)))
}
