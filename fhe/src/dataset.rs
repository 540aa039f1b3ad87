//! The encrypted dataset (`data.vsies`): every quantized feature as an LWE ciphertext.
//!
//! Two layouts, one artifact kind:
//! - **Secret-key rows** (the key owner): one seeded LWE list per row. Masks are regenerated
//!   from a 16-byte public seed, so a row of `d` features costs `16 + 8d` bytes (256 B for 30).
//! - **Compact public-key lists** (any contributor): `⌊2048/d⌋` rows share one list whose
//!   2048-coefficient mask is stored once, so a row costs `8d + 8 · 2048 / ⌊2048/d⌋` bytes:
//!   481 B for 30 features once lists are full (584 B on the 143-row test split, whose last
//!   list is partly empty).
//!
//! Labels are never encrypted or stored here: they stay with the owner.

use crate::error::FheError;
use crate::keys::{noise_distribution, parse_cid, read_u64s, PublicKey, SecretKey};
use crate::params::{decode, encode, LWE_DIMENSION};
use rayon::prelude::*;
use std::path::Path;
use tfhe::core_crypto::commons::math::random::{CompressionSeed, Seed};
use tfhe::core_crypto::prelude::*;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::{ContentId, FixedFormat, QuantizedDataset};

/// Rows encrypted per thread task (each task draws its own seeder).
const ROWS_PER_TASK: usize = 64;
const LAYOUT_SEEDED_ROWS: u8 = 0;
const LAYOUT_COMPACT_LISTS: u8 = 1;
/// Set in the layout byte when a 32-byte data commitment follows it.
const LAYOUT_HAS_COMMITMENT: u8 = 0x80;

/// The ciphertexts of a dataset in one of the two layouts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ciphertexts {
    /// Per row: the compression seed of its masks, then one body per feature (row-major).
    SeededRows { seeds: Vec<u128>, bodies: Vec<u64> },
    /// Compact lists of `rows_per_list` rows each (the last may be shorter), as tfhe-rs lays
    /// out an `LweCompactCiphertextList` container.
    CompactLists { rows_per_list: usize, lists: Vec<Vec<u64>> },
}

/// A quantized dataset encrypted under one key set.
#[derive(Clone, Debug, PartialEq)]
pub struct EncryptedDataset {
    /// Key set the ciphertexts belong to.
    pub key_id: ContentId,
    /// Schema the plaintext was validated and quantized under.
    pub schema_id: ContentId,
    /// Content id of the plaintext quantized dataset.
    pub dataset_id: ContentId,
    pub rows: usize,
    pub columns: usize,
    pub format: FixedFormat,
    /// The plaintext's Poseidon commitment, the one a validation proof (`vsies-zk`) states,
    /// as 32 big-endian bytes; set by [`EncryptedDataset::with_commitment`]. It ties the
    /// ciphertexts to a proof that the same data passed its schema.
    pub data_commitment: Option<[u8; 32]>,
    pub(crate) ciphertexts: Ciphertexts,
}

fn lwe_size() -> LweSize {
    LweDimension(LWE_DIMENSION).to_lwe_size()
}

fn seeded_row(seed: u128, bodies: &[u64]) -> SeededLweCiphertextListOwned<u64> {
    SeededLweCiphertextList::from_container(
        bodies.to_vec(),
        lwe_size(),
        CompressionSeed::from(Seed(seed)),
        CiphertextModulus::new_native(),
    )
}

/// `accumulator += weight · (a · X^shift)` in `Z/2^64[X]/(X^n + 1)`: coefficient `k` of
/// `a · X^shift` is `a[k - shift]` for `k ≥ shift` and `-a[n + k - shift]` below.
fn add_rotated(accumulator: &mut [u64], a: &[u64], shift: usize, weight: u64) {
    let n = a.len();
    let (low, high) = accumulator.split_at_mut(shift);
    for (acc, &c) in high.iter_mut().zip(&a[..n - shift]) {
        *acc = acc.wrapping_add(c.wrapping_mul(weight));
    }
    for (acc, &c) in low.iter_mut().zip(&a[n - shift..]) {
        *acc = acc.wrapping_sub(c.wrapping_mul(weight));
    }
}

/// Rows per compact list: as many whole rows as fit in one 2048-value mask.
fn rows_per_compact_list(columns: usize) -> usize {
    (LWE_DIMENSION / columns).max(1)
}

