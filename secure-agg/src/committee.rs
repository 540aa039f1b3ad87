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
//! before returning. Whoever runs `vsies agg keygen --trusted-dealer` must be trusted not to
//! keep `s`; [`crate::dkg`] removes that trust (the members generate the key themselves).

use crate::error::AggError;
use crate::params::{self, binomial, DEFAULT_PACKING, MAX_MEMBERS, NOISE_BOUND_LOG2, RING_DEGREE};
use crate::ring::{self, Poly};
use std::path::{Path, PathBuf};
use tfhe::core_crypto::commons::math::random::{RandomGenerator, Seeder};
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{Reader, Writer};
use vsies_core::ContentId;
use zeroize::Zeroize;

/// Most key pieces a committee may have: each member stores up to this many 2 MiB pieces.
pub const MAX_PIECES: u64 = 256;
/// File name of the committee's public key in a committee directory.
pub const PUBLIC_KEY_FILE: &str = "public.key";

/// File name of member `member`'s key share (1-based).
pub fn share_file_name(member: usize) -> String {
    format!("member-{member}.key")
}

const PUBLIC_KEY_TAG: &[u8] = b"vsies/agg-public-key/v2\n";
const KEY_SHARE_TAG: &[u8] = b"vsies/agg-key-share/v2\n";

/// The committee's shape: `members` (N), `threshold` (T), how many body polynomials share
/// one mask (`packing`), and how many independent binary secrets the key's secret is the sum
/// of (`dealers`: 1 with a trusted dealer, the qualified members with [`crate::dkg`]), which
/// sets its noise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committee {
    /// Members, N.
    pub members: usize,
    /// Members needed to decrypt, T.
    pub threshold: usize,
    /// Body polynomials sharing one mask.
    pub packing: usize,
    /// Binary secrets summed into the key's secret.
    pub dealers: usize,
}

impl Committee {
    /// Checks `1 <= T <= N <= 64`, at most [`MAX_PIECES`] pieces, and a packing of 1 to 64.
    pub fn new(members: usize, threshold: usize) -> Result<Self, AggError> {
        Self::with_packing(members, threshold, DEFAULT_PACKING)
    }

    /// [`Committee::new`] with `packing` body polynomials per mask.
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
        Ok(Self { members, threshold, packing, dealers: 1 })
    }

    /// The committee with a key summed from `dealers` secrets (1 to `members`).
    pub fn with_dealers(self, dealers: usize) -> Result<Self, AggError> {
        if !(1..=self.members).contains(&dealers) {
            return Err(AggError::Committee(format!(
                "a key summed from {dealers} secrets; a {}-member committee has 1 to {} dealers",
                self.members, self.members
            )));
        }
        Ok(Self { dealers, ..self })
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
        params::max_clients_for(self.piece_sets().len(), self.dealers)
    }

    /// Writes the 20-byte header: ring degree, packing, members, threshold, dealers (`u32`
    /// each).
    pub(crate) fn write_header(&self, out: &mut Writer) {
        for value in [RING_DEGREE, self.packing, self.members, self.threshold, self.dealers] {
            out.u32(value as u32);
        }
    }

    /// Reads [`Committee::write_header`]'s fields.
    pub(crate) fn read_header(reader: &mut Reader<'_>, path: &Path) -> Result<Self, AggError> {
        let mut field =
            |name| reader.u32(name).map(|v| v as usize).map_err(|err| AggError::malformed(path, err.to_string()));
        let (degree, packing, members, threshold, dealers) =
            (field("ring degree")?, field("packing")?, field("members")?, field("threshold")?, field("dealers")?);
        if degree != RING_DEGREE {
            return Err(AggError::malformed(path, format!("ring degree {degree}, this build uses {RING_DEGREE}")));
        }
        Self::with_packing(members, threshold, packing)
            .and_then(|committee| committee.with_dealers(dealers))
            .map_err(|err| AggError::malformed(path, err.to_string()))
    }
}

/// The committee's public key: `a` and `b_j = a * s_j + e_j` for `j < packing`.
#[derive(Clone)]
pub struct PublicKey {
    /// The committee's shape.
    pub committee: Committee,
    pub(crate) a: Poly,
    pub(crate) b: Vec<Poly>,
    id: ContentId,
}

/// One member's key share: the pieces of every set containing the member. Zeroized on drop.
pub struct KeyShare {
    /// The committee's shape.
    pub committee: Committee,
    /// The committee's id.
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
    polys.iter_mut().for_each(|poly| poly.zeroize());
}

