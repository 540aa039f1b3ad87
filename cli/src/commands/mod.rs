//! One module per command; each parses its arguments, calls the libraries and prints.

pub mod agg;
pub mod agg_clients;
pub mod agg_dkg;
pub mod agg_proofs;
pub mod ceremony;
pub mod fhe;
pub mod fhe_proofs;
pub mod fhe_train;
pub mod inspect;
pub mod predict;
pub mod quantize;
pub mod round;
pub mod schema;
pub mod split;
pub mod train;
pub mod zk;
pub mod zk_train;

use crate::failure::Invalid;
use anyhow::{bail, Context};
use std::path::Path;
use vsies_core::artifact::MAGIC;
use vsies_core::{validate_csv_file, LabelPolicy, QuantizedDataset, Schema, ValidateError, ValidateOptions};

/// Parses `--min-clients`: a count of at least [`vsies_secure_agg::DEFAULT_MIN_CLIENTS`] (an
/// aggregate of fewer reveals a client's update to the others).
pub fn at_least_min_clients(text: &str) -> Result<usize, String> {
    let floor = vsies_secure_agg::DEFAULT_MIN_CLIENTS;
    match text.parse::<usize>() {
        Ok(count) if count >= floor => Ok(count),
        Ok(_) => Err(format!("at least {floor}: fewer clients would reveal a client's update to the others")),
        Err(err) => Err(err.to_string()),
    }
}

/// Loads a schema, naming the file on error.
pub fn load_schema(path: &Path) -> anyhow::Result<Schema> {
    Ok(Schema::load(path)?)
}

/// A dataset for `schema` from `data`: a `.vqd` quantized-dataset artifact (recognized by its
/// magic bytes, whatever its name) is loaded and must have been quantized under `schema`; any
/// other file is validated as CSV and quantized. A non-conforming CSV becomes [`Invalid`]
/// (exit 1) carrying the full report.
pub fn load_dataset(data: &Path, schema: &Schema, labels: LabelPolicy) -> anyhow::Result<QuantizedDataset> {
    if is_artifact(data) {
        let dataset = QuantizedDataset::load(data)?;
        if dataset.schema_id() != schema.content_id() {
            bail!(
                "{} was quantized under schema {}, not the schema given ({})",
                data.display(),
                dataset.schema_id(),
                schema.content_id()
            );
        }
        if labels == LabelPolicy::Required && dataset.labels().is_none() {
            bail!("{} has no labels; this command needs the label column", data.display());
        }
        return Ok(dataset);
    }
    let options = ValidateOptions { labels, ..ValidateOptions::default() };
    match validate_csv_file(data, schema, options) {
        Ok(raw) => Ok(QuantizedDataset::from_raw(schema, &raw)?),
        Err(ValidateError::Invalid(report)) => Err(Invalid(report).into()),
        Err(err) => Err(err).with_context(|| format!("reading {}", data.display())),
    }
}

/// Whether the file at `path` starts with the binary artifact magic.
fn is_artifact(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 8];
    std::fs::File::open(path).and_then(|mut file| file.read_exact(&mut magic)).is_ok() && magic == MAGIC
}

/// Writes text output atomically, so an existing file is never half-overwritten.
pub fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    vsies_core::artifact::write_atomic(path, bytes).with_context(|| format!("writing {}", path.display()))
}
