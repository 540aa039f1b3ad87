//! Committee keys: one public encryption key, and for each member a share of the secret key
//! such that any `T` of the `N` members can decrypt an aggregate and any `T - 1` learn nothing.
//!
//! **Sharing.** The secret key `s` (32 binary polynomials) is split additively into one
//! *piece* per set of `N - T + 1` members, `s = sum_A s_A mod 2^128`, every piece but one
//! uniformly random; member `i` holds the pieces of the sets containing `i`. Any `T` members
//! meet every such set, so together they hold every piece; `T - 1` members miss exactly the set
//! of the other `N - T + 1`, so one uniform piece is hidden from them and their pieces are
//! independent of `s`. This replicated sharing works over `Z_{2^128}` directly, where Shamir's
//! Lagrange coefficients do not exist, and keeps the reconstruction coefficients at 1, so the
//! flooding noise is never multiplied up. It needs `C(N, T - 1)` pieces, which bounds the
//! committee size ([`MAX_PIECES`]).
//!
//! **Dealer.** [`generate`] is a trusted dealer: it holds `s` in memory while it computes the
//! public key and the pieces, writes only the public key and the shares, and overwrites `s`
//! before returning. Whoever runs `vsies agg keygen` must be trusted not to keep `s` (for
//! example by running it on an air-gapped machine and deleting nothing but the shares it
//! hands out); a distributed key generation would remove that trust and is future work.

use crate::error::AggError;
use crate::params::{self, binomial, DEFAULT_PACKING, MAX_MEMBERS, NOISE_BOUND_LOG2, RING_DEGREE};
use crate::ring::{self, Poly};
use std::path::{Path, PathBuf};
use tfhe::core_crypto::commons::math::random::{RandomGenerator, Seeder};
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::ContentId;

/// Most key pieces a committee may have: each member stores up to this many 2 MiB pieces.
pub const MAX_PIECES: u64 = 256;
pub const PUBLIC_KEY_FILE: &str = "public.key";

/// File name of member `member`'s key share (1-based).
pub fn share_file_name(member: usize) -> String {
    format!("member-{member}.key")
}

const PUBLIC_KEY_TAG: &[u8] = b"vsies/agg-public-key/v1\n";
const KEY_SHARE_TAG: &[u8] = b"vsies/agg-key-share/v1\n";

/// The committee's shape: `members` (N), `threshold` (T) and how many body polynomials share
/// one mask (`packing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committee {
    pub members: usize,
    pub threshold: usize,
    pub packing: usize,
}

impl Committee {
    /// Checks `1 <= T <= N <= 64`, at most [`MAX_PIECES`] pieces, and a packing of 1 to 64.
    pub fn new(members: usize, threshold: usize) -> Result<Self, AggError> {
        Self::with_packing(members, threshold, DEFAULT_PACKING)
    }

    pub fn with_packing(members: usize, threshold: usize, packing: usize) -> Result<Self, AggError> {
        let fail = |reason: String| Err(AggError::Committee(reason));
        if !(1..=MAX_MEMBERS).contains(&members) {
            return fail(format!("{members} members; a committee has 1 to {MAX_MEMBERS}"));
        }
        if !(1..=members).contains(&threshold) {
            return fail(format!("threshold {threshold} for {members} members; it must be 1 to {members}"));
        }
        let pieces = binomial(members, threshold - 1);
        if pieces > MAX_PIECES {
            return fail(format!(
                "{members} members with threshold {threshold} need C({members}, {}) = {pieces} key pieces, more than {MAX_PIECES}",
                threshold - 1
            ));
        }
        if !(1..=64).contains(&packing) {
            return fail(format!("packing {packing}; it must be 1 to 64 polynomials per mask"));
        }
        Ok(Self { members, threshold, packing })
    }

