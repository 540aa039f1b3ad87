//! Wires: a linear combination and its value, carried together.

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use ark_relations::gr1cs::{LinearCombination, Variable};

/// A linear combination of circuit variables and its value. Linear operations are free.
#[derive(Clone, Debug)]
pub struct Wire {
    /// The combination (empty in a sink that records values only).
    pub lc: LinearCombination<Fr>,
    /// Its value under the assignment being built.
    pub value: Fr,
}

impl Wire {
    /// The constant `value`.
    pub fn constant(value: Fr) -> Self {
        let lc =
            if value.is_zero() { LinearCombination::zero() } else { LinearCombination::from((value, Variable::One)) };
        Self { lc, value }
    }

    /// The constant zero.
    pub fn zero() -> Self {
        Self::constant(Fr::zero())
    }

    /// The constant one.
    pub fn one() -> Self {
        Self::constant(Fr::one())
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        Self { lc: self.lc.clone() + &other.lc, value: self.value + other.value }
    }

    /// `self - other`.
    pub fn sub(&self, other: &Self) -> Self {
        Self { lc: self.lc.clone() - &other.lc, value: self.value - other.value }
    }

    /// `factor * self`.
    pub fn scale(&self, factor: Fr) -> Self {
        Self { lc: self.lc.clone() * factor, value: self.value * factor }
    }

    /// `self + constant`.
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
