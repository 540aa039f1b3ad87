//! `vsies encrypt --training`: rows encrypted bit by bit with the compact public key.
//!
//! Each row is one compact list of `d · bx + 1` slots: the bits of every offset feature
//! `x_j + 2^(bx-1)` (least significant first), then the label, each at scale `2^40` on the
//! `2^64` torus (the scale of the key set's encryption proofs). A row costs
//! `8 · (2048 + d·bx + 1)` bytes (18.3 KB for 30 features of 8 bits), plus its proof when
//! proved. The compute node expands a batch's lists into LWE ciphertexts, multiplies them by
//! `2^20` (the bit moves to `2^60`, the noise to about `2^41.7`, far below a bootstrap's
//! tolerance) and rescales them to `p`.
//!
//! **Proved rows** (`--prove`): each list carries a tfhe-rs `zk-pok` proof, under the key
//! owner's [`TrainingCrs`], that it is an honest encryption under `public.key` (binary `r`,
//! bounded noise) of values that are all bits, bound to the key set, schema, plaintext dataset,
//! row index and row count. Without proofs a contributor could encrypt out-of-range values or a
//! crafted mask that makes the trained model depend on key bits.

use super::engine::Ct;
use super::params::{rescale_native, POLYNOMIAL_SIZE};
use super::step::EncryptedRow;
use crate::dataset::{compact_list, empty_list, encrypt_compact_list, encryption_generator};
use crate::error::FheError;
use crate::keys::{decode_error, read_u64s, PublicKey};
use crate::params::DELTA_LOG2;
use crate::proofs::{prove_list, verify_list, ProofContext, TrainingCrs, MAX_PROOF_BYTES, TRAINING_TAG};
use rayon::prelude::*;
use std::path::Path;
use tfhe::core_crypto::prelude::*;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{Reader, Writer};
use vsies_core::{ContentId, FixedFormat, QuantizedDataset};

const MAGIC: &[u8; 8] = b"vsiesTD2";
/// The most bits a row may hold (one compact list).
pub const MAX_BITS_PER_ROW: usize = POLYNOMIAL_SIZE;
/// What a row's bits are multiplied by to move them from `2^40` to the training scale `2^60`.
const TO_TRAINING_SCALE: u64 = 1 << 20;

/// Every row's proof and what they are bound to.
#[derive(Clone, Debug, PartialEq)]
struct RowProofs {
    crs_id: ContentId,
    dataset_id: ContentId,
    proofs: Vec<Vec<u8>>,
}

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
    proofs: Option<RowProofs>,
}

fn bits_per_row(features: usize, format: FixedFormat) -> usize {
    features * format.bits as usize + 1
}

/// The bits of row `i` of `data`: every offset feature's, then the label.
fn row_bits(data: &QuantizedDataset, labels: &[u8], i: usize) -> Vec<u64> {
    let format = data.format();
    let offset = 1i64 << (format.bits - 1);
    let mut bits = Vec::with_capacity(bits_per_row(data.columns(), format));
    for &x in data.row(i) {
        let unsigned = (i64::from(x) + offset) as u64;
        bits.extend((0..format.bits).map(|b| (unsigned >> b) & 1));
    }
    bits.push(u64::from(labels[i]));
    bits
}

impl EncryptedTrainingData {
    fn check_shape(data: &QuantizedDataset) -> Result<&[u8], FheError> {
        let labels = data.labels().ok_or_else(|| FheError::Evaluation("training data needs its labels".into()))?;
        let per_row = bits_per_row(data.columns(), data.format());
        if per_row > MAX_BITS_PER_ROW {
            return Err(FheError::Evaluation(format!(
                "{} features of {} bits and a label are {per_row} bits per row; a training row holds at most {MAX_BITS_PER_ROW}",
                data.columns(),
                data.format().bits
            )));
        }
        Ok(labels)
    }

    fn new(data: &QuantizedDataset, key: &PublicKey, lists: Vec<Vec<u64>>, proofs: Option<RowProofs>) -> Self {
        Self {
            key_id: key.key_id(),
            schema_id: data.schema_id(),
            format: data.format(),
            features: data.columns(),
            rows: data.rows(),
            lists,
            proofs,
        }
    }

    /// Encrypts `data` (labels required) with the public key, without proofs.
    pub fn encrypt(data: &QuantizedDataset, key: &PublicKey) -> Result<Self, FheError> {
        let labels = Self::check_shape(data)?;
        let lists = (0..data.rows())
            .into_par_iter()
            .map(|i| encrypt_compact_list(key, row_bits(data, labels, i).iter().map(|b| b << DELTA_LOG2).collect()))
            .collect();
        Ok(Self::new(data, key, lists, None))
    }

