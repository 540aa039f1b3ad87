//! `vsies keygen`, `vsies encrypt`, `vsies infer`, `vsies decrypt`: encrypted inference.

use super::{load_dataset, load_schema, write_output};
use crate::keyset::KeySetStaging;
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use vsies_core::metrics::accuracy;
use vsies_core::predictions::predictions_csv;
use vsies_core::{LabelPolicy, Model};
use vsies_fhe::keys::{EVALUATION_KEY_FILE, PUBLIC_KEY_FILE, SECRET_KEY_FILE};
use vsies_fhe::{EncryptedDataset, EncryptedScores, EvaluationKey, Keys, PublicKey, SecretKey};

#[derive(Args)]
pub struct KeygenArgs {
    /// Directory for secret.key (0600), public.key and eval.key.
    #[arg(short, long)]
    output: PathBuf,
    /// Replace an existing key set in the output directory (only files of a key set are
    /// removed; the new set replaces the old one in one step).
    #[arg(long)]
    force: bool,
    /// Add the training keys of `vsies train-encrypted` to eval.key (a bootstrap key and a
    /// key-switching key, 120 MB). On an existing key set (without --force) they are added for
    /// the same secret key and nothing else changes.
    #[arg(long)]
    training: bool,
}

pub fn keygen(args: KeygenArgs) -> anyhow::Result<i32> {
    if args.training && !args.force && args.output.join(SECRET_KEY_FILE).exists() {
        return super::fhe_train::add_training_keys(&args.output);
    }
    let keys = Keys::generate();
    let staging = KeySetStaging::begin(&args.output, args.force, |name| {
        // The encryption CRS (`vsies setup encryption`) and the record of the key holder's own
        // datasets live beside the keys and go with them.
        [
            SECRET_KEY_FILE,
            PUBLIC_KEY_FILE,
            EVALUATION_KEY_FILE,
            vsies_fhe::proofs::CRS_FILE,
            vsies_fhe::proofs::TRAINING_CRS_FILE,
            vsies_fhe::owned::RECORD_FILE,
        ]
        .contains(&name)
    })?;
    keys.save(staging.path())?;
    if args.training {
        super::fhe_train::write_training_keys(&keys.secret, &keys.evaluation, staging.path())?;
    }
    staging.commit()?;
    say!("wrote {}/{{{SECRET_KEY_FILE}, {PUBLIC_KEY_FILE}, {EVALUATION_KEY_FILE}}}", args.output.display());
    say!("key id {}", keys.evaluation.key_id);
    say!("keep {SECRET_KEY_FILE} private; give {EVALUATION_KEY_FILE} to compute nodes and {PUBLIC_KEY_FILE} to contributors");
    Ok(0)
}

#[derive(Args)]
pub struct EncryptArgs {
    /// Data to encrypt: a CSV (validated against the schema first) or a `.vqd` of that schema.
    data: PathBuf,
    /// Schema (TOML).
    #[arg(long)]
    schema: PathBuf,
    /// Key directory: encrypts with public.key (a contributor needs nothing else).
    #[arg(long)]
    keys: PathBuf,
    /// Encrypt with secret.key instead: the smallest ciphertexts (256 B per 30-feature row
    /// against 481 B), but a compute node regenerates every mask from its seed, which makes
    /// inference about 40x slower (BENCHMARKS.md). Used as well when public.key is absent.
    #[arg(long)]
    secret_key: bool,
    /// Prove every public-key list well formed and within the schema's feature format
    /// (tfhe-rs zk-pok, with the key owner's encryption.crs from `vsies setup encryption`):
    /// compute nodes refuse public-key data without proofs.
    #[arg(long, conflicts_with = "secret_key")]
    prove: bool,
    /// Encrypt labelled rows bit by bit, labels included, for `vsies train-encrypted`
    /// (with public.key; with --prove, every row proved to encrypt bits with the owner's
    /// training.crs from `vsies setup encryption --training`).
    #[arg(long, conflicts_with = "secret_key")]
    training: bool,
    /// Output encrypted dataset.
    #[arg(short, long)]
    output: PathBuf,
}

