//! `vsies setup data`, `vsies prove data`, `vsies verify`: Groth16 proofs that a committed
//! dataset passes its schema.

use super::{load_dataset, load_schema, write_output};
use crate::failure::{EXIT_ERROR, EXIT_INVALID};
use crate::keyset::KeySetStaging;
use crate::memory::print_peak_memory;
use anyhow::Context;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use vsies_core::artifact::{read_capped, MAX_JSON_BYTES};
use vsies_core::LabelPolicy;
use vsies_kernels::Device;
use vsies_verifier_contract::solidity::EvmVerifyingKey;
use vsies_zk::{constraint_count, DataKeys, DataProof, DataProver, DataRelation, DataVerifier, DEFAULT_BUCKETS};
use vsies_zk::{PROVING_KEY_FILE, SNARKJS_VERIFYING_KEY_FILE, VERIFYING_KEY_FILE};

#[derive(Subcommand)]
pub enum SetupCommand {
    /// Groth16 keys for proving that a dataset of at most --rows rows passes a schema.
    Data(SetupDataArgs),
    /// Groth16 keys for proving a training of exactly --rows rows with these parameters.
    Train(super::zk_train::SetupTrainArgs),
    /// Groth16 keys for proving committee-encrypted updates of a model's shape well formed.
    Update(super::agg_proofs::SetupUpdateArgs),
    /// The CRS with which contributors prove their public-key encryptions well formed.
    Encryption(super::fhe_proofs::SetupEncryptionArgs),
    /// Groth16 keys for proving a committee key-generation contribution well formed (`agg dkg`).
    Keygen(super::agg_dkg::SetupKeygenArgs),
}

#[derive(Subcommand)]
pub enum ProveCommand {
    /// Prove that a CSV passes the keys' schema, revealing only its commitment, row count and
    /// per-column histogram.
    Data(ProveDataArgs),
    /// Prove that a model is the spec's training on a committed dataset, revealing only the
    /// commitments, the row count and the round and node.
    Train(super::zk_train::ProveTrainArgs),
}

#[derive(Args)]
pub struct SetupDataArgs {
    /// Schema (TOML) the datasets must pass.
    #[arg(long)]
    schema: PathBuf,
    /// Largest row count the keys prove (smaller datasets are padded).
    #[arg(long)]
    rows: usize,
    /// Histogram buckets per feature column (equal-width over the column's quantized range).
    #[arg(long, default_value_t = DEFAULT_BUCKETS)]
    buckets: usize,
    #[command(flatten)]
    keys: KeyOutput,
}

/// Where `vsies setup` writes a key set, and how.
#[derive(Args)]
pub struct KeyOutput {
    /// Key directory: proving.key, verifying.key, verification_key.json (snarkjs layout).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Derive the setup randomness from this seed instead of the OS: reproducible keys whose
    /// toxic waste anyone can recompute. Tests and benchmarks only.
    #[arg(long)]
    pub insecure_seed: Option<u64>,
    /// Replace an existing key set in the output directory (only files of a key set are
    /// removed; the new set replaces the old one in one step).
    #[arg(long)]
    pub force: bool,
}

impl KeyOutput {
    /// Generates a key set with `generate` into a staging directory, makes it the output
    /// directory in one step, and reports it; `generate` returns the verifying key's id.
    pub fn write<Id: std::fmt::Display>(
        &self,
        start: std::time::Instant,
        generate: impl FnOnce(&mut StdRng, &Path) -> anyhow::Result<Id>,
    ) -> anyhow::Result<()> {
        let staging = key_staging(&self.output, self.force)?;
        let id = generate(&mut rng(self.insecure_seed), staging.path())?;
        staging.commit()?;
        report_keys(&self.output, &id, self.insecure_seed.is_some(), start);
        Ok(())
    }

    /// Prints `relation`'s constraints per stage, then generates its keys ([`KeyOutput::write`]).
    pub fn write_relation<R: vsies_zk::groth16::Relation + Clone>(
        &self,
        start: std::time::Instant,
        relation: R,
    ) -> anyhow::Result<()> {
        for (stage, count) in vsies_zk::groth16::constraints_by_stage(&relation)? {
            say!("  {stage:<11} {count:>9} constraints");
        }
        self.write(start, |rng, dir| Ok(vsies_zk::groth16::Keys::generate(relation, rng, dir)?.id))
    }
}

