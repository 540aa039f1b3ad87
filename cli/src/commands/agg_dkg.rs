//! `vsies agg dkg session|deal|reveal|check|finish`: the committee's members generate its key
//! among themselves, without a dealer ([`vsies_secure_agg::dkg`]).
//!
//! Messages travel through two directories: a public *board* every member reads (commitments,
//! contributions, complaints) and each member's private *inbox* (the pieces dealt to it,
//! 0600). How they get there (a shared folder, a chain, a message bus) is the deployment's.
//!
//! A session made with `--proof-keys` (keys from `vsies setup keygen`, ideally after a
//! ceremony) requires every contribution to carry a proof that it is well formed: `reveal`
//! proves, `check` checks each piece against its dealer's proof, `finish` verifies them all.

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use vsies_secure_agg::committee::{share_file_name, PUBLIC_KEY_FILE};
use vsies_secure_agg::dkg::{
    self, contribution_relation, Commitment, Contribution, ContributionProver, ContributionVerifier, Dealing,
    MissingPiece, Piece, Session,
};
use vsies_secure_agg::signing::{format_address, parse_address};
use vsies_secure_agg::{save_all, ClientKey};
use vsies_zk::groth16::Relation;

#[derive(Subcommand)]
pub enum DkgCommand {
    /// The session: the committee's shape and its members' addresses, in member order.
    Session(SessionArgs),
    /// Round 1 (a member): commit to its contribution and pieces; keeps its seed (0600).
    Deal(DealArgs),
    /// Round 2 (a member, once every commitment is on the board): reveal its contribution and
    /// deal its pieces into the holders' inboxes.
    Reveal(RevealArgs),
    /// Round 3 (a member): check the pieces in its inbox; a piece that does not match its
    /// dealer's commitment goes to the board as a complaint (the dealer's signature is evidence);
    /// with --key, a piece that never came goes there as a signed complaint too.
    Check(CheckArgs),
    /// Round 3 (a dealer): publish the pieces that members complain they never received.
    Answer(DealArgs),
    /// Round 4 (a member): the qualified dealers, the public key and its own share (0600).
    Finish(FinishArgs),
}

pub fn run(command: DkgCommand) -> anyhow::Result<i32> {
    match command {
        DkgCommand::Session(args) => session(args),
        DkgCommand::Deal(args) => deal(args),
        DkgCommand::Reveal(args) => reveal(args),
        DkgCommand::Check(args) => check(args),
        DkgCommand::Answer(args) => answer(args),
        DkgCommand::Finish(args) => finish(args),
    }
}

#[derive(Args)]
pub struct SessionArgs {
    #[command(flatten)]
    shape: super::agg::CommitteeShape,
    /// Member addresses (`agg client-keygen` prints them), in member order.
    #[arg(long = "address", num_args = 1..)]
    addresses: Vec<String>,
    /// Member signing-key files, for their addresses (where one party holds them all: tests),
    /// after the --address ones.
    #[arg(long = "key", num_args = 1..)]
    keys: Vec<PathBuf>,
    /// The session's 32-byte nonce, hex (a block hash); fresh randomness by default.
    #[arg(long)]
    nonce: Option<String>,
    /// Key-contribution keys for this committee's shape (`vsies setup keygen`): every
    /// contribution must then be proved well formed with them.
    #[arg(long, required_unless_present = "unproved", conflicts_with = "unproved")]
    proof_keys: Option<PathBuf>,
    /// Contributions carry no proof: a dealer that contributes something else than `a·s + e`
    /// for the pieces it dealt makes decryption fail, and nobody can tell who (demos, tests).
    #[arg(long)]
    unproved: bool,
    /// The session file.
    #[arg(short, long)]
    output: PathBuf,
}

/// `vsies setup keygen`: the key-contribution relation's keys for a committee shape.
#[derive(Args)]
pub struct SetupKeygenArgs {
    #[command(flatten)]
    shape: super::agg::CommitteeShape,
    #[command(flatten)]
    keys: super::zk::KeyOutput,
}

