//! Training logistic regression on encrypted data, exactly as `docs/TRAINING_SPEC.md` says.
//!
//! Contributors encrypt their rows bit by bit with the key set's public key
//! ([`EncryptedTrainingData`]); a compute node holding only `eval.key` (with the
//! [`TrainingKey`] that `vsies keygen --training` adds) runs the spec's batches on the
//! ciphertexts ([`Trainer`]), and only the key holder can decrypt the weights
//! ([`EncryptedModel::decrypt`]). Every value is exact: the decrypted weights equal
//! `vsies_core::spec` after every batch, bit for bit, unless a bootstrap fails (probability in
//! `docs/ENCRYPTED_TRAINING.md`). Every operation is integer arithmetic modulo the NTT prime
//! (tfhe-rs's NTT bootstrap), so the encrypted model is the same bytes on every machine and
//! thread count: a validator holding `eval.key` re-executes a task and compares content ids.
//!
//! ```
//! use vsies_core::{FixedFormat, QuantizedDataset, TrainingConfig};
//! use vsies_fhe::train::{EncryptedTrainingData, Trainer, TrainingKey};
//! use vsies_fhe::{Cpu, Keys};
//! use tfhe::core_crypto::commons::generators::DeterministicSeeder;
//! use tfhe::core_crypto::commons::math::random::Seed;
//! use tfhe::core_crypto::prelude::DefaultRandomGenerator;
//!
//! // One feature of 3 bits, two rows, one batch of two.
//! let format = FixedFormat { bits: 3, frac_bits: 1 };
//! let data = QuantizedDataset::from_values(vsies_core::ContentId::of(b"schema"), format, 1, vec![2, -3], Some(vec![1, 0]))?;
//! let config = TrainingConfig {
//!     weight_format: FixedFormat { bits: 4, frac_bits: 2 },
//!     sigmoid_frac_bits: 1,
//!     batch_size_log2: 1,
//!     learning_rate_log2: 0,
//!     epochs: 1,
//!     seed: 0,
//! };
//! let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(7));
//! let keys = Keys::generate_with_seeder(&mut seeder);
//! let training_key = TrainingKey::generate_with_seeder(&keys.secret, &mut seeder);
//! let encrypted = EncryptedTrainingData::encrypt(&data, &keys.public)?;
//! let mut trainer = Trainer::new(&Cpu, &training_key, &encrypted, config, None)?;
//! while trainer.step()? {}
//! let weights = trainer.checkpoint().decrypt(&keys.secret)?;
//! assert_eq!(weights, vsies_core::spec::train(&data, &config, None)?.to_vec());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod columns;
pub mod cost;
mod data;
pub mod engine;
pub mod keys;
mod model;
pub mod params;
pub mod step;

pub use data::EncryptedTrainingData;
pub use engine::{NoiseProbe, NoiseStats};
pub use keys::TrainingKey;
pub use model::EncryptedModel;

use crate::backend::BootstrapBackend;
use crate::FheError;
use engine::{Ct, Engine};
use step::{known_weights, train_batch, EncryptedRow, Layout};
use vsies_core::spec::Schedule;
use vsies_core::TrainingConfig;

/// A training under TFHE between two batches: the encrypted weights and the batch schedule.
pub struct Trainer<'a, B: BootstrapBackend> {
    engine: Engine<'a, B>,
    layout: Layout,
    config: TrainingConfig,
    data: &'a EncryptedTrainingData,
    data_id: vsies_core::ContentId,
    initial: Vec<i64>,
    initial_model: Option<vsies_core::ContentId>,
    weights: Vec<Vec<Ct>>,
    schedule: Schedule,
}

impl<'a, B: BootstrapBackend> Trainer<'a, B> {
    /// Starts a training on `data` from the public weights `initial` (`d + 1`, bias last;
    /// zero when `None`).
    pub fn new(
        backend: &'a B,
        key: &'a TrainingKey,
        data: &'a EncryptedTrainingData,
        config: TrainingConfig,
        initial: Option<&[i64]>,
    ) -> Result<Self, FheError> {
        Self::with_probe(backend, key, data, config, initial, None)
    }

