//! `vsies setup data`, `prove data`, `verify` end to end on rows of the bundled dataset.

mod common;

use common::{bundled, ok, text, vsies};
use std::path::Path;

/// A schema from the whole bundled file, the first `rows` rows as a CSV, and keys for 64 rows.
fn prepare(dir: &Path, rows: usize) {
    let data = bundled();
    ok(&["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], dir);
    let csv = std::fs::read_to_string(&data).unwrap();
    let head: Vec<&str> = csv.lines().take(rows + 1).collect();
    std::fs::write(dir.join("part.csv"), head.join("\n") + "\n").unwrap();
    ok(&["setup", "data", "--schema", "schema.toml", "--rows", "64", "-o", "zk", "--insecure-seed", "1"], dir);
}

#[test]
fn prove_and_verify_a_dataset_and_reject_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir, 50);
    let out = ok(&["prove", "data", "part.csv", "--schema", "schema.toml", "--keys", "zk", "-o", "proof.json"], dir);
    assert!(out.contains("proved 50 rows"), "{out}");
    let out = ok(&["verify", "proof.json", "--keys", "zk"], dir);
    assert!(out.starts_with("valid: 50 rows"), "{out}");

    // `vsies encrypt` records the commitment the proof states.
    let proof: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("proof.json")).unwrap()).unwrap();
    let commitment = proof["body"]["commitment"].as_str().unwrap().to_string();
    ok(&["keygen", "-o", "keys"], dir);
    ok(&["encrypt", "part.csv", "--schema", "schema.toml", "--keys", "keys", "-o", "part.vsies"], dir);
    let out = ok(&["inspect", "part.vsies"], dir);
    assert!(out.contains(&format!("data commitment: {commitment}")), "{out}");

    // Same seed, same proof bytes.
    for output in ["p1.json", "p2.json"] {
        let args = ["prove", "data", "part.csv", "--schema", "schema.toml", "--keys", "zk", "--insecure-seed", "5"];
        ok(&[&args[..], &["-o", output]].concat(), dir);
    }
    assert_eq!(std::fs::read(dir.join("p1.json")).unwrap(), std::fs::read(dir.join("p2.json")).unwrap());
    // On the GPU kernels' path (their sources on the CPU emulator): the same proof bytes.
    let args = ["prove", "data", "part.csv", "--schema", "schema.toml", "--keys", "zk", "--insecure-seed", "5"];
    ok(&[&args[..], &["--device", "emulator", "-o", "p3.json"]].concat(), dir);
    assert_eq!(std::fs::read(dir.join("p1.json")).unwrap(), std::fs::read(dir.join("p3.json")).unwrap());

    // A changed row count in the body (checksum recomputed, as an attacker would): exit 1.
    let mut file: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("proof.json")).unwrap()).unwrap();
    file["body"]["rows"] = serde_json::json!(49);
    let forged = vsies_core::artifact::encode_json(vsies_core::ArtifactKind::DataProof, &file["body"]);
    std::fs::write(dir.join("forged.json"), forged).unwrap();
    let out = vsies(&["verify", "forged.json", "--keys", "zk"], dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("invalid"), "{}", text(&out));

    // Other spellings of the same proof bytes (checksums recomputed) are refused: uppercase,
    // a 0x prefix, a trailing byte, white space, and the first point flagged as the identity.
    let hex = file["body"]["proof"].as_str().unwrap().to_string();
    let mut identity = vsies_core::codec::unhex(&hex).unwrap();
    identity[31] ^= 0x40;
    let spellings = [
        hex.to_uppercase(),
        format!("0x{hex}"),
        format!("{hex}00"),
        format!(" {hex}"),
        vsies_core::codec::hex(&identity),
    ];
    for (index, spelling) in spellings.iter().enumerate() {
        let mut other = file.clone();
        other["body"]["rows"] = proof["body"]["rows"].clone();
        other["body"]["proof"] = serde_json::json!(spelling);
        let name = format!("spelled-{index}.json");
        std::fs::write(
            dir.join(&name),
            vsies_core::artifact::encode_json(vsies_core::ArtifactKind::DataProof, &other["body"]),
        )
        .unwrap();
        let out = vsies(&["verify", &name, "--keys", "zk"], dir);
        assert_ne!(out.status.code(), Some(0), "{index}: {}", text(&out));
        assert!(text(&out).contains("`proof`"), "{index}: {}", text(&out));
    }

    // A bit flip without fixing the checksum: unreadable, exit 2.
    let mut raw = std::fs::read(dir.join("proof.json")).unwrap();
    let at = raw.len() / 2;
    raw[at] ^= 1;
    std::fs::write(dir.join("flipped.json"), raw).unwrap();
    assert_eq!(vsies(&["verify", "flipped.json", "--keys", "zk"], dir).status.code(), Some(2));

    // Keys from another setup: exit 1.
    ok(&["setup", "data", "--schema", "schema.toml", "--rows", "64", "-o", "zk2", "--insecure-seed", "2"], dir);
    assert_eq!(vsies(&["verify", "proof.json", "--keys", "zk2"], dir).status.code(), Some(1));
}

#[test]
fn data_outside_the_schema_cannot_be_proved_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir, 20);
    let csv = std::fs::read_to_string(dir.join("part.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[3].split(',').map(String::from).collect();
    cells[0] = "1e9".into();
    lines[3] = cells.join(",");
    std::fs::write(dir.join("bad.csv"), lines.join("\n") + "\n").unwrap();
    let out = vsies(&["prove", "data", "bad.csv", "--schema", "schema.toml", "--keys", "zk", "-o", "proof.json"], dir);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("line 4, row 2, column \"mean_radius\""), "{}", text(&out));
    assert!(!dir.join("proof.json").exists());

    // Too many rows for the keys: exit 2, nothing written.
    let data = bundled();
    let out = vsies(
        &["prove", "data", data.to_str().unwrap(), "--schema", "schema.toml", "--keys", "zk", "-o", "proof.json"],
        dir,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("at most 64"), "{}", text(&out));
    assert!(!dir.join("proof.json").exists());

    // Another schema than the keys': exit 2.
    ok(
        &["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "--name", "other", "-o", "other.toml"],
        dir,
    );
    let out = vsies(&["prove", "data", "part.csv", "--schema", "other.toml", "--keys", "zk", "-o", "proof.json"], dir);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("is not the schema of the keys"), "{}", text(&out));
}

#[test]
fn snarkjs_layout_files_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    prepare(dir, 10);
    ok(
        &[
            "prove",
            "data",
            "part.csv",
            "--schema",
            "schema.toml",
            "--keys",
            "zk",
            "-o",
            "proof.json",
            "--snarkjs",
            "sj",
        ],
        dir,
    );
    let public: Vec<String> = serde_json::from_slice(&std::fs::read(dir.join("sj/public.json")).unwrap()).unwrap();
    let key: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("sj/verification_key.json")).unwrap()).unwrap();
    assert_eq!(key["nPublic"].as_u64().unwrap() as usize, public.len());
    assert_eq!(key["IC"].as_array().unwrap().len(), public.len() + 1);
    assert_eq!(public.len(), 2, "the vault's layout: node << 60 and the statement digest");
    assert_eq!(public[0], "0", "no --node: the zero account");
    let proof: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("sj/proof.json")).unwrap()).unwrap();
    assert_eq!(proof["protocol"], "groth16");
    assert_eq!(proof["pi_b"].as_array().unwrap().len(), 3);
}
