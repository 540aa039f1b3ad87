//! Validation of a CSV file against a schema (the V of VSIES).
//!
//! The validator streams the file once, records every violation (listing the first
//! `max_listed`, counting all), and on success hands back the parsed [`RawDataset`], so no
//! later stage parses the CSV again. It never panics, whatever the bytes: cells are read as
//! bytes, so invalid UTF-8 is a violation rather than an error.

use crate::cid::ContentId;
use crate::schema::Schema;
use serde::Serialize;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Whether the label column must be present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelPolicy {
    /// Training and `schema check`: every row must carry a valid label.
    Required,
    /// Prediction: a file without the label column is accepted (no accuracy then).
    Optional,
}

/// Options of a validation run.
#[derive(Clone, Copy, Debug)]
pub struct ValidateOptions {
    /// Whether the label column must be present.
    pub labels: LabelPolicy,
    /// How many violations the report lists; all are counted.
    pub max_listed: usize,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self { labels: LabelPolicy::Required, max_listed: 50 }
    }
}

/// The kinds of defect a CSV can have.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ViolationKind {
    /// The file has no header and no rows.
    EmptyFile,
    /// The first line looks like data, not column names.
    MissingHeader,
    /// A schema column is absent from the header.
    MissingColumn,
    /// A header column is not in the schema.
    UnexpectedColumn,
    /// A header column appears more than once.
    DuplicateColumn,
    /// The header is present but no data rows follow.
    NoDataRows,
    /// A row with a different number of cells than the header.
    RaggedRow {
        /// Cells in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// An empty cell.
    MissingCell,
    /// A cell that is not a decimal number.
    NonNumeric,
    /// NaN or an infinity.
    NonFinite,
    /// A number outside the column's schema range.
    OutOfRange {
        /// The schema minimum.
        min: f64,
        /// The schema maximum.
        max: f64,
    },
    /// A label that is not one of the schema's classes.
    UnknownLabel {
        /// The schema's classes.
        classes: Vec<String>,
    },
    /// The file could not be read to its end.
    Unreadable {
        /// The reader's message.
        reason: String,
    },
}

/// One defect, located by physical line (1-based), data row (0-based, as `predict` numbers
/// rows) and column name where those apply.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    /// Physical line (1-based), for defects in a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 0-based data row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Column name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The offending cell, cut to 40 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What is wrong.
    #[serde(flatten)]
    pub kind: ViolationKind,
}

/// Everything wrong with one file, ready to print or serialize.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    /// The file checked.
    pub file: PathBuf,
    /// Whether it conforms.
    pub valid: bool,
    /// Data rows read (header excluded).
    pub rows: usize,
    /// Violations found (all counted, the first `max_listed` listed).
    pub total_violations: usize,
    /// The first `max_listed` violations in file order.
    pub violations: Vec<Violation>,
}

/// A validated dataset: raw values in schema column order, labels as class indices, and the
/// id of the schema they were checked against (a later stage refuses to pair them with
/// another schema).
#[derive(Clone, Debug, PartialEq)]
pub struct RawDataset {
    schema_id: ContentId,
    columns: usize,
    /// Row-major, `rows * columns` values.
    values: Vec<f64>,
    /// Class index (0 or 1) per row, when the file has the label column.
    labels: Option<Vec<u8>>,
}