    /// [`Trainer::new`] with a noise probe (tests).
    #[doc(hidden)]
    pub fn with_probe(
        backend: &'a B,
        key: &'a TrainingKey,
        data: &'a EncryptedTrainingData,
        config: TrainingConfig,
        initial: Option<&[i64]>,
        probe: Option<&'a NoiseProbe>,
    ) -> Result<Self, FheError> {
        if key.key_id() != data.key_id() {
            return Err(FheError::Evaluation(format!(
                "the training data is encrypted under key set {}, the training key is of {}",
                data.key_id(),
                key.key_id()
            )));
        }
        let layout = Layout::new(&config, data.format(), data.features())?;
        let initial = match initial {
            Some(weights) => weights.to_vec(),
            None => vec![0; data.features() + 1],
        };
        if initial.len() != data.features() + 1 {
            return Err(FheError::Evaluation(format!(
                "{} initial weights for {} features and a bias",
                initial.len(),
                data.features()
            )));
        }
        let format = config.weight_format;
        if let Some(w) = initial.iter().find(|&&w| w < format.min() || w > format.max()) {
            return Err(FheError::Evaluation(format!(
                "initial weight {w} is outside the {}-bit weight format",
                format.bits
            )));
        }
        let engine = Engine::new(backend, &key.bootstrap, &key.keyswitch, probe)?;
        let schedule = Schedule::for_config(&config, data.rows());
        Ok(Self {
            engine,
            layout,
            config,
            data,
            data_id: data.content_id(),
            weights: known_weights(&initial, format),
            initial,
            initial_model: None,
            schedule,
        })
    }

    /// Continues the training `checkpoint` records (same data, key and configuration).
    pub fn resume(
        backend: &'a B,
        key: &'a TrainingKey,
        data: &'a EncryptedTrainingData,
        checkpoint: &EncryptedModel,
    ) -> Result<Self, FheError> {
        let mut trainer = Self::new(backend, key, data, checkpoint.config, Some(&checkpoint.initial))?;
        if checkpoint.data_id != trainer.data_id
            || checkpoint.key_id != key.key_id()
            || checkpoint.rows != data.rows() as u64
        {
            return Err(FheError::Evaluation(
                "the checkpoint is of another training (data, key set or rows differ)".into(),
            ));
        }
        if checkpoint.weights.len() != data.features() + 1
            || checkpoint.weights.iter().any(|bits| bits.len() != checkpoint.config.weight_format.bits as usize)
        {
            return Err(FheError::Evaluation("the checkpoint's weights do not fit the training".into()));
        }
        let c = &checkpoint.config;
        trainer.schedule = Schedule::resume(c.seed, data.rows(), c.batch_size_log2, c.epochs, checkpoint.completed)
            .ok_or_else(|| {
                FheError::Evaluation(format!(
                    "a checkpoint after {} batches is past the training's end",
                    checkpoint.completed
                ))
            })?;
        trainer.weights = checkpoint.weights.clone();
        trainer.initial_model = checkpoint.initial_model;
        Ok(trainer)
    }

    /// Records the content id of the model the initial weights came from (as `vsies train
    /// --init` records it in `model.json`).
    pub fn with_initial_model(mut self, id: vsies_core::ContentId) -> Self {
        self.initial_model = Some(id);
        self
    }

    /// Trains on the next batch; `false` when the training had finished.
    pub fn step(&mut self) -> Result<bool, FheError> {
        let Some(indices) = self.schedule.next_rows() else {
            return Ok(false);
        };
        let rows: Vec<EncryptedRow> = indices.iter().map(|&i| self.data.row(i)).collect();
        self.weights = train_batch(&self.engine, &self.layout, &self.weights, &rows)?;
        self.schedule.advance();
        Ok(true)
    }

    /// Batches completed and in total.
    pub fn progress(&self) -> (u64, u64) {
        (self.schedule.completed(), self.schedule.total_batches())
    }

    /// Bootstraps run by this trainer.
    pub fn bootstraps(&self) -> u64 {
        self.engine.bootstraps()
    }

    /// The encrypted model after the batches so far (the final model once finished).
    pub fn checkpoint(&self) -> EncryptedModel {
        EncryptedModel {
            key_id: self.data.key_id(),
            data_id: self.data_id,
            schema_id: self.data.schema_id(),
            config: self.config,
            initial: self.initial.clone(),
            initial_model: self.initial_model,
            rows: self.data.rows() as u64,
            completed: self.schedule.completed(),
            weights: self.weights.clone(),
        }
    }
}
