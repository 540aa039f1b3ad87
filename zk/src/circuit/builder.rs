//! The builder: one pass both builds the constraints and computes the witness (in setup mode
//! the values are those of a dummy assignment and are never checked).

use super::failure::{Location, RawFailure};
use super::sink::ConstraintSink;
use super::wire::Wire;
use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, Field};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use std::cell::{Cell, RefCell};

/// Builds constraints into a [`ConstraintSink`], keeping track of where each one sits (the
/// relation's current stage and location) and, unless built for key generation, checking
/// every constraint against the wires' values: the first unsatisfied one is kept, located.
pub struct Builder<S: ConstraintSink = ConstraintSystemRef<Fr>> {
    sink: RefCell<S>,
    check: bool,
    /// The value of the challenge seed ([`Builder::challenge_seed`]).
    seed: Fr,
    seed_made: Cell<bool>,
    constraints: Cell<usize>,
    /// Constraints per stage name, in the order stages first appear.
    by_stage: RefCell<Vec<(&'static str, usize)>>,
    stage: Cell<&'static str>,
    location: Cell<Location>,
    failure: RefCell<Option<RawFailure>>,
}

type Result<T> = std::result::Result<T, SynthesisError>;

impl<S: ConstraintSink> Builder<S> {
    /// A builder that checks every constraint against the values it is given.
    pub fn new(sink: S) -> Self {
        Self {
            sink: RefCell::new(sink),
            check: true,
            seed: Fr::ZERO,
            seed_made: Cell::new(false),
            constraints: Cell::new(0),
            by_stage: RefCell::new(Vec::new()),
            stage: Cell::new(""),
            location: Cell::new(Location::NONE),
            failure: RefCell::new(None),
        }
    }

    /// A builder for key generation: the values are a dummy assignment's and are not checked.
    pub fn for_setup(sink: S) -> Self {
        Self { check: false, ..Self::new(sink) }
    }

    /// The builder with this challenge seed (the engine's, derived from the commitment to the
    /// committed witnesses; zero in a pass that only collects those witnesses).
    pub fn with_challenge_seed(self, seed: Fr) -> Self {
        Self { seed, ..self }
    }

    /// The challenge seed as a public input, once per circuit. It must follow the statement's
    /// inputs and precede only the relation's derived inputs
    /// ([`Relation::derived_inputs`](crate::groth16::Relation::derived_inputs)): the verifier
    /// appends it to the statement's inputs, derived from the proof's commitment. Relations take their challenges from
    /// [`Builder::challenges`](crate::gadgets::challenge), which calls this.
    pub fn challenge_seed(&self) -> Result<Wire> {
        if self.seed_made.replace(true) {
            return Err(SynthesisError::Unsatisfiable);
        }
        self.input(self.seed)
    }

    /// The sink, once the circuit is built.
    pub fn into_sink(self) -> S {
        self.sink.into_inner()
    }

    /// Constraints enforced so far.
    pub fn constraint_count(&self) -> usize {
        self.constraints.get()
    }

    /// Constraints enforced so far per stage (stages of one name together), in the order
    /// the stages first appear: a relation's cost breakdown.
    pub fn constraints_by_stage(&self) -> Vec<(&'static str, usize)> {
        self.by_stage.borrow().clone()
    }

    /// Names the stage the next constraints belong to (and clears the location).
    pub fn stage(&self, stage: &'static str) {
        self.stage.set(stage);
        self.location.set(Location::NONE);
    }

