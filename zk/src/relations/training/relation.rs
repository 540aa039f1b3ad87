//! The training relation's parameters, statement, witness, tables and native computations
//! (the trace of one training, the model commitment, the statement digest) that the circuit's
//! stages mirror.

use super::tables::{Table, Tables};
use crate::error::ZkError;
use crate::field::to_commitment;
use crate::groth16;
use crate::poseidon;
use crate::relations::data_validation::{DataRelation, Offsets};
use crate::relations::model_commitment;
use ark_bn254::Fr;
use ark_ff::PrimeField;
use serde::{Deserialize, Serialize};
use vsies_core::fixed::round_shift;
use vsies_core::spec::{self, Shifts, TrainingState};
use vsies_core::{ContentId, DataCommitment, FixedFormat, QuantizedDataset, Schedule, Schema, TrainingConfig};

/// Name and version of the relation; part of every key and proof.
pub const RELATION: &str = "vsies/training/v1";
pub(crate) const STATEMENT_DOMAIN: &str = "vsies/training-statement/v1";

/// What the keys fix: the schema, the row count and every training parameter (so the batch
/// order, a function of the seed and the row count, is wired into the circuit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingParams {
    /// [`RELATION`].
    pub relation: String,
    /// The schema the data was validated and quantized under.
    pub schema: Schema,
    /// Training rows.
    pub rows: usize,
    /// The training parameters (formats, batch size, learning rate, epochs, seed).
    pub training: TrainingConfig,
}

/// The public statement: the vault's two inputs are `round << 220 | node << 60` and the
/// statement digest (of `D`, the parameters' id, both model commitments and the work counts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainingStatement {
    /// The federated round.
    pub round: u64,
    /// The node's address (its chain account).
    pub node: [u8; 20],
    /// The commitment `D` of the training rows (the data-validation relation's).
    pub data: DataCommitment,
    /// The commitment to the starting weights (the round's global model).
    pub initial: ModelCommitment,
    /// The hiding commitment to the trained weights.
    pub trained: ModelCommitment,
}

/// A model commitment: `Poseidon(vsies/model-commitment/v1, [packed weights…, ρ])`, a BN254
/// scalar, as 32 big-endian bytes.
pub type ModelCommitment = DataCommitment;

/// The free values of one training: what the prover chooses and the circuit's lookups check.
/// Every other value (scores, quotients, gradients) follows from these by constraints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainingTrace {
    /// Per sample of every batch, in schedule order: the sigmoid's remainder `r`, low part `L`
    /// and region `κ` (0 below, 1 linear, 2 above).
    pub samples: Vec<[i64; 3]>,
    /// Per batch, per weight: the update's remainder `r'` and the clamped new weight.
    pub updates: Vec<[i64; 2]>,
}

/// The witness: the data, the starting weights, the free values of the training, and the
/// blindings of the two model commitments.
#[derive(Clone, Debug)]
pub struct TrainingWitness {
    /// The training rows' offsets (features, then the label), as the data relation defines them.
    pub offsets: Offsets,
    /// The starting weights, feature weights then the bias.
    pub initial: Vec<i64>,
    /// The free values.
    pub trace: TrainingTrace,
    /// Blinding of the starting weights' commitment (0 for a public global model).
    pub initial_blinding: Fr,
    /// Blinding of the trained weights' commitment (uniform: the update stays private).
    pub trained_blinding: Fr,
}

/// Bounds of the intermediate values, from the parameters (the spec's overflow bounds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// `|q| ≤ q_max` for the sigmoid's `q = rs(z, s_z)`.
    pub q_max: i64,
    /// `H0`: the linear region's high part; `u + 2^fp·H0 ≥ 0` for every `u = q + 2^(fp-1)`.
    pub h0: i64,
    /// `|Q| ≤ update_max` for the update `Q = rs(G, s_u)`.
    pub update_max: i64,
}

/// Ids of the tables.
pub(crate) mod table {
    pub const SIGMOID_REMAINDER: u64 = 0;
    pub const SIGMOID_LOW: u64 = 1;
    pub const SIGMOID_REGION: u64 = 2;
    pub const UPDATE_REMAINDER: u64 = 3;
    pub const CLAMP: u64 = 4;
    /// Data column `c` has id `DATA + c`.
    pub const DATA: u64 = 5;
}

/// The relation for one schema, row count and training configuration.
#[derive(Clone, Debug)]
pub struct TrainingRelation {
    /// What the keys fix.
    pub params: TrainingParams,
    /// The data layout of `D` (the data-validation relation's columns and packing).
    pub data: DataRelation,
    /// The spec's shifts.
    pub shifts: Shifts,
    /// The bounds of the intermediate values.
    pub bounds: Bounds,
    /// The lookup tables.
    pub tables: Tables,
    /// The circuit's size, counted once (a synthesis of the whole training).
    pub(crate) shape: std::sync::OnceLock<crate::groth16::Shape>,
}

