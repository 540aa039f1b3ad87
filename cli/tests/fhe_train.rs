//! `vsies keygen --training`, `encrypt --training`, `train-encrypted` and `decrypt` of an
//! encrypted model, end to end: the decrypted model is `vsies train`'s model.json byte for
//! byte, a resumed or single-threaded run gives the same bytes, and the key holder refuses to
//! decrypt without an independent validator's valid attestation.

mod common;

use common::{ok, text, vsies};
use std::path::Path;
use std::process::Command;

/// Seven iris rows, two features quantized to 3 bits: small enough for a test of every batch.
const CSV: &str =
    "sepal_length_cm,sepal_width_cm,virginica\n7,3.2,0\n6.4,3.2,0\n6.9,3.1,0\n5.5,2.3,0\n6.5,3,1\n6.2,3.4,1\n5.9,3,1\n";
const SCHEMA: &str = r#"name = "tiny"

[label]
column = "virginica"
classes = ["0", "1"]

[quantization]
bits = 3
frac_bits = 1

[[features]]
name = "sepal_length_cm"
min = 5.0
max = 7.0
mean = 6.34286
scale = 0.492391

[[features]]
name = "sepal_width_cm"
min = 2.0
max = 4.0
mean = 3.02857
scale = 0.32388
"#;
const FLAGS: [&str; 12] = [
    "--weight-bits",
    "4",
    "--weight-frac-bits",
    "2",
    "--sigmoid-frac-bits",
    "1",
    "--batch-size-log2",
    "2",
    "--learning-rate-log2",
    "0",
    "--epochs",
    "1",
];

fn with_flags<'a>(args: &[&'a str]) -> Vec<&'a str> {
    args.iter().copied().chain(FLAGS).collect()
}

fn address(output: &str) -> String {
    output.split_whitespace().skip_while(|w| *w != "address").nth(1).expect("an address").to_string()
}

fn code(args: &[&str], dir: &Path) -> (i32, String) {
    let out = vsies(args, dir);
    (out.status.code().unwrap_or(-1), text(&out))
}

