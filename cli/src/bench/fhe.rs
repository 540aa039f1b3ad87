//! `vsies bench fhe`: encrypted inference.

use super::measure::{human, median_seconds};
use crate::commands::{load_dataset, load_schema};
use clap::Args;
use std::hint::black_box;
use std::path::PathBuf;
use vsies_core::{train_test_split, LabelPolicy, Model, TrainingConfig};

#[derive(Args)]
pub struct FheArgs {
    /// Labelled CSV (the bundled breast-cancer data by default).
    #[arg(default_value = "examples/data/breast_cancer.csv")]
    data: PathBuf,
    /// Schema (TOML).
    #[arg(long)]
    schema: PathBuf,
    /// Repetitions of the small measurements (the median is reported).
    #[arg(long, default_value_t = 11)]
    runs: usize,
    /// Row counts for the throughput measurements (test rows repeated).
    #[arg(long, value_delimiter = ',', default_value = "1,100,1000,100000")]
    rows: Vec<usize>,
}

/// The test rows repeated cyclically up to `rows` rows.
fn repeat_rows(data: &vsies_core::QuantizedDataset, rows: usize) -> vsies_core::QuantizedDataset {
    let order: Vec<usize> = (0..rows).map(|i| i % data.rows()).collect();
    data.select_rows(&order)
}

pub fn fhe(args: FheArgs) -> anyhow::Result<i32> {
    use vsies_fhe::{infer, EncryptedDataset, EncryptedScores, Keys};
    let schema = load_schema(&args.schema)?;
    let data = load_dataset(&args.data, &schema, LabelPolicy::Required)?;
    let split = train_test_split(data.rows(), 0.25, 0)?;
    let (train, test) = (data.select_rows(&split.train), data.select_rows(&split.test));
    let model = Model::train(&schema, &train, TrainingConfig::default(), None)?;
    let threads = rayon::current_num_threads();
    let mut table: Vec<(String, String)> = Vec::new();
    let mut keys = None;
    let keygen = median_seconds(args.runs, || keys = Some(Keys::generate()));
    let keys = keys.expect("keygen ran");
    table.push(("key generation (secret + compact public key)".into(), human(keygen)));
    let one = repeat_rows(&test, 1);
    let single = |f: &dyn Fn()| median_seconds(args.runs, f);
    table.push((
        "encrypt 1 row, secret key".into(),
        human(single(&|| {
            drop(black_box(EncryptedDataset::encrypt_with_secret_key(&one, &keys.secret).expect("fits")))
        })),
    ));
    table.push((
        "encrypt 1 row, public key".into(),
        human(single(&|| {
            drop(black_box(EncryptedDataset::encrypt_with_public_key(&one, &keys.public).expect("fits")))
        })),
    ));
    let encrypted_one = EncryptedDataset::encrypt_with_secret_key(&one, &keys.secret)?;
    table.push((
        "infer 1 row (latency)".into(),
        human(single(&|| drop(black_box(infer(&encrypted_one, &model, &keys.evaluation).expect("fits"))))),
    ));
    let scores_one = infer(&encrypted_one, &model, &keys.evaluation)?;
    table.push((
        "decrypt 1 score".into(),
        human(single(&|| drop(black_box(scores_one.decrypt_unchecked(&keys.secret))))),
    ));
    for &rows in &args.rows {
        let batch = repeat_rows(&test, rows);
        for (layout, encrypted) in [
            ("secret-key", EncryptedDataset::encrypt_with_secret_key(&batch, &keys.secret)?),
            ("public-key", EncryptedDataset::encrypt_with_public_key(&batch, &keys.public)?),
        ] {
            let runs = if rows >= 10_000 { 1 } else { args.runs.min(5) };
            let seconds =
                median_seconds(runs, || drop(black_box(infer(&encrypted, &model, &keys.evaluation).expect("fits"))));
            table.push((
                format!("infer {rows} rows, {layout} ciphertexts, {threads} threads"),
                format!("{} ({:.0} rows/s)", human(seconds), rows as f64 / seconds),
            ));
        }
    }
    let secret_bytes = EncryptedDataset::encrypt_with_secret_key(&test, &keys.secret)?.stored_bytes_per_row();
    let public_bytes = EncryptedDataset::encrypt_with_public_key(&test, &keys.public)?.stored_bytes_per_row();
    table.push((
        "ciphertext in per row (secret key / public key)".into(),
        format!("{secret_bytes:.0} B / {public_bytes:.0} B"),
    ));
    table.push(("ciphertext out per row".into(), format!("{} B", EncryptedScores::bytes_per_row())));
    let key_dir = std::env::temp_dir().join(format!("vsies-bench-keys-{}", std::process::id()));
    keys.save(&key_dir)?;
    let file_size = |name: &str| std::fs::metadata(key_dir.join(name)).map(|m| m.len());
    let sizes = (file_size("secret.key")?, file_size("public.key")?, file_size("eval.key")?);
    std::fs::remove_dir_all(&key_dir)?;
    table.push((
        "key files: secret / public / evaluation".into(),
        format!("{} B / {} B / {} B", sizes.0, sizes.1, sizes.2),
    ));
    println!("| encrypted inference ({}, {} features) | median |", args.data.display(), data.columns());
    println!("|---|---|");
    for (stage, value) in table {
        println!("| {stage} | {value} |");
    }
    Ok(0)
}
