//! The naive training relation: the training circuit of [`crate::relations::training`], step
//! for step, with each table lookup replaced by per-bit decompositions (a range check of the
//! value's offset, and for the sigmoid region and the weight clamp, comparisons by the top bit
//! of a shifted decomposition and selections). No commitment and no challenges: a plain
//! Groth16 circuit, proved by arkworks in memory in `vsies bench train`.

use crate::circuit::{Builder, ConstraintSink};
use crate::error::ZkError;
use crate::groth16::Relation;
use crate::relations::training::{LookupCheck, TrainingParams, TrainingRelation, TrainingStatement, TrainingWitness};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;
use serde::{Deserialize, Serialize};

/// Name and version of the relation.
pub const RELATION: &str = "vsies/naive-training/v1";

/// What the keys fix: the training relation's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NaiveTrainingParams {
    /// [`RELATION`].
    pub relation: String,
    /// The training it proves.
    pub training: TrainingParams,
}

/// The training relation, checked without lookups.
#[derive(Clone, Debug)]
pub struct NaiveTrainingRelation {
    params: NaiveTrainingParams,
    /// The relation whose circuit it reuses.
    pub inner: TrainingRelation,
}

impl NaiveTrainingRelation {
    /// The naive relation of `inner`'s training.
    pub fn of(inner: TrainingRelation) -> Self {
        Self { params: NaiveTrainingParams { relation: RELATION.into(), training: inner.params.clone() }, inner }
    }
}

impl Relation for NaiveTrainingRelation {
    type Params = NaiveTrainingParams;
    type Statement = TrainingStatement;
    type Witness = TrainingWitness;

    const NAME: &'static str = RELATION;

    fn new(params: NaiveTrainingParams) -> Result<Self, ZkError> {
        Ok(Self::of(TrainingRelation::new(params.training)?))
    }

    fn params(&self) -> &NaiveTrainingParams {
        &self.params
    }

    fn public_inputs(&self, statement: &TrainingStatement) -> Vec<Fr> {
        self.inner.public_inputs(statement)
    }

    fn synthesize<S: ConstraintSink>(
        &self,
        builder: &Builder<S>,
        statement: &TrainingStatement,
        witness: &TrainingWitness,
    ) -> Result<(), SynthesisError> {
        crate::relations::training::synthesize(&self.inner, builder, statement, witness, LookupCheck::Bits)
    }

    fn setup_assignment(&self) -> (TrainingStatement, TrainingWitness) {
        self.inner.setup_assignment()
    }
}
