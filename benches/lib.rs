//! Shared setup of the vsies criterion benches: the bundled breast-cancer data, validated,
//! quantized and split exactly as `vsies split` does.
use std::path::PathBuf;
use vsies_core::{infer_schema, validate_csv_file, QuantizedDataset, Schema, ValidateOptions};

/// The bundled breast-cancer CSV.
pub fn breast_cancer_csv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/data/breast_cancer.csv")
}

/// Schema inferred from the bundled data and the whole dataset quantized under it.
pub fn breast_cancer_quantized() -> (Schema, QuantizedDataset) {
    let path = breast_cancer_csv();
    let schema = infer_schema(&path, "malignant", "breast_cancer").expect("bundled data infers");
    let raw = validate_csv_file(&path, &schema, ValidateOptions::default()).expect("bundled data conforms");
    let data = QuantizedDataset::from_raw(&schema, &raw).expect("the bundled rows fit their schema");
    (schema, data)
}
