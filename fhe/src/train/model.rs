//! `model.vsies`: the encrypted weights of a training under TFHE, and its checkpoints.
//!
//! The file names everything the weights depend on (key set, training data, configuration,
//! public initial weights, batches completed), so that a validator who re-executes the task
//! from the same inputs gets the same bytes, and its content id is what attestations sign.

use super::engine::{decrypt_block, Ct, CT_LEN};
use super::step::weight_of_bits;
use crate::backend::NTT_PRIME;
use crate::error::FheError;
use crate::keys::{decode_error, read_u64s};
use crate::SecretKey;
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{Reader, Writer};
use vsies_core::{ContentId, FixedFormat, TrainingConfig};

const MAGIC: &[u8; 8] = b"vsiesEM1";
const KNOWN: u8 = 0;
const ENCRYPTED: u8 = 1;

/// Encrypted weights after some batches of a training.
#[derive(Clone, Debug, PartialEq)]
pub struct EncryptedModel {
    /// The key set's id.
    pub key_id: ContentId,
    /// The content id of the training data it was trained on.
    pub data_id: ContentId,
    /// The schema's id.
    pub schema_id: ContentId,
    /// The training configuration.
    pub config: TrainingConfig,
    /// The public weights training started from (`d + 1`, bias last).
    pub initial: Vec<i64>,
    /// The content id of the model they came from, if any (as `model.json` records it).
    pub initial_model: Option<ContentId>,
    /// Rows of the training data.
    pub rows: u64,
    /// Batches completed.
    pub completed: u64,
    /// Per weight, the bits of `w + 2^(bw-1)`.
    pub(crate) weights: Vec<Vec<Ct>>,
}

fn put_config(out: &mut Writer, config: &TrainingConfig) {
    out.u32(config.weight_format.bits)
        .u32(config.weight_format.frac_bits)
        .u32(config.sigmoid_frac_bits)
        .u32(config.batch_size_log2)
        .u32(config.learning_rate_log2)
        .u32(config.epochs)
        .u32(config.seed);
}

fn get_config(reader: &mut Reader<'_>, path: &Path) -> Result<TrainingConfig, FheError> {
    let mut next = |field| reader.u32(field).map_err(decode_error(path));
    let weight_format = FixedFormat { bits: next("weight bits")?, frac_bits: next("weight fractional bits")? };
    Ok(TrainingConfig {
        weight_format,
        sigmoid_frac_bits: next("sigmoid fractional bits")?,
        batch_size_log2: next("batch size")?,
        learning_rate_log2: next("learning rate")?,
        epochs: next("epochs")?,
        seed: next("seed")?,
    })
}

