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
use crate::keys::{decode_error, noise_distribution, read_u64s, PublicKey, SecretKey};
use crate::params::{decode, encode, LWE_DIMENSION};
use crate::proofs::{self, EncryptionCrs, ProofContext};
use rayon::prelude::*;
use std::path::Path;
use tfhe::core_crypto::commons::math::random::{CompressionSeed, Seed};
use tfhe::core_crypto::prelude::*;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{CodecError, Reader, Writer};
use vsies_core::{ContentId, DataCommitment, FixedFormat, QuantizedDataset};

/// Rows encrypted per thread task (each task draws its own seeder).
const ROWS_PER_TASK: usize = 64;
const LAYOUT_SEEDED_ROWS: u8 = 0;
const LAYOUT_COMPACT_LISTS: u8 = 1;
const LAYOUT_PROVED_LISTS: u8 = 2;
/// Set in the layout byte when a 32-byte data commitment follows it.
const LAYOUT_HAS_COMMITMENT: u8 = 0x80;

/// The ciphertexts of a dataset in one of the two layouts.
#[derive(Clone, Debug, PartialEq)]
pub enum Ciphertexts {
    /// Per row: the compression seed of its masks, then one body per feature (row-major).
    SeededRows {
        /// One seed per row.
        seeds: Vec<u128>,
        /// `rows * columns` bodies, row-major.
        bodies: Vec<u64>,
    },
    /// Compact lists of `rows_per_list` rows each (the last may be shorter), as tfhe-rs lays
    /// out an `LweCompactCiphertextList` container.
    CompactLists {
        /// Rows per list.
        rows_per_list: usize,
        /// Each list: the shared 2048-coefficient mask, then one body per value.
        lists: Vec<Vec<u64>>,
    },
    /// Compact lists of offset features (`x − min`), each with its proof of well-formed
    /// encryption ([`crate::proofs`]).
    ProvedLists {
        /// Rows per list.
        rows_per_list: usize,
        /// Each list, as in [`Ciphertexts::CompactLists`].
        lists: Vec<Vec<u64>>,
        /// Each list's serialized tfhe-rs proof.
        proofs: Vec<Vec<u8>>,
        /// The CRS the proofs were made with.
        crs_id: ContentId,
    },
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
    /// Rows.
    pub rows: usize,
    /// Feature columns.
    pub columns: usize,
    /// The plaintext features' fixed-point format.
    pub format: FixedFormat,
    /// The plaintext's data commitment, the one a validation proof (`vsies-zk`) states; set by
    /// [`EncryptedDataset::with_commitment`]. It names the rows the owner says it encrypted;
    /// nothing here proves the ciphertexts encrypt those rows.
    pub data_commitment: Option<DataCommitment>,
    pub(crate) ciphertexts: Ciphertexts,
}

pub(crate) fn lwe_size() -> LweSize {
    LweDimension(LWE_DIMENSION).to_lwe_size()
}

pub(crate) fn seeded_row(seed: u128, bodies: &[u64]) -> SeededLweCiphertextListOwned<u64> {
    SeededLweCiphertextList::from_container(
        bodies.to_vec(),
        lwe_size(),
        CompressionSeed::from(Seed(seed)),
        CiphertextModulus::new_native(),
    )
}

/// The compact lists of `rows` rows of `columns` features, after their rows per list.
fn read_compact_lists(
    reader: &mut Reader<'_>,
    rows: u64,
    columns: usize,
    path: &Path,
) -> Result<(usize, Vec<Vec<u64>>), FheError> {
    let malformed = |reason: &str| FheError::malformed(path, reason);
    let rows_per_list = reader.u32("rows per list").map_err(decode_error(path))? as usize;
    if rows_per_list != rows_per_compact_list(columns) {
        return Err(malformed("rows per compact list differ from this build's layout"));
    }
    // Every row costs at least its bodies: a row count the file cannot hold is refused before
    // any allocation.
    let values = reader.count("ciphertexts", rows, 8 * columns).map_err(decode_error(path))? * columns;
    let mut lists = Vec::new();
    let mut remaining = values;
    while remaining > 0 {
        let count = remaining.min(rows_per_list * columns);
        if reader.remaining() < 8 * (LWE_DIMENSION + count) {
            return Err(malformed("compact lists truncated"));
        }
        lists.push(read_u64s(reader, LWE_DIMENSION + count, path)?);
        remaining -= count;
    }
    Ok((rows_per_list, lists))
}

