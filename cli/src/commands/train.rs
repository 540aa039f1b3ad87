//! `vsies train`: integer-spec logistic regression, deterministic for a seed.

use super::{load_dataset, load_schema};
use clap::Args;
use std::path::PathBuf;
use vsies_core::metrics::accuracy;
use vsies_core::{FixedFormat, LabelPolicy, Model, TrainingConfig};

#[derive(Args)]
pub struct TrainArgs {
    /// Labelled training data: a CSV, or a `.vqd` from `vsies quantize` (not re-validated).
    data: PathBuf,
    /// Schema (TOML).
    #[arg(long)]
    schema: PathBuf,
    /// Output model artifact (JSON).
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    training: TrainingFlags,
    /// Start from this model's weights (a federated round's global model) instead of zero.
    #[arg(long)]
    init: Option<PathBuf>,
}

/// The training parameters of the spec, as flags (shared by `train` and `setup train`).
#[derive(Args, Clone, Copy)]
pub struct TrainingFlags {
    /// Epochs.
    #[arg(long, default_value_t = TrainingConfig::default().epochs)]
    epochs: u32,
    /// Seed of the batch order.
    #[arg(long, default_value_t = TrainingConfig::default().seed)]
    seed: u32,
    /// log2 of the batch size.
    #[arg(long, default_value_t = TrainingConfig::default().batch_size_log2)]
    batch_size_log2: u32,
    /// log2 of the inverse learning rate (learning rate = 2^-k).
    #[arg(long, default_value_t = TrainingConfig::default().learning_rate_log2)]
    learning_rate_log2: u32,
    /// Weight width in bits.
    #[arg(long, default_value_t = FixedFormat::WEIGHTS.bits)]
    weight_bits: u32,
    /// Fractional bits of the weights.
    #[arg(long, default_value_t = FixedFormat::WEIGHTS.frac_bits)]
    weight_frac_bits: u32,
    /// Fractional bits of the sigmoid output.
    #[arg(long, default_value_t = TrainingConfig::default().sigmoid_frac_bits)]
    sigmoid_frac_bits: u32,
}

impl TrainingFlags {
    /// The spec's configuration.
    pub fn config(&self) -> TrainingConfig {
        TrainingConfig {
            weight_format: FixedFormat { bits: self.weight_bits, frac_bits: self.weight_frac_bits },
            sigmoid_frac_bits: self.sigmoid_frac_bits,
            batch_size_log2: self.batch_size_log2,
            learning_rate_log2: self.learning_rate_log2,
            epochs: self.epochs,
            seed: self.seed,
        }
    }
}

pub fn run(args: TrainArgs) -> anyhow::Result<i32> {
    let schema = load_schema(&args.schema)?;
    let data = load_dataset(&args.data, &schema, LabelPolicy::Required)?;
    let config = args.training.config();
    let initial = args.init.as_deref().map(Model::load).transpose()?;
    let model = Model::train(&schema, &data, config, initial.as_ref())?;
    model.save(&args.output)?;
    let scores = model.scores(&data)?;
    let labels = data.labels().unwrap_or_default();
    say!(
        "trained on {} rows x {} features ({} epochs, seed {})",
        data.rows(),
        data.columns(),
        config.epochs,
        config.seed
    );
    say!("training accuracy {:.4}", accuracy(&scores, labels));
    say!("dataset content id {}", data.content_id());
    say!("model content id   {}", model.content_id());
    say!("wrote {}", args.output.display());
    Ok(0)
}
