//! `vsies ceremony` end to end on a tiny schema's data-validation relation: an inline phase 1
//! with two contributors and a beacon, a phase 2 with three contributors and a beacon, keys
//! that prove and verify (and that the original setup's keys refuse), a tampered transcript
//! named with exit 1, and usage errors with exit 2.

mod common;

use common::{ok, text, vsies};
use std::path::Path;

fn prepare(dir: &Path) {
    std::fs::write(dir.join("tiny.csv"), "x,y\n0.1,0\n0.5,1\n0.3,0\n0.9,1\n").unwrap();
    ok(&["schema", "infer", "tiny.csv", "--label", "y", "-o", "schema.toml"], dir);
    ok(&["setup", "data", "--schema", "schema.toml", "--rows", "4", "-o", "setup", "--insecure-seed", "1"], dir);
}

#[test]
fn a_ceremony_gives_keys_that_prove_and_a_bad_transcript_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir);
    let out = ok(&["ceremony", "init", "--keys", "setup", "-o", "cer"], dir);
    assert!(out.contains("vsies/data-validation/v2") && out.contains("phase 1 started"), "{out}");
    // Phase 2 cannot be finalized while phase 1 is open.
    let out = vsies(&["ceremony", "finalize", "cer", "-o", "keys"], dir);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    for name in ["alice", "bob"] {
        let out = ok(&["ceremony", "contribute", "cer", "--name", name], dir);
        assert!(out.contains("phase 1: contribution"), "{out}");
    }
    let out = ok(&["ceremony", "beacon", "cer", "--hex", "0badc0de", "--iterations", "2"], dir);
    assert!(out.contains("phase 2 started"), "{out}");
    for name in ["carol", "dave", "erin"] {
        let out = ok(&["ceremony", "contribute", "cer", "--name", name], dir);
        assert!(out.contains("phase 2: contribution"), "{out}");
    }
    ok(&["ceremony", "beacon", "cer", "--hex", "c0ffee", "--iterations", "2"], dir);
    let out = ok(&["ceremony", "verify", "cer"], dir);
    assert!(out.contains("phase 2: 4 contributions") && out.trim_end().ends_with("valid"), "{out}");
    let out = ok(&["ceremony", "finalize", "cer", "-o", "keys"], dir);
    assert!(out.contains("verifying key id"), "{out}");

    let out = ok(&["prove", "data", "tiny.csv", "--schema", "schema.toml", "--keys", "keys", "-o", "proof.json"], dir);
    assert!(out.contains("proved 4 rows"), "{out}");
    ok(&["verify", "proof.json", "--keys", "keys"], dir);
    // The one-party setup's keys refuse the ceremony keys' proof.
    let out = vsies(&["verify", "proof.json", "--keys", "setup"], dir);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));

    // A forged proof of knowledge in Dave's contribution: exit 1, Dave named.
    let path = dir.join("cer/transcript.json");
    let transcript = std::fs::read_to_string(&path).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&transcript).unwrap();
    let key = &mut value["body"]["contributions"][1]["factors"][0]["key"];
    let (s, sx) = (key["s_g1"].clone(), key["sx_g1"].clone());
    key["s_g1"] = sx;
    key["sx_g1"] = s;
    let forged = vsies_core::artifact::encode_json(vsies_core::ArtifactKind::CeremonyTranscript, &value["body"]);
    std::fs::write(&path, forged).unwrap();
    let out = vsies(&["ceremony", "verify", "cer"], dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("contribution 2 (`dave`)"), "{}", text(&out));
    // Keys are not written from it either.
    let out = vsies(&["ceremony", "finalize", "cer", "-o", "keys2"], dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!dir.join("keys2/proving.key").exists());
}

#[test]
fn ceremony_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let out = vsies(&["ceremony", "verify", "nowhere"], dir);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = vsies(&["ceremony", "powers", "--power", "0", "-o", "p"], dir);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    ok(&["ceremony", "powers", "--power", "3", "-o", "p"], dir);
    let out = vsies(&["ceremony", "beacon", "p", "--hex", "not-hex", "--iterations", "1"], dir);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = ok(&["ceremony", "contribute", "p", "--name", "alice"], dir);
    assert!(out.contains("phase 1: contribution 1"), "{out}");
    let out = ok(&["ceremony", "verify", "p"], dir);
    assert!(out.contains("1. `alice`"), "{out}");
}
