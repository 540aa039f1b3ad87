//! The messages of the distributed key generation, their encodings and signatures.
//!
//! Every message names the session and its dealer and is signed by the dealer's registered
//! secp256k1 key over keccak256 of its encoding (signature excluded), so a message proves
//! who sent it: a piece that does not match its dealer's commitment is evidence against the
//! dealer, and two commitments of one dealer are evidence of equivocation.

use super::proof::ContributionProof;
use super::Session;
use crate::committee::{push_polys, read_polys};
use crate::error::AggError;
use crate::ring::Poly;
use crate::signing::{ClientKey, ClientSignature};
use sha3::{Digest, Keccak256};
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{CodecError, Reader, Writer};
use zeroize::Zeroize;

const COMMITMENT_TAG: &[u8] = b"vsies/dkg-commitment/v1\n";
const CONTRIBUTION_TAG: &[u8] = b"vsies/dkg-contribution/v1\n";
const PIECE_TAG: &[u8] = b"vsies/dkg-piece/v1\n";
const PIECE_HASH_TAG: &[u8] = b"vsies/dkg-piece-hash/v1\n";
const CONTRIBUTION_HASH_TAG: &[u8] = b"vsies/dkg-contribution-hash/v1\n";
const MISSING_TAG: &[u8] = b"vsies/dkg-missing-piece/v1\n";

/// Round 1, broadcast: a dealer's commitment to its public-key contribution and to every key
/// piece it will deal, before it sees anyone else's contribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commitment {
    /// The session id.
    pub session: [u8; 32],
    /// The dealer (1-based member number).
    pub dealer: usize,
    /// keccak256 of its contribution ([`contribution_hash`]).
    pub contribution: [u8; 32],
    /// Per piece set, in the committee's order, [`piece_hash`] of the piece.
    pub pieces: Vec<[u8; 32]>,
    /// The dealer's signature.
    pub signature: ClientSignature,
}

/// Round 2, broadcast: a dealer's contribution `b_i = a·s_i + e_i` to the public key.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    /// The session id.
    pub session: [u8; 32],
    /// The dealer.
    pub dealer: usize,
    /// `b_{i,j}` for `j < packing`.
    pub(crate) b: Vec<Poly>,
    /// Its proof of well-formedness (required when the session names a verifying key).
    pub proof: Option<ContributionProof>,
    /// The dealer's signature.
    pub signature: ClientSignature,
}

/// Round 2, private to one holder of a piece set: the dealer's piece of its secret for the
/// set. Wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Piece {
    /// The session id.
    pub session: [u8; 32],
    /// The dealer.
    pub dealer: usize,
    /// The member it is addressed to.
    pub recipient: usize,
    /// The piece set (bit `k - 1` for member `k`).
    pub set: u64,
    /// The salt of its hash in the commitment.
    pub salt: [u8; 32],
    /// `s_{i,A,j}` for `j < packing`.
    pub(crate) polys: Vec<Poly>,
    /// The dealer's signature.
    pub signature: ClientSignature,
}

/// Round 3, broadcast: a member's complaint that a dealer sent it no piece of a set it holds.
/// The dealer answers by publishing that piece on the board ([`super::Dealing::answer`]); one
/// that does not is excluded. Publishing is safe where the channels are private and reliable,
/// as the protocol assumes: an honest dealer's pieces arrive, so a complaint against one comes
/// from a dishonest member, who holds the set and learns nothing new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingPiece {
    /// The session id.
    pub session: [u8; 32],
    /// The member that complains (it signs the complaint).
    pub member: usize,
    /// The dealer it complains about.
    pub dealer: usize,
    /// The piece set (one the member holds).
    pub set: u64,
    /// The member's signature.
    pub signature: ClientSignature,
}

impl Drop for Piece {
    fn drop(&mut self) {
        self.polys.iter_mut().for_each(|poly| poly.zeroize());
    }
}

