//! `vsies agg keygen|encrypt|sum|decrypt-share|combine`: secure aggregation of a federated round.

use crate::keyset::KeySetStaging;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use tfhe::core_crypto::commons::generators::DeterministicSeeder;
use tfhe::core_crypto::commons::math::random::{DefaultRandomGenerator, Seed, Seeder};
use tfhe::core_crypto::seeders::new_seeder;
use vsies_core::Model;
use vsies_secure_agg::committee::{share_file_name, PUBLIC_KEY_FILE};
use vsies_secure_agg::{
    combine, generate, save_all, update::bytes_per_value, Committee, DecryptionShare, EncryptedUpdate, KeyShare,
    PublicKey,
};
use vsies_secure_agg::{DecryptionRecord, ShareCheck};

#[derive(Subcommand)]
pub enum AggCommand {
    /// Trusted-dealer committee keys: public.key and member-K.key (0600) for K = 1..N.
    Keygen(KeygenArgs),
    /// A federated client's secp256k1 signing key (its chain account's): prints the address.
    ClientKeygen(super::agg_clients::ClientKeygenArgs),
    /// Register client addresses with a committee: members decrypt only their signed updates.
    Register(super::agg_clients::RegisterArgs),
    /// Encrypt a model's weighted update (weights times rows, and the rows) for the committee.
    Encrypt(EncryptArgs),
    /// Add encrypted updates (or aggregates) into one aggregate, streaming.
    Sum(SumArgs),
    /// Check a client update's proof of honest encryption (and its link to a training proof).
    VerifyUpdate(super::agg_proofs::VerifyUpdateArgs),
    /// One member's flooded partial decryption of an aggregate.
    DecryptShare(DecryptShareArgs),
    /// Combine T members' decryption shares into the FedAvg model.
    Combine(CombineArgs),
    /// Plaintext FedAvg of models: the reference a secure round decrypts to, bit for bit.
    Fedavg(FedavgArgs),
}

pub fn run(command: AggCommand) -> anyhow::Result<i32> {
    match command {
        AggCommand::Keygen(args) => keygen(args),
        AggCommand::ClientKeygen(args) => super::agg_clients::client_keygen(args),
        AggCommand::Register(args) => super::agg_clients::register(args),
        AggCommand::Encrypt(args) => encrypt(args),
        AggCommand::Sum(args) => sum(args),
        AggCommand::VerifyUpdate(args) => super::agg_proofs::verify_update(args),
        AggCommand::DecryptShare(args) => decrypt_share(args),
        AggCommand::Combine(args) => combine_command(args),
        AggCommand::Fedavg(args) => fedavg_command(args),
    }
}

/// The operating system's entropy, or a fixed seed for reproducible test runs.
fn seeder(seed: Option<u128>) -> Box<dyn Seeder> {
    match seed {
        Some(seed) => Box::new(DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(seed))),
        None => new_seeder(),
    }
}

#[derive(Args)]
pub struct KeygenArgs {
    /// Committee members N.
    #[arg(long)]
    members: usize,
    /// Members T needed to decrypt; any T - 1 learn nothing.
    #[arg(long)]
    threshold: usize,
    /// Body polynomials per mask (4096 values each): larger packs ciphertexts tighter for big
    /// models and makes keys larger (2 MiB per polynomial per key piece).
    #[arg(long, default_value_t = vsies_secure_agg::params::DEFAULT_PACKING)]
    packing: usize,
    /// Derive every key from this seed instead of the operating system's entropy. Reproducible
    /// and therefore insecure: tests and benchmarks only.
    #[arg(long)]
    insecure_seed: Option<u128>,
    /// Output directory.
    #[arg(short, long)]
    output: PathBuf,
    /// Replace an existing key set in the output directory (only files of a key set are
    /// removed; the new set replaces the old one in one step).
    #[arg(long)]
    force: bool,
}