impl EncryptedDataset {
    /// Encrypts with the owner's secret key (the compact layout of 256 B per 30-feature row).
    pub fn encrypt_with_secret_key(data: &QuantizedDataset, key: &SecretKey) -> Self {
        let columns = data.columns;
        let chunks: Vec<(Vec<u128>, Vec<u64>)> = data
            .values
            .par_chunks(columns * ROWS_PER_TASK)
            .map(|chunk| {
                let mut seeder = new_seeder();
                let mut seeds = Vec::with_capacity(chunk.len() / columns);
                let mut bodies = Vec::with_capacity(chunk.len());
                for row in chunk.chunks(columns) {
                    let seed = seeder.seed();
                    let plaintexts =
                        PlaintextList::from_container(row.iter().map(|&x| encode(x.into())).collect::<Vec<_>>());
                    let mut list = seeded_row(seed.0, &vec![0; columns]);
                    encrypt_seeded_lwe_ciphertext_list(
                        &key.key,
                        &mut list,
                        &plaintexts,
                        noise_distribution(),
                        seeder.as_mut(),
                    );
                    seeds.push(seed.0);
                    bodies.extend_from_slice(list.as_ref());
                }
                (seeds, bodies)
            })
            .collect();
        let (seeds, bodies) = chunks.into_iter().fold((Vec::new(), Vec::new()), |(mut s, mut b), (cs, cb)| {
            s.extend(cs);
            b.extend(cb);
            (s, b)
        });
        Self::new(data, key.key_id(), Ciphertexts::SeededRows { seeds, bodies })
    }

