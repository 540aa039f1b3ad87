//! `vsies inspect`: what a file is, without trusting its name.

use anyhow::{bail, Context};
use clap::Args;
use std::path::{Path, PathBuf};
use vsies_core::artifact::{decode_binary, ArtifactKind, MAGIC};
use vsies_core::{Model, QuantizedDataset, Schema};

#[derive(Args)]
pub struct InspectArgs {
    /// A schema (TOML), model (JSON) or quantized-dataset artifact.
    file: PathBuf,
}

pub fn run(args: InspectArgs) -> anyhow::Result<i32> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    if bytes.starts_with(&MAGIC) {
        inspect_binary(&bytes, &args.file)
    } else if bytes.trim_ascii_start().starts_with(b"{") {
        let model = Model::load(&args.file)?;
        println!("kind: model (JSON artifact, format version {})", vsies_core::artifact::FORMAT_VERSION);
        println!("content id: {}", model.content_id());
        println!("schema id: {}", model.schema_id);
        println!("features: {}, training samples: {}", model.weights.len(), model.training_samples);
        println!("training: {:?}", model.training);
        Ok(0)
    } else {
        let schema = Schema::load(&args.file)?;
        println!("kind: schema (TOML)");
        println!("content id: {}", schema.content_id());
        println!("features: {}, label: {} {:?}", schema.features.len(), schema.label.column, schema.label.classes);
        Ok(0)
    }
}

fn inspect_binary(bytes: &[u8], path: &Path) -> anyhow::Result<i32> {
    let code = u16::from_le_bytes([bytes.get(10).copied().unwrap_or(0), bytes.get(11).copied().unwrap_or(0)]);
    let Some(kind) = ArtifactKind::from_code(code) else {
        bail!("{}: unknown artifact kind {code}", path.display());
    };
    let payload = decode_binary(bytes, kind, path)?;
    println!("kind: {kind} (binary artifact, format version {})", vsies_core::artifact::FORMAT_VERSION);
    match kind {
        ArtifactKind::QuantizedDataset => {
            let data = QuantizedDataset::from_canonical_bytes(payload).with_context(|| path.display().to_string())?;
            println!("content id: {}", data.content_id());
            println!("schema id: {}", data.schema_id);
            println!(
                "rows: {}, features: {}, format: {} bits ({} fractional), labels: {}",
                data.rows(),
                data.columns,
                data.format.bits,
                data.format.frac_bits,
                if data.labels.is_some() { "yes" } else { "no" }
            );
        }
        ArtifactKind::EncryptedDataset => {
            let data = vsies_fhe::EncryptedDataset::load(path)?;
            println!("key id: {}", data.key_id);
            println!("schema id: {}", data.schema_id);
            println!("plaintext dataset id: {}", data.dataset_id);
            println!("rows: {}, features: {}", data.rows, data.columns);
            let commitment = data.data_commitment.as_ref().map_or("none".into(), |c| super::fhe::hex(c));
            println!("data commitment: {commitment}");
        }
        ArtifactKind::Model => bail!("{}: models are JSON artifacts, not binary", path.display()),
        other => println!("{other}: {} payload bytes, checksum verified", payload.len()),
    }
    Ok(0)
}
