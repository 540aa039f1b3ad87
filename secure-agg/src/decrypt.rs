//! Threshold decryption: each member's flooded partial decryption, and their combination
//! into the FedAvg model.
//!
//! Member `i` publishes, for every key piece `A` it holds and every value `k` of the
//! aggregate, `p_{A,k} = (c_1 * s_A)_k + f_{A,k}`, rounded to its top 64 bits, where `f` is
//! uniform in `[-F, F]` with `F = 2^40 * B` ([`params::flood_bound`]) and `B` bounds the
//! aggregate's noise ([`params::noise_bound`]). Combining takes one partial per piece from
//! any `T` members and computes `c_0 - sum_A p_A = Delta * m + e - sum_A f_A`, which rounds
//! to the message as long as the aggregate holds at most [`crate::Committee::max_clients`]
//! clients.
//!
//! Why the flooding: with every other piece known (a coalition of `T - 1` members plus the
//! published result `m`), a partial reveals `e + f`, and `e` depends on the secret key. A
//! uniform `f` on `[-F, F]` shifted by `|e| <= B` moves at most `B / F = 2^-40` of its
//! probability mass, so each published value is within statistical distance `2^-40` of one a
//! simulator computes without the key.

use crate::committee::KeyShare;
use crate::error::AggError;
use crate::params::{self, DELTA_LOG2, PARTIAL_BITS, RING_DEGREE};
use crate::ring;
use crate::update::{polynomials, EncryptedUpdate};
use rayon::prelude::*;
use std::path::Path;
use tfhe::core_crypto::commons::math::random::{RandomGenerator, Seeder};
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{self, CodecError, Reader, Writer};
use vsies_core::fedavg;
use vsies_core::{ContentId, Model, Schema};

const SHARE_TAG: &[u8] = b"vsies/agg-decryption-share/v1\n";

/// One member's partial decryption of one aggregate.
#[derive(Clone, Debug)]
pub struct DecryptionShare {
    /// The committee's id.
    pub committee_id: ContentId,
    /// 1-based member number.
    pub member: usize,
    /// [`EncryptedUpdate::digest`] of the aggregate decrypted.
    pub aggregate: [u8; 32],
    coordinates: usize,
    /// `(piece set, partial per value)`.
    partials: Vec<(u64, Vec<u64>)>,
}

/// `c_1 * s_A` for every value of the aggregate, lifted to 2^128 (the share-dependent term).
pub(crate) fn key_products(aggregate: &EncryptedUpdate, piece: &[ring::Poly]) -> Vec<u128> {
    let packing = aggregate.committee.packing;
    let coordinates = aggregate.coordinates();
    let products: Vec<Vec<u128>> = (0..polynomials(coordinates))
        .into_par_iter()
        .map(|poly| {
            let mask = aggregate.mask(poly / packing);
            let mut product = ring::multiply(&mask, &piece[poly % packing]);
            product.truncate(coordinates.min((poly + 1) * RING_DEGREE) - poly * RING_DEGREE);
            product
        })
        .collect();
    products.concat()
}

impl DecryptionShare {
    /// `share`'s partial decryption of `aggregate`, flooded with noise from `seeder` (the
    /// operating system's entropy: a predictable flood reveals the share).
    pub fn decrypt(share: &KeyShare, aggregate: &EncryptedUpdate, seeder: &mut dyn Seeder) -> Result<Self, AggError> {
        if share.committee_id != aggregate.committee_id {
            return Err(AggError::WrongCommittee {
                path: "the aggregate".into(),
                expected: share.committee_id,
                found: aggregate.committee_id,
            });
        }
        let clients = aggregate.contributors.len() as u64;
        let flood = params::flood_bound(clients, share.committee.dealers);
        let mut generator = RandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
        let partials = share
            .pieces
            .iter()
            .map(|(set, piece)| {
                let partial = key_products(aggregate, piece)
                    .into_iter()
                    .map(|p| {
                        let flooded = p.wrapping_add(ring::uniform_centered(&mut generator, flood));
                        ring::switch_down(flooded, PARTIAL_BITS) as u64
                    })
                    .collect();
                (*set, partial)
            })
            .collect();
        Ok(Self {
            committee_id: share.committee_id,
            member: share.member,
            aggregate: aggregate.digest(),
            coordinates: aggregate.coordinates(),
            partials,
        })
    }

