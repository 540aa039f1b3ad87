//! `schema infer`: a starting schema taken from the data itself.
//!
//! Ranges are the observed minimum and maximum widened outwards to round numbers (a multiple
//! of the power of ten just below the observed span), so a little new data still conforms;
//! standardization parameters are the mean and population standard deviation (scikit-learn's
//! `StandardScaler`), rounded to six significant digits so the TOML stays readable.

use crate::fixed::FixedFormat;
use crate::schema::{FeatureColumn, LabelColumn, Schema, SchemaError};
use crate::validate::{parse_number, ViolationKind};
use std::path::{Path, PathBuf};

/// Why a schema cannot be inferred; every variant names the file and the place.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InferError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{path}: the file has no header and no rows")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A header and no rows.
    #[error("{path}: no data rows after the header")]
    NoRows {
        /// The file.
        path: PathBuf,
    },
    /// The label column is not in the header.
    #[error("{path}: label column {column:?} is not in the header")]
    NoLabelColumn {
        /// The file.
        path: PathBuf,
        /// The label column asked for.
        column: String,
    },
    /// No column besides the label.
    #[error("{path}: the header has no feature column besides the label")]
    NoFeatures {
        /// The file.
        path: PathBuf,
    },
    /// A row with another number of cells than the header.
    #[error("{path}: line {line}, row {row}: {found} cells, the header has {expected}")]
    Ragged {
        /// The file.
        path: PathBuf,
        /// Physical line (1-based).
        line: u64,
        /// 0-based data row.
        row: usize,
        /// Cells in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// A feature cell that is not a finite number.
    #[error("{path}: line {line}, row {row}, column {column:?}: {value:?}: {kind}")]
    BadCell {
        /// The file.
        path: PathBuf,
        /// Physical line (1-based).
        line: u64,
        /// 0-based data row.
        row: usize,
        /// The column.
        column: String,
        /// The cell, cut by [`crate::clip::clip`].
        value: String,
        /// The defect.
        kind: ViolationKind,
    },
    /// The label column does not have exactly two values.
    #[error(
        "{path}: label column {column:?} has {}{} distinct value(s) {found:?}; logistic regression needs exactly 2",
        if found.len() >= MAX_TRACKED_LABELS { "at least " } else { "" },
        found.len()
    )]
    LabelClasses {
        /// The file.
        path: PathBuf,
        /// The label column.
        column: String,
        /// The distinct values seen (at most 16).
        found: Vec<String>,
    },
    /// The CSV cannot be parsed.
    #[error("{path}: {}{reason}", crate::csv_input::at_line(*.line))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Physical line (1-based; 0 where the reader cannot say).
        line: u64,
        /// Why.
        reason: String,
    },
    /// The inferred schema breaks a schema rule.
    #[error("{path}: the inferred schema is invalid: {source}")]
    Schema {
        /// The file.
        path: PathBuf,
        /// The rule broken.
        source: SchemaError,
    },
}

impl InferError {
    /// Whether the file was read and its content refused (exit 1), rather than unreadable
    /// (exit 2).
    pub fn is_checked_invalid(&self) -> bool {
        !matches!(self, Self::Io { .. })
    }
}

/// At most this many distinct label spellings are remembered (more is an error anyway).
const MAX_TRACKED_LABELS: usize = 16;

/// Per-column running statistics.
#[derive(Default, Clone)]
struct ColumnStats {
    values: Vec<f64>,
}

/// Infers a schema from the CSV at `path`, with `label` as the label column.
pub fn infer_schema(path: &Path, label: &str, name: &str) -> Result<Schema, InferError> {
    let io = |source| InferError::Io { path: path.into(), source };
    let input = crate::csv_input::open_csv(path).map_err(io)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut record = csv::ByteRecord::new();
    let unreadable = |err: csv::Error| match crate::csv_input::classify(err) {
        Ok((line, reason)) => InferError::Unreadable { path: path.into(), line, reason },
        Err(source) => InferError::Io { path: path.into(), source },
    };
    if !reader.read_byte_record(&mut record).map_err(unreadable)? {
        return Err(InferError::Empty { path: path.into() });
    }
    let header: Vec<String> = record.iter().map(|c| String::from_utf8_lossy(c).trim().to_string()).collect();
    let label_index = header
        .iter()
        .position(|h| h == label)
        .ok_or_else(|| InferError::NoLabelColumn { path: path.into(), column: label.into() })?;
    if header.len() < 2 {
        return Err(InferError::NoFeatures { path: path.into() });
    }
    let mut stats = vec![ColumnStats::default(); header.len()];
    let mut classes: Vec<String> = Vec::new();
    let mut row = 0usize;
    while reader.read_byte_record(&mut record).map_err(unreadable)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            return Err(InferError::Ragged {
                path: path.into(),
                line,
                row,
                expected: header.len(),
                found: record.len(),
            });
        }
        for (index, cell) in record.iter().enumerate() {
            if index == label_index {
                let text = String::from_utf8_lossy(cell).trim().to_string();
                if text.is_empty() {
                    let kind = ViolationKind::MissingCell;
                    return Err(InferError::BadCell {
                        path: path.into(),
                        line,
                        row,
                        column: crate::clip::clip(label),
                        value: text,
                        kind,
                    });
                }
                if !classes.contains(&text) && classes.len() < MAX_TRACKED_LABELS {
                    classes.push(text);
                }
                continue;
            }
            let value = parse_number(cell).map_err(|kind| InferError::BadCell {
                path: path.into(),
                line,
                row,
                column: crate::clip::clip(&header[index]),
                value: crate::clip::clip(String::from_utf8_lossy(cell).trim()),
                kind,
            })?;
            stats[index].values.push(value);
        }
        row += 1;
    }
    if row == 0 {
        return Err(InferError::NoRows { path: path.into() });
    }
    if classes.len() != 2 {
        let found = classes.iter().map(|class| crate::clip::clip(class)).collect();
        return Err(InferError::LabelClasses { path: path.into(), column: crate::clip::clip(label), found });
    }
    sort_classes(&mut classes);
    let features = header
        .iter()
        .zip(&stats)
        .enumerate()
        .filter(|(index, _)| *index != label_index)
        .map(|(_, (name, stats))| feature_from_values(name, &stats.values))
        .collect();
    Schema {
        name: name.to_string(),
        label: LabelColumn { column: label.into(), classes },
        quantization: FixedFormat::FEATURES,
        features,
    }
    .validate()
    .map_err(|source| InferError::Schema { path: path.into(), source })
}