/// An empty compact list of `count` ciphertexts.
pub(crate) fn empty_list(count: usize) -> LweCompactCiphertextListOwned<u64> {
    LweCompactCiphertextList::new(0u64, lwe_size(), LweCiphertextCount(count), CiphertextModulus::new_native())
}

/// A stored compact list (mask, then one body per value) as tfhe-rs's type.
pub(crate) fn compact_list(container: &[u64]) -> LweCompactCiphertextListOwned<u64> {
    let count = container.len() - LWE_DIMENSION;
    LweCompactCiphertextList::from_container(
        container.to_vec(),
        lwe_size(),
        LweCiphertextCount(count),
        CiphertextModulus::new_native(),
    )
}

/// An encryption generator seeded from the operating system's entropy.
pub(crate) fn encryption_generator() -> EncryptionRandomGenerator<DefaultRandomGenerator> {
    let mut seeder = new_seeder();
    EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), seeder.as_mut())
}

/// One compact list of `plaintexts` under the public key (fresh randomness, TUniform noise):
/// its container, mask then bodies.
pub(crate) fn encrypt_compact_list(key: &PublicKey, plaintexts: Vec<u64>) -> Vec<u64> {
    let mut list = empty_list(plaintexts.len());
    encrypt_lwe_compact_ciphertext_list_with_compact_public_key(
        &key.key,
        &mut list,
        &PlaintextList::from_container(plaintexts),
        noise_distribution(),
        noise_distribution(),
        encryption_generator().noise_generator_mut(),
    );
    list.into_container()
}

/// Rows per compact list: as many whole rows as fit in one 2048-value mask.
fn rows_per_compact_list(columns: usize) -> usize {
    (LWE_DIMENSION / columns).max(1)
}

/// Refuses a dataset wider than one LWE mask holds (its file could not be read back).
fn check_width(data: &QuantizedDataset) -> Result<(), FheError> {
    if data.columns() > LWE_DIMENSION {
        return Err(FheError::TooManyFeatures { found: data.columns(), limit: LWE_DIMENSION });
    }
    Ok(())
}

impl EncryptedDataset {
    /// Encrypts with the owner's secret key (the compact layout of 256 B per 30-feature row).
    pub fn encrypt_with_secret_key(data: &QuantizedDataset, key: &SecretKey) -> Result<Self, FheError> {
        check_width(data)?;
        let columns = data.columns();
        let chunks: Vec<(Vec<u128>, Vec<u64>)> = data
            .values()
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
        Ok(Self::new(data, key.key_id(), Ciphertexts::SeededRows { seeds, bodies }))
    }

    /// Encrypts with the compact public key: what a contributor without the secret key does.
    pub fn encrypt_with_public_key(data: &QuantizedDataset, key: &PublicKey) -> Result<Self, FheError> {
        check_width(data)?;
        let rows_per_list = rows_per_compact_list(data.columns());
        let lists = data
            .values()
            .par_chunks(data.columns() * rows_per_list)
            .map(|chunk| encrypt_compact_list(key, chunk.iter().map(|&x| encode(x.into())).collect()))
            .collect();
        Ok(Self::new(data, key.key_id(), Ciphertexts::CompactLists { rows_per_list, lists }))
    }

