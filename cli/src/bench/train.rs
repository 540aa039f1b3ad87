//! `vsies bench train`: training proofs at the bundled size (the main job's 426 training rows,
//! 30 features, 10 epochs) and at synthetic sizes, against the naive relation (the same circuit
//! with every lookup a per-bit decomposition) proved by plain arkworks in memory: constraints
//! per sample·feature·epoch and their breakdown, setup, prove and verify times, prove time per
//! sample·feature·epoch, proving-key size, peak memory of setup and of proving. vsies's keys
//! are made by `vsies setup train` in a child process and proved from the file (streamed) here.

use super::measure::{gib, human, median_seconds, median_seconds_of, setup_in_child};
use super::synthetic::synthetic_dataset;
use crate::commands::load_dataset;
use crate::memory::{peak_memory_gib, reset_peak_memory};
use anyhow::Context;
use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use ark_serialize::CanonicalSerialize;
use ark_snark::SNARK;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use vsies_core::{infer_schema, FixedFormat, LabelPolicy, QuantizedDataset, Schema, TrainingConfig};
use vsies_zk::groth16::{constraints_by_stage, Circuit};
use vsies_zk::relations::naive::training::NaiveTrainingRelation;
use vsies_zk::relations::training::{TrainingParams, TrainingProver, TrainingRelation, RELATION};
use vsies_zk::{Relation, PROVING_KEY_FILE};

#[derive(Args)]
pub struct TrainArgs {
    /// Labelled CSV whose 75% training split (scikit-learn's, seed 0, as the main job) is
    /// measured first.
    #[arg(default_value = "examples/data/breast_cancer.csv")]
    data: PathBuf,
    /// Label column of that CSV.
    #[arg(long, default_value = "malignant")]
    label: String,
    /// Epochs of the bundled training.
    #[arg(long, default_value_t = TrainingConfig::default().epochs)]
    epochs: u32,
    /// Synthetic trainings as ROWSxEPOCHS (30 features each), e.g. 10000x10,100000x1.
    #[arg(long, value_delimiter = ',', default_value = "")]
    synthetic: Vec<String>,
    /// Features of the synthetic datasets.
    #[arg(long, default_value_t = 30)]
    columns: usize,
    /// Run the naive relation when it has at most this many constraints (it is counted, and
    /// its prove time extrapolated per constraint from the largest run, beyond).
    #[arg(long, default_value_t = 4_000_000)]
    naive_max_constraints: usize,
    /// Repetitions of verification (the median is reported).
    #[arg(long, default_value_t = 11)]
    runs: usize,
    /// Repetitions of proving, ours and the naive relation's (the median is reported).
    #[arg(long, default_value_t = 3)]
    prove_runs: usize,
    /// Directory for the keys of each run (deleted after it).
    #[arg(long, default_value_os_t = std::env::temp_dir())]
    keys_dir: PathBuf,
    /// Count constraints only.
    #[arg(long)]
    count_only: bool,
    /// Skip the naive relation.
    #[arg(long)]
    no_naive: bool,
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// One training to measure.
struct Training {
    name: String,
    schema: Schema,
    dataset: QuantizedDataset,
    config: TrainingConfig,
}

impl Training {
    fn relation(&self) -> anyhow::Result<TrainingRelation> {
        let params = TrainingParams {
            relation: RELATION.into(),
            schema: self.schema.clone(),
            rows: self.dataset.rows(),
            training: self.config,
        };
        Ok(TrainingRelation::new(params)?)
    }

    fn samples(&self) -> f64 {
        self.dataset.rows() as f64 * self.schema.features.len() as f64 * f64::from(self.config.epochs)
    }

