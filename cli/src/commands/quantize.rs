//! `vsies quantize`: validate, standardize and quantize a CSV into an artifact.

use super::{load_dataset, load_schema};
use clap::Args;
use std::path::PathBuf;
use vsies_core::LabelPolicy;

#[derive(Args)]
pub struct QuantizeArgs {
    /// CSV file to quantize.
    data: PathBuf,
    /// Schema (TOML).
    #[arg(long)]
    schema: PathBuf,
    /// Output quantized-dataset artifact.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn run(args: QuantizeArgs) -> anyhow::Result<i32> {
    let schema = load_schema(&args.schema)?;
    let data = load_dataset(&args.data, &schema, LabelPolicy::Optional)?;
    data.save(&args.output)?;
    say!(
        "wrote {}: {} rows x {} features; dataset content id {}",
        args.output.display(),
        data.rows(),
        data.columns(),
        data.content_id()
    );
    Ok(0)
}
