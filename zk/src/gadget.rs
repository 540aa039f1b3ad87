//! A thin layer over a constraint sink: wires that carry their linear combination and their
//! value together, so one pass both builds the constraints and computes the witness (in setup
//! mode the values are those of an empty dataset and are never read).
//!
//! The sink decides what a pass keeps. arkworks' constraint system keeps everything (tests,
//! small keys); [`crate::witness::WitnessSink`] keeps only the assignment and each
//! constraint's `A·z`, `B·z` (the prover's needs); [`crate::qap::QapSink`] keeps only the QAP
//! polynomials evaluated at the setup's secret point (key generation's needs). One circuit
//! description serves all three, so they cannot disagree on the constraints.

use crate::poseidon::{self, WIDTH};
use ark_bn254::Fr;
use ark_ff::{Field, One, Zero};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};
use std::cell::RefCell;

/// Where a [`Builder`] sends variables and constraints. Variables are numbered as arkworks
/// numbers them: instance variables (after the constant one) and witnesses, each in creation
/// order; constraints in the order they are enforced. A new variable comes back as the
/// combination that stands for it (a sink that only records values may return an empty one).
pub trait ConstraintSink {
    fn new_input(&mut self, value: Fr) -> Result<LinearCombination<Fr>>;
    fn new_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>>;
    /// A short combination standing for `lc` in later combinations (it adds no constraint).
    fn name(&mut self, lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>>;
    /// [`ConstraintSink::name`] for the Poseidon state between rounds, whose combinations
    /// otherwise grow by a term per partial round. arkworks keeps each named combination and
    /// its inlined copy, so for it this returns `lc` itself.
    fn name_round_state(&mut self, lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>> {
        Ok(lc)
    }
    /// A mark for [`ConstraintSink::fold_names`]: the names made from now on.
    fn names_mark(&self) -> usize {
        0
    }
    /// Declares that nothing built from now on refers to the names made since `mark` (they
    /// were internal to a gadget), so a sink that keeps names may resolve and drop them.
    fn fold_names(&mut self, _mark: usize) {}
    /// Enforces `a * b = c`.
    fn enforce(&mut self, a: &Wire, b: &Wire, c: &Wire) -> Result<()>;
}

impl ConstraintSink for ConstraintSystemRef<Fr> {
    fn new_input(&mut self, value: Fr) -> Result<LinearCombination<Fr>> {
        Ok(self.new_input_variable(|| Ok(value))?.into())
    }

    fn new_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>> {
        Ok(self.new_witness_variable(|| Ok(value))?.into())
    }

    fn name(&mut self, lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>> {
        // A symbolic variable that arkworks inlines when it finalizes.
        Ok(LinearCombination::from(self.new_lc(|| lc)?))
    }

    fn enforce(&mut self, a: &Wire, b: &Wire, c: &Wire) -> Result<()> {
        self.enforce_r1cs_constraint(|| a.lc.clone(), || b.lc.clone(), || c.lc.clone())
    }
}

/// A linear combination of circuit variables and its value. Linear operations are free.
#[derive(Clone, Debug)]
pub struct Wire {
    pub lc: LinearCombination<Fr>,
    pub value: Fr,
}

impl Wire {
    pub fn constant(value: Fr) -> Self {
        let lc =
            if value.is_zero() { LinearCombination::zero() } else { LinearCombination::from((value, Variable::One)) };
        Self { lc, value }
    }

    pub fn zero() -> Self {
        Self::constant(Fr::zero())
    }

    pub fn add(&self, other: &Self) -> Self {
        Self { lc: self.lc.clone() + &other.lc, value: self.value + other.value }
    }

    pub fn sub(&self, other: &Self) -> Self {
        Self { lc: self.lc.clone() - &other.lc, value: self.value - other.value }
    }

    pub fn scale(&self, factor: Fr) -> Self {
        Self { lc: self.lc.clone() * factor, value: self.value * factor }
    }

    pub fn add_constant(&self, constant: Fr) -> Self {
        self.add(&Self::constant(constant))
    }

    /// `sum_i coefficients[i] * wires[i]`, in time linear in the terms (gathered, then sorted
    /// and merged once; adding one wire at a time would copy the growing combination each time).
    pub fn weighted_sum<'a>(terms: impl IntoIterator<Item = (Fr, &'a Wire)>) -> Self {
        let mut lc = Vec::new();
        let mut value = Fr::zero();
        for (coefficient, wire) in terms {
            lc.extend(wire.lc.0.iter().map(|&(c, variable)| (coefficient * c, variable)));
            value += coefficient * wire.value;
        }
        let mut lc = LinearCombination(lc);
        lc.compactify();
        Self { lc, value }
    }

    /// `sum_i wires[i]`, as [`Wire::weighted_sum`].
    pub fn sum<'a>(wires: impl IntoIterator<Item = &'a Wire>) -> Self {
        Self::weighted_sum(wires.into_iter().map(|wire| (Fr::one(), wire)))
    }
}