/// The dealer: draws the secret key, the public key and every member's share from `seeder`
/// (the operating system's entropy via [`tfhe::core_crypto::seeders::new_seeder`] for real
/// keys; a fixed seed only for tests and benches). The full secret key never leaves this
/// function.
pub fn generate(committee: Committee, seeder: &mut dyn Seeder) -> (PublicKey, Vec<KeyShare>) {
    let mut generator = RandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
    let a = ring::uniform(&mut generator);
    let secret: Vec<Poly> = (0..committee.packing).map(|_| ring::binary(&mut generator)).collect();
    let b = public_polys(&a, &secret, &mut generator);
    let public = PublicKey::new(committee, a, b);
    let mut pieces = split(secret, &committee.piece_sets(), &mut generator);
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

/// `b_j = a·s_j + e_j` for each polynomial `s_j` of `secret`, with fresh TUniform noise.
pub(crate) fn public_polys(
    a: &Poly,
    secret: &[Poly],
    generator: &mut RandomGenerator<DefaultRandomGenerator>,
) -> Vec<Poly> {
    secret
        .iter()
        .map(|s| {
            let mut b = ring::multiply(a, s);
            ring::add_assign(&mut b, &ring::noise(generator, NOISE_BOUND_LOG2, RING_DEGREE));
            b
        })
        .collect()
}

/// Splits `secret` additively into one piece per set of `sets`: every piece but the last is
/// uniform, the last makes them sum to `secret` mod 2^128. `secret` is wiped.
pub(crate) fn split(
    mut secret: Vec<Poly>,
    sets: &[u64],
    generator: &mut RandomGenerator<DefaultRandomGenerator>,
) -> Vec<(u64, Vec<Poly>)> {
    let packing = secret.len();
    let mut pieces: Vec<(u64, Vec<Poly>)> = Vec::with_capacity(sets.len());
    for &set in &sets[..sets.len() - 1] {
        pieces.push((set, (0..packing).map(|_| ring::uniform(generator)).collect()));
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
    pieces
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

pub(crate) fn push_polys(out: &mut Writer, polys: &[Poly]) {
    for &value in polys.iter().flatten() {
        out.u128(value);
    }
}

/// `count` polynomials of [`RING_DEGREE`] `u128` coefficients.
pub(crate) fn read_polys(reader: &mut Reader<'_>, count: usize, path: &Path) -> Result<Vec<Poly>, AggError> {
    let bytes = reader.take("polynomials", count * RING_DEGREE * 16).map_err(|_| {
        AggError::malformed(path, format!("expected {count} polynomials of {RING_DEGREE} coefficients"))
    })?;
    Ok(bytes
        .chunks_exact(RING_DEGREE * 16)
        .map(|poly| poly.chunks_exact(16).map(|c| u128::from_le_bytes(c.try_into().expect("16 bytes"))).collect())
        .collect())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AggError + '_ {
    move |source| AggError::Io { path: PathBuf::from(path), source }
}

impl PublicKey {
    /// The key `(a, b)` of `committee` (the distributed key generation's sum).
    pub(crate) fn from_parts(committee: Committee, a: Poly, b: Vec<Poly>) -> Self {
        Self::new(committee, a, b)
    }

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
        let mut out = Writer::new();
        out.raw(PUBLIC_KEY_TAG);
        self.committee.write_header(&mut out);
        push_polys(&mut out, std::slice::from_ref(&self.a));
        push_polys(&mut out, &self.b);
        out.into_bytes()
    }

    /// Writes `public.key` atomically.
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        artifact::write_binary(path, ArtifactKind::CommitteePublicKey, &self.payload()).map_err(AggError::from)
    }

    /// Reads `public.key`.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let payload = artifact::read_binary(path, ArtifactKind::CommitteePublicKey)?;
        let mut reader = Reader::new(&payload);
        reader.expect("tag", PUBLIC_KEY_TAG).map_err(|_| AggError::malformed(path, "not a committee key"))?;
        let committee = Committee::read_header(&mut reader, path)?;
        let mut polys = read_polys(&mut reader, committee.packing + 1, path)?;
        reader.finish().map_err(|err| AggError::malformed(path, err.to_string()))?;
        let b = polys.split_off(1);
        let a = polys.pop().expect("one polynomial");
        Ok(Self::new(committee, a, b))
    }
}

impl KeyShare {
    fn save(&self, path: &Path) -> Result<(), AggError> {
        let mut payload = Writer::new();
        payload.raw(KEY_SHARE_TAG).cid(&self.committee_id);
        self.committee.write_header(&mut payload);
        payload.u32(self.member as u32).u32(self.pieces.len() as u32);
        for (set, polys) in &self.pieces {
            payload.u64(*set);
            push_polys(&mut payload, polys);
        }
        let mut payload = payload.into_bytes();
        let mut bytes = artifact::encode_binary(ArtifactKind::CommitteeKeyShare, &payload);
        payload.zeroize();
        let result = artifact::write_atomic_private(path, &bytes);
        bytes.zeroize();
        result.map_err(io(path))
    }

    /// Reads `member-K.key`.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let mut payload = artifact::read_binary(path, ArtifactKind::CommitteeKeyShare)?;
        let result = Self::parse(&payload, path);
        payload.zeroize();
        result
    }

    fn parse(payload: &[u8], path: &Path) -> Result<Self, AggError> {
        let codec = |err: vsies_core::codec::CodecError| AggError::malformed(path, err.to_string());
        let mut reader = Reader::new(payload);
        reader.expect("tag", KEY_SHARE_TAG).map_err(|_| AggError::malformed(path, "not a committee key share"))?;
        let committee_id = reader.cid("committee id").map_err(codec)?;
        let committee = Committee::read_header(&mut reader, path)?;
        let member = reader.u32("member").map_err(codec)? as usize;
        let count = reader.u32("pieces").map_err(codec)? as usize;
        if !(1..=committee.members).contains(&member) {
            return Err(AggError::malformed(
                path,
                format!("member {member} of a {}-member committee", committee.members),
            ));
        }
        let expected: Vec<u64> =
            committee.piece_sets().into_iter().filter(|set| set & (1 << (member - 1)) != 0).collect();
        let piece_len = 8 + committee.packing * RING_DEGREE * 16;
        if count != expected.len() || reader.remaining() != count * piece_len {
            return Err(AggError::malformed(path, format!("member {member} must hold {} key pieces", expected.len())));
        }
        let mut pieces = Vec::with_capacity(count);
        for &set in &expected {
            if reader.u64("piece set").map_err(codec)? != set {
                return Err(AggError::malformed(path, "key piece sets are not the committee's"));
            }
            pieces.push((set, read_polys(&mut reader, committee.packing, path)?));
        }
        reader.finish().map_err(codec)?;
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
