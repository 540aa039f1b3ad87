//! End-to-end encrypted inference through the `vsies` binary: decrypted predictions are
//! byte-identical to `vsies predict`, a contributor encrypts with the public key alone, and
//! every bad input is a clear error that leaves no output file behind.

mod common;

use common::{ok, text, vsies};
use std::path::Path;

/// Split, schema, model, plaintext predictions and a key set in a fresh folder.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/data/breast_cancer.csv");
    let data = data.to_str().unwrap();
    let d = dir.path();
    ok(&["split", data, "--train", "train.csv", "--test", "test.csv"], d);
    ok(&["schema", "infer", data, "--label", "malignant", "--name", "breast_cancer", "-o", "schema.toml"], d);
    ok(&["train", "train.csv", "--schema", "schema.toml", "-o", "model.json"], d);
    ok(&["predict", "test.csv", "--model", "model.json", "-o", "preds.csv"], d);
    ok(&["keygen", "-o", "keys"], d);
    dir
}

#[test]
fn decrypted_predictions_are_byte_identical_to_plaintext_predictions() {
    let dir = setup();
    let d = dir.path();
    ok(&["encrypt", "test.csv", "--schema", "schema.toml", "--keys", "keys", "--secret-key", "-o", "test.vsies"], d);
    ok(&["infer", "test.vsies", "--model", "model.json", "--keys", "keys", "-o", "preds.vsies"], d);
    let report = ok(
        &[
            "decrypt",
            "preds.vsies",
            "--keys",
            "keys",
            "--model",
            "model.json",
            "--data",
            "test.vsies",
            "--labels",
            "test.csv",
            "-o",
            "fhe.csv",
        ],
        d,
    );
    assert!(report.contains("plaintext scores on 143 of 143 rows"), "{report}");
    assert_eq!(std::fs::read(d.join("fhe.csv")).unwrap(), std::fs::read(d.join("preds.csv")).unwrap());

    // Secret-key rows carry no proof: a node can write that layout itself (chosen seeds and
    // bodies, the owner's key id, the checksum recomputed). Its scores are consistent, yet the
    // key holder refuses to decrypt them: the file is not one it encrypted.
    let mut payload =
        vsies_core::artifact::read_binary(&d.join("test.vsies"), vsies_core::ArtifactKind::EncryptedDataset).unwrap();
    let last = payload.len() - 3;
    payload[last] ^= 0x10;
    vsies_core::artifact::write_binary(&d.join("crafted.vsies"), vsies_core::ArtifactKind::EncryptedDataset, &payload)
        .unwrap();
    ok(&["infer", "crafted.vsies", "--model", "model.json", "--keys", "keys", "-o", "crafted-preds.vsies"], d);
    let decrypt =
        ["decrypt", "crafted-preds.vsies", "--keys", "keys", "--model", "model.json", "--data", "crafted.vsies"];
    let out = vsies(&[&decrypt[..], &["-o", "crafted.csv"]].concat(), d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("does not record it as encrypted by this key holder"), "{}", text(&out));
    assert!(!d.join("crafted.csv").exists());
    assert!(std::fs::read_to_string(d.join("keys/secret.key.datasets")).unwrap().lines().count() == 1);
}

