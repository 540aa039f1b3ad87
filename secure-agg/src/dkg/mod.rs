//! Distributed key generation for the committee: no party ever holds the secret key.
//!
//! The committee's key is the sum of every qualified member's own: member `i` draws a binary
//! secret `s_i` and noise `e_i`, contributes `b_i = a·s_i + e_i` to the public key (`a` is
//! derived from the session, so nobody chooses it), and deals `s_i` in the committee's
//! replicated sharing ([`crate::committee`]): one uniform piece `s_{i,A}` per piece set `A`,
//! summing to `s_i`, sent to every member of `A`. Member `m`'s share is `Σ_i s_{i,A}` for
//! each set `A` it holds, the public key is `(a, Σ_i b_i)`, and the secret `Σ_i s_i` exists
//! nowhere. Any `T` members meet every set, `T − 1` miss one set of every dealer, so, as with
//! a dealer, they learn nothing, provided one dealer was honest.
//!
//! Rounds, every message signed by its dealer's registered key ([`messages`]):
//! 1. **commit**: each dealer broadcasts keccak256 of its contribution and of each piece
//!    (salted); nobody can then choose its contribution after seeing the others' (a rogue key
//!    `b_i = a·s' − Σ_{j≠i} b_j` would give its maker the whole key);
//! 2. **reveal and deal**: each broadcasts its contribution and sends each piece to the
//!    piece's holders;
//! 3. **check**: each member checks every piece it received against its dealer's commitment;
//!    a piece that does not match is published as a *complaint*: it carries the dealer's
//!    signature, so anyone can check that the dealer dealt inconsistent shares; a piece that
//!    never came is complained about ([`MissingPiece`], signed by the member) and its dealer
//!    answers by publishing it ([`Dealing::answer`]);
//! 4. **finish**: the qualified dealers are those with a commitment, a matching contribution,
//!    no valid complaint and every missing-piece complaint answered; every honest member
//!    computes the same set and the same key.
//!
//! **Proofs of well-formedness** ([`proof`]). A session that names the key-contribution
//! relation's verifying key ([`Session::with_proof_key`]) requires every contribution to carry
//! a Groth16 proof that `b_i = a·s_i + e_i` with binary `s_i` and small `e_i`, and that the
//! pieces its dealer committed to sum to `s_i`; in round 3 each holder also checks its pieces
//! against the proof (a piece that fails is a complaint like any other), and in round 4 a
//! dealer whose proof is missing or fails is excluded. Without proofs, a dealer that
//! contributes something else makes decryption fail, unattributably; it learns nothing by it,
//! since it committed before it saw the other contributions.

pub mod local;
pub mod messages;
pub mod proof;

pub use messages::{Commitment, Contribution, MissingPiece, Piece};
pub use proof::{
    contribution_params, contribution_relation, verify_contribution, ContributionProof, ContributionProver,
    ContributionVerifier,
};

use crate::committee::{Committee, KeyShare, PublicKey};
use crate::error::AggError;
use crate::params::RING_DEGREE;
use crate::ring::{self, Poly};
use crate::signing::{format_address, parse_address, Address, ClientKey, ClientSignature};
use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};
use std::path::Path;
use tfhe::core_crypto::commons::math::random::{RandomGenerator, Seed};
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::{codec, ContentId};
use zeroize::{Zeroize, Zeroizing};

const SESSION_TAG: &[u8] = b"vsies/dkg-session/v1\n";

/// A key generation's public parameters: the committee's shape, its members' addresses (the
/// keys that sign their messages) and a nonce that makes the session unique.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The committee's shape (its `dealers` is set when the key is finished).
    pub committee: Committee,
    /// Member `k`'s address at index `k − 1`.
    pub members: Vec<Address>,
    /// Makes the session unique (a chain's block hash, or fresh randomness).
    pub nonce: [u8; 32],
    /// The key-contribution relation's verifying key every contribution must be proved with;
    /// `None`: contributions are not proved.
    pub proof_key: Option<ContentId>,
}

#[derive(Serialize, Deserialize)]
struct SessionFile {
    members: usize,
    threshold: usize,
    packing: usize,
    addresses: Vec<String>,
    nonce: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proof_key: Option<String>,
}