/// The sum of very many wires (one per dataset value): gathered and named [`NamedSum::CHUNK`]
/// terms at a time, so time is linear and no combination grows past a chunk.
#[derive(Default)]
pub struct NamedSum {
    pending: Vec<Wire>,
    chunks: Vec<Wire>,
}

impl NamedSum {
    pub const CHUNK: usize = 4096;

    pub fn push<S: ConstraintSink>(&mut self, builder: &Builder<S>, wire: Wire) -> Result<()> {
        self.pending.push(wire);
        if self.pending.len() == Self::CHUNK {
            self.chunks.push(builder.named(Wire::sum(&self.pending))?);
            self.pending.clear();
        }
        Ok(())
    }

    pub fn finish(mut self) -> Wire {
        self.chunks.push(Wire::sum(&self.pending));
        Wire::sum(&self.chunks)
    }
}

/// Builds constraints into a [`ConstraintSink`].
pub struct Builder<S: ConstraintSink = ConstraintSystemRef<Fr>> {
    sink: RefCell<S>,
}

type Result<T> = std::result::Result<T, SynthesisError>;

impl<S: ConstraintSink> Builder<S> {
    pub fn new(sink: S) -> Self {
        Self { sink: RefCell::new(sink) }
    }

    /// The sink, once the circuit is built.
    pub fn into_sink(self) -> S {
        self.sink.into_inner()
    }

    pub fn input(&self, value: Fr) -> Result<Wire> {
        Ok(Wire { lc: self.sink.borrow_mut().new_input(value)?, value })
    }

    pub fn witness(&self, value: Fr) -> Result<Wire> {
        Ok(Wire { lc: self.sink.borrow_mut().new_witness(value)?, value })
    }

    /// Names a linear combination, so that long chains of linear operations do not copy
    /// ever-growing combinations.
    pub fn named(&self, wire: Wire) -> Result<Wire> {
        Ok(Wire { lc: self.sink.borrow_mut().name(wire.lc)?, value: wire.value })
    }

    /// Enforces `a * b = c`.
    pub fn enforce_product(&self, a: &Wire, b: &Wire, c: &Wire) -> Result<()> {
        self.sink.borrow_mut().enforce(a, b, c)
    }

    /// Enforces `a = b` (one constraint: `(a - b) * 1 = 0`).
    pub fn enforce_equal(&self, a: &Wire, b: &Wire) -> Result<()> {
        self.enforce_product(&a.sub(b), &Wire::constant(Fr::one()), &Wire::zero())
    }

    /// A new witness `a * b`, one constraint.
    pub fn mul(&self, a: &Wire, b: &Wire) -> Result<Wire> {
        let product = self.witness(a.value * b.value)?;
        self.enforce_product(a, b, &product)?;
        Ok(product)
    }

    /// A new witness `numerator / denominator`, one constraint. A zero denominator leaves the
    /// witness zero and the constraint unsatisfied (probability about 2^-230 for the random
    /// challenges it is used with).
    pub fn div(&self, numerator: &Wire, denominator: &Wire) -> Result<Wire> {
        self.div_by_inverse(numerator, denominator, denominator.value.inverse().unwrap_or_default())
    }

    /// [`Builder::div`] with the denominator's inverse (zero for zero) already computed, so
    /// that many divisions can share one batch inversion ([`batch_inverses`]).
    pub fn div_by_inverse(&self, numerator: &Wire, denominator: &Wire, inverse: Fr) -> Result<Wire> {
        let quotient = self.witness(numerator.value * inverse)?;
        self.enforce_product(&quotient, denominator, numerator)?;
        Ok(quotient)
    }

    /// A boolean witness, one constraint: `b * (1 - b) = 0`.
    pub fn boolean(&self, bit: bool) -> Result<Wire> {
        let wire = self.witness(Fr::from(bit))?;
        self.enforce_product(&wire, &Wire::constant(Fr::one()).sub(&wire), &Wire::zero())?;
        Ok(wire)
    }

