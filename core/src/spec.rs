#![doc = include_str!("../../docs/TRAINING_SPEC.md")]

use crate::dataset::QuantizedDataset;
use crate::fixed::{round_shift, FixedFormat};
use crate::rng::Mt19937;
use serde::{Deserialize, Serialize};

/// The training parameters of the spec (the feature format comes with the dataset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingConfig {
    /// Weight format `(bw, fw)`.
    pub weight_format: FixedFormat,
    /// Fractional bits `fp` of the sigmoid output.
    pub sigmoid_frac_bits: u32,
    /// `b`: the batch size is `2^b`.
    pub batch_size_log2: u32,
    /// `k`: the learning rate is `2^-k`.
    pub learning_rate_log2: u32,
    /// `E`.
    pub epochs: u32,
    /// Seed of the batch order.
    pub seed: u32,
}

impl Default for TrainingConfig {
    /// The reference parameters (see the table above).
    fn default() -> Self {
        Self {
            weight_format: FixedFormat::WEIGHTS,
            sigmoid_frac_bits: 6,
            batch_size_log2: 3,
            learning_rate_log2: 2,
            epochs: 10,
            seed: 0,
        }
    }
}

/// Why a training run is not defined by the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("training parameter `{field}` is invalid: {reason}")]
    InvalidParameter { field: &'static str, reason: String },
    #[error("the dataset has no labels; training needs the label column")]
    Unlabeled,
    #[error("the dataset has no rows")]
    NoRows,
    #[error("the dataset has {found} feature columns, the weights have {expected}")]
    FeatureCount { expected: usize, found: usize },
    #[error("initial weight {index} = {value} lies outside the weight format")]
    InitialWeightOutOfFormat { index: usize, value: i64 },
}

/// Shift amounts derived from a validated configuration and feature format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shifts {
    /// `s_z = fw + fx + 2 - fp`: score to sigmoid input.
    pub sigmoid: u32,
    /// `s_u = fp + fx - fw + b + k`: gradient sum to weight update.
    pub update: u32,
}

impl TrainingConfig {
    /// Checks every constraint of the spec for `columns` features in `features` format.
    pub fn validate(&self, features: FixedFormat, columns: usize) -> Result<Shifts, SpecError> {
        let invalid = |field, reason: String| Err(SpecError::InvalidParameter { field, reason });
        let (bx, fx) = (features.bits, features.frac_bits);
        self.weight_format
            .validate()
            .map_err(|err| SpecError::InvalidParameter { field: "weight_format", reason: err.to_string() })?;
        features
            .validate()
            .map_err(|err| SpecError::InvalidParameter { field: "feature_format", reason: err.to_string() })?;
        let (bw, fw, fp) = (self.weight_format.bits, self.weight_format.frac_bits, self.sigmoid_frac_bits);
        if fx + 2 > bx {
            return invalid(
                "feature_format",
                format!("need frac_bits <= bits - 2 so the constant one fits ({bx}, {fx})"),
            );
        }
        if !(1..=16).contains(&fp) {
            return invalid("sigmoid_frac_bits", format!("{fp} is outside 1..=16"));
        }
        if self.batch_size_log2 > 16 {
            return invalid("batch_size_log2", format!("{} is outside 0..=16", self.batch_size_log2));
        }
        if self.learning_rate_log2 > 16 {
            return invalid("learning_rate_log2", format!("{} is outside 0..=16", self.learning_rate_log2));
        }
        if !(1..=10_000).contains(&self.epochs) {
            return invalid("epochs", format!("{} is outside 1..=10000", self.epochs));
        }
        if columns == 0 || columns > crate::schema::MAX_FEATURES {
            return invalid("features", format!("{columns} features; 1 to 65536 are supported"));
        }
        let score_bound = (columns as u128 + 1) << (bx + bw - 2);
        if score_bound >= 1 << 62 {
            return invalid("weight_format", "scores could exceed 2^62 with these widths".into());
        }
        let sigmoid = (fw + fx + 2).checked_sub(fp);
        let update = (fp + fx + self.batch_size_log2 + self.learning_rate_log2).checked_sub(fw);
        match (sigmoid, update) {
            (Some(sigmoid), Some(update)) => Ok(Shifts { sigmoid, update }),
            (None, _) => invalid("sigmoid_frac_bits", format!("fp = {fp} exceeds fw + fx + 2")),
            (_, None) => {
                invalid("weight_format", "fw exceeds fp + fx + b + k: the update shift would be negative".into())
            }
        }
    }
}