    /// The piece sets: every set of `N - T + 1` members, as bit masks (bit `i - 1` for member
    /// `i`), in increasing order.
    pub fn piece_sets(&self) -> Vec<u64> {
        let size = self.members - self.threshold + 1;
        let end = 1u128 << self.members;
        let mut sets = Vec::new();
        let mut set: u128 = (1u128 << size) - 1;
        while set < end {
            sets.push(set as u64);
            // Gosper's hack: the next larger integer with the same number of set bits.
            let lowest = set & set.wrapping_neg();
            let ripple = set + lowest;
            set = ripple | (((set ^ ripple) >> 2) / lowest);
        }
        sets
    }

    /// How many clients one aggregate may hold and still decrypt exactly.
    pub fn max_clients(&self) -> u64 {
        params::max_clients_for(self.piece_sets().len())
    }

    pub(crate) fn header(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        for (i, value) in [RING_DEGREE, self.packing, self.members, self.threshold].into_iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&(value as u32).to_le_bytes());
        }
        out
    }

    pub(crate) fn parse_header(bytes: &[u8], path: &Path) -> Result<Self, AggError> {
        let field =
            |i: usize| bytes.get(4 * i..4 * i + 4).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize);
        let (Some(degree), Some(packing), Some(members), Some(threshold)) = (field(0), field(1), field(2), field(3))
        else {
            return Err(AggError::malformed(path, "truncated committee header"));
        };
        if degree != RING_DEGREE {
            return Err(AggError::malformed(path, format!("ring degree {degree}, this build uses {RING_DEGREE}")));
        }
        Self::with_packing(members, threshold, packing).map_err(|err| AggError::malformed(path, err.to_string()))
    }
}

/// The committee's public key: `a` and `b_j = a * s_j + e_j` for `j < packing`.
#[derive(Clone)]
pub struct PublicKey {
    pub committee: Committee,
    pub(crate) a: Poly,
    pub(crate) b: Vec<Poly>,
    id: ContentId,
}

/// One member's key share: the pieces of every set containing the member. Zeroized on drop.
pub struct KeyShare {
    pub committee: Committee,
    pub committee_id: ContentId,
    /// 1-based member number.
    pub member: usize,
    /// `(set, s_{A, j} for j < packing)` for each piece set `A` containing the member.
    pub(crate) pieces: Vec<(u64, Vec<Poly>)>,
}

impl Drop for KeyShare {
    fn drop(&mut self) {
        for (_, polys) in &mut self.pieces {
            wipe(polys);
        }
    }
}