pub fn setup(args: SetupKeygenArgs) -> anyhow::Result<i32> {
    let start = std::time::Instant::now();
    let committee = args.shape.committee()?;
    let relation = contribution_relation(&committee)?;
    let shape = relation.shape()?;
    say!(
        "relation: key-generation contributions of {}/{} committees (ring degree {}, packing {}, {} piece sets): {} constraints, {} committed",
        committee.members,
        committee.threshold,
        relation.shape_params().degree,
        committee.packing,
        committee.piece_sets().len(),
        shape.constraints,
        shape.committed
    );
    args.keys.write_relation(start, relation)?;
    Ok(0)
}

/// The key-contribution verifier in `dir`, for `session`'s shape and key.
fn session_verifier(session: &Session, dir: &Path) -> anyhow::Result<ContributionVerifier> {
    let verifier = ContributionVerifier::load(dir)?;
    check_keys(session, &verifier, dir)?;
    Ok(verifier)
}

fn check_keys(session: &Session, verifier: &ContributionVerifier, dir: &Path) -> anyhow::Result<()> {
    if verifier.relation.shape_params() != dkg::contribution_params(&session.committee) {
        bail!(
            "{}: key-contribution keys for another committee shape (run `vsies setup keygen` with this session's --members, --threshold and --packing)",
            dir.display()
        );
    }
    if let Some(id) = session.proof_key {
        if verifier.id != id {
            bail!("{}: verifying key {}, the session names {id}", dir.display(), verifier.id);
        }
    }
    Ok(())
}

fn session(args: SessionArgs) -> anyhow::Result<i32> {
    let mut addresses = args.addresses.iter().map(|a| parse_address(a)).collect::<Result<Vec<_>, _>>()?;
    for path in &args.keys {
        addresses.push(ClientKey::load(path)?.address());
    }
    let nonce = match &args.nonce {
        Some(hex) => {
            vsies_core::codec::unhex_array::<32>(hex.trim_start_matches("0x")).context("--nonce: 32 bytes of hex")?
        }
        None => *dkg::fresh_seed(),
    };
    let committee = args.shape.committee()?;
    let mut session = Session::new(committee, addresses, nonce)?;
    if let Some(dir) = &args.proof_keys {
        let verifier = session_verifier(&session, dir)?;
        session = session.with_proof_key(verifier.id);
    }
    session.save(&args.output)?;
    say!(
        "session {} for {}/{}: {}",
        vsies_core::codec::hex(&session.id()),
        committee.members,
        committee.threshold,
        args.output.display()
    );
    for (i, address) in session.members.iter().enumerate() {
        say!("  member {}: {}", i + 1, format_address(address));
    }
    match session.proof_key {
        Some(id) => say!("contributions proved with verifying key {id}"),
        None => say!("contributions unproved (--unproved)"),
    }
    Ok(0)
}

#[derive(Args)]
pub struct MemberArgs {
    /// The session file.
    #[arg(long)]
    session: PathBuf,
    /// This member's number (1-based).
    #[arg(long)]
    member: usize,
    /// The public board directory.
    #[arg(long)]
    board: PathBuf,
    /// This member's inbox of pieces.
    #[arg(long)]
    inbox: PathBuf,
    /// The session's key-contribution keys (a proved session; the verifying key suffices).
    #[arg(long)]
    proof_keys: Option<PathBuf>,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    member: MemberArgs,
    /// This member's signing key: pieces that never came are then complained about, signed,
    /// on the board (their dealers must answer before finish).
    #[arg(long)]
    key: Option<PathBuf>,
    /// Check although some committed dealers have not revealed (their time is over): they
    /// are excluded at finish for it.
    #[arg(long)]
    partial: bool,
}

#[derive(Args)]
pub struct DealArgs {
    /// The session file.
    #[arg(long)]
    session: PathBuf,
    /// This member's number (1-based).
    #[arg(long)]
    member: usize,
    /// This member's signing key (its address is in the session).
    #[arg(long)]
    key: PathBuf,
    /// The public board directory.
    #[arg(long)]
    board: PathBuf,
    /// Where this member keeps its dealing seed (0600) until its key is finished (`finish
    /// --state` deletes it): reveal and answer need it.
    #[arg(long)]
    state: PathBuf,
}

