//! `vsies bench zk`: the data-validation relation against the naive one (16 booleans per value
//! and a Poseidon sponge over unpacked values) on the bundled data and synthetic datasets:
//! constraints per value, setup, prove and verify times, proving-key size and peak memory.

use super::bench::{human, median_seconds};
use super::load_quantized;
use ark_bn254::Bn254;
use ark_groth16::Groth16;
use ark_serialize::CanonicalSerialize;
use ark_snark::SNARK;
use ark_std::rand::{rngs::StdRng, SeedableRng};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use vsies_core::{infer_schema, FixedFormat, LabelPolicy, QuantizedDataset, Schema};
use vsies_zk::naive::NaiveCircuit;
use vsies_zk::{constraint_count, DataKeys, DataRelation, DEFAULT_BUCKETS};

#[derive(Args)]
pub struct ZkArgs {
    /// Labelled CSV measured first (the bundled breast-cancer data by default).
    #[arg(default_value = "examples/data/breast_cancer.csv")]
    data: PathBuf,
    /// Label column of that CSV.
    #[arg(long, default_value = "malignant")]
    label: String,
    /// Row counts of the synthetic datasets.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    rows: Vec<usize>,
    /// Feature columns of the synthetic datasets (a label column is added).
    #[arg(long, default_value_t = 30)]
    columns: usize,
    /// Width of the synthetic values' fixed-point format.
    #[arg(long, default_value_t = 16)]
    bits: u32,
    /// Fractional bits of that format: ranges of [-8, 8] span 2^(frac_bits + 4) values.
    #[arg(long, default_value_t = 8)]
    frac_bits: u32,
    /// Run the naive relation too up to this many rows (its constraints are always printed).
    #[arg(long, default_value_t = 1000)]
    naive_max_rows: usize,
    /// Also time the naive relation on exactly this many values: the size of the snarkjs peer
    /// (`benches/peers/snarkjs_data.sh`, about 2^12 constraints). 0 skips it.
    #[arg(long, default_value_t = 56)]
    naive_values: usize,
    /// Repetitions of verification (the median is reported).
    #[arg(long, default_value_t = 21)]
    runs: usize,
    /// Print constraint counts only: no setup, no proving.
    #[arg(long)]
    count_only: bool,
}

/// Peak resident memory of this process so far (VmHWM), if the OS reports it.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|line| line.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|line| line.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or("n/a".into(), |kb| format!("{:.2} GiB", kb / (1024.0 * 1024.0)))
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn print_header() {
    println!("| relation | rows x columns | constraints | per value | setup | prove | prove per value | verify | proving key | peak memory |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
}

fn ours(name: &str, schema: &Schema, dataset: &QuantizedDataset, args: &ZkArgs) -> anyhow::Result<()> {
    let rows = dataset.rows();
    let relation = DataRelation::for_schema(schema, rows, DEFAULT_BUCKETS)?;
    let constraints = constraint_count(&relation);
    let values = rows * relation.columns.len();
    let shape = format!("{rows} x {}", relation.columns.len());
    let per_value = format!("{:.1}", constraints as f64 / values as f64);
    if args.count_only {
        println!("| {name} | {shape} | {constraints} | {per_value} | | | | | | |");
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(0);
    let start = Instant::now();
    let keys = DataKeys::setup(relation, &mut rng)?;
    let setup = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let proof = keys.prover.prove(dataset, &mut rng)?;
    let prove = start.elapsed().as_secs_f64();
    let path = PathBuf::from("bench");
    let verify = median_seconds(args.runs, || {
        keys.verifier.verify(&proof, &path).expect("the proof verifies");
    });
    let key_bytes = keys.prover.key.uncompressed_size();
    println!(
        "| {name} | {shape} | {constraints} | {per_value} | {} | {} | {} | {} | {} | {} |",
        human(setup),
        human(prove),
        human(prove / values as f64),
        human(verify),
        megabytes(key_bytes),
        peak_memory()
    );
    Ok(())
}

fn naive(rows: usize, columns: usize, args: &ZkArgs) -> anyhow::Result<()> {
    let values = rows * columns;
    let constraints = NaiveCircuit::constraint_count(values);
    let shape = if rows == 1 { format!("{columns} values") } else { format!("{rows} x {columns}") };
    let per_value = format!("{:.1}", constraints as f64 / values as f64);
    if args.count_only || rows > args.naive_max_rows {
        println!(
            "| naive (16 booleans + unpacked Poseidon) | {shape} | {constraints} | {per_value} | not run | | | | | |"
        );
        return Ok(());
    }
    let data: Vec<u64> = (0..values as u64).map(|i| i.wrapping_mul(0x9E37_79B9) & 0xFFFF).collect();
    let mut rng = StdRng::seed_from_u64(0);
    let start = Instant::now();
    let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(NaiveCircuit { values: data.clone() }, &mut rng)?;
    let setup = start.elapsed().as_secs_f64();
    let digest = NaiveCircuit::digest(&data);
    let start = Instant::now();
    let proof = Groth16::<Bn254>::prove(&pk, NaiveCircuit { values: data.clone() }, &mut rng)?;
    let mut prove = start.elapsed().as_secs_f64();
    if values <= 1 << 12 {
        // Small enough to repeat: the median, like the peer's.
        prove = median_seconds(args.runs.min(5), || {
            Groth16::<Bn254>::prove(&pk, NaiveCircuit { values: data.clone() }, &mut rng).expect("proves");
        });
    }
    let prepared = ark_groth16::prepare_verifying_key(&vk);
    let verify = median_seconds(args.runs, || {
        assert!(Groth16::<Bn254>::verify_with_processed_vk(&prepared, &[digest], &proof).unwrap());
    });
    println!(
        "| naive (16 booleans + unpacked Poseidon) | {shape} | {constraints} | {per_value} | {} | {} | {} | {} | {} | {} |",
        human(setup),
        human(prove),
        human(prove / values as f64),
        human(verify),
        megabytes(pk.uncompressed_size()),
        peak_memory()
    );
    Ok(())
}

pub fn zk(args: ZkArgs) -> anyhow::Result<i32> {
    println!("threads: {}", rayon::current_num_threads());
    print_header();
    let schema = infer_schema(&args.data, &args.label, "bundled")?;
    let dataset = load_quantized(&args.data, &schema, LabelPolicy::Required)?;
    ours(
        &format!("vsies, {} ({}-bit values)", args.data.display(), schema.quantization.bits),
        &schema,
        &dataset,
        &args,
    )?;
    let format = FixedFormat { bits: args.bits, frac_bits: args.frac_bits }.validate()?;
    for &rows in &args.rows {
        let (schema, dataset) = vsies_zk::synthetic_dataset(rows, args.columns, format, rows as u64);
        ours(&format!("vsies, synthetic {}-bit values", args.bits), &schema, &dataset, &args)?;
        naive(rows, args.columns + 1, &args)?;
    }
    if args.naive_values > 0 {
        naive(1, args.naive_values, &args)?;
    }
    Ok(0)
}
