//! logUp lookups (Haböck 2022): every looked-up key is in a table, counted by multiplicities,
//! proved by one identity at a random point `γ`:
//!
//! `Σ_values 1 / (γ - key) = Σ_table m / (γ - key)`
//!
//! One constraint per looked-up value and one per table entry (each a quotient), and one for
//! the identity. **Soundness needs `γ` drawn after the keys and multiplicities are fixed**: a
//! caller derives it in-circuit by hashing an injective encoding of both (canonical bit
//! decompositions, packed), never from values the prover may choose afterwards.

use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::batch_inverses;
use crate::gadgets::NamedSum;
use ark_bn254::Fr;
use ark_ff::Zero;
use ark_relations::gr1cs::SynthesisError;
use std::collections::HashMap;

/// Enforces the logUp identity for `values` looked-up keys (the `i`-th is `value_key(i)`, a
/// wire made on demand so that a million keys are never held at once) against `table` (keys,
/// constant or combined with a challenge, and their multiplicity wires) at challenge `gamma`. `locate_value(i)` and
/// `locate_entry(i)` set the builder's location before the `i`-th quotient of each side. All
/// denominators share one batch inversion.
pub fn enforce_log_up<S: ConstraintSink>(
    builder: &Builder<S>,
    gamma: &Wire,
    values: usize,
    value_key: impl Fn(usize) -> Wire,
    table: &[(Wire, &Wire)],
    locate_value: impl Fn(usize),
    locate_entry: impl Fn(usize),
) -> Result<(), SynthesisError> {
    let denominators: Vec<Fr> = (0..values)
        .map(|index| gamma.value - value_key(index).value)
        .chain(table.iter().map(|(key, _)| gamma.value - key.value))
        .collect();
    let mut inverses = batch_inverses(&denominators).into_iter();
    drop(denominators);
    let mut lookups = NamedSum::default();
    for index in 0..values {
        locate_value(index);
        let inverse = inverses.next().expect("one inverse per value");
        lookups.push(builder, builder.div_by_inverse(&Wire::one(), &gamma.sub(&value_key(index)), inverse)?)?;
    }
    let mut counted = NamedSum::default();
    for (index, (key, multiplicity)) in table.iter().enumerate() {
        locate_entry(index);
        let inverse = inverses.next().expect("one inverse per table entry");
        let denominator = gamma.sub(key);
        counted.push(builder, builder.div_by_inverse(multiplicity, &denominator, inverse)?)?;
    }
    let (lookups, counted) = (lookups.finish(), counted.finish());
    builder.locate(&[]);
    if builder.checks_values() && lookups.value != counted.value {
        diagnose(builder, values, &value_key, table, locate_value, locate_entry);
    }
    builder.enforce_equal_named("lookup sums", &lookups, &counted)
}

/// Names the culprit of a failed lookup identity, as halo2's `MockProver` does: the first
/// looked-up key missing from the table, or else the first entry whose multiplicity is not its
/// count. Runs only when the identity fails.
fn diagnose<S: ConstraintSink>(
    builder: &Builder<S>,
    values: usize,
    value_key: &impl Fn(usize) -> Wire,
    table: &[(Wire, &Wire)],
    locate_value: impl Fn(usize),
    locate_entry: impl Fn(usize),
) {
    let mut counts: HashMap<Fr, u64> = table.iter().map(|(key, _)| (key.value, 0)).collect();
    for index in 0..values {
        let key = value_key(index).value;
        match counts.get_mut(&key) {
            Some(count) => *count += 1,
            None => {
                locate_value(index);
                builder.report("lookup: key not in the table", [key, Fr::zero(), Fr::zero()]);
                return;
            }
        }
    }
    if let Some(index) = table.iter().position(|(key, m)| m.value != Fr::from(counts[&key.value])) {
        locate_entry(index);
        let count = Fr::from(counts[&table[index].0.value]);
        builder.report("lookup: multiplicity is not the count", [table[index].1.value, count, Fr::zero()]);
    }
}
