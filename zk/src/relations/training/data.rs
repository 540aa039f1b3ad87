//! Stage `data`: the training rows, opened from `D`. Every offset is a committed witness
//! looked up in its column's table (so the packing the commitment hashes is injective), the
//! offsets are packed exactly as the data-validation relation packs them and hashed into `D`
//! by the same sponge; the rows' features `x = offset + lo` and labels are linear in them.

use super::lookups::Lookups;
use super::relation::{table, TrainingRelation};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use crate::gadgets::poseidon::{self, initial_state, RATE};
use crate::relations::data_validation::Offsets;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// The rows as the training stages use them, and `D`.
pub(super) struct DataWires {
    /// Per row: the features `x_j`.
    pub features: Vec<Vec<Wire>>,
    /// Per row: the label (0 or 1).
    pub labels: Vec<Wire>,
    /// The commitment `D`, computed in the circuit.
    pub commitment: Wire,
}

pub(super) fn build<S: ConstraintSink>(
    relation: &TrainingRelation,
    builder: &Builder<S>,
    offsets: &Offsets,
    lookups: &mut Lookups,
) -> Result<DataWires, SynthesisError> {
    builder.stage("data");
    let data = &relation.data;
    let rows = relation.params.rows;
    let width = data.columns.len();
    if offsets.width != width || offsets.values.len() != rows * width {
        return Err(SynthesisError::Unsatisfiable);
    }
    let layout = data.layout(rows);
    let element_count = layout.last().map_or(0, |(element, _)| element + 1);
    let mut elements = vec![Wire::zero(); element_count];
    let (mut features, mut labels) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    for (row, values) in offsets.values.chunks(width).enumerate() {
        let mut row_features = Vec::with_capacity(width - 1);
        for (column, (&value, layout_column)) in values.iter().zip(&data.columns).enumerate() {
            builder.locate(&[("row", row), ("column", column)]);
            let offset = builder.committed_witness(Fr::from(value))?;
            lookups.record(builder, table::DATA + column as u64, offset.clone(), None);
            let (element, shift) = layout[row * width + column];
            elements[element] = elements[element].add(&offset.scale(power_of_two(shift)));
            if column + 1 < width {
                row_features.push(offset.add_constant(Fr::from(layout_column.lo)));
            } else {
                labels.push(offset);
            }
        }
        features.push(row_features);
    }
    builder.locate(&[]);
    let schema: Vec<Wire> = data.schema_elements().into_iter().map(Wire::constant).collect();
    let mut state = builder.absorb_block(
        &initial_state(poseidon::domain(crate::relations::data_validation::COMMITMENT_DOMAIN)),
        &schema,
    )?;
    for (block, chunk) in elements.chunks(RATE).enumerate() {
        builder.locate(&[("block", block)]);
        let chunk: Vec<Wire> = chunk.iter().map(|element| builder.named(element.clone())).collect::<Result<_, _>>()?;
        state = builder.absorb_block(&state, &chunk)?;
    }
    builder.locate(&[]);
    state = builder.absorb_block(&state, &[Wire::constant(Fr::from(rows as u64))])?;
    Ok(DataWires { features, labels, commitment: state[1].clone() })
}
