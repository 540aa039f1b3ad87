//! The training circuit, stage by stage ([`super`] says what it proves).
//!
//! | stage | file | constraints |
//! |---|---|---|
//! | `statement` | here | the packed first input and its copy |
//! | `data` | `data.rs` | one lookup per value (offsets committed), the sponge over the packed rows (`D`) |
//! | `initial model` | `model.rs` | one lookup per starting weight, the commitment `C_in` |
//! | `training` | `steps.rs` | per sample 2 products per feature and 6 for the sigmoid (3 lookups); per weight and batch 3 (2 lookups) |
//! | `trained model` | `model.rs` | the commitment `C_out` |
//! | `lookup` | `lookups.rs` | one quotient per lookup and per table entry, a product per two-column lookup, the identity |
//! | `statement` | here | the digest, equal to the second input (the challenge seed is the third) |

use super::data;
use super::lookups::Lookups;
use super::model;
use super::relation::{TrainingParams, TrainingRelation, TrainingStatement, TrainingWitness, STATEMENT_DOMAIN};
use super::steps;
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::error::ZkError;
use crate::groth16::Relation;
use crate::poseidon::domain;
use crate::relations::data_validation::Offsets;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// How the circuit checks its table lookups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LookupCheck {
    /// One logUp identity over committed values (the relation).
    LogUp,
    /// Per-bit decompositions (the naive baseline of the benchmarks).
    Bits,
}

pub(crate) fn synthesize<S: ConstraintSink>(
    relation: &TrainingRelation,
    builder: &Builder<S>,
    statement: &TrainingStatement,
    witness: &TrainingWitness,
    check: LookupCheck,
) -> Result<(), SynthesisError> {
    builder.stage("statement");
    let packed = TrainingRelation::packed_input(statement.round, &statement.node);
    let input = builder.input(packed)?;
    let copy = builder.witness(packed)?;
    builder.enforce_equal_named("round and node", &input, &copy)?;
    let claimed_digest = builder.input(relation.digest(statement))?;
    if witness.initial.len() != relation.width() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut lookups = Lookups::new(&relation.tables);
    let data = data::build(relation, builder, &witness.offsets, &mut lookups)?;
    let initial = model::initial_weights(builder, &witness.initial, &mut lookups)?;
    let initial_commitment = model::commitment(relation, builder, &initial, witness.initial_blinding)?;
    let trained = steps::build(relation, builder, &data, initial, &witness.trace, &mut lookups)?;
    builder.stage("trained model");
    let trained_commitment = model::commitment(relation, builder, &trained, witness.trained_blinding)?;
    match check {
        LookupCheck::LogUp => lookups.enforce(relation, builder)?,
        LookupCheck::Bits => lookups.enforce_by_bits(relation, builder)?,
    }
    builder.stage("statement");
    let constant = |value: Fr| Wire::constant(value);
    let elements = [
        data.commitment,
        constant(relation.params_element()),
        initial_commitment,
        trained_commitment,
        constant(Fr::from(relation.compute_units())),
        constant(Fr::from(relation.data_units())),
    ];
    let digest = builder.hash_block(domain(STATEMENT_DOMAIN), &elements)?;
    builder.enforce_equal_named("statement digest", &digest, &claimed_digest)?;
    Ok(())
}

impl Relation for TrainingRelation {
    /// Counted once per relation: the count is a synthesis of the whole training.
    fn shape(&self) -> Result<crate::groth16::Shape, ZkError> {
        crate::groth16::count_shape_once(self, &self.shape)
    }

    type Params = TrainingParams;
    type Statement = TrainingStatement;
    type Witness = TrainingWitness;

    const NAME: &'static str = super::relation::RELATION;
    const CHALLENGES: usize = 2;

    fn new(params: TrainingParams) -> Result<Self, ZkError> {
        TrainingRelation::new(params)
    }

    fn params(&self) -> &TrainingParams {
        &self.params
    }

    /// `[round << 220 | node << 60, digest]` (the verifier appends the challenge seed).
    fn public_inputs(&self, statement: &TrainingStatement) -> Vec<Fr> {
        vec![TrainingRelation::packed_input(statement.round, &statement.node), self.digest(statement)]
    }

    fn synthesize<S: ConstraintSink>(
        &self,
        builder: &Builder<S>,
        statement: &TrainingStatement,
        witness: &TrainingWitness,
    ) -> Result<(), SynthesisError> {
        synthesize(self, builder, statement, witness, LookupCheck::LogUp)
    }

    /// All-zero offsets and starting weights, and their trace.
    fn setup_assignment(&self) -> (TrainingStatement, TrainingWitness) {
        let width = self.data.columns.len();
        let offsets = Offsets { width, values: vec![0; self.params.rows * width] };
        let batches = self.schedule().total_batches() as usize;
        let samples = self.params.rows * self.params.training.epochs as usize;
        let trace = super::relation::TrainingTrace {
            samples: vec![[0; 3]; samples],
            updates: vec![[0; 2]; batches * self.width()],
        };
        let witness = TrainingWitness {
            offsets,
            initial: vec![0; self.width()],
            trace,
            initial_blinding: Fr::from(0u64),
            trained_blinding: Fr::from(0u64),
        };
        (self.statement(0, [0; 20], &witness), witness)
    }

    fn describe(&self, label: &str, index: usize) -> String {
        match (label, self.data.columns.get(index)) {
            ("column", Some(column)) => format!("`{}`", column.name),
            ("table entry", _) => {
                let (id, x, _) = self.tables.iter().nth(index).unwrap_or((0, 0, 0));
                format!("{index} ({} {x})", self.tables.table(id).name)
            }
            _ => index.to_string(),
        }
    }
}
