#![doc = include_str!("../../docs/TRAINING_SPEC.md")]

use crate::dataset::QuantizedDataset;
use crate::fixed::{round_shift, FixedFormat};
use crate::rng::Mt19937;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// The training parameters of the spec (the feature format comes with the dataset).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[non_exhaustive]
pub enum SpecError {
    /// A parameter outside the spec's limits.
    #[error("training parameter `{field}` is invalid: {reason}")]
    InvalidParameter {
        /// The parameter.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The dataset has no label column.
    #[error("the dataset has no labels; training needs the label column")]
    Unlabeled,
    /// The dataset is empty.
    #[error("the dataset has no rows")]
    NoRows,
    /// Weights and dataset differ in width.
    #[error("the dataset has {found} feature columns, the weights have {expected}")]
    FeatureCount {
        /// Feature weights.
        expected: usize,
        /// Feature columns of the dataset.
        found: usize,
    },
    /// An initial weight the weight format cannot hold.
    #[error("initial weight {index} = {value} lies outside the weight format")]
    InitialWeightOutOfFormat {
        /// Index among the augmented weights.
        index: usize,
        /// The weight.
        value: i64,
    },
    /// A checkpoint past the last batch.
    #[error("a checkpoint after {completed} batches, but the training has {total}")]
    CheckpointBeyondEnd {
        /// Batches the checkpoint claims.
        completed: u64,
        /// Batches of the training.
        total: u64,
    },
    /// A step was given another dataset than the state was made for.
    #[error("the dataset differs in shape from the one the training state was made for")]
    DatasetChanged,
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
pub fn augmented(row: &[i32], features: FixedFormat, j: usize) -> i64 {
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

/// `e = p(z) - y · 2^fp`: one sample's error, scale `2^-fp`, `|e| ≤ 2^fp`.
pub fn sample_error(score: i64, label: u8, sigmoid_frac_bits: u32, shifts: Shifts) -> i64 {
    sigmoid(score, sigmoid_frac_bits, shifts) - (i64::from(label) << sigmoid_frac_bits)
}

/// `G = Σ_{i ∈ batch} e_i · x̂_i`: the batch gradient at `weights` (all samples of a batch use
/// the weights from before it), `d + 1` entries.
pub fn batch_gradient(
    weights: &[i64],
    features: ArrayView2<'_, i32>,
    labels: &[u8],
    batch: &[usize],
    format: FixedFormat,
    config: &TrainingConfig,
    shifts: Shifts,
) -> Vec<i64> {
    let mut gradient = vec![0i64; weights.len()];
    for &i in batch {
        let row = features.row(i);
        let row = row.as_slice().expect("dataset rows are contiguous");
        let error = sample_error(score(weights, row, format), labels[i], config.sigmoid_frac_bits, shifts);
        for (j, g) in gradient.iter_mut().enumerate() {
            *g += error * augmented(row, format, j);
        }
    }
    gradient
}

/// `w_j ← clampw(w_j - rs(G_j, s_u))` for every weight.
pub fn apply_gradient(weights: &mut [i64], gradient: &[i64], config: &TrainingConfig, shifts: Shifts) {
    for (w, &g) in weights.iter_mut().zip(gradient) {
        *w = config.weight_format.clamp(*w - round_shift(g, shifts.update));
    }
}

/// One batch of the schedule: which rows it trains on, and where it sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Epoch, from 0.
    pub epoch: u32,
    /// Index of the batch within its epoch, from 0.
    pub index: usize,
    /// Row indices, in the order the epoch's permutation lists them.
    pub rows: Vec<usize>,
}

/// The batch order: a public function of the seed, the row count, the batch size and the
/// epochs (numpy's `RandomState(seed).permutation(n)` once per epoch, cut into batches of
/// `2^b`, the last one shorter). Plaintext, encrypted and proved training walk the same
/// schedule; a circuit gets it as wiring, never runs MT19937.
#[derive(Clone)]
pub struct Schedule {
    rows: usize,
    batch_size: usize,
    epochs: u32,
    generator: Mt19937,
    /// The current epoch's permutation (empty once training is finished).
    order: Vec<usize>,
    epoch: u32,
    /// Index within the epoch of the next batch.
    batch: usize,
}

impl Schedule {
    /// The schedule of `epochs` epochs over `rows` rows in batches of `2^batch_size_log2`.
    pub fn new(seed: u32, rows: usize, batch_size_log2: u32, epochs: u32) -> Self {
        let mut generator = Mt19937::new(seed);
        let order = if epochs > 0 && rows > 0 { generator.permutation(rows) } else { Vec::new() };
        Self { rows, batch_size: 1 << batch_size_log2, epochs, generator, order, epoch: 0, batch: 0 }
    }

    /// The schedule of `config` over `rows` rows.
    pub fn for_config(config: &TrainingConfig, rows: usize) -> Self {
        Self::new(config.seed, rows, config.batch_size_log2, config.epochs)
    }

    /// Batches per epoch, `ceil(n / B)`.
    pub fn batches_per_epoch(&self) -> usize {
        self.rows.div_ceil(self.batch_size)
    }

    /// Batches of the whole training.
    pub fn total_batches(&self) -> u64 {
        self.batches_per_epoch() as u64 * u64::from(self.epochs)
    }

    /// Batches already walked past.
    pub fn completed(&self) -> u64 {
        if self.is_finished() {
            return self.total_batches();
        }
        u64::from(self.epoch) * self.batches_per_epoch() as u64 + self.batch as u64
    }

    /// The epoch of the next batch.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Index within its epoch of the next batch.
    pub fn batch_index(&self) -> usize {
        self.batch
    }

    /// How many 32-bit outputs the generator has drawn: its position in the MT19937 stream.
    pub fn generator_draws(&self) -> u64 {
        self.generator.draws()
    }

    /// Whether every batch has been walked past.
    pub fn is_finished(&self) -> bool {
        self.epoch >= self.epochs || self.rows == 0
    }

    /// The rows of the next batch, `None` once finished.
    pub fn next_rows(&self) -> Option<&[usize]> {
        if self.is_finished() {
            return None;
        }
        let start = self.batch * self.batch_size;
        Some(&self.order[start..self.rows.min(start + self.batch_size)])
    }

    /// Moves past the next batch.
    pub fn advance(&mut self) {
        if self.is_finished() {
            return;
        }
        self.batch += 1;
        if self.batch == self.batches_per_epoch() {
            self.batch = 0;
            self.epoch += 1;
            // The generator is not reseeded: epoch e uses the e-th permutation of one stream.
            self.order = if self.epoch < self.epochs { self.generator.permutation(self.rows) } else { Vec::new() };
        }
    }

    /// The schedule after `completed` batches (a checkpoint's position), by replaying the
    /// permutations of the epochs before it: `O(rows · epochs)`, no training.
    pub fn resume(seed: u32, rows: usize, batch_size_log2: u32, epochs: u32, completed: u64) -> Option<Self> {
        let mut schedule = Self::new(seed, rows, batch_size_log2, epochs);
        if completed > schedule.total_batches() {
            return None;
        }
        let per_epoch = schedule.batches_per_epoch() as u64;
        for _ in 0..completed.checked_div(per_epoch).unwrap_or(0) {
            // Whole epochs: skip to the next permutation without walking each batch.
            schedule.batch = schedule.batches_per_epoch() - 1;
            schedule.advance();
        }
        for _ in 0..completed.checked_rem(per_epoch).unwrap_or(0) {
            schedule.advance();
        }
        Some(schedule)
    }
}

impl Iterator for Schedule {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        let rows = self.next_rows()?.to_vec();
        let batch = Batch { epoch: self.epoch, index: self.batch, rows };
        self.advance();
        Some(batch)
    }
}

/// The state of a training run between two batches: the weights and the schedule's position
/// (epoch, batch, generator). [`TrainingState::step`] advances it by one batch, so plaintext,
/// encrypted and proved training can be compared after every batch.
#[derive(Clone)]
pub struct TrainingState {
    config: TrainingConfig,
    shifts: Shifts,
    format: FixedFormat,
    columns: usize,
    weights: Weights,
    schedule: Schedule,
}

impl TrainingState {
    /// The state before the first batch of training `data` from `initial` weights (zero when
    /// `None`), after checking every constraint of the spec.
    pub fn new(config: TrainingConfig, data: &QuantizedDataset, initial: Option<&[i64]>) -> Result<Self, SpecError> {
        let shifts = config.validate(data.format(), data.columns())?;
        Self::check_data(data)?;
        let width = data.columns() + 1;
        let weights = match initial {
            None => vec![0; width],
            Some(initial) => Self::check_weights(&config, initial, data.columns())?,
        };
        let schedule = Schedule::for_config(&config, data.rows());
        Ok(Self { config, shifts, format: data.format(), columns: data.columns(), weights, schedule })
    }

