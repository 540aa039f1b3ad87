//! Training under TFHE: `vsies keygen --training`, `vsies encrypt --training`,
//! `vsies train-encrypted` and `vsies decrypt` of an encrypted model (with attestations).

use super::load_schema;
use super::train::TrainingFlags;
use crate::failure::EXIT_INVALID;
use crate::progress::Steps;
use anyhow::Context;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;
use vsies_core::{Model, QuantizedDataset};
use vsies_fhe::keys::{EVALUATION_KEY_FILE, PUBLIC_KEY_FILE, SECRET_KEY_FILE};
use vsies_fhe::train::{EncryptedModel, EncryptedTrainingData, Trainer, TrainingKey};
use vsies_fhe::{BootstrapBackend, EvaluationKey, PublicKey, SecretKey};
use vsies_secure_agg::signing::{format_address, parse_address};
use vsies_secure_agg::{Attestation, ClientKey};
use vsies_subnet::Progress;

/// Adds the training keys to the key set in `directory` (same secret key; only `eval.key`
/// grows, atomically). A key set that has them already is left as it is.
pub fn add_training_keys(directory: &Path) -> anyhow::Result<i32> {
    let eval_path = directory.join(EVALUATION_KEY_FILE);
    let secret = SecretKey::load(&directory.join(SECRET_KEY_FILE))?;
    let evaluation = EvaluationKey::load(&eval_path)?;
    anyhow::ensure!(
        evaluation.key_id == secret.key_id(),
        "{} is of key set {}, {} of {}",
        eval_path.display(),
        evaluation.key_id,
        SECRET_KEY_FILE,
        secret.key_id()
    );
    if TrainingKey::load(&eval_path).is_ok() {
        say!("{} already holds training keys; nothing changed", eval_path.display());
        return Ok(0);
    }
    write_training_keys(&secret, &evaluation, directory)?;
    say!("added training keys to {} (key id {}, unchanged)", eval_path.display(), evaluation.key_id);
    Ok(0)
}

/// Generates and writes the training keys of `secret` into `directory`'s `eval.key`.
pub fn write_training_keys(secret: &SecretKey, evaluation: &EvaluationKey, directory: &Path) -> anyhow::Result<()> {
    let start = Instant::now();
    let key = TrainingKey::generate(secret);
    let generated = start.elapsed();
    key.save(evaluation, directory)?;
    say!(
        "training keys: bootstrap key and key-switching key modulo the NTT prime, {:.1} MB, generated in {:.1} s",
        key.size_bytes() as f64 / 1e6,
        generated.as_secs_f64()
    );
    Ok(())
}

/// `vsies encrypt --training [--prove]`: rows bit by bit, labels included, with `public.key`.
pub fn encrypt_training(data: &QuantizedDataset, keys: &Path, prove: bool, output: &Path) -> anyhow::Result<i32> {
    anyhow::ensure!(data.labels().is_some(), "training data needs its label column");
    let encrypted = if prove {
        let (key, crs) = super::fhe_proofs::load_training_parts(keys)?;
        EncryptedTrainingData::encrypt_proved(data, &key, &crs)?
    } else {
        EncryptedTrainingData::encrypt(data, &PublicKey::load(&keys.join(PUBLIC_KEY_FILE))?)?
    };
    encrypted.save(output)?;
    say!(
        "encrypted {} labelled rows x {} features bit by bit for training with the public key{}",
        encrypted.rows(),
        encrypted.features(),
        if prove { ", every row proved to encrypt bits" } else { "" }
    );
    say!("training data content id {}", encrypted.content_id());
    say!("wrote {}", output.display());
    Ok(0)
}

