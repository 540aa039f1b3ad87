//! `vsies encrypt --training`: rows encrypted bit by bit with the compact public key.
//!
//! Each row is one compact list of `d · bx + 1` slots: the bits of every offset feature
//! `x_j + 2^(bx-1)` (least significant first), then the label, each at scale `2^60` on the
//! `2^64` torus (8 values and a padding bit, as [`super::params`] uses modulo `p`). A row costs
//! `8 · (2048 + d·bx + 1)` bytes (18.3 KB for 30 features of 8 bits). The compute node expands
//! a batch's lists into LWE ciphertexts and rescales them to `p`; nothing else is done to them.

use super::engine::Ct;
use super::params::{rescale_native, NATIVE_DELTA_LOG2, POLYNOMIAL_SIZE};
use super::step::EncryptedRow;
use crate::error::FheError;
use crate::keys::{decode_error, noise_distribution, read_u64s, PublicKey};
use rayon::prelude::*;
use std::path::Path;
use tfhe::core_crypto::prelude::*;
use tfhe::core_crypto::seeders::new_seeder;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{Reader, Writer};
use vsies_core::{ContentId, FixedFormat, QuantizedDataset};

const MAGIC: &[u8; 8] = b"vsiesTD1";
/// The most bits a row may hold (one compact list).
pub const MAX_BITS_PER_ROW: usize = POLYNOMIAL_SIZE;

/// A labelled dataset encrypted for training.
#[derive(Clone, Debug, PartialEq)]
pub struct EncryptedTrainingData {
    key_id: ContentId,
    schema_id: ContentId,
    format: FixedFormat,
    features: usize,
    rows: usize,
    /// Per row: the list's 2048 mask coefficients, then its bodies.
    lists: Vec<Vec<u64>>,
}

fn bits_per_row(features: usize, format: FixedFormat) -> usize {
    features * format.bits as usize + 1
}