    /// Sets where the next constraints sit in the relation's data.
    pub fn locate(&self, pairs: &[(&'static str, usize)]) {
        self.location.set(Location::new(pairs));
    }

    /// The current location (to restore it later with [`Builder::set_location`]).
    pub fn location(&self) -> Location {
        self.location.get()
    }

    /// Restores a location from [`Builder::location`].
    pub fn set_location(&self, location: Location) {
        self.location.set(location);
    }

    /// The first unsatisfied constraint, if the values broke one.
    pub(crate) fn failure(&self) -> Option<RawFailure> {
        self.failure.borrow().clone()
    }

    /// Whether every constraint so far holds for the wires' values.
    pub fn is_satisfied(&self) -> bool {
        self.failure.borrow().is_none()
    }

    /// Whether the builder checks values (false when building for key generation).
    pub fn checks_values(&self) -> bool {
        self.check
    }

    /// Records, unless a failure is already recorded, that the witness breaks `constraint` at
    /// the current location: for a gadget that sees the culprit before the constraint that
    /// will fail (a value wider than its bit decomposition, a key missing from a lookup
    /// table). `values` are the secret values involved.
    pub fn report(&self, constraint: &'static str, values: [Fr; 3]) {
        if self.check && self.failure.borrow().is_none() {
            *self.failure.borrow_mut() = Some(RawFailure {
                index: self.constraints.get(),
                stage: self.stage.get(),
                constraint,
                location: self.location.get(),
                values,
            });
        }
    }

    /// A new public input.
    pub fn input(&self, value: Fr) -> Result<Wire> {
        Ok(Wire { lc: self.sink.borrow_mut().new_input(value)?, value })
    }

    /// A new private witness.
    pub fn witness(&self, value: Fr) -> Result<Wire> {
        Ok(Wire { lc: self.sink.borrow_mut().new_witness(value)?, value })
    }

    /// A new private witness committed to before the challenges are drawn: what a lookup
    /// checks must be one (or be bound by other means) for the lookup to be sound.
    pub fn committed_witness(&self, value: Fr) -> Result<Wire> {
        Ok(Wire { lc: self.sink.borrow_mut().new_committed_witness(value)?, value })
    }

    /// Names a linear combination, so that long chains of linear operations do not copy
    /// ever-growing combinations.
    pub fn named(&self, wire: Wire) -> Result<Wire> {
        Ok(Wire { lc: self.sink.borrow_mut().name(wire.lc)?, value: wire.value })
    }

    /// [`Builder::named`] for a state between Poseidon rounds ([`ConstraintSink::name_round_state`]).
    pub fn named_round_state(&self, wire: Wire) -> Result<Wire> {
        Ok(Wire { lc: self.sink.borrow_mut().name_round_state(wire.lc)?, value: wire.value })
    }

    /// The mark of [`ConstraintSink::names_mark`].
    pub fn names_mark(&self) -> usize {
        self.sink.borrow().names_mark()
    }

    /// [`ConstraintSink::fold_names`].
    pub fn fold_names(&self, mark: usize) {
        self.sink.borrow_mut().fold_names(mark);
    }

    /// Enforces `a * b = c`; `name` says what the constraint is in its stage.
    pub fn enforce_named(&self, name: &'static str, a: &Wire, b: &Wire, c: &Wire) -> Result<()> {
        let index = self.constraints.get();
        if self.check && a.value * b.value != c.value && self.failure.borrow().is_none() {
            *self.failure.borrow_mut() = Some(RawFailure {
                index,
                stage: self.stage.get(),
                constraint: name,
                location: self.location.get(),
                values: [a.value, b.value, c.value],
            });
        }
        self.constraints.set(index + 1);
        if index & 0x3fff == 0 {
            crate::progress::set(index as u64);
        }
        let stage = self.stage.get();
        let mut by_stage = self.by_stage.borrow_mut();
        match by_stage.iter_mut().find(|(name, _)| *name == stage) {
            Some((_, count)) => *count += 1,
            None => by_stage.push((stage, 1)),
        }
        drop(by_stage);
        self.sink.borrow_mut().enforce(a, b, c)
    }

    /// Enforces `a * b = c`.
    pub fn enforce_product(&self, a: &Wire, b: &Wire, c: &Wire) -> Result<()> {
        self.enforce_named("product", a, b, c)
    }

    /// Enforces `a = b` (one constraint: `(a - b) * 1 = 0`), named `name`.
    pub fn enforce_equal_named(&self, name: &'static str, a: &Wire, b: &Wire) -> Result<()> {
        self.enforce_named(name, &a.sub(b), &Wire::one(), &Wire::zero())
    }

    /// Enforces `a = b`.
    pub fn enforce_equal(&self, a: &Wire, b: &Wire) -> Result<()> {
        self.enforce_equal_named("equality", a, b)
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
    /// that many divisions can share one batch inversion ([`crate::field::batch_inverses`]).
    pub fn div_by_inverse(&self, numerator: &Wire, denominator: &Wire, inverse: Fr) -> Result<Wire> {
        let quotient = self.witness(numerator.value * inverse)?;
        self.enforce_named("quotient", &quotient, denominator, numerator)?;
        Ok(quotient)
    }
}
