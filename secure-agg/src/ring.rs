//! Arithmetic in `Z_{2^128}[X]/(X^n + 1)`, modulus switching to stored widths, and the packed
//! little-endian encoding of those widths.

use crate::params::RING_DEGREE;
use tfhe::core_crypto::algorithms::polynomial_algorithms::polynomial_karatsuba_wrapping_mul;
use tfhe::core_crypto::commons::math::random::{RandomGenerator, TUniform};
use tfhe::core_crypto::prelude::{DefaultRandomGenerator, Polynomial};

/// A polynomial of the ring, coefficients mod 2^128.
pub(crate) type Poly = Vec<u128>;

/// `lhs * rhs` in the negacyclic ring (tfhe-rs's Karatsuba on `u128`).
pub(crate) fn multiply(lhs: &[u128], rhs: &[u128]) -> Poly {
    let mut out = vec![0u128; RING_DEGREE];
    polynomial_karatsuba_wrapping_mul(
        &mut Polynomial::from_container(out.as_mut_slice()),
        &Polynomial::from_container(lhs),
        &Polynomial::from_container(rhs),
    );
    out
}

pub(crate) fn add_assign(acc: &mut [u128], other: &[u128]) {
    for (a, &b) in acc.iter_mut().zip(other) {
        *a = a.wrapping_add(b);
    }
}

/// A uniform polynomial.
pub(crate) fn uniform(generator: &mut RandomGenerator<DefaultRandomGenerator>) -> Poly {
    let mut poly = vec![0u128; RING_DEGREE];
    generator.fill_slice_with_random_uniform(&mut poly);
    poly
}

/// A uniform binary polynomial.
pub(crate) fn binary(generator: &mut RandomGenerator<DefaultRandomGenerator>) -> Poly {
    (0..RING_DEGREE).map(|_| u128::from(generator.random_uniform_binary::<u64>())).collect()
}

/// `len` TUniform(2^bound_log2) noise values, sign-extended to 128 bits.
pub(crate) fn noise(generator: &mut RandomGenerator<DefaultRandomGenerator>, bound_log2: u32, len: usize) -> Poly {
    let distribution = TUniform::<u64>::new(bound_log2);
    (0..len).map(|_| generator.random_from_distribution::<u64, _>(distribution) as i64 as i128 as u128).collect()
}

/// A uniform integer in `[-bound, bound]` as a 128-bit two's-complement value (rejection
/// sampling, so exactly uniform).
pub(crate) fn uniform_centered(generator: &mut RandomGenerator<DefaultRandomGenerator>, bound: u128) -> u128 {
    let range = 2 * bound; // sample in [0, range]
    let mask = u128::MAX >> range.leading_zeros();
    loop {
        let candidate = generator.random_uniform::<u128>() & mask;
        if candidate <= range {
            return candidate.wrapping_sub(bound);
        }
    }
}

/// Modulus switch from 2^128 to 2^bits: round to the nearest multiple of `2^(128 - bits)`.
pub(crate) fn switch_down(value: u128, bits: u32) -> u128 {
    let shift = 128 - bits;
    value.wrapping_add(1u128 << (shift - 1)) >> shift
}

/// The inverse embedding, from 2^bits back to 2^128 (exact).
pub(crate) fn switch_up(value: u128, bits: u32) -> u128 {
    value << (128 - bits)
}

/// Bytes of one packed value of `bits` bits.
pub(crate) const fn width(bits: u32) -> usize {
    bits as usize / 8
}

/// Appends `values`, each already below 2^bits, as `bits / 8` little-endian bytes each.
pub(crate) fn pack(values: impl IntoIterator<Item = u128>, bits: u32, out: &mut Vec<u8>) {
    let width = width(bits);
    for value in values {
        out.extend_from_slice(&value.to_le_bytes()[..width]);
    }
}

/// Reads packed values of `bits` bits.
pub(crate) fn unpack(bytes: &[u8], bits: u32) -> impl Iterator<Item = u128> + '_ {
    bytes.chunks_exact(width(bits)).map(|chunk| {
        let mut word = [0u8; 16];
        word[..chunk.len()].copy_from_slice(chunk);
        u128::from_le_bytes(word)
    })
}

/// `acc += input` for packed values of `bits` bits, the sum kept mod 2^128 (reduce mod
/// 2^bits when packing): the aggregator's whole work. Each field is read as an unaligned
/// 16-byte window and masked, so the loop is a load, a mask and an add per value.
pub(crate) fn add_packed_into(acc: &mut [u128], input: &[u8], bits: u32) {
    let width = width(bits);
    debug_assert_eq!(acc.len() * width, input.len());
    let mask = u128::MAX >> (128 - bits);
    // Fields whose 16-byte window stays inside the input take the fast path.
    let fast = if input.len() >= 16 { ((input.len() - 16) / width + 1).min(acc.len()) } else { 0 };
    for (a, window) in acc[..fast].iter_mut().zip(input.windows(16).step_by(width)) {
        let value = u128::from_le_bytes(window.try_into().expect("16 bytes"));
        *a = a.wrapping_add(value & mask);
    }
    for (a, value) in acc[fast..].iter_mut().zip(unpack(&input[fast * width..], bits)) {
        *a = a.wrapping_add(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_addition_wraps_each_field_independently() {
        for bits in [88u32, 96] {
            let top = (1u128 << bits) - 1;
            let a: Vec<u128> = (0..37u128).map(|i| top - i).collect();
            let b: Vec<u128> = (0..37u128).map(|i| i * 3 + 5).collect();
            let mut input = Vec::new();
            pack(b.iter().copied(), bits, &mut input);
            let mut acc = a.clone();
            add_packed_into(&mut acc, &input, bits);
            let expected: Vec<u128> = a.iter().zip(&b).map(|(x, y)| x.wrapping_add(*y) & top).collect();
            assert_eq!(acc.iter().map(|x| x & top).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn switching_down_rounds_to_nearest_and_up_is_exact() {
        assert_eq!(switch_down(3u128 << 40, 88), 3);
        assert_eq!(switch_down((3u128 << 40) + (1 << 39), 88), 4);
        assert_eq!(switch_down((3u128 << 40) + (1 << 39) - 1, 88), 3);
        assert_eq!(switch_up(switch_down(u128::MAX, 88), 88), 0); // wraps to 2^128 = 0
    }

    #[test]
    fn karatsuba_product_is_negacyclic() {
        let mut x = vec![0u128; RING_DEGREE];
        x[RING_DEGREE - 1] = 1; // X^(n-1)
        let mut y = vec![0u128; RING_DEGREE];
        y[1] = 5; // 5X
        let product = multiply(&x, &y); // 5 X^n = -5
        assert_eq!(product[0], 5u128.wrapping_neg());
        assert!(product[1..].iter().all(|&c| c == 0));
    }
}
