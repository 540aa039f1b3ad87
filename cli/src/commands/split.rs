//! `vsies split`: the documented, seeded train/test split, written as two CSV files.

use super::write_output;
use anyhow::{bail, Context};
use clap::Args;
use std::path::PathBuf;
use vsies_core::train_test_split;

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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&args.data)
        .with_context(|| format!("reading {}", args.data.display()))?;
    let mut records = Vec::new();
    for record in reader.byte_records() {
        records.push(record.with_context(|| format!("reading {}", args.data.display()))?);
    }
    if records.is_empty() {
        bail!("{}: the file is empty", args.data.display());
    }
    let header = records.remove(0);
    let split = train_test_split(records.len(), args.test_fraction, args.seed)?;
    for (path, rows) in [(&args.train, &split.train), (&args.test, &split.test)] {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_byte_record(&header)?;
        for &row in rows {
            writer.write_byte_record(&records[row])?;
        }
        write_output(path, &writer.into_inner()?)?;
    }
    println!(
        "{}: {} rows -> {} train ({}), {} test ({}); seed {}",
        args.data.display(),
        records.len(),
        split.train.len(),
        args.train.display(),
        split.test.len(),
        args.test.display(),
        args.seed
    );
    Ok(0)
}
