//! `vsies bench dkg`: the dealer-free committee key generation at several committee shapes:
//! the whole protocol's time (every member's part, in one process), the pieces and key sizes
//! per member, and the clients an aggregate may hold against a dealer's key of the same shape.

use super::measure::{human, median_seconds_of};
use clap::Args;
use std::time::Instant;
use tfhe::core_crypto::seeders::new_seeder;
use vsies_secure_agg::dkg::{self, Session};
use vsies_secure_agg::params::{binomial, max_clients_for, MAX_MEMBERS, RING_DEGREE};
use vsies_secure_agg::{ClientKey, Committee};

#[derive(Args)]
pub struct DkgArgs {
    /// Committee shapes N/T.
    #[arg(long, value_delimiter = ',', default_value = "5/3,10/6,20/11")]
    committees: Vec<String>,
    /// Body polynomials per mask (64 KiB per polynomial per piece).
    #[arg(long, default_value_t = 1)]
    packing: usize,
    /// Also run each key generation with proved contributions: a setup of the
    /// key-contribution keys per shape (insecure seed), then every dealer proves and every
    /// member verifies every proof.
    #[arg(long)]
    proved: bool,
}

fn shape(text: &str) -> anyhow::Result<(usize, usize)> {
    let (n, t) = text.split_once('/').ok_or_else(|| anyhow::anyhow!("{text}: a committee is N/T"))?;
    Ok((n.parse()?, t.parse()?))
}

fn mib(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", bytes / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
    }
}

pub fn dkg(args: DkgArgs) -> anyhow::Result<i32> {
    println!("| committee N/T | piece sets C(N, T-1) | pieces per member | share per member | dealt per member | key generation, all members | per member | clients per aggregate (dealer / dealer-free) |");
    println!("|---|---|---|---|---|---|---|---|");
    let poly = (RING_DEGREE * 16 * args.packing) as f64;
    let mut proved = Vec::new();
    for text in &args.committees {
        let (n, t) = shape(text)?;
        anyhow::ensure!(n <= MAX_MEMBERS && t >= 1 && t <= n, "{text}: impossible committee");
        let sets = binomial(n, t - 1);
        let held = binomial(n - 1, t - 1);
        let share = mib(held as f64 * poly);
        let dealt = mib(sets as f64 * (n - t + 1) as f64 * poly);
        let Ok(committee) = Committee::with_packing(n, t, args.packing) else {
            let replicated = format!(
                "not run: {sets} piece sets is over the {} a replicated sharing allows",
                vsies_secure_agg::committee::MAX_PIECES
            );
            println!("| {n}/{t} | {sets} | {held} | {share} | {dealt} | {replicated} | | |");
            continue;
        };
        let keys: Vec<ClientKey> = (1..=n).map(|k| ClientKey::from_bytes(&[k as u8; 32])).collect::<Result<_, _>>()?;
        let pieces = sets as usize;
        let session = match Session::new(committee, keys.iter().map(ClientKey::address).collect(), *dkg::fresh_seed()) {
            Ok(session) => session,
            Err(err) => {
                let caps = format!("{} / {}", max_clients_for(pieces, 1), max_clients_for(pieces, n));
                println!("| {n}/{t} | {sets} | {held} | {share} | {dealt} | refused: {err} | | {caps} |");
                continue;
            }
        };
        let seconds = timed_run(&session, &keys, None)?;
        println!(
            "| {n}/{t} | {sets} | {held} | {share} | {dealt} | {} | {} | {} / {} |",
            human(seconds),
            human(seconds / n as f64),
            max_clients_for(pieces, 1),
            max_clients_for(pieces, n)
        );
        if args.proved {
            proved.push(proved_row(session, &keys)?);
        }
    }
    if args.proved {
        println!();
        println!("| committee N/T | key-contribution constraints | setup | prove one contribution (median of 3) | verify one (median of 10) | proved key generation, all members | per member (one proof, N verifications, its piece checks) |");
        println!("|---|---|---|---|---|---|---|");
        proved.iter().for_each(|row| println!("{row}"));
    }
    Ok(0)
}

/// One honest run's seconds; every dealer must qualify.
fn timed_run(session: &Session, keys: &[ClientKey], prover: Option<&dkg::ContributionProver>) -> anyhow::Result<f64> {
    let n = session.committee.members;
    let start = Instant::now();
    let (public, _, excluded) = dkg::local::run(session, keys, new_seeder().as_mut(), prover)?;
    let seconds = start.elapsed().as_secs_f64();
    anyhow::ensure!(excluded.is_empty() && public.committee.dealers == n, "an honest run excluded a dealer");
    Ok(seconds)
}

/// The proved run of `session`'s shape: keys set up in a temporary directory, then the run.
fn proved_row(session: Session, keys: &[ClientKey]) -> anyhow::Result<String> {
    use vsies_zk::groth16::{Keys, Relation};
    let committee = session.committee;
    let relation = dkg::contribution_relation(&committee)?;
    let constraints = relation.shape()?.constraints;
    let dir = tempfile::tempdir()?;
    let start = Instant::now();
    Keys::generate(relation, &mut crate::commands::zk::rng(Some(1)), dir.path())?;
    let setup = start.elapsed().as_secs_f64();
    let prover = dkg::ContributionProver::load(dir.path())?;
    let session = session.with_proof_key(prover.verifying_key_id());
    // One dealer's proof and one verification, alone.
    let dealing = dkg::Dealing::new(&session, 1, &dkg::fresh_seed())?;
    let commitment = dealing.commitment(&keys[0]);
    let mut rng = crate::commands::zk::rng(None);
    let (prove, contribution) =
        median_seconds_of(3, || dealing.proved_contribution(&session, &keys[0], &prover, &mut rng))?;
    let (verify, ()) = median_seconds_of(10, || {
        dkg::verify_contribution(&session, &prover.verifier, &commitment, &contribution).map_err(anyhow::Error::msg)
    })?;
    let seconds = timed_run(&session, keys, Some(&prover))?;
    let (n, t) = (committee.members, committee.threshold);
    Ok(format!(
        "| {n}/{t} | {constraints} | {} | {} | {} | {} | {} |",
        human(setup),
        human(prove),
        human(verify),
        human(seconds),
        human(seconds / n as f64)
    ))
}
