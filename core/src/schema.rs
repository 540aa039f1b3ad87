//! The dataset schema: what a subnet accepts, written in TOML.
//!
//! ```toml
//! name = "breast_cancer"
//!
//! [label]
//! column = "malignant"
//! classes = ["0", "1"]          # index 0 = negative class, index 1 = positive class
//!
//! [quantization]                 # optional; these are the defaults
//! bits = 8
//! frac_bits = 4
//!
//! [[features]]
//! name = "mean_radius"
//! min = 0.0                      # raw (unstandardized) range a value must lie in
//! max = 30.0
//! mean = 14.1273                 # standardization: z = (x - mean) / scale
//! scale = 3.52049
//! ```
//!
//! Feature order is the order of `[[features]]` tables; CSV columns are matched by name, so
//! a CSV may order its columns differently. The schema's content id is taken over
//! [`Schema::canonical_bytes`], so comments and formatting of the TOML do not change it.

use crate::cid::ContentId;
use crate::fixed::{FixedFormat, FixedFormatError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Domain-separation tag of the schema's canonical encoding.
const SCHEMA_ENCODING_TAG: &str = "vsies/schema/v1";

/// A numeric feature column: its raw range and standardization parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureColumn {
    /// Column name, as in the CSV header.
    pub name: String,
    /// Smallest raw value accepted.
    pub min: f64,
    /// Largest raw value accepted.
    pub max: f64,
    /// Standardization centre.
    pub mean: f64,
    /// Standardization divisor (positive).
    pub scale: f64,
}

/// The label column and its two classes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelColumn {
    /// Column name, as in the CSV header.
    pub column: String,
    /// Exactly two class spellings as they appear in the CSV; index 1 is the positive class.
    pub classes: Vec<String>,
}

/// A dataset schema. Build one with [`crate::infer_schema`] or read one with [`Schema::load`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// Free-form name, part of the content id.
    #[serde(default)]
    pub name: String,
    /// The label column.
    pub label: LabelColumn,
    /// Fixed-point format of standardized features.
    #[serde(default = "default_quantization")]
    pub quantization: FixedFormat,
    /// Feature columns, in model order.
    pub features: Vec<FeatureColumn>,
}

fn default_quantization() -> FixedFormat {
    FixedFormat::FEATURES
}

/// Why a schema file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The file cannot be read.
    #[error("cannot read schema {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not TOML, or not a vsies schema.
    #[error("schema {path} is not valid TOML for a vsies schema: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A field breaks a schema rule.
    #[error("schema{} field `{field}` is invalid: {reason}", in_file(.path))]
    Invalid {
        /// The file (empty for a schema not read from one).
        path: PathBuf,
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// The quantization format is invalid.
    #[error("schema{} quantization: {source}", in_file(.path))]
    Format {
        /// The file (empty for a schema not read from one).
        path: PathBuf,
        /// Why.
        source: FixedFormatError,
    },
}

/// ` <path>` for an error message, nothing for a schema not read from a file.
fn in_file(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        String::new()
    } else {
        format!(" {}", path.display())
    }
}

/// The largest schema file read (65,536 features take a few MiB of TOML): a bound on what a
/// hostile file, `/dev/zero` or a FIFO can make the reader allocate.
pub const MAX_SCHEMA_BYTES: u64 = 64 << 20;

impl SchemaError {
    /// Whether the schema was read and its content refused (exit 1), rather than unreadable
    /// (exit 2).
    pub fn is_checked_invalid(&self) -> bool {
        !matches!(self, Self::Io { .. })
    }
}

/// Most feature columns a schema may have (keeps every spec intermediate inside `i64`).
pub const MAX_FEATURES: usize = 1 << 16;

impl Schema {
    /// Reads and validates a TOML schema.
    pub fn load(path: &Path) -> Result<Self, SchemaError> {
        use std::io::Read;
        let io = |source| SchemaError::Io { path: path.into(), source };
        let mut bytes = Vec::new();
        std::fs::File::open(path).map_err(io)?.take(MAX_SCHEMA_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
        // Too large or not text: not a schema file at all (unreadable, as a binary file is).
        let unreadable = |reason: String| io(std::io::Error::new(std::io::ErrorKind::InvalidData, reason));
        if bytes.len() as u64 > MAX_SCHEMA_BYTES {
            return Err(unreadable(format!("larger than the {} MiB a schema may take", MAX_SCHEMA_BYTES >> 20)));
        }
        let text = String::from_utf8(bytes).map_err(|err| unreadable(format!("not UTF-8 text: {err}")))?;
        let parse = |message: String| SchemaError::Parse { path: path.into(), message };
        Self::from_toml(&text).map_err(|err| match err {
            SchemaError::Parse { message, .. } => parse(message),
            SchemaError::Invalid { field, reason, .. } => SchemaError::Invalid { path: path.into(), field, reason },
            SchemaError::Format { source, .. } => SchemaError::Format { path: path.into(), source },
            other => other,
        })
    }

    /// Parses and validates a TOML schema.
    pub fn from_toml(text: &str) -> Result<Self, SchemaError> {
        let schema: Schema = toml::from_str(text)
            .map_err(|err| SchemaError::Parse { path: PathBuf::new(), message: err.to_string() })?;
        schema.validate()
    }

    /// The schema as TOML, in the layout documented above.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a schema always serializes to TOML")
    }

