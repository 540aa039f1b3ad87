//! Encrypted inference: scores as linear combinations of ciphertexts with the model's clear
//! integer weights, no bootstrapping; decryption by the owner.

use crate::backend::{Cpu, LinearBackend};
use crate::dataset::EncryptedDataset;
use crate::error::FheError;
use crate::keys::{decode_error, EvaluationKey, SecretKey};
use crate::params::{
    check_model_fits, decode_switched, encode, LWE_DIMENSION, OUTPUT_COEFFICIENT_BYTES, OUTPUT_MODULUS_LOG2,
};
use rayon::prelude::*;
use std::path::Path;
use vsies_core::artifact::{self, ArtifactKind};
use vsies_core::codec::{Reader, Writer};
use vsies_core::{ContentId, Model};

/// One encrypted score per row: LWE ciphertexts over `Z/2^40` (mask then body).
#[derive(Clone, Debug, PartialEq)]
pub struct EncryptedScores {
    /// The key set.
    pub key_id: ContentId,
    /// The model that computed the scores.
    pub model_id: ContentId,
    /// The plaintext dataset the encrypted rows hold.
    pub dataset_id: ContentId,
    /// Rows scored.
    pub rows: usize,
    /// `rows * (n + 1)` coefficients, each below `2^40`.
    coefficients: Vec<u64>,
}

const CIPHERTEXT_WIDTH: usize = LWE_DIMENSION + 1;

/// The phase `b - <a, s>` of a switched score ciphertext, on the `2^40` torus.
fn phase(ciphertext: &[u64], secret: &[u64]) -> u64 {
    let (a, b) = ciphertext.split_at(LWE_DIMENSION);
    let dot = a.iter().zip(secret).fold(0u64, |acc, (&ai, &si)| acc.wrapping_add(ai.wrapping_mul(si)));
    b[0].wrapping_sub(dot) & ((1u64 << OUTPUT_MODULUS_LOG2) - 1)
}

/// Rounds a `2^64` coefficient to the `2^40` modulus.
fn switch_modulus(coefficient: u64) -> u64 {
    let dropped = 64 - OUTPUT_MODULUS_LOG2;
    (coefficient.wrapping_add(1 << (dropped - 1)) >> dropped) & ((1 << OUTPUT_MODULUS_LOG2) - 1)
}

/// Scores every row of `data` with `model` under encryption, using only the evaluation key, on
/// the CPU backend.
pub fn infer(data: &EncryptedDataset, model: &Model, key: &EvaluationKey) -> Result<EncryptedScores, FheError> {
    infer_with(&Cpu, data, model, key)
}

/// [`infer`] on `backend`'s linear layer.
pub fn infer_with(
    backend: &dyn LinearBackend,
    data: &EncryptedDataset,
    model: &Model,
    key: &EvaluationKey,
) -> Result<EncryptedScores, FheError> {
    data.check_key(key.key_id)?;
    score_rows(backend, data, model)
}

