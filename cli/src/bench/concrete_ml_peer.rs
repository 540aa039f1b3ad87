//! Concrete ML's encrypted-training figures (`benches/peers/concrete_ml.sh train` writes
//! `benches/peers/concrete_ml_train.json`), read for `vsies bench fhe-train --peer` to print
//! beside this machine's. The file comes from another program: it is read bounded, and every
//! field used is checked (present, of its type, within a plausible range, a short version
//! string, and measured on the same task: batch and features), so a bad file, an oversized one
//! included, is refused naming the file and field, exit 1 (a missing or unreadable one exits 2).

use crate::failure::InvalidFile;
use std::path::{Path, PathBuf};
use vsies_core::artifact::{read_capped, ArtifactError};

/// More than the script ever writes (about 1 KiB).
const MAX_PEER_FILE_BYTES: u64 = 1 << 20;

/// Measurements outside this range (seconds, counts, bytes) are not a run of the script.
const PLAUSIBLE: std::ops::RangeInclusive<f64> = 1e-6..=1e13;

/// A version as Python packages spell it, short enough for a table header.
fn is_version(text: &str) -> bool {
    (1..=32).contains(&text.len()) && text.chars().all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c))
}

/// What the side-by-side table reads.
pub struct ConcreteMlTraining {
    pub concrete_ml_version: String,
    pub bootstraps_per_iteration: u64,
    pub keygen_seconds: f64,
    pub evaluation_key_bytes_serialized: u64,
    pub iteration_seconds_fhe_execute: f64,
}

impl ConcreteMlTraining {
    /// Reads and checks `path` against this run's `batch` and `features`.
    pub fn load(path: &Path, batch: u64, features: u64) -> anyhow::Result<Self> {
        let invalid = |reason: String| InvalidFile { path: PathBuf::from(path), reason };
        let bytes = read_capped(path, MAX_PEER_FILE_BYTES).map_err(|e| match e {
            ArtifactError::Malformed { reason, .. } => anyhow::Error::from(invalid(reason)),
            other => other.into(),
        })?;
        let figures: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&bytes).map_err(|e| invalid(format!("not Concrete ML's training figures: {e}")))?;
        fn field<T: serde::de::DeserializeOwned>(
            figures: &serde_json::Map<String, serde_json::Value>,
            name: &str,
        ) -> Result<T, String> {
            let value = figures.get(name).ok_or_else(|| format!("missing field {name}"))?;
            serde_json::from_value(value.clone()).map_err(|e| format!("field {name}: {e}"))
        }
        let positive = |name: &str| -> Result<f64, String> {
            let value: f64 = field(&figures, name)?;
            if PLAUSIBLE.contains(&value) {
                Ok(value)
            } else {
                Err(format!("field {name} is {value:?}, not a measurement (outside 1e-6 to 1e13)"))
            }
        };
        let same = |name: &str, expected: u64| -> Result<(), String> {
            let found: u64 = field(&figures, name)?;
            if found == expected {
                Ok(())
            } else {
                Err(format!("field {name} is {found}; this run's is {expected}"))
            }
        };
        let count = |name: &str| -> Result<u64, String> {
            positive(name)?;
            field(&figures, name)
        };
        let checked = || -> Result<Self, String> {
            same("batch", batch)?;
            same("features", features)?;
            let concrete_ml_version: String = field(&figures, "concrete_ml_version")?;
            if !is_version(&concrete_ml_version) {
                return Err(format!("field concrete_ml_version is {concrete_ml_version:?}, not a version"));
            }
            Ok(Self {
                concrete_ml_version,
                bootstraps_per_iteration: count("bootstraps_per_iteration")?,
                keygen_seconds: positive("keygen_seconds")?,
                evaluation_key_bytes_serialized: count("evaluation_key_bytes_serialized")?,
                iteration_seconds_fhe_execute: positive("iteration_seconds_fhe_execute")?,
            })
        };
        Ok(checked().map_err(invalid)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::InvalidFile;

    fn committed() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../benches/peers/concrete_ml_train.json")
    }

    /// The committed figures with one field replaced (or removed, for `None`).
    fn crafted(field: &str, value: Option<serde_json::Value>) -> (tempfile::TempDir, PathBuf) {
        let mut figures: serde_json::Value = serde_json::from_slice(&std::fs::read(committed()).unwrap()).unwrap();
        let object = figures.as_object_mut().unwrap();
        match value {
            Some(value) => object.insert(field.into(), value),
            None => object.remove(field),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("peer.json");
        std::fs::write(&path, serde_json::to_vec(&figures).unwrap()).unwrap();
        (dir, path)
    }

    fn refusal(path: &Path) -> String {
        let error = ConcreteMlTraining::load(path, 8, 30).err().expect("refused");
        let invalid = error.downcast_ref::<InvalidFile>().expect("a checked refusal (exit 1)");
        assert_eq!(invalid.path, path);
        invalid.reason.clone()
    }

    #[test]
    fn the_committed_figures_load() {
        let peer = ConcreteMlTraining::load(&committed(), 8, 30).unwrap();
        assert_eq!(peer.bootstraps_per_iteration, 1963);
        assert!(ConcreteMlTraining::load(&committed(), 16, 30).is_err());
    }

    #[test]
    fn crafted_figures_are_refused_naming_the_field() {
        use serde_json::json;
        for (field, value, expected) in [
            ("batch", Some(json!(16)), "field batch is 16; this run's is 8"),
            ("features", Some(json!(2)), "field features is 2"),
            ("iteration_seconds_fhe_execute", Some(json!(-1.0)), "field iteration_seconds_fhe_execute is -1"),
            ("iteration_seconds_fhe_execute", Some(json!(5e-324)), "field iteration_seconds_fhe_execute is 5e-324"),
            ("concrete_ml_version", Some(json!("1.9.0\n| forged | row |")), "not a version"),
            ("concrete_ml_version", Some(json!(1.9)), "field concrete_ml_version: invalid type"),
            ("keygen_seconds", Some(json!(0)), "field keygen_seconds is 0"),
            ("bootstraps_per_iteration", Some(json!(0)), "field bootstraps_per_iteration is 0"),
            ("bootstraps_per_iteration", Some(json!(-5)), "field bootstraps_per_iteration is -5"),
            ("batch", Some(json!("8")), "field batch: invalid type"),
            ("evaluation_key_bytes_serialized", None, "missing field evaluation_key_bytes_serialized"),
        ] {
            let (_dir, path) = crafted(field, value);
            let reason = refusal(&path);
            assert!(reason.contains(expected), "{field}: {reason}");
        }
    }

    #[test]
    fn non_json_and_oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage.json");
        std::fs::write(&garbage, b"\xff\x00 not json").unwrap();
        assert!(refusal(&garbage).contains("not Concrete ML's training figures"));
        let huge = dir.path().join("huge.json");
        std::fs::write(&huge, vec![b' '; MAX_PEER_FILE_BYTES as usize + 1]).unwrap();
        assert!(refusal(&huge).contains("larger than the 1 MiB limit"));
        let missing = dir.path().join("missing.json");
        let error = ConcreteMlTraining::load(&missing, 8, 30).err().expect("refused");
        assert!(error.downcast_ref::<InvalidFile>().is_none(), "a missing file is an I/O error (exit 2)");
    }
}