    fn shape(&self) -> String {
        format!("{} x {} x {}", self.dataset.rows(), self.schema.features.len(), self.config.epochs)
    }
}

fn print_header(prove_runs: usize) {
    println!("| relation | rows x features x epochs | constraints | per sample·feature·epoch | setup | prove (median of {prove_runs}) | prove per sample·feature·epoch | verify | proving key | setup peak memory | prove peak memory |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
}

fn ours(training: &Training, args: &TrainArgs) -> anyhow::Result<()> {
    let relation = training.relation()?;
    let shape = relation.shape()?;
    let per = shape.constraints as f64 / training.samples();
    let name = format!("vsies, {}", training.name);
    if args.count_only {
        println!("| {name} | {} | {} | {per:.2} | | | | | | | |", training.shape(), shape.constraints);
        return Ok(());
    }
    let temporary = tempfile::Builder::new().prefix("vsies-bench-train-").tempdir_in(&args.keys_dir)?;
    let dir = temporary.path();
    let config = training.config;
    let flags = [
        ("--rows", training.dataset.rows().to_string()),
        ("--epochs", config.epochs.to_string()),
        ("--seed", config.seed.to_string()),
        ("--batch-size-log2", config.batch_size_log2.to_string()),
        ("--learning-rate-log2", config.learning_rate_log2.to_string()),
    ];
    let flags: Vec<String> = flags.into_iter().flat_map(|(flag, value)| [flag.to_string(), value]).collect();
    let (keys, setup, setup_peak) = setup_in_child("train", &training.schema, &flags, dir)?;
    let key_bytes = std::fs::metadata(keys.join(PROVING_KEY_FILE))?.len();
    let prover = TrainingProver::load(&keys)?;
    let reset = reset_peak_memory();
    let (prove, proved) = median_seconds_of(args.prove_runs, || {
        prover.prove_training(&training.dataset, None, 0, [0; 20], &mut StdRng::seed_from_u64(0))
    })?;
    let prove_peak = if reset { peak_memory_gib() } else { None };
    let path = PathBuf::from("bench");
    let verify = median_seconds(args.runs, || {
        prover.verifier.verify_training(&proved.proof, &path).expect("the proof verifies");
    });
    println!(
        "| {name} | {} | {} | {per:.2} | {} | {} | {} | {} | {} | {} | {} |",
        training.shape(),
        shape.constraints,
        human(setup),
        human(prove),
        human(prove / training.samples()),
        human(verify),
        megabytes(key_bytes),
        gib(setup_peak),
        gib(prove_peak),
    );
    Ok(())
}

/// The naive relation: counted always, run in memory with plain arkworks up to the limit.
/// Returns the measured prove seconds per constraint, for extrapolation.
fn naive(training: &Training, args: &TrainArgs, per_constraint: Option<f64>) -> anyhow::Result<Option<f64>> {
    let relation = NaiveTrainingRelation::of(training.relation()?);
    let constraints = relation.shape()?.constraints;
    let per = constraints as f64 / training.samples();
    let name = format!("naive (bit decompositions, plain arkworks), {}", training.name);
    if args.count_only || constraints > args.naive_max_constraints {
        // setup, prove, prove per sample·feature·epoch; then verify, key and memory stay empty.
        let (setup, prove, prove_per) = match (args.count_only, per_constraint) {
            (false, Some(seconds)) => {
                let prove = seconds * constraints as f64;
                (
                    "not run".to_string(),
                    format!("{} (extrapolated)", human(prove)),
                    format!("{} (extrapolated)", human(prove / training.samples())),
                )
            }
            (false, None) => ("not run".into(), String::new(), String::new()),
            (true, _) => Default::default(),
        };
        println!(
            "| {name} | {} | {constraints} | {per:.2} | {setup} | {prove} | {prove_per} | | | | |",
            training.shape()
        );
        return Ok(None);
    }
    let (witness, _) = relation.inner.witness(&training.dataset, None, Fr::from(1u64))?;
    let statement = relation.inner.statement(0, [0; 20], &witness);
    let circuit = || Circuit { relation: &relation, statement: &statement, witness: &witness };
    let mut rng = StdRng::seed_from_u64(0);
    let reset = reset_peak_memory();
    let start = Instant::now();
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(circuit(), &mut rng)?;
    let setup = start.elapsed().as_secs_f64();
    let setup_peak = if reset { peak_memory_gib() } else { None };
    let reset = reset_peak_memory();
    let (prove, proof) = median_seconds_of(args.prove_runs, || Groth16::<Bn254>::prove(&pk, circuit(), &mut rng))?;
    let prove_peak = if reset { peak_memory_gib() } else { None };
    let prepared = ark_groth16::prepare_verifying_key(&vk);
    let inputs = relation.public_inputs(&statement);
    let verify = median_seconds(args.runs, || {
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&prepared, &inputs, &proof).unwrap());
    });
    println!(
        "| {name} | {} | {constraints} | {per:.2} | {} | {} | {} | {} | {} | {} | {} |",
        training.shape(),
        human(setup),
        human(prove),
        human(prove / training.samples()),
        human(verify),
        megabytes(pk.uncompressed_size() as u64),
        gib(setup_peak),
        gib(prove_peak),
    );
    Ok(Some(prove / constraints as f64))
}

