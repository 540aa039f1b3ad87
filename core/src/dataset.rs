//! The quantized dataset: the one representation every later stage sees, encrypts, commits
//! to and proves about.
//!
//! Its invariants hold for every value of the type, because its fields are private and every
//! constructor checks them: at least one feature column; every feature inside the fixed-point
//! format; labels, when present, one per row and each 0 or 1. It is saved as a `.vqd` artifact
//! ([`QuantizedDataset::save`]) and loaded back ([`QuantizedDataset::load`]) without re-reading
//! the CSV, so every command that takes a CSV also takes a `.vqd` file.

use crate::artifact::{self, ArtifactError, ArtifactKind};
use crate::cid::ContentId;
use crate::codec::{CodecError, Reader, Writer};
use crate::fixed::FixedFormat;
use crate::schema::Schema;
use crate::validate::RawDataset;
use ndarray::{Array2, ArrayView2, Axis};
use std::path::{Path, PathBuf};

/// Domain-separation tag of the canonical encoding.
const DATASET_ENCODING_TAG: &[u8] = b"vsies/quantized-dataset/v1\n";

/// Standardized, quantized features (a `rows x columns` matrix in schema column order) and
/// class labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantizedDataset {
    schema_id: ContentId,
    format: FixedFormat,
    /// Standard (row-major) layout, so a row is a contiguous slice.
    features: Array2<i32>,
    labels: Option<Vec<u8>>,
}

/// Why a quantized dataset cannot be built, decoded or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// A field of the dataset breaks an invariant.
    #[error("quantized dataset field `{field}` is invalid: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The rows were validated against another schema than the one given.
    #[error("the rows were checked against schema {found}, not the schema given ({expected})")]
    SchemaMismatch {
        /// The schema given.
        expected: ContentId,
        /// The schema the rows were checked against.
        found: ContentId,
    },
    /// The canonical encoding does not decode.
    #[error("quantized dataset encoding: {0}")]
    Decode(#[from] CodecError),
    /// The artifact envelope is unreadable or damaged.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// An error in a file, named.
    #[error("{path}: {source}")]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: Box<DatasetError>,
    },
}

fn invalid(field: &'static str, reason: impl Into<String>) -> DatasetError {
    DatasetError::Invalid { field, reason: reason.into() }
}

impl QuantizedDataset {
    /// A dataset from its parts, checking every invariant.
    pub fn new(
        schema_id: ContentId,
        format: FixedFormat,
        features: Array2<i32>,
        labels: Option<Vec<u8>>,
    ) -> Result<Self, DatasetError> {
        let format = format.validate().map_err(|err| invalid("format", err.to_string()))?;
        if features.ncols() == 0 {
            return Err(invalid("columns", "a dataset has at least one feature column"));
        }
        if let Some(((row, column), &value)) =
            features.indexed_iter().find(|(_, &value)| i64::from(value) != format.clamp(value.into()))
        {
            return Err(invalid(
                "values",
                format!("value {value} at row {row}, column {column} is outside the {}-bit format", format.bits),
            ));
        }
        if let Some(labels) = &labels {
            if labels.len() != features.nrows() {
                return Err(invalid("labels", format!("{} labels for {} rows", labels.len(), features.nrows())));
            }
            if let Some(row) = labels.iter().position(|&label| label > 1) {
                return Err(invalid("labels", format!("label {} at row {row} is not 0 or 1", labels[row])));
            }
        }
        let features =
            if features.is_standard_layout() { features } else { features.as_standard_layout().into_owned() };
        Ok(Self { schema_id, format, features, labels })
    }

    /// A dataset from row-major values (`values.len()` a multiple of `columns`).
    pub fn from_values(
        schema_id: ContentId,
        format: FixedFormat,
        columns: usize,
        values: Vec<i32>,
        labels: Option<Vec<u8>>,
    ) -> Result<Self, DatasetError> {
        if columns == 0 || !values.len().is_multiple_of(columns) {
            return Err(invalid("columns", format!("{} values do not fill rows of {columns} columns", values.len())));
        }
        let features = Array2::from_shape_vec((values.len() / columns, columns), values)
            .map_err(|err| invalid("values", err.to_string()))?;
        Self::new(schema_id, format, features, labels)
    }

    /// Standardizes and quantizes rows validated against `schema`; refuses rows validated
    /// against another schema.
    pub fn from_raw(schema: &Schema, raw: &RawDataset) -> Result<Self, DatasetError> {
        let schema_id = schema.content_id();
        if raw.schema_id() != schema_id {
            return Err(DatasetError::SchemaMismatch { expected: schema_id, found: raw.schema_id() });
        }
        let columns = schema.features.len();
        let values = raw
            .values()
            .iter()
            .enumerate()
            // Quantization clamps into the format, so the value fits an i32.
            .map(|(index, &value)| schema.quantize(index % columns, value) as i32)
            .collect();
        Self::from_values(schema_id, schema.quantization, columns, values, raw.labels().map(<[u8]>::to_vec))
    }

