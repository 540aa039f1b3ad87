//! The update circuit, stage by stage ([`super`] says what it proves).
//!
//! | stage | constraints |
//! |---|---|
//! | `statement` | per weight a range check of `bw` bits; `C(W_out)`; the digest |
//! | `masks` | per coefficient: `r` boolean (1), error range (`be + 2`), carry range (`bk + 2`) |
//! | `bodies` | per stored value: the message `n·w` (1), error range, carry range |
//! | `point` | the challenge, the point (one permutation each), `z^n` (`log2 n`) |
//! | `identities` | one Horner step per coefficient of `r`, `e − 2^128·K` and the quotient per mask, of the body terms and the quotient per body; two products per identity |

use super::relation::{UpdateRelation, UpdateStatement, UpdateWitness, MODULUS_BITS, POINT_DOMAIN, STATEMENT_DOMAIN};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use crate::poseidon::domain;
use crate::relations::model_commitment;
use crate::relations::ring::{committed_signed, evaluate, identity};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

type Result<T> = std::result::Result<T, SynthesisError>;

/// The witness polynomials of one mask.
struct MaskWires {
    binary: Vec<Wire>,
    /// `e_k − 2^128·K_k`.
    terms: Vec<Wire>,
    quotient: Vec<Wire>,
}

/// The witness polynomials of one body.
struct BodyWires {
    /// `e_k + Δ·m_k − 2^128·K_k` for stored values, `−T_k` past them.
    terms: Vec<Wire>,
    quotient: Vec<Wire>,
}

pub(crate) fn synthesize<S: ConstraintSink>(
    relation: &UpdateRelation,
    builder: &Builder<S>,
    statement: &UpdateStatement,
    witness: &UpdateWitness,
) -> Result<()> {
    let ring = relation.params.ring;
    let n = ring.degree;
    if !shapes_match(relation, statement, witness) {
        return Err(SynthesisError::Unsatisfiable);
    }
    builder.stage("statement");
    let claimed_digest = builder.input(relation.digest(statement))?;
    let format = relation.params.weight_format;
    let weights: Vec<Wire> = witness
        .weights
        .iter()
        .enumerate()
        .map(|(j, &w)| {
            builder.locate(&[("weight", j)]);
            let offset = builder.bits((w - format.min()).max(0) as u64, format.bits)?;
            Ok(offset.add_constant(-Fr::from(format.min().unsigned_abs())))
        })
        .collect::<Result<_>>()?;
    let trained = model_commitment::gadget(builder, format, &weights, witness.blinding)?;
    let mut elements = relation.digest_elements(statement).map(Wire::constant);
    for index in [1, 2, 3, 4, 5] {
        elements[index] = builder.witness(elements[index].value)?;
    }
    elements[6] = trained;
    let rows = builder.witness(Fr::from(statement.rows))?;
    elements[7] = rows.clone();
    let digest = builder.hash_block(domain(STATEMENT_DOMAIN), &elements)?;
    builder.enforce_equal_named("statement digest", &digest, &claimed_digest)?;

    builder.stage("masks");
    let masks: Vec<MaskWires> =
        (0..relation.chunks()).map(|chunk| mask_wires(relation, builder, witness, chunk)).collect::<Result<_>>()?;
    builder.stage("bodies");
    let messages: Vec<Wire> = weights
        .iter()
        .map(|w| builder.mul(&rows, w))
        .chain(std::iter::once(Ok(rows.clone())))
        .collect::<Result<_>>()?;
    let bodies: Vec<BodyWires> = (0..relation.polynomials())
        .map(|poly| body_wires(relation, builder, witness, &messages[poly * n..], poly))
        .collect::<Result<_>>()?;

    builder.stage("point");
    let challenge = builder.challenges(1)?.remove(0);
    let point = builder.hash_block(domain(POINT_DOMAIN), &[challenge, claimed_digest])?;
    let mut power = point.clone();
    for _ in 0..n.trailing_zeros() {
        power = builder.mul(&power, &power)?;
    }
    let wrap = power.add_constant(Fr::from(1u64));
    let evaluations: Vec<Wire> = relation
        .evaluations(statement, point.value)
        .into_iter()
        .map(|value| builder.input(value))
        .collect::<Result<_>>()?;

    builder.stage("identities");
    let mask_key = &evaluations[0];
    let mut binary_at_point = Vec::new();
    for (chunk, mask) in masks.iter().enumerate() {
        builder.locate(&[("mask", chunk)]);
        let r = evaluate(builder, &mask.binary, &point)?;
        let terms = evaluate(builder, &mask.terms, &point)?;
        let quotient = evaluate(builder, &mask.quotient, &point)?;
        let stored = evaluations[1 + chunk].scale(power_of_two(MODULUS_BITS - ring.mask_bits));
        identity(builder, "mask identity", mask_key, &r, &terms, &stored, &wrap, &quotient)?;
        binary_at_point.push(r);
    }
    let first_body = 1 + relation.chunks();
    for (poly, body) in bodies.iter().enumerate() {
        builder.locate(&[("body", poly)]);
        let terms = evaluate(builder, &body.terms, &point)?;
        let quotient = evaluate(builder, &body.quotient, &point)?;
        let key = &evaluations[first_body + 2 * poly];
        let stored = evaluations[first_body + 2 * poly + 1].scale(power_of_two(MODULUS_BITS - ring.body_bits));
        let r = &binary_at_point[poly / ring.packing];
        identity(builder, "body identity", key, r, &terms, &stored, &wrap, &quotient)?;
    }
    Ok(())
}