fn keygen(args: KeygenArgs) -> anyhow::Result<i32> {
    let committee = Committee::with_packing(args.members, args.threshold, args.packing)?;
    let (public, shares) = generate(committee, seeder(args.insecure_seed).as_mut());
    let staging = KeySetStaging::begin(&args.output, args.force, |name| {
        name == PUBLIC_KEY_FILE
            || (name.starts_with("member-") && (name.ends_with(".key") || name.ends_with(".key.decrypted")))
    })?;
    save_all(&public, &shares, staging.path())?;
    staging.commit()?;
    let dir = args.output.display();
    println!("wrote {dir}/{PUBLIC_KEY_FILE} and {dir}/member-{{1..{}}}.key", args.members);
    println!("committee {}", public.id());
    println!(
        "{} of {} members decrypt; {} key pieces; at most {} clients per aggregate (and 2^bw for bw-bit weights)",
        args.threshold,
        args.members,
        committee.piece_sets().len(),
        committee.max_clients()
    );
    println!("give {PUBLIC_KEY_FILE} to clients and {} only to member K", share_file_name(1).replace('1', "K"));
    Ok(0)
}

#[derive(Args)]
pub struct EncryptArgs {
    /// Model (update) from `vsies train`; its training rows are its FedAvg weight.
    update: PathBuf,
    /// The committee's public.key.
    #[arg(long)]
    public: PathBuf,
    /// Federated round number; only updates of one round are summed.
    #[arg(long, default_value_t = 0)]
    round: u64,
    /// Fixed encryption randomness (tests only: it makes the ciphertext predictable).
    #[arg(long)]
    insecure_seed: Option<u128>,
    /// Sign the update with this client key (`agg client-keygen`) over its committee, round and
    /// ciphertext: members decrypt only aggregates of registered clients' signed updates.
    #[arg(long)]
    sign: Option<PathBuf>,
    #[command(flatten)]
    proof: super::agg_proofs::ProveFlags,
    #[arg(short, long)]
    output: PathBuf,
}

fn encrypt(args: EncryptArgs) -> anyhow::Result<i32> {
    let model = Model::load(&args.update)?;
    let public = PublicKey::load(&args.public)?;
    let (mut update, randomness) =
        EncryptedUpdate::encrypt_keeping_randomness(&public, &model, args.round, seeder(args.insecure_seed).as_mut())
            .with_context(|| format!("encrypting {}", args.update.display()))?;
    if let Some(path) = &args.sign {
        update.sign(&vsies_secure_agg::ClientKey::load(path)?)?;
    }
    args.proof.prove(&mut update, &public, &randomness, (&model, &args.update))?;
    drop(randomness);
    update.save(&args.output)?;
    println!(
        "encrypted {} values (weights, bias, rows) for round {}: {:.2} bytes per value",
        update.coordinates(),
        args.round,
        bytes_per_value(update.coordinates(), public.committee.packing)
    );
    println!("wrote {}", args.output.display());
    Ok(0)
}

#[derive(Args)]
pub struct SumArgs {
    /// Encrypted updates or aggregates of one round and committee.
    #[arg(required = true)]
    updates: Vec<PathBuf>,
    #[command(flatten)]
    check: super::agg_proofs::CheckFlags,
    #[arg(short, long)]
    output: PathBuf,
}

fn sum(args: SumArgs) -> anyhow::Result<i32> {
    let checker = args.check.checker()?;
    let aggregate = EncryptedUpdate::sum_checked_files(&args.updates, |update, path| match &checker {
        // An aggregate given to sum was checked by whoever summed it; client updates here.
        Some(checker) if update.contributors.len() == 1 => checker.check(update, path).map(drop),
        _ => Ok(()),
    })?;
    aggregate.save(&args.output)?;
    println!("summed {} client updates of round {}", aggregate.contributors.len(), aggregate.round);
    println!("wrote {}", args.output.display());
    Ok(0)
}

#[derive(Args)]
pub struct DecryptShareArgs {
    /// Aggregate from `vsies agg sum`.
    aggregate: PathBuf,
    /// This member's key share, member-K.key.
    #[arg(long)]
    share: PathBuf,
    /// The client update files the aggregate sums: the member recomputes the sum and
    /// decrypts only if it is the aggregate given.
    #[arg(long, num_args = 1.., required = true)]
    updates: Vec<PathBuf>,
    /// The committee's client registry (`agg register`): every update must be signed by a
    /// distinct registered client for this committee and round.
    #[arg(long, required_unless_present = "unregistered")]
    registry: Option<PathBuf>,
    /// Accept unsigned updates (no registry): an aggregator could then make the clients
    /// itself (Sybil updates) or replay an earlier round's update under a new header.
    #[arg(long)]
    unregistered: bool,
    /// Distinct clients the aggregate must sum (fewer would reveal a client's update).
    #[arg(long, default_value_t = vsies_secure_agg::DEFAULT_MIN_CLIENTS)]
    min_clients: usize,
    #[command(flatten)]
    check: super::agg_proofs::CheckFlags,
    #[arg(short, long)]
    output: PathBuf,
}

