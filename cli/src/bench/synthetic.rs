//! Synthetic models and datasets for the benchmarks at sizes the bundled data does not reach.
//! Built here from the public APIs (never from the libraries' test support), with a seeded
//! generator so every run measures the same inputs.

use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use vsies_core::validate::RawDataset;
use vsies_core::{FeatureColumn, FixedFormat, LabelColumn, Model, QuantizedDataset, Schema, TrainingConfig};

/// A schema of `columns` features `x0, x1, …`, each in `[low, high]` at unit scale, and a 0/1
/// label `y`.
fn schema(columns: usize, format: FixedFormat, (low, high): (f64, f64)) -> Schema {
    Schema {
        name: "synthetic".into(),
        label: LabelColumn { column: "y".into(), classes: vec!["0".into(), "1".into()] },
        quantization: format,
        features: (0..columns)
            .map(|i| FeatureColumn { name: format!("x{i}"), min: low, max: high, mean: 0.0, scale: 1.0 })
            .collect(),
    }
}

/// `rows` uniform rows of `columns` features in `format`, each standardized range `[-8, 8]`
/// (so offsets span `16 * 2^frac_bits` values), and uniform labels.
pub fn synthetic_dataset(
    rows: usize,
    columns: usize,
    format: FixedFormat,
    seed: u64,
) -> anyhow::Result<(Schema, QuantizedDataset)> {
    let schema = schema(columns, format, (-8.0, 8.0)).validate()?;
    let mut rng = StdRng::seed_from_u64(seed);
    let values = (0..rows * columns).map(|_| rng.gen_range(-8.0..=8.0)).collect();
    let labels = (0..rows).map(|_| rng.gen_range(0..2u8)).collect();
    let raw = RawDataset::from_rows(&schema, values, Some(labels))?;
    let dataset = QuantizedDataset::from_raw(&schema, &raw)?;
    Ok((schema, dataset))
}

/// A model with these weights and bias, trained on `samples` rows, over a schema of
/// `weights.len()` features in `[-1, 1]`.
pub fn model_with_weights(weights: Vec<i64>, bias: i64, samples: u64) -> Model {
    let schema = schema(weights.len(), FixedFormat::FEATURES, (-1.0, 1.0));
    Model::from_weights(schema, TrainingConfig::default(), weights, bias, samples)
}
