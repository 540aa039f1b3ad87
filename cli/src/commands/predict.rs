//! `vsies predict`: plaintext scores in the `row,class,score` CSV that encrypted inference
//! also writes, so the two compare byte for byte.

use super::{load_quantized, write_output};
use clap::Args;
use std::fmt::Write;
use std::path::PathBuf;
use vsies_core::metrics::accuracy;
use vsies_core::spec::class_of_score;
use vsies_core::{LabelPolicy, Model, Schema};

#[derive(Args)]
pub struct PredictArgs {
    /// CSV to score (the label column is optional).
    data: PathBuf,
    /// Model artifact from `vsies train`.
    #[arg(long)]
    model: PathBuf,
    /// Write predictions here (header `row,class,score`); stdout when absent.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// The predictions CSV: 0-based data row, predicted class spelling, quantized score `z`.
pub fn predictions_csv(schema: &Schema, scores: &[i64]) -> String {
    let mut text = String::from("row,class,score\n");
    for (row, &score) in scores.iter().enumerate() {
        let class = &schema.label.classes[usize::from(class_of_score(score))];
        writeln!(text, "{row},{class},{score}").expect("writing to a String cannot fail");
    }
    text
}

pub fn run(args: PredictArgs) -> anyhow::Result<i32> {
    let model = Model::load(&args.model)?;
    let data = load_quantized(&args.data, &model.schema, LabelPolicy::Optional)?;
    let scores = model.scores(&data)?;
    let csv = predictions_csv(&model.schema, &scores);
    let summary = match &data.labels {
        Some(labels) => format!("accuracy {:.4} on {} rows", accuracy(&scores, labels), scores.len()),
        None => format!("scored {} rows (no label column: no accuracy)", scores.len()),
    };
    match &args.output {
        Some(path) => {
            write_output(path, csv.as_bytes())?;
            println!("{summary}");
            println!("wrote {}", path.display());
        }
        None => {
            print!("{csv}");
            eprintln!("{summary}");
        }
    }
    Ok(0)
}
