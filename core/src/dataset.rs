//! The quantized dataset: the one representation every later stage sees, encrypts, commits
//! to and proves about.

use crate::cid::ContentId;
use crate::fixed::FixedFormat;
use crate::schema::Schema;
use crate::validate::RawDataset;

/// Domain-separation tag of the canonical encoding.
const DATASET_ENCODING_TAG: &[u8] = b"vsies/quantized-dataset/v1\n";

/// Standardized, quantized features (schema column order, row-major) and class labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantizedDataset {
    pub schema_id: ContentId,
    pub format: FixedFormat,
    pub columns: usize,
    /// `rows * columns` integers, each inside `format`'s range.
    pub values: Vec<i32>,
    /// Class index (0 or 1) per row, when known.
    pub labels: Option<Vec<u8>>,
}

/// Why canonical bytes do not decode to a quantized dataset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetDecodeError {
    #[error("quantized dataset encoding does not start with its tag")]
    BadTag,
    #[error("quantized dataset encoding is truncated at byte {0}")]
    Truncated(usize),
    #[error("quantized dataset encoding has {0} unexpected trailing bytes")]
    TrailingBytes(usize),
    #[error("quantized dataset field `{field}` is invalid: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl QuantizedDataset {
    /// Standardizes and quantizes a validated dataset with its schema.
    pub fn from_raw(schema: &Schema, raw: &RawDataset) -> Self {
        let columns = schema.features.len();
        let values = raw
            .values
            .iter()
            .enumerate()
            .map(|(index, &value)| schema.quantize(index % columns, value) as i32)
            .collect();
        Self {
            schema_id: schema.content_id(),
            format: schema.quantization,
            columns,
            values,
            labels: raw.labels.clone(),
        }
    }

    pub fn rows(&self) -> usize {
        self.values.len().checked_div(self.columns).unwrap_or(0)
    }

    pub fn row(&self, index: usize) -> &[i32] {
        &self.values[index * self.columns..(index + 1) * self.columns]
    }

    /// Keeps the given rows, in the given order.
    pub fn select_rows(&self, rows: &[usize]) -> Self {
        Self {
            values: rows.iter().flat_map(|&r| self.row(r).iter().copied()).collect(),
            labels: self.labels.as_ref().map(|labels| rows.iter().map(|&r| labels[r]).collect()),
            ..self.clone()
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
        let rows = self.rows();
        let mut out = Vec::with_capacity(80 + self.values.len() * width + rows);
        out.extend_from_slice(DATASET_ENCODING_TAG);
        out.extend_from_slice(&self.schema_id.to_bytes());
        out.extend_from_slice(&(self.columns as u32).to_le_bytes());
        out.extend_from_slice(&(rows as u64).to_le_bytes());
        out.extend_from_slice(&[self.format.bits as u8, self.format.frac_bits as u8, self.labels.is_some() as u8]);
        for &value in &self.values {
            out.extend_from_slice(&value.to_le_bytes()[..width]);
        }
        if let Some(labels) = &self.labels {
            out.extend_from_slice(labels);
        }
        out
    }

    /// Content id of [`QuantizedDataset::canonical_bytes`].
    pub fn content_id(&self) -> ContentId {
        ContentId::of(&self.canonical_bytes())
    }

    /// Decodes and checks a canonical encoding (every value in range, labels 0 or 1).
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Self, DatasetDecodeError> {
        let mut cursor = Cursor { bytes, at: 0 };
        if cursor.take(DATASET_ENCODING_TAG.len())? != DATASET_ENCODING_TAG {
            return Err(DatasetDecodeError::BadTag);
        }
        let schema_id = parse_cid(cursor.take(36)?)?;
        let columns = u32::from_le_bytes(cursor.array()?) as usize;
        let rows = u64::from_le_bytes(cursor.array()?);
        let [bits, frac_bits, has_labels] = cursor.array()?;
        let invalid = |field, reason: String| DatasetDecodeError::Invalid { field, reason };
        let format = FixedFormat { bits: bits.into(), frac_bits: frac_bits.into() }
            .validate()
            .map_err(|err| invalid("format", err.to_string()))?;
        if columns == 0 {
            return Err(invalid("columns", "zero columns".into()));
        }
        let width = Self::value_bytes(format);
        let count = usize::try_from(rows)
            .ok()
            .and_then(|rows| rows.checked_mul(columns))
            .filter(|count| count.saturating_mul(width) <= bytes.len())
            .ok_or(DatasetDecodeError::Truncated(bytes.len()))?;
        let mut values = Vec::with_capacity(count);
        for index in 0..count {
            let chunk = cursor.take(width)?;
            let mut le = [0u8; 4];
            le[..width].copy_from_slice(chunk);
            let shift = 32 - 8 * width as u32;
            let value = (i32::from_le_bytes(le) << shift) >> shift; // sign-extend
            if i64::from(value) < format.min() || i64::from(value) > format.max() {
                return Err(invalid("values", format!("value {value} at index {index} outside the format")));
            }
            values.push(value);
        }
        let labels = match has_labels {
            0 => None,
            1 => {
                let labels = cursor.take(count / columns)?.to_vec();
                if let Some(row) = labels.iter().position(|&l| l > 1) {
                    return Err(invalid("labels", format!("label {} at row {row} is not 0 or 1", labels[row])));
                }
                Some(labels)
            }
            other => return Err(invalid("has_labels", format!("{other} is not 0 or 1"))),
        };
        if cursor.at != bytes.len() {
            return Err(DatasetDecodeError::TrailingBytes(bytes.len() - cursor.at));
        }
        Ok(Self { schema_id, format, columns, values, labels })
    }
}

