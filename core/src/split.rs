//! The seeded train/test split: exactly scikit-learn's
//! `train_test_split(test_size=test_fraction, random_state=seed)` without stratification.

use crate::artifact::write_atomic;
use crate::rng::Mt19937;
use std::path::{Path, PathBuf};

/// Row indices of a split, each side in the order scikit-learn returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainTestSplit {
    /// Training rows.
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

/// Why a split cannot be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SplitError {
    /// The fraction is not in `(0, 1)`.
    #[error("test fraction {0} must be strictly between 0 and 1")]
    BadFraction(f64),
    /// One side would be empty.
    #[error("splitting {rows} rows with test fraction {fraction} leaves an empty side")]
    EmptySide {
        /// Data rows.
        rows: usize,
        /// The test fraction.
        fraction: f64,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The CSV is malformed where a record should be.
    #[error("{path}: {}{reason}", crate::csv_input::at_line(*.line))]
    Csv {
        /// The file.
        path: PathBuf,
        /// Physical line (1-based; 0 where the reader cannot say).
        line: u64,
        /// Why.
        reason: String,
    },
    /// The CSV has no header line.
    #[error("{path}: the file is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

impl SplitError {
    /// Whether the file was read and its content refused (exit 1), rather than unreadable or
    /// the split impossible as asked (exit 2).
    pub fn is_checked_invalid(&self) -> bool {
        matches!(self, Self::Csv { .. } | Self::Empty { .. })
    }
}

/// Splits `rows` row indices: `p = RandomState(seed).permutation(rows)`,
/// `n_test = ceil(test_fraction * rows)`, test = `p[..n_test]`, train = `p[n_test..]`.
pub fn train_test_split(rows: usize, test_fraction: f64, seed: u32) -> Result<TrainTestSplit, SplitError> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(SplitError::BadFraction(test_fraction));
    }
    let n_test = (test_fraction * rows as f64).ceil() as usize;
    if n_test == 0 || n_test >= rows {
        return Err(SplitError::EmptySide { rows, fraction: test_fraction });
    }
    let mut order = Mt19937::new(seed).permutation(rows);
    let train = order.split_off(n_test);
    Ok(TrainTestSplit { train, test: order })
}

/// Splits the CSV at `data` (a header line, then data rows) into `train` and `test`, each with
/// the header, as [`train_test_split`] orders the rows; records are copied byte for byte, not
/// re-validated. Both outputs are written atomically; nothing is written if any step fails.
pub fn split_csv_file(
    data: &Path,
    train: &Path,
    test: &Path,
    test_fraction: f64,
    seed: u32,
) -> Result<TrainTestSplit, SplitError> {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SplitError + '_ {
        move |source| SplitError::Io { path: path.into(), source }
    }
    let input = crate::csv_input::open_csv(data).map_err(io(data))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut records = Vec::new();
    for record in reader.byte_records() {
        records.push(record.map_err(|err| match crate::csv_input::classify(err) {
            Ok((line, reason)) => SplitError::Csv { path: data.into(), line, reason },
            Err(source) => SplitError::Io { path: data.into(), source },
        })?);
    }
    if records.is_empty() {
        return Err(SplitError::Empty { path: data.into() });
    }
    let header = records.remove(0);
    let split = train_test_split(records.len(), test_fraction, seed)?;
    let mut outputs = Vec::with_capacity(2);
    for rows in [&split.train, &split.test] {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for record in std::iter::once(&header).chain(rows.iter().map(|&row| &records[row])) {
            writer.write_byte_record(record).map_err(|err| SplitError::Io { path: data.into(), source: err.into() })?;
        }
        outputs
            .push(writer.into_inner().map_err(|err| SplitError::Io { path: data.into(), source: err.into_error() })?);
    }
    write_atomic(train, &outputs[0]).map_err(io(train))?;
    write_atomic(test, &outputs[1]).map_err(io(test))?;
    Ok(split)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scikit_learn_on_the_bundled_dataset_size() {
        // sklearn 1.9.1: train_test_split(np.arange(569), test_size=0.25, random_state=0)
        let split = train_test_split(569, 0.25, 0).unwrap();
        assert_eq!((split.train.len(), split.test.len()), (426, 143));
        assert_eq!(split.test[..8], [512, 457, 439, 298, 37, 515, 382, 310]);
        assert_eq!(split.train[..8], [293, 332, 565, 278, 489, 346, 357, 355]);
    }

    #[test]
    fn refuses_degenerate_fractions() {
        assert!(matches!(train_test_split(10, 0.0, 0), Err(SplitError::BadFraction(_))));
        assert!(matches!(train_test_split(10, f64::NAN, 0), Err(SplitError::BadFraction(_))));
        assert!(matches!(train_test_split(1, 0.5, 0), Err(SplitError::EmptySide { .. })));
    }

    #[test]
    fn csv_files_are_split_with_the_header_on_both_sides() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d.csv");
        let rows: String = (0..8).map(|i| format!("{i},\"q,{i}\"\n")).collect();
        std::fs::write(&data, format!("a,b\n{rows}")).unwrap();
        let (train, test) = (dir.path().join("train.csv"), dir.path().join("test.csv"));
        let split = split_csv_file(&data, &train, &test, 0.25, 0).unwrap();
        let test_text = std::fs::read_to_string(&test).unwrap();
        let first = split.test[0];
        assert_eq!(test_text.lines().next(), Some("a,b"));
        assert_eq!(test_text.lines().nth(1), Some(format!("{first},\"q,{first}\"").as_str()));
        assert_eq!(std::fs::read_to_string(&train).unwrap().lines().count(), 1 + split.train.len());
        let empty = dir.path().join("empty.csv");
        std::fs::write(&empty, "").unwrap();
        assert!(matches!(split_csv_file(&empty, &train, &test, 0.25, 0), Err(SplitError::Empty { .. })));
    }
}