    /// Content id of the schema the rows were quantized under.
    pub fn schema_id(&self) -> ContentId {
        self.schema_id
    }

    /// The features' fixed-point format.
    pub fn format(&self) -> FixedFormat {
        self.format
    }

    /// Feature columns.
    pub fn columns(&self) -> usize {
        self.features.ncols()
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.features.nrows()
    }

    /// The feature matrix, `rows x columns`.
    pub fn features(&self) -> ArrayView2<'_, i32> {
        self.features.view()
    }

    /// Every feature, row-major.
    pub fn values(&self) -> &[i32] {
        self.features.as_slice().expect("features are kept in standard layout")
    }

    /// The features of row `index`.
    pub fn row(&self, index: usize) -> &[i32] {
        let columns = self.columns();
        &self.values()[index * columns..(index + 1) * columns]
    }

    /// Class index (0 or 1) per row, when the data was labelled.
    pub fn labels(&self) -> Option<&[u8]> {
        self.labels.as_deref()
    }

    /// The same rows without their labels (what a contributor shares for prediction).
    pub fn without_labels(&self) -> Self {
        Self { labels: None, ..self.clone() }
    }

    /// Keeps the given rows, in the given order. Panics on an index out of range, as slicing
    /// does: row indices come from the caller's own split or schedule.
    pub fn select_rows(&self, rows: &[usize]) -> Self {
        Self {
            schema_id: self.schema_id,
            format: self.format,
            features: self.features.select(Axis(0), rows),
            labels: self.labels.as_ref().map(|labels| rows.iter().map(|&r| labels[r]).collect()),
        }
    }

    /// Bytes per value in the canonical encoding: the format's width rounded up to bytes.
    fn value_bytes(format: FixedFormat) -> usize {
        format.bits.div_ceil(8) as usize
    }

    /// The canonical encoding, input of the content id:
    ///
    /// | field | encoding |
    /// |---|---|
    /// | tag | the 27 ASCII bytes `vsies/quantized-dataset/v1\n` |
    /// | schema id | 36-byte binary CIDv1 |
    /// | columns, rows | u32 LE, u64 LE |
    /// | format | u8 bits, u8 frac_bits |
    /// | has labels | u8, 0 or 1 |
    /// | values | row-major, each two's complement LE in `ceil(bits / 8)` bytes |
    /// | labels | one byte (0 or 1) per row, when present |
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let width = Self::value_bytes(self.format);
        let mut out = Writer::with_capacity(80 + self.values().len() * width + self.rows());
        out.raw(DATASET_ENCODING_TAG)
            .cid(&self.schema_id)
            .u32(self.columns() as u32)
            .u64(self.rows() as u64)
            .u8(self.format.bits as u8)
            .u8(self.format.frac_bits as u8)
            .u8(u8::from(self.labels.is_some()));
        for &value in self.values() {
            out.raw(&value.to_le_bytes()[..width]);
        }
        if let Some(labels) = &self.labels {
            out.raw(labels);
        }
        out.into_bytes()
    }

    /// Content id of [`QuantizedDataset::canonical_bytes`].
    pub fn content_id(&self) -> ContentId {
        ContentId::of(&self.canonical_bytes())
    }

    /// Decodes and checks a canonical encoding (every value in range, labels 0 or 1).
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Self, DatasetError> {
        let mut reader = Reader::new(bytes);
        reader.expect("tag", DATASET_ENCODING_TAG)?;
        let schema_id = reader.cid("schema_id")?;
        let columns = reader.u32("columns")? as usize;
        let rows = reader.u64("rows")?;
        let format =
            FixedFormat { bits: reader.u8("format.bits")?.into(), frac_bits: reader.u8("format.frac_bits")?.into() }
                .validate()
                .map_err(|err| invalid("format", err.to_string()))?;
        let has_labels = reader.u8("has_labels")?;
        if columns == 0 {
            return Err(invalid("columns", "zero columns"));
        }
        let width = Self::value_bytes(format);
        // The row count is checked against the bytes that remain before anything is allocated.
        let rows = reader.count("values", rows, columns.saturating_mul(width))?;
        let mut values = Vec::with_capacity(rows * columns);
        let shift = 32 - 8 * width as u32;
        for _ in 0..rows * columns {
            let mut le = [0u8; 4];
            le[..width].copy_from_slice(reader.take("values", width)?);
            values.push((i32::from_le_bytes(le) << shift) >> shift); // sign-extend
        }
        let labels = match has_labels {
            0 => None,
            1 => Some(reader.take("labels", rows)?.to_vec()),
            other => return Err(invalid("has_labels", format!("{other} is not 0 or 1"))),
        };
        reader.finish()?;
        Self::from_values(schema_id, format, columns, values, labels)
    }

    /// Writes the dataset as a `.vqd` artifact, atomically.
    pub fn save(&self, path: &Path) -> Result<(), ArtifactError> {
        artifact::write_binary(path, ArtifactKind::QuantizedDataset, &self.canonical_bytes())
    }

    /// Reads and checks a `.vqd` artifact; errors name the file.
    pub fn load(path: &Path) -> Result<Self, DatasetError> {
        let payload = artifact::read_binary(path, ArtifactKind::QuantizedDataset)?;
        Self::from_canonical_bytes(&payload)
            .map_err(|source| DatasetError::InFile { path: path.into(), source: Box::new(source) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample(labels: bool) -> QuantizedDataset {
        let values = vec![-128, 0, 127, 5, -6, 7];
        QuantizedDataset::from_values(
            ContentId::of(b"schema"),
            FixedFormat::FEATURES,
            3,
            values,
            labels.then(|| vec![1, 0]),
        )
        .unwrap()
    }

    #[test]
    fn canonical_bytes_round_trip() {
        for labels in [true, false] {
            let data = sample(labels);
            assert_eq!(QuantizedDataset::from_canonical_bytes(&data.canonical_bytes()).unwrap(), data);
        }
    }

    #[test]
    fn constructors_refuse_broken_invariants() {
        let id = ContentId::of(b"schema");
        let format = FixedFormat::FEATURES;
        assert!(QuantizedDataset::from_values(id, format, 2, vec![1, 2, 3], None).is_err());
        assert!(QuantizedDataset::from_values(id, format, 0, vec![], None).is_err());
        assert!(QuantizedDataset::from_values(id, format, 1, vec![128], None).is_err());
        assert!(QuantizedDataset::from_values(id, format, 1, vec![1, 2], Some(vec![1])).is_err());
        assert!(QuantizedDataset::from_values(id, format, 1, vec![1], Some(vec![2])).is_err());
        assert!(QuantizedDataset::from_values(id, format, 1, vec![-128, 127], Some(vec![0, 1])).is_ok());
    }

    #[test]
    fn content_id_depends_on_values_and_labels() {
        let base = sample(true);
        let mut values = base.values().to_vec();
        values[4] += 1;
        let other =
            QuantizedDataset::from_values(base.schema_id(), base.format(), 3, values, Some(vec![1, 0])).unwrap();
        assert_ne!(base.content_id(), other.content_id());
        assert_ne!(base.content_id(), sample(false).content_id());
        assert_eq!(base.without_labels(), sample(false));
    }

    #[test]
    fn decoding_refuses_truncation_trailing_bytes_and_out_of_format_values() {
        let bytes = sample(true).canonical_bytes();
        for cut in [0, 10, bytes.len() - 1] {
            assert!(QuantizedDataset::from_canonical_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            QuantizedDataset::from_canonical_bytes(&longer),
            Err(DatasetError::Decode(CodecError::TrailingBytes { count: 1 }))
        ));
        let mut bad_label = bytes.clone();
        *bad_label.last_mut().unwrap() = 2;
        assert!(matches!(QuantizedDataset::from_canonical_bytes(&bad_label), Err(DatasetError::Invalid { .. })));
    }

    #[test]
    fn a_huge_declared_row_count_is_refused_without_allocating() {
        let mut bytes = sample(true).canonical_bytes();
        let rows_at = DATASET_ENCODING_TAG.len() + 36 + 4;
        bytes[rows_at..rows_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(QuantizedDataset::from_canonical_bytes(&bytes), Err(DatasetError::Decode(_))));
    }

    #[test]
    fn save_and_load_round_trip_and_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.vqd");
        sample(true).save(&path).unwrap();
        assert_eq!(QuantizedDataset::load(&path).unwrap(), sample(true));
        let mut payload = sample(true).canonical_bytes();
        payload.push(9);
        artifact::write_binary(&path, ArtifactKind::QuantizedDataset, &payload).unwrap();
        let err = QuantizedDataset::load(&path).unwrap_err().to_string();
        assert!(err.contains("d.vqd") && err.contains("after the last field"), "{err}");
    }

    #[test]
    fn selected_rows_keep_their_labels_in_order() {
        let data = sample(true);
        let swapped = data.select_rows(&[1, 0]);
        assert_eq!(swapped.row(0), data.row(1));
        assert_eq!(swapped.labels(), Some(&[0, 1][..]));
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = QuantizedDataset::from_canonical_bytes(&bytes);
        }

        #[test]
        fn decoding_mutated_encodings_never_panics(index in 0usize..90, byte in any::<u8>()) {
            let mut bytes = sample(true).canonical_bytes();
            let at = index % bytes.len();
            bytes[at] = byte;
            let _ = QuantizedDataset::from_canonical_bytes(&bytes);
        }
    }
}
