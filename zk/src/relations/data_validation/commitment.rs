//! Stage `commitment`: the row count is the number of real rows, and the Poseidon sponge over
//! the schema block, the data blocks whose first offset is in a real row (padding blocks are
//! skipped by selecting the previous state) and the row count equals the public commitment.

use super::inputs::StatementWires;
use super::relation::COMMITMENT_DOMAIN;
use super::rows::RowWires;
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::gadgets::poseidon::{self, initial_state, RATE};
use ark_relations::gr1cs::SynthesisError;

pub(super) fn build<S: ConstraintSink>(
    builder: &Builder<S>,
    statement: &StatementWires,
    rows: &RowWires,
) -> Result<(), SynthesisError> {
    builder.stage("commitment");
    builder.enforce_equal_named("row count", &Wire::sum(&rows.active), &statement.row_count)?;
    let mut state = builder.absorb_block(&initial_state(poseidon::domain(COMMITMENT_DOMAIN)), &statement.schema)?;
    for (block, chunk) in rows.elements.chunks(RATE).enumerate() {
        let first_row = rows.first_row[block * RATE];
        builder.locate(&[("row", first_row)]);
        let chunk: Vec<Wire> = chunk.iter().map(|element| builder.named(element.clone())).collect::<Result<_, _>>()?;
        let absorbed = builder.absorb_block(&state, &chunk)?;
        state = builder.select_state(&rows.active[first_row], &absorbed, &state)?;
    }
    builder.locate(&[]);
    state = builder.absorb_block(&state, std::slice::from_ref(&statement.row_count))?;
    builder.enforce_equal_named("commitment", &state[1], &statement.commitment)
}
