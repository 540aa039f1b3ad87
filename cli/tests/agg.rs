//! A secure-aggregation round through the `vsies` binary: the combined model is byte-identical
//! to plaintext FedAvg for different member subsets, and every refusal is a clear error that
//! writes nothing.

mod common;

use common::{bundled, ok, text, vsies};
use std::path::Path;

/// Schema, three client models trained on thirds of the data, committee keys (4 members,
/// threshold 2) and the clients' encrypted updates.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = bundled();
    let data = data.to_str().unwrap();
    ok(&["schema", "infer", data, "--label", "malignant", "--name", "breast_cancer", "-o", "schema.toml"], d);
    let lines: Vec<String> = std::fs::read_to_string(data).unwrap().lines().map(str::to_owned).collect();
    for client in 0..3 {
        let rows: Vec<&str> = lines[1..].iter().skip(client).step_by(3).map(String::as_str).collect();
        std::fs::write(d.join(format!("c{client}.csv")), format!("{}\n{}\n", lines[0], rows.join("\n"))).unwrap();
        let csv = format!("c{client}.csv");
        let model = format!("c{client}.json");
        ok(&["train", &csv, "--schema", "schema.toml", "-o", &model], d);
    }
    common::dealer_committee(4, 2, "committee", &[], d);
    for client in 0..3 {
        let (model, update, key) = (format!("c{client}.json"), format!("u{client}.vsies"), format!("k{client}.key"));
        ok(&["agg", "client-keygen", "-o", &key], d);
        ok(&["agg", "register", "--registry", "clients.json", "--committee", "committee/public.key", "--key", &key], d);
        let encrypt = ["agg", "encrypt", &model, "--public", "committee/public.key", "--round", "4", "-o", &update];
        ok(&[&encrypt[..], &["--sign", &key]].concat(), d);
    }
    ok(&["agg", "sum", "u0.vsies", "u1.vsies", "u2.vsies", "--unproved", "-o", "sum.vsies"], d);
    // The GPU kernel's source, run by the CPU emulator, writes the same aggregate byte for byte.
    let emulated = ["agg", "sum", "u0.vsies", "u1.vsies", "u2.vsies", "--unproved", "--device", "emulator"];
    ok(&[&emulated[..], &["-o", "sum-emulated.vsies"]].concat(), d);
    assert_eq!(std::fs::read(d.join("sum.vsies")).unwrap(), std::fs::read(d.join("sum-emulated.vsies")).unwrap());
    let cuda = vsies(&[&emulated[..6], &["--device", "cuda", "-o", "sum-cuda.vsies"]].concat(), d);
    assert_eq!(cuda.status.code(), Some(2), "{}", text(&cuda));
    assert!(text(&cuda).contains("no CUDA launch path") && !d.join("sum-cuda.vsies").exists());
    ok(&["agg", "fedavg", "c0.json", "c1.json", "c2.json", "-o", "plain.json"], d);
    dir
}

fn share(d: &Path, member: usize) -> String {
    let (key, out) = (format!("committee/member-{member}.key"), format!("p{member}"));
    ok(
        &[
            "agg",
            "decrypt-share",
            "sum.vsies",
            "--share",
            &key,
            "--updates",
            "u0.vsies",
            "u1.vsies",
            "u2.vsies",
            "--registry",
            "clients.json",
            "--unproved",
            "-o",
            &out,
        ],
        d,
    );
    out
}

/// Runs a command that must fail with exit 1 (checked and refused), mention `needle` and leave
/// `output` absent.
fn refused(args: &[&str], d: &Path, needle: &str, output: &str) {
    failed(args, d, 1, needle, output);
}

/// Runs a command that must fail with exit 2 (unreadable input, impossible usage), mention
/// `needle` and leave `output` absent.
fn unreadable(args: &[&str], d: &Path, needle: &str, output: &str) {
    failed(args, d, 2, needle, output);
}

