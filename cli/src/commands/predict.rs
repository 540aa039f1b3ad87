//! `vsies predict`: plaintext scores in the `row,class,score` CSV that encrypted inference
//! also writes, so the two compare byte for byte.

use super::{load_dataset, write_output};
use clap::Args;
use std::path::PathBuf;
use vsies_core::metrics::accuracy;
use vsies_core::predictions::predictions_csv;
use vsies_core::{LabelPolicy, Model};

#[derive(Args)]
pub struct PredictArgs {
    /// Data to score: a CSV (the label column is optional) or a `.vqd` of the model's schema.
    data: PathBuf,
    /// Model artifact from `vsies train`.
    #[arg(long)]
    model: PathBuf,
    /// Write predictions here (header `row,class,score`); stdout when absent.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: PredictArgs) -> anyhow::Result<i32> {
    let model = Model::load(&args.model)?;
    let data = load_dataset(&args.data, &model.schema, LabelPolicy::Optional)?;
    let scores = model.scores(&data)?;
    let csv = predictions_csv(&model.schema, &scores);
    let summary = match data.labels() {
        Some(labels) => format!("accuracy {:.4} on {} rows", accuracy(&scores, labels), scores.len()),
        None => format!("scored {} rows (no label column: no accuracy)", scores.len()),
    };
    match &args.output {
        Some(path) => {
            write_output(path, csv.as_bytes())?;
            say!("{summary}");
            say!("wrote {}", path.display());
        }
        None => {
            say_text!("{csv}");
            eprintln!("{summary}");
        }
    }
    Ok(0)
}