impl RawDataset {
    /// Rows given in memory (row-major `values`, class indices), checked against `schema`
    /// exactly as a CSV's cells are: every violation is reported with its row and column.
    pub fn from_rows(schema: &Schema, values: Vec<f64>, labels: Option<Vec<u8>>) -> Result<Self, ValidateError> {
        let columns = schema.features.len();
        let mut issues = Collector { listed: Vec::new(), total: 0, max_listed: ValidateOptions::default().max_listed };
        if !values.len().is_multiple_of(columns) {
            let kind = ViolationKind::RaggedRow { expected: columns, found: values.len() % columns };
            issues.at(None, Some(values.len() / columns), None, None, kind);
        }
        for (index, &value) in values.iter().enumerate() {
            let (row, feature) = (index / columns, &schema.features[index % columns]);
            let kind = if !value.is_finite() {
                ViolationKind::NonFinite
            } else if value < feature.min || value > feature.max {
                ViolationKind::OutOfRange { min: feature.min, max: feature.max }
            } else {
                continue;
            };
            issues.at(None, Some(row), Some(&feature.name), Some(value.to_string()), kind);
        }
        if let Some(labels) = &labels {
            let rows = values.len() / columns;
            if labels.len() != rows {
                let kind = ViolationKind::RaggedRow { expected: rows, found: labels.len() };
                issues.at(None, None, Some(&schema.label.column), None, kind);
            }
            for (row, &label) in labels.iter().enumerate().filter(|(_, &label)| label > 1) {
                let kind = ViolationKind::UnknownLabel { classes: schema.label.classes.clone() };
                issues.at(None, Some(row), Some(&schema.label.column), Some(label.to_string()), kind);
            }
        }
        if issues.total > 0 {
            return Err(ValidateError::Invalid(CheckReport {
                file: PathBuf::from("<rows in memory>"),
                valid: false,
                rows: values.len() / columns,
                total_violations: issues.total,
                violations: issues.listed,
            }));
        }
        Ok(Self { schema_id: schema.content_id(), columns, values, labels })
    }

    /// Content id of the schema the rows were checked against.
    pub fn schema_id(&self) -> ContentId {
        self.schema_id
    }

    /// Feature columns.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Data rows.
    pub fn rows(&self) -> usize {
        self.values.len().checked_div(self.columns).unwrap_or(0)
    }

    /// Every value, row-major.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The raw values of row `index`.
    pub fn row(&self, index: usize) -> &[f64] {
        &self.values[index * self.columns..(index + 1) * self.columns]
    }

    /// Class index (0 or 1) per row, when the data has the label column.
    pub fn labels(&self) -> Option<&[u8]> {
        self.labels.as_deref()
    }
}

/// Why validation did not produce a dataset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidateError {
    /// The file cannot be opened.
    #[error("cannot open {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file was read and does not conform: the full report.
    #[error("{}", .0)]
    Invalid(CheckReport),
}

/// Longest cell text quoted in a report.
const MAX_QUOTED_CHARS: usize = 40;

fn quote(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim();
    if trimmed.chars().count() > MAX_QUOTED_CHARS {
        format!("{}...", trimmed.chars().take(MAX_QUOTED_CHARS).collect::<String>())
    } else {
        trimmed.to_string()
    }
}

/// Parses a numeric cell the way every vsies stage does: trimmed UTF-8, Rust's `f64` grammar
/// (decimal or exponent notation; `inf`/`nan` parse but are then rejected as non-finite).
pub fn parse_number(cell: &[u8]) -> Result<f64, ViolationKind> {
    let text = std::str::from_utf8(cell).map_err(|_| ViolationKind::NonNumeric)?.trim();
    if text.is_empty() {
        return Err(ViolationKind::MissingCell);
    }
    let value: f64 = text.parse().map_err(|_| ViolationKind::NonNumeric)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ViolationKind::NonFinite)
    }
}

/// Where each schema column sits in the CSV.
struct ColumnMap {
    /// CSV position of each feature, in schema order.
    features: Vec<usize>,
    label: Option<usize>,
    width: usize,
}

/// Collects violations, listing the first few and counting all.
struct Collector {
    listed: Vec<Violation>,
    total: usize,
    max_listed: usize,
}

impl Collector {
    fn push(&mut self, violation: Violation) {
        self.total += 1;
        if self.listed.len() < self.max_listed {
            self.listed.push(violation);
        }
    }