pub fn encrypt(args: EncryptArgs) -> anyhow::Result<i32> {
    let schema = load_schema(&args.schema)?;
    let data = load_dataset(&args.data, &schema, LabelPolicy::Optional)?;
    if args.training {
        return super::fhe_train::encrypt_training(&data, &args.keys, args.prove, &args.output);
    }
    let secret_path = args.keys.join(SECRET_KEY_FILE);
    let public_path = args.keys.join(PUBLIC_KEY_FILE);
    // The commitment a validation proof of the same rows states. It covers the labels, so rows
    // without them (data to predict on) have none; any other failure to compute it is an error.
    let commitment = data.labels().map(|_| vsies_zk::commit_dataset(&schema, &data)).transpose()?;
    let (encrypted, how) = if args.prove {
        let (key, crs) = super::fhe_proofs::load_public_parts(&args.keys)?;
        let encrypted = EncryptedDataset::encrypt_with_public_key_proved(&data, &key, &crs, commitment)?;
        (encrypted, "public key, every list proved")
    } else {
        let (encrypted, how) = if args.secret_key || (!public_path.exists() && secret_path.exists()) {
            (EncryptedDataset::encrypt_with_secret_key(&data, &SecretKey::load(&secret_path)?)?, "secret key")
        } else {
            let key = PublicKey::load(&public_path)?;
            (EncryptedDataset::encrypt_with_public_key(&data, &key)?, "public key")
        };
        match commitment {
            Some(commitment) => (encrypted.with_commitment(commitment), how),
            None => (encrypted, how),
        }
    };
    if !encrypted.is_public_key_encrypted() {
        // Recorded before the file exists: a crash in between leaves a record of a file that
        // was never written, never a file of ours the record does not know.
        vsies_fhe::OwnedDatasets::open_beside(&secret_path)?.record(&encrypted)?;
    }
    encrypted.save(&args.output)?;
    say!(
        "encrypted {} rows x {} features with the {how}: {:.0} bytes per row",
        encrypted.rows,
        encrypted.columns,
        encrypted.stored_bytes_per_row()
    );
    say!("schema content id  {}", encrypted.schema_id);
    say!("dataset content id {}", encrypted.dataset_id);
    match &encrypted.data_commitment {
        Some(commitment) => say!("data commitment    {commitment}"),
        None => say!("data commitment    none (the file has no label column; `vsies prove data` needs one)"),
    }
    say!("wrote {}", args.output.display());
    Ok(0)
}

#[derive(Args)]
pub struct InferArgs {
    /// Encrypted dataset from `vsies encrypt`.
    data: PathBuf,
    /// Model from `vsies train` (clear weights).
    #[arg(long)]
    model: PathBuf,
    /// Key directory: eval.key, and for public-key-encrypted data public.key and
    /// encryption.crs (both public) to check every list's proof.
    #[arg(long)]
    keys: PathBuf,
    /// Score public-key lists without proofs: a contributor's crafted list then makes the
    /// owner's decrypted scores an oracle on the secret key.
    #[arg(long)]
    unproved: bool,
    /// Output encrypted scores.
    #[arg(short, long)]
    output: PathBuf,
    /// Where the linear layer runs: cpu, emulator (the GPU kernel's source on the CPU
    /// emulator; the same scores), cuda or auto.
    #[arg(long, default_value_t = vsies_kernels::Device::Cpu)]
    device: vsies_kernels::Device,
}

pub fn infer_command(args: InferArgs) -> anyhow::Result<i32> {
    let key = EvaluationKey::load(&args.keys.join(EVALUATION_KEY_FILE))?;
    let data = EncryptedDataset::load(&args.data)?;
    let model = Model::load(&args.model)?;
    if !args.unproved {
        super::fhe_proofs::check(&data, &args.keys)
            .map_err(|err| err.context(format!("checking the encryption proofs of {}", args.data.display())))?;
    }
    let start = std::time::Instant::now();
    let backend: &dyn vsies_fhe::LinearBackend = match args.device.check()? {
        vsies_kernels::Device::Emulator => &vsies_fhe::Emulated,
        #[cfg(feature = "cuda")]
        vsies_kernels::Device::Cuda => &vsies_fhe::Cuda,
        _ => &vsies_fhe::Cpu,
    };
    let scores = vsies_fhe::infer_with(backend, &data, &model, &key)?;
    let elapsed = start.elapsed();
    scores.save(&args.output)?;
    say!(
        "scored {} encrypted rows in {:.3} s ({:.0} rows/s); {} bytes per encrypted score",
        scores.rows,
        elapsed.as_secs_f64(),
        scores.rows as f64 / elapsed.as_secs_f64(),
        EncryptedScores::bytes_per_row()
    );
    say!("wrote {}", args.output.display());
    Ok(0)
}