fn wipe(polys: &mut [Poly]) {
    for value in polys.iter_mut().flatten() {
        // Volatile so the compiler cannot elide stores to memory about to be freed.
        unsafe { std::ptr::write_volatile(value, 0) };
    }
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

/// The dealer: draws the secret key, the public key and every member's share from `seeder`
/// (the operating system's entropy via [`tfhe::core_crypto::seeders::new_seeder`] for real
/// keys; a fixed seed only for tests and benches). The full secret key never leaves this
/// function.
pub fn generate(committee: Committee, seeder: &mut dyn Seeder) -> (PublicKey, Vec<KeyShare>) {
    let mut generator = RandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
    let a = ring::uniform(&mut generator);
    let mut secret: Vec<Poly> = (0..committee.packing).map(|_| ring::binary(&mut generator)).collect();
    let b = secret
        .iter()
        .map(|s| {
            let mut b = ring::multiply(&a, s);
            ring::add_assign(&mut b, &ring::noise(&mut generator, NOISE_BOUND_LOG2, RING_DEGREE));
            b
        })
        .collect();
    let public = PublicKey::new(committee, a, b);
    let sets = committee.piece_sets();
    // Every piece but the last is uniform; the last makes them sum to the secret.
    let mut pieces: Vec<(u64, Vec<Poly>)> = Vec::with_capacity(sets.len());
    for &set in &sets[..sets.len() - 1] {
        pieces.push((set, (0..committee.packing).map(|_| ring::uniform(&mut generator)).collect()));
    }
    let mut last = secret.clone();
    for (_, polys) in &pieces {
        for (acc, piece) in last.iter_mut().zip(polys) {
            for (x, &y) in acc.iter_mut().zip(piece) {
                *x = x.wrapping_sub(y);
            }
        }
    }
    pieces.push((sets[sets.len() - 1], last));
    wipe(&mut secret);
    let shares = (1..=committee.members)
        .map(|member| KeyShare {
            committee,
            committee_id: public.id,
            member,
            pieces: pieces
                .iter()
                .filter(|(set, _)| set & (1 << (member - 1)) != 0)
                .map(|(set, polys)| (*set, polys.clone()))
                .collect(),
        })
        .collect();
    for (_, polys) in &mut pieces {
        wipe(polys);
    }
    (public, shares)
}

/// Writes `public.key` and `member-K.key` (0600) for every member into `directory`.
pub fn save_all(public: &PublicKey, shares: &[KeyShare], directory: &Path) -> Result<(), AggError> {
    std::fs::create_dir_all(directory).map_err(|source| AggError::Io { path: directory.into(), source })?;
    public.save(&directory.join(PUBLIC_KEY_FILE))?;
    for share in shares {
        share.save(&directory.join(share_file_name(share.member)))?;
    }
    Ok(())
}

fn push_polys(out: &mut Vec<u8>, polys: &[Poly]) {
    for value in polys.iter().flatten() {
        out.extend_from_slice(&value.to_le_bytes());
    }
}

fn read_polys(bytes: &[u8], count: usize, path: &Path) -> Result<Vec<Poly>, AggError> {
    if bytes.len() != count * RING_DEGREE * 16 {
        return Err(AggError::malformed(path, format!("expected {count} polynomials of {RING_DEGREE} coefficients")));
    }
    Ok(bytes
        .chunks_exact(RING_DEGREE * 16)
        .map(|poly| poly.chunks_exact(16).map(|c| u128::from_le_bytes(c.try_into().expect("16 bytes"))).collect())
        .collect())
}

pub(crate) fn parse_cid(bytes: &[u8], path: &Path) -> Result<ContentId, AggError> {
    let prefix = ContentId::from_digest([0; 32]).to_bytes();
    if bytes.len() != 36 || bytes[..4] != prefix[..4] {
        return Err(AggError::malformed(path, "bad content id"));
    }
    Ok(ContentId::from_digest(bytes[4..].try_into().expect("32 bytes")))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AggError + '_ {
    move |source| AggError::Io { path: PathBuf::from(path), source }
}

impl PublicKey {
    fn new(committee: Committee, a: Poly, b: Vec<Poly>) -> Self {
        let mut key = Self { committee, a, b, id: ContentId::from_digest([0; 32]) };
        key.id = ContentId::of(&key.payload());
        key
    }

    /// The committee id: the content id of this key's encoding. Every ciphertext, share and
    /// decryption share records it.
    pub fn id(&self) -> ContentId {
        self.id
    }

    fn payload(&self) -> Vec<u8> {
        let mut out = PUBLIC_KEY_TAG.to_vec();
        out.extend_from_slice(&self.committee.header());
        push_polys(&mut out, std::slice::from_ref(&self.a));
        push_polys(&mut out, &self.b);
        out
    }

    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        artifact::write_binary(path, ArtifactKind::CommitteePublicKey, &self.payload()).map_err(AggError::from)
    }

    /// Reads `public.key`.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let payload = artifact::read_binary(path, ArtifactKind::CommitteePublicKey)?;
        let rest =
            payload.strip_prefix(PUBLIC_KEY_TAG).ok_or_else(|| AggError::malformed(path, "not a committee key"))?;
        let committee = Committee::parse_header(rest, path)?;
        let mut polys = read_polys(&rest[16..], committee.packing + 1, path)?;
        let b = polys.split_off(1);
        let a = polys.pop().expect("one polynomial");
        Ok(Self::new(committee, a, b))
    }
}

