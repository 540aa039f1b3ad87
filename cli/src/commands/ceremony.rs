//! `vsies ceremony`: a multi-party Groth16 setup (phase 1 powers of tau, then a phase 2 per
//! relation) whose keys are sound if one contributor of each phase was honest.
//!
//! A ceremony directory made by `init --keys KEYS/ -o CEREMONY/` without `--powers` runs its
//! own phase 1 in `CEREMONY/powers/`: `contribute` adds to the open phase, and the phase-1
//! `beacon` closes phase 1 and starts phase 2. With `--powers DIR` (a phase 1 shared by many
//! relations, made with `vsies ceremony powers`), phase 2 starts at once.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use vsies_core::artifact::{self, read_capped, ArtifactKind, MAX_JSON_BYTES};
use vsies_zk::ceremony::phase2::required_power;
use vsies_zk::ceremony::transcript::{Transcript, TRANSCRIPT_FILE};
use vsies_zk::ceremony::{Ceremony, Contribution, ContributionKind, Powers};
use vsies_zk::groth16::key_file::{self, PROVING_KEY_FILE, SNARKJS_VERIFYING_KEY_FILE, VERIFYING_KEY_FILE};
use vsies_zk::relations::{data_validation, key_contribution, training, update};
use vsies_zk::Relation;

/// The ceremony's subcommands.
#[derive(Subcommand)]
pub enum CeremonyCommand {
    /// Start a phase 1 (powers of tau) for every relation whose domain has at most 2^POWER points.
    Powers(PowersArgs),
    /// Start a ceremony for the relation of a key directory (from `vsies setup ...`).
    Init(InitArgs),
    /// Add a contribution (secrets from the OS and --name, wiped after use) to the open phase.
    Contribute(ContributeArgs),
    /// Apply a public random beacon to the open phase (closing an inline phase 1).
    Beacon(BeaconArgs),
    /// Check the whole transcript: exit 0 valid, 1 invalid (the contribution at fault named).
    Verify(VerifyArgs),
    /// Write proving.key, verifying.key and verification_key.json from phase 2's last state.
    Finalize(FinalizeArgs),
}

#[derive(Args)]
pub struct PowersArgs {
    /// Domains of up to 2^POWER points (a relation's is the power of two above its constraints
    /// and inputs; `vsies setup` prints the constraints).
    #[arg(long)]
    power: u32,
    /// The phase-1 directory to create.
    #[arg(short = 'o', long)]
    output: PathBuf,
}

#[derive(Args)]
pub struct InitArgs {
    /// A key directory of the relation (its verifying.key names the relation and its parameters;
    /// its keys are not used).
    #[arg(long)]
    keys: PathBuf,
    /// A verified phase-1 directory to start phase 2 from; without it the ceremony runs its own
    /// phase 1, sized to the relation, in CEREMONY/powers.
    #[arg(long)]
    powers: Option<PathBuf>,
    /// The ceremony directory to create.
    #[arg(short = 'o', long)]
    output: PathBuf,
}

#[derive(Args)]
pub struct ContributeArgs {
    /// The ceremony (or phase-1) directory.
    directory: PathBuf,
    /// Your name in the transcript; also hashed into your entropy.
    #[arg(long, default_value = "")]
    name: String,
}

#[derive(Args)]
pub struct BeaconArgs {
    /// The ceremony (or phase-1) directory.
    directory: PathBuf,
    /// The beacon's value, hex (a future block hash, a drand round).
    #[arg(long)]
    hex: String,
    /// The beacon is hashed 2^N times with SHA-256 (snarkjs's numIterationsExp).
    #[arg(long)]
    iterations: u32,
    /// The name recorded for the beacon.
    #[arg(long, default_value = "beacon")]
    name: String,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The ceremony (or phase-1) directory.
    directory: PathBuf,
    /// The phase-1 directory phase 2 started from, if not where the transcript says.
    #[arg(long)]
    powers: Option<PathBuf>,
}

#[derive(Args)]
pub struct FinalizeArgs {
    /// The ceremony directory.
    directory: PathBuf,
    /// The key directory to write.
    #[arg(short = 'o', long)]
    output: PathBuf,
    /// Replace keys already in the output directory.
    #[arg(long)]
    force: bool,
}

/// The relation's parameters kept by an inline phase 1 until phase 2 starts.
const RELATION_FILE: &str = "relation.json";
/// The inline phase 1's directory inside a ceremony directory.
const POWERS_DIR: &str = "powers";

/// Runs a ceremony subcommand.
pub fn run(command: CeremonyCommand) -> anyhow::Result<i32> {
    match command {
        CeremonyCommand::Powers(args) => {
            refuse_existing(&args.output)?;
            let powers = Powers::new(&args.output, args.power)?;
            say!("phase 1 started in {} for domains up to 2^{}", args.output.display(), powers.power());
            Ok(0)
        }
        CeremonyCommand::Init(args) => init(args),
        CeremonyCommand::Contribute(args) => contribute(&args.directory, |phase| match phase {
            Phase::Powers(powers) => Ok(powers.contribute(&args.name)?.clone()),
            Phase::Two(ceremony) => Ok(ceremony.contribute(&args.name)?.clone()),
        }),
        CeremonyCommand::Beacon(args) => beacon(args),
        CeremonyCommand::Verify(args) => verify(args),
        CeremonyCommand::Finalize(args) => finalize(args),
    }
}

