//! Keys from seeds and the bundled model with its test rows, for the FHE tests.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use tfhe::core_crypto::commons::generators::DeterministicSeeder;
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use vsies_core::{
    infer_schema, train_test_split, validate_csv_file, Model, QuantizedDataset, TrainingConfig, ValidateOptions,
};
use vsies_fhe::Keys;

pub fn keys(seed: u128) -> Keys {
    Keys::generate_with_seeder(&mut DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(seed)))
}

/// The bundled breast-cancer model and the quantized test rows.
pub fn model_and_test_rows() -> (Model, QuantizedDataset) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/data/breast_cancer.csv");
    let schema = infer_schema(&path, "malignant", "breast_cancer").unwrap();
    let raw = validate_csv_file(&path, &schema, ValidateOptions::default()).unwrap();
    let data = QuantizedDataset::from_raw(&schema, &raw).unwrap();
    let split = train_test_split(data.rows(), 0.25, 0).unwrap();
    let model = Model::train(&schema, &data.select_rows(&split.train), TrainingConfig::default(), None).unwrap();
    (model, data.select_rows(&split.test))
}

/// The narrow formats of the encrypted-training tests: 3-bit features, 4-bit weights,
/// `fp = 1`, batches of 2, learning rate 1, one epoch (a batch costs a few hundred bootstraps).
pub fn tiny_training_config(seed: u32) -> TrainingConfig {
    TrainingConfig {
        weight_format: vsies_core::FixedFormat { bits: 4, frac_bits: 2 },
        sigmoid_frac_bits: 1,
        batch_size_log2: 1,
        learning_rate_log2: 0,
        epochs: 1,
        seed,
    }
}

/// Labelled rows of `columns` 3-bit features (row-major `values`).
pub fn tiny_dataset(columns: usize, values: Vec<i32>, labels: Vec<u8>) -> QuantizedDataset {
    let format = vsies_core::FixedFormat { bits: 3, frac_bits: 1 };
    QuantizedDataset::from_values(vsies_core::ContentId::of(b"tiny schema"), format, columns, values, Some(labels))
        .unwrap()
}
