//! The naive data relation the benchmarks compare against: each value range-checked by 16
//! boolean constraints, and a Poseidon sponge (the same width-9 permutation) over the unpacked
//! values, its digest public. No packing, no lookups, no histogram. Only for `vsies bench zk`.

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::error::ZkError;
use crate::gadgets::poseidon::{self, block_count, initial_state, RATE};
use crate::groth16::{Relation, Shape};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;
use serde::{Deserialize, Serialize};

const DOMAIN: &str = "vsies/naive/v1";
/// Name and version of the relation.
pub const RELATION: &str = "vsies/naive-range/v1";
/// Bits per value.
pub const VALUE_BITS: u32 = 16;

/// What the keys fix: the number of values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NaiveParams {
    /// [`RELATION`].
    pub relation: String,
    /// Values per proof.
    pub values: usize,
}

/// Values below 2^16 and their sponge digest (public).
#[derive(Clone, Debug)]
pub struct NaiveRelation {
    params: NaiveParams,
}

impl NaiveRelation {
    /// The relation for `values` values.
    pub fn for_values(values: usize) -> Self {
        Self { params: NaiveParams { relation: RELATION.into(), values } }
    }

    /// The native digest of `values`: the statement.
    pub fn digest(values: &[u64]) -> Fr {
        let mut sponge = crate::poseidon::BlockSponge::new(poseidon::domain(DOMAIN));
        sponge.absorb(&values.iter().map(|&v| Fr::from(v)).collect::<Vec<_>>());
        sponge.digest()
    }

    /// Constraints for `values` values.
    pub fn constraint_count(values: usize) -> usize {
        values * VALUE_BITS as usize + block_count(values) * poseidon::CONSTRAINTS_PER_PERMUTATION + 1
    }
}

impl Relation for NaiveRelation {
    type Params = NaiveParams;
    type Statement = Fr;
    type Witness = Vec<u64>;

    const NAME: &'static str = RELATION;

    fn new(params: NaiveParams) -> Result<Self, ZkError> {
        Ok(Self { params })
    }

    fn params(&self) -> &NaiveParams {
        &self.params
    }

    fn public_inputs(&self, digest: &Fr) -> Vec<Fr> {
        vec![*digest]
    }

    fn synthesize<S: ConstraintSink>(
        &self,
        builder: &Builder<S>,
        digest: &Fr,
        values: &Vec<u64>,
    ) -> Result<(), SynthesisError> {
        if values.len() != self.params.values {
            return Err(SynthesisError::Unsatisfiable);
        }
        builder.stage("values");
        let digest = builder.input(*digest)?;
        let wires: Vec<Wire> = values
            .iter()
            .map(|&value| builder.bits(value, VALUE_BITS).and_then(|wire| builder.named(wire)))
            .collect::<Result<_, _>>()?;
        builder.stage("digest");
        let mut state = initial_state(poseidon::domain(DOMAIN));
        for block in wires.chunks(RATE) {
            state = builder.absorb_block(&state, block)?;
        }
        builder.enforce_equal_named("digest", &state[1], &digest)
    }

    fn setup_assignment(&self) -> (Fr, Vec<u64>) {
        let values = vec![0; self.params.values];
        (Self::digest(&values), values)
    }

    fn shape(&self) -> Result<Shape, ZkError> {
        Ok(Shape { constraints: Self::constraint_count(self.params.values), public_inputs: 1, committed: 0 })
    }
}