impl std::fmt::Debug for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Piece {{ dealer: {}, recipient: {}, set: {:#x} }}", self.dealer, self.recipient, self.set)
    }
}

/// keccak256 of a contribution's polynomials, bound to its session and dealer.
pub fn contribution_hash(session: &[u8; 32], dealer: usize, b: &[Poly]) -> [u8; 32] {
    let mut out = Writer::new();
    out.raw(CONTRIBUTION_HASH_TAG).raw(session).u32(dealer as u32);
    push_polys(&mut out, b);
    Keccak256::digest(out.into_bytes()).into()
}

/// keccak256 of a piece, its set and salt, bound to its session and dealer (not to its
/// recipient: every holder of the set gets the same piece).
pub fn piece_hash(session: &[u8; 32], dealer: usize, set: u64, salt: &[u8; 32], polys: &[Poly]) -> [u8; 32] {
    let mut out = Writer::new();
    out.raw(PIECE_HASH_TAG).raw(session).u32(dealer as u32).u64(set).raw(salt);
    push_polys(&mut out, polys);
    let mut bytes = out.into_bytes();
    let digest = Keccak256::digest(&bytes).into();
    bytes.zeroize();
    digest
}

fn signed(body: &[u8]) -> [u8; 32] {
    Keccak256::digest(body).into()
}

fn push_signature(out: &mut Writer, signature: &ClientSignature) {
    out.raw(&signature.address).raw(&signature.signature);
}

fn read_signature(reader: &mut Reader<'_>) -> Result<ClientSignature, CodecError> {
    Ok(ClientSignature { address: reader.array("signer")?, signature: reader.array("signature")? })
}

/// Checks that `signature` is the session's member `dealer`'s over `body`.
fn check_signer(
    session: &Session,
    dealer: usize,
    body: &[u8],
    signature: &ClientSignature,
    path: &Path,
) -> Result<(), AggError> {
    let expected =
        session.address(dealer).ok_or_else(|| AggError::malformed(path, format!("dealer {dealer} is not a member")))?;
    if signature.address != expected || !signature.verify_digest(&signed(body)) {
        return Err(AggError::malformed(path, format!("not signed by member {dealer}'s key")));
    }
    Ok(())
}

/// A message file: its tag, then the body the signature covers, then the signature.
fn save(path: &Path, body: Vec<u8>, signature: &ClientSignature, private: bool) -> Result<(), AggError> {
    let mut out = Writer::new();
    out.raw(&body);
    push_signature(&mut out, signature);
    let mut payload = out.into_bytes();
    let result = if private {
        let mut bytes = artifact::encode_binary(ArtifactKind::DkgMessage, &payload);
        let result =
            artifact::write_atomic_private(path, &bytes).map_err(|source| AggError::Io { path: path.into(), source });
        bytes.zeroize();
        result
    } else {
        artifact::write_binary(path, ArtifactKind::DkgMessage, &payload).map_err(AggError::from)
    };
    payload.zeroize();
    result
}

/// Reads a message file: the body (after the tag check) and the signature.
fn load(path: &Path, tag: &[u8]) -> Result<(Vec<u8>, ClientSignature), AggError> {
    let mut payload = artifact::read_binary(path, ArtifactKind::DkgMessage)?;
    if payload.len() < tag.len() + 85 || !payload.starts_with(tag) {
        payload.zeroize();
        return Err(AggError::malformed(path, "not this kind of key-generation message"));
    }
    let mut reader = Reader::new(&payload[payload.len() - 85..]);
    let signature = read_signature(&mut reader).map_err(|err| AggError::malformed(path, err.to_string()))?;
    payload.truncate(payload.len() - 85);
    Ok((payload, signature))
}

/// The fields every message starts with (after its tag): its session id and dealer.
struct Head {
    session: [u8; 32],
    dealer: usize,
}

/// Reads the message file `path` of kind `tag`: `fields` reads what follows the session and
/// dealer; then the reader must be at its end, the session must be `session` and the
/// signature its dealer's. The body is wiped after (a piece is secret).
fn read_message<T>(
    path: &Path,
    session: &Session,
    tag: &[u8],
    fields: impl FnOnce(&mut Reader<'_>, Head, ClientSignature) -> Result<T, AggError>,
) -> Result<T, AggError> {
    let (mut body, signature) = load(path, tag)?;
    let result = (|| {
        let codec = |err: CodecError| AggError::malformed(path, err.to_string());
        let mut reader = Reader::new(&body);
        reader.expect("tag", tag).map_err(codec)?;
        let id = reader.array("session").map_err(codec)?;
        let dealer = reader.u32("dealer").map_err(codec)? as usize;
        let value = fields(&mut reader, Head { session: id, dealer }, signature)?;
        reader.finish().map_err(codec)?;
        session.check_id(&id, path)?;
        check_signer(session, dealer, &body, &signature, path)?;
        Ok(value)
    })();
    body.zeroize();
    result
}

/// A message's encoding without its signature, and its signature.
trait Signed: Sized {
    fn body(&self) -> Vec<u8>;
    fn signature_mut(&mut self) -> &mut ClientSignature;

    /// The message signed by `key` over keccak256 of its body (wiped after).
    fn signed_by(mut self, key: &ClientKey) -> Self {
        let mut body = self.body();
        *self.signature_mut() = key.sign_digest(&signed(&body));
        body.zeroize();
        self
    }
}

impl Signed for Commitment {
    fn body(&self) -> Vec<u8> {
        let mut out = Writer::new();
        out.raw(COMMITMENT_TAG).raw(&self.session).u32(self.dealer as u32).raw(&self.contribution);
        out.u32(self.pieces.len() as u32);
        self.pieces.iter().for_each(|hash| {
            out.raw(hash);
        });
        out.into_bytes()
    }

    fn signature_mut(&mut self) -> &mut ClientSignature {
        &mut self.signature
    }
}

impl Commitment {
    pub(crate) fn signed_by(self, key: &ClientKey) -> Self {
        Signed::signed_by(self, key)
    }

    /// keccak256 of the commitment (what its signature covers): the contribution proof
    /// states it, so the pieces are fixed before the proof's point is drawn.
    pub fn digest(&self) -> [u8; 32] {
        signed(&self.body())
    }

    /// Writes the commitment.
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        save(path, self.body(), &self.signature, false)
    }

    /// Reads a commitment and checks it: the session's, signed by its dealer, one hash per
    /// piece set.
    pub fn load(path: &Path, session: &Session) -> Result<Self, AggError> {
        read_message(path, session, COMMITMENT_TAG, |reader, head, signature| {
            let codec = |err: CodecError| AggError::malformed(path, err.to_string());
            let contribution = reader.array("contribution hash").map_err(codec)?;
            let count = reader.u32("pieces").map_err(codec)? as usize;
            let sets = session.committee.piece_sets().len();
            if count != sets {
                return Err(AggError::malformed(
                    path,
                    format!("{count} piece hashes; the committee has {sets} piece sets"),
                ));
            }
            let pieces = (0..count).map(|_| reader.array("piece hash")).collect::<Result<_, _>>().map_err(codec)?;
            Ok(Self { session: head.session, dealer: head.dealer, contribution, pieces, signature })
        })
    }
}

impl Signed for Contribution {
    fn body(&self) -> Vec<u8> {
        let mut out = Writer::new();
        out.raw(CONTRIBUTION_TAG).raw(&self.session).u32(self.dealer as u32);
        push_polys(&mut out, &self.b);
        match &self.proof {
            None => {
                out.u8(0);
            }
            Some(proof) => {
                out.u8(1);
                proof.push(&mut out);
            }
        }
        out.into_bytes()
    }

