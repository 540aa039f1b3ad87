//! What a committee member checks before it decrypts: that the aggregate is the sum of the
//! update files it is shown, of enough distinct clients, and that it has not decrypted this
//! (committee, round) before.
//!
//! Why: a partial decryption of a one-client "aggregate" is a decryption of that client's
//! update, and shares of two aggregates of one round (with and without a client) reveal that
//! client by difference. A member therefore recomputes the sum itself (the aggregator is
//! untrusted), requires a minimum number of distinct clients (ids by ciphertext hash, so a
//! re-encoded header does not make a second client), and keeps a record beside its key of the
//! rounds it decrypted. Sybil clients are out of scope here: they need the registered signing
//! keys of the hostile-inputs work.

use crate::error::AggError;
use crate::update::EncryptedUpdate;
use std::io::Read;
use std::path::{Path, PathBuf};
use vsies_core::codec;
use vsies_core::ContentId;

/// Distinct clients an aggregate needs before a member decrypts it, unless told otherwise.
pub const DEFAULT_MIN_CLIENTS: usize = 3;

/// Largest decryption record read (one short line per decrypted round).
const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Checks that `aggregate` is exactly the sum of the update files `updates` and sums at least
/// `min_clients` distinct clients.
pub fn check_aggregate(aggregate: &EncryptedUpdate, updates: &[PathBuf], min_clients: usize) -> Result<(), AggError> {
    let recomputed = EncryptedUpdate::sum_files(updates)?;
    if recomputed.digest() != aggregate.digest() {
        return Err(AggError::NotTheSum { updates: updates.len() });
    }
    if recomputed.contributors.len() < min_clients {
        return Err(AggError::TooFewClients { found: recomputed.contributors.len(), min: min_clients });
    }
    Ok(())
}

/// The rounds a member has decrypted, kept in a text file beside its key share: one line
/// `committee-id round aggregate-digest` per decryption.
pub struct DecryptionRecord {
    path: PathBuf,
    entries: Vec<(ContentId, u64, String)>,
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
                let bad = || AggError::malformed(path, format!("line {}: not `committee round digest`", index + 1));
                let mut fields = line.split(' ');
                let committee = fields.next().and_then(|f| f.parse::<ContentId>().ok()).ok_or_else(bad)?;
                let round = fields.next().and_then(|f| f.parse::<u64>().ok()).ok_or_else(bad)?;
                let digest = fields.next().filter(|d| d.len() == 64).ok_or_else(bad)?.to_string();
                if fields.next().is_some() {
                    return Err(bad());
                }
                Ok((committee, round, digest))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { path: path.into(), entries })
    }

    /// Refuses a second decryption for the aggregate's committee and round.
    pub fn check(&self, aggregate: &EncryptedUpdate) -> Result<(), AggError> {
        let earlier = self.entries.iter().find(|(c, r, _)| *c == aggregate.committee_id && *r == aggregate.round);
        match earlier {
            Some((_, round, digest)) => {
                Err(AggError::AlreadyDecrypted { record: self.path.clone(), round: *round, digest: digest.clone() })
            }
            None => Ok(()),
        }
    }

    /// Records the decryption of `aggregate` (appended and synced before the share is
    /// released).
    pub fn append(&mut self, aggregate: &EncryptedUpdate) -> Result<(), AggError> {
        use std::io::Write;
        let io = |source| AggError::Io { path: self.path.clone(), source };
        let digest = codec::hex(&aggregate.digest());
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&self.path).map_err(io)?;
        writeln!(file, "{} {} {digest}", aggregate.committee_id, aggregate.round).map_err(io)?;
        file.sync_all().map_err(io)?;
        self.entries.push((aggregate.committee_id, aggregate.round, digest));
        Ok(())
    }
}
