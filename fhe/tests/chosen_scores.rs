//! The chosen-scores attack on encrypted inference: a compute node that returns crafted
//! "scores" and sees what the owner decrypts. With `decrypt_unchecked` (the old `vsies
//! decrypt`) ciphertexts whose masks are unit vectors decrypt to the secret key's bits, one per
//! row, and 2,048 rows give the whole key; `decrypt_justified` recomputes the scores from the
//! encrypted dataset and the model and refuses anything else.

mod common;

use common::{keys, model_and_test_rows};
use std::path::Path;
use vsies_core::artifact::{read_binary, write_binary, ArtifactKind};
use vsies_fhe::params::{decode_switched, LWE_DIMENSION, OUTPUT_COEFFICIENT_BYTES, OUTPUT_MODULUS_LOG2};
use vsies_fhe::{infer, EncryptedDataset, EncryptedScores, FheError};

const WIDTH: usize = LWE_DIMENSION + 1;
const ROW_BYTES: usize = WIDTH * OUTPUT_COEFFICIENT_BYTES;
const MODULUS_MASK: u64 = (1 << OUTPUT_MODULUS_LOG2) - 1;

/// The payload's header (ids, row count, parameters) and its ciphertext rows.
fn split_payload(payload: &[u8], rows: usize) -> (Vec<u8>, Vec<Vec<u64>>) {
    let header = payload[..payload.len() - rows * ROW_BYTES].to_vec();
    let rows = payload[header.len()..]
        .chunks_exact(ROW_BYTES)
        .map(|row| {
            row.chunks_exact(OUTPUT_COEFFICIENT_BYTES)
                .map(|c| {
                    let mut le = [0u8; 8];
                    le[..OUTPUT_COEFFICIENT_BYTES].copy_from_slice(c);
                    u64::from_le_bytes(le)
                })
                .collect()
        })
        .collect();
    (header, rows)
}

/// A scores file with a valid envelope and checksum: `header` with its row count set to
/// `rows.len()`, then `rows`.
fn write_scores(path: &Path, header: &[u8], rows: &[Vec<u64>]) {
    let mut payload = header.to_vec();
    // The row count is the u64 after the three content ids, just before dimension and modulus.
    let at = header.len() - 8 - 4 - 1;
    payload[at..at + 8].copy_from_slice(&(rows.len() as u64).to_le_bytes());
    for row in rows {
        for c in row {
            payload.extend_from_slice(&c.to_le_bytes()[..OUTPUT_COEFFICIENT_BYTES]);
        }
    }
    write_binary(path, ArtifactKind::EncryptedScores, &payload).unwrap();
}

/// A ciphertext whose phase is `s_j · Δ'` (Δ' = 2^16 on the switched torus): mask `-Δ'` at
/// position `j`, zero elsewhere, zero body. It decrypts to the key's bit `j`.
fn unit_mask(j: usize) -> Vec<u64> {
    let mut row = vec![0u64; WIDTH];
    row[j] = (1u64 << OUTPUT_MODULUS_LOG2) - (1 << 16);
    row
}

