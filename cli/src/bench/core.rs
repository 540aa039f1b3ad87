//! `vsies bench core`: the plaintext pipeline.

use super::measure::{human, median_seconds};
use crate::commands::{load_dataset, load_schema};
use clap::Args;
use std::hint::black_box;
use std::path::PathBuf;
use vsies_core::{train_test_split, LabelPolicy, Model, TrainingConfig};

#[derive(Args)]
pub struct CoreArgs {
    /// Labelled CSV (the bundled breast-cancer data by default).
    #[arg(default_value = "examples/data/breast_cancer.csv")]
    data: PathBuf,
    /// Schema (TOML).
    #[arg(long)]
    schema: PathBuf,
    /// Repetitions per stage (the median is reported).
    #[arg(long, default_value_t = 21)]
    runs: usize,
}

pub fn core(args: CoreArgs) -> anyhow::Result<i32> {
    let schema = load_schema(&args.schema)?;
    let data = load_dataset(&args.data, &schema, LabelPolicy::Required)?;
    let split = train_test_split(data.rows(), 0.25, 0)?;
    let (train, test) = (data.select_rows(&split.train), data.select_rows(&split.test));
    let config = TrainingConfig::default();
    let model = Model::train(&schema, &train, config, None)?;
    let mut rows: Vec<(String, f64)> = Vec::new();
    rows.push((
        format!("validate + quantize {} rows x {}", data.rows(), data.columns()),
        median_seconds(args.runs, || {
            load_dataset(&args.data, &schema, LabelPolicy::Required).expect("validated above");
        }),
    ));
    rows.push((
        format!("content id of {} rows", data.rows()),
        median_seconds(args.runs, || {
            let _ = black_box(data.content_id());
        }),
    ));
    rows.push((
        format!("train {} rows, {} epochs", train.rows(), config.epochs),
        median_seconds(args.runs, || {
            let _ = black_box(Model::train(&schema, &train, config, None));
        }),
    ));
    rows.push((
        format!("score {} rows", test.rows()),
        median_seconds(args.runs, || {
            let _ = black_box(model.scores(&test));
        }),
    ));
    println!("| stage ({}) | median of {} runs |", args.data.display(), args.runs);
    println!("|---|---|");
    for (stage, seconds) in rows {
        println!("| {stage} | {} |", human(seconds));
    }
    Ok(0)
}
