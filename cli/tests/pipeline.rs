//! One typed pipeline: a dataset quantized once (`vsies quantize` → `.vqd`) is what `train`,
//! `predict`, `encrypt` and `prove data` take, with the same results as from the CSV, and a
//! `.vqd` of another schema is refused by name.

mod common;

use common::{bundled, ok, text, vsies};

/// Split, schema and the training side quantized, in a fresh folder.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = bundled();
    ok(&["split", data.to_str().unwrap(), "--train", "train.csv", "--test", "test.csv"], d);
    ok(&["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "-o", "schema.toml"], d);
    ok(&["quantize", "train.csv", "--schema", "schema.toml", "-o", "train.vqd"], d);
    ok(&["quantize", "test.csv", "--schema", "schema.toml", "-o", "test.vqd"], d);
    dir
}

#[test]
fn training_from_the_vqd_gives_the_model_trained_from_the_csv() {
    let dir = workspace();
    let d = dir.path();
    ok(&["train", "train.csv", "--schema", "schema.toml", "-o", "from_csv.json"], d);
    ok(&["train", "train.vqd", "--schema", "schema.toml", "-o", "from_vqd.json"], d);
    assert_eq!(std::fs::read(d.join("from_csv.json")).unwrap(), std::fs::read(d.join("from_vqd.json")).unwrap());
    ok(&["predict", "test.csv", "--model", "from_csv.json", "-o", "p_csv.csv"], d);
    let out = ok(&["predict", "test.vqd", "--model", "from_csv.json", "-o", "p_vqd.csv"], d);
    assert!(out.contains("accuracy 0.9720"), "{out}");
    assert_eq!(std::fs::read(d.join("p_csv.csv")).unwrap(), std::fs::read(d.join("p_vqd.csv")).unwrap());
}

#[test]
fn encrypt_and_prove_take_the_vqd_and_state_the_same_commitment() {
    let dir = workspace();
    let d = dir.path();
    ok(&["keygen", "-o", "keys"], d);
    ok(&["encrypt", "test.vqd", "--schema", "schema.toml", "--keys", "keys", "-o", "test.vsies"], d);
    let args = ["setup", "data", "--schema", "schema.toml", "--rows", "150", "-o", "zk", "--insecure-seed", "3"];
    ok(&args, d);
    ok(&["prove", "data", "test.vqd", "--schema", "schema.toml", "--keys", "zk", "-o", "proof.json"], d);
    let proof: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("proof.json")).unwrap()).unwrap();
    let commitment = proof["body"]["commitment"].as_str().unwrap();
    let inspected = ok(&["inspect", "test.vsies"], d);
    assert!(inspected.contains(&format!("data commitment: {commitment}")), "{inspected}");
}

#[test]
fn a_vqd_of_another_schema_or_without_labels_is_refused() {
    let dir = workspace();
    let d = dir.path();
    let data = bundled();
    ok(&["schema", "infer", data.to_str().unwrap(), "--label", "malignant", "--name", "other", "-o", "other.toml"], d);
    let out = vsies(&["train", "train.vqd", "--schema", "other.toml", "-o", "m.json"], d);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("train.vqd was quantized under schema"), "{}", text(&out));
    assert!(!d.join("m.json").exists());
    // Unlabelled rows quantize (for prediction) but cannot be trained on.
    let csv = std::fs::read_to_string(d.join("test.csv")).unwrap();
    let unlabeled: String = csv.lines().map(|line| line.rsplit_once(',').unwrap().0.to_string() + "\n").collect();
    std::fs::write(d.join("unlabeled.csv"), unlabeled).unwrap();
    ok(&["quantize", "unlabeled.csv", "--schema", "schema.toml", "-o", "unlabeled.vqd"], d);
    let out = vsies(&["train", "unlabeled.vqd", "--schema", "schema.toml", "-o", "m.json"], d);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("has no labels"), "{}", text(&out));
}

#[test]
fn inspect_reports_every_kind_with_the_files_own_format_version() {
    let dir = workspace();
    let d = dir.path();
    ok(&["keygen", "-o", "keys"], d);
    common::dealer_committee(3, 2, "committee", &[], d);
    let args = [
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
    ok(&args, d);
    for (file, kind) in [
        ("train.vqd", "quantized-dataset"),
        ("keys/secret.key", "fhe-secret-key"),
        ("keys/public.key", "fhe-public-key"),
        ("keys/eval.key", "fhe-evaluation-key"),
        ("committee/public.key", "committee-public-key"),
        ("committee/member-1.key", "committee-key-share"),
        ("zk/proving.key", "zk-proving-key"),
        ("zk/verifying.key", "zk-verifying-key"),
    ] {
        let out = ok(&["inspect", file], d);
        assert!(out.starts_with(&format!("kind: {kind} (")) && out.contains("format version 1"), "{file}: {out}");
    }
    let out = ok(&["inspect", "zk/proving.key"], d);
    assert!(out.contains("relation: vsies/data-validation/v2") && out.contains("checksum verified"), "{out}");
    // A newer format version is reported as such, not as corruption.
    let mut bytes = std::fs::read(d.join("train.vqd")).unwrap();
    bytes[8] = 2;
    std::fs::write(d.join("newer.vqd"), bytes).unwrap();
    let out = vsies(&["inspect", "newer.vqd"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("format version 2 is newer"), "{}", text(&out));
}