#[test]
fn crafted_scores_recover_the_key_by_the_old_decryption_and_are_refused_by_the_justified_one() {
    let (model, test) = model_and_test_rows();
    let keys = keys(21);
    let data = EncryptedDataset::encrypt_with_public_key(&test, &keys.public).unwrap();
    let honest = infer(&data, &model, &keys.evaluation).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let honest_path = dir.path().join("preds.vsies");
    honest.save(&honest_path).unwrap();
    let (header, honest_rows) =
        split_payload(&read_binary(&honest_path, ArtifactKind::EncryptedScores).unwrap(), test.rows());

    // The old behaviour's shape: the owner decrypts whatever it is sent.
    let crafted_path = dir.path().join("crafted.vsies");
    write_scores(&crafted_path, &header, &(0..LWE_DIMENSION).map(unit_mask).collect::<Vec<_>>());
    let crafted = EncryptedScores::load(&crafted_path).unwrap();
    let bits = crafted.decrypt_for_model(&model, &keys.secret).unwrap();
    assert!(bits.iter().all(|&b| b == 0 || b == 1), "one key bit per crafted row");
    // The recovered bits are the secret key: with them the attacker decrypts the honest scores.
    let recovered: Vec<i64> = honest_rows
        .iter()
        .map(|row| {
            let dot = row[..LWE_DIMENSION].iter().zip(&bits).fold(0u64, |acc, (&a, &s)| acc.wrapping_add(a * s as u64));
            decode_switched(row[LWE_DIMENSION].wrapping_sub(dot) & MODULUS_MASK)
        })
        .collect();
    assert_eq!(recovered, model.scores(&test).unwrap(), "the whole key is recovered");

    // Now: crafted rows at the honest row count, one crafted row among honest ones, one
    // coefficient changed, a score file for fewer rows: each refused, nothing decrypted.
    let mut one_crafted = honest_rows.clone();
    one_crafted[7] = unit_mask(3);
    let mut one_changed = honest_rows.clone();
    one_changed[0][LWE_DIMENSION] ^= 1;
    let cases: [(&str, Vec<Vec<u64>>, &str); 4] = [
        ("unit masks", (0..test.rows()).map(unit_mask).collect(), "row 0 differs"),
        ("one crafted row", one_crafted, "row 7 differs"),
        ("one body bit", one_changed, "row 0 differs"),
        ("fewer rows", honest_rows[..10].to_vec(), "10 scores for 143 encrypted rows"),
    ];
    for (what, rows, expected) in cases {
        write_scores(&crafted_path, &header, &rows);
        let crafted = EncryptedScores::load(&crafted_path).unwrap();
        let err = crafted.decrypt_justified(&data, &model, &keys.secret).unwrap_err();
        assert!(matches!(err, FheError::UnjustifiedScores { .. }), "{what}: {err}");
        assert!(err.to_string().contains(expected), "{what}: {err}");
        assert!(err.is_checked_invalid());
    }
    // The honest scores decrypt to the plaintext scores.
    let loaded = EncryptedScores::load(&honest_path).unwrap();
    assert_eq!(loaded.decrypt_justified(&data, &model, &keys.secret).unwrap(), model.scores(&test).unwrap());
}

#[test]
fn scores_of_another_dataset_model_or_key_set_are_not_decrypted() {
    let (model, test) = model_and_test_rows();
    let keys = keys(22);
    let data = EncryptedDataset::encrypt_with_secret_key(&test, &keys.secret).unwrap();
    let scores = infer(&data, &model, &keys.evaluation).unwrap();
    // Scores of other rows, presented with this dataset.
    let other_rows = test.select_rows(&(0..test.rows() - 1).collect::<Vec<_>>());
    let other = EncryptedDataset::encrypt_with_secret_key(&other_rows, &keys.secret).unwrap();
    let err =
        infer(&other, &model, &keys.evaluation).unwrap().decrypt_justified(&data, &model, &keys.secret).unwrap_err();
    assert!(matches!(err, FheError::UnjustifiedScores { .. }) && err.to_string().contains("claim dataset"), "{err}");
    // The same rows encrypted again (fresh randomness): the dataset ids agree, the ciphertexts
    // do not, so the scores are not those of the dataset given.
    let again = EncryptedDataset::encrypt_with_secret_key(&test, &keys.secret).unwrap();
    let err = scores.decrypt_justified(&again, &model, &keys.secret).unwrap_err();
    assert!(err.to_string().contains("row 0 differs"), "{err}");
    // Another model, another key set.
    let mut other_model = model.clone();
    other_model.bias += 1;
    assert!(matches!(scores.decrypt_justified(&data, &other_model, &keys.secret), Err(FheError::WrongModel { .. })));
    let theirs = common::keys(23);
    assert!(matches!(scores.decrypt_justified(&data, &model, &theirs.secret), Err(FheError::WrongKeys { .. })));
}
