//! Phase 2's starting key: a relation's proving key made from phase 1's powers, with
//! `γ = δ = σ = 1`.
//!
//! The setup of [`crate::groth16::keygen`] evaluates every variable's QAP polynomials at a
//! secret `t` it knows. Here nobody knows `τ`: phase 1's powers become the Lagrange basis
//! `L_j(τ)` of the QAP domain in G1 and G2 (and its multiples by `α`, `β`) by an inverse FFT
//! over the group, and [`PointSink`] accumulates each variable's `A_i(τ)`, `B_i(τ)` and
//! `β A_i(τ) + α B_i(τ) + C_i(τ)` as points while the circuit is built, as
//! [`crate::groth16::qap::QapSink`] accumulates scalars: one multiplication per term of the
//! circuit's combinations.

use super::powers::DomainPowers;
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::error::ZkError;
use crate::groth16::commitment::append_blinding;
use crate::groth16::qap::{self, Names};
use crate::groth16::Relation;
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{PrimeField, Zero};
use ark_poly::EvaluationDomain;
use ark_relations::gr1cs::{LinearCombination, SynthesisError, Variable};
use ark_relations::utils::variable::VarKind;
use rayon::prelude::*;
use std::ops::AddAssign;

/// A variable's (or a named combination's) points: `A(τ)·G1`, `B(τ)·G1`, `B(τ)·G2` and
/// `(β A(τ) + α B(τ) + C(τ))·G1`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct VariablePoints {
    /// `A(τ)·G1`.
    pub a: G1Projective,
    /// `B(τ)·G1`.
    pub b_g1: G1Projective,
    /// `B(τ)·G2`.
    pub b_g2: G2Projective,
    /// `(β A(τ) + α B(τ) + C(τ))·G1`.
    pub k: G1Projective,
}

/// `by · point`. Circuits' coefficients are mostly `±1` and `±2^k` (bit decompositions,
/// packing), which cost `k` doublings instead of a full multiplication.
fn scale<G: CurveGroup<ScalarField = Fr>>(point: &G, by: &Fr) -> G {
    if point.is_zero() {
        return *point;
    }
    if let Some(k) = power_of_two(by) {
        return doubled(*point, k);
    }
    if let Some(k) = power_of_two(&-*by) {
        return -doubled(*point, k);
    }
    *point * by
}

/// `k` with `value = 2^k`, for `k < 192`.
fn power_of_two(value: &Fr) -> Option<u32> {
    let limbs = value.into_bigint().0;
    let ones: u32 = limbs.iter().map(|l| l.count_ones()).sum();
    let k = limbs.iter().enumerate().find(|(_, l)| **l != 0).map(|(i, l)| 64 * i as u32 + l.trailing_zeros())?;
    (ones == 1 && k < 192).then_some(k)
}

fn doubled<G: CurveGroup>(mut point: G, k: u32) -> G {
    for _ in 0..k {
        point.double_in_place();
    }
    point
}

impl VariablePoints {
    fn scaled(&self, by: &Fr) -> Self {
        Self { a: scale(&self.a, by), b_g1: scale(&self.b_g1, by), b_g2: scale(&self.b_g2, by), k: scale(&self.k, by) }
    }
}

impl AddAssign for VariablePoints {
    fn add_assign(&mut self, other: Self) {
        self.a += other.a;
        self.b_g1 += other.b_g1;
        self.b_g2 += other.b_g2;
        self.k += other.k;
    }
}

/// The Lagrange basis of the domain at `τ`: `L_j(τ)` in G1 and G2, `α L_j(τ)` and `β L_j(τ)`
/// in G1, one entry per domain point.
pub struct LagrangeBasis {
    g1: Vec<G1Projective>,
    g2: Vec<G2Projective>,
    alpha: Vec<G1Projective>,
    beta: Vec<G1Projective>,
}

impl LagrangeBasis {
    /// The basis from phase 1's powers: `[L_j(τ)] = IFFT([τ^i])_j` over the domain (the
    /// coefficients of `L_j` are `ω^{-ij} / n`).
    pub fn new(domain: &qap::Domain, powers: &DomainPowers) -> Self {
        let n = domain.size();
        let progress = crate::progress::phase("ceremony: Lagrange basis", 4);
        let ifft_g1 = |points: &[G1Affine]| {
            let mut values: Vec<G1Projective> = points[..n].par_iter().map(|p| p.into_group()).collect();
            domain.ifft_in_place(&mut values);
            progress.advance(1);
            values
        };
        let g1 = ifft_g1(&powers.tau_g1);
        let alpha = ifft_g1(&powers.alpha_g1);
        let beta = ifft_g1(&powers.beta_g1);
        let mut g2: Vec<G2Projective> = powers.tau_g2[..n].par_iter().map(|p| p.into_group()).collect();
        domain.ifft_in_place(&mut g2);
        progress.advance(1);
        Self { g1, g2, alpha, beta }
    }

    /// What constraint `j`'s `A`, `B` and `C` combinations add, per unit of coefficient.
    fn weights(&self, j: usize) -> [VariablePoints; 3] {
        let zero = VariablePoints::default();
        [
            VariablePoints { a: self.g1[j], k: self.beta[j], ..zero },
            VariablePoints { b_g1: self.g1[j], b_g2: self.g2[j], k: self.alpha[j], ..zero },
            VariablePoints { k: self.g1[j], ..zero },
        ]
    }
}

/// Accumulates every variable's [`VariablePoints`] while a circuit is built (names resolved as
/// [`qap::QapSink`] resolves them).
pub struct PointSink<'a> {
    basis: &'a LagrangeBasis,
    instance: Vec<VariablePoints>,
    witness: Vec<VariablePoints>,
    names: Names<VariablePoints>,
    committed: Vec<bool>,
    constraints: usize,
}

