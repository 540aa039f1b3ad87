//! What a committee member checks before it decrypts: that the aggregate is the sum of the
//! update files it is shown, of enough distinct clients, and that it has not decrypted this
//! (committee, round) before.
//!
//! Why: a partial decryption of a one-client "aggregate" is a decryption of that client's
//! update, and shares of two aggregates of one round (with and without a client) reveal that
//! client by difference. A member therefore recomputes the sum itself (the aggregator is
//! untrusted), requires a minimum number of distinct clients (ids by ciphertext hash, so a
//! re-encoded header does not make a second client), and keeps a record beside its key of the
//! rounds it decrypted. Sybil clients are kept out by the client registry: with one, every
//! update must be signed by a distinct client registered for the committee ([`check_signed`]).

use crate::committee::KeyShare;
use crate::error::AggError;
use crate::proof::UpdateChecker;
use crate::signing::{format_address, ClientRegistry};
use crate::update::{Aggregator, EncryptedUpdate};
use std::io::Read;
use std::path::{Path, PathBuf};
use vsies_core::codec;
use vsies_core::ContentId;

/// Distinct clients an aggregate needs before a member decrypts it, unless told otherwise; also
/// the floor: a smaller minimum is raised to it, because with two clients each learns the
/// other's update from the published FedAvg model, and with one the model is the update.
pub const DEFAULT_MIN_CLIENTS: usize = 3;

/// log2 of the statistical distance a member's key may spend over its lifetime: every
/// published partial value costs at most `2^-40` ([`crate::params::FLOOD_SECURITY_BITS`]), so a
/// member publishes at most `2^(40 - 20) = 2^20` partial values (pieces held times values,
/// summed over its decryptions) before its record refuses more: the committee must then be
/// replaced (a new `agg keygen`).
pub const LIFETIME_DISTANCE_LOG2: i32 = -20;

/// Partial values a member may publish over its lifetime ([`LIFETIME_DISTANCE_LOG2`]).
pub fn lifetime_value_budget() -> u64 {
    1u64 << (crate::params::FLOOD_SECURITY_BITS as i32 + LIFETIME_DISTANCE_LOG2)
}

/// Largest decryption record read (one short line per decrypted round).
const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Checks that `aggregate` is exactly the sum of the update files `updates` and sums at least
/// `min_clients` distinct clients (never fewer than [`DEFAULT_MIN_CLIENTS`]); with a `registry`, also that every update is signed, for
/// this committee and round, by a distinct address registered with the committee; with
/// `proofs`, that every update carries a valid proof of honest encryption
/// ([`crate::proof`]), without which a crafted mask would reveal the member's key pieces.
pub fn check_aggregate(
    aggregate: &EncryptedUpdate,
    updates: &[PathBuf],
    min_clients: usize,
    registry: Option<&ClientRegistry>,
    proofs: Option<&UpdateChecker>,
) -> Result<(), AggError> {
    // One file in memory at a time.
    let loaded = updates.iter().map(|path| Ok((path.as_path(), EncryptedUpdate::load(path)?)));
    check_aggregate_of(aggregate, loaded, min_clients, registry, proofs)
}