/// Numeric class spellings sort by value ("0" before "1"), others lexicographically, so the
/// positive class is the larger number or the later name.
fn sort_classes(classes: &mut [String]) {
    let numeric: Option<Vec<f64>> = classes.iter().map(|c| c.parse::<f64>().ok()).collect();
    match numeric {
        Some(values) if values.iter().all(|v| v.is_finite()) => {
            if values[0] > values[1] {
                classes.swap(0, 1);
            }
        }
        _ => classes.sort(),
    }
}

fn feature_from_values(name: &str, values: &[f64]) -> FeatureColumn {
    let count = values.len() as f64;
    let mean = values.iter().sum::<f64>() / count;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / count;
    let std = variance.sqrt();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (min, max) = widen_to_round_numbers(min, max);
    FeatureColumn {
        name: name.to_string(),
        min,
        max,
        mean: significant_digits(mean),
        scale: if std > 0.0 { significant_digits(std) } else { 1.0 },
    }
}

fn significant_digits(value: f64) -> f64 {
    format!("{value:.5e}").parse().unwrap_or(value)
}

/// Widens `[min, max]` to multiples of `10^e`, the power of ten at or below the span (or at
/// or below the magnitude, for a constant column). Bounds are built from decimal text, so they
/// print as round numbers (0.3, not 0.30000000000000004).
pub fn widen_to_round_numbers(min: f64, max: f64) -> (f64, f64) {
    let span = if max > min { max - min } else { max.abs().max(1.0) };
    // The decimal exponent from Rust's exact float formatting rather than `log10`, whose last
    // bit may differ between platforms' libm: the same data must give the same schema anywhere.
    let exponent: i32 = format!("{span:e}").split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    let step: f64 = format!("1e{exponent}").parse().unwrap_or(1.0);
    let decimal = |k: f64| format!("{k}e{exponent}").parse::<f64>().unwrap_or(k * step);
    let (mut low, mut high) = ((min / step).floor(), (max / step).ceil());
    while decimal(low) > min {
        low -= 1.0;
    }
    while decimal(high) < max {
        high += 1.0;
    }
    (decimal(low), decimal(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_gives_round_bounds_that_contain_the_data() {
        assert_eq!(widen_to_round_numbers(6.981, 28.11), (0.0, 30.0));
        assert_eq!(widen_to_round_numbers(0.05263, 0.1634), (0.0, 0.2));
        assert_eq!(widen_to_round_numbers(143.5, 2501.0), (0.0, 3000.0));
        assert_eq!(widen_to_round_numbers(-3.2, 4.1), (-4.0, 5.0));
        assert_eq!(widen_to_round_numbers(0.3, 0.3), (0.0, 1.0));
        assert_eq!(widen_to_round_numbers(0.0, 0.0), (0.0, 0.0));
        let (low, high) = widen_to_round_numbers(0.1, 0.3);
        assert!(low <= 0.1 && high >= 0.3);
    }

    #[test]
    fn numeric_classes_sort_by_value() {
        let mut classes = vec!["1".to_string(), "0".to_string()];
        sort_classes(&mut classes);
        assert_eq!(classes, ["0", "1"]);
        let mut classes = vec!["10".to_string(), "9".to_string()];
        sort_classes(&mut classes);
        assert_eq!(classes, ["9", "10"]);
        let mut classes = vec!["M".to_string(), "B".to_string()];
        sort_classes(&mut classes);
        assert_eq!(classes, ["B", "M"]);
    }
}
