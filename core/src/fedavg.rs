//! FedAvg of quantized models: the one integer definition that plaintext aggregation here and
//! secure aggregation (`vsies-secure-agg`) both compute, so their results agree bit for bit.
//!
//! Client `i` with `n_i` training rows and augmented weights `w_i` (feature weights, then the
//! bias, format `(bw, fw)`) contributes the **weighted update**
//! `u_i = (n_i * w_i[0], ..., n_i * w_i[d], n_i)`. The aggregate is the coordinate-wise sum
//! `S = sum_i u_i`; with `N = S[d + 1]` rows in all, the averaged weight `k` is
//! `floor((2 * S[k] + N) / (2 * N))`, the quotient `S[k] / N` rounded half up, the same tie rule
//! as the training spec's `round_shift`. The result is a model in the same weight format,
//! trained on `N` rows.
//!
//! Every coordinate of `u_i` and of `S` is carried as a 32-bit two's-complement integer
//! ([`MESSAGE_BITS`]), which is what secure aggregation encrypts. That holds exactly when the
//! round has at most [`max_total_samples`] rows in all (`2^(32 - bw)`, 2^20 for 12-bit
//! weights): then `|S[k]| <= 2^(32 - bw) * 2^(bw - 1) = 2^31`. A client above the limit is
//! refused, and an aggregate of at most [`max_clients`] clients (`2^bw`) cannot wrap its row
//! count, so a total above the limit is detected, never silently wrong.

use crate::cid::ContentId;
use crate::model::Model;
use crate::schema::Schema;
use crate::spec::TrainingConfig;
use crate::FixedFormat;
use serde::{Deserialize, Serialize};

/// Width of every coordinate of a weighted update and of the aggregate.
pub const MESSAGE_BITS: u32 = 32;

/// Most rows a round may aggregate for weights of `format`: `2^(32 - bits)`.
pub fn max_total_samples(format: FixedFormat) -> u64 {
    1u64 << (MESSAGE_BITS - format.bits)
}

/// Most clients one aggregate may hold for weights of `format`: `2^bits`, so that the summed
/// row count, each client's at most [`max_total_samples`], stays below `2^32`.
pub fn max_clients(format: FixedFormat) -> u64 {
    1u64 << format.bits
}

/// What every model of one round shares, and the averaged model inherits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateShape {
    /// The schema of every model.
    pub schema: Schema,
    /// The training parameters of every model.
    pub training: TrainingConfig,
    /// The global model the round started from, if any.
    pub initial_model: Option<ContentId>,
}

impl UpdateShape {
    /// The shape of `model`.
    pub fn of(model: &Model) -> Self {
        Self { schema: model.schema.clone(), training: model.training, initial_model: model.initial_model }
    }

    /// Coordinates of a weighted update: the weights, the bias, the row count.
    pub fn coordinates(&self) -> usize {
        self.schema.features.len() + 2
    }
}

/// Why models cannot be averaged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FedAvgError {
    /// No model was given.
    #[error("no models to average")]
    Empty,
    /// Models of one round differ in schema, training configuration or initial model.
    #[error("model {index} was trained with another schema, training configuration or initial model than model 0")]
    ShapeMismatch {
        /// The first model that differs from model 0.
        index: usize,
    },
    /// More rows than a round aggregates exactly.
    #[error(
        "a model trained on {samples} rows exceeds the {limit} rows a round may aggregate with {bits}-bit weights"
    )]
    TooManySamples {
        /// Training rows.
        samples: u64,
        /// Rows a round may aggregate.
        limit: u64,
        /// Weight width in bits.
        bits: u32,
    },
    /// A model trained on no rows.
    #[error("a model trained on 0 rows carries no weight in FedAvg")]
    NoSamples,
    /// An aggregate of another length than the shape.
    #[error("the aggregate has {found} coordinates, the shape has {expected}")]
    Length {
        /// Coordinates of the shape.
        expected: usize,
        /// Coordinates of the aggregate.
        found: usize,
    },
    /// More clients than one aggregate holds exactly.
    #[error("more than {limit} clients in one aggregate could wrap its row count")]
    TooManyClients {
        /// Clients one aggregate may hold.
        limit: u64,
    },
}

/// The weighted update `u_i` of one model, coordinates as 32-bit two's complement.
pub fn weighted_update(model: &Model) -> Result<Vec<u32>, FedAvgError> {
    let format = model.training.weight_format;
    let samples = model.training_samples;
    if samples == 0 {
        return Err(FedAvgError::NoSamples);
    }
    let limit = max_total_samples(format);
    if samples > limit {
        return Err(FedAvgError::TooManySamples { samples, limit, bits: format.bits });
    }
    let n = samples as i64;
    let mut update: Vec<u32> = model.augmented_weights().iter().map(|&w| (n * w) as i32 as u32).collect();
    update.push(samples as u32);
    Ok(update)
}

