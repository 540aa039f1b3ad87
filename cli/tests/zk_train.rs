//! `vsies setup train`, `prove train`, `verify` on a training proof end to end on rows of the
//! bundled dataset: the proved model is byte-identical to `vsies train`'s, the opening is
//! owner-only, verification checks the starting and trained models, and tampered statements,
//! other models, other keys and damaged files are refused with the documented exit codes.

mod common;

use common::{bundled, ok, text, vsies};
use std::path::Path;

/// A schema of the bundled file, its first 24 rows as `part.csv`, keys for 24 rows x 2 epochs.
fn prepare(dir: &Path) {
    let data = bundled();
    ok(&["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], dir);
    let csv = std::fs::read_to_string(&data).unwrap();
    std::fs::write(dir.join("part.csv"), csv.lines().take(25).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    let setup = ["setup", "train", "--schema", "schema.toml", "--rows", "24", "--epochs", "2", "-o", "tk"];
    let out = ok(&[&setup[..], &["--insecure-seed", "1"]].concat(), dir);
    assert!(out.contains("per sample x feature x epoch") && out.contains("lookup"), "{out}");
}

fn prove(dir: &Path, extra: &[&str], output: &str) -> std::process::Output {
    let args = ["prove", "train", "part.csv", "--schema", "schema.toml", "--keys", "tk", "-o", output];
    let files = ["--model-out", "m.json", "--opening", "o.json", "--insecure-seed", "2"];
    vsies(&[&args[..], &files[..], extra].concat(), dir)
}

#[test]
fn a_training_proof_is_the_spec_and_verifies_with_its_models() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir);
    let out = prove(dir, &["--round", "3", "--node", "0x00000000000000000000000000000000000000C1"], "tp.json");
    assert!(out.status.success(), "{}", text(&out));
    // On the GPU kernels' path (their sources on the CPU emulator): the same proof bytes.
    let node = ["--round", "3", "--node", "0x00000000000000000000000000000000000000C1"];
    let out = prove(dir, &[&node[..], &["--device", "emulator"]].concat(), "tp-emulated.json");
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read(dir.join("tp.json")).unwrap(), std::fs::read(dir.join("tp-emulated.json")).unwrap());
    ok(&["train", "part.csv", "--schema", "schema.toml", "--epochs", "2", "-o", "trained.json"], dir);
    assert_eq!(std::fs::read(dir.join("m.json")).unwrap(), std::fs::read(dir.join("trained.json")).unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("o.json")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the opening is owner-only");
    }
    let out = ok(&["verify", "tp.json", "--keys", "tk", "--model", "m.json", "--opening", "o.json"], dir);
    assert!(out.starts_with("valid: training on 24 rows (48 compute units) for round 3"), "{out}");
    assert!(out.contains("(opened: the model given)") && out.contains("2 epochs"), "{out}");
    let inspected = ok(&["inspect", "tp.json"], dir);
    assert!(inspected.contains("round 3, node 0x00000000000000000000000000000000000000c1"), "{inspected}");
    assert!(ok(&["inspect", "o.json"], dir).contains("the blinding is secret"));

    // The trained commitment does not open to another model; the start was not another model.
    ok(&["train", "part.csv", "--schema", "schema.toml", "--epochs", "1", "-o", "other.json"], dir);
    let wrong = vsies(&["verify", "tp.json", "--keys", "tk", "--model", "other.json", "--opening", "o.json"], dir);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));
    let wrong = vsies(&["verify", "tp.json", "--keys", "tk", "--init", "other.json"], dir);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong));

    // From a starting model: --init on both sides.
    let out = prove(dir, &["--init", "other.json"], "tp2.json");
    assert!(out.status.success(), "{}", text(&out));
    ok(&["verify", "tp2.json", "--keys", "tk", "--init", "other.json"], dir);
    // Without --init the proof is still valid, and the output says the start was not checked.
    let unchecked = ok(&["verify", "tp2.json", "--keys", "tk"], dir);
    assert!(unchecked.contains("(not checked: give --init MODEL)"), "{unchecked}");

    // Same seed, same bytes.
    assert!(prove(dir, &["--round", "3", "--node", "0x00000000000000000000000000000000000000c1"], "again.json")
        .status
        .success());
    assert_eq!(std::fs::read(dir.join("tp.json")).unwrap(), std::fs::read(dir.join("again.json")).unwrap());
}

#[test]
fn tampered_statements_other_keys_and_damaged_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir);
    assert!(prove(dir, &[], "tp.json").status.success());
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("tp.json")).unwrap()).unwrap();
    // An attacker's edits with the checksum recomputed: another round, more compute, another
    // node, the listed inputs changed to match: exit 1.
    for (field, value) in [
        ("round", serde_json::json!(1)),
        ("compute", serde_json::json!(4800)),
        ("node", serde_json::json!("0x00000000000000000000000000000000000000ff")),
        ("trained_commitment", file["body"]["initial_commitment"].clone()),
    ] {
        let mut forged = file.clone();
        forged["body"][field] = value;
        std::fs::write(
            dir.join("forged.json"),
            vsies_core::artifact::encode_json(vsies_core::ArtifactKind::TrainingProof, &forged["body"]),
        )
        .unwrap();
        let out = vsies(&["verify", "forged.json", "--keys", "tk"], dir);
        assert_eq!(out.status.code(), Some(1), "{field}: {}", text(&out));
    }
    // A flipped byte without the checksum: unreadable, exit 2.
    let mut raw = std::fs::read(dir.join("tp.json")).unwrap();
    let at = raw.len() / 2;
    raw[at] ^= 1;
    std::fs::write(dir.join("flipped.json"), raw).unwrap();
    assert_eq!(vsies(&["verify", "flipped.json", "--keys", "tk"], dir).status.code(), Some(2));
    // Keys of another setup: exit 1.
    let setup = ["setup", "train", "--schema", "schema.toml", "--rows", "24", "--epochs", "2", "-o", "tk2"];
    ok(&[&setup[..], &["--insecure-seed", "9"]].concat(), dir);
    assert_eq!(vsies(&["verify", "tp.json", "--keys", "tk2"], dir).status.code(), Some(1));
    // Data of another row count cannot be proved under these keys, and nothing is written.
    let csv = std::fs::read_to_string(dir.join("part.csv")).unwrap();
    std::fs::write(dir.join("short.csv"), csv.lines().take(20).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    let args = ["prove", "train", "short.csv", "--schema", "schema.toml", "--keys", "tk", "-o", "short.json"];
    let out = vsies(&[&args[..], &["--model-out", "sm.json", "--opening", "so.json"]].concat(), dir);
    assert!(!out.status.success() && text(&out).contains("exactly 24"), "{}", text(&out));
    assert!(!dir.join("short.json").exists() && !dir.join("sm.json").exists());
}