fn decrypt_share(args: DecryptShareArgs) -> anyhow::Result<i32> {
    let aggregate = EncryptedUpdate::load(&args.aggregate)?;
    let share = KeyShare::load(&args.share)?;
    let registry = args.registry.as_deref().map(vsies_secure_agg::ClientRegistry::load).transpose()?;
    let checker = args.check.checker()?;
    vsies_secure_agg::check_aggregate(&aggregate, &args.updates, args.min_clients, registry.as_ref(), checker.as_ref())
        .with_context(|| args.aggregate.display().to_string())?;
    let mut record = DecryptionRecord::open(&DecryptionRecord::path_for(&args.share))?;
    record.check(&aggregate, &share)?;
    let partial = DecryptionShare::decrypt(&share, &aggregate, new_seeder().as_mut())
        .with_context(|| format!("{} with {}", args.aggregate.display(), args.share.display()))?;
    // Recorded before the share exists: a crash in between loses a share, never a record.
    record.append(&aggregate, &share)?;
    partial.save(&args.output)?;
    println!("member {} decrypted its share of {} clients' aggregate", partial.member, aggregate.contributors.len());
    println!("wrote {}", args.output.display());
    Ok(0)
}

#[derive(Args)]
pub struct CombineArgs {
    /// Aggregate from `vsies agg sum`.
    aggregate: PathBuf,
    /// Decryption shares of at least T distinct members.
    #[arg(required = true)]
    shares: Vec<PathBuf>,
    /// The round's schema (TOML); needed only for models too large to embed theirs (over
    /// 64 KiB of schema JSON), checked against the updates' schema id when given.
    #[arg(long)]
    schema: Option<PathBuf>,
    /// The FedAvg model.
    #[arg(short, long)]
    output: PathBuf,
    /// Accept exactly T members' shares. Without it every key piece is cross-checked between
    /// two holders (T + 1 shares needed), so a faulty or forged share is detected and, with a
    /// third holder, named; with it, only the rounding residue guards the pieces one member
    /// holds, and a forgery by a multiple of Delta goes unnoticed.
    #[arg(long)]
    unchecked: bool,
}

fn combine_command(args: CombineArgs) -> anyhow::Result<i32> {
    let aggregate = EncryptedUpdate::load(&args.aggregate)?;
    let shares = args
        .shares
        .iter()
        .map(|path| Ok((path.as_path(), DecryptionShare::load(path)?)))
        .collect::<anyhow::Result<Vec<(&Path, DecryptionShare)>>>()?;
    let schema = args.schema.as_deref().map(vsies_core::Schema::load).transpose()?;
    let check = if args.unchecked { ShareCheck::Unchecked } else { ShareCheck::CrossChecked };
    let model = combine(&aggregate, &shares, schema.as_ref(), check)?;
    model.save(&args.output)?;
    println!(
        "FedAvg of {} clients ({} rows) from {} members' shares",
        aggregate.contributors.len(),
        model.training_samples,
        shares.len()
    );
    println!("model content id {}", model.content_id());
    println!("wrote {}", args.output.display());
    Ok(0)
}

#[derive(Args)]
pub struct FedavgArgs {
    /// Models from `vsies train`, one per client.
    #[arg(required = true)]
    models: Vec<PathBuf>,
    #[arg(short, long)]
    output: PathBuf,
}

fn fedavg_command(args: FedavgArgs) -> anyhow::Result<i32> {
    let models = args.models.iter().map(|path| Model::load(path)).collect::<Result<Vec<_>, _>>()?;
    let model = vsies_core::fedavg::fedavg(&models)?;
    model.save(&args.output)?;
    println!("plaintext FedAvg of {} models ({} rows)", models.len(), model.training_samples);
    println!("model content id {}", model.content_id());
    println!("wrote {}", args.output.display());
    Ok(0)
}