    fn signature_mut(&mut self) -> &mut ClientSignature {
        &mut self.signature
    }
}

impl Contribution {
    pub(crate) fn signed_by(self, key: &ClientKey) -> Self {
        Signed::signed_by(self, key)
    }

    /// Writes the contribution.
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        save(path, self.body(), &self.signature, false)
    }

    /// Reads a contribution, checking its session and signature.
    pub fn load(path: &Path, session: &Session) -> Result<Self, AggError> {
        read_message(path, session, CONTRIBUTION_TAG, |reader, head, signature| {
            let b = read_polys(reader, session.committee.packing, path)?;
            let proof = match reader.u8("proof flag").map_err(|err| AggError::malformed(path, err.to_string()))? {
                0 => None,
                1 => Some(ContributionProof::read(reader, session.committee.piece_sets().len(), path)?),
                _ => return Err(AggError::malformed(path, "the proof flag is neither 0 nor 1")),
            };
            Ok(Self { session: head.session, dealer: head.dealer, b, proof, signature })
        })
    }

    /// Whether this is the contribution `commitment` committed to.
    pub fn matches(&self, commitment: &Commitment) -> bool {
        self.dealer == commitment.dealer
            && contribution_hash(&self.session, self.dealer, &self.b) == commitment.contribution
    }
}

impl Signed for Piece {
    fn body(&self) -> Vec<u8> {
        let mut out = Writer::new();
        out.raw(PIECE_TAG).raw(&self.session).u32(self.dealer as u32).u32(self.recipient as u32);
        out.u64(self.set).raw(&self.salt);
        push_polys(&mut out, &self.polys);
        out.into_bytes()
    }