impl EncryptedModel {
    /// The canonical encoding.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let bits: usize = self.weights.iter().map(Vec::len).sum();
        let mut out = Writer::with_capacity(256 + bits * (1 + 8 * CT_LEN));
        out.raw(MAGIC).cid(&self.key_id).cid(&self.data_id).cid(&self.schema_id);
        put_config(&mut out, &self.config);
        out.u64(self.rows).u64(self.completed).u32(self.initial.len() as u32);
        for &w in &self.initial {
            out.u64(w as u64);
        }
        match &self.initial_model {
            None => {
                out.u8(0);
            }
            Some(id) => {
                out.u8(1).cid(id);
            }
        }
        for bit in self.weights.iter().flatten() {
            match bit.coefficients() {
                None => {
                    out.u8(KNOWN).u8(bit.value().unwrap_or(0) as u8);
                }
                Some(coefficients) => {
                    out.u8(ENCRYPTED);
                    coefficients.iter().for_each(|&c| {
                        out.u64(c);
                    });
                }
            }
        }
        out.into_bytes()
    }

    /// The content id attestations sign.
    pub fn content_id(&self) -> ContentId {
        ContentId::of(&self.canonical_bytes())
    }

    /// Writes the file atomically (a checkpoint is never half-written).
    pub fn save(&self, path: &Path) -> Result<(), FheError> {
        artifact::write_binary(path, ArtifactKind::EncryptedModel, &self.canonical_bytes()).map_err(FheError::from)
    }

    /// Reads a file; refuses damage, impossible shapes and unreduced or non-bit values.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::EncryptedModel)?;
        let mut reader = Reader::new(&payload);
        reader.expect("magic", MAGIC).map_err(decode_error(path))?;
        let key_id = reader.cid("key id").map_err(decode_error(path))?;
        let data_id = reader.cid("data id").map_err(decode_error(path))?;
        let schema_id = reader.cid("schema id").map_err(decode_error(path))?;
        let config = get_config(&mut reader, path)?;
        let bw = config.weight_format.validate().map_err(|e| FheError::malformed(path, &e.to_string()))?.bits;
        let rows = reader.u64("rows").map_err(decode_error(path))?;
        let completed = reader.u64("batches completed").map_err(decode_error(path))?;
        let count = reader.u32("weights").map_err(decode_error(path))?;
        let count = reader.count("weights", u64::from(count), 8 + bw as usize * 2).map_err(decode_error(path))?;
        if count < 2 {
            return Err(FheError::malformed(path, "a model has at least one feature weight and a bias"));
        }
        let initial = read_u64s(&mut reader, count, path)?.into_iter().map(|w| w as i64).collect();
        let initial_model = match reader.u8("initial model").map_err(decode_error(path))? {
            0 => None,
            1 => Some(reader.cid("initial model").map_err(decode_error(path))?),
            v => return Err(FheError::malformed(path, &format!("initial model flag {v}"))),
        };
        let mut weights = Vec::with_capacity(count);
        for j in 0..count {
            let mut bits = Vec::with_capacity(bw as usize);
            for b in 0..bw {
                let at = |what: &str| format!("weight {j}, bit {b}: {what}");
                match reader.u8("bit kind").map_err(decode_error(path))? {
                    KNOWN => match reader.u8("known bit").map_err(decode_error(path))? {
                        v @ (0 | 1) => bits.push(Ct::known(u64::from(v))),
                        v => return Err(FheError::malformed(path, &at(&format!("known value {v} is not a bit")))),
                    },
                    ENCRYPTED => {
                        let coefficients = read_u64s(&mut reader, CT_LEN, path)?;
                        if coefficients.iter().any(|&c| c >= NTT_PRIME) {
                            return Err(FheError::malformed(path, &at("a coefficient is not reduced modulo p")));
                        }
                        bits.push(Ct::fresh(coefficients));
                    }
                    kind => return Err(FheError::malformed(path, &at(&format!("unknown kind {kind}")))),
                }
            }
            weights.push(bits);
        }
        reader.finish().map_err(decode_error(path))?;
        Ok(Self { key_id, data_id, schema_id, config, initial, initial_model, rows, completed, weights })
    }

    /// Decrypts the weights (`d + 1`, bias last). Only the key holder can, and should only
    /// after the model's content id was attested (see `docs/ENCRYPTED_TRAINING.md`).
    pub fn decrypt(&self, key: &SecretKey) -> Result<Vec<i64>, FheError> {
        if key.key_id() != self.key_id {
            return Err(FheError::Evaluation(format!(
                "the model is encrypted under key set {}, the secret key is of {}",
                self.key_id,
                key.key_id()
            )));
        }
        let mut weights = Vec::with_capacity(self.weights.len());
        for (j, bits) in self.weights.iter().enumerate() {
            let mut values = Vec::with_capacity(bits.len());
            for (b, bit) in bits.iter().enumerate() {
                match decrypt_block(&key.key, bit) {
                    v @ (0 | 1) => values.push(v),
                    v => {
                        return Err(FheError::Evaluation(format!(
                            "weight {j}, bit {b} decrypts to {v}, not a bit: not an honest training's output"
                        )))
                    }
                }
            }
            weights.push(weight_of_bits(&values));
        }
        Ok(weights)
    }
}