    fn payload(&self) -> Vec<u8> {
        let mut out = Writer::new();
        out.raw(SHARE_TAG).cid(&self.committee_id).u32(self.member as u32).raw(&self.aggregate);
        out.u32(self.coordinates as u32).u32(self.partials.len() as u32);
        for (set, values) in &self.partials {
            out.u64(*set);
            values.iter().for_each(|&v| {
                out.u64(v);
            });
        }
        out.into_bytes()
    }

    /// Writes the share atomically.
    pub fn save(&self, path: &Path) -> Result<(), AggError> {
        artifact::write_binary(path, ArtifactKind::DecryptionShare, &self.payload()).map_err(AggError::from)
    }

    /// Reads and checks a share's structure.
    pub fn load(path: &Path) -> Result<Self, AggError> {
        let payload = artifact::read_binary(path, ArtifactKind::DecryptionShare)?;
        let codec = |err: CodecError| AggError::malformed(path, err.to_string());
        let mut reader = Reader::new(&payload);
        reader.expect("tag", SHARE_TAG).map_err(|_| AggError::malformed(path, "not a decryption share"))?;
        let committee_id = reader.cid("committee id").map_err(codec)?;
        let member = reader.u32("member").map_err(codec)? as usize;
        let aggregate: [u8; 32] = reader.array("aggregate").map_err(codec)?;
        let coordinates = reader.u32("coordinates").map_err(codec)? as usize;
        let count = reader.u32("partials").map_err(codec)?;
        let count = reader.count("partials", count.into(), 8 + 8 * coordinates).map_err(codec)?;
        let mut partials = Vec::with_capacity(count);
        for _ in 0..count {
            let set = reader.u64("piece set").map_err(codec)?;
            if set & (1 << (member.clamp(1, 64) - 1)) == 0 {
                return Err(AggError::malformed(path, format!("member {member} holds no piece of set {set:#x}")));
            }
            let values = reader.take("partial", 8 * coordinates).map_err(codec)?;
            partials
                .push((set, values.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8"))).collect()));
        }
        reader.finish().map_err(|_| AggError::malformed(path, "bytes after the partial decryptions"))?;
        Ok(Self { committee_id, member, aggregate, coordinates, partials })
    }
}

/// How [`combine`] treats key pieces that only one of the present members holds.
///
/// Why: a member that publishes a wrong partial (a corrupted byte, or a forgery that shifts a
/// value by a multiple of `Delta`) would make the combination decrypt a wrong model. Each piece
/// of the replicated sharing is held by `N - T + 1` members, so with `T + 1` members present
/// every piece has at least two present holders, whose honest partials differ only by their
/// flooding (at most `2F`); a partial further from another holder's is faulty, and with three
/// holders the odd one out is named. With exactly `T` members some pieces have a single
/// holder and cannot be cross-checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareCheck {
    /// Every piece is cross-checked between two present holders; a piece with a single
    /// present holder is refused ([`AggError::UncheckedPiece`]): `T + 1` members are needed.
    CrossChecked,
    /// Pieces with a single present holder are used as given (`T` members suffice). Only the
    /// rounding residue guards them: it catches most corruption, but a forgery that shifts a
    /// value by a multiple of `Delta` goes unnoticed.
    Unchecked,
}

/// Whether two holders' partials of one piece differ by no more than their flooding can.
fn partials_agree(a: &[u64], b: &[u64], tolerance: u64) -> bool {
    a.iter().zip(b).all(|(&x, &y)| (x.wrapping_sub(y) as i64).unsigned_abs() <= tolerance)
}

/// The partial of piece `set` to use, after cross-checking every present holder's.
fn checked_partial<'a>(
    set: u64,
    holders: &[(&'a Path, &'a DecryptionShare)],
    tolerance: u64,
    check: ShareCheck,
) -> Result<&'a [u64], AggError> {
    let partial_of = |share: &'a DecryptionShare, path: &Path| {
        share
            .partials
            .iter()
            .find(|(s, _)| *s == set)
            .map(|(_, values)| values.as_slice())
            .ok_or_else(|| AggError::malformed(path, format!("member {} lacks piece {set:#x}", share.member)))
    };
    let partials: Vec<(&Path, usize, &[u64])> = holders
        .iter()
        .map(|(path, share)| Ok((*path, share.member, partial_of(share, path)?)))
        .collect::<Result<_, AggError>>()?;
    match partials.as_slice() {
        [] => unreachable!("T distinct members hold every piece"),
        [(_, member, only)] => match check {
            ShareCheck::Unchecked => Ok(only),
            ShareCheck::CrossChecked => Err(AggError::UncheckedPiece { piece: set, member: *member }),
        },
        [(first_path, first, a), (second_path, second, b)] => {
            if partials_agree(a, b, tolerance) {
                Ok(a)
            } else {
                Err(AggError::InconsistentShares {
                    piece: set,
                    first: (*first, first_path.to_path_buf()),
                    second: (*second, second_path.to_path_buf()),
                })
            }
        }
        many => {
            // Three or more holders: a partial that disagrees with every other holder is
            // faulty and named; honest ones all agree with each other.
            for (index, (path, member, values)) in many.iter().enumerate() {
                let agreeing = many
                    .iter()
                    .enumerate()
                    .filter(|(other, (_, _, theirs))| *other != index && partials_agree(values, theirs, tolerance))
                    .count();
                if agreeing == 0 {
                    return Err(AggError::FaultyShare { path: path.to_path_buf(), member: *member, piece: set });
                }
            }
            Ok(many[0].2)
        }
    }
}