fn refuse_existing(directory: &Path) -> anyhow::Result<()> {
    if directory.join(TRANSCRIPT_FILE).exists() || directory.join(POWERS_DIR).join(TRANSCRIPT_FILE).exists() {
        bail!("{} already holds a ceremony", directory.display());
    }
    Ok(())
}

/// The open phase of a directory.
enum Phase {
    Powers(Powers),
    Two(Ceremony),
}

/// What `directory` is: a phase-1 directory, a ceremony whose inline phase 1 is open, or a
/// ceremony in phase 2.
fn open(directory: &Path) -> anyhow::Result<(Phase, bool)> {
    if directory.join(TRANSCRIPT_FILE).exists() {
        let transcript = Transcript::load(directory)?;
        if transcript.phase == vsies_zk::ceremony::powers::PHASE {
            return Ok((Phase::Powers(Powers::open(directory)?), false));
        }
        return Ok((Phase::Two(Ceremony::open(directory)?), false));
    }
    let inline = directory.join(POWERS_DIR);
    if inline.join(TRANSCRIPT_FILE).exists() && directory.join(RELATION_FILE).exists() {
        return Ok((Phase::Powers(Powers::open(&inline)?), true));
    }
    bail!("{}: no ceremony here (run `vsies ceremony init` or `vsies ceremony powers`)", directory.display())
}

fn contribute(directory: &Path, add: impl FnOnce(&mut Phase) -> anyhow::Result<Contribution>) -> anyhow::Result<i32> {
    let (mut phase, _) = open(directory)?;
    let contribution = add(&mut phase)?;
    let (label, count) = match &phase {
        Phase::Powers(powers) => ("phase 1", powers.transcript.contributions.len()),
        Phase::Two(ceremony) => ("phase 2", ceremony.transcript.contributions.len()),
    };
    say!("{label}: contribution {count} (`{}`) added", contribution.name);
    say!("state checksum {} (publish it: the next contributor checks it)", hex::encode(contribution.state));
    Ok(0)
}

fn beacon(args: BeaconArgs) -> anyhow::Result<i32> {
    let (_, inline) = open(&args.directory)?;
    let code = contribute(&args.directory, |phase| match phase {
        Phase::Powers(powers) => Ok(powers.beacon(&args.name, &args.hex, args.iterations)?.clone()),
        Phase::Two(ceremony) => Ok(ceremony.beacon(&args.name, &args.hex, args.iterations)?.clone()),
    })?;
    if inline {
        // The beacon ends the inline phase 1: phase 2 starts from it.
        let powers = Powers::open(&args.directory.join(POWERS_DIR))?;
        let text = read_capped(&args.directory.join(RELATION_FILE), MAX_JSON_BYTES)?;
        let params: serde_json::Value = serde_json::from_slice(&text).context("reading the relation")?;
        start_phase2(params, &powers, &args.directory)?;
        say!("phase 1 closed; phase 2 started in {}", args.directory.display());
    }
    Ok(code)
}

/// The `relation` name in a relation's parameters.
pub(crate) fn relation_name(params: &serde_json::Value) -> anyhow::Result<String> {
    Ok(params.get("relation").and_then(|n| n.as_str()).context("the parameters name no relation")?.to_string())
}

/// A step that needs the relation's type.
pub(crate) trait ForRelation {
    type Output;
    fn run<R: Relation>(self) -> anyhow::Result<Self::Output>;
}

/// Runs `task` with the relation named `name`.
pub(crate) fn dispatch<T: ForRelation>(name: &str, task: T) -> anyhow::Result<T::Output> {
    match name {
        data_validation::RELATION => task.run::<data_validation::DataRelation>(),
        training::RELATION => task.run::<training::TrainingRelation>(),
        update::RELATION => task.run::<update::UpdateRelation>(),
        key_contribution::RELATION => task.run::<key_contribution::KeyContributionRelation>(),
        other => bail!(
            "no ceremony for relation `{other}` (ceremonies cover `vsies setup data`, `setup train`, `setup update`, `setup keygen`)"
        ),
    }
}

pub(crate) fn relation<R: Relation>(params: serde_json::Value) -> anyhow::Result<R> {
    let params: R::Params = serde_json::from_value(params).context("the relation's parameters")?;
    Ok(R::new(params)?)
}

struct StartPhase2<'a> {
    params: serde_json::Value,
    powers: &'a Powers,
    directory: &'a Path,
}

impl ForRelation for StartPhase2<'_> {
    type Output = Ceremony;
    fn run<R: Relation>(self) -> anyhow::Result<Ceremony> {
        Ok(Ceremony::init(&relation::<R>(self.params)?, self.powers, self.directory)?)
    }
}