impl Session {
    /// A session for `committee` among `members` (one distinct address per member).
    pub fn new(committee: Committee, members: Vec<Address>, nonce: [u8; 32]) -> Result<Self, AggError> {
        if members.len() != committee.members {
            return Err(AggError::Committee(format!(
                "{} addresses for a {}-member committee",
                members.len(),
                committee.members
            )));
        }
        let mut sorted = members.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() != members.len() {
            return Err(AggError::Committee("a member address appears twice".into()));
        }
        // Every member's secret adds noise: a committee whose dealer-free key could not decrypt
        // an aggregate of the fewest clients a member accepts is refused before any work.
        let cap = crate::params::max_clients_for(committee.piece_sets().len(), committee.members);
        if cap < crate::DEFAULT_MIN_CLIENTS as u64 {
            return Err(AggError::Committee(format!(
                "a dealer-free {}/{} key decrypts aggregates of at most {cap} clients ({} key pieces, each flooded), fewer than the {} a member accepts: use a committee with fewer pieces",
                committee.members,
                committee.threshold,
                committee.piece_sets().len(),
                crate::DEFAULT_MIN_CLIENTS
            )));
        }
        Ok(Self { committee: Committee { dealers: 1, ..committee }, members, nonce, proof_key: None })
    }

    /// The session whose contributions must be proved with the key-contribution relation's
    /// verifying key `id` (`vsies setup keygen` for this committee's shape, ideally from a
    /// ceremony: whoever knows its trapdoor can prove a malformed contribution).
    pub fn with_proof_key(self, id: ContentId) -> Self {
        Self { proof_key: Some(id), ..self }
    }

    /// The session's id: keccak256 of its parameters. Every message names it.
    pub fn id(&self) -> [u8; 32] {
        let mut hash = Keccak256::new();
        hash.update(SESSION_TAG);
        for value in [self.committee.members, self.committee.threshold, self.committee.packing, RING_DEGREE] {
            hash.update((value as u32).to_le_bytes());
        }
        self.members.iter().for_each(|address| hash.update(address));
        hash.update(self.nonce);
        if let Some(key) = &self.proof_key {
            hash.update(b"proof key");
            hash.update(key.digest());
        }
        hash.finalize().into()
    }

    /// Member `k`'s address.
    pub fn address(&self, member: usize) -> Option<Address> {
        member.checked_sub(1).and_then(|index| self.members.get(index)).copied()
    }

    /// The member number of `address`.
    pub fn member_of(&self, address: &Address) -> Option<usize> {
        self.members.iter().position(|a| a == address).map(|index| index + 1)
    }

    pub(crate) fn check_id(&self, id: &[u8; 32], path: &Path) -> Result<(), AggError> {
        if *id != self.id() {
            return Err(AggError::malformed(path, "a message of another key-generation session"));
        }
        Ok(())
    }

    /// The public key's `a`, expanded from the session id: nobody chooses it.
    fn mask(&self) -> Poly {
        let id = self.id();
        let seed = u128::from_le_bytes(id[..16].try_into().expect("16 bytes"));
        ring::uniform(&mut RandomGenerator::<DefaultRandomGenerator>::new(Seed(seed)))
    }

    /// Writes the session (JSON).
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        let body = SessionFile {
            members: self.committee.members,
            threshold: self.committee.threshold,
            packing: self.committee.packing,
            addresses: self.members.iter().map(format_address).collect(),
            nonce: codec::hex(&self.nonce),
            proof_key: self.proof_key.map(|id| id.to_string()),
        };
        artifact::write_json(path, ArtifactKind::DkgSession, &body).map_err(AggError::from)
    }

    /// Reads and checks a session.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let body: SessionFile = artifact::read_json(path, ArtifactKind::DkgSession)?;
        let committee = Committee::with_packing(body.members, body.threshold, body.packing)
            .map_err(|err| AggError::malformed(path, err.to_string()))?;
        let members = body.addresses.iter().map(|a| parse_address(a)).collect::<Result<Vec<_>, _>>()?;
        let nonce = codec::unhex_array::<32>(&body.nonce)
            .ok_or_else(|| AggError::malformed(path, "the nonce is not 32 bytes of hex"))?;
        let session = Self::new(committee, members, nonce).map_err(|err| AggError::malformed(path, err.to_string()))?;
        match body.proof_key {
            None => Ok(session),
            Some(text) => {
                let id =
                    text.parse::<ContentId>().map_err(|err| AggError::malformed(path, format!("proof_key: {err}")))?;
                Ok(session.with_proof_key(id))
            }
        }
    }
}