/// [`check_aggregate`] over updates already in memory (or loaded lazily), each with the label
/// its errors name (a file, or a client).
pub fn check_aggregate_of<'a>(
    aggregate: &EncryptedUpdate,
    updates: impl IntoIterator<Item = Result<(&'a Path, EncryptedUpdate), AggError>>,
    min_clients: usize,
    registry: Option<&ClientRegistry>,
    proofs: Option<&UpdateChecker>,
) -> Result<(), AggError> {
    if let Some(registry) = registry {
        if registry.committee_id != aggregate.committee_id {
            return Err(AggError::WrongCommittee {
                path: "the client registry".into(),
                expected: aggregate.committee_id,
                found: registry.committee_id,
            });
        }
    }
    let mut signers = std::collections::BTreeSet::new();
    let mut aggregator: Option<Aggregator> = None;
    let mut count = 0;
    for item in updates {
        let (path, update) = item?;
        count += 1;
        if let Some(registry) = registry {
            check_signed(&update, path, registry, &mut signers)?;
        }
        if let Some(proofs) = proofs {
            proofs.check(&update, path)?;
        }
        match aggregator.as_mut() {
            None => aggregator = Some(Aggregator::new(update)),
            Some(aggregator) => aggregator.add(&update, path)?,
        }
    }
    let recomputed = aggregator.ok_or_else(|| AggError::Committee("no updates to sum".into()))?.finish();
    if recomputed.digest() != aggregate.digest() {
        return Err(AggError::NotTheSum { updates: count });
    }
    let min = min_clients.max(DEFAULT_MIN_CLIENTS);
    if recomputed.contributors.len() < min {
        return Err(AggError::TooFewClients { found: recomputed.contributors.len(), min });
    }
    Ok(())
}

/// One client update's signature: present, valid for its committee, round and ciphertext,
/// by a registered address not in `signers` (which it joins).
pub fn check_signed(
    update: &EncryptedUpdate,
    path: &Path,
    registry: &ClientRegistry,
    signers: &mut std::collections::BTreeSet<crate::signing::Address>,
) -> Result<(), AggError> {
    let [id] = update.contributors[..] else {
        return Err(AggError::malformed(path, "an aggregate where a client's signed update belongs"));
    };
    let signature = update.signature.ok_or_else(|| AggError::UnsignedUpdate { path: path.into() })?;
    let address = format_address(&signature.address);
    if !signature.verify(&update.committee_id, update.round, &id) {
        return Err(AggError::BadSignature { path: path.into(), address });
    }
    if !registry.contains(&signature.address) {
        return Err(AggError::UnregisteredClient { path: path.into(), address });
    }
    if !signers.insert(signature.address) {
        return Err(AggError::ClientTwice { path: path.into(), address });
    }
    Ok(())
}

/// The rounds a member has decrypted, kept in a text file beside its key share: one line
/// `committee-id round aggregate-digest partial-values` per decryption.
pub struct DecryptionRecord {
    path: PathBuf,
    entries: Vec<Entry>,
}

struct Entry {
    committee: ContentId,
    round: u64,
    digest: String,
    values: u64,
}