#[derive(Args)]
pub struct ProveDataArgs {
    /// Data to prove: a CSV (validated against the schema first; it must carry the label
    /// column) or a labelled `.vqd` of the keys' schema.
    data: PathBuf,
    /// Schema (TOML); must be the one the keys were made for.
    #[arg(long)]
    schema: PathBuf,
    /// Key directory from `vsies setup data`.
    #[arg(long)]
    keys: PathBuf,
    /// Output proof (JSON).
    #[arg(short, long)]
    output: PathBuf,
    /// Also write snarkjs's proof.json, public.json and verification_key.json into this
    /// directory, for `snarkjs groth16 verify`.
    #[arg(long)]
    snarkjs: Option<PathBuf>,
    /// The chain account (0x and 40 hex digits) the vault registers the dataset for: only a
    /// registration sent from it counts. Default: none (all zeros).
    #[arg(long, default_value = "0x0000000000000000000000000000000000000000")]
    node: String,
    /// Derive the proof's randomness from this seed (byte-identical proofs). Tests only.
    #[arg(long)]
    insecure_seed: Option<u64>,
    /// If the witness breaks a constraint, print the constraint's witness values too. They
    /// are the secret data: never use this where the output is logged or shared.
    #[arg(long)]
    debug: bool,
    /// Where the G1 and G2 MSMs and FFTs run: cpu, emulator (the GPU kernels' sources on the CPU
    /// emulator; the same proof), cuda or auto.
    #[arg(long, default_value_t = Device::Cpu)]
    device: Device,
}

/// The prover's backend for `--device` (a device this build cannot use: exit 2).
pub fn prover_backend(device: Device) -> anyhow::Result<&'static dyn vsies_zk::groth16::Backend> {
    Ok(match device.check()? {
        Device::Emulator => &vsies_zk::groth16::Emulated,
        #[cfg(feature = "cuda")]
        Device::Cuda => &vsies_zk::groth16::Cuda,
        _ => &vsies_zk::groth16::Cpu,
    })
}

/// A `--node` value: `0x` and 40 hex digits, either case.
pub fn parse_node_flag(text: &str) -> anyhow::Result<[u8; 20]> {
    vsies_zk::relations::training::parse_node(&text.to_lowercase())
        .with_context(|| format!("--node {text:?} is not 0x and 40 hex digits"))
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Proof from `vsies prove data` or `vsies prove train`.
    proof: PathBuf,
    /// Key directory (only verifying.key is read).
    #[arg(long)]
    keys: PathBuf,
    /// Training proofs: check that the training started from this model.
    #[arg(long)]
    init: Option<PathBuf>,
    /// Training proofs: check that the trained commitment opens to this model (with --opening).
    #[arg(long, requires = "opening")]
    model: Option<PathBuf>,
    /// The opening written by `vsies prove train --opening`.
    #[arg(long, requires = "model")]
    opening: Option<PathBuf>,
}

/// The OS's entropy, or a fixed seed for reproducible tests.
pub fn rng(seed: Option<u64>) -> StdRng {
    match seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_entropy(),
    }
}

pub fn setup(command: SetupCommand) -> anyhow::Result<i32> {
    let args = match command {
        SetupCommand::Data(args) => args,
        SetupCommand::Train(args) => return super::zk_train::setup(args),
        SetupCommand::Update(args) => return super::agg_proofs::setup(args),
        SetupCommand::Encryption(args) => return super::fhe_proofs::setup(args),
        SetupCommand::Keygen(args) => return super::agg_dkg::setup(args),
    };
    let start = std::time::Instant::now();
    let schema = load_schema(&args.schema)?;
    let relation = DataRelation::for_schema(&schema, args.rows, args.buckets)?;
    let constraints = constraint_count(&relation);
    let values = args.rows * relation.columns.len();
    say!(
        "relation: {} rows x {} columns (features and label), {} constraints ({:.1} per value), {} public inputs",
        args.rows,
        relation.columns.len(),
        constraints,
        constraints as f64 / values as f64,
        relation.public_input_count()
    );
    args.keys.write(start, |rng, dir| Ok(DataKeys::generate(relation, rng, dir)?.id))?;
    Ok(0)
}

/// A staging directory for Groth16 keys bound for `output` (see [`KeySetStaging`]).
pub(super) fn key_staging(output: &Path, force: bool) -> anyhow::Result<KeySetStaging> {
    KeySetStaging::begin(output, force, |name| {
        [PROVING_KEY_FILE, VERIFYING_KEY_FILE, SNARKJS_VERIFYING_KEY_FILE].contains(&name)
    })
}

/// Reports why verification failed; the exit code: 1 for an invalid proof, 2 for a file that
/// could not be read.
pub(super) fn refusal(err: &vsies_zk::ZkError) -> i32 {
    if err.is_invalid_proof() {
        eprintln!("invalid: {err}");
        EXIT_INVALID
    } else {
        eprintln!("error: {err}");
        EXIT_ERROR
    }
}

/// What `vsies setup` prints once the keys are written: the files, the verifying key's id, a
/// warning for seeded keys, the peak memory since `start`.
pub(super) fn report_keys(output: &Path, id: &impl std::fmt::Display, insecure: bool, start: std::time::Instant) {
    let dir = output.display();
    say!("wrote {dir}/{{{PROVING_KEY_FILE}, {VERIFYING_KEY_FILE}, {SNARKJS_VERIFYING_KEY_FILE}}}");
    say!("verifying key id {id}");
    if insecure {
        say!("warning: --insecure-seed: anyone who knows the seed can forge proofs for these keys");
    }
    print_peak_memory(start);
}