/// A dealer's secret material, derived from a 32-byte seed: its secret, noise and pieces.
/// Wiped when dropped.
pub struct Dealing {
    dealer: usize,
    session: [u8; 32],
    /// `s_{i,j}`, binary, for `j < packing`.
    secret: Vec<Poly>,
    contribution: Vec<Poly>,
    /// `(set, salt, s_{i,A})` per piece set, in the committee's order.
    pieces: Vec<(u64, [u8; 32], Vec<Poly>)>,
}

impl Drop for Dealing {
    fn drop(&mut self) {
        self.secret.iter_mut().for_each(|poly| poly.zeroize());
        for (_, salt, polys) in &mut self.pieces {
            salt.zeroize();
            polys.iter_mut().for_each(|poly| poly.zeroize());
        }
    }
}

impl Dealing {
    /// Member `dealer`'s dealing in `session` from `seed` (fresh OS randomness; the dealer
    /// keeps it, owner-only, between the commit and the reveal, and deletes it after).
    pub fn new(session: &Session, dealer: usize, seed: &[u8; 32]) -> Result<Self, AggError> {
        if session.address(dealer).is_none() {
            return Err(AggError::Committee(format!("member {dealer} is not in the session")));
        }
        let committee = session.committee;
        let id = session.id();
        let mut seed_hash = Keccak256::new();
        seed_hash.update(b"vsies/dkg-dealing/v1\n");
        seed_hash.update(seed);
        seed_hash.update(id);
        seed_hash.update((dealer as u32).to_le_bytes());
        let digest = Zeroizing::new(<[u8; 32]>::from(seed_hash.finalize()));
        let mut generator = RandomGenerator::<DefaultRandomGenerator>::new(Seed(u128::from_le_bytes(
            digest[..16].try_into().expect("16"),
        )));
        let a = session.mask();
        let secret: Vec<Poly> = (0..committee.packing).map(|_| ring::binary(&mut generator)).collect();
        let contribution = crate::committee::public_polys(&a, &secret, &mut generator);
        let pieces = crate::committee::split(secret.clone(), &committee.piece_sets(), &mut generator)
            .into_iter()
            .map(|(set, polys)| {
                let mut salt = [0u8; 32];
                generator.fill_slice_with_random_uniform(&mut salt);
                (set, salt, polys)
            })
            .collect();
        Ok(Self { dealer, session: id, secret, contribution, pieces })
    }

    /// Round 1: the signed commitment.
    pub fn commitment(&self, key: &ClientKey) -> Commitment {
        let pieces = self
            .pieces
            .iter()
            .map(|(set, salt, polys)| messages::piece_hash(&self.session, self.dealer, *set, salt, polys))
            .collect();
        let contribution = messages::contribution_hash(&self.session, self.dealer, &self.contribution);
        Commitment { session: self.session, dealer: self.dealer, contribution, pieces, signature: unsigned() }
            .signed_by(key)
    }

    /// Round 2: the signed contribution to the public key, without a proof.
    pub fn contribution(&self, key: &ClientKey) -> Contribution {
        self.unsigned_contribution().signed_by(key)
    }

    fn unsigned_contribution(&self) -> Contribution {
        Contribution {
            session: self.session,
            dealer: self.dealer,
            b: self.contribution.clone(),
            proof: None,
            signature: unsigned(),
        }
    }

    /// Round 2: the signed contribution with its proof of well-formedness, made with
    /// `prover` (the keys the session names) for `session`.
    pub fn proved_contribution<G: ark_std::rand::RngCore + ark_std::rand::CryptoRng>(
        &self,
        session: &Session,
        key: &ClientKey,
        prover: &ContributionProver,
        rng: &mut G,
    ) -> Result<Contribution, AggError> {
        if session.id() != self.session {
            return Err(AggError::Committee("the dealing is of another session".into()));
        }
        if session.proof_key != Some(prover.verifying_key_id()) {
            return Err(AggError::Committee(format!(
                "the session's proof key is {}, these keys are {} (run `vsies setup keygen` for this committee, or use the session's keys)",
                session.proof_key.map_or("none".into(), |id| id.to_string()),
                prover.verifying_key_id()
            )));
        }
        let relation = &prover.relation;
        if relation.shape_params() != contribution_params(&session.committee) {
            return Err(AggError::Committee("the key-contribution keys are for another committee shape".into()));
        }
        self.prove_for(session, &self.commitment(key), key, prover, rng)
    }

