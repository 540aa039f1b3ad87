//! `vsies bench fhe-train`: training under TFHE. Bootstraps per batch are counted exactly
//! (they do not depend on the data); the time per bootstrap is measured on this machine; time
//! per batch and per epoch at the reference sizes are their product (extrapolated, and said
//! so), checked against a real run on a narrow slice whose time is measured end to end.

use super::concrete_ml_peer::ConcreteMlTraining;
use super::measure::{human, median_seconds_of};
use crate::commands::{load_dataset, load_schema};
use crate::memory::peak_memory_gib;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use tfhe::core_crypto::commons::math::random::RandomGenerator;
use tfhe::core_crypto::prelude::DefaultRandomGenerator;
use tfhe::core_crypto::seeders::new_seeder;
use vsies_core::{train_test_split, FixedFormat, LabelPolicy, QuantizedDataset, TrainingConfig};
use vsies_fhe::train::cost::bootstraps_per_batch;
use vsies_fhe::train::engine::{Engine, Table};
use vsies_fhe::train::{EncryptedTrainingData, Trainer, TrainingKey};
use vsies_fhe::{Cpu, Keys, TrainingCrs};

#[derive(Args)]
pub struct FheTrainArgs {
    /// Labelled CSV (the bundled breast-cancer data by default).
    #[arg(default_value = "examples/data/breast_cancer.csv")]
    data: PathBuf,
    /// Schema (TOML).
    #[arg(long)]
    schema: PathBuf,
    /// Bootstraps (each with its key switch) in each throughput measurement.
    #[arg(long, default_value_t = 256)]
    lookups: usize,
    /// Rows of the measured end-to-end run on a narrow slice (the first two features of the
    /// training rows at 3 bits, 4-bit weights, batches of 4); 0 skips it.
    #[arg(long, default_value_t = 8)]
    slice_rows: usize,
    /// Concrete ML's training figures measured on this machine
    /// (`benches/peers/concrete_ml.sh train` writes `benches/peers/concrete_ml_train.json`):
    /// adds a side-by-side table with the ratios.
    #[arg(long, value_name = "JSON")]
    peer: Option<PathBuf>,
}

/// This run's figures that the side-by-side table compares.
struct Compared {
    keygen_seconds: f64,
    evaluation_key_bytes: u64,
    bootstraps_per_batch: u64,
    batch_seconds: f64,
    epoch_seconds: f64,
}

/// `ours` against `theirs` as "N.Nx faster" or "N.Nx slower" (`less` and `more` name the
/// direction): the larger over the smaller.
fn ratio(ours: f64, theirs: f64, less: &str, more: &str) -> String {
    if ours <= theirs {
        format!("{:.1}x {less}", theirs / ours)
    } else {
        format!("{:.1}x {more}", ours / theirs)
    }
}

/// The table of this run beside Concrete ML's.
fn print_beside(peer: &ConcreteMlTraining, ours: &Compared, batch: u64, rows: usize) {
    let batches = rows.div_ceil(batch as usize) as f64;
    let theirs_epoch = batches * peer.iteration_seconds_fhe_execute;
    let rows_out = [
        (
            "training key generation".to_string(),
            human(ours.keygen_seconds),
            human(peer.keygen_seconds),
            ratio(ours.keygen_seconds, peer.keygen_seconds, "faster", "slower"),
        ),
        (
            "evaluation keys".to_string(),
            format!("{:.1} MB", ours.evaluation_key_bytes as f64 / 1e6),
            format!("{:.1} MB", peer.evaluation_key_bytes_serialized as f64 / 1e6),
            ratio(ours.evaluation_key_bytes as f64, peer.evaluation_key_bytes_serialized as f64, "smaller", "larger"),
        ),
        (
            format!("bootstraps per batch of {batch}"),
            ours.bootstraps_per_batch.to_string(),
            peer.bootstraps_per_iteration.to_string(),
            ratio(ours.bootstraps_per_batch as f64, peer.bootstraps_per_iteration as f64, "fewer", "more"),
        ),
        (
            format!("time per batch of {batch} (vsies extrapolated, Concrete ML measured)"),
            long(ours.batch_seconds),
            long(peer.iteration_seconds_fhe_execute),
            ratio(ours.batch_seconds, peer.iteration_seconds_fhe_execute, "faster", "slower"),
        ),
        (
            format!("time per epoch, {rows} rows (both extrapolated; Concrete ML {batches} batches)"),
            long(ours.epoch_seconds),
            long(theirs_epoch),
            ratio(ours.epoch_seconds, theirs_epoch, "faster", "slower"),
        ),
    ];
    println!();
    println!("| beside Concrete ML {} (the peer's file) | vsies | Concrete ML | vsies is |", peer.concrete_ml_version);
    println!("|---|---|---|---|");
    for (what, ours, theirs, ratio) in rows_out {
        println!("| {what} | {ours} | {theirs} | {ratio} |");
    }
}

