//! Train and evaluate on every bundled dataset through the library API: infer a schema,
//! validate, quantize, split 75/25 as scikit-learn does (seed 0), train under the integer
//! spec and print test accuracy and content ids.
//!
//! Run: `cargo run --release -p vsies-examples --example train_predict`
use vsies_core::metrics::accuracy;
use vsies_core::{
    infer_schema, train_test_split, validate_csv_file, Model, QuantizedDataset, TrainingConfig, ValidateOptions,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("{:<28} {:>6} {:>6} {:>9}  model content id", "dataset", "train", "test", "accuracy");
    for dataset in vsies_examples::bundled_datasets() {
        let schema = infer_schema(&dataset.path, dataset.label, dataset.name)?;
        let raw = validate_csv_file(&dataset.path, &schema, ValidateOptions::default())?;
        let data = QuantizedDataset::from_raw(&schema, &raw).expect("the bundled rows fit their schema");
        let split = train_test_split(data.rows(), 0.25, 0)?;
        let (train, test) = (data.select_rows(&split.train), data.select_rows(&split.test));
        let model = Model::train(&schema, &train, TrainingConfig::default(), None)?;
        let scores = model.scores(&test)?;
        let test_accuracy = accuracy(&scores, test.labels().unwrap_or_default());
        println!(
            "{:<28} {:>6} {:>6} {:>9.4}  {}",
            dataset.name,
            train.rows(),
            test.rows(),
            test_accuracy,
            model.content_id()
        );
    }
    Ok(())
}
