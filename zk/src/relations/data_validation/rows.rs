//! Stage `rows`: per row an activity flag (monotone: real rows first), per value its offset as
//! `bits` boolean witnesses (so the packed encoding the commitment hashes is injective), an
//! all-zero constraint on padding rows, and the packing of offsets into field elements.

use super::relation::{DataRelation, Offsets};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use ark_bn254::Fr;
use ark_ff::One;
use ark_relations::gr1cs::SynthesisError;

/// What the later stages read from the rows.
pub(super) struct RowWires {
    /// One flag per row: 1 for the dataset's rows, 0 for padding.
    pub active: Vec<Wire>,
    /// Every offset, row-major, named.
    pub offsets: Vec<Wire>,
    /// The packed elements.
    pub elements: Vec<Wire>,
    /// For each element, the row of its first offset.
    pub first_row: Vec<usize>,
}

pub(super) fn build<S: ConstraintSink>(
    relation: &DataRelation,
    builder: &Builder<S>,
    witness: &Offsets,
) -> Result<RowWires, SynthesisError> {
    builder.stage("rows");
    let rows = witness.row_count();
    let max_rows = relation.max_rows();
    let width = relation.columns.len();
    let one = Wire::one();
    let zeros = vec![0u64; width];
    let layout = relation.layout(max_rows);
    let mut active: Vec<Wire> = Vec::with_capacity(max_rows);
    let mut offsets: Vec<Wire> = Vec::with_capacity(max_rows * width);
    let element_count = layout.last().map_or(0, |(element, _)| element + 1);
    let mut elements: Vec<Wire> = vec![Wire::zero(); element_count];
    let mut first_row = vec![usize::MAX; element_count];
    for row in 0..max_rows {
        builder.locate(&[("row", row)]);
        let values = if row < rows { &witness.values[row * width..(row + 1) * width] } else { &zeros[..] };
        let flag = builder.boolean(row < rows)?;
        if let Some(previous) = active.last() {
            builder.enforce_named("real rows first", &flag, &one.sub(previous), &Wire::zero())?;
        }
        let row_offsets: Vec<Wire> = relation
            .columns
            .iter()
            .zip(values)
            .enumerate()
            .map(|(column, (layout, &value))| {
                builder.locate(&[("row", row), ("column", column)]);
                builder.bits(value, layout.bits).and_then(|wire| builder.named(wire))
            })
            .collect::<Result<_, _>>()?;
        builder.locate(&[("row", row)]);
        let total = Wire::weighted_sum(row_offsets.iter().map(|wire| (Fr::one(), wire)));
        builder.enforce_named("padding is zero", &one.sub(&flag), &total, &Wire::zero())?;
        for (offset, &(element, shift)) in row_offsets.iter().zip(&layout[row * width..(row + 1) * width]) {
            elements[element] = elements[element].add(&offset.scale(power_of_two(shift)));
            first_row[element] = first_row[element].min(row);
        }
        offsets.extend(row_offsets);
        active.push(flag);
    }
    Ok(RowWires { active, offsets, elements, first_row })
}