/// The slice of the measured run: two features shifted from 8 to 3 bits.
fn narrow_slice(train: &QuantizedDataset, rows: usize) -> anyhow::Result<(QuantizedDataset, TrainingConfig)> {
    let format = FixedFormat { bits: 3, frac_bits: 1 };
    let rows = rows.min(train.rows());
    let shift = train.format().bits.saturating_sub(format.bits);
    let values = (0..rows).flat_map(|i| train.row(i)[..2].iter().map(move |&x| x >> shift)).collect();
    let labels = train.labels().map(|l| l[..rows].to_vec());
    let slice = QuantizedDataset::from_values(train.schema_id(), format, 2, values, labels)?;
    let config = TrainingConfig {
        weight_format: FixedFormat { bits: 4, frac_bits: 2 },
        sigmoid_frac_bits: 1,
        batch_size_log2: 2,
        learning_rate_log2: 0,
        epochs: 1,
        seed: 0,
    };
    Ok((slice, config))
}

/// Hours (and seconds) for long durations.
fn long(seconds: f64) -> String {
    if seconds >= 3600.0 {
        format!("{:.1} h ({seconds:.0} s)", seconds / 3600.0)
    } else {
        human(seconds)
    }
}

pub fn fhe_train(args: FheTrainArgs) -> anyhow::Result<i32> {
    let schema = load_schema(&args.schema)?;
    let data = load_dataset(&args.data, &schema, LabelPolicy::Required)?;
    let split = train_test_split(data.rows(), 0.25, 0)?;
    let train = data.select_rows(&split.train);
    let config = TrainingConfig::default();
    let batch = 1usize << config.batch_size_log2;
    // The peer's file is checked before the long measurement, not after it.
    let peer = args
        .peer
        .as_deref()
        .map(|path| ConcreteMlTraining::load(path, batch as u64, train.columns() as u64))
        .transpose()?;
    let threads = rayon::current_num_threads();
    let mut table: Vec<(String, String)> = Vec::new();

    let keys = Keys::generate();
    let start = Instant::now();
    let training_key = TrainingKey::generate(&keys.secret);
    let keygen_seconds = start.elapsed().as_secs_f64();
    table.push(("training key generation (bootstrap + key-switching key)".into(), human(keygen_seconds)));
    table.push(("eval.key with training keys".into(), format!("{:.1} MB", training_key.size_bytes() as f64 / 1e6)));

    // Throughput: key switch + NTT bootstrap of contributors' fresh bits, all threads.
    let sample = train.select_rows(&(0..train.rows().min(4)).collect::<Vec<_>>());
    let encrypted = EncryptedTrainingData::encrypt(&sample, &keys.public)?;
    let per_row_bytes = {
        let path = std::env::temp_dir().join(format!("vsies-bench-train-{}.vsies", std::process::id()));
        encrypted.save(&path)?;
        let bytes = std::fs::metadata(&path)?.len() as f64 / encrypted.rows() as f64;
        std::fs::remove_file(&path)?;
        bytes
    };
    let blocks: Vec<_> = (0..encrypted.rows())
        .flat_map(|i| {
            let row = encrypted.row(i);
            row.features.into_iter().flatten().chain(std::iter::once(row.label))
        })
        .cycle()
        .take(args.lookups)
        .collect();
    let engine = Engine::new(&Cpu, training_key.bootstrap_key(), training_key.keyswitch_key(), None)?;
    // Two kinds of lookup: one table (a bootstrap) and a counter's three bits from one blind
    // rotation (multi-value: three multiplications and extractions more). The slower prices
    // every bootstrap of the extrapolation.
    let mut per_lookup: f64 = 0.0;
    for (kind, tables) in [
        ("key switch + NTT bootstrap", &[Table::Bit(0)][..]),
        ("key switch + NTT blind rotation + 3 multi-value lookups", &[Table::Bit(0), Table::Bit(1), Table::Bit(2)][..]),
    ] {
        let jobs: Vec<_> = blocks.iter().map(|ct| (ct.clone(), tables)).collect();
        // The first call also builds every thread's NTT plan; the median of three after it.
        engine.eval(&jobs[..jobs.len().min(2 * threads)])?;
        let (seconds, _) = median_seconds_of(3, || engine.eval(&jobs))?;
        let each = seconds / args.lookups as f64;
        per_lookup = per_lookup.max(each);
        table.push((
            format!("{kind}, {} on {threads} threads", args.lookups),
            format!("{} each ({:.1} per second)", human(each), 1.0 / each),
        ));
    }
    table.push(("encrypted training row (30 features x 8 bits + label)".into(), format!("{per_row_bytes:.0} B")));
    // A contributor's proof that its row encrypts bits, and the node's check.
    let start = Instant::now();
    let crs = TrainingCrs::generate(&mut RandomGenerator::<DefaultRandomGenerator>::new(new_seeder().seed()))?;
    table.push(("training.crs generation".into(), human(start.elapsed().as_secs_f64())));
    let one = train.select_rows(&[0]);
    let (prove, proved) = median_seconds_of(3, || EncryptedTrainingData::encrypt_proved(&one, &keys.public, &crs))?;
    let (verify, ()) = median_seconds_of(3, || proved.check_proofs(&keys.public, &crs))?;
    table.push((
        format!(
            "encrypt and prove one row ({} bits), {threads} threads",
            one.columns() * one.format().bits as usize + 1
        ),
        human(prove),
    ));
    table.push(("verify one row's proof".into(), human(verify)));

    // Counted bootstraps at the reference sizes.
    let features = train.columns();
    let zero = vec![0i64; features + 1];
    let first = bootstraps_per_batch(&config, train.format(), features, batch, Some(&zero))?;
    let later = bootstraps_per_batch(&config, train.format(), features, batch, None)?;
    table.push((format!("bootstraps, batch of {batch}, public weights (first batch)"), first.to_string()));
    table.push((
        format!("bootstraps, batch of {batch}, encrypted weights"),
        format!("{later} ({} per sample)", later / batch as u64),
    ));
    table.push((
        format!("time per batch of {batch} (extrapolated: bootstraps x the slower time per bootstrap)"),
        long(later as f64 * per_lookup),
    ));
    let mut epoch_seconds = Vec::new();
    for (label, rows) in
        [(format!("bundled train split, {} rows", train.rows()), train.rows()), ("10,000 rows".to_string(), 10_000)]
    {
        let full = rows / batch;
        let rest = rows % batch;
        let mut count = later * full as u64;
        if rest > 0 {
            count += bootstraps_per_batch(&config, train.format(), features, rest, None)?;
        }
        table.push((
            format!("time per epoch, {label} x {features} features (extrapolated)"),
            format!("{} ({count} bootstraps)", long(count as f64 * per_lookup)),
        ));
        epoch_seconds.push(count as f64 * per_lookup);
    }

    // A measured end-to-end run on a narrow slice, against its prediction.
    if args.slice_rows > 0 {
        let (slice, slice_config) = narrow_slice(&train, args.slice_rows)?;
        let encrypted = EncryptedTrainingData::encrypt(&slice, &keys.public)?;
        let start = Instant::now();
        let mut trainer = Trainer::new(&Cpu, &training_key, &encrypted, slice_config, None)?;
        while trainer.step()? {}
        let seconds = start.elapsed().as_secs_f64();
        let exact = trainer.checkpoint().decrypt(&keys.secret)?
            == vsies_core::spec::train(&slice, &slice_config, None)?.to_vec();
        let (batches, _) = trainer.progress();
        table.push((
            format!("measured: {} rows x 2 features at 3 bits, 4-bit weights, {batches} batches", slice.rows()),
            format!(
                "{} ({} per batch, {} bootstraps; predicted {}; decrypted = spec: {exact})",
                human(seconds),
                human(seconds / batches as f64),
                trainer.bootstraps(),
                human(trainer.bootstraps() as f64 * per_lookup)
            ),
        ));
    }
    table.push(("peak memory".into(), super::measure::gib(peak_memory_gib())));
    println!("| training under TFHE ({}, {} features, reference parameters) | median |", args.data.display(), features);
    println!("|---|---|");
    for (stage, value) in table {
        println!("| {stage} | {value} |");
    }
    if let Some(peer) = &peer {
        let ours = Compared {
            keygen_seconds,
            evaluation_key_bytes: training_key.size_bytes() as u64,
            bootstraps_per_batch: later,
            batch_seconds: later as f64 * per_lookup,
            epoch_seconds: epoch_seconds[0],
        };
        print_beside(peer, &ours, batch as u64, train.rows());
    }
    Ok(0)
}
