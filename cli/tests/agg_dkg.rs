//! `vsies agg dkg` end to end among four members (threshold 2): an honest proved run (keys
//! from `vsies setup keygen`, every contribution proved well formed) gives every member the
//! same committee key; a dealer that hands one member pieces other than those it
//! committed to (signed, so the complaint is evidence) is excluded by every member alike;
//! out-of-order and misaddressed steps are refused; `agg keygen` needs `--trusted-dealer`.

mod common;

use common::{ok, text, vsies};
use std::path::Path;

const MEMBERS: usize = 4;

fn member(m: usize) -> [String; 4] {
    ["--session".into(), "session.json".into(), "--member".into(), m.to_string()]
}

fn run(args: &[&str], extra: &[String], dir: &Path) -> String {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(extra.iter().map(String::as_str));
    ok(&all, dir)
}

/// The flags of a proved session's `reveal` and `finish`.
const PROVED: [&str; 2] = ["--proof-keys", "keygen"];

/// Signing keys and the session; `proof` is [`PROVED`] (after a setup of the keys) or empty
/// (`--unproved`).
fn prepare(dir: &Path, proof: &[&str]) {
    if !proof.is_empty() {
        let out = ok(
            &[
                "setup",
                "keygen",
                "--members",
                "4",
                "--threshold",
                "2",
                "--packing",
                "1",
                "-o",
                "keygen",
                "--insecure-seed",
                "3",
            ],
            dir,
        );
        assert!(out.contains("4 piece sets"), "{out}");
    }
    for m in 1..=MEMBERS {
        ok(&["agg", "client-keygen", "-o", &format!("m{m}.sign")], dir);
    }
    let keys: Vec<String> = (1..=MEMBERS).flat_map(|m| ["--key".to_string(), format!("m{m}.sign")]).collect();
    let mut args = vec!["agg", "dkg", "session", "--members", "4", "--threshold", "2", "--packing", "1"];
    args.extend(keys.iter().map(String::as_str));
    let nonce = "ab".repeat(32);
    args.extend(["--nonce", &nonce, "-o", "session.json"]);
    if proof.is_empty() {
        args.push("--unproved");
    } else {
        args.extend(proof);
    }
    ok(&args, dir);
}

fn deal(dir: &Path, m: usize, board: &str, state: &str) {
    let key = format!("m{m}.sign");
    run(&["agg", "dkg", "deal", "--key", &key, "--board", board, "--state", state], &member(m), dir);
}

fn reveal(dir: &Path, m: usize, board: &str, state: &str, inboxes: &str, proof: &[&str]) -> String {
    let key = format!("m{m}.sign");
    let mut args =
        vec!["agg", "dkg", "reveal", "--key", &key, "--board", board, "--state", state, "--inboxes", inboxes];
    args.extend(proof);
    run(&args, &member(m), dir)
}

/// Every member checks its inbox (complaining, signed, of missing pieces), every dealer answers
/// such complaints, then every member finishes and deletes its seed; returns the checks' and
/// the finishes' outputs.
fn check_and_finish(dir: &Path, proof: &[&str]) -> (Vec<String>, Vec<String>) {
    let checks = (1..=MEMBERS)
        .map(|m| {
            let (inbox, key) = (format!("inbox/member-{m}"), format!("m{m}.sign"));
            run(&["agg", "dkg", "check", "--board", "board", "--inbox", &inbox, "--key", &key], &member(m), dir)
        })
        .collect();
    for m in 1..=MEMBERS {
        let (key, state) = (format!("m{m}.sign"), format!("m{m}.seed"));
        run(&["agg", "dkg", "answer", "--key", &key, "--board", "board", "--state", &state], &member(m), dir);
    }
    let finishes = (1..=MEMBERS)
        .map(|m| {
            let (inbox, out, state) = (format!("inbox/member-{m}"), format!("keys-{m}"), format!("m{m}.seed"));
            let mut args = vec!["agg", "dkg", "finish", "--board", "board", "--inbox", &inbox, "-o", &out];
            args.extend(["--state", &state]);
            args.extend(proof);
            let out = run(&args, &member(m), dir);
            assert!(!dir.join(&state).exists(), "finish --state deletes the seed");
            out
        })
        .collect();
    (checks, finishes)
}

fn same_public_keys(dir: &Path) {
    let first = std::fs::read(dir.join("keys-1/public.key")).unwrap();
    for m in 2..=MEMBERS {
        assert_eq!(std::fs::read(dir.join(format!("keys-{m}/public.key"))).unwrap(), first, "member {m}");
        assert!(dir.join(format!("keys-{m}/member-{m}.key")).exists());
    }
}

