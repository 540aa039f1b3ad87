//! The model commitment `C(W, ρ)` that training proofs state and update proofs open, natively
//! and in a circuit: one definition, so a training proof's `C_out` and an update proof's
//! commitment are the same value for the same weights and blinding.
//!
//! `C(W, ρ) = Poseidon(vsies/model-commitment/v1, [packed W…, ρ])`: each weight as its offset
//! `w - wmin` in `bw` bits, packed [`weights_per_element`] per element, then the blinding.

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use crate::gadgets::poseidon::{initial_state, RATE};
use crate::poseidon::{self, BlockSponge};
use crate::relations::data_validation::PAYLOAD_BITS;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;
use vsies_core::FixedFormat;

/// Domain tag of model commitments.
pub(crate) const MODEL_DOMAIN: &str = "vsies/model-commitment/v1";

/// Weights per packed element: `⌊252 / bw⌋`.
pub fn weights_per_element(format: FixedFormat) -> usize {
    (PAYLOAD_BITS / format.bits) as usize
}

/// The elements a model commitment absorbs (weights inside `format`).
pub fn elements(format: FixedFormat, weights: &[i64], blinding: Fr) -> Vec<Fr> {
    let mut elements: Vec<Fr> = weights
        .chunks(weights_per_element(format))
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .map(|(i, &w)| Fr::from((w - format.min()) as u64) * power_of_two(format.bits * i as u32))
                .sum()
        })
        .collect();
    elements.push(blinding);
    elements
}

/// `C(W, ρ)` natively.
pub fn commit(format: FixedFormat, weights: &[i64], blinding: Fr) -> Fr {
    let mut sponge = BlockSponge::new(poseidon::domain(MODEL_DOMAIN));
    sponge.absorb(&elements(format, weights, blinding));
    sponge.digest()
}

/// `C(W, ρ)` in the circuit, for weight wires already known to lie in `format` (the packing
/// is injective only then).
pub(crate) fn gadget<S: ConstraintSink>(
    builder: &Builder<S>,
    format: FixedFormat,
    weights: &[Wire],
    blinding: Fr,
) -> Result<Wire, SynthesisError> {
    let mut elements: Vec<Wire> = weights
        .chunks(weights_per_element(format))
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