impl KeyShare {
    fn save(&self, path: &Path) -> Result<(), AggError> {
        let mut payload = KEY_SHARE_TAG.to_vec();
        payload.extend_from_slice(&self.committee_id.to_bytes());
        payload.extend_from_slice(&self.committee.header());
        payload.extend_from_slice(&(self.member as u32).to_le_bytes());
        payload.extend_from_slice(&(self.pieces.len() as u32).to_le_bytes());
        for (set, polys) in &self.pieces {
            payload.extend_from_slice(&set.to_le_bytes());
            push_polys(&mut payload, polys);
        }
        let bytes = artifact::encode_binary(ArtifactKind::CommitteeKeyShare, &payload);
        payload.fill(0);
        let result = artifact::write_atomic_private(path, &bytes);
        drop(bytes);
        result.map_err(io(path))
    }

    /// Reads `member-K.key`.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let mut payload = artifact::read_binary(path, ArtifactKind::CommitteeKeyShare)?;
        let result = Self::parse(&payload, path);
        payload.fill(0);
        result
    }

    fn parse(payload: &[u8], path: &Path) -> Result<Self, AggError> {
        let rest = payload
            .strip_prefix(KEY_SHARE_TAG)
            .ok_or_else(|| AggError::malformed(path, "not a committee key share"))?;
        if rest.len() < 36 + 16 + 8 {
            return Err(AggError::malformed(path, "truncated key share header"));
        }
        let committee_id = parse_cid(&rest[..36], path)?;
        let committee = Committee::parse_header(&rest[36..52], path)?;
        let member = u32::from_le_bytes(rest[52..56].try_into().expect("4 bytes")) as usize;
        let count = u32::from_le_bytes(rest[56..60].try_into().expect("4 bytes")) as usize;
        if !(1..=committee.members).contains(&member) {
            return Err(AggError::malformed(
                path,
                format!("member {member} of a {}-member committee", committee.members),
            ));
        }
        let expected: Vec<u64> =
            committee.piece_sets().into_iter().filter(|set| set & (1 << (member - 1)) != 0).collect();
        let piece_len = 8 + committee.packing * RING_DEGREE * 16;
        let body = &rest[60..];
        if count != expected.len() || body.len() != count * piece_len {
            return Err(AggError::malformed(path, format!("member {member} must hold {} key pieces", expected.len())));
        }
        let mut pieces = Vec::with_capacity(count);
        for (chunk, &set) in body.chunks_exact(piece_len).zip(&expected) {
            if u64::from_le_bytes(chunk[..8].try_into().expect("8 bytes")) != set {
                return Err(AggError::malformed(path, "key piece sets are not the committee's"));
            }
            pieces.push((set, read_polys(&chunk[8..], committee.packing, path)?));
        }
        Ok(Self { committee, committee_id, member, pieces })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piece_sets_are_every_set_of_n_minus_t_plus_1_members() {
        let committee = Committee::new(5, 3).unwrap();
        let sets = committee.piece_sets();
        assert_eq!(sets.len(), 10);
        assert!(sets.iter().all(|s| s.count_ones() == 3 && *s < 32));
        assert!(sets.windows(2).all(|w| w[0] < w[1]));
        // Any 3 members meet every set; 2 members miss one.
        assert!(sets.iter().all(|s| s & 0b00111 != 0));
        assert_eq!(sets.iter().filter(|s| *s & 0b00011 == 0).count(), 1);
        assert_eq!(Committee::new(4, 1).unwrap().piece_sets(), vec![0b1111]);
        assert_eq!(Committee::new(3, 3).unwrap().piece_sets(), vec![0b001, 0b010, 0b100]);
    }

    #[test]
    fn impossible_committees_are_refused() {
        assert!(Committee::new(0, 1).is_err());
        assert!(Committee::new(3, 4).is_err());
        assert!(Committee::new(5, 0).is_err());
        assert!(Committee::new(20, 11).is_err()); // C(20, 10) pieces
        assert!(Committee::with_packing(5, 3, 0).is_err());
    }
}