fn breakdown(training: &Training) -> anyhow::Result<()> {
    let relation = training.relation()?;
    let total = relation.shape()?.constraints;
    println!();
    println!("Constraints by part, {} ({}):", training.name, training.shape());
    println!();
    println!("| part | constraints | per sample·feature·epoch | share |");
    println!("|---|---|---|---|");
    for (stage, count) in constraints_by_stage(&relation)? {
        println!(
            "| {stage} | {count} | {:.3} | {:.1}% |",
            count as f64 / training.samples(),
            100.0 * count as f64 / total as f64
        );
    }
    println!("| total | {total} | {:.3} | |", total as f64 / training.samples());
    Ok(())
}

/// The bundled training: the main job's split of `data`.
fn bundled(args: &TrainArgs) -> anyhow::Result<Training> {
    let dir = tempfile::tempdir()?;
    let (train, test) = (dir.path().join("train.csv"), dir.path().join("test.csv"));
    vsies_core::split::split_csv_file(&args.data, &train, &test, 0.25, 0)
        .with_context(|| format!("splitting {}", args.data.display()))?;
    let schema = infer_schema(&args.data, &args.label, "bundled")?;
    let dataset = load_dataset(&train, &schema, LabelPolicy::Required)?;
    let config = TrainingConfig { epochs: args.epochs, ..TrainingConfig::default() };
    Ok(Training { name: format!("{} (training split)", args.data.display()), schema, dataset, config })
}

fn synthetic(spec: &str, columns: usize) -> anyhow::Result<Training> {
    let (rows, epochs) = spec.split_once('x').with_context(|| format!("--synthetic {spec:?} is not ROWSxEPOCHS"))?;
    let (rows, epochs): (usize, u32) = (rows.parse()?, epochs.parse()?);
    let format = FixedFormat { bits: 16, frac_bits: 8 }.validate()?;
    let (schema, dataset) = synthetic_dataset(rows, columns, format, rows as u64)?;
    let config = TrainingConfig { epochs, ..TrainingConfig::default() };
    Ok(Training { name: "synthetic 16-bit values".into(), schema, dataset, config })
}

pub fn train(args: TrainArgs) -> anyhow::Result<i32> {
    println!("threads: {}", rayon::current_num_threads());
    let mut trainings = vec![bundled(&args)?];
    for spec in args.synthetic.iter().filter(|spec| !spec.is_empty()) {
        trainings.push(synthetic(spec, args.columns)?);
    }
    print_header(args.prove_runs.max(1));
    let mut per_constraint = None;
    for training in &trainings {
        ours(training, &args)?;
        if !args.no_naive {
            per_constraint = naive(training, &args, per_constraint)?.or(per_constraint);
        }
    }
    breakdown(&trainings[0])?;
    Ok(0)
}