impl TrainingRelation {
    /// The relation for `params`, after checking them against the spec.
    pub fn new(params: TrainingParams) -> Result<Self, ZkError> {
        if params.relation != RELATION {
            return Err(ZkError::Relation(format!("unknown relation `{}` (expected `{RELATION}`)", params.relation)));
        }
        let schema = params.schema.clone().validate().map_err(|err| ZkError::Relation(err.to_string()))?;
        let config = params.training;
        let columns = schema.features.len();
        let shifts = config.validate(schema.quantization, columns).map_err(|err| ZkError::Relation(err.to_string()))?;
        if params.rows == 0 {
            return Err(ZkError::Relation("a training of 0 rows".into()));
        }
        let data = DataRelation::for_schema(&schema, params.rows, 1)?;
        let features = schema.quantization;
        let weights = config.weight_format;
        let fp = config.sigmoid_frac_bits;
        // |z| ≤ (d + 1) · 2^(bx-1) · 2^(bw-1); |G| ≤ B · 2^fp · 2^(bx-1).
        let z_max = (columns as i64 + 1) << (features.bits + weights.bits - 2);
        let q_max = round_shift(z_max, shifts.sigmoid);
        let h0 = (q_max >> fp) + 2;
        let g_max = 1i64 << (config.batch_size_log2 + fp + features.bits - 1);
        let update_max = round_shift(g_max, shifts.update);
        let bounds = Bounds { q_max, h0, update_max };
        let mut tables = Tables::default();
        tables.push(Table::range(table::SIGMOID_REMAINDER, "sigmoid remainder", 0, 1 << shifts.sigmoid));
        tables.push(Table::range(table::SIGMOID_LOW, "sigmoid low part", 0, 1 << fp));
        tables.push(Table::function(table::SIGMOID_REGION, "sigmoid region", 0, 2 * h0 + 1, |h| (h - h0).signum() + 1));
        tables.push(Table::range(table::UPDATE_REMAINDER, "update remainder", 0, 1 << shifts.update));
        let (w_min, w_max) = (weights.min(), weights.max());
        tables.push(Table::function(table::CLAMP, "weight clamp", w_min - update_max, w_max + update_max, |v| {
            weights.clamp(v)
        }));
        for (index, column) in data.columns.iter().enumerate() {
            tables.push(Table::range(table::DATA + index as u64, "data column", 0, column.range as usize + 1));
        }
        let params = TrainingParams { schema, ..params };
        Ok(Self { params, data, shifts, bounds, tables, shape: std::sync::OnceLock::new() })
    }

    /// Feature columns `d`.
    pub fn features(&self) -> usize {
        self.params.schema.features.len()
    }

    /// The feature format.
    pub fn feature_format(&self) -> FixedFormat {
        self.params.schema.quantization
    }

    /// The batch order, wired into the circuit.
    pub fn schedule(&self) -> Schedule {
        Schedule::for_config(&self.params.training, self.params.rows)
    }

    /// Compute units a proof states: rows × epochs (the samples trained on).
    pub fn compute_units(&self) -> u64 {
        self.params.rows as u64 * u64::from(self.params.training.epochs)
    }

    /// Data units a proof states: the rows.
    pub fn data_units(&self) -> u64 {
        self.params.rows as u64
    }

    /// The parameters' id: the content id of their JSON, as one field element.
    pub fn params_id(&self) -> ContentId {
        ContentId::of(&serde_json::to_vec(&self.params).expect("parameters serialize"))
    }

    /// [`TrainingRelation::params_id`] as a field element (its digest mod r).
    pub fn params_element(&self) -> Fr {
        crate::field::params_element(&self.params)
    }

    /// Weights per packed element of a model commitment: `⌊252 / bw⌋`.
    pub fn weights_per_element(&self) -> usize {
        model_commitment::weights_per_element(self.params.training.weight_format)
    }

    /// `C(W, ρ)` ([`crate::relations::model_commitment`]) under these keys' weight format.
    pub fn model_commitment(&self, weights: &[i64], blinding: Fr) -> Fr {
        model_commitment::commit(self.params.training.weight_format, weights, blinding)
    }

    /// The statement digest: `Poseidon(vsies/training-statement/v1, [D, params id, C_in,
    /// C_out, compute, data])` (the parameters fix the schema).
    pub fn digest(&self, statement: &TrainingStatement) -> Fr {
        poseidon::hash_block(poseidon::domain(STATEMENT_DOMAIN), &self.digest_elements(statement))
    }

    pub(crate) fn digest_elements(&self, statement: &TrainingStatement) -> [Fr; 6] {
        let field = |c: &DataCommitment| Fr::from_be_bytes_mod_order(c.as_bytes());
        [
            field(&statement.data),
            self.params_element(),
            field(&statement.initial),
            field(&statement.trained),
            Fr::from(self.compute_units()),
            Fr::from(self.data_units()),
        ]
    }

