//! The training spec on the bundled datasets: accuracy against scikit-learn on the same split,
//! determinism, pinned content ids, and agreement with the independent Python implementation
//! of docs/TRAINING_SPEC.md (benches/peers/reference_spec.py).

use std::path::PathBuf;
use vsies_core::metrics::accuracy;
use vsies_core::{
    infer_schema, train_test_split, validate_csv_file, Model, QuantizedDataset, Schema, TrainingConfig, ValidateOptions,
};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

const DATASETS: [(&str, &str); 4] = [
    ("breast_cancer", "malignant"),
    ("wine_class0", "class0"),
    ("iris_versicolor_virginica", "virginica"),
    ("digits_3_vs_8", "is8"),
];

/// Schema inferred from the whole file; the quantized train and test sides of the seeded
/// 75/25 split.
fn split_bundled(name: &str, label: &str) -> (Schema, QuantizedDataset, QuantizedDataset) {
    let path = repo().join("examples/data").join(format!("{name}.csv"));
    let schema = infer_schema(&path, label, name).unwrap();
    let raw = validate_csv_file(&path, &schema, ValidateOptions::default()).unwrap();
    let data = QuantizedDataset::from_raw(&schema, &raw).unwrap();
    let split = train_test_split(data.rows(), 0.25, 0).unwrap();
    (schema, data.select_rows(&split.train), data.select_rows(&split.test))
}

fn train_bundled(name: &str, label: &str) -> (Schema, Model, QuantizedDataset) {
    let (schema, train, test) = split_bundled(name, label);
    let model = Model::train(&schema, &train, TrainingConfig::default(), None).unwrap();
    (schema, model, test)
}

fn sklearn_accuracy(name: &str) -> f64 {
    let text = std::fs::read_to_string(repo().join("benches/peers/sklearn_baseline.json")).unwrap();
    let baseline: serde_json::Value = serde_json::from_str(&text).unwrap();
    baseline["datasets"][name]["test_accuracy"].as_f64().unwrap()
}

#[test]
fn test_accuracy_is_within_one_and_a_half_points_of_scikit_learn_on_every_bundled_dataset() {
    for (name, label) in DATASETS {
        let (_, model, test) = train_bundled(name, label);
        let ours = accuracy(&model.scores(&test).unwrap(), test.labels().unwrap());
        let theirs = sklearn_accuracy(name);
        assert!(ours >= theirs - 0.015, "{name}: vsies {ours:.4} vs scikit-learn {theirs:.4}");
    }
}

#[test]
fn breast_cancer_model_matches_the_independent_python_implementation() {
    // Output of `python3 benches/peers/reference_spec.py schema.toml train.csv` on the schema
    // `vsies schema infer` writes for the bundled data and the train side of `vsies split`.
    let (_, model, _) = train_bundled("breast_cancer", "malignant");
    let reference = [
        80, 118, 68, 78, 34, -69, 115, 121, 81, -54, 220, -7, 185, 148, -44, -142, -19, 37, -30, -124, 129, 163, 131,
        133, 112, -3, 148, 165, 130, 77,
    ];
    assert_eq!(model.weights, reference);
    assert_eq!(model.bias, -31);
    assert_eq!(model.training_samples, 426);
}

#[test]
fn training_is_deterministic_and_the_content_ids_are_pinned() {
    let (schema, first, _) = train_bundled("breast_cancer", "malignant");
    let (_, second, _) = train_bundled("breast_cancer", "malignant");
    assert_eq!(first.canonical_bytes(), second.canonical_bytes());
    assert_eq!(schema.content_id().to_string(), "bafkreieooeqhnbazuibt7a4fqzjiqiep5a33lmz7jrhkf5fuzirzy3fzha");
    assert_eq!(first.content_id().to_string(), "bafkreiexem4ebspdrfd2r3ws6mgf7xuf7lhkghls3lu5thmqqv3lwqfe4i");
}

#[test]
fn another_seed_gives_another_model() {
    let (schema, train, _) = split_bundled("breast_cancer", "malignant");
    let base = Model::train(&schema, &train, TrainingConfig::default(), None).unwrap();
    let reseeded =
        Model::train(&schema, &train, TrainingConfig { seed: 1, ..TrainingConfig::default() }, None).unwrap();
    assert_ne!(reseeded.content_id(), base.content_id());
}

#[test]
fn training_from_an_initial_model_records_it_and_continues_from_its_weights() {
    let (schema, train, _) = split_bundled("breast_cancer", "malignant");
    let one_epoch = TrainingConfig { epochs: 1, ..TrainingConfig::default() };
    let first = Model::train(&schema, &train, one_epoch, None).unwrap();
    let continued = Model::train(&schema, &train, one_epoch, Some(&first)).unwrap();
    assert_eq!(continued.initial_model, Some(first.content_id()));
    assert_ne!(continued.weights, first.weights);
}

#[test]
fn model_artifact_round_trips_and_refuses_an_edited_weight() {
    let (_, model, _) = train_bundled("breast_cancer", "malignant");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    model.save(&path).unwrap();
    assert_eq!(Model::load(&path).unwrap(), model);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("\"bias\": -31", "\"bias\": -30", 1);
    assert_ne!(edited, text);
    std::fs::write(&path, edited).unwrap();
    let err = Model::load(&path).unwrap_err().to_string();
    assert!(err.contains("checksum mismatch") && err.contains("model.json"), "{err}");
}
