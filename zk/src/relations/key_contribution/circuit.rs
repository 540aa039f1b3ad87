//! The key-contribution circuit, stage by stage ([`super`] says what it proves).
//!
//! | stage | constraints |
//! |---|---|
//! | `secret` | per coefficient: `s` boolean (1), error range (`be + 2`), carry range (`bk + 2`), piece-carry range (`bp + 2`) |
//! | `point` | the challenge, the point (one permutation each), `z^n` (`log2 n`) |
//! | `identities` | one Horner step per coefficient of `s`, `e − 2^128·K`, the quotient and the piece carries; two products per identity of `b` |
//! | `pieces` | per piece set one Poseidon hash of its salt and evaluations; one linear constraint per sum |

use super::relation::{
    piece_evaluations, piece_hash, ContributionStatement, ContributionWitness, KeyContributionRelation, PIECE_DOMAIN,
    POINT_DOMAIN,
};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use crate::gadgets::poseidon::initial_state;
use crate::poseidon::{domain, RATE};
use crate::relations::ring::{committed_signed, evaluate, identity, MODULUS_BITS};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

type Result<T> = std::result::Result<T, SynthesisError>;

/// The committed witness polynomials of one secret polynomial `s_j`.
struct SecretWires {
    secret: Vec<Wire>,
    /// `e_k − 2^128·K_k`.
    terms: Vec<Wire>,
    quotient: Vec<Wire>,
    piece_carries: Vec<Wire>,
}

pub(crate) fn synthesize<S: ConstraintSink>(
    relation: &KeyContributionRelation,
    builder: &Builder<S>,
    statement: &ContributionStatement,
    witness: &ContributionWitness,
) -> Result<()> {
    let shape = relation.params.shape;
    if !shapes_match(relation, statement, witness) {
        return Err(SynthesisError::Unsatisfiable);
    }
    builder.stage("statement");
    let digest = builder.input(relation.digest(statement))?;

    builder.stage("secret");
    let secrets: Vec<SecretWires> =
        (0..shape.packing).map(|j| secret_wires(relation, builder, witness, j)).collect::<Result<_>>()?;

    builder.stage("point");
    let challenge = builder.challenges(1)?.remove(0);
    let point = builder.hash_block(domain(POINT_DOMAIN), &[challenge, digest])?;
    let mut power = point.clone();
    for _ in 0..shape.degree.trailing_zeros() {
        power = builder.mul(&power, &power)?;
    }
    let wrap = power.add_constant(Fr::from(1u64));
    let evaluations: Vec<Wire> = relation
        .derived_at(&ContributionStatement { piece_hashes: Vec::new(), ..statement.clone() }, point.value)
        .into_iter()
        .map(|value| builder.input(value))
        .collect::<Result<_>>()?;
    let stated_hashes: Vec<Wire> = witness
        .pieces
        .iter()
        .zip(&witness.salts)
        .map(|(piece, &salt)| builder.input(piece_hash(salt, &piece_evaluations(piece, point.value))))
        .collect::<Result<_>>()?;

    builder.stage("identities");
    let mask = &evaluations[0];
    let mut sums = Vec::with_capacity(shape.packing);
    for (j, wires) in secrets.iter().enumerate() {
        builder.locate(&[("secret", j)]);
        let s = evaluate(builder, &wires.secret, &point)?;
        let terms = evaluate(builder, &wires.terms, &point)?;
        let quotient = evaluate(builder, &wires.quotient, &point)?;
        identity(builder, "contribution identity", mask, &s, &terms, &evaluations[1 + j], &wrap, &quotient)?;
        let carries = evaluate(builder, &wires.piece_carries, &point)?;
        sums.push(s.add(&carries.scale(power_of_two(MODULUS_BITS))));
    }

    builder.stage("pieces");
    let mut piece_sums = vec![Wire::zero(); shape.packing];
    for (set, (piece, stated)) in witness.pieces.iter().zip(&stated_hashes).enumerate() {
        builder.locate(&[("piece set", set)]);
        let salt = builder.witness(witness.salts[set])?;
        let values: Vec<Wire> = piece_evaluations(piece, point.value)
            .into_iter()
            .map(|value| builder.witness(value))
            .collect::<Result<_>>()?;
        for (sum, value) in piece_sums.iter_mut().zip(&values) {
            *sum = sum.add(value);
        }
        let elements: Vec<Wire> = std::iter::once(salt).chain(values).collect();
        let mut state = initial_state(domain(PIECE_DOMAIN));
        for block in elements.chunks(RATE) {
            state = builder.absorb_block(&state, block)?;
        }
        builder.enforce_equal_named("piece hash", &state[1], stated)?;
    }
    for (j, (pieces, secret)) in piece_sums.iter().zip(&sums).enumerate() {
        builder.locate(&[("secret", j)]);
        builder.enforce_equal_named("pieces sum to the secret", pieces, secret)?;
    }
    Ok(())
}

fn secret_wires<S: ConstraintSink>(
    relation: &KeyContributionRelation,
    builder: &Builder<S>,
    witness: &ContributionWitness,
    j: usize,
) -> Result<SecretWires> {
    let shape = relation.params.shape;
    let carry = power_of_two(MODULUS_BITS);
    let n = shape.degree;
    let mut wires = SecretWires {
        secret: Vec::with_capacity(n),
        terms: Vec::with_capacity(n),
        quotient: Vec::new(),
        piece_carries: Vec::with_capacity(n),
    };
    for k in 0..n {
        builder.locate(&[("secret", j), ("coefficient", k)]);
        let bit = builder.committed_witness(witness.secret[j][k])?;
        builder.enforce_named("binary s", &bit, &Wire::one().sub(&bit), &Wire::zero())?;
        wires.secret.push(bit);
        let error = committed_signed(builder, witness.errors[j][k], shape.error_bits())?;
        let carries = committed_signed(builder, witness.carries[j][k], shape.carry_bits())?;
        wires.terms.push(error.sub(&carries.scale(carry)));
        wires.piece_carries.push(committed_signed(builder, witness.piece_carries[j][k], shape.piece_carry_bits())?);
    }
    wires.quotient = witness.quotients[j].iter().map(|&q| builder.committed_witness(q)).collect::<Result<_>>()?;
    Ok(wires)
}

/// Whether `vectors` holds `count` vectors of length `len`.
fn sized<T>(vectors: &[Vec<T>], count: usize, len: usize) -> bool {
    vectors.len() == count && vectors.iter().all(|v| v.len() == len)
}

/// Whether the statement and witness have the relation's sizes (the circuit is built from
/// them, so a crafted witness of other sizes is refused before any constraint).
fn shapes_match(
    relation: &KeyContributionRelation,
    statement: &ContributionStatement,
    witness: &ContributionWitness,
) -> bool {
    let shape = relation.params.shape;
    let (n, packing) = (shape.degree, shape.packing);
    sized(&witness.secret, packing, n)
        && sized(&witness.errors, packing, n)
        && sized(&witness.carries, packing, n)
        && sized(&witness.quotients, packing, n - 1)
        && sized(&witness.piece_carries, packing, n)
        && witness.pieces.len() == shape.pieces
        && witness.pieces.iter().all(|piece| sized(piece, packing, n))
        && witness.salts.len() == shape.pieces
        && statement.mask.len() == n
        && sized(&statement.contribution, packing, n)
}