#[derive(Args)]
pub struct TrainEncryptedArgs {
    /// Encrypted training data from `vsies encrypt --training`.
    data: PathBuf,
    /// Key directory: eval.key (with the training keys of `keygen --training`), and, to check
    /// the rows' proofs, public.key and training.crs (all three public).
    #[arg(long)]
    keys: PathBuf,
    /// Train on rows without proofs: a contributor's crafted row can then make the model
    /// wrong, or make it depend on key bits.
    #[arg(long)]
    unproved: bool,
    /// Output encrypted model.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    training: TrainingFlags,
    /// Start from this model's public weights (a federated round's global model).
    #[arg(long)]
    init: Option<PathBuf>,
    /// Directory of the checkpoint written after every batch (default: OUTPUT.checkpoint).
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint instead of starting over; the output is byte-identical to
    /// an uninterrupted run's.
    #[arg(long)]
    resume: bool,
    /// Train at most this many batches in this run, then stop with the checkpoint written
    /// (continue with --resume): for time-sliced compute.
    #[arg(long)]
    max_batches: Option<u64>,
    /// Sign the encrypted model's content id with this signing key (`vsies agg client-keygen`),
    /// as a validator re-executing the task does.
    #[arg(long)]
    attest: Option<PathBuf>,
    /// Where the attestation goes (default: OUTPUT.attestation.json).
    #[arg(long, requires = "attest")]
    attestation: Option<PathBuf>,
    /// Where the bootstraps run: cpu, emulator (the GPU kernels' source on the CPU; the same
    /// bytes, slowly), cuda or auto.
    #[arg(long, default_value_t = vsies_kernels::Device::Cpu)]
    device: vsies_kernels::Device,
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub fn train_encrypted(args: TrainEncryptedArgs) -> anyhow::Result<i32> {
    match args.device.check()? {
        vsies_kernels::Device::Emulator => train_on(&vsies_fhe::Emulated, args),
        #[cfg(feature = "cuda")]
        vsies_kernels::Device::Cuda => train_on(&vsies_fhe::Cuda, args),
        _ => train_on(&vsies_fhe::Cpu, args),
    }
}

fn train_on<B: BootstrapBackend>(backend: &B, args: TrainEncryptedArgs) -> anyhow::Result<i32> {
    let key = TrainingKey::load(&args.keys.join(EVALUATION_KEY_FILE))?;
    let data = EncryptedTrainingData::load(&args.data)?;
    if !args.unproved {
        let (public, crs) = super::fhe_proofs::load_training_parts(&args.keys)?;
        data.check_proofs(&public, &crs)
            .with_context(|| format!("checking the row proofs of {}", args.data.display()))?;
    }
    let config = args.training.config();
    let initial = args.init.as_deref().map(Model::load).transpose()?;
    if let Some(model) = &initial {
        model.check_shape(data.schema_id(), data.features()).with_context(|| {
            format!("{} does not fit {}", args.init.as_deref().unwrap_or(Path::new("")).display(), args.data.display())
        })?;
    }
    let weights = initial.as_ref().map(Model::augmented_weights);
    let checkpoint_dir = args.checkpoint.clone().unwrap_or_else(|| with_suffix(&args.output, ".checkpoint"));
    let checkpoint_path = checkpoint_dir.join("checkpoint.vsies");
    let mut trainer = if args.resume {
        let checkpoint = EncryptedModel::load(&checkpoint_path)?;
        let expected_initial = weights.clone().unwrap_or_else(|| vec![0; data.features() + 1]);
        anyhow::ensure!(
            checkpoint.config == config
                && checkpoint.initial == expected_initial
                && checkpoint.initial_model == initial.as_ref().map(Model::content_id),
            "{} is of a training with other parameters or another --init than these",
            checkpoint_path.display()
        );
        Trainer::resume(backend, &key, &data, &checkpoint)?
    } else {
        let trainer = Trainer::new(backend, &key, &data, config, weights.as_deref())?;
        match &initial {
            Some(model) => trainer.with_initial_model(model.content_id()),
            None => trainer,
        }
    };
    std::fs::create_dir_all(&checkpoint_dir).with_context(|| format!("creating {}", checkpoint_dir.display()))?;
    let (done, total) = trainer.progress();
    eprintln!(
        "training under TFHE on {} encrypted rows x {} features: batches {}..{total}",
        data.rows(),
        data.features(),
        done + 1
    );
    let this_run = args.max_batches.unwrap_or(u64::MAX).min(total - done);
    let steps = Steps::new("training under TFHE");
    steps.start(this_run);
    let start = Instant::now();
    for _ in 0..this_run {
        trainer.step()?;
        trainer.checkpoint().save(&checkpoint_path)?;
        let (done, total) = trainer.progress();
        steps.step(&format!("batch {done}/{total}"));
    }
    drop(steps);
    let elapsed = start.elapsed();
    let (now_done, _) = trainer.progress();
    if now_done < total {
        say!(
            "stopped after {this_run} batches ({now_done}/{total}, {:.1} s, {} bootstraps); checkpoint {}; continue with --resume",
            elapsed.as_secs_f64(),
            trainer.bootstraps(),
            checkpoint_path.display()
        );
        return Ok(0);
    }
    let model = trainer.checkpoint();
    model.save(&args.output)?;
    std::fs::remove_file(&checkpoint_path).ok();
    std::fs::remove_dir(&checkpoint_dir).ok();
    let batches = this_run.max(1);
    say!(
        "trained {this_run} batches in {:.1} s ({:.1} s per batch, {} bootstraps, {:.0} per batch)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / batches as f64,
        trainer.bootstraps(),
        trainer.bootstraps() as f64 / batches as f64
    );
    let content_id = model.content_id();
    say!("encrypted model content id {content_id}");
    say!("wrote {}", args.output.display());
    if let Some(key_path) = &args.attest {
        let signer = ClientKey::load(key_path)?;
        let attestation = Attestation::sign(&signer, &content_id);
        let path = args.attestation.clone().unwrap_or_else(|| with_suffix(&args.output, ".attestation.json"));
        attestation.save(&path)?;
        say!("attested by {}: wrote {}", attestation.signer, path.display());
    }
    Ok(0)
}

/// What `vsies decrypt` needs to decrypt an encrypted model.
pub struct ModelDecryption<'a> {
    /// The encrypted model.
    pub model: &'a Path,
    /// The key directory (secret.key).
    pub keys: &'a Path,
    /// The schema, to write `model.json`.
    pub schema: Option<&'a Path>,
    /// The validators' attestations.
    pub attestations: &'a [PathBuf],
    /// The compute node's address: its own attestation does not count.
    pub node: Option<&'a str>,
    /// Attestations needed from distinct signers other than the node.
    pub min_attestations: usize,
    /// The output `model.json`.
    pub output: Option<&'a Path>,
}