fn failed(args: &[&str], d: &Path, code: i32, needle: &str, output: &str) {
    let out = vsies(args, d);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out));
    assert!(text(&out).contains(needle), "{args:?}: expected `{needle}` in: {}", text(&out));
    assert!(!d.join(output).exists(), "{args:?} wrote {output}");
}

#[test]
fn any_two_members_decrypt_plaintext_fedavg_byte_for_byte() {
    let dir = setup();
    let d = dir.path();
    let plain = std::fs::read(d.join("plain.json")).unwrap();
    let shares: Vec<String> = (1..=4).map(|m| share(d, m)).collect();
    // Exactly T = 2 shares: accepted only unchecked (some pieces have a single holder).
    for (a, b) in [(0, 1), (1, 3), (2, 0), (3, 2)] {
        let pair = ["agg", "combine", "sum.vsies", &shares[a], &shares[b], "-o", "avg.json"];
        let out = vsies(&pair, d);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("T + 1 members' shares"), "{}", text(&out));
        ok(&[&pair[..], &["--unchecked"]].concat(), d);
        assert_eq!(std::fs::read(d.join("avg.json")).unwrap(), plain, "members {} and {}", a + 1, b + 1);
    }
    // T + 1 = 3 shares: every piece cross-checked.
    for (a, b, c) in [(0, 1, 2), (1, 2, 3), (0, 2, 3)] {
        ok(&["agg", "combine", "sum.vsies", &shares[a], &shares[b], &shares[c], "-o", "avg.json"], d);
        assert_eq!(std::fs::read(d.join("avg.json")).unwrap(), plain, "members {a}, {b}, {c}");
    }
    ok(&["agg", "combine", "sum.vsies", &shares[0], &shares[1], &shares[2], &shares[3], "-o", "all.json"], d);
    assert_eq!(std::fs::read(d.join("all.json")).unwrap(), plain);
    // The secret shares are the owner's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("committee/member-3.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn bad_inputs_are_refused_and_write_nothing() {
    let dir = setup();
    let d = dir.path();
    let p1 = share(d, 1);
    // Combining: fewer than T shares, the same share twice.
    refused(&["agg", "combine", "sum.vsies", &p1, "-o", "m.json"], d, "needs 2", "m.json");
    refused(&["agg", "combine", "sum.vsies", &p1, &p1, "-o", "m.json"], d, "given twice", "m.json");
    // A share from another committee.
    common::dealer_committee(4, 2, "other", &[], d);
    let other_share = [
        "agg",
        "decrypt-share",
        "sum.vsies",
        "--share",
        "other/member-2.key",
        "--updates",
        "u0.vsies",
        "u1.vsies",
        "u2.vsies",
        "--registry",
        "clients.json",
        "--unproved",
        "-o",
        "x",
    ];
    let out = vsies(&other_share, d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("committee") && !d.join("x").exists(), "{}", text(&out));
    // Summing: a duplicate, another round, another committee.
    refused(
        &["agg", "sum", "u0.vsies", "u1.vsies", "u0.vsies", "--unproved", "-o", "s.vsies"],
        d,
        "u0.vsies",
        "s.vsies",
    );
    ok(&["agg", "encrypt", "c0.json", "--public", "committee/public.key", "--round", "5", "-o", "late.vsies"], d);
    refused(&["agg", "sum", "u0.vsies", "late.vsies", "--unproved", "-o", "s.vsies"], d, "round 5", "s.vsies");
    ok(&["agg", "encrypt", "c0.json", "--public", "other/public.key", "--round", "4", "-o", "foreign.vsies"], d);
    refused(
        &["agg", "sum", "u1.vsies", "foreign.vsies", "--unproved", "-o", "s.vsies"],
        d,
        "another `agg keygen`",
        "s.vsies",
    );
    // Truncated and bit-flipped ciphertexts.
    let bytes = std::fs::read(d.join("u1.vsies")).unwrap();
    std::fs::write(d.join("cut.vsies"), &bytes[..bytes.len() - 100]).unwrap();
    unreadable(
        &["agg", "sum", "u0.vsies", "cut.vsies", "--unproved", "-o", "s.vsies"],
        d,
        "cut.vsies: truncated",
        "s.vsies",
    );
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    std::fs::write(d.join("flip.vsies"), &flipped).unwrap();
    unreadable(
        &["agg", "sum", "u0.vsies", "flip.vsies", "--unproved", "-o", "s.vsies"],
        d,
        "flip.vsies: checksum",
        "s.vsies",
    );
    // An existing output survives a refused command untouched.
    let before = std::fs::read(d.join("sum.vsies")).unwrap();
    let out = vsies(&["agg", "sum", "u0.vsies", "u0.vsies", "--unproved", "-o", "sum.vsies"], d);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(d.join("sum.vsies")).unwrap(), before);
    // Impossible committees.
    unreadable(
        &["agg", "keygen", "--trusted-dealer", "--members", "3", "--threshold", "4", "-o", "bad"],
        d,
        "threshold 4",
        "bad",
    );
}