#[derive(Args)]
pub struct RevealArgs {
    #[command(flatten)]
    deal: DealArgs,
    /// The directory of the members' inboxes (`INBOXES/member-M/`).
    #[arg(long)]
    inboxes: PathBuf,
    /// The session's key-contribution keys (`vsies setup keygen`): a proved session's
    /// contribution is proved with them.
    #[arg(long)]
    proof_keys: Option<PathBuf>,
    /// Derive the proof's randomness from this seed (tests only).
    #[arg(long)]
    insecure_proof_seed: Option<u64>,
}

#[derive(Args)]
pub struct FinishArgs {
    #[command(flatten)]
    member: MemberArgs,
    /// Output directory: public.key and member-M.key (0600).
    #[arg(short, long)]
    output: PathBuf,
    /// This member's dealing seed, deleted once the key is written.
    #[arg(long)]
    state: Option<PathBuf>,
}

fn member_key(session: &Session, member: usize, key: &Path) -> anyhow::Result<ClientKey> {
    let key = ClientKey::load(key)?;
    if session.address(member) != Some(key.address()) {
        bail!("{} is not member {member}'s key in this session", format_address(&key.address()));
    }
    Ok(key)
}

fn commitment_file(dealer: usize) -> String {
    format!("commitment-{dealer}.dkg")
}

fn contribution_file(dealer: usize) -> String {
    format!("contribution-{dealer}.dkg")
}