    /// [`Dealing::proved_contribution`] stating `commitment` (the dealer's own, but for the
    /// tests of a dealer who committed to other pieces than it proves).
    fn prove_for<G: ark_std::rand::RngCore + ark_std::rand::CryptoRng>(
        &self,
        session: &Session,
        commitment: &Commitment,
        key: &ClientKey,
        prover: &ContributionProver,
        rng: &mut G,
    ) -> Result<Contribution, AggError> {
        let zk = |err: vsies_zk::ZkError| {
            AggError::Committee(format!("proving dealer {}'s contribution: {err}", self.dealer))
        };
        let relation = &prover.relation;
        let mut contribution = self.unsigned_contribution();
        let mut statement = proof::statement(session, commitment, &contribution, Vec::new());
        let secret: Vec<Vec<bool>> = self.secret.iter().map(|s| s.iter().map(|&c| c == 1).collect()).collect();
        let pieces: Vec<Vec<Vec<u128>>> = self.pieces.iter().map(|(_, _, polys)| polys.clone()).collect();
        let salts =
            self.pieces.iter().map(|(_, salt, _)| vsies_zk::relations::key_contribution::piece_salt(salt)).collect();
        let witness = relation.witness(&statement, &secret, pieces, salts).map_err(zk)?;
        let proved =
            prover.prove_committed_completing(&vsies_zk::groth16::Cpu, &mut statement, &witness, rng).map_err(zk)?;
        drop(witness);
        contribution.proof = Some(ContributionProof {
            verifying_key: prover.verifying_key_id(),
            piece_hashes: statement.piece_hashes,
            proof: proved,
        });
        Ok(contribution.signed_by(key))
    }

    /// Round 3's answer to `complaint` about this dealer: the piece the member says it never
    /// received, signed, to publish on the board. `None` for a complaint about another dealer
    /// or session, or a set the member does not hold.
    pub fn answer(&self, complaint: &MissingPiece, key: &ClientKey) -> Option<Piece> {
        if complaint.dealer != self.dealer || complaint.session != self.session {
            return None;
        }
        self.pieces_for(complaint.member, key).into_iter().find(|piece| piece.set == complaint.set)
    }

    /// Round 2: the signed pieces for `recipient` (one per set it holds).
    pub fn pieces_for(&self, recipient: usize, key: &ClientKey) -> Vec<Piece> {
        self.pieces
            .iter()
            .filter(|(set, _, _)| {
                (1..=crate::params::MAX_MEMBERS).contains(&recipient) && set & (1 << (recipient - 1)) != 0
            })
            .map(|(set, salt, polys)| {
                Piece {
                    session: self.session,
                    dealer: self.dealer,
                    recipient,
                    set: *set,
                    salt: *salt,
                    polys: polys.clone(),
                    signature: unsigned(),
                }
                .signed_by(key)
            })
            .collect()
    }
}

fn unsigned() -> ClientSignature {
    ClientSignature { address: [0; 20], signature: [0; 65] }
}

/// Why a dealer is not in the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exclusion {
    /// The dealer.
    pub dealer: usize,
    /// Why, with the evidence named.
    pub reason: String,
}

/// What one member checked: the pieces it holds, and those that did not match their
/// dealers' commitments (complaints, to publish: each carries its dealer's signature).
pub struct Checked {
    /// Pieces that match their commitments.
    pub pieces: Vec<Piece>,
    /// Pieces that do not: evidence against their dealers.
    pub complaints: Vec<Piece>,
}

/// The commitments of a session, one per dealer; two different signed commitments of one
/// dealer exclude it (equivocation).
pub fn index_commitments(session: &Session, commitments: Vec<Commitment>) -> (Vec<Option<Commitment>>, Vec<Exclusion>) {
    let mut by_dealer: Vec<Option<Commitment>> = vec![None; session.committee.members + 1];
    let mut exclusions = Vec::new();
    for commitment in commitments {
        let dealer = commitment.dealer;
        let Some(slot) = by_dealer.get_mut(dealer).filter(|_| dealer >= 1) else { continue };
        match slot {
            Some(existing) if *existing != commitment => {
                exclusions.push(Exclusion { dealer, reason: "signed two different commitments (equivocation)".into() });
            }
            _ => *slot = Some(commitment),
        }
    }
    for exclusion in &exclusions {
        by_dealer[exclusion.dealer] = None;
    }
    (by_dealer, exclusions)
}

