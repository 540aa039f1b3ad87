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
/// Peak resident memory of this process so far, in GiB (Linux's VmHWM), if the OS reports it.
pub fn peak_memory_gib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / (1024.0 * 1024.0))
}

/// The line `vsies setup data` and `vsies prove data` end with (parsed by `vsies bench zk`).
pub fn print_peak_memory(start: std::time::Instant) {
    let peak = peak_memory_gib().map_or("n/a".into(), |gib| format!("{gib:.2} GiB"));
    println!("time {:.1} s, peak memory {peak}", start.elapsed().as_secs_f64());
}

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