#[derive(Args)]
pub struct DecryptArgs {
    /// Encrypted scores from `vsies infer`, or an encrypted model from `vsies train-encrypted`.
    scores: PathBuf,
    /// Key directory; secret.key is read.
    #[arg(long)]
    keys: PathBuf,
    /// Scores: the model the scores were computed with; must match.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Scores: the encrypted dataset the scores were computed from (from `vsies encrypt`, as
    /// sent to the compute node): the scores are recomputed from it and the model, and
    /// anything else is refused (exit 1) without being decrypted, so a compute node cannot use
    /// decryption as an oracle on the secret key.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Scores: labelled CSV of the same rows, to print accuracy (optional).
    #[arg(long)]
    labels: Option<PathBuf>,
    /// Scores: decrypt scores of rows nothing justifies: public-key rows without proofs, or
    /// secret-key rows this key set's record (`secret.key.datasets`, written by `vsies encrypt`)
    /// does not list. Crafted rows (masks built from unit vectors, chosen seeds and bodies)
    /// make the recomputed scores an oracle on the secret key, so without this flag public-key
    /// rows' proofs are checked first (the key directory's encryption.crs), and secret-key rows
    /// must be files this key holder encrypted.
    #[arg(long)]
    unproved: bool,
    /// An encrypted model: attestations of its content id by validators who re-executed the
    /// training (`vsies train-encrypted --attest`); it is decrypted only with enough of them.
    #[arg(long, num_args = 1..)]
    attestations: Vec<PathBuf>,
    /// An encrypted model: the compute node's address, whose own attestation does not count.
    #[arg(long)]
    node: Option<String>,
    /// An encrypted model: independent attestations required.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    min_attestations: u16,
    /// An encrypted model: the schema it was trained under (model.json holds it).
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Scores: write the `row,class,score` CSV of `vsies predict` here (stdout when absent).
    /// A model: the `model.json` to write.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn decrypt(args: DecryptArgs) -> anyhow::Result<i32> {
    let kind = vsies_core::artifact::read_header(&args.scores)?.kind;
    if kind == vsies_core::artifact::ArtifactKind::EncryptedModel {
        return super::fhe_train::decrypt_model(super::fhe_train::ModelDecryption {
            model: &args.scores,
            keys: &args.keys,
            schema: args.schema.as_deref(),
            attestations: &args.attestations,
            node: args.node.as_deref(),
            min_attestations: usize::from(args.min_attestations),
            output: args.output.as_deref(),
        });
    }
    let (Some(model_path), Some(data_path)) = (&args.model, &args.data) else {
        anyhow::bail!("decrypting scores needs --model and --data (the scores are recomputed from them)");
    };
    let key = SecretKey::load(&args.keys.join(SECRET_KEY_FILE))?;
    let encrypted = EncryptedScores::load(&args.scores)?;
    let model = Model::load(model_path)?;
    let data = EncryptedDataset::load(data_path)?;
    data.check_key(key.key_id()).with_context(|| data_path.display().to_string())?;
    if !args.unproved {
        super::fhe_proofs::check(&data, &args.keys)
            .map_err(|err| err.context(format!("checking the encryption proofs of {}", data_path.display())))?;
        vsies_fhe::OwnedDatasets::open_beside(&args.keys.join(SECRET_KEY_FILE))?
            .check(&data)
            .with_context(|| data_path.display().to_string())?;
    }
    let scores = encrypted
        .decrypt_justified(&data, &model, &key)
        .with_context(|| format!("{} (with {})", args.scores.display(), data_path.display()))?;
    let csv = predictions_csv(&model.schema, &scores);
    match &args.output {
        Some(path) => {
            write_output(path, csv.as_bytes())?;
            say!("decrypted {} scores; wrote {}", scores.len(), path.display());
        }
        None => say_text!("{csv}"),
    }
    if let Some(labels_path) = &args.labels {
        let data = load_dataset(labels_path, &model.schema, LabelPolicy::Required)?;
        let labels = data.labels().unwrap_or_default();
        anyhow::ensure!(
            labels.len() == scores.len(),
            "{} has {} rows, the scores {}",
            labels_path.display(),
            labels.len(),
            scores.len()
        );
        let plaintext = model.scores(&data)?;
        let agree = plaintext.iter().zip(&scores).filter(|(a, b)| a == b).count();
        eprintln!(
            "accuracy {:.4}; decrypted scores equal the plaintext scores on {agree} of {} rows",
            accuracy(&scores, labels),
            scores.len()
        );
    }
    Ok(0)
}