impl EncryptedTrainingData {
    /// Encrypts `data` (labels required) with the public key.
    pub fn encrypt(data: &QuantizedDataset, key: &PublicKey) -> Result<Self, FheError> {
        let labels = data.labels().ok_or_else(|| FheError::Evaluation("training data needs its labels".into()))?;
        let format = data.format();
        let per_row = bits_per_row(data.columns(), format);
        if per_row > MAX_BITS_PER_ROW {
            return Err(FheError::Evaluation(format!(
                "{} features of {} bits and a label are {per_row} bits per row; a training row holds at most {MAX_BITS_PER_ROW}",
                data.columns(),
                format.bits
            )));
        }
        let offset = 1i64 << (format.bits - 1);
        let lists = (0..data.rows())
            .into_par_iter()
            .map(|i| {
                let mut bits = Vec::with_capacity(per_row);
                for &x in data.row(i) {
                    let unsigned = (i64::from(x) + offset) as u64;
                    bits.extend((0..format.bits).map(|b| ((unsigned >> b) & 1) << NATIVE_DELTA_LOG2));
                }
                bits.push(u64::from(labels[i]) << NATIVE_DELTA_LOG2);
                let mut seeder = new_seeder();
                let mut generator =
                    EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), seeder.as_mut());
                let mut list = LweCompactCiphertextList::new(
                    0u64,
                    LweDimension(POLYNOMIAL_SIZE).to_lwe_size(),
                    LweCiphertextCount(per_row),
                    CiphertextModulus::new_native(),
                );
                encrypt_lwe_compact_ciphertext_list_with_compact_public_key(
                    &key.key,
                    &mut list,
                    &PlaintextList::from_container(bits),
                    noise_distribution(),
                    noise_distribution(),
                    generator.noise_generator_mut(),
                );
                list.into_container()
            })
            .collect();
        Ok(Self {
            key_id: key.key_id(),
            schema_id: data.schema_id(),
            format,
            features: data.columns(),
            rows: data.rows(),
            lists,
        })
    }

    /// The key set's id.
    pub fn key_id(&self) -> ContentId {
        self.key_id
    }

    /// The schema's id.
    pub fn schema_id(&self) -> ContentId {
        self.schema_id
    }

    /// The feature format.
    pub fn format(&self) -> FixedFormat {
        self.format
    }

    /// Feature columns.
    pub fn features(&self) -> usize {
        self.features
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Row `index` as blocks modulo `p`.
    pub fn row(&self, index: usize) -> EncryptedRow {
        let per_row = bits_per_row(self.features, self.format);
        let list = LweCompactCiphertextList::from_container(
            self.lists[index].as_slice(),
            LweDimension(POLYNOMIAL_SIZE).to_lwe_size(),
            LweCiphertextCount(per_row),
            CiphertextModulus::new_native(),
        );
        let mut expanded = LweCiphertextList::new(
            0u64,
            LweDimension(POLYNOMIAL_SIZE).to_lwe_size(),
            LweCiphertextCount(per_row),
            CiphertextModulus::new_native(),
        );
        expand_lwe_compact_ciphertext_list(&mut expanded, &list);
        let mut blocks: Vec<Ct> =
            expanded.iter().map(|ct| Ct::fresh(ct.as_ref().iter().map(|&c| rescale_native(c)).collect())).collect();
        let label = blocks.pop().expect("a row ends with its label");
        let bits = self.format.bits as usize;
        let features = blocks.chunks(bits).map(<[Ct]>::to_vec).collect();
        EncryptedRow { features, label }
    }

    fn payload(&self) -> Vec<u8> {
        let per_row = POLYNOMIAL_SIZE + bits_per_row(self.features, self.format);
        let mut out = Writer::with_capacity(128 + 8 * per_row * self.rows);
        out.raw(MAGIC).cid(&self.key_id).cid(&self.schema_id);
        out.u32(self.format.bits).u32(self.format.frac_bits).u32(self.features as u32).u64(self.rows as u64);
        for list in &self.lists {
            list.iter().for_each(|&c| {
                out.u64(c);
            });
        }
        out.into_bytes()
    }

    /// The content id of the file's payload: what an encrypted model names as its data.
    pub fn content_id(&self) -> ContentId {
        ContentId::of(&self.payload())
    }

    /// Writes the file atomically.
    pub fn save(&self, path: &Path) -> Result<(), FheError> {
        artifact::write_binary(path, ArtifactKind::EncryptedTrainingData, &self.payload()).map_err(FheError::from)
    }

    /// Reads a file; refuses a wrong kind, damage, or inconsistent sizes.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::EncryptedTrainingData)?;
        let mut reader = Reader::new(&payload);
        reader.expect("magic", MAGIC).map_err(decode_error(path))?;
        let key_id = reader.cid("key id").map_err(decode_error(path))?;
        let schema_id = reader.cid("schema id").map_err(decode_error(path))?;
        let bits = reader.u32("feature bits").map_err(decode_error(path))?;
        let frac_bits = reader.u32("feature fractional bits").map_err(decode_error(path))?;
        let format = FixedFormat { bits, frac_bits }
            .validate()
            .map_err(|e| FheError::malformed(path, &format!("feature format: {e}")))?;
        let features = reader.u32("features").map_err(decode_error(path))? as usize;
        let rows = reader.u64("rows").map_err(decode_error(path))?;
        let per_row = bits_per_row(features, format);
        if features == 0 || per_row > MAX_BITS_PER_ROW {
            return Err(FheError::malformed(path, &format!("{features} features of {bits} bits do not fit a row")));
        }
        let list_len = POLYNOMIAL_SIZE + per_row;
        let rows = reader.count("rows", rows, 8 * list_len).map_err(decode_error(path))?;
        if rows == 0 {
            return Err(FheError::malformed(path, "no rows"));
        }
        let mut lists = Vec::with_capacity(rows);
        for _ in 0..rows {
            lists.push(read_u64s(&mut reader, list_len, path)?);
        }
        reader.finish().map_err(decode_error(path))?;
        Ok(Self { key_id, schema_id, format, features, rows, lists })
    }
}
