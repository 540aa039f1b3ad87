//! Gadgets of the ring relations: signed range checks of committed witnesses, Horner
//! evaluation of a committed polynomial at the challenge point, and the two-constraint check
//! of one integer identity at that point.

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::{power_of_two, small_integer};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

type Result<T> = std::result::Result<T, SynthesisError>;

/// A committed witness `value`, checked to be an integer in `(-2^bits, 2^bits)` by the bits of
/// `value + 2^bits` (`bits + 2` constraints).
pub(crate) fn committed_signed<S: ConstraintSink>(builder: &Builder<S>, value: Fr, bits: u32) -> Result<Wire> {
    let wire = builder.committed_witness(value)?;
    let shifted = value + power_of_two(bits);
    let offset = match small_integer(&shifted).and_then(|v| u64::try_from(v).ok()) {
        Some(offset) => offset,
        None => {
            // Not a small non-negative integer: no decomposition matches, the culprit is here.
            builder.report("value outside its range", [value, power_of_two(bits), shifted]);
            0
        }
    };
    let decomposed = builder.bits(offset, bits + 1)?;
    builder.enforce_equal_named("range", &decomposed.add_constant(-power_of_two(bits)), &wire)?;
    Ok(wire)
}

/// `Σ_i c_i z^i` by Horner's rule: one constraint per coefficient after the first.
pub(crate) fn evaluate<S: ConstraintSink>(builder: &Builder<S>, coefficients: &[Wire], point: &Wire) -> Result<Wire> {
    let Some((last, rest)) = coefficients.split_last() else { return Ok(Wire::zero()) };
    let mut acc = builder.named(last.clone())?;
    for coefficient in rest.iter().rev() {
        let next = builder.witness(acc.value * point.value + coefficient.value)?;
        builder.enforce_named("horner step", &acc, point, &next.sub(coefficient))?;
        acc = next;
    }
    Ok(acc)
}

/// `key(z)·r(z) + terms(z) − stored(z) = (z^n + 1)·quotient(z)`: two constraints.
#[allow(clippy::too_many_arguments)]
pub(crate) fn identity<S: ConstraintSink>(
    builder: &Builder<S>,
    name: &'static str,
    key: &Wire,
    r: &Wire,
    terms: &Wire,
    stored: &Wire,
    wrap: &Wire,
    quotient: &Wire,
) -> Result<()> {
    let wrapped = builder.mul(wrap, quotient)?;
    builder.enforce_named(name, key, r, &wrapped.sub(terms).add(stored))
}
