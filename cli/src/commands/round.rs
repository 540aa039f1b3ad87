//! `vsies round`: whole rounds of a simulated subnet, from rows to rewards, through library
//! calls (`vsies_subnet`), with every proof checked on an embedded chain before anyone is
//! paid. Writes `OUT/report.json`, `OUT/report.svg`, the content-addressed store
//! `OUT/store/` (CAR files an IPFS node imports), the task's keys and the members' decryption
//! records; prints the Markdown report.

use super::{load_dataset, load_schema};
use anyhow::{bail, Context};
use clap::Args;
use std::path::PathBuf;
use vsies_core::artifact::write_atomic;
use vsies_core::{LabelPolicy, TrainingConfig};
use vsies_subnet::{parse_adversary, SubnetConfig};

#[derive(Args)]
pub struct RoundArgs {
    /// Labelled rows (CSV, or a `.vqd`): split into a held-out test part and one shard per node.
    #[arg(long)]
    data: PathBuf,
    /// Schema (TOML).
    #[arg(long)]
    schema: PathBuf,
    /// Nodes (numbered 1 to N).
    #[arg(long)]
    nodes: usize,
    /// Rounds.
    #[arg(long)]
    rounds: u64,
    /// The secure-aggregation committee, members/threshold (e.g. 5/3).
    #[arg(long, value_parser = parse_committee)]
    committee: (usize, usize),
    /// A misbehaving node, NODE:KIND with KIND one of wrong-data, corrupt-update, replay,
    /// inactive, invalid-proof (repeatable).
    #[arg(long = "adversary", value_name = "NODE:KIND")]
    adversaries: Vec<String>,
    /// Seeds the split, shards, keys and proofs (same seed, same report and store).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Closed rounds without accepted work before a node is slashed for inactivity (K).
    #[arg(long, default_value_t = 3)]
    max_missed_rounds: u64,
    /// Epochs of each node's local training.
    #[arg(long, default_value_t = TrainingConfig::default().epochs)]
    epochs: u32,
    /// Fewest clients a member decrypts an aggregate of.
    #[arg(long, default_value_t = vsies_secure_agg::DEFAULT_MIN_CLIENTS, value_parser = super::at_least_min_clients)]
    min_clients: usize,
    /// Output directory (must be empty or absent unless --force).
    #[arg(short, long)]
    output: PathBuf,
    /// Replace an existing output directory's report, store and keys.
    #[arg(long)]
    force: bool,
}

fn parse_committee(text: &str) -> Result<(usize, usize), String> {
    let (members, threshold) = text.split_once('/').ok_or_else(|| format!("`{text}` is not M/T (e.g. 5/3)"))?;
    let number = |part: &str| part.parse::<usize>().map_err(|_| format!("`{part}` in `{text}` is not a number"));
    Ok((number(members)?, number(threshold)?))
}

pub fn run(args: RoundArgs) -> anyhow::Result<i32> {
    let schema = load_schema(&args.schema)?;
    let mut config = SubnetConfig::new(args.nodes, args.rounds, args.committee.0, args.committee.1);
    for text in &args.adversaries {
        let (node, kind) = parse_adversary(text)?;
        if config.adversaries.insert(node, kind).is_some() {
            bail!("node {node} is given two adversary kinds");
        }
    }
    config.seed = args.seed;
    config.vault.max_missed_rounds = args.max_missed_rounds;
    config.training.epochs = args.epochs;
    config.min_clients = args.min_clients;
    config.check()?;
    if args.output.exists() && !args.force && std::fs::read_dir(&args.output)?.next().is_some() {
        bail!("{} is not empty (use --force to replace its report, store and keys)", args.output.display());
    }
    let dataset = load_dataset(&args.data, &schema, LabelPolicy::Required)?;
    if args.force {
        for part in ["store", "keys", "committee"] {
            let path = args.output.join(part);
            if path.exists() {
                std::fs::remove_dir_all(&path).with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    std::fs::create_dir_all(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    let steps = crate::progress::Steps::new("rounds");
    let report = vsies_subnet::run(&config, &schema, &dataset, &args.output, &steps)?;
    drop(steps);
    let json = serde_json::to_vec_pretty(&report)?;
    write_atomic(&args.output.join("report.json"), &json)?;
    let svg = report.svg().map_err(|err| anyhow::anyhow!("drawing report.svg: {err}"))?;
    write_atomic(&args.output.join("report.svg"), svg.as_bytes())?;
    let markdown = report.markdown();
    write_atomic(&args.output.join("report.md"), markdown.as_bytes())?;
    say!("{}", markdown.trim_end());
    say!(
        "wrote {} (report.json, report.svg, report.md, store/ with {} objects)",
        args.output.display(),
        std::fs::read_dir(args.output.join("store"))?.count().saturating_sub(1)
    );
    Ok(0)
}
