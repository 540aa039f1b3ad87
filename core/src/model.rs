//! A trained logistic-regression model: quantized weights, the schema they expect, the
//! training parameters and the number of training rows (the FedAvg weight).

use crate::artifact::{self, ArtifactError, ArtifactKind};
use crate::cid::ContentId;
use crate::dataset::QuantizedDataset;
use crate::schema::Schema;
use crate::spec::{self, SpecError, TrainingConfig};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Domain-separation tag of the model's canonical encoding.
const MODEL_ENCODING_TAG: &[u8] = b"vsies/model/v1\n";

/// A model as `model.json` stores it (the artifact's `body`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Content id of `schema`, recorded so a reader sees it without recomputing.
    pub schema_id: ContentId,
    /// The schema the model was trained under; prediction validates data against it.
    pub schema: Schema,
    /// The training parameters.
    pub training: TrainingConfig,
    /// Content id of the model training started from, if not from zero weights.
    pub initial_model: Option<ContentId>,
    /// Feature weights in schema order, format `training.weight_format`.
    pub weights: Vec<i64>,
    /// The bias, same format.
    pub bias: i64,
    /// Rows the model was trained on.
    pub training_samples: u64,
}

/// Why a model file cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The artifact envelope is unreadable or damaged.
    #[error(transparent)]
    Artifact(#[from] ArtifactError),
    /// The model's content is inconsistent.
    #[error("{path}: model field `{field}` is invalid: {reason}")]
    Invalid {
        /// The model file.
        path: String,
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

/// A dataset the model cannot score.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelMismatch {
    /// Another schema.
    #[error("the dataset was quantized under schema {found}, the model expects schema {expected}")]
    Schema {
        /// The model's schema.
        expected: ContentId,
        /// The dataset's schema.
        found: ContentId,
    },
    /// Another width.
    #[error("the dataset has {found} feature columns, the model has {expected} weights")]
    FeatureCount {
        /// The model's feature weights.
        expected: usize,
        /// The dataset's feature columns.
        found: usize,
    },
}

/// Why a model cannot be trained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// The dataset was quantized under another schema than the one given.
    #[error("the dataset does not fit the schema: {0}")]
    Dataset(ModelMismatch),
    /// The initial model does not fit the dataset.
    #[error("the initial model does not fit the dataset: {0}")]
    InitialModel(ModelMismatch),
    /// The spec does not define this run.
    #[error(transparent)]
    Spec(#[from] SpecError),
}

impl Model {
    /// Trains a model under the spec on a dataset quantized with `schema`; refuses a dataset
    /// quantized under another schema, and an initial model of another schema or width.
    pub fn train(
        schema: &Schema,
        data: &QuantizedDataset,
        training: TrainingConfig,
        initial: Option<&Model>,
    ) -> Result<Self, TrainError> {
        let schema_id = schema.content_id();
        if data.schema_id() != schema_id {
            return Err(TrainError::Dataset(ModelMismatch::Schema { expected: schema_id, found: data.schema_id() }));
        }
        if let Some(initial) = initial {
            initial.check_compatible(data).map_err(TrainError::InitialModel)?;
        }
        let initial_weights = initial.map(Model::augmented_weights);
        let mut weights = spec::train(data, &training, initial_weights.as_deref())?;
        let bias = weights.pop().expect("the augmented weights end with the bias");
        Ok(Self {
            schema_id,
            schema: schema.clone(),
            training,
            initial_model: initial.map(Model::content_id),
            weights,
            bias,
            training_samples: data.rows() as u64,
        })
    }

    /// A model with given weights (not trained here): what FedAvg, benchmarks and tests build.
    pub fn from_weights(
        schema: Schema,
        training: TrainingConfig,
        weights: Vec<i64>,
        bias: i64,
        training_samples: u64,
    ) -> Self {
        Self { schema_id: schema.content_id(), schema, training, initial_model: None, weights, bias, training_samples }
    }

    /// Feature weights followed by the bias, as the spec indexes them.
    pub fn augmented_weights(&self) -> Vec<i64> {
        let mut weights = self.weights.clone();
        weights.push(self.bias);
        weights
    }

    /// Checks that `data` can be scored by this model.
    pub fn check_compatible(&self, data: &QuantizedDataset) -> Result<(), ModelMismatch> {
        self.check_shape(data.schema_id(), data.columns())
    }

    /// Checks that data quantized under `schema_id` with `columns` features can be scored by
    /// this model; shared by plaintext and encrypted inference.
    pub fn check_shape(&self, schema_id: ContentId, columns: usize) -> Result<(), ModelMismatch> {
        if schema_id != self.schema_id {
            return Err(ModelMismatch::Schema { expected: self.schema_id, found: schema_id });
        }
        if columns != self.weights.len() {
            return Err(ModelMismatch::FeatureCount { expected: self.weights.len(), found: columns });
        }
        Ok(())
    }

    /// Quantized scores `z` of every row (see the spec's inference section).
    pub fn scores(&self, data: &QuantizedDataset) -> Result<Vec<i64>, ModelMismatch> {
        self.check_compatible(data)?;
        let weights = self.augmented_weights();
        Ok((0..data.rows()).map(|r| spec::score(&weights, data.row(r), data.format())).collect())
    }

    /// The canonical encoding, input of the model's content id:
    ///
    /// | field | encoding |
    /// |---|---|
    /// | tag | the 15 ASCII bytes `vsies/model/v1\n` |
    /// | schema id | 36-byte binary CIDv1 |
    /// | feature format | u8 bits, u8 frac_bits |
    /// | weight format | u8 bits, u8 frac_bits |
    /// | fp, b, k | u8 each |
    /// | epochs, seed | u32 LE each |
    /// | initial model | u8 0, or u8 1 then its 36-byte binary CID |
    /// | columns | u32 LE |
    /// | weights then bias | i32 LE each |
    /// | training samples | u64 LE |
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let t = &self.training;
        let q = self.schema.quantization;
        let mut out = Vec::with_capacity(128 + 4 * self.weights.len());
        out.extend_from_slice(MODEL_ENCODING_TAG);
        out.extend_from_slice(&self.schema_id.to_bytes());
        for byte in [q.bits, q.frac_bits, t.weight_format.bits, t.weight_format.frac_bits] {
            out.push(byte as u8);
        }
        out.extend_from_slice(&[t.sigmoid_frac_bits as u8, t.batch_size_log2 as u8, t.learning_rate_log2 as u8]);
        out.extend_from_slice(&t.epochs.to_le_bytes());
        out.extend_from_slice(&t.seed.to_le_bytes());
        match &self.initial_model {
            None => out.push(0),
            Some(id) => {
                out.push(1);
                out.extend_from_slice(&id.to_bytes());
            }
        }
        out.extend_from_slice(&(self.weights.len() as u32).to_le_bytes());
        for &weight in self.weights.iter().chain([&self.bias]) {
            // Weights fit the weight format (at most 24 bits), so i32 holds them exactly.
            out.extend_from_slice(&(weight as i32).to_le_bytes());
        }
        out.extend_from_slice(&self.training_samples.to_le_bytes());
        out
    }

    /// Content id of [`Model::canonical_bytes`].
    pub fn content_id(&self) -> ContentId {
        ContentId::of(&self.canonical_bytes())
    }

    /// Writes `model.json` atomically.
    pub fn save(&self, path: &Path) -> Result<(), ArtifactError> {
        artifact::write_json(path, ArtifactKind::Model, self)
    }

    /// Reads and checks a model file: envelope, schema, schema id, parameters, weight ranges.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let model: Model = artifact::read_json(path, ArtifactKind::Model)?;
        let invalid = |field, reason: String| ModelError::Invalid { path: path.display().to_string(), field, reason };
        let schema = model.schema.clone().validate().map_err(|err| invalid("schema", err.to_string()))?;
        if schema.content_id() != model.schema_id {
            return Err(invalid("schema_id", "does not match the embedded schema".into()));
        }
        if model.weights.len() != schema.features.len() {
            let reason = format!("{} weights for {} schema features", model.weights.len(), schema.features.len());
            return Err(invalid("weights", reason));
        }
        model
            .training
            .validate(schema.quantization, schema.features.len())
            .map_err(|err| invalid("training", err.to_string()))?;
        let format = model.training.weight_format;
        if let Some(weight) = model.augmented_weights().into_iter().find(|&w| w != format.clamp(w)) {
            return Err(invalid("weights", format!("{weight} lies outside the {}-bit weight format", format.bits)));
        }
        Ok(model)
    }
}