/// The averaged model from an aggregate `sum` (coordinates mod 2^32, as decrypted).
pub fn average(shape: &UpdateShape, sum: &[u32]) -> Result<Model, FedAvgError> {
    if sum.len() != shape.coordinates() {
        return Err(FedAvgError::Length { expected: shape.coordinates(), found: sum.len() });
    }
    let format = shape.training.weight_format;
    let (samples, weighted) = sum.split_last().expect("at least the bias and the row count");
    let total = u64::from(*samples);
    if total == 0 {
        return Err(FedAvgError::NoSamples);
    }
    let limit = max_total_samples(format);
    if total > limit {
        return Err(FedAvgError::TooManySamples { samples: total, limit, bits: format.bits });
    }
    let n = total as i64;
    let mut weights: Vec<i64> =
        weighted.iter().map(|&s| (2 * i64::from(s as i32) + n).div_euclid(2 * n)).map(|w| format.clamp(w)).collect();
    let bias = weights.pop().expect("the bias");
    Ok(Model {
        schema_id: shape.schema.content_id(),
        schema: shape.schema.clone(),
        training: shape.training,
        initial_model: shape.initial_model,
        weights,
        bias,
        training_samples: total,
    })
}

/// Coordinate-wise sum of weighted updates, mod 2^32.
pub fn sum_updates<'a>(updates: impl IntoIterator<Item = &'a [u32]>) -> Vec<u32> {
    let mut sum: Vec<u32> = Vec::new();
    for update in updates {
        if sum.is_empty() {
            sum = vec![0; update.len()];
        }
        for (total, &value) in sum.iter_mut().zip(update) {
            *total = total.wrapping_add(value);
        }
    }
    sum
}

/// Plaintext FedAvg of `models`: what secure aggregation decrypts to, bit for bit.
pub fn fedavg(models: &[Model]) -> Result<Model, FedAvgError> {
    let first = models.first().ok_or(FedAvgError::Empty)?;
    let shape = UpdateShape::of(first);
    if models.len() as u64 > max_clients(shape.training.weight_format) {
        return Err(FedAvgError::TooManyClients { limit: max_clients(shape.training.weight_format) });
    }
    if let Some(index) = models.iter().position(|model| UpdateShape::of(model) != shape) {
        return Err(FedAvgError::ShapeMismatch { index });
    }
    let updates = models.iter().map(weighted_update).collect::<Result<Vec<_>, _>>()?;
    average(&shape, &sum_updates(updates.iter().map(Vec::as_slice)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(weights: Vec<i64>, bias: i64, samples: u64) -> Model {
        crate::test_support::model("t", weights, bias, samples)
    }

    #[test]
    fn averages_by_sample_count_rounding_half_up() {
        let a = model(vec![100, -100, 3], 7, 1);
        let b = model(vec![200, -200, 0], -8, 3);
        let avg = fedavg(&[a, b]).unwrap();
        // (100 + 600) / 4 = 175; (-100 - 600) / 4 = -175; 3 / 4 = 0.75 -> 1; (7 - 24) / 4 = -4.25 -> -4
        assert_eq!(avg.weights, vec![175, -175, 1]);
        assert_eq!(avg.bias, -4);
        assert_eq!(avg.training_samples, 4);
        // Ties go up on both signs: 1/2 -> 1, -1/2 -> 0.
        let tie = fedavg(&[model(vec![1], -1, 1), model(vec![0], 0, 1)]).unwrap();
        assert_eq!((tie.weights[0], tie.bias), (1, 0));
    }

    #[test]
    fn extreme_weights_at_the_sample_limit_do_not_wrap() {
        let limit = max_total_samples(FixedFormat::WEIGHTS);
        let low = model(vec![-2048], 2047, limit / 2);
        let high = model(vec![-2048], 2047, limit / 2);
        let avg = fedavg(&[low, high]).unwrap();
        assert_eq!((avg.weights[0], avg.bias), (-2048, 2047));
        let over = model(vec![1], 1, limit + 1);
        assert!(matches!(fedavg(&[over]), Err(FedAvgError::TooManySamples { .. })));
    }

    #[test]
    fn refuses_mixed_shapes_and_empty_rounds() {
        assert_eq!(fedavg(&[]), Err(FedAvgError::Empty));
        let err = fedavg(&[model(vec![1, 2], 0, 5), model(vec![1], 0, 5)]).unwrap_err();
        assert_eq!(err, FedAvgError::ShapeMismatch { index: 1 });
        assert_eq!(fedavg(&[model(vec![1], 0, 0)]), Err(FedAvgError::NoSamples));
    }
}