    /// The state after `completed` batches with `weights` (a checkpoint), for `data`.
    pub fn resume(
        config: TrainingConfig,
        data: &QuantizedDataset,
        weights: &[i64],
        completed: u64,
    ) -> Result<Self, SpecError> {
        let mut state = Self::new(config, data, Some(weights))?;
        state.schedule = Schedule::resume(config.seed, data.rows(), config.batch_size_log2, config.epochs, completed)
            .ok_or(SpecError::CheckpointBeyondEnd { completed, total: state.schedule.total_batches() })?;
        Ok(state)
    }

    fn check_data(data: &QuantizedDataset) -> Result<(), SpecError> {
        if data.labels().is_none() {
            return Err(SpecError::Unlabeled);
        }
        if data.rows() == 0 {
            return Err(SpecError::NoRows);
        }
        Ok(())
    }

    fn check_weights(config: &TrainingConfig, weights: &[i64], columns: usize) -> Result<Weights, SpecError> {
        if weights.len() != columns + 1 {
            return Err(SpecError::FeatureCount { expected: weights.len().saturating_sub(1), found: columns });
        }
        let format = config.weight_format;
        if let Some(index) = weights.iter().position(|&w| w != format.clamp(w)) {
            return Err(SpecError::InitialWeightOutOfFormat { index, value: weights[index] });
        }
        Ok(weights.to_vec())
    }

