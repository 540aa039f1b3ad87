//! Binding the engine's challenges into a relation's last public input
//! ([`crate::transcript`] says why and how the verifier recomputes it).

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::poseidon::domain;
use crate::transcript::{bind_challenges, CHALLENGE_BINDING_DOMAIN};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// Makes the public input `s = Poseidon(binding, [claimed, c_1, …, c_k])` from the statement's
/// `claimed` base value and enforces that the circuit's `base` binds to it: one permutation.
/// Call it once, for the relation's last public input, with the wires of
/// [`Builder::challenges`]. A witness whose `base` is not the claimed one fails here.
pub fn bind_last_input<S: ConstraintSink>(
    builder: &Builder<S>,
    claimed: Fr,
    base: &Wire,
    challenges: &[Wire],
) -> Result<Wire, SynthesisError> {
    let values: Vec<_> = challenges.iter().map(|c| c.value).collect();
    let input = builder.input(bind_challenges(claimed, &values))?;
    let elements: Vec<Wire> = std::iter::once(base.clone()).chain(challenges.iter().cloned()).collect();
    let computed = builder.hash_block(domain(CHALLENGE_BINDING_DOMAIN), &elements)?;
    builder.enforce_equal_named("challenge binding", &computed, &input)?;
    Ok(input)
}