/// Weights of the augmented model: `d` feature weights followed by the bias.
pub type Weights = Vec<i64>;

/// The augmented feature `x̂_j` of a row: the features, then the constant one `2^fx`.
fn augmented(row: &[i32], features: FixedFormat, j: usize) -> i64 {
    row.get(j).map_or(features.one(), |&x| i64::from(x))
}

/// `z(w, x̂)`: the exact quantized score of one row.
pub fn score(weights: &[i64], row: &[i32], features: FixedFormat) -> i64 {
    debug_assert_eq!(weights.len(), row.len() + 1);
    let dot: i64 = weights.iter().zip(row).map(|(&w, &x)| w * i64::from(x)).sum();
    dot + weights[row.len()] * features.one()
}

/// Predicted class of a score: 1 when `z ≥ 0`.
pub fn class_of_score(score: i64) -> u8 {
    u8::from(score >= 0)
}

/// `p(z)`: the hard sigmoid at `fp` fractional bits.
pub fn sigmoid(score: i64, sigmoid_frac_bits: u32, shifts: Shifts) -> i64 {
    let half = 1i64 << (sigmoid_frac_bits - 1);
    (half + round_shift(score, shifts.sigmoid)).clamp(0, 1i64 << sigmoid_frac_bits)
}

/// Trains from `initial` weights (zero when `None`), exactly as the spec above says.
pub fn train(data: &QuantizedDataset, config: &TrainingConfig, initial: Option<&[i64]>) -> Result<Weights, SpecError> {
    let shifts = config.validate(data.format, data.columns)?;
    let labels = data.labels.as_ref().ok_or(SpecError::Unlabeled)?;
    let rows = data.rows();
    if rows == 0 {
        return Err(SpecError::NoRows);
    }
    let width = data.columns + 1;
    let mut weights = match initial {
        None => vec![0; width],
        Some(initial) if initial.len() != width => {
            return Err(SpecError::FeatureCount { expected: initial.len().saturating_sub(1), found: data.columns })
        }
        Some(initial) => {
            let format = config.weight_format;
            if let Some(index) = initial.iter().position(|&w| w != format.clamp(w)) {
                return Err(SpecError::InitialWeightOutOfFormat { index, value: initial[index] });
            }
            initial.to_vec()
        }
    };
    let fp = config.sigmoid_frac_bits;
    let batch = 1usize << config.batch_size_log2;
    let mut rng = Mt19937::new(config.seed);
    let mut gradient = vec![0i64; width];
    for _epoch in 0..config.epochs {
        let order = rng.permutation(rows);
        for batch_rows in order.chunks(batch) {
            gradient.fill(0);
            for &i in batch_rows {
                let row = data.row(i);
                let error = sigmoid(score(&weights, row, data.format), fp, shifts) - (i64::from(labels[i]) << fp);
                for (j, g) in gradient.iter_mut().enumerate() {
                    *g += error * augmented(row, data.format, j);
                }
            }
            for (w, &g) in weights.iter_mut().zip(&gradient) {
                *w = config.weight_format.clamp(*w - round_shift(g, shifts.update));
            }
        }
    }
    Ok(weights)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cid::ContentId;

    fn dataset(values: Vec<i32>, labels: Vec<u8>, columns: usize) -> QuantizedDataset {
        QuantizedDataset {
            schema_id: ContentId::of(b"s"),
            format: FixedFormat::FEATURES,
            columns,
            values,
            labels: Some(labels),
        }
    }

    #[test]
    fn reference_shifts() {
        let shifts = TrainingConfig::default().validate(FixedFormat::FEATURES, 30).unwrap();
        // s_z = 8 + 4 + 2 - 6, s_u = 6 + 4 - 8 + 3 + 2.
        assert_eq!(shifts, Shifts { sigmoid: 8, update: 7 });
    }

    #[test]
    fn score_includes_the_bias_as_a_constant_one_feature() {
        // w = (3, -2, bias 5), x = (4, 7): 12 - 14 + 5 * 16 = 78.
        assert_eq!(score(&[3, -2, 5], &[4, 7], FixedFormat::FEATURES), 78);
        assert_eq!(class_of_score(78), 1);
        assert_eq!(class_of_score(0), 1);
        assert_eq!(class_of_score(-1), 0);
    }

    #[test]
    fn hard_sigmoid_is_half_at_zero_and_saturates() {
        let shifts = TrainingConfig::default().validate(FixedFormat::FEATURES, 1).unwrap();
        let one = 1i64 << (8 + 4); // z = 1.0 at scale 2^-(fw + fx)
        assert_eq!(sigmoid(0, 6, shifts), 32); // 1/2
        assert_eq!(sigmoid(one, 6, shifts), 48); // 1/2 + 1/4
        assert_eq!(sigmoid(-one, 6, shifts), 16);
        assert_eq!(sigmoid(2 * one, 6, shifts), 64); // the clamp at 1
        assert_eq!(sigmoid(-(1 << 30), 6, shifts), 0);
    }

    #[test]
    fn one_step_by_hand() {
        // One row, one feature, batch 1, lr 1/4: x = 16 (1.0), y = 1, w = 0.
        // p = 32, e = 32 - 64 = -32; G = (-32 * 16, -32 * 16) = (-512, -512);
        // s_u = 6 + 4 - 8 + 0 + 2 = 4; rs(-512, 4) = -32; w = (32, 32) = (0.125, 0.125).
        let config = TrainingConfig { batch_size_log2: 0, epochs: 1, ..TrainingConfig::default() };
        let weights = train(&dataset(vec![16], vec![1], 1), &config, None).unwrap();
        assert_eq!(weights, [32, 32]);
    }

    #[test]
    fn weights_saturate_at_the_format_bounds() {
        // x = 127, y = 1, w = (200, bias -2048), batch 1, lr 1: z = 25400 - 32768 = -7368,
        // p = 32 + rs(-7368, 8) = 3, e = -61, G = (-7747, -976), s_u = 2:
        // w0 = 200 + 1937 = 2137 -> clamped to 2047; bias = -2048 + 244 = -1804.
        let config =
            TrainingConfig { batch_size_log2: 0, learning_rate_log2: 0, epochs: 1, ..TrainingConfig::default() };
        let weights = train(&dataset(vec![127], vec![1], 1), &config, Some(&[200, -2048])).unwrap();
        assert_eq!(weights, [2047, -1804]);
    }

    #[test]
    fn refuses_what_the_spec_does_not_define() {
        let config = TrainingConfig::default();
        let mut unlabeled = dataset(vec![1], vec![1], 1);
        unlabeled.labels = None;
        assert_eq!(train(&unlabeled, &config, None), Err(SpecError::Unlabeled));
        assert_eq!(train(&dataset(vec![], vec![], 1), &config, None), Err(SpecError::NoRows));
        let bad = TrainingConfig { sigmoid_frac_bits: 0, ..config };
        assert!(matches!(train(&dataset(vec![1], vec![1], 1), &bad, None), Err(SpecError::InvalidParameter { .. })));
        let out_of_format = [5000, 0];
        assert!(matches!(
            train(&dataset(vec![1], vec![1], 1), &config, Some(&out_of_format)),
            Err(SpecError::InitialWeightOutOfFormat { index: 0, .. })
        ));
        assert!(matches!(
            train(&dataset(vec![1], vec![1], 1), &config, Some(&[0, 0, 0])),
            Err(SpecError::FeatureCount { .. })
        ));
    }
}
