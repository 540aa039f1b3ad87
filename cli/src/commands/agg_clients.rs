//! `vsies agg client-keygen` and `vsies agg register`: federated clients' signing keys and the
//! committee's registry of their addresses.

use anyhow::{bail, Context};
use clap::Args;
use std::path::PathBuf;
use vsies_secure_agg::signing::{format_address, parse_address};
use vsies_secure_agg::{ClientKey, ClientRegistry, PublicKey};

#[derive(Args)]
pub struct ClientKeygenArgs {
    /// The client's secp256k1 signing key (0600): its chain account's key.
    #[arg(short, long)]
    output: PathBuf,
    /// Replace an existing key file.
    #[arg(long)]
    force: bool,
}

pub fn client_keygen(args: ClientKeygenArgs) -> anyhow::Result<i32> {
    if args.output.exists() && !args.force {
        bail!("{}: a key is already there; give --force to replace it", args.output.display());
    }
    let key = ClientKey::generate();
    key.save(&args.output)?;
    say!("address {}", format_address(&key.address()));
    say!("wrote {} (0600); register the address with the committee: vsies agg register", args.output.display());
    Ok(0)
}

#[derive(Args)]
pub struct RegisterArgs {
    /// The registry (created if absent).
    #[arg(long)]
    registry: PathBuf,
    /// The committee's public.key (the registry is for that committee only).
    #[arg(long)]
    committee: PathBuf,
    /// Client addresses (0x and 40 hex digits), as `agg client-keygen` prints them.
    #[arg(long = "address")]
    addresses: Vec<String>,
    /// Client key files, for their addresses (convenient where one party holds both).
    #[arg(long = "key")]
    keys: Vec<PathBuf>,
}

pub fn register(args: RegisterArgs) -> anyhow::Result<i32> {
    let committee = PublicKey::load(&args.committee)?.id();
    let mut registry = if args.registry.exists() {
        let registry = ClientRegistry::load(&args.registry)?;
        if registry.committee_id != committee {
            bail!("{}: a registry of committee {}, not {committee}", args.registry.display(), registry.committee_id);
        }
        registry
    } else {
        ClientRegistry::new(committee)
    };
    if args.addresses.is_empty() && args.keys.is_empty() {
        bail!("nothing to register: give --address or --key");
    }
    let mut added = Vec::new();
    for text in &args.addresses {
        added.push(parse_address(text)?);
    }
    for path in &args.keys {
        added.push(ClientKey::load(path).with_context(|| path.display().to_string())?.address());
    }
    for address in &added {
        registry.register(*address);
    }
    registry.save(&args.registry)?;
    say!("{} clients registered with committee {committee}", registry.clients().len());
    say!("wrote {}", args.registry.display());
    Ok(0)
}