    fn at(
        &mut self,
        line: Option<u64>,
        row: Option<usize>,
        column: Option<&str>,
        value: Option<String>,
        kind: ViolationKind,
    ) {
        let (column, value) = (column.map(crate::clip::clip), value.as_deref().map(crate::clip::clip));
        self.push(Violation { line, row, column, value, kind });
    }
}

/// Validates the CSV file at `path`.
pub fn validate_csv_file(path: &Path, schema: &Schema, options: ValidateOptions) -> Result<RawDataset, ValidateError> {
    let input = crate::csv_input::open_csv(path).map_err(|source| ValidateError::Io { path: path.into(), source })?;
    validate_csv(input, path, schema, options)
}

/// Validates CSV bytes from any reader; `name` is the file name reports carry.
pub fn validate_csv<R: Read>(
    input: R,
    name: &Path,
    schema: &Schema,
    options: ValidateOptions,
) -> Result<RawDataset, ValidateError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut issues = Collector { listed: Vec::new(), total: 0, max_listed: options.max_listed };
    let mut record = csv::ByteRecord::new();
    let mut rows = 0usize;
    let report = |issues: Collector, rows| CheckReport {
        file: name.into(),
        valid: issues.total == 0,
        rows,
        total_violations: issues.total,
        violations: issues.listed,
    };

    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            issues.at(None, None, None, None, ViolationKind::EmptyFile);
            return Err(ValidateError::Invalid(report(issues, 0)));
        }
        Err(err) => {
            issues.at(Some(1), None, None, None, ViolationKind::Unreadable { reason: err.to_string() });
            return Err(ValidateError::Invalid(report(issues, 0)));
        }
    }
    let Some(map) = map_header(&record, schema, options.labels, &mut issues) else {
        return Err(ValidateError::Invalid(report(issues, 0)));
    };

    let mut values = Vec::new();
    let mut labels = map.label.map(|_| Vec::new());
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(err) => {
                let line = err.position().map(|p| p.line());
                issues.at(line, Some(rows), None, None, ViolationKind::Unreadable { reason: err.to_string() });
                break;
            }
        }
        let line = record.position().map(|p| p.line());
        check_row(&record, rows, line, schema, &map, &mut issues, &mut values, &mut labels);
        rows += 1;
    }
    if rows == 0 {
        issues.at(None, None, None, None, ViolationKind::NoDataRows);
    }
    if issues.total > 0 {
        return Err(ValidateError::Invalid(report(issues, rows)));
    }
    Ok(RawDataset { schema_id: schema.content_id(), columns: schema.features.len(), values, labels })
}

/// Maps header cells to schema columns; `None` when rows cannot be checked at all.
fn map_header(
    header: &csv::ByteRecord,
    schema: &Schema,
    labels: LabelPolicy,
    issues: &mut Collector,
) -> Option<ColumnMap> {
    let line = header.position().map(|p| p.line());
    let names: Vec<String> = header.iter().map(|cell| String::from_utf8_lossy(cell).trim().to_string()).collect();
    let known = |name: &str| name == schema.label.column || schema.feature_names().any(|f| f == name);
    if !names.iter().any(|n| known(n)) && header.iter().all(|cell| parse_number(cell).is_ok()) {
        issues.at(line, None, None, Some(quote(header.as_slice())), ViolationKind::MissingHeader);
        return None;
    }
    let mut seen = std::collections::HashSet::new();
    for name in &names {
        if !seen.insert(name.as_str()) {
            issues.at(line, None, Some(name), None, ViolationKind::DuplicateColumn);
        } else if !known(name) {
            issues.at(line, None, Some(name), None, ViolationKind::UnexpectedColumn);
        }
    }
    let position = |wanted: &str| names.iter().position(|n| n == wanted);
    let mut features = Vec::with_capacity(schema.features.len());
    for feature in schema.feature_names() {
        match position(feature) {
            Some(index) => features.push(index),
            None => issues.at(line, None, Some(feature), None, ViolationKind::MissingColumn),
        }
    }
    let label = position(&schema.label.column);
    if label.is_none() && labels == LabelPolicy::Required {
        issues.at(line, None, Some(&schema.label.column), None, ViolationKind::MissingColumn);
    }
    (features.len() == schema.features.len()).then_some(ColumnMap { features, label, width: names.len() })
}

