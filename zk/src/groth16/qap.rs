//! libsnark's R1CS-to-QAP reduction (ark-groth16's `LibsnarkReduction`, which our keys and
//! proofs must match bit for bit), computed from streams instead of constraint matrices.
//!
//! The reduction adds one constraint `input_i * 1 = 0`-style row per instance variable after
//! the circuit's constraints (so every input's polynomial is independent) and works over the
//! smallest radix-2 domain holding them all.
//!
//! - Key generation needs each variable's `A`, `B`, `C` polynomials evaluated at the secret
//!   point `t`: [`QapSink`] accumulates them while the circuit is built, one Lagrange
//!   coefficient per constraint, never storing a constraint.
//! - Proving needs the quotient `h = (A·B - C) / Z` from the constraints' evaluations
//!   ([`quotient`]).

use super::backend::Backend;
pub use super::backend::Domain;
use crate::circuit::{ConstraintSink, Wire};
use ark_bn254::Fr;
use ark_ff::{FftField, Field, Zero};
use ark_poly::EvaluationDomain;
use ark_relations::gr1cs::{LinearCombination, SynthesisError, Variable};
use ark_relations::utils::variable::VarKind;
use rayon::prelude::*;

/// The reduction's domain for `constraints` constraints and `instance` instance variables
/// (the constant one included).
pub fn domain(constraints: usize, instance: usize) -> Result<Domain, SynthesisError> {
    Domain::new(constraints + instance).ok_or(SynthesisError::PolynomialDegreeTooLarge)
}

/// `Err` unless a built circuit has the `(constraints, instance variables)` its relation's
/// layout promised (the domain and the key were sized from the layout).
pub fn check_shape(built: (usize, usize), layout: (usize, usize)) -> Result<(), crate::error::ZkError> {
    if built == layout {
        return Ok(());
    }
    Err(crate::error::ZkError::ShapeMismatch { built, layout })
}

/// The coefficients of `h = (A·B - C) / Z` as ark-groth16's witness map computes them, from the
/// constraints' `A·z` and `B·z` and the instance assignment. `C·z` is `A·z ∘ B·z` for a
/// satisfied witness, which the caller has checked. The FFTs run on `backend`.
pub fn quotient(backend: &dyn Backend, domain: &Domain, mut a: Vec<Fr>, mut b: Vec<Fr>, instance: &[Fr]) -> Vec<Fr> {
    let size = domain.size();
    let mut c: Vec<Fr> = Vec::with_capacity(size);
    a.par_iter().zip(&b).map(|(a, b)| *a * b).collect_into_vec(&mut c);
    c.resize(size, Fr::zero());
    a.extend_from_slice(instance);
    a.resize(size, Fr::zero());
    b.resize(size, Fr::zero());

    backend.ifft_in_place(domain, &mut a);
    backend.ifft_in_place(domain, &mut b);
    let coset = domain.get_coset(Fr::GENERATOR).expect("the multiplicative generator spans a coset");
    backend.fft_in_place(&coset, &mut a);
    backend.fft_in_place(&coset, &mut b);
    a.par_iter_mut().zip(&b).for_each(|(a, b)| *a *= b);
    drop(b);
    backend.ifft_in_place(domain, &mut c);
    backend.fft_in_place(&coset, &mut c);
    let vanishing_inverse =
        domain.evaluate_vanishing_polynomial(Fr::GENERATOR).inverse().expect("the coset avoids the domain");
    a.par_iter_mut().zip(&c).for_each(|(ab, c)| {
        *ab -= c;
        *ab *= vanishing_inverse;
    });
    drop(c);
    backend.ifft_in_place(&coset, &mut a);
    a
}

/// Every variable's `A`, `B`, `C` polynomial at the secret point, indexed as arkworks indexes
/// matrix columns: the instance variables (the constant one first), then the witnesses.
pub struct QapEvaluations {
    /// `A_i(t)` per variable.
    pub a: Vec<Fr>,
    /// `B_i(t)` per variable.
    pub b: Vec<Fr>,
    /// `C_i(t)` per variable.
    pub c: Vec<Fr>,
    /// Instance variables, the constant one included.
    pub instance_count: usize,
    /// The circuit's constraints (before the reduction's input rows).
    pub constraint_count: usize,
    /// Per witness, whether the proof commits to it ([`super::commitment`]).
    pub committed: Vec<bool>,
}

/// A sink's named combinations ([`ConstraintSink::name`]), each with the weight it has
/// gathered, to be pushed down to its terms when its gadget ends.
pub(crate) struct Names<W> {
    lcs: Vec<LinearCombination<Fr>>,
    weights: Vec<W>,
}

impl<W: Default> Names<W> {
    pub(crate) fn new() -> Self {
        Self { lcs: Vec::new(), weights: Vec::new() }
    }

    /// A new name for `lc`, with no weight yet.
    pub(crate) fn name(&mut self, lc: LinearCombination<Fr>) -> LinearCombination<Fr> {
        self.lcs.push(lc);
        self.weights.push(W::default());
        Variable::symbolic_lc(self.lcs.len() - 1).into()
    }

    /// How many names there are: the mark of the names made from now on.
    pub(crate) fn mark(&self) -> usize {
        self.lcs.len()
    }

    /// The weight of name `index`.
    pub(crate) fn weight_mut(&mut self, index: usize) -> &mut W {
        &mut self.weights[index]
    }

    /// The newest name made since `mark`, and its weight, removed.
    pub(crate) fn pop_since(&mut self, mark: usize) -> Option<(LinearCombination<Fr>, W)> {
        if self.lcs.len() <= mark {
            return None;
        }
        Some((self.lcs.pop()?, self.weights.pop()?))
    }
}