/// Decrypts an encrypted model only when enough independent validators attested its content id.
pub fn decrypt_model(request: ModelDecryption<'_>) -> anyhow::Result<i32> {
    let schema_path = request.schema.context("decrypting a model needs --schema (to write model.json)")?;
    let output = request.output.context("decrypting a model needs -o MODEL_JSON")?;
    let node = request.node.context("name the compute node with --node ADDRESS: its own attestation does not count")?;
    let node = parse_address(node)?;
    let schema = load_schema(schema_path)?;
    let encrypted = EncryptedModel::load(request.model)?;
    let content_id = encrypted.content_id();
    let mut signers = Vec::new();
    for path in request.attestations {
        let attestation = Attestation::load(path)?;
        match attestation.verify(&content_id) {
            Ok(address) if address == node => {
                eprintln!("{}: the compute node's own attestation; not counted", path.display())
            }
            Ok(address) if signers.contains(&address) => {
                eprintln!("{}: a second attestation by {}; not counted", path.display(), format_address(&address))
            }
            Ok(address) => signers.push(address),
            Err(err) => eprintln!("{}: {err}; not counted", path.display()),
        }
    }
    if signers.len() < request.min_attestations {
        eprintln!(
            "error: {} independent attestation(s) of {content_id}, {} needed: refusing to decrypt {}",
            signers.len(),
            request.min_attestations,
            request.model.display()
        );
        return Ok(EXIT_INVALID);
    }
    if encrypted.schema_id != schema.content_id() {
        eprintln!(
            "error: {} was trained under schema {}, not {}",
            request.model.display(),
            encrypted.schema_id,
            schema_path.display()
        );
        return Ok(EXIT_INVALID);
    }
    let secret = SecretKey::load(&request.keys.join(SECRET_KEY_FILE))?;
    let mut weights = encrypted.decrypt(&secret)?;
    anyhow::ensure!(weights.len() == schema.features.len() + 1, "the model's width does not fit the schema");
    let bias = weights.pop().expect("a bias");
    let mut model = Model::from_weights(schema, encrypted.config, weights, bias, encrypted.rows);
    model.initial_model = encrypted.initial_model;
    model.save(output)?;
    say!("decrypted the model attested by {} validator(s); model content id {}", signers.len(), model.content_id());
    say!("wrote {}", output.display());
    Ok(0)
}