pub fn prove(command: ProveCommand) -> anyhow::Result<i32> {
    let args = match command {
        ProveCommand::Data(args) => args,
        ProveCommand::Train(args) => return super::zk_train::prove(args),
    };
    let start = std::time::Instant::now();
    let schema = load_schema(&args.schema)?;
    let prover = DataProver::load(&args.keys)?;
    prover.relation.check_schema(&schema).with_context(|| {
        format!("{} is not the schema of the keys in {}", args.schema.display(), args.keys.display())
    })?;
    let node = parse_node_flag(&args.node)?;
    let dataset = load_dataset(&args.data, &schema, LabelPolicy::Required)?;
    let backend = prover_backend(args.device)?;
    let proof = match prover.prove_for_on(backend, &dataset, node, &mut rng(args.insecure_seed)) {
        Ok(proof) => proof,
        Err(err) => {
            if let (true, Some(failure)) = (args.debug, err.constraint_failure()) {
                eprintln!("debug: {}", failure.with_values());
            }
            return Err(err).with_context(|| format!("proving {}", args.data.display()));
        }
    };
    proof.save(&args.output)?;
    if let Some(dir) = &args.snarkjs {
        write_snarkjs(&proof, &args.output, &args.keys, dir)?;
    }
    say!("proved {} rows of {} against schema {}", proof.rows, args.data.display(), proof.schema_id);
    say!("commitment {}", proof.commitment);
    say!("wrote {}", args.output.display());
    print_peak_memory(start);
    Ok(0)
}

fn write_snarkjs(proof: &DataProof, path: &Path, keys: &Path, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (proof_json, public_json) = proof.snarkjs(path)?;
    write_output(&dir.join("proof.json"), &serde_json::to_vec_pretty(&proof_json)?)?;
    write_output(&dir.join("public.json"), &serde_json::to_vec_pretty(&public_json)?)?;
    let key = read_capped(&keys.join(SNARKJS_VERIFYING_KEY_FILE), MAX_JSON_BYTES)?;
    write_output(&dir.join(SNARKJS_VERIFYING_KEY_FILE), &key)?;
    say!("wrote {}/{{proof.json, public.json, {SNARKJS_VERIFYING_KEY_FILE}}}", dir.display());
    Ok(())
}

/// Exit 0 valid, 1 invalid, 2 when the proof or keys cannot be read. The proof's own header
/// says which relation it is for.
pub fn verify(args: VerifyArgs) -> anyhow::Result<i32> {
    if vsies_core::artifact::read_header(&args.proof)?.kind == vsies_core::ArtifactKind::TrainingProof {
        let model = args.model.as_deref().zip(args.opening.as_deref());
        return super::zk_train::verify(&args.proof, &args.keys, args.init.as_deref(), model);
    }
    if args.init.is_some() || args.model.is_some() {
        anyhow::bail!("--init, --model and --opening check training proofs; {} is a data proof", args.proof.display());
    }
    let verifier = DataVerifier::load(&args.keys)?;
    let proof = DataProof::load(&args.proof)?;
    match verifier.verify(&proof, &args.proof) {
        Ok(statement) => {
            say!("valid: {} rows pass schema {} (commitment {})", statement.rows, proof.schema_id, proof.commitment);
            say!("node {}, statement digest {}", proof.node, proof.public_inputs[1]);
            Ok(0)
        }
        Err(err) => Ok(super::zk::refusal(&err)),
    }
}

#[derive(Args)]
pub struct ExportVerifierArgs {
    /// Key directory (only verifying.key is read).
    #[arg(long)]
    keys: PathBuf,
    /// Output Solidity source (contract `Groth16Verifier`).
    #[arg(short, long)]
    output: PathBuf,
}

/// Renders the Solidity verifier for a verifying key: `Groth16Verifier` for data-validation
/// keys, `Groth16CommittedVerifier` for training keys (whose proofs carry a commitment).
pub fn export_verifier(args: ExportVerifierArgs) -> anyhow::Result<i32> {
    if let Ok(verifier) = vsies_zk::relations::training::TrainingVerifier::load(&args.keys) {
        let key = EvmVerifyingKey::from_key(&verifier.key);
        let commitment = verifier.commitment.as_ref().context("a training key without its commitment key")?;
        let sigma_gamma = vsies_verifier_contract::groth16::encode_g2(&commitment.sigma_gamma_g2);
        let inputs = key.ic.len() - 2;
        let comment =
            format!("Verifying key {} (training, {inputs} public inputs and the challenge seed).", verifier.id);
        let source = vsies_verifier_contract::solidity::render_committed_verifier(&key, &sigma_gamma, &comment);
        write_output(&args.output, source.as_bytes())?;
        say!(
            "wrote {} (Groth16CommittedVerifier: verifyProof with a commitment and {inputs} public inputs)",
            args.output.display()
        );
        return Ok(0);
    }
    let verifier = DataVerifier::load(&args.keys)?;
    let key = EvmVerifyingKey::from_key(&verifier.key);
    let inputs = key.ic.len() - 1;
    let comment = format!("Verifying key {} ({} public inputs).", verifier.id, inputs);
    let source = vsies_verifier_contract::solidity::render_verifier(&key, &comment);
    write_output(&args.output, source.as_bytes())?;
    say!("wrote {} (verifyProof with {inputs} public inputs)", args.output.display());
    Ok(0)
}