/// Combines decryption shares (each with the file it came from, named in errors) of
/// `aggregate` into the decrypted sum of weighted updates, mod 2^32, cross-checking the shares
/// as `check` says and refusing a sum whose rounding residue no honest set of shares gives.
pub fn combine_sum(
    aggregate: &EncryptedUpdate,
    shares: &[(&Path, DecryptionShare)],
    check: ShareCheck,
) -> Result<Vec<u32>, AggError> {
    let digest = aggregate.digest();
    let committee = aggregate.committee;
    let mut members: Vec<Option<(&Path, &DecryptionShare)>> = vec![None; committee.members + 1];
    for (path, share) in shares {
        if share.committee_id != aggregate.committee_id {
            return Err(AggError::WrongCommittee {
                path: path.into(),
                expected: aggregate.committee_id,
                found: share.committee_id,
            });
        }
        if share.aggregate != digest {
            return Err(AggError::WrongAggregate {
                path: path.into(),
                expected: codec::hex(&digest),
                found: codec::hex(&share.aggregate),
            });
        }
        if !(1..=committee.members).contains(&share.member) || share.coordinates != aggregate.coordinates() {
            return Err(AggError::malformed(path, "the share does not fit this committee and aggregate"));
        }
        if members[share.member].replace((path, share)).is_some() {
            return Err(AggError::DuplicateShare { path: path.into(), member: share.member });
        }
    }
    let present = members.iter().flatten().count();
    if present < committee.threshold {
        return Err(AggError::TooFewShares { found: present, threshold: committee.threshold });
    }
    let clients = aggregate.contributors.len() as u64;
    let flood = params::flood_bound(clients, committee.dealers);
    // Two honest partials of one piece differ by their floods (at most 2F) and one rounding
    // step each, at the partials' scale.
    let tolerance = u64::try_from((2 * flood) >> (128 - PARTIAL_BITS)).unwrap_or(u64::MAX).saturating_add(2);
    let mut opened: Vec<u128> = aggregate.bodies().collect();
    let sets = committee.piece_sets();
    for &set in &sets {
        let holders: Vec<(&Path, &DecryptionShare)> = (1..=committee.members)
            .filter(|member| set & (1 << (member - 1)) != 0)
            .filter_map(|member| members[member])
            .collect();
        let partial = checked_partial(set, &holders, tolerance, check)?;
        for (value, &p) in opened.iter_mut().zip(partial) {
            *value = value.wrapping_sub(ring::switch_up(u128::from(p), PARTIAL_BITS));
        }
    }
    // An honest combination is `Delta * m + e` with `|e|` below the noise, one flood and one
    // rounding per piece; anything further from a multiple of `Delta` comes from a faulty share.
    let residue_bound = params::noise_bound(clients, committee.dealers)
        + sets.len() as f64 * (flood as f64 + 2f64.powi(127 - PARTIAL_BITS as i32));
    let delta_mask = (1u128 << DELTA_LOG2) - 1;
    for (index, &value) in opened.iter().enumerate() {
        let residue = value & delta_mask;
        let distance = residue.min((1u128 << DELTA_LOG2) - residue);
        if distance as f64 > residue_bound {
            return Err(AggError::FaultyShares { value: index, distance_log2: (distance as f64).log2() });
        }
    }
    Ok(opened.into_iter().map(|value| ring::switch_down(value, 128 - DELTA_LOG2) as u32).collect())
}