    fn signature_mut(&mut self) -> &mut ClientSignature {
        &mut self.signature
    }
}

impl Piece {
    pub(crate) fn signed_by(self, key: &ClientKey) -> Self {
        Signed::signed_by(self, key)
    }

    /// Writes the piece owner-only (0600): it is a share of the dealer's secret.
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        save(path, self.body(), &self.signature, true)
    }

    /// Writes the piece for the public board, readable by all (a complaint's evidence, or an
    /// answer to a complaint of a missing piece: published by design).
    pub fn publish(&self, path: &Path) -> Result<(), AggError> {
        save(path, self.body(), &self.signature, false)
    }

    /// Reads a piece, checking its session and its dealer's signature (not yet its hash).
    pub fn load(path: &Path, session: &Session) -> Result<Self, AggError> {
        let piece = read_message(path, session, PIECE_TAG, |reader, head, signature| {
            let codec = |err: CodecError| AggError::malformed(path, err.to_string());
            let recipient = reader.u32("recipient").map_err(codec)? as usize;
            let set = reader.u64("set").map_err(codec)?;
            let salt = reader.array("salt").map_err(codec)?;
            let polys = read_polys(reader, session.committee.packing, path)?;
            Ok(Self { session: head.session, dealer: head.dealer, recipient, set, salt, polys, signature })
        })?;
        let (recipient, set) = (piece.recipient, piece.set);
        if !session.committee.piece_sets().contains(&set)
            || !(1..=session.committee.members).contains(&recipient)
            || set & (1 << (recipient - 1)) == 0
        {
            return Err(AggError::malformed(path, format!("member {recipient} does not hold piece set {set:#x}")));
        }
        Ok(piece)
    }

    /// Whether the piece is the one `commitment` committed to for its set.
    pub fn matches(&self, session: &Session, commitment: &Commitment) -> bool {
        let Some(index) = session.committee.piece_sets().iter().position(|s| *s == self.set) else {
            return false;
        };
        self.dealer == commitment.dealer
            && piece_hash(&self.session, self.dealer, self.set, &self.salt, &self.polys) == commitment.pieces[index]
    }
}

impl Signed for MissingPiece {
    fn body(&self) -> Vec<u8> {
        let mut out = Writer::new();
        out.raw(MISSING_TAG).raw(&self.session).u32(self.member as u32).u32(self.dealer as u32).u64(self.set);
        out.into_bytes()
    }

    fn signature_mut(&mut self) -> &mut ClientSignature {
        &mut self.signature
    }
}

impl MissingPiece {
    /// Member `member`'s signed complaint that `dealer` sent it no piece of `set`.
    pub fn new(session: &Session, member: usize, dealer: usize, set: u64, key: &ClientKey) -> Self {
        let unsigned = ClientSignature { address: [0; 20], signature: [0; 65] };
        Self { session: session.id(), member, dealer, set, signature: unsigned }.signed_by(key)
    }

    /// Writes the complaint.
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        save(path, self.body(), &self.signature, false)
    }

    /// Reads a complaint and checks it: the session's, signed by its member, about a dealer
    /// of the session and a set the member holds.
    pub fn load(path: &Path, session: &Session) -> Result<Self, AggError> {
        let complaint = read_message(path, session, MISSING_TAG, |reader, head, signature| {
            let codec = |err: CodecError| AggError::malformed(path, err.to_string());
            let dealer = reader.u32("dealer").map_err(codec)? as usize;
            let set = reader.u64("set").map_err(codec)?;
            Ok(Self { session: head.session, member: head.dealer, dealer, set, signature })
        })?;
        if !complaint.is_well_addressed(session) {
            return Err(AggError::malformed(
                path,
                format!(
                    "member {} complains about dealer {} and set {:#x}, which do not fit the session",
                    complaint.member, complaint.dealer, complaint.set
                ),
            ));
        }
        Ok(complaint)
    }

    /// Whether the dealer is a member and the member holds the set.
    pub(crate) fn is_well_addressed(&self, session: &Session) -> bool {
        let members = session.committee.members;
        (1..=members).contains(&self.dealer)
            && (1..=members).contains(&self.member)
            && self.set & (1 << (self.member - 1)) != 0
            && session.committee.piece_sets().contains(&self.set)
    }
}