impl DecryptionRecord {
    /// The record file for the key share at `share` (`member-K.key.decrypted`).
    pub fn path_for(share: &Path) -> PathBuf {
        let mut name = share.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".decrypted");
        share.with_file_name(name)
    }

    /// Reads the record at `path` (none yet: empty).
    pub fn open(path: &Path) -> Result<Self, AggError> {
        let io = |source| AggError::Io { path: path.into(), source };
        let mut text = String::new();
        match std::fs::File::open(path) {
            Ok(file) => {
                file.take(MAX_RECORD_BYTES + 1).read_to_string(&mut text).map_err(io)?;
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(io(err)),
        }
        if text.len() as u64 > MAX_RECORD_BYTES {
            return Err(AggError::malformed(path, "larger than a decryption record can be"));
        }
        let entries = text
            .lines()
            .enumerate()
            .map(|(index, line)| {
                let bad =
                    || AggError::malformed(path, format!("line {}: not `committee round digest values`", index + 1));
                let mut fields = line.split(' ');
                let committee = fields.next().and_then(|f| f.parse::<ContentId>().ok()).ok_or_else(bad)?;
                let round = fields.next().and_then(|f| f.parse::<u64>().ok()).ok_or_else(bad)?;
                let digest = fields.next().filter(|d| d.len() == 64).ok_or_else(bad)?.to_string();
                let values = fields.next().and_then(|f| f.parse::<u64>().ok()).ok_or_else(bad)?;
                if fields.next().is_some() {
                    return Err(bad());
                }
                Ok(Entry { committee, round, digest, values })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { path: path.into(), entries })
    }

    /// Refuses a second decryption for the aggregate's committee and round, and one that
    /// would take the member's published partial values (the pieces `share` holds times the
    /// aggregate's values, summed over the record) past [`lifetime_value_budget`].
    pub fn check(&self, aggregate: &EncryptedUpdate, share: &KeyShare) -> Result<(), AggError> {
        let mine = || self.entries.iter().filter(|e| e.committee == aggregate.committee_id);
        if let Some(earlier) = mine().find(|e| e.round == aggregate.round) {
            return Err(AggError::AlreadyDecrypted {
                record: self.path.clone(),
                round: earlier.round,
                digest: earlier.digest.clone(),
            });
        }
        let spent: u64 = mine().map(|e| e.values).sum();
        let asked = Self::values(aggregate, share.pieces.len());
        if spent.saturating_add(asked) > lifetime_value_budget() {
            return Err(AggError::FloodBudgetSpent {
                record: self.path.clone(),
                spent,
                asked,
                budget: lifetime_value_budget(),
            });
        }
        Ok(())
    }

    /// Partial values a share of `aggregate` with `pieces` pieces publishes.
    fn values(aggregate: &EncryptedUpdate, pieces: usize) -> u64 {
        (aggregate.coordinates() as u64).saturating_mul(pieces as u64)
    }

    /// Records `share`'s decryption of `aggregate` (appended and synced before the share is
    /// released).
    pub fn append(&mut self, aggregate: &EncryptedUpdate, share: &KeyShare) -> Result<(), AggError> {
        use std::io::Write;
        let pieces = share.pieces.len();
        let io = |source| AggError::Io { path: self.path.clone(), source };
        let digest = codec::hex(&aggregate.digest());
        let values = Self::values(aggregate, pieces);
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&self.path).map_err(io)?;
        writeln!(file, "{} {} {digest} {values}", aggregate.committee_id, aggregate.round).map_err(io)?;
        file.sync_all().map_err(io)?;
        self.entries.push(Entry { committee: aggregate.committee_id, round: aggregate.round, digest, values });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::committee::{generate, Committee};
    use crate::test_support::{toy_model, CountingSeeder};

    #[test]
    fn the_record_refuses_a_second_round_and_a_spent_budget() {
        let committee = Committee::with_packing(3, 2, 1).unwrap();
        let mut seeder = CountingSeeder(5);
        let (public, shares) = generate(committee, &mut seeder);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("member-1.key.decrypted");
        let mut record = DecryptionRecord::open(&path).unwrap();
        let update = |round| {
            EncryptedUpdate::encrypt(&public, &toy_model(40, 9), round, &mut CountingSeeder(round.into())).unwrap()
        };
        let first = update(1);
        record.check(&first, &shares[0]).unwrap();
        record.append(&first, &shares[0]).unwrap();
        // Reopened from its file: the round is remembered.
        let record = DecryptionRecord::open(&path).unwrap();
        assert!(matches!(record.check(&update(1), &shares[0]), Err(AggError::AlreadyDecrypted { round: 1, .. })));
        record.check(&update(2), &shares[0]).unwrap();
        // A record whose published values reach the budget refuses any further share.
        let line = std::fs::read_to_string(&path).unwrap();
        let spent =
            line.trim_end().rsplit_once(' ').unwrap().0.to_string() + &format!(" {}\n", lifetime_value_budget());
        std::fs::write(&path, spent).unwrap();
        let record = DecryptionRecord::open(&path).unwrap();
        assert!(matches!(record.check(&update(2), &shares[0]), Err(AggError::FloodBudgetSpent { .. })));
        // A damaged record is an error, not an empty record.
        std::fs::write(&path, "not a record\n").unwrap();
        assert!(DecryptionRecord::open(&path).is_err());
    }
}