/// Round 3 for `member`: sorts the pieces it received into those that match their dealers'
/// commitments (and, in a proved session, their dealers' contribution proofs) and
/// complaints. A piece for another member or session is refused.
pub fn check_pieces(
    session: &Session,
    member: usize,
    commitments: &[Option<Commitment>],
    contributions: &[Contribution],
    received: Vec<Piece>,
) -> Result<Checked, AggError> {
    let (mut pieces, mut complaints) = (Vec::new(), Vec::new());
    for piece in received {
        if piece.recipient != member {
            return Err(AggError::Committee(format!(
                "a piece for member {} was given to member {member}",
                piece.recipient
            )));
        }
        match commitments.get(piece.dealer).and_then(Option::as_ref) {
            Some(commitment) if !piece.matches(session, commitment) => complaints.push(piece),
            Some(commitment) if !piece_fits_proof(session, commitment, contributions, &piece) => complaints.push(piece),
            Some(_) => pieces.push(piece),
            None => {} // the dealer is out already
        }
    }
    Ok(Checked { pieces, complaints })
}

/// Whether `piece` (matching `commitment`) is what its dealer's proved contribution sums, in a
/// proved session; a dealer without a contribution matching its commitment is excluded anyway.
fn piece_fits_proof(session: &Session, commitment: &Commitment, contributions: &[Contribution], piece: &Piece) -> bool {
    if session.proof_key.is_none() {
        return true;
    }
    contributions
        .iter()
        .filter(|c| c.dealer == piece.dealer && c.matches(commitment))
        .all(|contribution| proof::piece_matches_proof(session, commitment, contribution, piece))
}

/// What the board holds once rounds 2 and 3 are over, besides the commitments: every
/// contribution, the complaints about pieces that do not match (dealer-signed pieces), the
/// complaints about pieces that never came, and the dealers' answers to those (the pieces,
/// published).
#[derive(Clone, Copy, Default)]
pub struct Board<'a> {
    /// The revealed contributions.
    pub contributions: &'a [Contribution],
    /// Pieces that do not match their commitments or proofs.
    pub complaints: &'a [Piece],
    /// Complaints about missing pieces.
    pub missing: &'a [MissingPiece],
    /// Pieces published in answer to them.
    pub answers: &'a [Piece],
}

/// The pieces `member` should hold and does not: `(dealer, set)` for every dealer with a
/// commitment and every set the member holds that none of `pieces` (its checked pieces) is.
pub fn missing_pieces(
    session: &Session,
    member: usize,
    commitments: &[Option<Commitment>],
    pieces: &[Piece],
) -> Vec<(usize, u64)> {
    if session.address(member).is_none() {
        return Vec::new();
    }
    let sets: Vec<u64> = session
        .committee
        .piece_sets()
        .into_iter()
        .filter(|set| member >= 1 && set & (1 << (member - 1)) != 0)
        .collect();
    let mut missing = Vec::new();
    for dealer in (1..=session.committee.members).filter(|&d| commitments.get(d).is_some_and(Option::is_some)) {
        for &set in &sets {
            if !pieces.iter().any(|p| p.dealer == dealer && p.set == set) {
                missing.push((dealer, set));
            }
        }
    }
    missing
}

/// Whether `piece` matches its dealer's commitment and, in a proved session, its proved
/// `contribution`.
fn piece_fits(
    session: &Session,
    commitment: &Commitment,
    contribution: &Contribution,
    piece: &Piece,
    proved: bool,
) -> bool {
    piece.matches(session, commitment)
        && (!proved || proof::piece_matches_proof(session, commitment, contribution, piece))
}

