//! `vsies setup train`, `vsies prove train` and the training half of `vsies verify`: Groth16
//! proofs that a model is the spec's training on a committed dataset.

use super::train::TrainingFlags;
use super::{load_dataset, load_schema};
use crate::memory::print_peak_memory;
use anyhow::Context;
use ark_std::rand::rngs::StdRng;
use clap::Args;
use std::path::{Path, PathBuf};
use vsies_core::artifact::{read_capped, MAX_JSON_BYTES};
use vsies_core::{LabelPolicy, Model};
use vsies_zk::relations::training::{
    ModelOpening, TrainingKeys, TrainingParams, TrainingProof, TrainingProver, TrainingRelation, TrainingVerifier,
    RELATION,
};
use vsies_zk::{Relation, SNARKJS_VERIFYING_KEY_FILE};

#[derive(Args)]
pub struct SetupTrainArgs {
    /// Schema (TOML) of the training rows.
    #[arg(long)]
    schema: PathBuf,
    /// Training rows (the keys prove a training of exactly this many).
    #[arg(long)]
    rows: usize,
    #[command(flatten)]
    training: TrainingFlags,
    #[command(flatten)]
    keys: super::zk::KeyOutput,
}

#[derive(Args)]
pub struct ProveTrainArgs {
    /// Training data: a labelled CSV, or a labelled `.vqd` of the keys' schema.
    data: PathBuf,
    /// Schema (TOML); must be the one the keys were made for.
    #[arg(long)]
    schema: PathBuf,
    /// Key directory from `vsies setup train`.
    #[arg(long)]
    keys: PathBuf,
    /// Start from this model (the round's global model) instead of zero weights.
    #[arg(long)]
    init: Option<PathBuf>,
    /// Output proof (JSON).
    #[arg(short, long)]
    output: PathBuf,
    /// The trained model, byte-identical to `vsies train`'s for the same data and parameters.
    #[arg(long)]
    model_out: PathBuf,
    /// The opening of the trained model's commitment (written 0600: keep it until the update
    /// is aggregated).
    #[arg(long)]
    opening: PathBuf,
    /// The federated round the proof is for.
    #[arg(long, default_value_t = 0)]
    round: u64,
    /// The node's chain address (`0x` and 40 hex digits) the proof is for.
    #[arg(long, default_value = "0x0000000000000000000000000000000000000000")]
    node: String,
    /// Also write proof.json (with its `vsies_commitment` field), public.json (the statement's
    /// two inputs and the challenge seed) and verification_key.json into this directory, in
    /// snarkjs's layout. snarkjs itself cannot check these proofs (docs/TRAINING_PROOFS.md).
    #[arg(long)]
    snarkjs: Option<PathBuf>,
    /// Derive the proof's randomness from this seed (byte-identical proofs). Tests only.
    #[arg(long)]
    insecure_seed: Option<u64>,
    /// If the witness breaks a constraint, print the constraint's (secret) witness values too.
    #[arg(long)]
    debug: bool,
    /// Where the G1 and G2 MSMs and FFTs run: cpu, emulator (the GPU kernels' sources on the CPU
    /// emulator; the same proof), cuda or auto.
    #[arg(long, default_value_t = vsies_kernels::Device::Cpu)]
    device: vsies_kernels::Device,
}

pub fn setup(args: SetupTrainArgs) -> anyhow::Result<i32> {
    let start = std::time::Instant::now();
    let schema = load_schema(&args.schema)?;
    let params =
        TrainingParams { relation: RELATION.into(), schema, rows: args.rows, training: args.training.config() };
    let relation = TrainingRelation::new(params)?;
    let shape = relation.shape()?;
    let per = shape.constraints as f64
        / (args.rows as f64 * relation.features() as f64 * f64::from(relation.params.training.epochs));
    say!(
        "relation: training on {} rows x {} features, {} epochs: {} constraints ({per:.2} per sample x feature x epoch), {} committed",
        args.rows,
        relation.features(),
        relation.params.training.epochs,
        shape.constraints,
        shape.committed
    );
    let samples = args.rows as f64 * relation.features() as f64 * f64::from(relation.params.training.epochs);
    for (stage, count) in vsies_zk::groth16::constraints_by_stage(&relation)? {
        say!("  {stage:<14} {count:>10} constraints ({:.3} per sample x feature x epoch)", count as f64 / samples);
    }
    args.keys.write(start, |rng, dir| Ok(TrainingKeys::generate(relation, rng, dir)?.id))?;
    Ok(0)
}