/// The points of a circuit built into a [`PointSink`].
pub struct CircuitPoints {
    /// Instance variables (the constant one first), then witnesses.
    pub variables: Vec<VariablePoints>,
    /// Instance variables, the constant one included.
    pub instance_count: usize,
    /// Per witness, whether the proof commits to it.
    pub committed: Vec<bool>,
    /// The circuit's constraints (before the reduction's input rows).
    pub constraint_count: usize,
}

impl<'a> PointSink<'a> {
    /// A sink over `basis`.
    pub fn new(basis: &'a LagrangeBasis) -> Self {
        Self {
            basis,
            instance: vec![VariablePoints::default()],
            witness: Vec::new(),
            names: Names::new(),
            committed: Vec::new(),
            constraints: 0,
        }
    }

    fn slot(&mut self, variable: Variable) -> Option<&mut VariablePoints> {
        let index = variable.index().unwrap_or(0);
        match variable.kind() {
            VarKind::Zero => None,
            VarKind::One => Some(&mut self.instance[0]),
            VarKind::Instance => Some(&mut self.instance[index]),
            VarKind::Witness => Some(&mut self.witness[index]),
            VarKind::SymbolicLc => Some(self.names.weight_mut(index)),
        }
    }

    /// Adds `coefficient · weight` to every variable of `lc`, the products in parallel.
    fn accumulate(&mut self, lc: &LinearCombination<Fr>, weight: &VariablePoints) {
        let products: Vec<VariablePoints> =
            lc.0.par_iter().map(|(coefficient, _)| weight.scaled(coefficient)).collect();
        for ((_, variable), product) in lc.0.iter().zip(products) {
            if let Some(slot) = self.slot(*variable) {
                *slot += product;
            }
        }
    }

    /// The points, once the circuit is built.
    pub fn finish(mut self, domain: &qap::Domain) -> Result<CircuitPoints, SynthesisError> {
        let instance_count = self.instance.len();
        if self.constraints + instance_count > domain.size() {
            return Err(SynthesisError::PolynomialDegreeTooLarge);
        }
        // The reduction's input rows: `A_i` gains `L_{m+i}`.
        for i in 0..instance_count {
            let [a, _, _] = self.basis.weights(self.constraints + i);
            self.instance[i] += a;
        }
        self.fold_names(0);
        let mut variables = self.instance;
        variables.append(&mut self.witness);
        Ok(CircuitPoints { variables, instance_count, committed: self.committed, constraint_count: self.constraints })
    }
}

impl ConstraintSink for PointSink<'_> {
    fn new_input(&mut self, _value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.instance.push(VariablePoints::default());
        Ok(Variable::instance(self.instance.len() - 1).into())
    }

    fn new_witness(&mut self, _value: Fr) -> Result<LinearCombination<Fr>, SynthesisError> {
        self.witness.push(VariablePoints::default());
        self.committed.push(false);
        Ok(Variable::witness(self.witness.len() - 1).into())
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

    fn fold_names(&mut self, mark: usize) {
        while let Some((lc, weight)) = self.names.pop_since(mark) {
            if weight != VariablePoints::default() {
                self.accumulate(&lc, &weight);
            }
        }
    }

    fn enforce(&mut self, a: &Wire, b: &Wire, c: &Wire) -> Result<(), SynthesisError> {
        if self.constraints >= self.basis.g1.len() {
            return Err(SynthesisError::PolynomialDegreeTooLarge);
        }
        let [weight_a, weight_b, weight_c] = self.basis.weights(self.constraints);
        self.accumulate(&a.lc, &weight_a);
        self.accumulate(&b.lc, &weight_b);
        self.accumulate(&c.lc, &weight_c);
        self.constraints += 1;
        crate::progress::set(self.constraints as u64);
        Ok(())
    }
}

/// The points of `relation`'s circuit over `basis` (the engine's blinding witness included).
pub fn circuit_points<R: Relation>(
    relation: &R,
    domain: &qap::Domain,
    basis: &LagrangeBasis,
) -> Result<CircuitPoints, ZkError> {
    let shape = relation.shape()?.with_blinding();
    let builder = Builder::for_setup(PointSink::new(basis));
    let (statement, witness) = relation.setup_assignment();
    let synthesis = crate::progress::phase("ceremony: circuit points", shape.constraints as u64);
    relation.synthesize(&builder, &statement, &witness)?;
    if shape.committed > 0 {
        append_blinding(&builder, Fr::zero())?;
    }
    drop(synthesis);
    let points = builder.into_sink().finish(domain)?;
    qap::check_shape((points.constraint_count, points.instance_count), (shape.constraints, shape.public_inputs + 1))?;
    let committed = points.committed.iter().filter(|&&c| c).count();
    if committed != shape.committed {
        return Err(ZkError::Relation(format!(
            "internal: the circuit commits to {committed} witnesses, its shape says {}",
            shape.committed
        )));
    }
    Ok(points)
}

/// `(τ^{i+n} − τ^i)·G1 = τ^i Z(τ)·G1` for `i < n − 1`: the `h` query with `δ = 1`.
pub fn h_query(domain: &qap::Domain, powers: &DomainPowers) -> Vec<G1Affine> {
    let n = domain.size();
    let points: Vec<G1Projective> =
        (0..n - 1).into_par_iter().map(|i| powers.tau_g1[i + n] - powers.tau_g1[i]).collect();
    G1Projective::normalize_batch(&points)
}

/// `G2`'s generator, the value of `γ` and of the first `δ` and `σ`.
pub fn one_g2() -> G2Affine {
    G2Affine::generator()
}