    /// Checks the invariants every later stage relies on.
    pub fn validate(self) -> Result<Self, SchemaError> {
        let invalid = |field: String, reason: &str| {
            Err(SchemaError::Invalid { path: PathBuf::new(), field, reason: reason.into() })
        };
        self.quantization.validate().map_err(|source| SchemaError::Format { path: PathBuf::new(), source })?;
        if self.features.is_empty() {
            return invalid("features".into(), "at least one feature column is required");
        }
        if self.features.len() > MAX_FEATURES {
            return invalid("features".into(), "more than 65536 feature columns");
        }
        if self.label.classes.len() != 2 {
            return invalid("label.classes".into(), "logistic regression needs exactly two classes");
        }
        if self.label.classes[0] == self.label.classes[1] {
            return invalid("label.classes".into(), "the two classes must differ");
        }
        let mut names = HashSet::new();
        names.insert(self.label.column.as_str());
        for (index, feature) in self.features.iter().enumerate() {
            let field = |key: &str| format!("features[{index}].{key} ({})", feature.name);
            if feature.name.trim().is_empty() {
                return invalid(field("name"), "empty column name");
            }
            if !names.insert(feature.name.as_str()) {
                return invalid(field("name"), "column name used twice (or equal to the label column)");
            }
            for (key, value) in
                [("min", feature.min), ("max", feature.max), ("mean", feature.mean), ("scale", feature.scale)]
            {
                if !value.is_finite() {
                    return invalid(field(key), "must be a finite number");
                }
            }
            if feature.min > feature.max {
                return invalid(field("min"), "min exceeds max");
            }
            if feature.scale <= 0.0 {
                return invalid(field("scale"), "must be positive");
            }
        }
        Ok(self)
    }

    /// Canonical encoding: the schema as compact JSON with sorted keys, after a domain tag.
    /// Floats print in Rust's shortest round-trip form, the same on every machine.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let value = serde_json::to_value(self).expect("a schema always serializes to JSON");
        let mut bytes = format!("{SCHEMA_ENCODING_TAG}\n").into_bytes();
        bytes.extend(serde_json::to_vec(&value).expect("JSON values serialize"));
        bytes
    }

    /// Content id of [`Schema::canonical_bytes`].
    pub fn content_id(&self) -> ContentId {
        ContentId::of(&self.canonical_bytes())
    }

    /// Feature column names in schema order.
    pub fn feature_names(&self) -> impl Iterator<Item = &str> {
        self.features.iter().map(|f| f.name.as_str())
    }

    /// Index of a label spelling among the classes (0 negative, 1 positive).
    pub fn class_index(&self, label: &str) -> Option<u8> {
        self.label.classes.iter().position(|c| c == label).map(|i| i as u8)
    }

    /// Standardizes and quantizes one raw value of feature `column`.
    pub fn quantize(&self, column: usize, raw: f64) -> i64 {
        let feature = &self.features[column];
        self.quantization.quantize((raw - feature.mean) / feature.scale)
    }

    /// Inclusive quantized bounds implied by a column's raw range; quantization is monotone,
    /// so every raw value inside `[min, max]` quantizes inside these bounds.
    pub fn quantized_bounds(&self, column: usize) -> (i64, i64) {
        let feature = &self.features[column];
        (self.quantize(column, feature.min), self.quantize(column, feature.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
name = "toy"
[label]
column = "y"
classes = ["no", "yes"]
[[features]]
name = "a"
min = 0.0
max = 10.0
mean = 5.0
scale = 2.0
"#;

    #[test]
    fn parses_with_default_quantization_and_round_trips() {
        let schema = Schema::from_toml(SMALL).unwrap();
        assert_eq!(schema.quantization, FixedFormat::FEATURES);
        assert_eq!(Schema::from_toml(&schema.to_toml()).unwrap(), schema);
    }

    #[test]
    fn content_id_ignores_formatting_but_not_content() {
        let schema = Schema::from_toml(SMALL).unwrap();
        let reformatted = Schema::from_toml(&format!("# a comment\n{}", SMALL.replace("10.0", "1e1"))).unwrap();
        assert_eq!(schema.content_id(), reformatted.content_id());
        let changed = Schema::from_toml(&SMALL.replace("max = 10.0", "max = 11.0")).unwrap();
        assert_ne!(schema.content_id(), changed.content_id());
    }

    #[test]
    fn rejects_invalid_schemas_naming_the_field() {
        let cases = [
            (SMALL.replace("scale = 2.0", "scale = 0.0"), "features[0].scale"),
            (SMALL.replace("[\"no\", \"yes\"]", "[\"no\"]"), "label.classes"),
            (SMALL.replace("min = 0.0", "min = 20.0"), "features[0].min"),
            (SMALL.replace("name = \"a\"", "name = \"y\""), "features[0].name"),
        ];
        for (text, field) in cases {
            let err = Schema::from_toml(&text).unwrap_err().to_string();
            assert!(err.contains(field), "{err} should name {field}");
        }
        assert!(matches!(Schema::from_toml("label = 3"), Err(SchemaError::Parse { .. })));
        assert!(matches!(Schema::from_toml(&format!("{SMALL}\nunknown = 1")), Err(SchemaError::Parse { .. })));
    }

    #[test]
    fn quantized_bounds_follow_the_raw_range() {
        let schema = Schema::from_toml(SMALL).unwrap();
        // (0 - 5) / 2 = -2.5 -> -40; (10 - 5) / 2 = 2.5 -> 40 at 4 fractional bits.
        assert_eq!(schema.quantized_bounds(0), (-40, 40));
    }
}
