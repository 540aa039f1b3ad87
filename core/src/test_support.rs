//! Small models for tests, examples and benchmarks of this and the other crates.

use crate::{FeatureColumn, FixedFormat, LabelColumn, Model, Schema, TrainingConfig};

/// A model named `name` with these weights and bias, trained on `samples` rows, over a schema
/// of `weights.len()` features `x0, x1, …` each in `[-1, 1]` (unit scale) and a 0/1 label.
pub fn model(name: &str, weights: Vec<i64>, bias: i64, samples: u64) -> Model {
    let schema = Schema {
        name: name.into(),
        label: LabelColumn { column: "y".into(), classes: vec!["0".into(), "1".into()] },
        quantization: FixedFormat::FEATURES,
        features: (0..weights.len())
            .map(|i| FeatureColumn { name: format!("x{i}"), min: -1.0, max: 1.0, mean: 0.0, scale: 1.0 })
            .collect(),
    };
    Model::from_weights(schema, TrainingConfig::default(), weights, bias, samples)
}