    /// The current weights (feature weights, then the bias).
    pub fn weights(&self) -> &[i64] {
        &self.weights
    }

    /// The schedule's position.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// The training parameters.
    pub fn config(&self) -> &TrainingConfig {
        &self.config
    }

    /// The shift amounts the parameters imply.
    pub fn shifts(&self) -> Shifts {
        self.shifts
    }

    /// Whether every batch has been trained on.
    pub fn is_finished(&self) -> bool {
        self.schedule.is_finished()
    }

    /// Trains on the next batch of `data` (the dataset the state was made for): returns the
    /// batch, or `None` when training is finished.
    pub fn step(&mut self, data: &QuantizedDataset) -> Result<Option<Batch>, SpecError> {
        if data.rows() != self.schedule.rows || data.columns() != self.columns || data.format() != self.format {
            return Err(SpecError::DatasetChanged);
        }
        let labels = data.labels().ok_or(SpecError::Unlabeled)?;
        let Some(batch) = self.schedule.next() else { return Ok(None) };
        let gradient =
            batch_gradient(&self.weights, data.features(), labels, &batch.rows, self.format, &self.config, self.shifts);
        apply_gradient(&mut self.weights, &gradient, &self.config, self.shifts);
        Ok(Some(batch))
    }

    /// Trains on every remaining batch and returns the final weights.
    pub fn finish(mut self, data: &QuantizedDataset) -> Result<Weights, SpecError> {
        while self.step(data)?.is_some() {}
        Ok(self.weights)
    }
}

/// Trains from `initial` weights (zero when `None`), exactly as the spec above says.
pub fn train(data: &QuantizedDataset, config: &TrainingConfig, initial: Option<&[i64]>) -> Result<Weights, SpecError> {
    TrainingState::new(*config, data, initial)?.finish(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cid::ContentId;

    fn dataset(values: Vec<i32>, labels: Vec<u8>, columns: usize) -> QuantizedDataset {
        QuantizedDataset::from_values(ContentId::of(b"s"), FixedFormat::FEATURES, columns, values, Some(labels))
            .unwrap()
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
        let unlabeled = dataset(vec![1], vec![1], 1).without_labels();
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

    /// A dataset of `rows` rows of 3 features whose values and labels follow a simple pattern.
    fn patterned(rows: usize) -> QuantizedDataset {
        let values = (0..rows * 3).map(|i| ((i * 37) % 255) as i32 - 127).collect();
        let labels = (0..rows).map(|i| (i % 3 == 0) as u8).collect();
        dataset(values, labels, 3)
    }

    #[test]
    fn the_schedule_cuts_each_epochs_permutation_into_batches_the_last_one_shorter() {
        let schedule = Schedule::new(0, 10, 2, 2);
        assert_eq!((schedule.batches_per_epoch(), schedule.total_batches()), (3, 6));
        let batches: Vec<Batch> = schedule.collect();
        assert_eq!(batches.len(), 6);
        assert_eq!(batches[0].rows, [2, 8, 4, 9]); // numpy: RandomState(0).permutation(10)[:4]
        assert_eq!(batches[2].rows.len(), 2);
        assert_eq!((batches[3].epoch, batches[3].index), (1, 0));
        let mut epoch0: Vec<usize> = batches[..3].iter().flat_map(|b| b.rows.clone()).collect();
        epoch0.sort();
        assert_eq!(epoch0, (0..10).collect::<Vec<_>>());
        assert_ne!(batches[0].rows, batches[3].rows, "epoch 1 draws a new permutation");
    }

    #[test]
    fn a_resumed_schedule_continues_where_the_original_was() {
        for completed in 0..=6 {
            let mut original = Schedule::new(7, 10, 2, 2);
            for _ in 0..completed {
                original.advance();
            }
            let resumed = Schedule::resume(7, 10, 2, 2, completed).unwrap();
            assert_eq!(resumed.completed(), completed);
            assert_eq!(resumed.generator_draws(), original.generator_draws(), "after {completed}");
            assert_eq!(resumed.collect::<Vec<_>>(), original.collect::<Vec<_>>(), "after {completed}");
        }
        assert!(Schedule::resume(7, 10, 2, 2, 7).is_none());
    }

    #[test]
    fn stepping_batch_by_batch_gives_the_trained_weights_and_resumes_exactly() {
        let data = patterned(21);
        let config = TrainingConfig { epochs: 3, ..TrainingConfig::default() };
        let expected = train(&data, &config, None).unwrap();
        let mut state = TrainingState::new(config, &data, None).unwrap();
        let mut checkpoints = Vec::new();
        while let Some(batch) = state.step(&data).unwrap() {
            assert!(batch.rows.len() <= 8);
            checkpoints.push((state.schedule().completed(), state.weights().to_vec()));
        }
        assert_eq!(state.weights(), expected);
        assert_eq!(checkpoints.len(), 9);
        let (completed, weights) = &checkpoints[4];
        let resumed = TrainingState::resume(config, &data, weights, *completed).unwrap();
        assert_eq!(resumed.finish(&data).unwrap(), expected);
        assert!(matches!(
            TrainingState::resume(config, &data, weights, 10),
            Err(SpecError::CheckpointBeyondEnd { .. })
        ));
    }

    #[test]
    fn a_step_on_another_dataset_is_refused() {
        let mut state = TrainingState::new(TrainingConfig::default(), &patterned(9), None).unwrap();
        assert_eq!(state.step(&patterned(10)), Err(SpecError::DatasetChanged));
    }
}
