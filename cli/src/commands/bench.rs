//! `vsies bench`: medians of repeated runs of each stage, as a Markdown table for
//! BENCHMARKS.md. Criterion benches (`cargo bench -p vsies-benches`) give confidence intervals.

use super::{load_quantized, load_schema};
use clap::{Args, Subcommand};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;
use vsies_core::{train_test_split, LabelPolicy, Model, TrainingConfig};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// The plaintext pipeline: validate + quantize, content id, train, score.
    Core(CoreArgs),
}

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

/// Median wall time of `runs` calls, in seconds.
fn median_seconds(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn human(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.3} s")
    } else if seconds >= 1e-3 {
        format!("{:.3} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

pub fn run(command: BenchCommand) -> anyhow::Result<i32> {
    let BenchCommand::Core(args) = command;
    let schema = load_schema(&args.schema)?;
    let data = load_quantized(&args.data, &schema, LabelPolicy::Required)?;
    let split = train_test_split(data.rows(), 0.25, 0)?;
    let (train, test) = (data.select_rows(&split.train), data.select_rows(&split.test));
    let config = TrainingConfig::default();
    let model = Model::train(&schema, &train, config, None)?;
    let mut rows: Vec<(String, f64)> = Vec::new();
    rows.push((
        format!("validate + quantize {} rows x {}", data.rows(), data.columns),
        median_seconds(args.runs, || {
            load_quantized(&args.data, &schema, LabelPolicy::Required).expect("validated above");
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