pub fn prove(args: ProveTrainArgs) -> anyhow::Result<i32> {
    let start = std::time::Instant::now();
    let schema = load_schema(&args.schema)?;
    let prover = TrainingProver::load(&args.keys)?;
    prover.relation.data.check_schema(&schema).with_context(|| {
        format!("{} is not the schema of the keys in {}", args.schema.display(), args.keys.display())
    })?;
    let dataset = load_dataset(&args.data, &schema, LabelPolicy::Required)?;
    let initial = args.init.as_deref().map(Model::load).transpose()?;
    let node = super::zk::parse_node_flag(&args.node)?;
    let mut rng: StdRng = super::zk::rng(args.insecure_seed);
    let backend = super::zk::prover_backend(args.device)?;
    let proved = match prover.prove_training_on(backend, &dataset, initial.as_ref(), args.round, node, &mut rng) {
        Ok(proved) => proved,
        Err(err) => {
            if let (true, Some(failure)) = (args.debug, err.constraint_failure()) {
                eprintln!("debug: {}", failure.with_values());
            }
            return Err(err).with_context(|| format!("proving the training on {}", args.data.display()));
        }
    };
    proved.model.save(&args.model_out)?;
    proved.opening.save(&args.opening)?;
    proved.proof.save(&args.output)?;
    if let Some(dir) = &args.snarkjs {
        write_snarkjs(&prover, &proved.proof, &args.output, &args.keys, dir)?;
    }
    say!(
        "proved the training on {} rows ({} epochs) for round {} and node {}",
        proved.proof.rows,
        prover.relation.params.training.epochs,
        proved.proof.round,
        proved.proof.node
    );
    say!("data commitment    {}", proved.proof.data_commitment);
    say!("trained commitment {}", proved.proof.trained_commitment);
    say!("model content id   {}", proved.model.content_id());
    say!("wrote {}, {} and {} (0600)", args.output.display(), args.model_out.display(), args.opening.display());
    print_peak_memory(start);
    Ok(0)
}

fn write_snarkjs(
    prover: &TrainingProver,
    proof: &TrainingProof,
    path: &Path,
    keys: &Path,
    dir: &Path,
) -> anyhow::Result<()> {
    use vsies_zk::groth16::snarkjs;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let statement = prover.verifier.training_statement(proof, path)?;
    let committed = proof.committed_proof(path)?;
    let inputs = prover.verifier.committed_inputs(&statement, &committed);
    super::write_output(&dir.join("proof.json"), &serde_json::to_vec_pretty(&snarkjs::committed_proof(&committed))?)?;
    super::write_output(&dir.join("public.json"), &serde_json::to_vec_pretty(&snarkjs::public_inputs(&inputs))?)?;
    let key_path = keys.join(SNARKJS_VERIFYING_KEY_FILE);
    let key = read_capped(&key_path, MAX_JSON_BYTES)?;
    super::write_output(&dir.join(SNARKJS_VERIFYING_KEY_FILE), &key)?;
    say!("wrote {}/{{proof.json, public.json, {SNARKJS_VERIFYING_KEY_FILE}}}", dir.display());
    Ok(())
}

/// `vsies verify` for a training proof: exit 0 valid, 1 invalid, 2 unreadable.
pub fn verify(
    proof_path: &Path,
    keys: &Path,
    init: Option<&Path>,
    model: Option<(&Path, &Path)>,
) -> anyhow::Result<i32> {
    let verifier = TrainingVerifier::load(keys)?;
    let proof = TrainingProof::load(proof_path)?;
    let initial = init.map(Model::load).transpose()?;
    let opened = model
        .map(|(model, opening)| Ok::<_, anyhow::Error>((Model::load(model)?, ModelOpening::load(opening)?)))
        .transpose()?;
    let result = verifier.verify_training(&proof, proof_path).and_then(|statement| {
        if let Some(initial) = init.map(|_| initial.as_ref()) {
            verifier.check_initial(&statement, initial, proof_path)?;
        }
        if let Some((model, opening)) = &opened {
            verifier.check_trained(&statement, model, opening, proof_path)?;
        }
        Ok(statement)
    });
    match result {
        Ok(statement) => {
            say!(
                "valid: training on {} rows ({} compute units) for round {} by node {}",
                proof.rows,
                proof.compute,
                statement.round,
                proof.node
            );
            let training = &verifier.relation.params.training;
            say!("schema             {}", proof.schema_id);
            say!("parameters         {} ({})", proof.params_id, describe(training));
            say!("data commitment    {}", statement.data);
            say!(
                "initial commitment {}{}",
                statement.initial,
                if init.is_some() { " (the initial model given)" } else { " (not checked: give --init MODEL)" }
            );
            say!(
                "trained commitment {}{}",
                statement.trained,
                if opened.is_some() {
                    " (opened: the model given)"
                } else {
                    " (not checked: give --model MODEL --opening OPENING)"
                }
            );
            Ok(0)
        }
        Err(err) => Ok(super::zk::refusal(&err)),
    }
}

/// The training parameters in words.
fn describe(config: &vsies_core::TrainingConfig) -> String {
    let weights = config.weight_format;
    format!(
        "weights Q{}.{}, sigmoid {} fractional bits, batch 2^{}, learning rate 2^-{}, {} epochs, seed {}",
        weights.bits - weights.frac_bits,
        weights.frac_bits,
        config.sigmoid_frac_bits,
        config.batch_size_log2,
        config.learning_rate_log2,
        config.epochs,
        config.seed
    )
}
