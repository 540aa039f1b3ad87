//! Key sets appear whole: `keygen`, `agg keygen` and `setup` refuse an existing set without
//! `--force`, replace it in one step with it (no stale member files of an earlier committee),
//! never delete files that are not part of a key set, and leave no staging directory behind.

mod common;

use common::{ok, text, vsies};
use std::path::Path;

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn an_existing_key_set_needs_force_and_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = ok(&["keygen", "-o", "keys"], d);
    let refused = vsies(&["keygen", "-o", "keys"], d);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("keys: a key set is already there; give --force"), "{}", text(&refused));
    let second = ok(&["keygen", "-o", "keys", "--force"], d);
    let id = |out: &str| out.lines().find(|l| l.starts_with("key id")).unwrap().to_string();
    assert_ne!(id(&first), id(&second), "a new key set");
    assert_eq!(entries(&d.join("keys")), ["eval.key", "public.key", "secret.key"]);

    // A committee of 5 replaced by one of 3: members 4 and 5 of the old one do not linger.
    common::dealer_committee(5, 3, "committee", &[], d);
    let committee_key = std::fs::read(d.join("committee/public.key")).unwrap();
    let args = ["agg", "keygen", "--trusted-dealer", "--members", "3", "--threshold", "2", "--packing", "1"];
    let refused = vsies(&[&args[..], &["-o", "committee"]].concat(), d);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("committee: a key set is already there; give --force"), "{}", text(&refused));
    assert_eq!(std::fs::read(d.join("committee/public.key")).unwrap(), committee_key, "untouched");
    assert_eq!(entries(&d.join("committee")).len(), 6, "five members and the public key");
    common::dealer_committee(3, 2, "committee", &["--force"], d);
    assert_eq!(entries(&d.join("committee")), ["member-1.key", "member-2.key", "member-3.key", "public.key"]);

    // --force never deletes what is not a key set's file.
    std::fs::write(d.join("keys/notes.txt"), "mine").unwrap();
    let refused = vsies(&["keygen", "-o", "keys", "--force"], d);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused).contains("notes.txt"), "{}", text(&refused));
    assert!(d.join("keys/secret.key").exists() && d.join("keys/notes.txt").exists());

    // A refused setup writes nothing; an accepted one leaves no staging directory.
    ok(&["schema", "infer", common::bundled().to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], d);
    std::fs::create_dir(d.join("zk")).unwrap();
    std::fs::write(d.join("zk/proving.key"), "old").unwrap();
    let setup = [
        "setup",
        "data",
        "--schema",
        "schema.toml",
        "--rows",
        "8",
        "--buckets",
        "2",
        "-o",
        "zk",
        "--insecure-seed",
        "1",
    ];
    assert_eq!(vsies(&setup, d).status.code(), Some(2));
    assert_eq!(std::fs::read(d.join("zk/proving.key")).unwrap(), b"old");
    ok(&[&setup[..], &["--force"]].concat(), d);
    assert_eq!(entries(&d.join("zk")), ["proving.key", "verification_key.json", "verifying.key"]);
    assert_eq!(entries(d), ["committee", "keys", "schema.toml", "zk"], "no staging directory left");
}

/// SIGINT or SIGTERM while `setup` streams its proving key: exit 130, and neither the
/// temporary key file nor the staging directory remains.
#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_setup_leaves_nothing_behind() {
    for signal in ["-INT", "-TERM"] {
        interrupt_setup(signal);
    }
}

fn interrupt_setup(signal: &str) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&["schema", "infer", common::bundled().to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], d);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_vsies"))
        .args(["setup", "train", "--schema", "schema.toml", "--rows", "400", "-o", "keys", "--insecure-seed", "1"])
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the staging directory has a temporary file in it: the key is being written.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let writing = || {
        entries(d).iter().filter(|n| n.starts_with(".vsies-staging")).any(|staging| {
            std::fs::read_dir(d.join(staging))
                .is_ok_and(|mut e| e.any(|f| f.is_ok_and(|f| f.file_name().to_string_lossy().contains(".tmp-"))))
        })
    };
    while !writing() {
        assert!(std::time::Instant::now() < deadline, "setup never started writing");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let status = std::process::Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{signal}: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(entries(d), ["schema.toml"], "{signal}: nothing left behind");
}