    /// Encrypts with the compact public key: what a contributor without the secret key does.
    pub fn encrypt_with_public_key(data: &QuantizedDataset, key: &PublicKey) -> Self {
        let rows_per_list = rows_per_compact_list(data.columns);
        let lists = data
            .values
            .par_chunks(data.columns * rows_per_list)
            .map(|chunk| {
                let mut seeder = new_seeder();
                let mut generator =
                    EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), seeder.as_mut());
                let plaintexts =
                    PlaintextList::from_container(chunk.iter().map(|&x| encode(x.into())).collect::<Vec<_>>());
                let mut list = LweCompactCiphertextList::new(
                    0u64,
                    lwe_size(),
                    LweCiphertextCount(chunk.len()),
                    CiphertextModulus::new_native(),
                );
                encrypt_lwe_compact_ciphertext_list_with_compact_public_key(
                    &key.key,
                    &mut list,
                    &plaintexts,
                    noise_distribution(),
                    noise_distribution(),
                    generator.noise_generator_mut(),
                );
                list.into_container()
            })
            .collect();
        Self::new(data, key.key_id(), Ciphertexts::CompactLists { rows_per_list, lists })
    }

    fn new(data: &QuantizedDataset, key_id: ContentId, ciphertexts: Ciphertexts) -> Self {
        Self {
            key_id,
            schema_id: data.schema_id,
            dataset_id: data.content_id(),
            rows: data.rows(),
            columns: data.columns,
            format: data.format,
            data_commitment: None,
            ciphertexts,
        }
    }

    /// Records the plaintext's data commitment (computed by the caller, e.g. with
    /// `vsies_zk::DataRelation::commit_dataset`).
    pub fn with_commitment(self, commitment: [u8; 32]) -> Self {
        Self { data_commitment: Some(commitment), ..self }
    }

    /// Whether this was encrypted with the public key.
    pub fn is_public_key_encrypted(&self) -> bool {
        matches!(self.ciphertexts, Ciphertexts::CompactLists { .. })
    }

    /// The weighted sum `Σ_j weights_j · ct_(row, j)` of every row's ciphertexts, as one LWE
    /// ciphertext (mask then body) per row, computed in parallel.
    ///
    /// Secret-key rows regenerate each feature's mask from the row seed. Compact lists never
    /// expand: feature `i` of a list has mask `a · X^i` in `Z[X]/(X^n + 1)` (tfhe-rs's
    /// expansion), so the row's weighted mask is accumulated from rotations of the one shared
    /// mask `a`, with no 16 KiB-per-feature intermediate.
    pub(crate) fn par_weighted_rows(&self, weights: &[u64]) -> Vec<Vec<u64>> {
        let columns = self.columns;
        let weighted = |masks: &mut dyn FnMut(usize, &mut [u64], u64), bodies: &[u64]| {
            let mut accumulator = vec![0u64; LWE_DIMENSION + 1];
            let (mask, body) = accumulator.split_at_mut(LWE_DIMENSION);
            for (j, (&weight, &b)) in weights.iter().zip(bodies).enumerate() {
                masks(j, mask, weight);
                body[0] = body[0].wrapping_add(b.wrapping_mul(weight));
            }
            accumulator
        };
        match &self.ciphertexts {
            Ciphertexts::SeededRows { seeds, bodies } => seeds
                .par_iter()
                .zip(bodies.par_chunks(columns))
                .map(|(&seed, row_bodies)| {
                    let list = seeded_row(seed, row_bodies).decompress_into_lwe_ciphertext_list();
                    let mut add_mask = |j: usize, mask: &mut [u64], weight: u64| {
                        let ciphertext =
                            &list.as_ref()[j * (LWE_DIMENSION + 1)..j * (LWE_DIMENSION + 1) + LWE_DIMENSION];
                        for (m, &c) in mask.iter_mut().zip(ciphertext) {
                            *m = m.wrapping_add(c.wrapping_mul(weight));
                        }
                    };
                    weighted(&mut add_mask, row_bodies)
                })
                .collect(),
            Ciphertexts::CompactLists { rows_per_list, lists } => lists
                .par_iter()
                .flat_map_iter(|container| {
                    let (shared, list_bodies) = container.split_at(LWE_DIMENSION);
                    let rows = list_bodies.len() / columns;
                    (0..rows.min(*rows_per_list)).map(move |row| {
                        let mut add_mask = |j: usize, mask: &mut [u64], weight: u64| {
                            add_rotated(mask, shared, row * columns + j, weight);
                        };
                        weighted(&mut add_mask, &list_bodies[row * columns..(row + 1) * columns])
                    })
                })
                .collect(),
        }
    }

    /// Calls `visit(first_row, ciphertexts)` for blocks of consecutive rows, in parallel,
    /// with each row's `columns` LWE ciphertexts expanded (masks regenerated or unrolled).
    pub(crate) fn par_map_row_blocks<T: Send>(
        &self,
        visit: impl Fn(usize, &LweCiphertextListOwned<u64>) -> Vec<T> + Sync,
    ) -> Vec<T> {
        let columns = self.columns;
        let blocks: Vec<Vec<T>> = match &self.ciphertexts {
            Ciphertexts::SeededRows { seeds, bodies } => seeds
                .par_iter()
                .zip(bodies.par_chunks(columns))
                .enumerate()
                .map(|(row, (&seed, row_bodies))| {
                    visit(row, &seeded_row(seed, row_bodies).decompress_into_lwe_ciphertext_list())
                })
                .collect(),
            Ciphertexts::CompactLists { rows_per_list, lists } => lists
                .par_iter()
                .enumerate()
                .map(|(index, container)| {
                    let count = container.len() - LWE_DIMENSION;
                    let list = LweCompactCiphertextList::from_container(
                        container.clone(),
                        lwe_size(),
                        LweCiphertextCount(count),
                        CiphertextModulus::new_native(),
                    );
                    visit(index * rows_per_list, &list.expand_into_lwe_ciphertext_list())
                })
                .collect(),
        };
        blocks.into_iter().flatten().collect()
    }

    /// Decrypts every feature (the owner checking what it encrypted).
    pub fn decrypt(&self, key: &SecretKey) -> Result<Vec<i32>, FheError> {
        self.check_key(key.key_id())?;
        Ok(self.par_map_row_blocks(|_, list| {
            list.iter().map(|ct| decode(decrypt_lwe_ciphertext(&key.key, &ct).0) as i32).collect::<Vec<_>>()
        }))
    }

    pub(crate) fn check_key(&self, key_id: ContentId) -> Result<(), FheError> {
        if key_id != self.key_id {
            return Err(FheError::WrongKeys {
                what: "the encrypted dataset".into(),
                expected: key_id,
                found: self.key_id,
            });
        }
        Ok(())
    }

    /// Ciphertext bytes per row as stored (seeds, bodies and shared masks).
    pub fn stored_bytes_per_row(&self) -> f64 {
        let total: usize = match &self.ciphertexts {
            Ciphertexts::SeededRows { seeds, bodies } => 16 * seeds.len() + 8 * bodies.len(),
            Ciphertexts::CompactLists { lists, .. } => lists.iter().map(|l| 8 * l.len()).sum(),
        };
        total as f64 / self.rows.max(1) as f64
    }

    fn to_payload(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for id in [self.key_id, self.schema_id, self.dataset_id] {
            out.extend_from_slice(&id.to_bytes());
        }
        out.extend_from_slice(&(self.rows as u64).to_le_bytes());
        out.extend_from_slice(&(self.columns as u32).to_le_bytes());
        out.extend_from_slice(&[self.format.bits as u8, self.format.frac_bits as u8]);
        let flag = if self.data_commitment.is_some() { LAYOUT_HAS_COMMITMENT } else { 0 };
        let layout = match &self.ciphertexts {
            Ciphertexts::SeededRows { .. } => LAYOUT_SEEDED_ROWS,
            Ciphertexts::CompactLists { .. } => LAYOUT_COMPACT_LISTS,
        };
        out.push(layout | flag);
        if let Some(commitment) = &self.data_commitment {
            out.extend_from_slice(commitment);
        }
        match &self.ciphertexts {
            Ciphertexts::SeededRows { seeds, bodies } => {
                for (seed, row) in seeds.iter().zip(bodies.chunks(self.columns)) {
                    out.extend_from_slice(&seed.to_le_bytes());
                    row.iter().for_each(|body| out.extend_from_slice(&body.to_le_bytes()));
                }
            }
            Ciphertexts::CompactLists { rows_per_list, lists } => {
                out.extend_from_slice(&(*rows_per_list as u32).to_le_bytes());
                for list in lists {
                    list.iter().for_each(|c| out.extend_from_slice(&c.to_le_bytes()));
                }
            }
        }
        out
    }

    fn from_payload(payload: &[u8], path: &Path) -> Result<Self, FheError> {
        let malformed = |reason: &str| FheError::malformed(path, reason);
        if payload.len() < 36 * 3 + 8 + 4 + 3 {
            return Err(malformed("header truncated"));
        }
        let key_id = parse_cid(&payload[..36], path)?;
        let schema_id = parse_cid(&payload[36..72], path)?;
        let dataset_id = parse_cid(&payload[72..108], path)?;
        let rows = u64::from_le_bytes(payload[108..116].try_into().expect("8 bytes"));
        let columns = u32::from_le_bytes(payload[116..120].try_into().expect("4 bytes")) as usize;
        let format = FixedFormat { bits: payload[120].into(), frac_bits: payload[121].into() }
            .validate()
            .map_err(|err| malformed(&err.to_string()))?;
        let rows = usize::try_from(rows).map_err(|_| malformed("row count"))?;
        if columns == 0 || columns > LWE_DIMENSION {
            return Err(malformed("feature count must be 1 to 2048"));
        }
        let values = rows.checked_mul(columns).ok_or_else(|| malformed("row count"))?;
        let (layout, mut body) = (payload[122], &payload[123..]);
        let data_commitment = if layout & LAYOUT_HAS_COMMITMENT != 0 {
            let commitment = body.get(..32).ok_or_else(|| malformed("data commitment truncated"))?;
            body = &body[32..];
            Some(commitment.try_into().expect("32 bytes"))
        } else {
            None
        };
        let ciphertexts = match layout & !LAYOUT_HAS_COMMITMENT {
            LAYOUT_SEEDED_ROWS => {
                if Some(body.len()) != rows.checked_mul(16 + 8 * columns) {
                    return Err(malformed("ciphertext bytes do not match the row and feature counts"));
                }
                let mut seeds = Vec::with_capacity(rows);
                let mut bodies = Vec::with_capacity(values);
                for row in body.chunks_exact(16 + 8 * columns) {
                    seeds.push(u128::from_le_bytes(row[..16].try_into().expect("16 bytes")));
                    bodies.extend(read_u64s(&row[16..], path)?);
                }
                Ciphertexts::SeededRows { seeds, bodies }
            }
            LAYOUT_COMPACT_LISTS => {
                if body.len() < 4 {
                    return Err(malformed("compact layout header truncated"));
                }
                let rows_per_list = u32::from_le_bytes(body[..4].try_into().expect("4 bytes")) as usize;
                if rows_per_list != rows_per_compact_list(columns) {
                    return Err(malformed("rows per compact list differ from this build's layout"));
                }
                let coefficients = read_u64s(&body[4..], path)?;
                let mut lists = Vec::new();
                let mut rest = coefficients.as_slice();
                let mut remaining = values;
                while remaining > 0 {
                    let count = remaining.min(rows_per_list * columns);
                    let size = LWE_DIMENSION + count;
                    if rest.len() < size {
                        return Err(malformed("compact lists truncated"));
                    }
                    lists.push(rest[..size].to_vec());
                    rest = &rest[size..];
                    remaining -= count;
                }
                if !rest.is_empty() {
                    return Err(malformed("bytes after the last compact list"));
                }
                Ciphertexts::CompactLists { rows_per_list, lists }
            }
            _ => return Err(malformed("unknown ciphertext layout")),
        };
        Ok(Self { key_id, schema_id, dataset_id, rows, columns, format, data_commitment, ciphertexts })
    }

    /// Writes `data.vsies` atomically.
    pub fn save(&self, path: &Path) -> Result<(), FheError> {
        artifact::write_binary(path, ArtifactKind::EncryptedDataset, &self.to_payload()).map_err(FheError::from)
    }

    /// Reads and checks `data.vsies`.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::EncryptedDataset)?;
        Self::from_payload(&payload, path)
    }
}