/// A member decrypts only a genuine aggregate: the sum of the update files it is shown, of at
/// least 3 distinct clients (a ciphertext under a re-encoded header is still one client), once
/// per committee and round.
#[test]
fn members_decrypt_only_genuine_aggregates_once_per_round() {
    let dir = setup();
    let d = dir.path();
    let decrypt = |aggregate: &str, updates: &[&str], member: usize, output: &str| {
        let key = format!("committee/member-{member}.key");
        let args = [
            &["agg", "decrypt-share", aggregate, "--share", &key, "--updates"][..],
            updates,
            &["--registry", "clients.json", "--unproved", "-o", output],
        ]
        .concat();
        vsies(&args, d)
    };
    let refused = |out: std::process::Output, needle: &str, output: &str| {
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(needle), "{}", text(&out));
        assert!(!d.join(output).exists(), "{output} written");
    };
    // The old attack's shape: a one-client "aggregate" is a decryption of that client.
    refused(decrypt("u0.vsies", &["u0.vsies"], 1, "s1"), "sums 1 distinct client", "s1");
    // An aggregate that is not the sum of the files shown.
    ok(&["agg", "sum", "u0.vsies", "u1.vsies", "--unproved", "-o", "two.vsies"], d);
    refused(decrypt("two.vsies", &["u0.vsies", "u1.vsies", "u2.vsies"], 1, "s2"), "not the sum of the 3", "s2");
    // One client's ciphertext under a re-encoded header (re-checksummed) is refused: headers
    // have one encoding, so a file cannot pass for a second client.
    let payload =
        vsies_core::artifact::read_binary(&d.join("u0.vsies"), vsies_core::ArtifactKind::EncryptedUpdate).unwrap();
    let update = vsies_secure_agg::EncryptedUpdate::load(&d.join("u0.vsies")).unwrap();
    let json = serde_json::to_vec(&update.model).unwrap();
    let at = payload.windows(json.len()).position(|w| w == json).unwrap();
    let spaced = [&b" "[..], &json].concat(); // the same descriptor, re-encoded
    let mut forged = payload[..at - 4].to_vec();
    forged.extend_from_slice(&(spaced.len() as u32).to_le_bytes());
    forged.extend_from_slice(&spaced);
    forged.extend_from_slice(&payload[at + json.len()..]);
    vsies_core::artifact::write_binary(&d.join("again.vsies"), vsies_core::ArtifactKind::EncryptedUpdate, &forged)
        .unwrap();
    assert_ne!(std::fs::read(d.join("again.vsies")).unwrap(), std::fs::read(d.join("u0.vsies")).unwrap());
    let out = vsies(&["agg", "sum", "u0.vsies", "u1.vsies", "again.vsies", "--unproved", "-o", "dup.vsies"], d);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("again.vsies") && text(&out).contains("canonical encoding"), "{}", text(&out));
    // The same ciphertext twice is one client, found by its hash.
    let out = vsies(&["agg", "sum", "u0.vsies", "u1.vsies", "u0.vsies", "--unproved", "-o", "dup.vsies"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!d.join("dup.vsies").exists());
    // A member's minimum is never below 3 clients.
    let low = ["agg", "decrypt-share", "sum.vsies", "--share", "committee/member-1.key", "--updates", "u0.vsies"];
    let out = vsies(&[&low[..], &["--min-clients", "2", "--unregistered", "--unproved", "-o", "s0"]].concat(), d);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("at least 3"), "{}", text(&out));
    // The genuine aggregate decrypts, once; a second aggregate of the same round does not.
    assert!(decrypt("sum.vsies", &["u0.vsies", "u1.vsies", "u2.vsies"], 1, "p1").status.success());
    assert!(d.join("committee/member-1.key.decrypted").exists());
    refused(
        decrypt("sum.vsies", &["u0.vsies", "u1.vsies", "u2.vsies"], 1, "p1b"),
        "records a decryption of round 4",
        "p1b",
    );
    // Other members are not bound by member 1's record.
    assert!(decrypt("sum.vsies", &["u0.vsies", "u1.vsies", "u2.vsies"], 2, "p2").status.success());
    ok(&["agg", "combine", "sum.vsies", "p1", "p2", "-o", "model.json", "--unchecked"], d);
}