#[test]
fn encrypted_training_end_to_end_with_resume_determinism_and_attestations() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("tiny.csv"), CSV).unwrap();
    std::fs::write(d.join("tiny.toml"), SCHEMA).unwrap();
    // A plain key set first; --training adds the keys for the same secret key.
    let made = ok(&["keygen", "-o", "keys"], d);
    let secret_before = std::fs::read(d.join("keys/secret.key")).unwrap();
    let added = ok(&["keygen", "--training", "-o", "keys"], d);
    assert!(added.contains("added training keys"), "{added}");
    assert_eq!(std::fs::read(d.join("keys/secret.key")).unwrap(), secret_before, "nothing replaced");
    let key_id = made.lines().find(|l| l.starts_with("key id")).unwrap();
    assert!(added.contains(key_id.trim_start_matches("key id ")), "{added}");
    assert!(ok(&["keygen", "--training", "-o", "keys"], d).contains("already holds training keys"));
    ok(&["setup", "encryption", "--training", "--keys", "keys"], d);
    ok(
        &[
            "encrypt",
            "--training",
            "--prove",
            "tiny.csv",
            "--schema",
            "tiny.toml",
            "--keys",
            "keys",
            "-o",
            "train.vsies",
        ],
        d,
    );
    ok(&["encrypt", "--training", "tiny.csv", "--schema", "tiny.toml", "--keys", "keys", "-o", "unproved.vsies"], d);
    let node = address(&ok(&["agg", "client-keygen", "-o", "node.key"], d));
    ok(&["agg", "client-keygen", "-o", "validator.key"], d);

    // The compute node: one batch, stop, resume (it holds only the public eval.key, public.key
    // and training.crs).
    std::fs::create_dir(d.join("node")).unwrap();
    for public in ["eval.key", "public.key", "training.crs"] {
        std::fs::copy(d.join("keys").join(public), d.join("node").join(public)).unwrap();
    }
    // Rows without proofs are refused before any bootstrap.
    let (rc, out) = code(&with_flags(&["train-encrypted", "unproved.vsies", "--keys", "node", "-o", "u.vsies"]), d);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("no proofs") && !d.join("u.vsies").exists(), "{out}");
    let stopped = ok(
        &with_flags(&["train-encrypted", "train.vsies", "--keys", "node", "-o", "m.vsies", "--max-batches", "1"]),
        d,
    );
    assert!(stopped.contains("stopped after 1 batches (1/2"), "{stopped}");
    assert!(!d.join("m.vsies").exists() && d.join("m.vsies.checkpoint/checkpoint.vsies").exists());
    let resumed = ok(
        &with_flags(&[
            "train-encrypted",
            "train.vsies",
            "--keys",
            "node",
            "-o",
            "m.vsies",
            "--resume",
            "--attest",
            "node.key",
        ]),
        d,
    );
    assert!(resumed.contains("trained 1 batches"), "{resumed}");
    // A validator re-executes on one thread and gets the same bytes.
    let out = Command::new(env!("CARGO_BIN_EXE_vsies"))
        .args(with_flags(&[
            "train-encrypted",
            "train.vsies",
            "--keys",
            "node",
            "-o",
            "v.vsies",
            "--attest",
            "validator.key",
        ]))
        .env("RAYON_NUM_THREADS", "1")
        .current_dir(d)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read(d.join("m.vsies")).unwrap(), std::fs::read(d.join("v.vsies")).unwrap());

    let decrypt = |attestations: &[&str]| {
        let mut args =
            vec!["decrypt", "m.vsies", "--keys", "keys", "--schema", "tiny.toml", "--node", &node, "-o", "dec.json"];
        args.push("--attestations");
        args.extend_from_slice(attestations);
        code(&args, d)
    };
    // The node's own attestation does not count.
    let (rc, out) = decrypt(&["m.vsies.attestation.json"]);
    assert_eq!(rc, 1, "{out}");
    assert!(
        out.contains("not counted") && out.contains("refusing to decrypt") && !d.join("dec.json").exists(),
        "{out}"
    );
    // Re-saved with valid checksums: a forged signature, and a genuine signature moved to
    // another content id, do not count.
    let genuine = vsies_secure_agg::Attestation::load(&d.join("v.vsies.attestation.json")).unwrap();
    let mut forged = genuine.clone();
    let flip = if forged.signature.starts_with('0') { "1" } else { "0" };
    forged.signature.replace_range(0..1, flip);
    forged.save(&d.join("forged.json")).unwrap();
    let (rc, out) = decrypt(&["forged.json"]);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("forged signature"), "{out}");
    let mut moved = genuine.clone();
    moved.content_id = "bafkreigzsyx2onvd5fjtsoxm5vrrv3tgkk6hqd54jguqyi2dh3f6bbz3vq".into();
    moved.save(&d.join("other.json")).unwrap();
    let (rc, out) = decrypt(&["other.json", "m.vsies.attestation.json"]);
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("not this artifact"), "{out}");
    // With the validator's attestation: the model `vsies train` writes, byte for byte.
    let (rc, out) = decrypt(&["v.vsies.attestation.json", "m.vsies.attestation.json"]);
    assert_eq!(rc, 0, "{out}");
    ok(&with_flags(&["train", "tiny.csv", "--schema", "tiny.toml", "-o", "plain.json"]), d);
    assert_eq!(std::fs::read(d.join("dec.json")).unwrap(), std::fs::read(d.join("plain.json")).unwrap());
}

/// `bench fhe-train --peer` checks the peer's file before it measures anything: a crafted one
/// is refused with its path and field, exit 1, and nothing on stdout.
#[test]
fn bench_fhe_train_refuses_a_crafted_peer_file_before_measuring() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::bundled();
    let data = data.to_str().unwrap();
    ok(&["schema", "infer", data, "--label", "malignant", "-o", "schema.toml"], dir.path());
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/peers/concrete_ml_train.json");
    let text = std::fs::read_to_string(committed).unwrap();
    let crafted = text.replace("\"batch\": 8", "\"batch\": 9");
    assert_ne!(crafted, text, "the committed file names its batch");
    std::fs::write(dir.path().join("peer.json"), crafted).unwrap();
    let out = vsies(&["bench", "fhe-train", data, "--schema", "schema.toml", "--peer", "peer.json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", common::text(&out));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("peer.json: field batch is 9; this run's is 8"));
}