/// Round 4 for `member`: the qualified dealers and the committee's key. Every member computes
/// the same public key from the same public messages (commitments and the `board`); its
/// share sums the qualified dealers' pieces of the sets it holds (its own `pieces`, and the
/// answers to its complaints). A dealer that did not answer a complaint about a missing piece
/// is excluded. A proved session needs `verifier`, with the session's verifying key: each
/// contribution's proof is checked, and a dealer whose proof is missing or fails is excluded.
pub fn finish(
    session: &Session,
    member: usize,
    commitments: &[Option<Commitment>],
    board: Board<'_>,
    pieces: &[Piece],
    verifier: Option<&ContributionVerifier>,
) -> Result<(PublicKey, KeyShare, Vec<Exclusion>), AggError> {
    let Board { contributions, complaints, missing, answers } = board;
    let committee = session.committee;
    if session.address(member).is_none() {
        return Err(AggError::Committee(format!("member {member} is not in the session")));
    }
    let verifier = match (session.proof_key, verifier) {
        (None, _) => None,
        (Some(id), Some(verifier)) if verifier.id == id => Some(verifier),
        (Some(id), Some(verifier)) => {
            return Err(AggError::Committee(format!(
                "the session's contributions are proved with verifying key {id}; the keys given are {}",
                verifier.id
            )))
        }
        (Some(id), None) => {
            return Err(AggError::Committee(format!(
                "the session's contributions are proved: give its key-contribution keys (verifying key {id})"
            )))
        }
    };
    let mut excluded: Vec<Exclusion> = Vec::new();
    let mut exclude = |dealer: usize, reason: String| {
        if !excluded.iter().any(|e| e.dealer == dealer) {
            excluded.push(Exclusion { dealer, reason });
        }
    };
    for complaint in complaints {
        if let Some(commitment) = commitments.get(complaint.dealer).and_then(Option::as_ref) {
            if !complaint.matches(session, commitment) {
                exclude(
                    complaint.dealer,
                    format!(
                        "dealt member {} a piece of set {:#x} that is not the one it committed to (its signed piece is the evidence)",
                        complaint.recipient, complaint.set
                    ),
                );
            }
        }
    }
    let mut contribution_of: Vec<Option<&Contribution>> = vec![None; committee.members + 1];
    // Two different signed contributions of one dealer (the same `b` with two proofs, say)
    // would let members check pieces against different proofs: the dealer is out.
    for (index, contribution) in contributions.iter().enumerate() {
        if contributions[..index].iter().any(|c| c.dealer == contribution.dealer && c != contribution) {
            exclude(contribution.dealer, "signed two different contributions (equivocation)".into());
        }
    }
    for contribution in contributions {
        if contribution.dealer == 0 || contribution.dealer > committee.members {
            continue;
        }
        match commitments.get(contribution.dealer).and_then(Option::as_ref) {
            Some(commitment) if contribution.matches(commitment) => match verifier {
                Some(verifier) => match proof::verify_contribution(session, verifier, commitment, contribution) {
                    Ok(()) => contribution_of[contribution.dealer] = Some(contribution),
                    Err(reason) => exclude(contribution.dealer, reason),
                },
                None => contribution_of[contribution.dealer] = Some(contribution),
            },
            Some(_) => exclude(contribution.dealer, "revealed a contribution it had not committed to".into()),
            None => {}
        }
    }
    for complaint in complaints {
        let dealer = complaint.dealer;
        let (Some(commitment), Some(contribution)) =
            (commitments.get(dealer).and_then(Option::as_ref), contribution_of.get(dealer).copied().flatten())
        else {
            continue;
        };
        if verifier.is_some()
            && complaint.matches(session, commitment)
            && !proof::piece_matches_proof(session, commitment, contribution, complaint)
        {
            exclude(
                dealer,
                format!(
                    "dealt member {} a piece of set {:#x} that its proof does not sum to its secret (its signed piece and contribution are the evidence)",
                    complaint.recipient, complaint.set
                ),
            );
        }
    }
    // A piece that answers a complaint must match its commitment (and proof) like any other.
    let answer_fits = |complaint: &MissingPiece, piece: &Piece| {
        let dealer = complaint.dealer;
        piece.dealer == dealer
            && piece.set == complaint.set
            && piece.recipient == complaint.member
            && match (commitments.get(dealer).and_then(Option::as_ref), contribution_of.get(dealer).copied().flatten())
            {
                (Some(commitment), Some(contribution)) => {
                    piece_fits(session, commitment, contribution, piece, verifier.is_some())
                }
                _ => false,
            }
    };
    for complaint in missing.iter().filter(|c| c.session == session.id() && c.is_well_addressed(session)) {
        let answered = answers.iter().any(|piece| answer_fits(complaint, piece));
        if contribution_of.get(complaint.dealer).copied().flatten().is_some() && !answered {
            exclude(
                complaint.dealer,
                format!(
                    "did not answer member {}'s complaint that it never received its piece of set {:#x} with a piece matching its commitment and proof (the signed complaint, unanswered on the board, is the evidence)",
                    complaint.member, complaint.set
                ),
            );
        }
    }
    for (dealer, contribution) in contribution_of.iter().enumerate().skip(1) {
        if commitments.get(dealer).and_then(Option::as_ref).is_none() {
            exclude(dealer, "no commitment".into());
        } else if contribution.is_none() {
            exclude(dealer, "no contribution matching its commitment".into());
        }
    }
    let qualified: Vec<usize> = (1..=committee.members).filter(|d| !excluded.iter().any(|e| e.dealer == *d)).collect();
    if qualified.is_empty() {
        return Err(AggError::Committee("no dealer qualified: there is no key".into()));
    }
    let committee = committee.with_dealers(qualified.len())?;
    let a = session.mask();
    let mut b = vec![vec![0u128; RING_DEGREE]; committee.packing];
    for &dealer in &qualified {
        for (acc, poly) in b.iter_mut().zip(&contribution_of[dealer].expect("qualified").b) {
            ring::add_assign(acc, poly);
        }
    }
    let public = PublicKey::from_parts(committee, a, b);
    let mut share_pieces = Vec::new();
    for set in committee.piece_sets().into_iter().filter(|set| set & (1 << (member - 1)) != 0) {
        let mut sum = vec![vec![0u128; RING_DEGREE]; committee.packing];
        for &dealer in &qualified {
            let commitment = commitments[dealer].as_ref().expect("qualified");
            let contribution = contribution_of[dealer].expect("qualified");
            let of_set = |p: &&Piece| p.dealer == dealer && p.set == set;
            let fits = |p: &&Piece| piece_fits(session, commitment, contribution, p, verifier.is_some());
            let answered = answers.iter().filter(|p| p.recipient == member);
            let Some(piece) = pieces.iter().chain(answered).filter(of_set).find(fits) else {
                return Err(AggError::Committee(if pieces.iter().any(|p| of_set(&p)) {
                    format!("dealer {dealer}'s piece of set {set:#x} does not match its commitment or its proof: publish it as a complaint (`agg dkg check`)")
                } else {
                    format!("member {member} has no piece of set {set:#x} from dealer {dealer}: publish a complaint that it is missing (`agg dkg check --key`) and finish once the dealer has answered or the answer time is over")
                }));
            };
            for (acc, poly) in sum.iter_mut().zip(&piece.polys) {
                ring::add_assign(acc, poly);
            }
        }
        share_pieces.push((set, sum));
    }
    let share = KeyShare { committee, committee_id: public.id(), member, pieces: share_pieces };
    Ok((public, share, excluded))
}