    /// The `bits` low bits of `value` as boolean witnesses, and their weighted sum: `bits`
    /// constraints. The sum equals `value` only if `value < 2^bits`, so a caller that ties the
    /// sum to `value` range-checks it.
    pub fn bits(&self, value: u64, bits: u32) -> Result<Wire> {
        let wires: Vec<Wire> = (0..bits).map(|bit| self.boolean(value >> bit & 1 == 1)).collect::<Result<_>>()?;
        Ok(Wire::weighted_sum((0..bits).map(crate::relation::power_of_two).zip(&wires)))
    }

    /// `x^5`: three constraints.
    fn sbox(&self, x: &Wire) -> Result<Wire> {
        let square = self.mul(x, x)?;
        let fourth = self.mul(&square, &square)?;
        self.mul(&fourth, x)
    }

    /// The Poseidon permutation ([`poseidon::permute`]), 405 constraints.
    pub fn permute(&self, state: &[Wire; WIDTH]) -> Result<[Wire; WIDTH]> {
        let parameters = poseidon::parameters();
        let mark = self.sink.borrow().names_mark();
        let mut state = state.clone();
        for round in 0..poseidon::FULL_ROUNDS + poseidon::PARTIAL_ROUNDS {
            for (wire, constant) in state.iter_mut().zip(&parameters.round_constants[round]) {
                *wire = wire.add_constant(*constant);
            }
            let sboxes = if poseidon::is_full_round(round) { WIDTH } else { 1 };
            for wire in &mut state[..sboxes] {
                *wire = self.sbox(wire)?;
            }
            // After a full round every element is a fresh S-box output; through the partial
            // rounds eight elements stay linear in all earlier ones, so they are named.
            let mixed: Vec<Wire> = parameters
                .mds
                .iter()
                .map(|row| {
                    let wire = Wire::weighted_sum(row.iter().copied().zip(&state));
                    if poseidon::is_full_round(round) {
                        return Ok(wire);
                    }
                    Ok(Wire { lc: self.sink.borrow_mut().name_round_state(wire.lc)?, value: wire.value })
                })
                .collect::<Result<_>>()?;
            state = mixed.try_into().expect("WIDTH wires");
        }
        // The last rounds are full: the output refers to S-box outputs only, never to the
        // names made above.
        self.sink.borrow_mut().fold_names(mark);
        Ok(state)
    }

    /// The state after absorbing one block (`state[1..] += block`, then permute).
    pub fn absorb_block(&self, state: &[Wire; WIDTH], block: &[Wire]) -> Result<[Wire; WIDTH]> {
        let mut next = state.clone();
        for (wire, element) in next[1..].iter_mut().zip(block) {
            *wire = wire.add(element);
        }
        self.permute(&next)
    }

    /// `if condition { a } else { b }` for a boolean `condition`: one constraint per element,
    /// `condition * (a - b) = selected - b`. Each selected element is a fresh witness, so a
    /// chain of selections (the sponge over a dataset's blocks) does not grow a combination
    /// by one term per link.
    pub fn select_state(&self, condition: &Wire, a: &[Wire; WIDTH], b: &[Wire; WIDTH]) -> Result<[Wire; WIDTH]> {
        let selected: Vec<Wire> = a
            .iter()
            .zip(b)
            .map(|(a, b)| {
                let difference = a.sub(b);
                let selected = self.witness(b.value + condition.value * difference.value)?;
                self.enforce_product(condition, &difference, &selected.sub(b))?;
                Ok(selected)
            })
            .collect::<Result<_>>()?;
        Ok(selected.try_into().expect("WIDTH wires"))
    }

    /// Poseidon of up to 8 elements under a domain tag (one permutation), as
    /// [`poseidon::hash_block`].
    pub fn hash_block(&self, domain_tag: Fr, elements: &[Wire]) -> Result<Wire> {
        let state = initial_state(domain_tag);
        Ok(self.absorb_block(&state, elements)?[1].clone())
    }
}

/// The inverses of `values` (zero for zero) by Montgomery's trick: one field inversion in all.
pub fn batch_inverses(values: &[Fr]) -> Vec<Fr> {
    let mut inverses = values.to_vec();
    ark_ff::batch_inversion(&mut inverses);
    inverses
}

/// The sponge's initial state: the domain tag in the capacity element.
pub fn initial_state(domain_tag: Fr) -> [Wire; WIDTH] {
    std::array::from_fn(|index| if index == 0 { Wire::constant(domain_tag) } else { Wire::zero() })
}
