//! Stages `initial model` and `trained model`: the starting weights (committed witnesses, each
//! looked up in the clamp table as `(w, w)`, which holds exactly for a weight inside the
//! format) and the two model commitments, computed in the circuit as
//! [`TrainingRelation::model_commitment`] computes them.

use super::lookups::Lookups;
use super::relation::{table, TrainingRelation, MODEL_DOMAIN};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use crate::gadgets::poseidon::{self, initial_state, RATE};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// The starting weights as wires, each checked inside the weight format.
pub(super) fn initial_weights<S: ConstraintSink>(
    builder: &Builder<S>,
    weights: &[i64],
    lookups: &mut Lookups,
) -> Result<Vec<Wire>, SynthesisError> {
    builder.stage("initial model");
    weights
        .iter()
        .enumerate()
        .map(|(j, &w)| {
            builder.locate(&[("weight", j)]);
            let wire = builder.committed_witness(Fr::from(w))?;
            lookups.record(builder, table::CLAMP, wire.clone(), Some(wire.clone()));
            Ok(wire)
        })
        .collect()
}

/// `C(W, ρ)` in the circuit, for weights already known to lie in the format (table outputs).
pub(super) fn commitment<S: ConstraintSink>(
    relation: &TrainingRelation,
    builder: &Builder<S>,
    weights: &[Wire],
    blinding: Fr,
) -> Result<Wire, SynthesisError> {
    let format = relation.params.training.weight_format;
    let mut elements: Vec<Wire> = weights
        .chunks(relation.weights_per_element())
        .map(|chunk| {
            Wire::weighted_sum(chunk.iter().enumerate().map(|(i, w)| (power_of_two(format.bits * i as u32), w)))
                .add_constant(Fr::from(format.min().unsigned_abs()) * offset_sum(chunk.len(), format.bits))
        })
        .collect();
    elements.push(builder.witness(blinding)?);
    let mut state = initial_state(poseidon::domain(MODEL_DOMAIN));
    for chunk in elements.chunks(RATE) {
        state = builder.absorb_block(&state, chunk)?;
    }
    Ok(state[1].clone())
}

/// `Σ_i 2^(bits·i)` for `count` packed values: the packing of `-wmin` in every slot, so that
/// `Σ (w_i - wmin) 2^(bits·i) = Σ w_i 2^(bits·i) + |wmin| Σ 2^(bits·i)`.
fn offset_sum(count: usize, bits: u32) -> Fr {
    (0..count).map(|i| power_of_two(bits * i as u32)).sum()
}
