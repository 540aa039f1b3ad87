//! The data-validation circuit, stage by stage ([`super`] says what it proves).
//!
//! | stage | file | constraints |
//! |---|---|---|
//! | `statement` | `inputs.rs` | none: the two public inputs and the claimed values as witnesses |
//! | `rows` | `rows.rs` | per row a flag and monotonicity, per value `bits` booleans, per row a padding check |
//! | `commitment` | `commitment.rs` | the row count, one Poseidon permutation and 9 selections per data block |
//! | `multiplicities`, `challenge` | `multiplicities.rs` | `multiplicity_bits` booleans per table entry, the challenge hashes |
//! | `lookup` | `lookup.rs` | one quotient per value and per table entry, one identity |
//! | `histogram` | `histogram.rs` | one equality per bucket |
//! | `statement digest` | `inputs.rs` | one Poseidon permutation per 8 digest elements, one equality |
//!
//! Per value: `bits` boolean constraints make its offset canonical, so the packed encoding
//! that the commitment hashes is injective; then one constraint enrols it in a logUp lookup,
//! which proves every offset is in its column's table and that the multiplicities count them
//! exactly. The histogram is then a linear function of the multiplicities (free). The
//! challenge is Poseidon of the data commitment and of a commitment to the (bit-checked)
//! multiplicities, so neither can depend on it.
//!
//! Padding: rows `n..max_rows` are inactive (a monotone boolean flag per row sums to `n`) and
//! all-zero; they count `max_rows - n` times at offset 0 of every column, which the histogram
//! constraints subtract, and the sponge skips every block whose first offset is theirs, so the
//! commitment equals the native one over `n` rows.

use super::relation::{DataRelation, Offsets, RelationParams, Statement, RELATION};
use super::{commitment, histogram, inputs, lookup, multiplicities, rows};
use crate::circuit::{Builder, ConstraintSink};
use crate::error::ZkError;
use crate::gadgets::poseidon::{self, block_count};
use crate::groth16::{Relation, Shape};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// Constraints of the circuit for `relation`, computed from its layout (the tests check it
/// against the constraint system).
pub fn constraint_count(relation: &DataRelation) -> usize {
    let rows = relation.max_rows();
    let value_bits: usize = relation.columns.iter().map(|column| column.bits as usize).sum();
    let per_row = 3 + value_bits + relation.columns.len();
    let data_blocks = block_count(relation.layout(rows).last().map_or(0, |(element, _)| element + 1));
    let table = relation.table_len();
    let multiplicity_blocks = block_count(table.div_ceil(relation.multiplicities_per_element()));
    let buckets: usize = relation.columns.iter().map(|column| column.bucket_starts.len()).sum();
    let permutations = 1 + data_blocks + 1 + multiplicity_blocks + 1;
    per_row * rows - 1 // the first row has no monotonicity constraint
        + 1 // active rows sum to n
        + permutations * poseidon::CONSTRAINTS_PER_PERMUTATION
        + data_blocks * poseidon::WIDTH
        + 1 // commitment
        + table * (relation.multiplicity_bits as usize + 1)
        + 1 // lookup sums
        + buckets
        + relation.digest_blocks() * poseidon::CONSTRAINTS_PER_PERMUTATION
        + 1 // the digest
}

/// Builds the circuit for `statement` and `offsets` into `builder`'s sink.
fn synthesize<S: ConstraintSink>(
    relation: &DataRelation,
    builder: &Builder<S>,
    statement: &Statement,
    offsets: &Offsets,
) -> Result<(), SynthesisError> {
    let width = relation.columns.len();
    let rows = offsets.row_count();
    if rows > relation.max_rows() || offsets.width != width || offsets.values.len() != rows * width {
        return Err(SynthesisError::Unsatisfiable);
    }
    let inputs = inputs::allocate(relation, builder, statement)?;
    let row_wires = rows::build(relation, builder, offsets)?;
    commitment::build(builder, &inputs, &row_wires)?;
    let multiplicities = multiplicities::build(relation, builder, &inputs, offsets)?;
    lookup::build(relation, builder, &row_wires.offsets, &multiplicities)?;
    histogram::build(relation, builder, &inputs, &multiplicities)?;
    inputs::digest(relation, builder, &inputs)
}

impl Relation for DataRelation {
    type Params = RelationParams;
    type Statement = Statement;
    type Witness = Offsets;

    const NAME: &'static str = RELATION;

    fn new(params: RelationParams) -> Result<Self, ZkError> {
        let params = RelationParams {
            schema: params.schema.clone().validate().map_err(|err| ZkError::Relation(err.to_string()))?,
            ..params
        };
        DataRelation::new(params)
    }

    fn params(&self) -> &RelationParams {
        &self.params
    }

    fn public_inputs(&self, statement: &Statement) -> Vec<Fr> {
        DataRelation::public_inputs(self, statement)
    }

    fn synthesize<S: ConstraintSink>(
        &self,
        builder: &Builder<S>,
        statement: &Statement,
        witness: &Offsets,
    ) -> Result<(), SynthesisError> {
        synthesize(self, builder, statement, witness)
    }

    /// No rows: a valid, all-padding witness.
    fn setup_assignment(&self) -> (Statement, Offsets) {
        let offsets = Offsets { width: self.columns.len(), values: Vec::new() };
        (self.statement(&offsets), offsets)
    }

    fn shape(&self) -> Result<Shape, ZkError> {
        Ok(Shape { constraints: constraint_count(self), public_inputs: self.public_input_count(), committed: 0 })
    }

    fn describe(&self, label: &str, index: usize) -> String {
        match (label, self.columns.get(index)) {
            ("column", Some(column)) => format!("`{}`", column.name),
            _ => index.to_string(),
        }
    }
}
