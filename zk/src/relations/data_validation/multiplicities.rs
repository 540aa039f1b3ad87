//! Stage `multiplicities`: how many times each table entry (every valid offset of every
//! column) occurs, over all rows (padding counts at offset 0), each as `multiplicity_bits`
//! boolean witnesses; then the lookup challenge `γ`, Poseidon of the data commitment, of a
//! commitment to the packed multiplicities and of the row count, so neither the data nor the
//! multiplicities can depend on it.

use super::inputs::StatementWires;
use super::relation::{DataRelation, Offsets, CHALLENGE_DOMAIN, MULTIPLICITY_DOMAIN};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use crate::gadgets::poseidon::{self, initial_state, RATE};
use ark_relations::gr1cs::SynthesisError;

/// Multiplicity wires per column and offset, and the challenge.
pub(super) struct MultiplicityWires {
    pub multiplicities: Vec<Vec<Wire>>,
    pub gamma: Wire,
}

pub(super) fn build<S: ConstraintSink>(
    relation: &DataRelation,
    builder: &Builder<S>,
    statement: &StatementWires,
    witness: &Offsets,
) -> Result<MultiplicityWires, SynthesisError> {
    builder.stage("multiplicities");
    let padding = (relation.max_rows() - witness.row_count().min(relation.max_rows())) as u64;
    let mut counts: Vec<Vec<u64>> = relation.columns.iter().map(|column| vec![0; column.range as usize + 1]).collect();
    for row in witness.rows() {
        for (column, &offset) in row.iter().enumerate() {
            // An offset outside the table has no multiplicity: the lookup fails.
            if let Some(count) = counts[column].get_mut(offset as usize) {
                *count += 1;
            }
        }
    }
    counts.iter_mut().for_each(|column| column[0] += padding);
    let multiplicities: Vec<Vec<Wire>> = counts
        .iter()
        .enumerate()
        .map(|(column, column_counts)| {
            column_counts
                .iter()
                .enumerate()
                .map(|(offset, &m)| {
                    builder.locate(&[("column", column), ("offset", offset)]);
                    builder.bits(m, relation.multiplicity_bits).and_then(|wire| builder.named(wire))
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    builder.stage("challenge");
    let flat: Vec<&Wire> = multiplicities.iter().flatten().collect();
    let per_element = relation.multiplicities_per_element();
    let packed: Vec<Wire> = flat
        .chunks(per_element)
        .map(|chunk| {
            Wire::weighted_sum(
                chunk.iter().enumerate().map(|(i, &m)| (power_of_two(relation.multiplicity_bits * i as u32), m)),
            )
        })
        .collect();
    let mut state = initial_state(poseidon::domain(MULTIPLICITY_DOMAIN));
    for chunk in packed.chunks(RATE) {
        state = builder.absorb_block(&state, chunk)?;
    }
    let gamma = builder.hash_block(
        poseidon::domain(CHALLENGE_DOMAIN),
        &[statement.commitment.clone(), state[1].clone(), statement.row_count.clone()],
    )?;
    Ok(MultiplicityWires { multiplicities, gamma })
}