fn create(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

fn deal(args: DealArgs) -> anyhow::Result<i32> {
    let session = Session::load(&args.session)?;
    let key = member_key(&session, args.member, &args.key)?;
    if args.state.exists() {
        bail!("{}: a dealing seed is already there (one dealing per session)", args.state.display());
    }
    let seed = dkg::fresh_seed();
    let dealing = Dealing::new(&session, args.member, &seed)?;
    create(&args.board)?;
    dkg::save_seed(&args.state, &seed)?;
    dealing.commitment(&key).save(&args.board.join(commitment_file(args.member)))?;
    say!("member {}: commitment on the board; seed kept in {} (0600) until reveal", args.member, args.state.display());
    Ok(0)
}

/// Every commitment on the board, checked (a file that fails its checks is refused by name).
fn commitments(session: &Session, board: &Path) -> anyhow::Result<Vec<Commitment>> {
    Ok((1..=session.committee.members)
        .map(|dealer| board.join(commitment_file(dealer)))
        .filter(|path| path.exists())
        .filter_map(|path| usable(&path, Commitment::load(&path, session)))
        .collect())
}

/// A board message, or `None` (with a warning naming the file) when it fails its checks:
/// anyone who can write to the board could otherwise stop every member. A dealer whose
/// message is unusable is then treated as having sent none (and is excluded for it).
fn usable<T>(path: &Path, loaded: Result<T, vsies_secure_agg::AggError>) -> Option<T> {
    match loaded {
        Ok(message) => Some(message),
        Err(err) => {
            eprintln!("warning: ignoring {}: {err}", path.display());
            None
        }
    }
}

fn reveal(args: RevealArgs) -> anyhow::Result<i32> {
    let deal = &args.deal;
    let session = Session::load(&deal.session)?;
    let key = member_key(&session, deal.member, &deal.key)?;
    let present = commitments(&session, &deal.board)?;
    if present.len() < session.committee.members {
        bail!(
            "{} of {} commitments on the board: reveal only once every member has committed",
            present.len(),
            session.committee.members
        );
    }
    let dealing = committed_dealing(&session, deal, &key)?;
    let contribution = match (&session.proof_key, &args.proof_keys) {
        (None, _) => dealing.contribution(&key),
        (Some(_), Some(dir)) => {
            let prover = ContributionProver::load(dir)?;
            check_keys(&session, &prover.verifier, dir)?;
            let mut rng = super::zk::rng(args.insecure_proof_seed);
            dealing.proved_contribution(&session, &key, &prover, &mut rng)?
        }
        (Some(id), None) => bail!("the session's contributions are proved: give --proof-keys (verifying key {id})"),
    };
    contribution.save(&deal.board.join(contribution_file(deal.member)))?;
    for recipient in 1..=session.committee.members {
        let inbox = args.inboxes.join(format!("member-{recipient}"));
        create(&inbox)?;
        for piece in dealing.pieces_for(recipient, &key) {
            piece.save(&inbox.join(format!("piece-{}-{:x}.dkg", deal.member, piece.set)))?;
        }
    }
    say!(
        "member {}: contribution on the board, pieces in the inboxes; seed kept in {} until finish (answers need it)",
        deal.member,
        deal.state.display()
    );
    Ok(0)
}

/// The dealing of `args`'s seed, checked against the board's commitment.
fn committed_dealing(session: &Session, args: &DealArgs, key: &ClientKey) -> anyhow::Result<Dealing> {
    let seed = dkg::load_seed(&args.state)?;
    let dealing = Dealing::new(session, args.member, &seed)?;
    if !commitments(session, &args.board)?.iter().any(|c| *c == dealing.commitment(key)) {
        bail!("the board holds no commitment of this dealing: this seed is not the one committed to");
    }
    Ok(dealing)
}

fn answer(args: DealArgs) -> anyhow::Result<i32> {
    let session = Session::load(&args.session)?;
    let key = member_key(&session, args.member, &args.key)?;
    let dealing = committed_dealing(&session, &args, &key)?;
    let board = board_messages(&session, &args.board)?;
    let mut answered = 0;
    for complaint in board.missing.iter().filter(|c| c.dealer == args.member) {
        if let Some(piece) = dealing.answer(complaint, &key) {
            let name = format!("answer-{}-{}-{:x}.dkg", args.member, complaint.member, complaint.set);
            piece.publish(&args.board.join(name))?;
            answered += 1;
        }
    }
    say!("member {}: answered {answered} complaints of missing pieces on the board", args.member);
    Ok(0)
}

/// The pieces in an inbox, checked (signatures, session, recipient).
fn inbox_pieces(session: &Session, member: usize, inbox: &Path) -> anyhow::Result<Vec<Piece>> {
    let mut pieces = Vec::new();
    for entry in std::fs::read_dir(inbox).with_context(|| format!("reading {}", inbox.display()))? {
        let path = entry.with_context(|| format!("reading {}", inbox.display()))?.path();
        if path.extension().is_some_and(|e| e == "dkg") {
            let piece = Piece::load(&path, session)?;
            if piece.recipient != member {
                bail!("{}: a piece for member {}, not {member}", path.display(), piece.recipient);
            }
            pieces.push(piece);
        }
    }
    Ok(pieces)
}

/// What the board holds besides the commitments, each message checked (session, signature).
#[derive(Default)]
struct BoardFiles {
    contributions: Vec<Contribution>,
    complaints: Vec<Piece>,
    missing: Vec<MissingPiece>,
    answers: Vec<Piece>,
}

impl BoardFiles {
    fn board(&self) -> dkg::Board<'_> {
        dkg::Board {
            contributions: &self.contributions,
            complaints: &self.complaints,
            missing: &self.missing,
            answers: &self.answers,
        }
    }
}

fn board_messages(session: &Session, board: &Path) -> anyhow::Result<BoardFiles> {
    let mut files = BoardFiles::default();
    for entry in std::fs::read_dir(board).with_context(|| format!("reading {}", board.display()))? {
        let path = entry.with_context(|| format!("reading {}", board.display()))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if name.starts_with("contribution-") {
            files.contributions.extend(usable(&path, Contribution::load(&path, session)));
        } else if name.starts_with("complaint-") {
            files.complaints.extend(usable(&path, Piece::load(&path, session)));
        } else if name.starts_with("missing-") {
            files.missing.extend(usable(&path, MissingPiece::load(&path, session)));
        } else if name.starts_with("answer-") {
            files.answers.extend(usable(&path, Piece::load(&path, session)));
        }
    }
    Ok(files)
}

