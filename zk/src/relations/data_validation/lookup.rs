//! Stage `lookup`: every offset's key (`offset + column · 2^32`) is in the table of valid
//! offsets, counted by the multiplicities (logUp at the challenge).

use super::multiplicities::MultiplicityWires;
use super::relation::DataRelation;
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::gadgets::lookup::enforce_log_up;
use ark_relations::gr1cs::SynthesisError;

pub(super) fn build<S: ConstraintSink>(
    relation: &DataRelation,
    builder: &Builder<S>,
    offsets: &[Wire],
    multiplicities: &MultiplicityWires,
) -> Result<(), SynthesisError> {
    builder.stage("lookup");
    let width = relation.columns.len();
    let table: Vec<(Wire, &Wire)> = multiplicities
        .multiplicities
        .iter()
        .enumerate()
        .flat_map(|(column, entries)| {
            entries
                .iter()
                .enumerate()
                .map(move |(offset, m)| (Wire::constant(DataRelation::key(column, offset as u64)), m))
        })
        .collect();
    let entry_place: Vec<(usize, usize)> = multiplicities
        .multiplicities
        .iter()
        .enumerate()
        .flat_map(|(column, entries)| (0..entries.len()).map(move |offset| (column, offset)))
        .collect();
    enforce_log_up(
        builder,
        &multiplicities.gamma,
        offsets.len(),
        |index| offsets[index].add_constant(DataRelation::key(index % width, 0)),
        &table,
        |index| builder.locate(&[("row", index / width), ("column", index % width)]),
        |index| builder.locate(&[("column", entry_place[index].0), ("offset", entry_place[index].1)]),
    )
}
