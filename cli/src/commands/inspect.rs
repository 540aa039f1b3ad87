//! `vsies inspect`: what a file is, without trusting its name: its kind and the format version
//! it was written with (from its own header), its content ids and a summary, for every kind
//! of artifact and for schemas. Large files (proving keys of gigabytes) are read in pieces.

use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};
use vsies_core::artifact::{self, ArtifactHeader, ArtifactKind, BinaryReader};
use vsies_core::{ContentId, Model, QuantizedDataset, Schema};

#[derive(Args)]
pub struct InspectArgs {
    /// Any vsies artifact (binary or JSON) or a schema (TOML).
    file: PathBuf,
}

pub fn run(args: InspectArgs) -> anyhow::Result<i32> {
    let path = args.file.as_path();
    match artifact::read_header(path) {
        Ok(header) => {
            let form = if header.kind.is_json() { "JSON" } else { "binary" };
            say!(
                "kind: {} ({form} artifact, format version {}, defined by {})",
                header.kind,
                header.format_version,
                header.kind.owner()
            );
            describe(path, &header)?;
            Ok(0)
        }
        Err(artifact::ArtifactError::BadMagic { .. }) => {
            let schema = Schema::load(path)?;
            say!("kind: schema (TOML)");
            say!("content id: {}", schema.content_id());
            say!("features: {}, label: {} {:?}", schema.features.len(), schema.label.column, schema.label.classes);
            Ok(0)
        }
        Err(err) => Err(err.into()),
    }
}

