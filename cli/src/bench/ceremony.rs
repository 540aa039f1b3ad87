//! `vsies bench ceremony --keys KEYS/`: a setup ceremony for the relation of a key directory,
//! step by step, with each step's wall time and peak memory (this process's, reset before
//! each step): phase 1 at the relation's power, one contribution and its verification, then
//! phase 2's initial key, one contribution, the check a contributor runs before contributing,
//! the full verification and finalization.
//!
//! With `--phase2-only`, for keys whose phase 1 and initial key would take hours (the
//! 10,000-row keys: about 11 h here), phase 2 starts from an initial key made at a setup's
//! speed for powers whose `τ` the benchmark draws ([`Ceremony::init_for_benchmark`], laid out
//! alike); the contribution, the contributor's check and finalization are then measured as
//! they are in a real ceremony.

use super::measure::{gib, human};
use crate::commands::ceremony::{dispatch, key_params, relation, relation_name, ForRelation};
use crate::memory::{peak_memory_gib, reset_peak_memory};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;
use vsies_zk::ceremony::phase2::required_power;
use vsies_zk::ceremony::{Ceremony, Powers};
use vsies_zk::Relation;

#[derive(Args)]
pub struct CeremonyArgs {
    /// A key directory of the relation (from `vsies setup …`).
    #[arg(long, required_unless_present = "synthetic_rows", conflicts_with = "synthetic_rows")]
    keys: Option<PathBuf>,
    /// Instead of --keys: the data-validation relation of `vsies bench zk`'s synthetic
    /// dataset of this many rows (30 features, 16-bit values), without running its setup.
    #[arg(long)]
    synthetic_rows: Option<usize>,
    /// Working directory (a temporary one by default).
    #[arg(long)]
    work: Option<PathBuf>,
    /// Measure phase 2's contribution, check and finalization only, from an initial key made
    /// at setup speed (the benchmark knows its τ: never a real ceremony's state).
    #[arg(long)]
    phase2_only: bool,
}

/// One measured step: its name, wall time and peak memory.
type Row = (String, f64, Option<f64>);

fn measure<T>(rows: &mut Vec<Row>, name: &str, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    reset_peak_memory();
    let start = Instant::now();
    let value = f()?;
    rows.push((name.to_string(), start.elapsed().as_secs_f64(), peak_memory_gib()));
    eprintln!("{name}: {}", human(start.elapsed().as_secs_f64()));
    Ok(value)
}

struct Power(serde_json::Value);

impl ForRelation for Power {
    type Output = u32;
    fn run<R: Relation>(self) -> anyhow::Result<u32> {
        Ok(required_power(&relation::<R>(self.0)?)?)
    }
}

struct Phase2<'a> {
    params: serde_json::Value,
    powers: &'a Powers,
    work: &'a Path,
    rows: &'a mut Vec<Row>,
}

impl ForRelation for Phase2<'_> {
    type Output = ();
    fn run<R: Relation>(self) -> anyhow::Result<()> {
        let relation = relation::<R>(self.params)?;
        let directory = self.work.join("phase2");
        let mut ceremony = measure(self.rows, "phase 2: initial key (Lagrange basis, circuit points)", || {
            Ok(Ceremony::init(&relation, self.powers, &directory)?)
        })?;
        contribute_check_finalize::<R>(&mut ceremony, self.work, self.rows, true)
    }
}

/// Phase 2 from a benchmark-only initial key: contribution, check, finalization.
struct Phase2Only<'a> {
    params: serde_json::Value,
    work: &'a Path,
    rows: &'a mut Vec<Row>,
}

impl ForRelation for Phase2Only<'_> {
    type Output = ();
    fn run<R: Relation>(self) -> anyhow::Result<()> {
        let relation = relation::<R>(self.params)?;
        let directory = self.work.join("phase2");
        let mut rng = crate::commands::zk::rng(None);
        let mut ceremony = measure(
            self.rows,
            "phase 2: initial key at setup speed (known τ; benchmark only, not a ceremony step)",
            || Ok(Ceremony::init_for_benchmark(&relation, &directory, &mut rng)?),
        )?;
        contribute_check_finalize::<R>(&mut ceremony, self.work, self.rows, false)
    }
}

/// Phase 2's contribution, the contributor's check, the full verification (`full`) and
/// finalization, each measured; then the proving key's size.
fn contribute_check_finalize<R: Relation>(
    ceremony: &mut Ceremony,
    work: &Path,
    rows: &mut Vec<Row>,
    full: bool,
) -> anyhow::Result<()> {
    measure(rows, "phase 2: one contribution (its check of the state included)", || {
        Ok(ceremony.contribute("bench")?.state)
    })?;
    measure(rows, "phase 2: check before contributing (chain and state)", || {
        ceremony.check_chain()?;
        Ok(ceremony.check_state()?)
    })?;
    if full {
        measure(rows, "phase 2: full verify (phase 1, initial key recomputed, chain, state)", || {
            Ok(ceremony.verify::<R>(None)?)
        })?;
    }
    let keys = work.join("keys");
    measure(rows, "phase 2: finalize", || {
        Ok(if full { ceremony.finalize::<R>(&keys)? } else { ceremony.finalize_benchmark::<R>(&keys)? }.verifier.id)
    })?;
    let size = std::fs::metadata(keys.join("proving.key"))?.len();
    rows.push((format!("proving key: {:.1} MB", size as f64 / 1e6), 0.0, None));
    Ok(())
}

pub fn ceremony(args: CeremonyArgs) -> anyhow::Result<i32> {
    let temporary = tempfile::tempdir()?;
    let work = args.work.clone().unwrap_or_else(|| temporary.path().to_path_buf());
    let params = match (&args.keys, args.synthetic_rows) {
        (Some(keys), _) => key_params(keys)?,
        (None, Some(rows)) => {
            let format = vsies_core::FixedFormat { bits: 16, frac_bits: 8 }.validate()?;
            let (schema, _) = super::synthetic::synthetic_dataset(rows, 30, format, rows as u64)?;
            let relation = vsies_zk::DataRelation::for_schema(&schema, rows, vsies_zk::DEFAULT_BUCKETS)?;
            serde_json::to_value(relation.params())?
        }
        (None, None) => anyhow::bail!("give --keys or --synthetic-rows"),
    };
    let name = relation_name(&params)?;
    let power = dispatch(&name, Power(params.clone()))?;
    let mut rows = Vec::new();
    if args.phase2_only {
        dispatch(&name, Phase2Only { params, work: &work, rows: &mut rows })?;
    } else {
        let directory = work.join("powers");
        let mut powers =
            measure(&mut rows, &format!("phase 1: new, 2^{power}"), || Ok(Powers::new(&directory, power)?))?;
        measure(&mut rows, "phase 1: one contribution (its verify of the state included)", || {
            Ok(powers.contribute("bench")?.state)
        })?;
        measure(&mut rows, "phase 1: verify", || Ok(powers.verify()?))?;
        dispatch(&name, Phase2 { params, powers: &powers, work: &work, rows: &mut rows })?;
    }
    println!("relation {name}, QAP domain 2^{power}");
    println!("| step | time | peak memory |");
    println!("|---|---|---|");
    for (step, seconds, peak) in rows {
        if seconds == 0.0 {
            println!("| {step} | | |");
        } else {
            println!("| {step} | {} | {} |", human(seconds), gib(peak));
        }
    }
    Ok(0)
}
