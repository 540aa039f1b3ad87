//! `vsies split`: the documented, seeded train/test split, written as two CSV files.

use clap::Args;
use std::path::PathBuf;
use vsies_core::split::split_csv_file;

#[derive(Args)]
pub struct SplitArgs {
    /// CSV file with a header row.
    data: PathBuf,
    /// Output CSV for the training rows.
    #[arg(long)]
    train: PathBuf,
    /// Output CSV for the test rows.
    #[arg(long)]
    test: PathBuf,
    /// Fraction of rows for the test side (rounded up, as scikit-learn does).
    #[arg(long, default_value_t = 0.25)]
    test_fraction: f64,
    /// Seed (numpy RandomState).
    #[arg(long, default_value_t = 0)]
    seed: u32,
}

pub fn run(args: SplitArgs) -> anyhow::Result<i32> {
    let split = split_csv_file(&args.data, &args.train, &args.test, args.test_fraction, args.seed)?;
    let rows = split.train.len() + split.test.len();
    say!(
        "{}: {} rows -> {} train ({}), {} test ({}); seed {}",
        args.data.display(),
        rows,
        split.train.len(),
        args.train.display(),
        split.test.len(),
        args.test.display(),
        args.seed
    );
    Ok(0)
}