/// A share with one byte changed and its checksum recomputed: `agg combine` names the member
/// and writes nothing (it once wrote a wrong FedAvg model with exit 0).
#[test]
fn a_corrupted_share_is_named_and_no_model_is_written() {
    let dir = setup();
    let d = dir.path();
    let shares: Vec<String> = (1..=4).map(|m| share(d, m)).collect();
    let path = d.join(&shares[1]);
    let mut payload = vsies_core::artifact::read_binary(&path, vsies_core::ArtifactKind::DecryptionShare).unwrap();
    let last = payload.len() - 1;
    payload[last] ^= 0x01; // the top byte of the last partial value: a shift by a multiple of Delta
    vsies_core::artifact::write_binary(&path, vsies_core::ArtifactKind::DecryptionShare, &payload).unwrap();
    let out =
        vsies(&["agg", "combine", "sum.vsies", &shares[0], &shares[1], &shares[2], &shares[3], "-o", "m.json"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("member 2"), "{}", text(&out));
    assert!(!d.join("m.json").exists());
}

/// Clients are registered signing keys: an update that is unsigned, signed by an unregistered
/// key (an aggregator's Sybil), signed for another round (a replay under a rewritten header)
/// or a second update of one client is refused, and the member decrypts nothing.
#[test]
fn members_decrypt_only_registered_clients_signed_updates() {
    let dir = setup();
    let d = dir.path();
    let decrypt = |updates: &[&str]| {
        ok(&[&["agg", "sum"][..], updates, &["--unproved", "-o", "s.vsies"]].concat(), d);
        let args =
            [&["agg", "decrypt-share", "s.vsies", "--share", "committee/member-1.key", "--updates"][..], updates];
        vsies(&[&args.concat()[..], &["--registry", "clients.json", "--unproved", "-o", "p.vsies"]].concat(), d)
    };
    let refused = |out: std::process::Output, needle: &str| {
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(needle), "{}", text(&out));
        assert!(!d.join("p.vsies").exists());
        assert!(!d.join("committee/member-1.key.decrypted").exists(), "nothing recorded");
    };
    // Unsigned.
    ok(&["agg", "encrypt", "c0.json", "--public", "committee/public.key", "--round", "4", "-o", "unsigned.vsies"], d);
    refused(decrypt(&["unsigned.vsies", "u1.vsies", "u2.vsies"]), "unsigned.vsies: the update is not signed");
    // Signed by a key the committee never registered: the aggregator's own "client".
    ok(&["agg", "client-keygen", "-o", "sybil.key"], d);
    let sybil =
        ["agg", "encrypt", "c0.json", "--public", "committee/public.key", "--round", "4", "--sign", "sybil.key"];
    ok(&[&sybil[..], &["-o", "sybil.vsies"]].concat(), d);
    refused(decrypt(&["sybil.vsies", "u1.vsies", "u2.vsies"]), "which is not registered");
    // A client's round-3 update with its header rewritten to round 4 (checksum recomputed).
    let old = ["agg", "encrypt", "c0.json", "--public", "committee/public.key", "--round", "3", "--sign", "k0.key"];
    ok(&[&old[..], &["-o", "old.vsies"]].concat(), d);
    let mut payload =
        vsies_core::artifact::read_binary(&d.join("old.vsies"), vsies_core::ArtifactKind::EncryptedUpdate).unwrap();
    let at = payload.windows(8).position(|w| w == 3u64.to_le_bytes()).unwrap();
    payload[at..at + 8].copy_from_slice(&4u64.to_le_bytes());
    vsies_core::artifact::write_binary(&d.join("replayed.vsies"), vsies_core::ArtifactKind::EncryptedUpdate, &payload)
        .unwrap();
    refused(decrypt(&["replayed.vsies", "u1.vsies", "u2.vsies"]), "the signature is not");
    // A second update by client 0 in one aggregate.
    let again = ["agg", "encrypt", "c1.json", "--public", "committee/public.key", "--round", "4", "--sign", "k0.key"];
    ok(&[&again[..], &["-o", "again.vsies"]].concat(), d);
    refused(decrypt(&["u0.vsies", "again.vsies", "u1.vsies", "u2.vsies"]), "a second update signed by");
    // The genuine round still decrypts.
    assert!(decrypt(&["u0.vsies", "u1.vsies", "u2.vsies"]).status.success());
}