#[test]
fn members_generate_one_key_without_a_dealer_every_contribution_proved() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir, &PROVED);
    let session = std::fs::read_to_string(dir.join("session.json")).unwrap();
    assert!(session.contains("proof_key"), "{session}");
    for m in 1..=MEMBERS {
        deal(dir, m, "board", &format!("m{m}.seed"));
        if m == 1 {
            // Nobody reveals before every member has committed.
            let key = "m1.sign";
            let mut args = vec!["agg", "dkg", "reveal", "--key", key, "--board", "board", "--state", "m1.seed"];
            args.extend(["--inboxes", "inbox", "--session", "session.json", "--member", "1"]);
            let out = vsies(&args, dir);
            assert_eq!(out.status.code(), Some(2), "{}", text(&out));
            assert!(text(&out).contains("1 of 4 commitments"), "{}", text(&out));
        }
    }
    // A proved session's dealer cannot reveal without its keys.
    let mut args = vec!["agg", "dkg", "reveal", "--key", "m1.sign", "--board", "board", "--state", "m1.seed"];
    args.extend(["--inboxes", "inbox", "--session", "session.json", "--member", "1"]);
    let out = vsies(&args, dir);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("give --proof-keys"), "{}", text(&out));
    for m in 1..=MEMBERS {
        let out = reveal(dir, m, "board", &format!("m{m}.seed"), "inbox", &PROVED);
        assert!(out.contains("seed kept"), "{out}");
        assert!(dir.join(format!("m{m}.seed")).exists(), "answers need the seed until finish");
        if m == 1 {
            // Pieces are checked against their dealers' proofs: only once every one is there.
            let mut args = vec!["agg", "dkg", "check", "--board", "board", "--inbox", "inbox/member-2"];
            args.extend(["--session", "session.json", "--member", "2"]);
            let out = vsies(&args, dir);
            assert_ne!(out.status.code(), Some(0), "{}", text(&out));
            assert!(text(&out).contains("1 of 4 committed dealers"), "{}", text(&out));
        }
    }
    // Finishing a proved session needs its keys.
    let mut args = vec!["agg", "dkg", "finish", "--board", "board", "--inbox", "inbox/member-1", "-o", "nokeys"];
    args.extend(["--session", "session.json", "--member", "1"]);
    let out = vsies(&args, dir);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("give --proof-keys"), "{}", text(&out));
    for out in check_and_finish(dir, &PROVED).1 {
        assert!(out.contains("from 4 dealers") && !out.contains("excluded"), "{out}");
    }
    same_public_keys(dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("keys-2/member-2.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A piece addressed to member 3 is refused from member 1's inbox.
    let stray = std::fs::read_dir(dir.join("inbox/member-3")).unwrap().next().unwrap().unwrap().path();
    std::fs::copy(&stray, dir.join("inbox/member-1/stray.dkg")).unwrap();
    let mut args = vec!["agg", "dkg", "check", "--board", "board", "--inbox", "inbox/member-1"];
    args.extend(["--session", "session.json", "--member", "1"]);
    let out = vsies(&args, dir);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("not 1"), "{}", text(&out));
}

#[test]
fn a_dealer_of_inconsistent_pieces_is_excluded_by_every_member() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir, &[]);
    for m in 1..=MEMBERS {
        deal(dir, m, "board", &format!("m{m}.seed"));
    }
    // Dealer 2 also deals a second time, on a board of its own, so that it holds validly
    // signed pieces other than the ones it committed to.
    std::fs::create_dir_all(dir.join("board2")).unwrap();
    deal(dir, 2, "board2", "m2b.seed");
    for m in [1, 3, 4] {
        let name = format!("commitment-{m}.dkg");
        std::fs::copy(dir.join("board").join(&name), dir.join("board2").join(&name)).unwrap();
    }
    reveal(dir, 2, "board2", "m2b.seed", "inbox2", &[]);
    for m in 1..=MEMBERS {
        reveal(dir, m, "board", &format!("m{m}.seed"), "inbox", &[]);
    }
    // Member 1 receives dealer 2's other pieces.
    for entry in std::fs::read_dir(dir.join("inbox2/member-1")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("inbox/member-1").join(path.file_name().unwrap())).unwrap();
    }
    let mut args = vec!["agg", "dkg", "check", "--board", "board", "--inbox", "inbox/member-1"];
    args.extend(["--session", "session.json", "--member", "1"]);
    let out = ok(&args, dir);
    assert!(out.contains("complaint: dealer 2"), "{out}");
    // Member 3 never receives one of dealer 4's pieces: it complains, dealer 4 answers on the
    // board, and dealer 4 stays in the key.
    let withheld = std::fs::read_dir(dir.join("inbox/member-3"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("piece-4-"))
        .unwrap();
    std::fs::remove_file(&withheld).unwrap();
    let (checks, finishes) = check_and_finish(dir, &[]);
    assert!(checks[2].contains("complaint: dealer 4 sent no piece"), "{}", checks[2]);
    assert!(std::fs::read_dir(dir.join("board"))
        .unwrap()
        .any(|e| { e.unwrap().file_name().to_str().unwrap().starts_with("answer-4-3-") }));
    for out in finishes {
        assert!(out.contains("excluded dealer 2") && out.contains("from 3 dealers"), "{out}");
        assert!(!out.contains("excluded dealer 4"), "{out}");
    }
    same_public_keys(dir);
}

#[test]
fn agg_keygen_needs_trusted_dealer() {
    let dir = tempfile::tempdir().unwrap();
    let out = vsies(&["agg", "keygen", "--members", "3", "--threshold", "2", "-o", "c"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("agg dkg"), "{}", text(&out));
}