fn check(check: CheckArgs) -> anyhow::Result<i32> {
    let args = &check.member;
    let session = Session::load(&args.session)?;
    let (commitments, _) = dkg::index_commitments(&session, commitments(&session, &args.board)?);
    let contributions = board_messages(&session, &args.board)?.contributions;
    let committed: Vec<usize> = (1..=session.committee.members).filter(|&d| commitments[d].is_some()).collect();
    let revealed = committed.iter().filter(|&&d| contributions.iter().any(|c| c.dealer == d)).count();
    if session.proof_key.is_some() && revealed < committed.len() && !check.partial {
        bail!(
            "{revealed} of {} committed dealers' contributions on the board: in a proved session, check once every one has revealed (each piece is checked against its dealer's proof), or with --partial once the reveal time is over",
            committed.len()
        );
    }
    let received = inbox_pieces(&session, args.member, &args.inbox)?;
    let checked = dkg::check_pieces(&session, args.member, &commitments, &contributions, received)?;
    for piece in &checked.complaints {
        let path = args.board.join(format!("complaint-{}-{}-{:x}.dkg", args.member, piece.dealer, piece.set));
        piece.publish(&path)?;
        say!(
            "complaint: dealer {}'s piece of set {:#x} does not match its commitment or its proof ({})",
            piece.dealer,
            piece.set,
            path.display()
        );
    }
    let missing = dkg::missing_pieces(&session, args.member, &commitments, &checked.pieces)
        .into_iter()
        .filter(|(dealer, set)| !checked.complaints.iter().any(|p| p.dealer == *dealer && p.set == *set));
    let key = check.key.as_ref().map(|path| member_key(&session, args.member, path)).transpose()?;
    let mut gaps = 0;
    for (dealer, set) in missing {
        gaps += 1;
        match &key {
            Some(key) => {
                let path = args.board.join(format!("missing-{}-{dealer}-{set:x}.dkg", args.member));
                MissingPiece::new(&session, args.member, dealer, set, key).save(&path)?;
                say!("complaint: dealer {dealer} sent no piece of set {set:#x} ({}); it must answer", path.display());
            }
            None => say!("missing: dealer {dealer} sent no piece of set {set:#x} (give --key to complain)"),
        }
    }
    say!(
        "member {}: {} pieces match their commitments, {} complaints, {gaps} missing",
        args.member,
        checked.pieces.len(),
        checked.complaints.len()
    );
    Ok(0)
}

fn finish(args: FinishArgs) -> anyhow::Result<i32> {
    let member = &args.member;
    let session = Session::load(&member.session)?;
    let (commitments, mut excluded) = dkg::index_commitments(&session, commitments(&session, &member.board)?);
    let board = board_messages(&session, &member.board)?;
    let verifier = match (&session.proof_key, &member.proof_keys) {
        (None, _) => None,
        (Some(_), Some(dir)) => Some(session_verifier(&session, dir)?),
        (Some(id), None) => bail!("the session's contributions are proved: give --proof-keys (verifying key {id})"),
    };
    // Pieces that do not match their commitments are fine once published as complaints (their
    // dealers are then out); otherwise `finish` names them.
    let pieces = inbox_pieces(&session, member.member, &member.inbox)?;
    let (public, share, more) =
        dkg::finish(&session, member.member, &commitments, board.board(), &pieces, verifier.as_ref())?;
    excluded.extend(more);
    std::fs::create_dir_all(&args.output).with_context(|| format!("creating {}", args.output.display()))?;
    for path in [args.output.join(PUBLIC_KEY_FILE), args.output.join(share_file_name(member.member))] {
        if path.exists() {
            bail!("{} exists; a key generation never overwrites keys", path.display());
        }
    }
    save_all(&public, std::slice::from_ref(&share), &args.output)?;
    match &args.state {
        Some(state) => {
            std::fs::remove_file(state).with_context(|| format!("deleting {}", state.display()))?;
            say!("dealing seed {} deleted", state.display());
        }
        None => eprintln!("note: this member's dealing seed is still on disk: delete it (or pass --state)"),
    }
    for exclusion in &excluded {
        say!("excluded dealer {}: {}", exclusion.dealer, exclusion.reason);
    }
    say!(
        "committee {} from {} dealers; wrote {}/{{{PUBLIC_KEY_FILE}, {}}}",
        public.id(),
        public.committee.dealers,
        args.output.display(),
        share_file_name(member.member)
    );
    say!("at most {} clients per aggregate", public.committee.max_clients());
    Ok(0)
}