#[cfg(test)]
mod tests;

/// Writes a dealer's seed owner-only (0600): it keeps it from its commitment until its key is
/// finished (its reveal and its answers to complaints of missing pieces need it).
pub fn save_seed(path: &Path, seed: &[u8; 32]) -> Result<(), AggError> {
    let mut bytes = artifact::encode_binary(ArtifactKind::DkgDealerSeed, seed);
    let result =
        artifact::write_atomic_private(path, &bytes).map_err(|source| AggError::Io { path: path.into(), source });
    bytes.zeroize();
    result
}

/// Reads a dealer's seed.
pub fn load_seed(path: &Path) -> Result<Zeroizing<[u8; 32]>, AggError> {
    let payload = Zeroizing::new(artifact::read_binary(path, ArtifactKind::DkgDealerSeed)?);
    let seed: [u8; 32] =
        payload.as_slice().try_into().map_err(|_| AggError::malformed(path, "a dealer seed has 32 bytes"))?;
    Ok(Zeroizing::new(seed))
}

/// 32 bytes of the operating system's entropy (a dealing seed, a session nonce).
pub fn fresh_seed() -> Zeroizing<[u8; 32]> {
    let mut seed = Zeroizing::new([0u8; 32]);
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, seed.as_mut());
    seed
}