    /// Encrypts with the compact public key and proves every list well formed
    /// ([`crate::proofs`]): each feature as its offset `x − min` from the format's minimum,
    /// each list's proof bound to the key set, the schema, the dataset and `commitment` (the
    /// rows' data commitment, which the file records).
    pub fn encrypt_with_public_key_proved(
        data: &QuantizedDataset,
        key: &PublicKey,
        crs: &EncryptionCrs,
        commitment: Option<DataCommitment>,
    ) -> Result<Self, FheError> {
        check_width(data)?;
        if crs.format != data.format() {
            return Err(FheError::Proving(format!(
                "the CRS is for {}-bit features, the data has {}-bit features",
                crs.format.bits,
                data.format().bits
            )));
        }
        let rows_per_list = rows_per_compact_list(data.columns());
        let chunks: Vec<&[i32]> = data.values().chunks(data.columns() * rows_per_list).collect();
        let context = ProofContext {
            tag: proofs::FEATURES_TAG,
            key_id: key.key_id(),
            schema_id: data.schema_id(),
            dataset_id: data.content_id(),
            commitment: commitment.as_ref(),
            lists: chunks.len(),
        };
        let min = proofs::offset(data.format());
        let proved: Vec<(Vec<u64>, Vec<u8>)> = chunks
            .par_iter()
            .enumerate()
            .map(|(index, chunk)| {
                let mut generator = encryption_generator();
                let values: Vec<u64> = chunk.iter().map(|&x| (i64::from(x) - min) as u64).collect();
                let mut list = empty_list(chunk.len());
                let proof =
                    proofs::prove_list(&crs.crs, key, &mut list, &values, &context.metadata(index), &mut generator)?;
                Ok((list.into_container(), proof))
            })
            .collect::<Result<_, FheError>>()?;
        let (lists, proofs) = proved.into_iter().unzip();
        let ciphertexts = Ciphertexts::ProvedLists { rows_per_list, lists, proofs, crs_id: crs.id };
        let encrypted = Self::new(data, key.key_id(), ciphertexts);
        Ok(match commitment {
            Some(commitment) => encrypted.with_commitment(commitment),
            None => encrypted,
        })
    }

    /// Checks that every public-key list carries a valid proof of well-formed encryption for
    /// this file's key set, schema, dataset and commitment (secret-key rows are the owner's
    /// own and need none). Compact lists without proofs are refused.
    pub fn check_proofs(&self, key: &PublicKey, crs: &EncryptionCrs) -> Result<(), FheError> {
        self.check_key(key.key_id())?;
        let refused = |reason: String| FheError::UnprovedEncryption { reason };
        let (lists, proofs, crs_id) = match &self.ciphertexts {
            Ciphertexts::SeededRows { .. } => return Ok(()),
            Ciphertexts::CompactLists { .. } => {
                return Err(refused("its public-key lists carry no proofs (`vsies encrypt --prove`)".into()))
            }
            Ciphertexts::ProvedLists { lists, proofs, crs_id, .. } => (lists, proofs, crs_id),
        };
        if *crs_id != crs.id || crs.format != self.format {
            return Err(refused(format!(
                "proved with CRS {crs_id}, the CRS given is {} ({}-bit)",
                crs.id, crs.format.bits
            )));
        }
        let context = ProofContext {
            tag: proofs::FEATURES_TAG,
            key_id: self.key_id,
            schema_id: self.schema_id,
            dataset_id: self.dataset_id,
            commitment: self.data_commitment.as_ref(),
            lists: lists.len(),
        };
        let failed = lists.par_iter().zip(proofs).enumerate().find_first(|(index, (list, proof))| {
            !proofs::verify_list(&crs.crs, key, &compact_list(list), proof, &context.metadata(*index))
        });
        match failed {
            Some((index, _)) => Err(refused(format!(
                "the proof of list {index} (rows from {}) does not hold",
                index * self.rows_per_list()
            ))),
            None => Ok(()),
        }
    }

    fn rows_per_list(&self) -> usize {
        match &self.ciphertexts {
            Ciphertexts::CompactLists { rows_per_list, .. } | Ciphertexts::ProvedLists { rows_per_list, .. } => {
                *rows_per_list
            }
            Ciphertexts::SeededRows { .. } => 1,
        }
    }

    /// The offset proved lists encrypt every feature from (the format's minimum: they hold
    /// `x − min`; zero for the other layouts): decryption adds it back, and inference adds
    /// `min·Σw` to each score.
    pub fn feature_offset(&self) -> i64 {
        match self.ciphertexts {
            Ciphertexts::ProvedLists { .. } => proofs::offset(self.format),
            _ => 0,
        }
    }

    fn new(data: &QuantizedDataset, key_id: ContentId, ciphertexts: Ciphertexts) -> Self {
        Self {
            key_id,
            schema_id: data.schema_id(),
            dataset_id: data.content_id(),
            rows: data.rows(),
            columns: data.columns(),
            format: data.format(),
            data_commitment: None,
            ciphertexts,
        }
    }

