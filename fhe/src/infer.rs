//! Encrypted inference: scores as linear combinations of ciphertexts with the model's clear
//! integer weights, no bootstrapping; decryption by the owner.

use crate::dataset::EncryptedDataset;
use crate::error::FheError;
use crate::keys::{parse_cid, EvaluationKey, SecretKey};
use crate::params::{
    check_model_fits, decode_switched, encode, LWE_DIMENSION, OUTPUT_COEFFICIENT_BYTES, OUTPUT_MODULUS_LOG2,
};
use rayon::prelude::*;
use std::path::Path;

use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::{ContentId, Model};

/// One encrypted score per row: LWE ciphertexts over `Z/2^40` (mask then body).
#[derive(Clone, Debug, PartialEq)]
pub struct EncryptedScores {
    pub key_id: ContentId,
    pub model_id: ContentId,
    pub dataset_id: ContentId,
    pub rows: usize,
    /// `rows * (n + 1)` coefficients, each below `2^40`.
    coefficients: Vec<u64>,
}

const CIPHERTEXT_WIDTH: usize = LWE_DIMENSION + 1;

/// Rounds a `2^64` coefficient to the `2^40` modulus.
fn switch_modulus(coefficient: u64) -> u64 {
    let dropped = 64 - OUTPUT_MODULUS_LOG2;
    (coefficient.wrapping_add(1 << (dropped - 1)) >> dropped) & ((1 << OUTPUT_MODULUS_LOG2) - 1)
}

/// Scores every row of `data` with `model` under encryption, using only the evaluation key.
pub fn infer(data: &EncryptedDataset, model: &Model, key: &EvaluationKey) -> Result<EncryptedScores, FheError> {
    data.check_key(key.key_id)?;
    model.check_shape(data.schema_id, data.columns)?;
    check_model_fits(model)?;
    let weights: Vec<u64> = model.weights.iter().map(|&w| w as u64).collect();
    let bias = encode(model.bias * model.schema.quantization.one());
    // Wrapping arithmetic is arithmetic on the torus Z/2^64; a negative weight is its two's
    // complement. The bias is a clear plaintext added to the body.
    let coefficients = data
        .par_weighted_rows(&weights)
        .into_iter()
        .flat_map(|mut ciphertext| {
            ciphertext[LWE_DIMENSION] = ciphertext[LWE_DIMENSION].wrapping_add(bias);
            ciphertext.into_iter().map(switch_modulus)
        })
        .collect();
    Ok(EncryptedScores {
        key_id: data.key_id,
        model_id: model.content_id(),
        dataset_id: data.dataset_id,
        rows: data.rows,
        coefficients,
    })
}

impl EncryptedScores {
    /// Decrypts every score with the owner's secret key.
    pub fn decrypt(&self, key: &SecretKey) -> Result<Vec<i64>, FheError> {
        if key.key_id() != self.key_id {
            return Err(FheError::WrongKeys {
                what: "the encrypted scores".into(),
                expected: key.key_id(),
                found: self.key_id,
            });
        }
        let secret = key.key.as_ref();
        let mask = (1u64 << OUTPUT_MODULUS_LOG2) - 1;
        Ok(self
            .coefficients
            .par_chunks_exact(CIPHERTEXT_WIDTH)
            .map(|ciphertext| {
                let (a, b) = ciphertext.split_at(LWE_DIMENSION);
                let dot = a.iter().zip(secret).fold(0u64, |acc, (&ai, &si)| acc.wrapping_add(ai.wrapping_mul(si)));
                decode_switched(b[0].wrapping_sub(dot) & mask)
            })
            .collect())
    }

    /// Stored bytes per encrypted score.
    pub fn bytes_per_row() -> usize {
        CIPHERTEXT_WIDTH * OUTPUT_COEFFICIENT_BYTES
    }

    fn to_payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.coefficients.len() * OUTPUT_COEFFICIENT_BYTES);
        for id in [self.key_id, self.model_id, self.dataset_id] {
            out.extend_from_slice(&id.to_bytes());
        }
        out.extend_from_slice(&(self.rows as u64).to_le_bytes());
        out.extend_from_slice(&(LWE_DIMENSION as u32).to_le_bytes());
        out.push(OUTPUT_MODULUS_LOG2 as u8);
        for c in &self.coefficients {
            out.extend_from_slice(&c.to_le_bytes()[..OUTPUT_COEFFICIENT_BYTES]);
        }
        out
    }

    fn from_payload(payload: &[u8], path: &Path) -> Result<Self, FheError> {
        let malformed = |reason: &str| FheError::malformed(path, reason);
        if payload.len() < 36 * 3 + 13 {
            return Err(malformed("header truncated"));
        }
        let key_id = parse_cid(&payload[..36], path)?;
        let model_id = parse_cid(&payload[36..72], path)?;
        let dataset_id = parse_cid(&payload[72..108], path)?;
        let rows = usize::try_from(u64::from_le_bytes(payload[108..116].try_into().expect("8 bytes")))
            .map_err(|_| malformed("row count"))?;
        let dimension = u32::from_le_bytes(payload[116..120].try_into().expect("4 bytes")) as usize;
        if dimension != LWE_DIMENSION || u32::from(payload[120]) != OUTPUT_MODULUS_LOG2 {
            return Err(malformed("parameters differ from this build's (n = 2048, modulus 2^40)"));
        }
        let body = &payload[121..];
        if Some(body.len()) != rows.checked_mul(Self::bytes_per_row()) {
            return Err(malformed("ciphertext bytes do not match the row count"));
        }
        let coefficients = body
            .chunks_exact(OUTPUT_COEFFICIENT_BYTES)
            .map(|c| {
                let mut le = [0u8; 8];
                le[..OUTPUT_COEFFICIENT_BYTES].copy_from_slice(c);
                u64::from_le_bytes(le)
            })
            .collect();
        Ok(Self { key_id, model_id, dataset_id, rows, coefficients })
    }

    /// Writes `preds.vsies` atomically.
    pub fn save(&self, path: &Path) -> Result<(), FheError> {
        artifact::write_binary(path, ArtifactKind::EncryptedScores, &self.to_payload()).map_err(FheError::from)
    }

    /// Reads and checks `preds.vsies`.
    pub fn load(path: &Path) -> Result<Self, FheError> {
        let payload = artifact::read_binary(path, ArtifactKind::EncryptedScores)?;
        Self::from_payload(&payload, path)
    }
}
