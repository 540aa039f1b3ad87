//! The committee ring's arithmetic as `vsies-secure-agg` does it, for the ring relations'
//! tests: products with small polynomials and TUniform noise.

use ark_std::rand::{rngs::StdRng, Rng};

/// `key · r` in `Z_{2^128}[X]/(X^n + 1)` for a small-integer `r`.
pub fn multiply(key: &[u128], r: &[i64]) -> Vec<u128> {
    let n = key.len();
    let mut out = vec![0u128; n];
    for (j, &c) in r.iter().enumerate() {
        for (i, &k) in key.iter().enumerate() {
            let term = k.wrapping_mul(c as i128 as u128);
            let at = (i + j) % n;
            out[at] = if i + j < n { out[at].wrapping_add(term) } else { out[at].wrapping_sub(term) };
        }
    }
    out
}

pub fn noise(rng: &mut StdRng, bits: u32) -> u128 {
    let bound = 1i128 << bits;
    rng.gen_range(-bound..=bound) as u128
}