fn parse_cid(bytes: &[u8]) -> Result<ContentId, DatasetDecodeError> {
    let expected = ContentId::from_digest([0; 32]).to_bytes();
    if bytes[..4] != expected[..4] {
        return Err(DatasetDecodeError::Invalid { field: "schema_id", reason: "not a CIDv1 raw sha2-256".into() });
    }
    let mut digest = [0u8; 32];
    digest.copy_from_slice(&bytes[4..36]);
    Ok(ContentId::from_digest(digest))
}

/// A bounds-checked reader over a byte slice.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, count: usize) -> Result<&'a [u8], DatasetDecodeError> {
        let end = self.at.checked_add(count).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(DatasetDecodeError::Truncated(self.at))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DatasetDecodeError> {
        Ok(self.take(N)?.try_into().expect("take returns N bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample(labels: bool) -> QuantizedDataset {
        QuantizedDataset {
            schema_id: ContentId::of(b"schema"),
            format: FixedFormat::FEATURES,
            columns: 3,
            values: vec![-128, 0, 127, 5, -6, 7],
            labels: labels.then(|| vec![1, 0]),
        }
    }

    #[test]
    fn canonical_bytes_round_trip() {
        for labels in [true, false] {
            let data = sample(labels);
            assert_eq!(QuantizedDataset::from_canonical_bytes(&data.canonical_bytes()).unwrap(), data);
        }
    }

    #[test]
    fn content_id_depends_on_values_and_labels() {
        let base = sample(true);
        let mut other = base.clone();
        other.values[4] += 1;
        assert_ne!(base.content_id(), other.content_id());
        assert_ne!(base.content_id(), sample(false).content_id());
    }

    #[test]
    fn decoding_refuses_truncation_trailing_bytes_and_out_of_format_values() {
        let bytes = sample(true).canonical_bytes();
        for cut in [0, 10, bytes.len() - 1] {
            assert!(QuantizedDataset::from_canonical_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(QuantizedDataset::from_canonical_bytes(&longer), Err(DatasetDecodeError::TrailingBytes(1)));
        let mut bad_label = bytes.clone();
        *bad_label.last_mut().unwrap() = 2;
        assert!(matches!(QuantizedDataset::from_canonical_bytes(&bad_label), Err(DatasetDecodeError::Invalid { .. })));
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