fn describe(path: &Path, header: &ArtifactHeader) -> anyhow::Result<()> {
    match header.kind {
        ArtifactKind::QuantizedDataset => {
            let data = QuantizedDataset::load(path)?;
            say!("content id: {}", data.content_id());
            say!("schema id: {}", data.schema_id());
            say!(
                "rows: {}, features: {}, format: {} bits ({} fractional), labels: {}",
                data.rows(),
                data.columns(),
                data.format().bits,
                data.format().frac_bits,
                if data.labels().is_some() { "yes" } else { "no" }
            );
        }
        ArtifactKind::Model => {
            let model = Model::load(path)?;
            say!("content id: {}", model.content_id());
            say!("schema id: {}", model.schema_id);
            say!("features: {}, training samples: {}", model.weights.len(), model.training_samples);
            say!("training: {:?}", model.training);
        }
        ArtifactKind::FheSecretKey => {
            let key = vsies_fhe::SecretKey::load(path)?;
            say!("key id: {} (the owner's secret: keep it 0600, never share it)", key.key_id());
        }
        ArtifactKind::FhePublicKey => say!("key id: {}", vsies_fhe::PublicKey::load(path)?.key_id()),
        ArtifactKind::FheEvaluationKey => say!("key id: {}", vsies_fhe::EvaluationKey::load(path)?.key_id),
        ArtifactKind::EncryptedDataset => {
            let data = vsies_fhe::EncryptedDataset::load(path)?;
            say!("key id: {}", data.key_id);
            say!("schema id: {}", data.schema_id);
            say!("plaintext dataset id: {}", data.dataset_id);
            say!("rows: {}, features: {}", data.rows, data.columns);
            let commitment = data.data_commitment.map_or("none".into(), |c| c.to_string());
            say!("data commitment: {commitment}");
            let layout = match data.ciphertexts() {
                vsies_fhe::dataset::Ciphertexts::SeededRows { .. } => "secret-key rows (the owner's)".to_string(),
                vsies_fhe::dataset::Ciphertexts::CompactLists { lists, .. } => {
                    format!("{} public-key lists without proofs", lists.len())
                }
                vsies_fhe::dataset::Ciphertexts::ProvedLists { lists, crs_id, .. } => {
                    format!(
                        "{} public-key lists, each with a proof of well-formed encryption (CRS {crs_id})",
                        lists.len()
                    )
                }
            };
            say!("ciphertexts: {layout}");
        }
        ArtifactKind::FheEncryptionCrs => {
            let crs = vsies_fhe::EncryptionCrs::load(path)?;
            say!("encryption CRS {} for {}-bit features", crs.id, crs.format.bits);
        }
        ArtifactKind::EncryptedScores => {
            let scores = vsies_fhe::EncryptedScores::load(path)?;
            say!("key id: {}", scores.key_id);
            say!("model id: {}", scores.model_id);
            say!("plaintext dataset id: {}", scores.dataset_id);
            say!("rows: {}", scores.rows);
        }
        ArtifactKind::CommitteePublicKey => {
            let key = vsies_secure_agg::PublicKey::load(path)?;
            let committee = key.committee;
            say!("committee id: {}", key.id());
            say!("members: {}, threshold: {}, packing: {}", committee.members, committee.threshold, committee.packing);
        }
        ArtifactKind::CommitteeKeyShare => {
            let share = vsies_secure_agg::KeyShare::load(path)?;
            say!("committee id: {}", share.committee_id);
            say!("member {} of {} (a secret key share: this member only)", share.member, share.committee.members);
        }
        ArtifactKind::EncryptedUpdate => {
            let update = vsies_secure_agg::EncryptedUpdate::load(path)?;
            say!("committee id: {}", update.committee_id);
            say!("round: {}, clients: {}, values: {}", update.round, update.contributors.len(), update.coordinates());
            say!("schema id: {}", update.model.schema_id);
            match &update.signature {
                Some(signature) => say!(
                    "signed by {} (signature {})",
                    vsies_secure_agg::signing::format_address(&signature.address),
                    if signature.verify(&update.committee_id, update.round, &update.contributors[0]) {
                        "valid"
                    } else {
                        "INVALID"
                    }
                ),
                None => say!("unsigned"),
            }
            match &update.proof {
                Some(proof) => say!(
                    "update proof for verifying key {}: {} rows, model commitment {} (check it with `vsies agg verify-update`)",
                    proof.verifying_key,
                    proof.rows,
                    vsies_core::codec::hex(&proof.trained)
                ),
                None => say!("no update proof"),
            }
        }
        ArtifactKind::DecryptionShare => {
            let share = vsies_secure_agg::DecryptionShare::load(path)?;
            say!("committee id: {}", share.committee_id);
            say!("member: {}, aggregate: {}", share.member, vsies_core::codec::hex(&share.aggregate));
        }
        ArtifactKind::ZkProvingKey | ArtifactKind::ZkVerifyingKey => describe_zk_key(path, header)?,
        ArtifactKind::DataProof => {
            let proof = vsies_zk::DataProof::load(path)?;
            say!("relation: {}", proof.relation);
            say!("schema id: {}", proof.schema_id);
            say!("verifying key: {}", proof.verifying_key);
            say!("rows: {} (keys for at most {}), data commitment: {}", proof.rows, proof.max_rows, proof.commitment);
            say!("node: {}, parameters: {}", proof.node, proof.params_id);
        }
        ArtifactKind::TrainingProof => {
            let proof = vsies_zk::relations::training::TrainingProof::load(path)?;
            say!("relation: {}", proof.relation);
            say!("schema id: {}, parameters: {}", proof.schema_id, proof.params_id);
            say!("verifying key: {}", proof.verifying_key);
            say!(
                "round {}, node {}, rows {}, compute {}, data {}",
                proof.round,
                proof.node,
                proof.rows,
                proof.compute,
                proof.data
            );
            say!("data commitment: {}", proof.data_commitment);
            say!("initial commitment: {}, trained commitment: {}", proof.initial_commitment, proof.trained_commitment);
        }
        ArtifactKind::ModelOpening => {
            let opening = vsies_zk::relations::training::ModelOpening::load(path)?;
            say!("opens commitment {} to model {} (the blinding is secret)", opening.commitment, opening.model_id);
        }
        ArtifactKind::ClientSigningKey => {
            let key = vsies_secure_agg::ClientKey::load(path)?;
            say!(
                "address: {} (the secret key is not shown)",
                vsies_secure_agg::signing::format_address(&key.address())
            );
        }
        ArtifactKind::ClientRegistry => {
            let registry = vsies_secure_agg::ClientRegistry::load(path)?;
            say!("committee id: {}", registry.committee_id);
            say!("registered clients: {}", registry.clients().len());
            for address in registry.clients() {
                say!("  {}", vsies_secure_agg::signing::format_address(address));
            }
        }
        other => say!("{other}: {} payload bytes", header.payload_len),
    }
    Ok(())
}

/// A key file's relation and parameters, read in pieces; the whole file is streamed through
/// the checksum, so a damaged key of any size is reported.
fn describe_zk_key(path: &Path, header: &ArtifactHeader) -> anyhow::Result<()> {
    let mut reader = BinaryReader::open(path, header.kind)?;
    let params = vsies_zk::groth16::key_file::read_params_json(&mut reader, path)?;
    let relation = params.get("relation").and_then(|name| name.as_str()).unwrap_or("(unnamed)");
    say!("relation: {relation}");
    for (field, value) in params.as_object().into_iter().flatten().filter(|(field, _)| *field != "relation") {
        match value {
            serde_json::Value::Object(_) | serde_json::Value::Array(_) if *field == "schema" => {
                let schema: Schema = serde_json::from_value(value.clone()).context("the key's schema")?;
                say!("schema id: {}", schema.content_id());
            }
            serde_json::Value::Object(_) | serde_json::Value::Array(_) => say!("{field}: (structured)"),
            value => say!("{field}: {value}"),
        }
    }
    if header.kind == ArtifactKind::ZkVerifyingKey {
        say!("verifying key id: {}", ContentId::of(&artifact::read_binary(path, header.kind)?));
    } else {
        std::io::copy(&mut reader, &mut std::io::sink()).with_context(|| format!("reading {}", path.display()))?;
        reader.finish()?;
    }
    say!("payload: {} bytes, checksum verified", header.payload_len);
    Ok(())
}