/// Accumulates [`QapEvaluations`] while a circuit is built: constraint `j` adds
/// `L_j(t) · coefficient` to each variable it names.
///
/// Named combinations are never expanded (arkworks inlines them, which for the Poseidon
/// state costs a term per round, per element, per round): a reference to one adds to the
/// name's own weight, and [`QapSink::finish`] pushes the names' weights down to their terms,
/// newest name first (a name only refers to older ones). Linear in the terms written.
pub struct QapSink {
    /// `L_j(t)` for every position of the domain.
    lagrange: Vec<Fr>,
    /// `A`, `B`, `C` at `t` per instance variable (the constant one first) and per witness.
    instance: [Vec<Fr>; 3],
    witness: [Vec<Fr>; 3],
    /// Named combinations as they were given, and the weight each has gathered in `A`, `B`, `C`.
    names: Names<[Fr; 3]>,
    constraints: usize,
    committed: Vec<bool>,
}

impl QapSink {
    /// A sink evaluating at `t` over `domain`, which must hold the circuit's constraints and
    /// instance variables (checked by [`QapSink::finish`]).
    pub fn new(domain: &Domain, t: Fr) -> Self {
        Self {
            lagrange: domain.evaluate_all_lagrange_coefficients(t),
            instance: [vec![Fr::zero()], vec![Fr::zero()], vec![Fr::zero()]],
            witness: Default::default(),
            names: Names::new(),
            constraints: 0,
            committed: Vec::new(),
        }
    }

    /// Adds `weight * lc` into polynomial `which` (0 = A, 1 = B, 2 = C).
    fn accumulate(&mut self, lc: &LinearCombination<Fr>, weight: Fr, which: usize) {
        for &(coefficient, variable) in &lc.0 {
            self.add(variable, weight * coefficient, which);
        }
    }

    fn add(&mut self, variable: Variable, term: Fr, which: usize) {
        match variable.kind() {
            VarKind::Zero => {}
            VarKind::One => self.instance[which][0] += term,
            VarKind::Instance => self.instance[which][index(variable)] += term,
            VarKind::Witness => self.witness[which][index(variable)] += term,
            VarKind::SymbolicLc => self.names.weight_mut(index(variable))[which] += term,
        }
    }

    /// The evaluations, once the circuit is built; `Err` if it did not fit the domain.
    pub fn finish(mut self, domain: &Domain) -> Result<QapEvaluations, SynthesisError> {
        let (constraint_count, instance_count) = (self.constraints, self.instance[0].len());
        if constraint_count + instance_count > domain.size() {
            return Err(SynthesisError::PolynomialDegreeTooLarge);
        }
        // The reduction's input rows: `A_i` gains `L_{m+i}(t)`.
        for (i, a) in self.instance[0].iter_mut().enumerate() {
            *a += self.lagrange[constraint_count + i];
        }
        drop(std::mem::take(&mut self.lagrange));
        self.fold_names(0);
        // One polynomial at a time, so at most one extra copy is alive.
        let [instance_a, instance_b, instance_c] = self.instance;
        let [witness_a, witness_b, witness_c] = self.witness;
        let join = |mut instance: Vec<Fr>, witness: Vec<Fr>| {
            instance.reserve_exact(witness.len());
            instance.extend_from_slice(&witness);
            instance
        };
        let a = join(instance_a, witness_a);
        let b = join(instance_b, witness_b);
        let c = join(instance_c, witness_c);
        Ok(QapEvaluations { a, b, c, instance_count, constraint_count, committed: self.committed })
    }
}

fn index(variable: Variable) -> usize {
    variable.index().expect("instance, witness and symbolic variables have an index")
}

impl ConstraintSink for QapSink {
    fn new_input(&mut self, _value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.instance.iter_mut().for_each(|polynomial| polynomial.push(Fr::zero()));
        Ok(Variable::instance(self.instance[0].len() - 1).into())
    }

    fn new_witness(&mut self, _value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.witness.iter_mut().for_each(|polynomial| polynomial.push(Fr::zero()));
        self.committed.push(false);
        Ok(Variable::witness(self.witness[0].len() - 1).into())
    }

    fn new_committed_witness(&mut self, value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        let lc = self.new_witness(value)?;
        *self.committed.last_mut().expect("just pushed") = true;
        Ok(lc)
    }

    fn name(&mut self, lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        Ok(self.names.name(lc))
    }

    fn name_round_state(&mut self, lc: LinearCombination<Fr>) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.name(lc)
    }

    fn names_mark(&self) -> usize {
        self.names.mark()
    }

    /// Pushes the weights of the names made since `mark` down to their terms, newest first
    /// (a name only refers to older ones), and drops them.
    fn fold_names(&mut self, mark: usize) {
        while let Some((lc, weights)) = self.names.pop_since(mark) {
            for (which, weight) in weights.into_iter().enumerate().filter(|(_, weight)| !weight.is_zero()) {
                self.accumulate(&lc, weight, which);
            }
        }
    }

    fn enforce(&mut self, a: &Wire, b: &Wire, c: &Wire) -> Result<(), SynthesisError> {
        let weight = *self.lagrange.get(self.constraints).ok_or(SynthesisError::PolynomialDegreeTooLarge)?;
        self.accumulate(&a.lc, weight, 0);
        self.accumulate(&b.lc, weight, 1);
        self.accumulate(&c.lc, weight, 2);
        self.constraints += 1;
        Ok(())
    }
}

/// `t^i · Z(t) / δ` for `i < count`: the scalars of the proving key's `h` query.
pub fn h_query_scalars(start: usize, count: usize, t: Fr, zt_over_delta: Fr) -> Vec<Fr> {
    let mut power = zt_over_delta * t.pow([start as u64]);
    (0..count)
        .map(|_| {
            let scalar = power;
            power *= t;
            scalar
        })
        .collect()
}
