//! `vsies bench ceremony --keys KEYS/`: a setup ceremony for the relation of a key directory,
//! step by step, with each step's wall time and peak memory (this process's, reset before
//! each step): phase 1 at the relation's power, one contribution and its verification, then
//! phase 2's initial key, one contribution, the check a contributor runs before contributing,
//! the full verification and finalization.

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
    #[arg(long)]
    keys: PathBuf,
    /// Working directory (a temporary one by default).
    #[arg(long)]
    work: Option<PathBuf>,
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
        measure(self.rows, "phase 2: one contribution (its check of the state included)", || {
            Ok(ceremony.contribute("bench")?.state)
        })?;
        measure(self.rows, "phase 2: check before contributing (chain and state)", || {
            ceremony.check_chain()?;
            Ok(ceremony.check_state()?)
        })?;
        measure(self.rows, "phase 2: full verify (phase 1, initial key recomputed, chain, state)", || {
            Ok(ceremony.verify::<R>(None)?)
        })?;
        let keys = self.work.join("keys");
        measure(self.rows, "phase 2: finalize", || Ok(ceremony.finalize::<R>(&keys)?.verifier.id))?;
        let size = std::fs::metadata(keys.join("proving.key"))?.len();
        self.rows.push((format!("proving key: {:.1} MB", size as f64 / 1e6), 0.0, None));
        Ok(())
    }
}

pub fn ceremony(args: CeremonyArgs) -> anyhow::Result<i32> {
    let temporary = tempfile::tempdir()?;
    let work = args.work.clone().unwrap_or_else(|| temporary.path().to_path_buf());
    let params = key_params(&args.keys)?;
    let name = relation_name(&params)?;
    let power = dispatch(&name, Power(params.clone()))?;
    let mut rows = Vec::new();
    let directory = work.join("powers");
    let mut powers = measure(&mut rows, &format!("phase 1: new, 2^{power}"), || Ok(Powers::new(&directory, power)?))?;
    measure(&mut rows, "phase 1: one contribution (its verify of the state included)", || {
        Ok(powers.contribute("bench")?.state)
    })?;
    measure(&mut rows, "phase 1: verify", || Ok(powers.verify()?))?;
    dispatch(&name, Phase2 { params, powers: &powers, work: &work, rows: &mut rows })?;
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