    /// Encrypts `data` with the public key and proves every row's list well formed.
    pub fn encrypt_proved(data: &QuantizedDataset, key: &PublicKey, crs: &TrainingCrs) -> Result<Self, FheError> {
        let labels = Self::check_shape(data)?;
        let dataset_id = data.content_id();
        let context = Self::context(key.key_id(), data.schema_id(), dataset_id, data.rows());
        let proved: Vec<(Vec<u64>, Vec<u8>)> = (0..data.rows())
            .into_par_iter()
            .map(|i| {
                let bits = row_bits(data, labels, i);
                let mut list = empty_list(bits.len());
                let proof =
                    prove_list(&crs.crs, key, &mut list, &bits, &context.metadata(i), &mut encryption_generator())?;
                Ok((list.into_container(), proof))
            })
            .collect::<Result<_, FheError>>()?;
        let (lists, proofs) = proved.into_iter().unzip();
        Ok(Self::new(data, key, lists, Some(RowProofs { crs_id: crs.id, dataset_id, proofs })))
    }

    fn context(key_id: ContentId, schema_id: ContentId, dataset_id: ContentId, rows: usize) -> ProofContext<'static> {
        ProofContext { tag: TRAINING_TAG, key_id, schema_id, dataset_id, commitment: None, lists: rows }
    }

    /// Whether every row carries a proof.
    pub fn is_proved(&self) -> bool {
        self.proofs.is_some()
    }

    /// Checks that every row carries a valid proof of an honest encryption of bits under
    /// `key`, made with `crs`, for this file's key set, schema, dataset, index and row count.
    pub fn check_proofs(&self, key: &PublicKey, crs: &TrainingCrs) -> Result<(), FheError> {
        let refused = |reason: String| FheError::UnprovedEncryption { reason };
        if key.key_id() != self.key_id {
            return Err(refused(format!("the rows are encrypted under key set {}, not {}", self.key_id, key.key_id())));
        }
        let Some(proofs) = &self.proofs else {
            return Err(refused("its rows carry no proofs (`vsies encrypt --training --prove`)".into()));
        };
        if proofs.crs_id != crs.id {
            return Err(refused(format!("proved with CRS {}, the CRS given is {}", proofs.crs_id, crs.id)));
        }
        let context = Self::context(self.key_id, self.schema_id, proofs.dataset_id, self.rows);
        let failed = self.lists.par_iter().zip(&proofs.proofs).enumerate().find_first(|(i, (list, proof))| {
            !verify_list(&crs.crs, key, &compact_list(list), proof, &context.metadata(*i))
        });
        match failed {
            Some((i, _)) => Err(refused(format!("the proof of row {i} does not hold"))),
            None => Ok(()),
        }
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
        let list = compact_list(&self.lists[index]);
        let mut expanded = LweCiphertextList::new(
            0u64,
            LweDimension(POLYNOMIAL_SIZE).to_lwe_size(),
            list.lwe_ciphertext_count(),
            CiphertextModulus::new_native(),
        );
        expand_lwe_compact_ciphertext_list(&mut expanded, &list);
        let mut blocks: Vec<Ct> = expanded
            .iter()
            .map(|ct| {
                Ct::fresh(ct.as_ref().iter().map(|&c| rescale_native(c.wrapping_mul(TO_TRAINING_SCALE))).collect())
            })
            .collect();
        let label = blocks.pop().expect("a row ends with its label");
        let bits = self.format.bits as usize;
        let features = blocks.chunks(bits).map(<[Ct]>::to_vec).collect();
        EncryptedRow { features, label }
    }

    fn payload(&self) -> Vec<u8> {
        let per_row = POLYNOMIAL_SIZE + bits_per_row(self.features, self.format);
        let mut out = Writer::with_capacity(160 + 8 * per_row * self.rows);
        out.raw(MAGIC).cid(&self.key_id).cid(&self.schema_id);
        out.u32(self.format.bits).u32(self.format.frac_bits).u32(self.features as u32).u64(self.rows as u64);
        match &self.proofs {
            None => {
                out.u8(0);
            }
            Some(proofs) => {
                out.u8(1).cid(&proofs.crs_id).cid(&proofs.dataset_id);
            }
        }
        for (i, list) in self.lists.iter().enumerate() {
            list.iter().for_each(|&c| {
                out.u64(c);
            });
            if let Some(proofs) = &self.proofs {
                out.bytes(&proofs.proofs[i]);
            }
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
        let proved = match reader.u8("proofs").map_err(decode_error(path))? {
            0 => None,
            1 => Some((
                reader.cid("crs id").map_err(decode_error(path))?,
                reader.cid("dataset id").map_err(decode_error(path))?,
            )),
            flag => return Err(FheError::malformed(path, &format!("proof flag {flag}"))),
        };
        let list_len = POLYNOMIAL_SIZE + per_row;
        let rows = reader.count("rows", rows, 8 * list_len).map_err(decode_error(path))?;
        if rows == 0 {
            return Err(FheError::malformed(path, "no rows"));
        }
        let mut lists = Vec::with_capacity(rows);
        let mut proofs = Vec::new();
        for i in 0..rows {
            lists.push(read_u64s(&mut reader, list_len, path)?);
            if proved.is_some() {
                let proof = reader.bytes("proof").map_err(decode_error(path))?;
                if proof.len() as u64 > MAX_PROOF_BYTES {
                    return Err(FheError::malformed(path, &format!("the proof of row {i} is over the size limit")));
                }
                proofs.push(proof.to_vec());
            }
        }
        reader.finish().map_err(decode_error(path))?;
        let proofs = proved.map(|(crs_id, dataset_id)| RowProofs { crs_id, dataset_id, proofs });
        Ok(Self { key_id, schema_id, format, features, rows, lists, proofs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proofs::test_support::cached_training_crs;
    use crate::Keys;
    use tfhe::core_crypto::commons::generators::DeterministicSeeder;
    use tfhe::core_crypto::commons::math::random::Seed;

    fn rows(values: Vec<i32>, labels: Vec<u8>) -> QuantizedDataset {
        let format = FixedFormat { bits: 3, frac_bits: 1 };
        QuantizedDataset::from_values(ContentId::of(b"schema"), format, 1, values, Some(labels)).unwrap()
    }

    fn refused(result: Result<(), FheError>, needle: &str) {
        let err = result.expect_err("refused");
        assert!(matches!(err, FheError::UnprovedEncryption { .. }) && err.to_string().contains(needle), "{err}");
    }

    /// Proved rows verify; a row whose list was changed, proofs swapped between rows or moved
    /// to another dataset, an unproved file, and another CRS or key set are refused.
    #[test]
    fn row_proofs_hold_only_for_their_own_honest_rows() {
        let keys = Keys::generate_with_seeder(&mut DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(4)));
        let crs = cached_training_crs();
        let data = rows(vec![3, -4], vec![1, 0]);
        let proved = EncryptedTrainingData::encrypt_proved(&data, &keys.public, &crs).unwrap();
        proved.check_proofs(&keys.public, &crs).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.vsies");
        proved.save(&path).unwrap();
        assert_eq!(EncryptedTrainingData::load(&path).unwrap(), proved);

        // The chosen-mask attack: one mask coefficient replaced (the body keeps its proof).
        let mut crafted = proved.clone();
        crafted.lists[1][0] = 1;
        refused(crafted.check_proofs(&keys.public, &crs), "row 1");
        // A body moved by the value of a bit: the proof no longer holds.
        let mut shifted = proved.clone();
        let body = POLYNOMIAL_SIZE;
        shifted.lists[0][body] = shifted.lists[0][body].wrapping_add(1 << DELTA_LOG2);
        refused(shifted.check_proofs(&keys.public, &crs), "row 0");
        let mut swapped = proved.clone();
        swapped.proofs.as_mut().unwrap().proofs.swap(0, 1);
        refused(swapped.check_proofs(&keys.public, &crs), "row 0");
        let other = EncryptedTrainingData::encrypt_proved(&rows(vec![3, 2], vec![1, 0]), &keys.public, &crs).unwrap();
        let mut moved = other.clone();
        moved.lists[0] = proved.lists[0].clone();
        moved.proofs.as_mut().unwrap().proofs[0] = proved.proofs.as_ref().unwrap().proofs[0].clone();
        refused(moved.check_proofs(&keys.public, &crs), "row 0");

        refused(
            EncryptedTrainingData::encrypt(&data, &keys.public).unwrap().check_proofs(&keys.public, &crs),
            "no proofs",
        );
        let mut foreign_crs = proved.clone();
        foreign_crs.proofs.as_mut().unwrap().crs_id = ContentId::of(b"another crs");
        refused(foreign_crs.check_proofs(&keys.public, &crs), "CRS");
        let other_keys = Keys::generate_with_seeder(&mut DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(5)));
        refused(proved.check_proofs(&other_keys.public, &crs), "key set");
    }
}
