//! Native arithmetic of `Z_{2^128}[X]/(X^n + 1)` as the ring relations' witnesses need it: a
//! coefficient as a signed field element, evaluations, products with small polynomials and
//! the split of an integer identity into carries and a quotient.

use super::MODULUS_BITS;
use crate::field::power_of_two;
use ark_bn254::Fr;
use ark_ff::{Field, Zero};

/// A 128-bit two's-complement value as a signed field element.
pub(crate) fn signed(value: u128) -> Fr {
    let signed = value as i128;
    let magnitude = Fr::from(signed.unsigned_abs());
    if signed < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// `Σ_i c_i x^i` for coefficients mod 2^128.
pub(crate) fn evaluate_u128(coefficients: &[u128], point: Fr) -> Fr {
    coefficients.iter().rev().fold(Fr::zero(), |acc, &c| acc * point + Fr::from(c))
}

/// The first `count` coefficients of `key · r` in `Z_{2^128}[X]/(X^n + 1)`, `r` small.
pub(crate) fn negacyclic_product(key: &[u128], r: &[i64], count: usize) -> Vec<u128> {
    let n = key.len();
    let mut out = vec![0u128; count];
    for (j, &c) in r.iter().enumerate().filter(|(_, &c)| c != 0) {
        let c = c as i128 as u128;
        for (k, slot) in out.iter_mut().enumerate() {
            // X^j · key: coefficient k comes from key[k - j], negated when it wrapped past X^n.
            let term = if k >= j { key[k - j].wrapping_mul(c) } else { key[n + k - j].wrapping_mul(c).wrapping_neg() };
            *slot = slot.wrapping_add(term);
        }
    }
    out
}

/// The parts of `S = key·r + known` over the integers (degree below `2n − 1`, `known` on the
/// first coefficients) with `S = 2^128·K + T + (X^n + 1)·H`: carries `K` on `known`'s
/// coefficients, free coefficients `T` past them, the quotient `H`. Computed in the field,
/// where no honest value reaches `p / 2`.
pub(crate) struct Split {
    pub(crate) carries: Vec<Fr>,
    pub(crate) free: Vec<Fr>,
    pub(crate) quotient: Vec<Fr>,
}

pub(crate) fn split_identity(key: &[u128], r: &[i64], known: &[Fr], n: usize) -> Split {
    let key: Vec<Fr> = key.iter().map(|&c| Fr::from(c)).collect();
    let mut low = vec![Fr::zero(); n];
    let mut high = vec![Fr::zero(); n - 1];
    for (j, &c) in r.iter().enumerate().filter(|(_, &c)| c != 0) {
        let c = Fr::from(c);
        let (in_low, in_high) = key.split_at(n - j);
        low[j..].iter_mut().zip(in_low).for_each(|(slot, k)| *slot += c * k);
        high[..j].iter_mut().zip(in_high).for_each(|(slot, k)| *slot += c * k);
    }
    low.iter_mut().zip(known).for_each(|(slot, k)| *slot += k);
    let inverse = power_of_two(MODULUS_BITS).inverse().expect("2^128 is invertible");
    let remainder = |k: usize| low[k] - high.get(k).copied().unwrap_or_default();
    Split {
        carries: (0..known.len()).map(|k| remainder(k) * inverse).collect(),
        free: (known.len()..n).map(remainder).collect(),
        quotient: high,
    }
}