/// A contributor holding only public.key and the owner's encryption.crs encrypts and proves
/// its rows; a compute node holding eval.key, public.key and the CRS checks every proof before
/// scoring, and refuses public-key rows without proofs unless told --unproved.
#[test]
fn a_contributor_encrypts_with_the_public_key_alone_and_proves_it() {
    let dir = setup();
    let d = dir.path();
    ok(&["setup", "encryption", "--schema", "schema.toml", "--keys", "keys"], d);
    for (party, files) in [
        ("contributor", &["public.key", "encryption.crs"][..]),
        ("server", &["eval.key", "public.key", "encryption.crs"][..]),
    ] {
        std::fs::create_dir(d.join(party)).unwrap();
        for file in files {
            std::fs::copy(d.join("keys").join(file), d.join(party).join(file)).unwrap();
        }
    }
    ok(&["encrypt", "test.csv", "--schema", "schema.toml", "--keys", "contributor", "--prove", "-o", "test.vsies"], d);
    assert!(text(&vsies(&["inspect", "test.vsies"], d)).contains("each with a proof of well-formed encryption"));
    ok(&["infer", "test.vsies", "--model", "model.json", "--keys", "server", "-o", "preds.vsies"], d);
    // The GPU kernel's source on the CPU emulator scores the same ciphertexts, byte for byte.
    let emulated = ["infer", "test.vsies", "--model", "model.json", "--keys", "server", "--device", "emulator"];
    ok(&[&emulated[..], &["-o", "preds-emulated.vsies"]].concat(), d);
    assert_eq!(std::fs::read(d.join("preds.vsies")).unwrap(), std::fs::read(d.join("preds-emulated.vsies")).unwrap());
    ok(
        &["decrypt", "preds.vsies", "--keys", "keys", "--model", "model.json", "--data", "test.vsies", "-o", "fhe.csv"],
        d,
    );
    assert_eq!(std::fs::read(d.join("fhe.csv")).unwrap(), std::fs::read(d.join("preds.csv")).unwrap());
    // Without proofs: refused (exit 1, nothing written), scored only with --unproved.
    ok(&["encrypt", "test.csv", "--schema", "schema.toml", "--keys", "contributor", "-o", "plain.vsies"], d);
    let out = vsies(&["infer", "plain.vsies", "--model", "model.json", "--keys", "server", "-o", "p.vsies"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("carry no proofs") && !d.join("p.vsies").exists(), "{}", text(&out));
    ok(&["infer", "plain.vsies", "--model", "model.json", "--keys", "server", "--unproved", "-o", "p.vsies"], d);
    // The key holder checks the proofs too: the scores it would decrypt are recomputed from
    // these rows, so crafted rows would make decryption an oracle. Refused, unless --unproved.
    let decrypt = ["decrypt", "p.vsies", "--keys", "keys", "--model", "model.json", "--data", "plain.vsies"];
    let out = vsies(&[&decrypt[..], &["-o", "plain.csv"]].concat(), d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("carry no proofs") && !d.join("plain.csv").exists(), "{}", text(&out));
    ok(&[&decrypt[..], &["--unproved", "-o", "plain.csv"]].concat(), d);
    assert_eq!(std::fs::read(d.join("plain.csv")).unwrap(), std::fs::read(d.join("preds.csv")).unwrap());
}

#[cfg(unix)]
#[test]
fn keygen_writes_the_secret_key_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup();
    let mode = std::fs::metadata(dir.path().join("keys/secret.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn bad_inputs_are_clear_errors_and_leave_no_output() {
    let dir = setup();
    let d = dir.path();
    ok(&["encrypt", "test.csv", "--schema", "schema.toml", "--keys", "keys", "-o", "test.vsies"], d);
    let refused = |args: &[&str], output: &str, expected_code: i32, message: &str| {
        let out = vsies(args, d);
        assert_eq!(out.status.code(), Some(expected_code), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(message), "{args:?}: {}", text(&out));
        assert!(!d.join(output).exists(), "{args:?} left {output} behind");
    };

    // Non-conforming data: the schema report, exit 1.
    let csv = std::fs::read_to_string(d.join("test.csv")).unwrap();
    std::fs::write(d.join("bad.csv"), csv.replacen("\n1", "\nx", 1)).unwrap();
    refused(
        &["encrypt", "bad.csv", "--schema", "schema.toml", "--keys", "keys", "-o", "bad.vsies"],
        "bad.vsies",
        1,
        "not a number",
    );

    // A model for another schema.
    ok(&["schema", "infer", "train.csv", "--label", "malignant", "--name", "other", "-o", "other.toml"], d);
    ok(&["train", "train.csv", "--schema", "other.toml", "-o", "other.json"], d);
    refused(
        &["infer", "test.vsies", "--model", "other.json", "--keys", "keys", "--unproved", "-o", "p1.vsies"],
        "p1.vsies",
        1,
        "schema",
    );

    // Keys from another keygen, for inference and for decryption.
    ok(&["keygen", "-o", "other-keys"], d);
    refused(
        &["infer", "test.vsies", "--model", "model.json", "--keys", "other-keys", "--unproved", "-o", "p2.vsies"],
        "p2.vsies",
        1,
        "another keygen",
    );
    ok(&["infer", "test.vsies", "--model", "model.json", "--keys", "keys", "--unproved", "-o", "preds.vsies"], d);
    refused(
        &[
            "decrypt",
            "preds.vsies",
            "--keys",
            "other-keys",
            "--model",
            "model.json",
            "--data",
            "test.vsies",
            "-o",
            "p3.csv",
        ],
        "p3.csv",
        1,
        "another keygen",
    );

    // Corrupted and truncated ciphertexts.
    let bytes = std::fs::read(d.join("test.vsies")).unwrap();
    let mut flipped = bytes.clone();
    flipped[4000] ^= 0x01;
    std::fs::write(d.join("flipped.vsies"), flipped).unwrap();
    refused(
        &["infer", "flipped.vsies", "--model", "model.json", "--keys", "keys", "--unproved", "-o", "p4.vsies"],
        "p4.vsies",
        2,
        "checksum mismatch",
    );
    std::fs::write(d.join("short.vsies"), &bytes[..bytes.len() / 2]).unwrap();
    refused(
        &["infer", "short.vsies", "--model", "model.json", "--keys", "keys", "--unproved", "-o", "p5.vsies"],
        "p5.vsies",
        2,
        "truncated",
    );
    refused(
        &["decrypt", "test.vsies", "--keys", "keys", "--model", "model.json", "--data", "test.vsies", "-o", "p6.csv"],
        "p6.csv",
        2,
        "expected encrypted-scores, found encrypted-dataset",
    );
}

#[test]
fn scores_not_computed_from_the_dataset_and_model_are_not_decrypted() {
    let dir = setup();
    let d = dir.path();
    ok(&["encrypt", "test.csv", "--schema", "schema.toml", "--keys", "keys", "-o", "test.vsies"], d);
    ok(&["infer", "test.vsies", "--model", "model.json", "--keys", "keys", "--unproved", "-o", "preds.vsies"], d);
    // A compute node's edit with the checksum recomputed: one coefficient of row 5 changed.
    let mut payload =
        vsies_core::artifact::read_binary(&d.join("preds.vsies"), vsies_core::ArtifactKind::EncryptedScores).unwrap();
    let row_bytes = (vsies_fhe::params::LWE_DIMENSION + 1) * vsies_fhe::params::OUTPUT_COEFFICIENT_BYTES;
    let at = payload.len() - (143 - 5) * row_bytes;
    payload[at] ^= 0x40;
    vsies_core::artifact::write_binary(&d.join("forged.vsies"), vsies_core::ArtifactKind::EncryptedScores, &payload)
        .unwrap();
    let decrypt = ["decrypt", "forged.vsies", "--keys", "keys", "--model", "model.json", "--data", "test.vsies"];
    let out = vsies(&[&decrypt[..], &["--unproved", "-o", "p.csv"]].concat(), d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("refusing to decrypt") && text(&out).contains("row 5 differs"), "{}", text(&out));
    assert!(text(&out).contains("forged.vsies"), "the error names the file: {}", text(&out));
    assert!(!d.join("p.csv").exists());
    // Without the dataset there is nothing to justify a decryption: a usage error.
    let out = vsies(&["decrypt", "preds.vsies", "--keys", "keys", "--model", "model.json"], d);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
