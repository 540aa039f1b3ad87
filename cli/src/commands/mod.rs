//! One module per command; each parses its arguments and calls the libraries.

pub mod agg;
pub mod bench;
pub mod bench_agg;
pub mod bench_zk;
pub mod fhe;
pub mod inspect;
pub mod predict;
pub mod quantize;
pub mod schema;
pub mod split;
pub mod train;
pub mod zk;

use crate::failure::Invalid;
use anyhow::Context;
use std::path::Path;
use vsies_core::{validate_csv_file, LabelPolicy, QuantizedDataset, Schema, ValidateError, ValidateOptions};

/// Loads a schema, naming the file on error.
pub fn load_schema(path: &Path) -> anyhow::Result<Schema> {
    Ok(Schema::load(path)?)
}

/// Validates a CSV against a schema and quantizes it; a non-conforming file becomes
/// [`Invalid`] (exit 1) carrying the full report.
pub fn load_quantized(data: &Path, schema: &Schema, labels: LabelPolicy) -> anyhow::Result<QuantizedDataset> {
    let options = ValidateOptions { labels, ..ValidateOptions::default() };
    match validate_csv_file(data, schema, options) {
        Ok(raw) => Ok(QuantizedDataset::from_raw(schema, &raw)),
        Err(ValidateError::Invalid(report)) => Err(Invalid(report).into()),
        Err(err) => Err(err).with_context(|| format!("reading {}", data.display())),
    }
}

/// Writes text output atomically, so an existing file is never half-overwritten.
pub fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    vsies_core::artifact::write_atomic(path, bytes).with_context(|| format!("writing {}", path.display()))
}