/// Whether `vectors` holds `count` vectors, vector `i` of length `len(i)`.
fn sized<T>(vectors: &[Vec<T>], count: usize, len: impl Fn(usize) -> usize) -> bool {
    vectors.len() == count && vectors.iter().enumerate().all(|(i, v)| v.len() == len(i))
}

/// Whether the statement and witness have the relation's sizes (the circuit is built from
/// them, so a crafted witness of other sizes is refused before any constraint).
fn shapes_match(relation: &UpdateRelation, statement: &UpdateStatement, witness: &UpdateWitness) -> bool {
    let n = relation.params.ring.degree;
    let (chunks, polys) = (relation.chunks(), relation.polynomials());
    let stored = |poly: usize| relation.values_in(poly);
    witness.weights.len() == relation.params.width
        && sized(&witness.binary, chunks, |_| n)
        && sized(&witness.mask_errors, chunks, |_| n)
        && sized(&witness.mask_carries, chunks, |_| n)
        && sized(&witness.mask_quotients, chunks, |_| n - 1)
        && sized(&witness.body_errors, polys, stored)
        && sized(&witness.body_carries, polys, stored)
        && sized(&witness.body_free, polys, |p| n - stored(p))
        && sized(&witness.body_quotients, polys, |_| n - 1)
        && sized(&statement.masks, chunks, |_| n)
        && sized(&statement.bodies, polys, stored)
        && statement.mask_key.len() == n
        && sized(&statement.body_keys, relation.params.ring.packing.min(polys), |_| n)
}

fn mask_wires<S: ConstraintSink>(
    relation: &UpdateRelation,
    builder: &Builder<S>,
    witness: &UpdateWitness,
    chunk: usize,
) -> Result<MaskWires> {
    let ring = relation.params.ring;
    let carry = power_of_two(MODULUS_BITS);
    let mut binary = Vec::with_capacity(ring.degree);
    let mut terms = Vec::with_capacity(ring.degree);
    for k in 0..ring.degree {
        builder.locate(&[("mask", chunk), ("coefficient", k)]);
        let bit = builder.committed_witness(witness.binary[chunk][k])?;
        builder.enforce_named("binary r", &bit, &Wire::one().sub(&bit), &Wire::zero())?;
        binary.push(bit);
        let error = committed_signed(builder, witness.mask_errors[chunk][k], ring.mask_error_bits())?;
        let carries = committed_signed(builder, witness.mask_carries[chunk][k], ring.carry_bits())?;
        terms.push(error.sub(&carries.scale(carry)));
    }
    let quotient =
        witness.mask_quotients[chunk].iter().map(|&q| builder.committed_witness(q)).collect::<Result<_>>()?;
    Ok(MaskWires { binary, terms, quotient })
}

fn body_wires<S: ConstraintSink>(
    relation: &UpdateRelation,
    builder: &Builder<S>,
    witness: &UpdateWitness,
    messages: &[Wire],
    poly: usize,
) -> Result<BodyWires> {
    let ring = relation.params.ring;
    let (carry, delta) = (power_of_two(MODULUS_BITS), power_of_two(ring.delta_log2));
    let mut terms = Vec::with_capacity(ring.degree);
    for (k, message) in messages.iter().take(relation.values_in(poly)).enumerate() {
        builder.locate(&[("body", poly), ("value", k)]);
        let error = committed_signed(builder, witness.body_errors[poly][k], ring.body_error_bits())?;
        let carries = committed_signed(builder, witness.body_carries[poly][k], ring.carry_bits())?;
        terms.push(error.add(&message.scale(delta)).sub(&carries.scale(carry)));
    }
    for &free in &witness.body_free[poly] {
        terms.push(builder.committed_witness(free)?.scale(-Fr::from(1u64)));
    }
    let quotient = witness.body_quotients[poly].iter().map(|&q| builder.committed_witness(q)).collect::<Result<_>>()?;
    Ok(BodyWires { terms, quotient })
}