/// The scores of `data`'s rows under `model`: the deterministic computation that [`infer`]
/// performs and that [`EncryptedScores::decrypt_justified`] repeats.
fn score_rows(
    backend: &dyn LinearBackend,
    data: &EncryptedDataset,
    model: &Model,
) -> Result<EncryptedScores, FheError> {
    model.check_shape(data.schema_id, data.columns)?;
    check_model_fits(model, data.is_public_key_encrypted())?;
    let weights: Vec<u64> = model.weights.iter().map(|&w| w as u64).collect();
    // Proved lists hold offsets `x − min`: `Σ w (x − min) + min·Σw` restores the score.
    let offset_correction = data.feature_offset() * model.weights.iter().sum::<i64>();
    let bias = encode(model.bias * model.schema.quantization.one() + offset_correction);
    // Wrapping arithmetic is arithmetic on the torus Z/2^64; a negative weight is its two's
    // complement. The bias is a clear plaintext added to the body.
    let coefficients = backend
        .weighted_rows(data, &weights)
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
    /// Decrypts the scores only if they are exactly what [`infer`] computes from `data` (the
    /// encrypted dataset the owner sent out) and `model`, coefficient for coefficient.
    ///
    /// Why: a decryption is an oracle. A compute node that returns crafted "scores" (masks
    /// built from unit vectors) and learns the decrypted results, or even only the predicted
    /// classes, recovers the secret key bit by bit. Encrypted inference is a deterministic
    /// linear map with clear weights, cheap to repeat, so the owner recomputes it and decrypts
    /// nothing it did not compute itself from ciphertexts it trusts. Trusting `data` is the
    /// caller's part: public-key rows by their proofs ([`EncryptedDataset::check_proofs`]),
    /// secret-key rows by the key holder's own record ([`crate::OwnedDatasets::check`]);
    /// `vsies decrypt` does both.
    pub fn decrypt_justified(
        &self,
        data: &EncryptedDataset,
        model: &Model,
        key: &SecretKey,
    ) -> Result<Vec<i64>, FheError> {
        if model.content_id() != self.model_id {
            return Err(FheError::WrongModel { expected: model.content_id(), found: self.model_id });
        }
        self.check_key(key)?;
        data.check_key(key.key_id())?;
        if data.dataset_id != self.dataset_id {
            return Err(FheError::UnjustifiedScores {
                reason: format!(
                    "they claim dataset {}, the encrypted dataset given is {}",
                    self.dataset_id, data.dataset_id
                ),
            });
        }
        let expected = score_rows(&Cpu, data, model)?;
        if expected.rows != self.rows {
            return Err(FheError::UnjustifiedScores {
                reason: format!("{} scores for {} encrypted rows", self.rows, expected.rows),
            });
        }
        let differing = expected
            .coefficients
            .chunks_exact(CIPHERTEXT_WIDTH)
            .zip(self.coefficients.chunks_exact(CIPHERTEXT_WIDTH))
            .position(|(ours, theirs)| ours != theirs);
        if let Some(row) = differing {
            return Err(FheError::UnjustifiedScores {
                reason: format!("row {row} differs from the score the model computes on that encrypted row"),
            });
        }
        expected.decrypt_unchecked(key)
    }

    /// Decrypts every score with the owner's secret key, after checking that `model` is the
    /// model the scores claim to come from, **without** checking how they were computed: for
    /// scores the owner computed itself. Scores from anyone else go through
    /// [`EncryptedScores::decrypt_justified`].
    pub fn decrypt_for_model(&self, model: &Model, key: &SecretKey) -> Result<Vec<i64>, FheError> {
        if model.content_id() != self.model_id {
            return Err(FheError::WrongModel { expected: model.content_id(), found: self.model_id });
        }
        self.decrypt_unchecked(key)
    }

    fn check_key(&self, key: &SecretKey) -> Result<(), FheError> {
        if key.key_id() != self.key_id {
            return Err(FheError::WrongKeys {
                what: "the encrypted scores".into(),
                expected: key.key_id(),
                found: self.key_id,
            });
        }
        Ok(())
    }

    /// Decrypts every score with the owner's secret key, whatever computed them (scores the
    /// owner computed itself; see [`EncryptedScores::decrypt_justified`]).
    pub fn decrypt_unchecked(&self, key: &SecretKey) -> Result<Vec<i64>, FheError> {
        self.check_key(key)?;
        let secret = key.key.as_ref();
        Ok(self.coefficients.par_chunks_exact(CIPHERTEXT_WIDTH).map(|c| decode_switched(phase(c, secret))).collect())
    }

    /// Each score's noise, at the `2^64` scale of the encrypted features: its phase minus the
    /// encoding of `expected` (the plaintext scores). For the owner's noise measurements (the
    /// noise tests); it needs the secret key and the true scores.
    pub fn noise(&self, key: &SecretKey, expected: &[i64]) -> Result<Vec<i64>, FheError> {
        self.check_key(key)?;
        let secret = key.key.as_ref();
        let mask = (1u64 << OUTPUT_MODULUS_LOG2) - 1;
        let scale = 64 - OUTPUT_MODULUS_LOG2;
        Ok(self
            .coefficients
            .chunks_exact(CIPHERTEXT_WIDTH)
            .zip(expected)
            .map(|(ciphertext, &m)| {
                let error = phase(ciphertext, secret).wrapping_sub(encode(m) >> scale) & mask;
                // Sign-extend from 40 bits, then back to the 2^64 scale.
                (((error << scale) as i64) >> scale) << scale
            })
            .collect())
    }

    /// Stored bytes per encrypted score.
    pub fn bytes_per_row() -> usize {
        CIPHERTEXT_WIDTH * OUTPUT_COEFFICIENT_BYTES
    }

    fn to_payload(&self) -> Vec<u8> {
        let mut out = Writer::with_capacity(128 + self.coefficients.len() * OUTPUT_COEFFICIENT_BYTES);
        out.cid(&self.key_id).cid(&self.model_id).cid(&self.dataset_id);
        out.u64(self.rows as u64).u32(LWE_DIMENSION as u32).u8(OUTPUT_MODULUS_LOG2 as u8);
        for c in &self.coefficients {
            out.raw(&c.to_le_bytes()[..OUTPUT_COEFFICIENT_BYTES]);
        }
        out.into_bytes()
    }

    fn from_payload(payload: &[u8], path: &Path) -> Result<Self, FheError> {
        let malformed = |reason: &str| FheError::malformed(path, reason);
        let mut reader = Reader::new(payload);
        let header = (|| {
            Ok::<_, vsies_core::codec::CodecError>((
                reader.cid("key id")?,
                reader.cid("model id")?,
                reader.cid("dataset id")?,
                reader.u64("rows")?,
                reader.u32("dimension")?,
                reader.u8("modulus")?,
            ))
        })();
        let (key_id, model_id, dataset_id, rows, dimension, modulus) = header.map_err(decode_error(path))?;
        if dimension as usize != LWE_DIMENSION || u32::from(modulus) != OUTPUT_MODULUS_LOG2 {
            return Err(malformed("parameters differ from this build's (n = 2048, modulus 2^40)"));
        }
        let rows = reader.count("scores", rows, Self::bytes_per_row()).map_err(decode_error(path))?;
        if reader.remaining() != rows * Self::bytes_per_row() {
            return Err(malformed("ciphertext bytes do not match the row count"));
        }
        let coefficients = reader
            .rest()
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
