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