/// Members and the aggregator refuse updates that carry no proof of honest encryption when
/// given update keys, say why when given neither keys nor --unproved, and `agg verify-update`
/// refuses an unproved update (the proved flow runs in the main job and in secure-agg's tests).
#[test]
fn updates_without_a_valid_proof_are_refused() {
    let dir = setup();
    let d = dir.path();
    ok(
        &[
            "setup",
            "update",
            "--public",
            "committee/public.key",
            "--model",
            "c0.json",
            "-o",
            "uk",
            "--insecure-seed",
            "1",
        ],
        d,
    );
    let proofs = ["--proof-keys", "uk", "--public", "committee/public.key"];
    let updates = ["--updates", "u0.vsies", "u1.vsies", "u2.vsies", "--registry", "clients.json"];
    let decrypt =
        [&["agg", "decrypt-share", "sum.vsies", "--share", "committee/member-1.key"][..], &updates[..]].concat();
    refused(
        &[&decrypt[..], &proofs[..], &["-o", "p"]].concat(),
        d,
        "u0.vsies: refusing the update: it carries no proof",
        "p",
    );
    assert!(!d.join("committee/member-1.key.decrypted").exists(), "nothing recorded");
    unreadable(&[&decrypt[..], &["-o", "p"]].concat(), d, "--unproved", "p");
    let sum = ["agg", "sum", "u0.vsies", "u1.vsies", "u2.vsies"];
    refused(&[&sum[..], &proofs[..], &["-o", "s.vsies"]].concat(), d, "carries no proof", "s.vsies");
    let out = vsies(&[&["agg", "verify-update", "u0.vsies"][..], &proofs[..]].concat(), d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("carries no proof"), "{}", text(&out));
    let inspected = text(&vsies(&["inspect", "u0.vsies"], d));
    assert!(inspected.contains("no update proof"), "{inspected}");
}