    /// Records the plaintext's data commitment (computed by the caller with
    /// `vsies_zk::commit_dataset`).
    pub fn with_commitment(self, commitment: DataCommitment) -> Self {
        Self { data_commitment: Some(commitment), ..self }
    }

    /// The ciphertexts, for a backend that evaluates on them.
    pub fn ciphertexts(&self) -> &Ciphertexts {
        &self.ciphertexts
    }

    /// Whether this was encrypted with the public key.
    pub fn is_public_key_encrypted(&self) -> bool {
        matches!(self.ciphertexts, Ciphertexts::CompactLists { .. } | Ciphertexts::ProvedLists { .. })
    }

    /// The SHA-256 checksum of this dataset's file (its encoding): what tells one exact file
    /// from every other, whatever ids the file claims (see [`crate::owned`]).
    pub fn file_checksum(&self) -> [u8; 32] {
        artifact::binary_checksum(&artifact::encode_binary(ArtifactKind::EncryptedDataset, &self.to_payload()))
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
            Ciphertexts::CompactLists { rows_per_list, lists }
            | Ciphertexts::ProvedLists { rows_per_list, lists, .. } => lists
                .par_iter()
                .enumerate()
                .map(|(index, container)| {
                    visit(index * rows_per_list, &compact_list(container).expand_into_lwe_ciphertext_list())
                })
                .collect(),
        };
        blocks.into_iter().flatten().collect()
    }

    /// Decrypts every feature (the owner checking what it encrypted).
    pub fn decrypt(&self, key: &SecretKey) -> Result<Vec<i32>, FheError> {
        self.check_key(key.key_id())?;
        let offset = self.feature_offset();
        Ok(self.par_map_row_blocks(|_, list| {
            list.iter().map(|ct| (decode(decrypt_lwe_ciphertext(&key.key, &ct).0) + offset) as i32).collect::<Vec<_>>()
        }))
    }

    /// Refuses a dataset encrypted under another key set than `key_id`'s.
    pub fn check_key(&self, key_id: ContentId) -> Result<(), FheError> {
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
            Ciphertexts::ProvedLists { lists, proofs, .. } => {
                lists.iter().map(|l| 8 * l.len()).sum::<usize>() + proofs.iter().map(Vec::len).sum::<usize>()
            }
        };
        total as f64 / self.rows.max(1) as f64
    }

    fn to_payload(&self) -> Vec<u8> {
        let mut out = Writer::new();
        out.cid(&self.key_id).cid(&self.schema_id).cid(&self.dataset_id);
        out.u64(self.rows as u64).u32(self.columns as u32).u8(self.format.bits as u8).u8(self.format.frac_bits as u8);
        let flag = if self.data_commitment.is_some() { LAYOUT_HAS_COMMITMENT } else { 0 };
        let layout = match &self.ciphertexts {
            Ciphertexts::SeededRows { .. } => LAYOUT_SEEDED_ROWS,
            Ciphertexts::CompactLists { .. } => LAYOUT_COMPACT_LISTS,
            Ciphertexts::ProvedLists { .. } => LAYOUT_PROVED_LISTS,
        };
        out.u8(layout | flag);
        if let Some(commitment) = &self.data_commitment {
            out.raw(commitment.as_bytes());
        }
        match &self.ciphertexts {
            Ciphertexts::SeededRows { seeds, bodies } => {
                for (&seed, row) in seeds.iter().zip(bodies.chunks(self.columns)) {
                    out.u128(seed);
                    row.iter().for_each(|&body| {
                        out.u64(body);
                    });
                }
            }
            Ciphertexts::CompactLists { rows_per_list, lists } => {
                out.u32(*rows_per_list as u32);
                lists.iter().flatten().for_each(|&c| {
                    out.u64(c);
                });
            }
            Ciphertexts::ProvedLists { rows_per_list, lists, proofs, crs_id } => {
                out.u32(*rows_per_list as u32);
                lists.iter().flatten().for_each(|&c| {
                    out.u64(c);
                });
                out.cid(crs_id);
                proofs.iter().for_each(|proof| {
                    out.bytes(proof);
                });
            }
        }
        out.into_bytes()
    }

    fn from_payload(payload: &[u8], path: &Path) -> Result<Self, FheError> {
        let malformed = |reason: &str| FheError::malformed(path, reason);
        let codec = decode_error(path);
        let mut reader = Reader::new(payload);
        let ids =
            (|| Ok::<_, CodecError>((reader.cid("key id")?, reader.cid("schema id")?, reader.cid("dataset id")?)))();
        let (key_id, schema_id, dataset_id) = ids.map_err(codec)?;
        let header = (|| {
            Ok::<_, CodecError>((
                reader.u64("rows")?,
                reader.u32("columns")?,
                reader.u8("format.bits")?,
                reader.u8("format.frac_bits")?,
            ))
        })();
        let (rows, columns, bits, frac_bits) = header.map_err(decode_error(path))?;
        let format = FixedFormat { bits: bits.into(), frac_bits: frac_bits.into() }
            .validate()
            .map_err(|err| malformed(&err.to_string()))?;
        let columns = columns as usize;
        if columns == 0 || columns > LWE_DIMENSION {
            return Err(malformed("feature count must be 1 to 2048"));
        }
        let layout = reader.u8("layout").map_err(decode_error(path))?;
        let data_commitment = if layout & LAYOUT_HAS_COMMITMENT != 0 {
            let bytes = reader.array::<32>("data commitment").map_err(decode_error(path))?;
            Some(DataCommitment::from_bytes(bytes).map_err(|err| malformed(&err.to_string()))?)
        } else {
            None
        };
        let ciphertexts = match layout & !LAYOUT_HAS_COMMITMENT {
            LAYOUT_SEEDED_ROWS => {
                let rows = reader.count("ciphertexts", rows, 16 + 8 * columns).map_err(decode_error(path))?;
                if reader.remaining() != rows * (16 + 8 * columns) {
                    return Err(malformed("ciphertext bytes do not match the row and feature counts"));
                }
                let mut seeds = Vec::with_capacity(rows);
                let mut bodies = Vec::with_capacity(rows * columns);
                for _ in 0..rows {
                    seeds.push(reader.u128("seed").map_err(decode_error(path))?);
                    bodies.extend(read_u64s(&mut reader, columns, path)?);
                }
                Ciphertexts::SeededRows { seeds, bodies }
            }
            LAYOUT_COMPACT_LISTS => {
                let (rows_per_list, lists) = read_compact_lists(&mut reader, rows, columns, path)?;
                Ciphertexts::CompactLists { rows_per_list, lists }
            }
            LAYOUT_PROVED_LISTS => {
                let (rows_per_list, lists) = read_compact_lists(&mut reader, rows, columns, path)?;
                let crs_id = reader.cid("crs id").map_err(decode_error(path))?;
                let proofs = lists
                    .iter()
                    .map(|_| {
                        let proof = reader.bytes("proof").map_err(decode_error(path))?;
                        if proof.len() as u64 > proofs::MAX_PROOF_BYTES {
                            return Err(malformed("an encryption proof is larger than any proof"));
                        }
                        Ok(proof.to_vec())
                    })
                    .collect::<Result<_, FheError>>()?;
                Ciphertexts::ProvedLists { rows_per_list, lists, proofs, crs_id }
            }
            _ => return Err(malformed("unknown ciphertext layout")),
        };
        reader.finish().map_err(|_| malformed("bytes after the last ciphertext"))?;
        let rows = usize::try_from(rows).map_err(|_| malformed("row count"))?;
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

#[cfg(test)]
mod proof_tests {
    //! Contributors' proofs against crafted lists: each is refused by `check_proofs`, which
    //! `vsies infer` runs before scoring.
    use super::*;
    use crate::keys::Keys;
    use std::sync::OnceLock;
    use tfhe::core_crypto::commons::generators::DeterministicSeeder;

    fn keys() -> &'static Keys {
        static KEYS: OnceLock<Keys> = OnceLock::new();
        KEYS.get_or_init(|| {
            Keys::generate_with_seeder(&mut DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(5)))
        })
    }

    fn crs() -> &'static EncryptionCrs {
        static CRS: OnceLock<EncryptionCrs> = OnceLock::new();
        CRS.get_or_init(|| crate::proofs::test_support::cached_crs(FixedFormat::FEATURES))
    }

    /// 150 rows of 30 features over the whole 8-bit range: three lists of 68, 68 and 14 rows.
    fn data() -> QuantizedDataset {
        let values = (0..150 * 30).map(|i| i * 37 % 256 - 128).collect();
        QuantizedDataset::from_values(ContentId::of(b"schema"), FixedFormat::FEATURES, 30, values, None).unwrap()
    }

    /// The dataset proved once; each test mutates its own copy.
    fn proved() -> EncryptedDataset {
        static PROVED: OnceLock<EncryptedDataset> = OnceLock::new();
        PROVED
            .get_or_init(|| {
                let commitment = DataCommitment::from_bytes([3; 32]).unwrap();
                EncryptedDataset::encrypt_with_public_key_proved(&data(), &keys().public, crs(), Some(commitment))
                    .unwrap()
            })
            .clone()
    }

    fn lists(data: &mut EncryptedDataset) -> (&mut Vec<Vec<u64>>, &mut Vec<Vec<u8>>) {
        match &mut data.ciphertexts {
            Ciphertexts::ProvedLists { lists, proofs, .. } => (lists, proofs),
            _ => unreachable!("a proved dataset"),
        }
    }

    fn refused(data: &EncryptedDataset, needle: &str) {
        let err = data.check_proofs(&keys().public, crs()).unwrap_err();
        assert!(err.is_checked_invalid() && err.to_string().contains(needle), "{err}");
    }

    #[test]
    fn proved_lists_verify_survive_their_file_and_decrypt_to_the_data() {
        let encrypted = proved();
        encrypted.check_proofs(&keys().public, crs()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        encrypted.save(&dir.path().join("d.vsies")).unwrap();
        let loaded = EncryptedDataset::load(&dir.path().join("d.vsies")).unwrap();
        assert_eq!(loaded, encrypted);
        loaded.check_proofs(&keys().public, crs()).unwrap();
        assert_eq!(loaded.decrypt(&keys().secret).unwrap(), data().values());
    }

    #[test]
    fn crafted_moved_and_unproved_lists_are_refused() {
        // The chosen-ciphertext attack's list: a mask of unit vectors, the proof kept.
        let mut crafted = proved();
        let (crafted_lists, _) = lists(&mut crafted);
        crafted_lists[1][..LWE_DIMENSION].iter_mut().enumerate().for_each(|(i, c)| *c = u64::from(i == 7) << 40);
        refused(&crafted, "list 1");
        // One body changed by one message step.
        let mut shifted = proved();
        lists(&mut shifted).0[2][LWE_DIMENSION + 3] += 1 << 40;
        refused(&shifted, "list 2");
        // Proofs swapped between lists (each is bound to its index).
        let mut swapped = proved();
        lists(&mut swapped).1.swap(0, 1);
        refused(&swapped, "list 0");
        // The same lists under another dataset commitment, or another dataset id.
        let mut other = proved();
        other.data_commitment = Some(DataCommitment::from_bytes([4; 32]).unwrap());
        refused(&other, "list 0");
        let mut renamed = proved();
        renamed.dataset_id = ContentId::of(b"another dataset");
        refused(&renamed, "list 0");
        // Lists without proofs.
        let plain = EncryptedDataset::encrypt_with_public_key(&data(), &keys().public).unwrap();
        refused(&plain, "carry no proofs");
        // Proofs checked under another CRS (known by its id).
        let other_crs =
            EncryptionCrs { crs: crs().crs.clone(), format: FixedFormat::FEATURES, id: ContentId::of(b"x") };
        let err = proved().check_proofs(&keys().public, &other_crs).unwrap_err();
        assert!(err.to_string().contains("proved with CRS"), "{err}");
    }

    #[test]
    fn a_value_outside_the_format_cannot_be_proved() {
        // 2^8 is one past the 8-bit format's largest offset.
        let key = &keys().public;
        let mut list = empty_list(2);
        let mut generator = encryption_generator();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            proofs::prove_list(&crs().crs, key, &mut list, &[1, 256], b"m", &mut generator)
        }));
        if let Ok(Ok(proof)) = outcome {
            assert!(!proofs::verify_list(&crs().crs, key, &list, &proof, b"m"), "an out-of-range value was proved");
        }
    }
}
