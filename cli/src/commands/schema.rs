//! `vsies schema infer` and `vsies schema check`.

use super::{load_schema, write_output};
use crate::failure::{EXIT_ERROR, EXIT_INVALID};
use clap::Args;
use std::path::PathBuf;
use vsies_core::{infer_schema, validate_csv_file, LabelPolicy, ValidateError, ValidateOptions};

#[derive(Args)]
pub struct InferArgs {
    /// CSV file with a header row.
    data: PathBuf,
    /// Name of the label column.
    #[arg(long)]
    label: String,
    /// Where to write the schema (stdout when absent).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Schema name (defaults to the file stem).
    #[arg(long)]
    name: Option<String>,
}

pub fn infer(args: InferArgs) -> anyhow::Result<i32> {
    let name = args
        .name
        .unwrap_or_else(|| args.data.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default());
    let schema = infer_schema(&args.data, &args.label, &name)?;
    let text = format!(
        "# vsies schema inferred from {}\n# content id: {}\n{}",
        args.data.display(),
        schema.content_id(),
        schema.to_toml()
    );
    match args.output {
        Some(path) => {
            write_output(&path, text.as_bytes())?;
            eprintln!(
                "wrote {} ({} features, classes {:?}); schema content id {}",
                path.display(),
                schema.features.len(),
                schema.label.classes,
                schema.content_id()
            );
        }
        None => say_text!("{text}"),
    }
    Ok(0)
}

#[derive(Args)]
pub struct CheckArgs {
    /// CSV file to check.
    data: PathBuf,
    /// Schema (TOML).
    #[arg(long)]
    schema: PathBuf,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Accept a file without the label column (data to predict on).
    #[arg(long)]
    unlabeled: bool,
    /// How many violations to list (all are counted).
    #[arg(long, default_value_t = 50)]
    max_listed: usize,
}

pub fn check(args: CheckArgs) -> anyhow::Result<i32> {
    let schema = load_schema(&args.schema)?;
    let labels = if args.unlabeled { LabelPolicy::Optional } else { LabelPolicy::Required };
    let options = ValidateOptions { labels, max_listed: args.max_listed };
    let (report, code) = match validate_csv_file(&args.data, &schema, options) {
        Ok(raw) => {
            let report = vsies_core::CheckReport {
                file: args.data.clone(),
                valid: true,
                rows: raw.rows(),
                total_violations: 0,
                violations: Vec::new(),
            };
            (report, 0)
        }
        Err(ValidateError::Invalid(report)) => (report, EXIT_INVALID),
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(EXIT_ERROR);
        }
    };
    if args.json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else if code == 0 {
        say!("{report}");
    } else {
        eprintln!("{report}");
    }
    Ok(code)
}