#[allow(clippy::too_many_arguments)]
fn check_row(
    record: &csv::ByteRecord,
    row: usize,
    line: Option<u64>,
    schema: &Schema,
    map: &ColumnMap,
    issues: &mut Collector,
    values: &mut Vec<f64>,
    labels: &mut Option<Vec<u8>>,
) {
    if record.len() != map.width {
        let kind = ViolationKind::RaggedRow { expected: map.width, found: record.len() };
        issues.at(line, Some(row), None, None, kind);
        return;
    }
    for (feature, &index) in schema.features.iter().zip(&map.features) {
        let cell = &record[index];
        match parse_number(cell) {
            Ok(value) if value < feature.min || value > feature.max => {
                let kind = ViolationKind::OutOfRange { min: feature.min, max: feature.max };
                issues.at(line, Some(row), Some(&feature.name), Some(quote(cell)), kind);
            }
            Ok(value) => values.push(value),
            Err(kind) => issues.at(line, Some(row), Some(&feature.name), Some(quote(cell)), kind),
        }
    }
    if let (Some(index), Some(labels)) = (map.label, labels.as_mut()) {
        let cell = &record[index];
        let text = String::from_utf8_lossy(cell);
        match schema.class_index(text.trim()) {
            Some(class) => labels.push(class),
            None if text.trim().is_empty() => {
                issues.at(line, Some(row), Some(&schema.label.column), None, ViolationKind::MissingCell);
            }
            None => {
                let kind = ViolationKind::UnknownLabel { classes: schema.label.classes.clone() };
                issues.at(line, Some(row), Some(&schema.label.column), Some(quote(cell)), kind);
            }
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyFile => write!(f, "the file is empty"),
            Self::MissingHeader => write!(f, "no header: the first line holds numbers, not column names"),
            Self::MissingColumn => write!(f, "column required by the schema is missing from the header"),
            Self::UnexpectedColumn => write!(f, "column is not in the schema"),
            Self::DuplicateColumn => write!(f, "column appears more than once in the header"),
            Self::NoDataRows => write!(f, "the header is not followed by any data row"),
            Self::RaggedRow { expected, found } => write!(f, "row has {found} cells, the header has {expected}"),
            Self::MissingCell => write!(f, "empty cell"),
            Self::NonNumeric => write!(f, "not a number"),
            Self::NonFinite => write!(f, "NaN or infinite"),
            Self::OutOfRange { min, max } => write!(f, "outside the schema range [{min}, {max}]"),
            Self::UnknownLabel { classes } => write!(f, "label is not one of the classes {classes:?}"),
            Self::Unreadable { reason } => write!(f, "unreadable: {reason}"),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(line) = self.line {
            place.push(format!("line {line}"));
        }
        if let Some(row) = self.row {
            place.push(format!("row {row}"));
        }
        if let Some(column) = &self.column {
            place.push(format!("column {column:?}"));
        }
        if !place.is_empty() {
            write!(f, "{}: ", place.join(", "))?;
        }
        if let Some(value) = &self.value {
            write!(f, "{value:?}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        if self.valid {
            return write!(f, "{file}: conforms ({} data rows)", self.rows);
        }
        write!(f, "{file}: {} violation(s) in {} data rows", self.total_violations, self.rows)?;
        for violation in &self.violations {
            write!(f, "\n  {violation}")?;
        }
        if self.total_violations > self.violations.len() {
            write!(f, "\n  ... and {} more", self.total_violations - self.violations.len())?;
        }
        Ok(())
    }
}
