//! # vsies-core
//!
//! The foundation every other vsies crate stands on: the **V**alidate, **S**tandardize and
//! **I**ndex stages of VSIES, and the one integer definition of logistic-regression training
//! that plaintext, encrypted (`vsies-fhe`) and proved (`vsies-zk`) training reproduce bit for
//! bit.
//!
//! A dataset's path through this crate, one type per stage:
//!
//! ```text
//! CSV --validate_csv_file(schema)--> RawDataset (records the schema id)
//!     --QuantizedDataset::from_raw--> QuantizedDataset --save--> data.vqd (artifact; load reads it back)
//!     --canonical_bytes / content_id--> ContentId         (index: IPFS CIDv1, raw, sha2-256)
//!     --Model::train(TrainingConfig)--> Model --save--> model.json (artifact)
//! ```
//!
//! Training walks [`spec::TrainingState`] one batch at a time over the public
//! [`spec::Schedule`]; the encrypted and proved implementations walk the same schedule.
//! [`DataCommitment`] is the dataset commitment every crate passes around (computed by
//! `vsies-zk`), [`codec`] the byte reader and writer of every binary payload.
//!
//! ```
//! use vsies_core::{FixedFormat, LabelColumn, FeatureColumn, Schema, Model, QuantizedDataset,
//!                  TrainingConfig, ValidateOptions, validate_csv};
//! use std::path::Path;
//!
//! let schema = Schema {
//!     name: "toy".into(),
//!     label: LabelColumn { column: "y".into(), classes: vec!["0".into(), "1".into()] },
//!     quantization: FixedFormat::FEATURES,
//!     features: vec![FeatureColumn { name: "x".into(), min: -10.0, max: 10.0, mean: 0.0, scale: 1.0 }],
//! }.validate()?;
//! let csv = "x,y\n-2,0\n-1,0\n1,1\n2,1\n";
//! let raw = validate_csv(csv.as_bytes(), Path::new("toy.csv"), &schema, ValidateOptions::default())?;
//! let data = QuantizedDataset::from_raw(&schema, &raw)?;
//! assert_eq!(data.row(0), [-32]); // -2.0 at 4 fractional bits
//! let model = Model::train(&schema, &data, TrainingConfig::default(), None)?;
//! let scores = model.scores(&data)?;
//! assert!(scores[0] < 0 && scores[3] > 0);
//! println!("model {}", model.content_id());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod artifact;
pub mod cid;
pub mod clip;
pub mod codec;
pub mod commitment;
pub mod csv_input;
pub mod dataset;
pub mod fedavg;
pub mod fixed;
pub mod infer;
pub mod metrics;
pub mod model;
pub mod predictions;
pub mod rng;
pub mod schema;
pub mod spec;
pub mod split;
#[doc(hidden)]
pub mod test_support;
pub mod validate;

pub use artifact::{ArtifactError, ArtifactKind};
pub use cid::ContentId;
pub use commitment::DataCommitment;
pub use dataset::{DatasetError, QuantizedDataset};
pub use fixed::FixedFormat;
pub use infer::{infer_schema, InferError};
pub use model::{Model, ModelError, ModelMismatch, TrainError};
pub use schema::{FeatureColumn, LabelColumn, Schema, SchemaError};
pub use spec::{Schedule, TrainingConfig, TrainingState};
pub use split::train_test_split;
pub use validate::{
    validate_csv, validate_csv_file, CheckReport, LabelPolicy, RawDataset, ValidateError, ValidateOptions, Violation,
    ViolationKind,
};