    /// The packed first input `round << 220 | node << 60`.
    pub fn packed_input(round: u64, node: &[u8; 20]) -> Fr {
        crate::field::pack_round_node(round, node)
    }

    /// The free values of training `offsets` from `initial` weights: the spec's step, batch by
    /// batch, checked against `vsies_core::spec::TrainingState` after every batch. Returns the
    /// trace and the trained weights.
    pub fn trace(&self, dataset: &QuantizedDataset, initial: &[i64]) -> Result<(TrainingTrace, Vec<i64>), ZkError> {
        let config = self.params.training;
        let spec_error = |err: vsies_core::spec::SpecError| ZkError::Relation(err.to_string());
        let mut state = TrainingState::new(config, dataset, Some(initial)).map_err(spec_error)?;
        let labels = dataset.labels().ok_or(ZkError::MissingLabels)?;
        let format = self.feature_format();
        let fp = config.sigmoid_frac_bits;
        let mut weights = initial.to_vec();
        let mut trace = TrainingTrace { samples: Vec::new(), updates: Vec::new() };
        for batch in self.schedule() {
            let mut gradient = vec![0i64; weights.len()];
            for &row in &batch.rows {
                let features = dataset.row(row);
                let z = spec::score(&weights, features, format);
                let (sample, p) = self.sigmoid_parts(z);
                debug_assert_eq!(p, spec::sigmoid(z, fp, self.shifts));
                trace.samples.push(sample);
                let error = p - (i64::from(labels[row]) << fp);
                for (j, g) in gradient.iter_mut().enumerate() {
                    *g += error * spec::augmented(features, format, j);
                }
            }
            for (w, &g) in weights.iter_mut().zip(&gradient) {
                let (remainder, quotient) = split_shift(g, self.shifts.update);
                let next = config.weight_format.clamp(*w - quotient);
                trace.updates.push([remainder, next]);
                *w = next;
            }
            state.step(dataset).map_err(spec_error)?;
            if state.weights() != weights.as_slice() {
                return Err(ZkError::Relation(format!(
                    "internal: the trace differs from the spec after epoch {}, batch {}",
                    batch.epoch, batch.index
                )));
            }
        }
        Ok((trace, weights))
    }

    /// The sigmoid's free values `[r, L, κ]` for score `z`, and `p(z)`.
    pub(crate) fn sigmoid_parts(&self, z: i64) -> ([i64; 3], i64) {
        let fp = self.params.training.sigmoid_frac_bits;
        let (r, q) = split_shift(z, self.shifts.sigmoid);
        let shifted = q + (1 << (fp - 1)) + (self.bounds.h0 << fp);
        let (low, high) = (shifted & ((1 << fp) - 1), shifted >> fp);
        let region = (high - self.bounds.h0).signum() + 1;
        let p = match region {
            0 => 0,
            1 => low,
            _ => 1 << fp,
        };
        ([r, low, region], p)
    }

    /// The statement of a training: `D` and both commitments from the witness.
    pub fn statement(&self, round: u64, node: [u8; 20], witness: &TrainingWitness) -> TrainingStatement {
        let trained = witness.trained_weights(self.width());
        TrainingStatement {
            round,
            node,
            data: to_commitment(&self.data.commit(&witness.offsets)),
            initial: to_commitment(&self.model_commitment(&witness.initial, witness.initial_blinding)),
            trained: to_commitment(&self.model_commitment(&trained, witness.trained_blinding)),
        }
    }

    /// Weights of the augmented model, `d + 1`.
    pub fn width(&self) -> usize {
        self.features() + 1
    }
}

impl TrainingWitness {
    /// The trained weights: the last batch's new weights (or the initial ones without batches).
    pub fn trained_weights(&self, width: usize) -> Vec<i64> {
        if self.trace.updates.is_empty() {
            return self.initial.clone();
        }
        let last = self.trace.updates.len().saturating_sub(width);
        self.trace.updates[last..].iter().map(|[_, w]| *w).collect()
    }
}

/// `v + 2^(s-1) = 2^s · q + r` with `r ∈ [0, 2^s)`: the remainder and the rounding shift
/// `q = rs(v, s)` (for `s = 0`: `r = 0`, `q = v`).
pub(crate) fn split_shift(value: i64, shift: u32) -> (i64, i64) {
    if shift == 0 {
        return (0, value);
    }
    let offset = value + (1 << (shift - 1));
    (offset.rem_euclid(1 << shift), offset.div_euclid(1 << shift))
}

/// The training relation's keys.
pub type TrainingKeys = groth16::Keys<TrainingRelation>;
/// Its prover.
pub type TrainingProver = groth16::Prover<TrainingRelation>;
/// Its verifier.
pub type TrainingVerifier = groth16::Verifier<TrainingRelation>;