/// Combines decryption shares into the FedAvg model of the aggregate. `schema` is needed only
/// when the updates did not embed theirs ([`crate::update::EMBEDDED_SCHEMA_LIMIT`]).
pub fn combine(
    aggregate: &EncryptedUpdate,
    shares: &[(&Path, DecryptionShare)],
    schema: Option<&Schema>,
    check: ShareCheck,
) -> Result<Model, AggError> {
    let shape = aggregate.model.shape(schema)?;
    let sum = combine_sum(aggregate, shares, check)?;
    Ok(fedavg::average(&shape, &sum)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::{generate, Committee};
    use crate::test_support::CountingSeeder;
    use crate::update::Aggregator;

    #[test]
    fn flooding_dominates_the_key_dependent_noise_by_2_to_the_40() {
        let committee = Committee::with_packing(4, 2, 2).unwrap();
        let mut seeder = CountingSeeder(7);
        let (public, shares) = generate(committee, &mut seeder);
        let model = crate::tests::toy_model(5000, 40);
        let mut aggregator = Aggregator::new(EncryptedUpdate::encrypt(&public, &model, 0, &mut seeder).unwrap());
        for _ in 0..3 {
            let next = EncryptedUpdate::encrypt(&public, &model, 0, &mut seeder).unwrap();
            aggregator.add(&next, Path::new("next")).unwrap();
        }
        let aggregate = aggregator.finish();
        // The test, unlike any party, reassembles the secret key from every piece.
        let mut secret = vec![vec![0u128; RING_DEGREE]; committee.packing];
        for set in committee.piece_sets() {
            let holder = shares.iter().find(|s| set & (1 << (s.member - 1)) != 0).unwrap();
            let (_, piece) = holder.pieces.iter().find(|(s, _)| *s == set).unwrap();
            secret.iter_mut().zip(piece).for_each(|(acc, p)| ring::add_assign(acc, p));
        }
        let expected = fedavg::sum_updates([fedavg::weighted_update(&model).unwrap().as_slice(); 4]);
        let bound = params::noise_bound(4, 1);
        let flood = params::flood_bound(4, 1);
        assert!(flood as f64 >= params::hidden_noise_bound(4, 1) * 2f64.powi(40));
        // The key-dependent term: the aggregate noise e = c_0 - c_1 * s - Delta * m.
        let products = key_products(&aggregate, &secret);
        let mut largest_noise = 0f64;
        for ((body, product), &m) in aggregate.bodies().zip(&products).zip(&expected) {
            let e = body.wrapping_sub(*product).wrapping_sub(u128::from(m) << DELTA_LOG2) as i128;
            largest_noise = largest_noise.max((e as f64).abs());
        }
        assert!(largest_noise > 0.0 && largest_noise <= bound, "noise {largest_noise:e} over the bound {bound:e}");
        assert!(flood as f64 >= largest_noise * 2f64.powi(40));
        // The flooding actually published: partial minus the exact key product, per value.
        let partial = DecryptionShare::decrypt(&shares[0], &aggregate, &mut seeder).unwrap();
        for (set, values) in &partial.partials {
            let (_, piece) = shares[0].pieces.iter().find(|(s, _)| s == set).unwrap();
            let exact = key_products(&aggregate, piece);
            let floods: Vec<f64> = values
                .iter()
                .zip(&exact)
                .map(|(&p, &x)| (ring::switch_up(u128::from(p), PARTIAL_BITS).wrapping_sub(x) as i128) as f64)
                .collect();
            let rounding = 2f64.powi(127 - PARTIAL_BITS as i32);
            let widest = floods.iter().fold(0f64, |acc, f| acc.max(f.abs()));
            assert!(widest <= flood as f64 + rounding, "flood {widest:e} exceeds F");
            // 5002 samples uniform on [-F, F]: the widest is above F / 2 except with 2^-5002.
            assert!(widest >= flood as f64 / 2.0, "flood {widest:e} is far below F = {flood:e}");
        }
        // And the members still decrypt the exact sum.
        let other = DecryptionShare::decrypt(&shares[3], &aggregate, &mut seeder).unwrap();
        let sum = combine_sum(&aggregate, &[(Path::new("a"), partial), (Path::new("b"), other)], ShareCheck::Unchecked)
            .unwrap();
        assert_eq!(sum, expected);
    }
}