fn start_phase2(params: serde_json::Value, powers: &Powers, directory: &Path) -> anyhow::Result<Ceremony> {
    let name = relation_name(&params)?;
    dispatch(&name, StartPhase2 { params, powers, directory })
}

struct RequiredPower(serde_json::Value);

impl ForRelation for RequiredPower {
    type Output = u32;
    fn run<R: Relation>(self) -> anyhow::Result<u32> {
        Ok(required_power(&relation::<R>(self.0)?)?)
    }
}

/// The parameters in `keys/verifying.key`.
pub(crate) fn key_params(keys: &Path) -> anyhow::Result<serde_json::Value> {
    let path = keys.join(VERIFYING_KEY_FILE);
    let payload = artifact::read_binary(&path, ArtifactKind::ZkVerifyingKey)?;
    Ok(key_file::read_params_json(&mut payload.as_slice(), &path)?)
}

fn init(args: InitArgs) -> anyhow::Result<i32> {
    refuse_existing(&args.output)?;
    let params = key_params(&args.keys)?;
    let name = relation_name(&params)?;
    let power = dispatch(&name, RequiredPower(params.clone()))?;
    say!("relation {name}: a QAP domain of 2^{power} points");
    match &args.powers {
        Some(directory) => {
            let powers = Powers::open(directory)?;
            start_phase2(params, &powers, &args.output)?;
            say!("phase 2 started in {} from {}", args.output.display(), directory.display());
        }
        None => {
            std::fs::create_dir_all(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
            Powers::new(&args.output.join(POWERS_DIR), power)?;
            let text = serde_json::to_vec_pretty(&params).expect("JSON values serialize");
            let path = args.output.join(RELATION_FILE);
            artifact::write_atomic(&path, &text).with_context(|| format!("writing {}", path.display()))?;
            say!(
                "phase 1 started in {}/{POWERS_DIR}: contribute, then apply a beacon to close it and start phase 2",
                args.output.display()
            );
        }
    }
    Ok(0)
}

struct VerifyPhase2<'a> {
    ceremony: &'a Ceremony,
    powers: Option<&'a Path>,
}

impl ForRelation for VerifyPhase2<'_> {
    type Output = ();
    fn run<R: Relation>(self) -> anyhow::Result<()> {
        Ok(self.ceremony.verify::<R>(self.powers)?)
    }
}

fn print_contributions(label: &str, contributions: &[Contribution]) {
    say!("{label}: {} contributions", contributions.len());
    for (i, contribution) in contributions.iter().enumerate() {
        let kind = match &contribution.kind {
            ContributionKind::Random => "random".to_string(),
            ContributionKind::Beacon { hex, iterations_exp } => format!("beacon {hex}, 2^{iterations_exp} iterations"),
        };
        say!("  {}. `{}` ({kind}) -> {}", i + 1, contribution.name, hex::encode(contribution.state));
    }
}

fn verify(args: VerifyArgs) -> anyhow::Result<i32> {
    let (phase, inline) = open(&args.directory)?;
    match &phase {
        Phase::Powers(powers) => {
            powers.verify()?;
            print_contributions("phase 1", &powers.transcript.contributions);
            if inline {
                say!("phase 1 is open: apply a beacon to close it");
            }
        }
        Phase::Two(ceremony) => {
            let name = ceremony.relation_name().context("the transcript names no relation")?.to_string();
            dispatch(&name, VerifyPhase2 { ceremony, powers: args.powers.as_deref() })?;
            print_contributions("phase 2", &ceremony.transcript.contributions);
        }
    }
    say!("valid");
    Ok(0)
}

struct Finalize<'a> {
    ceremony: &'a Ceremony,
    output: &'a Path,
}

impl ForRelation for Finalize<'_> {
    type Output = String;
    fn run<R: Relation>(self) -> anyhow::Result<String> {
        Ok(self.ceremony.finalize::<R>(self.output)?.verifier.id.to_string())
    }
}

fn finalize(args: FinalizeArgs) -> anyhow::Result<i32> {
    let (phase, _) = open(&args.directory)?;
    let Phase::Two(ceremony) = phase else {
        bail!("{}: phase 1 is still open (apply its beacon to start phase 2)", args.directory.display());
    };
    if ceremony.transcript.contributions.is_empty() {
        bail!("{}: phase 2 has no contribution yet; its keys would have a public delta", args.directory.display());
    }
    if !args.force && args.output.join(PROVING_KEY_FILE).exists() {
        bail!("{} already holds keys (--force replaces them)", args.output.display());
    }
    let name = ceremony.relation_name().context("the transcript names no relation")?.to_string();
    let id = dispatch(&name, Finalize { ceremony: &ceremony, output: &args.output })?;
    let dir = args.output.display();
    say!("wrote {dir}/{{{PROVING_KEY_FILE}, {VERIFYING_KEY_FILE}, {SNARKJS_VERIFYING_KEY_FILE}}}");
    say!("verifying key id {id}");
    Ok(0)
}
