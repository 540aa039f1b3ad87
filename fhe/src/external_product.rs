//! The exact external product `GGSW ⊡ GLWE` over `Z/2^64`, on an integer NTT.
//!
//! Encrypted training multiplies encrypted data by encrypted weights and errors with external
//! products. tfhe-rs computes them with an f64 FFT whose plan is chosen by timing at run time,
//! so its low bits differ between machines, and a validator could not reproduce a compute
//! node's ciphertexts; its NTT external product is crate-private. This module computes the
//! same product exactly.
//!
//! **How.** After the signed gadget decomposition (digits `|d| ≤ B/2`), every product is a
//! small polynomial times a GGSW polynomial with 64-bit coefficients, negacyclic. Each GGSW
//! coefficient is split into two 32-bit limbs, so each limb's products, summed over all
//! `(k + 1) · ℓ` rows and levels, are integers below `(k + 1) · ℓ · N · (B/2) · 2^32` in
//! magnitude. While that is below half the NTT prime `p = 2^64 - 2^32 + 1` (checked by
//! [`NttGgsw::new`]: `(k + 1) · ℓ · B · N < 2^32`),
//! the NTT modulo `p` gives every coefficient of each limb's sum exactly as a signed integer;
//! the limbs then recombine modulo `2^64`. The result is bit for bit the textbook external
//! product on every machine, thread count and SIMD path: modular arithmetic has no rounding.

use tfhe::core_crypto::prelude::*;
use tfhe_ntt::prime64::Plan;

/// The NTT prime of tfhe-rs's NTT bootstrap, `2^64 - 2^32 + 1`.
pub const NTT_PRIME: u64 = 0xffff_ffff_0000_0001;

/// Why an external product cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExternalProductError {
    /// Digits too large for the exact NTT.
    #[error("decomposition base 2^{base_log} with {levels} levels at polynomial size {polynomial_size} overflows the exact NTT (needs (k + 1) · levels · base · size < 2^32)")]
    TooWide {
        /// log2 of the decomposition base.
        base_log: usize,
        /// Decomposition levels.
        levels: usize,
        /// Polynomial size.
        polynomial_size: usize,
    },
    /// The polynomial size has no NTT modulo the prime.
    #[error("no negacyclic NTT of size {0} modulo 2^64 - 2^32 + 1")]
    NoPlan(usize),
    /// A GGSW ciphertext over another modulus than `2^64`.
    #[error("external products here work over the native modulus 2^64")]
    Modulus,
}

/// The signed gadget decomposition of `value` into `levels` digits of base `2^base_log`,
/// most significant first (level 1 first): `value ≈ Σ_l d_l · 2^(64 - l·base_log)`, each
/// `d_l ∈ [-B/2, B/2)`, after rounding `value` to its top `levels · base_log` bits (ties up).
pub fn decompose(value: u64, base_log: usize, levels: usize, digits: &mut [i64]) {
    let kept = base_log * levels;
    let rounded = if kept >= 64 { value } else { value.wrapping_add(1 << (63 - kept)) >> (64 - kept) };
    let base = 1i64 << base_log;
    let mut rest = rounded;
    let mut carry = 0i64;
    for digit in digits[..levels].iter_mut().rev() {
        let mut d = (rest & (base as u64 - 1)) as i64 + carry;
        rest >>= base_log;
        carry = 0;
        if d >= base / 2 {
            d -= base;
            carry = 1;
        }
        *digit = d;
    }
}

/// A GGSW ciphertext in the NTT domain: for each level (level 1 first), row and output
/// polynomial, the forward NTT of the coefficients' low and high 32-bit limbs.
#[derive(Clone, Debug)]
pub struct NttGgsw {
    glwe_size: usize,
    polynomial_size: usize,
    base_log: usize,
    levels: usize,
    /// `[level][row][output polynomial][limb][coefficient]`, flattened.
    transformed: Vec<u64>,
}

fn signed_to_field(value: i64) -> u64 {
    if value < 0 {
        NTT_PRIME - value.unsigned_abs()
    } else {
        value as u64
    }
}

fn field_to_signed(value: u64) -> i64 {
    if value > NTT_PRIME / 2 {
        -((NTT_PRIME - value) as i64)
    } else {
        value as i64
    }
}

/// The negacyclic NTT modulo [`NTT_PRIME`] for one polynomial size.
pub struct Ntt {
    plan: Plan,
}

impl Ntt {
    /// The plan for `polynomial_size` (a power of two, at least 16).
    pub fn new(polynomial_size: usize) -> Result<Self, ExternalProductError> {
        Plan::try_new(polynomial_size, NTT_PRIME)
            .map(|plan| Self { plan })
            .ok_or(ExternalProductError::NoPlan(polynomial_size))
    }

    fn size(&self) -> usize {
        self.plan.ntt_size()
    }
}

impl NttGgsw {
    /// Transforms `ggsw` (native modulus) for exact external products.
    pub fn new<C: Container<Element = u64>>(ntt: &Ntt, ggsw: &GgswCiphertext<C>) -> Result<Self, ExternalProductError> {
        if !ggsw.ciphertext_modulus().is_native_modulus() {
            return Err(ExternalProductError::Modulus);
        }
        let polynomial_size = ggsw.polynomial_size().0;
        let base_log = ggsw.decomposition_base_log().0;
        let levels = ggsw.decomposition_level_count().0;
        if polynomial_size != ntt.size() {
            return Err(ExternalProductError::NoPlan(polynomial_size));
        }
        let glwe_size = ggsw.glwe_size().0;
        if (glwe_size as u128 * levels as u128) << base_log << polynomial_size.trailing_zeros() >= 1u128 << 32 {
            return Err(ExternalProductError::TooWide { base_log, levels, polynomial_size });
        }
        let mut transformed = Vec::with_capacity(levels * glwe_size * glwe_size * 2 * polynomial_size);
        // tfhe-rs stores level matrices least significant level first; store level 1 first.
        for matrix in ggsw.iter().rev() {
            for row in matrix.as_glwe_list().iter() {
                for polynomial in row.as_polynomial_list().iter() {
                    for shift in [0u32, 32] {
                        let mut limb: Vec<u64> =
                            polynomial.as_ref().iter().map(|&c| (c >> shift) & 0xffff_ffff).collect();
                        ntt.plan.fwd(&mut limb);
                        transformed.extend_from_slice(&limb);
                    }
                }
            }
        }
        Ok(Self { glwe_size, polynomial_size, base_log, levels, transformed })
    }

    fn block(&self, level: usize, row: usize, output: usize, limb: usize) -> &[u64] {
        let n = self.polynomial_size;
        let index = (((level * self.glwe_size + row) * self.glwe_size + output) * 2 + limb) * n;
        &self.transformed[index..index + n]
    }

    /// `self ⊡ glwe`: a GLWE ciphertext of the GGSW's message times `glwe`'s, computed exactly.
    pub fn external_product<C: Container<Element = u64>>(
        &self,
        ntt: &Ntt,
        glwe: &GlweCiphertext<C>,
    ) -> GlweCiphertextOwned<u64> {
        assert_eq!(glwe.glwe_size().0, self.glwe_size, "GLWE size of the external product's operands");
        assert_eq!(
            glwe.polynomial_size().0,
            self.polynomial_size,
            "polynomial size of the external product's operands"
        );
        let n = self.polynomial_size;
        let (k1, levels) = (self.glwe_size, self.levels);
        let mut accumulators = vec![0u64; k1 * 2 * n];
        let mut digits = vec![0i64; levels];
        let mut digit_polynomials = vec![0u64; levels * n];
        for (row, polynomial) in glwe.as_polynomial_list().iter().enumerate() {
            for (i, &coefficient) in polynomial.as_ref().iter().enumerate() {
                decompose(coefficient, self.base_log, levels, &mut digits);
                for (level, &d) in digits.iter().enumerate() {
                    digit_polynomials[level * n + i] = signed_to_field(d);
                }
            }
            for (level, digit_polynomial) in digit_polynomials.chunks_exact_mut(n).enumerate() {
                ntt.plan.fwd(digit_polynomial);
                for (output, accumulator) in accumulators.chunks_exact_mut(2 * n).enumerate() {
                    for (limb, limb_accumulator) in accumulator.chunks_exact_mut(n).enumerate() {
                        ntt.plan.mul_accumulate(
                            limb_accumulator,
                            digit_polynomial,
                            self.block(level, row, output, limb),
                        );
                    }
                }
            }
        }
        let mut output = GlweCiphertext::new(0u64, GlweSize(k1), PolynomialSize(n), CiphertextModulus::new_native());
        for (out, accumulator) in output.as_mut().chunks_exact_mut(n).zip(accumulators.chunks_exact_mut(2 * n)) {
            let (low, high) = accumulator.split_at_mut(n);
            for limb in [&mut *low, &mut *high] {
                ntt.plan.inv(limb);
                ntt.plan.normalize(limb);
            }
            for ((o, &l), &h) in out.iter_mut().zip(low.iter()).zip(high.iter()) {
                *o = (field_to_signed(l) as u64).wrapping_add((field_to_signed(h) as u64) << 32);
            }
        }
        output
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfhe::core_crypto::commons::generators::DeterministicSeeder;
    use tfhe::core_crypto::commons::math::random::Seed;

    /// `Σ_i a_i X^i · Σ_j b_j X^j` in `Z/2^64[X]/(X^n + 1)`, schoolbook.
    fn negacyclic_product(a: &[i64], b: &[u64]) -> Vec<u64> {
        let n = a.len();
        let mut out = vec![0u64; n];
        for (i, &ai) in a.iter().enumerate() {
            for (j, &bj) in b.iter().enumerate() {
                let term = (ai as u64).wrapping_mul(bj);
                if i + j < n {
                    out[i + j] = out[i + j].wrapping_add(term);
                } else {
                    out[i + j - n] = out[i + j - n].wrapping_sub(term);
                }
            }
        }
        out
    }

    /// The textbook external product, schoolbook: the reference the NTT path must equal.
    fn textbook(ggsw: &GgswCiphertextOwned<u64>, glwe: &GlweCiphertextOwned<u64>) -> Vec<u64> {
        let n = glwe.polynomial_size().0;
        let (base_log, levels) = (ggsw.decomposition_base_log().0, ggsw.decomposition_level_count().0);
        let k1 = glwe.glwe_size().0;
        let matrices: Vec<_> = ggsw.iter().rev().collect();
        let mut out = vec![0u64; k1 * n];
        let mut digits = vec![0i64; levels];
        for (row, polynomial) in glwe.as_polynomial_list().iter().enumerate() {
            let mut digit_polynomials = vec![vec![0i64; n]; levels];
            for (i, &c) in polynomial.as_ref().iter().enumerate() {
                decompose(c, base_log, levels, &mut digits);
                for level in 0..levels {
                    digit_polynomials[level][i] = digits[level];
                }
            }
            for (level, digit_polynomial) in digit_polynomials.iter().enumerate() {
                let matrix_row = matrices[level]
                    .as_glwe_list()
                    .get(row)
                    .as_polynomial_list()
                    .iter()
                    .map(|p| p.as_ref().to_vec())
                    .collect::<Vec<_>>();
                for (output, ggsw_polynomial) in matrix_row.iter().enumerate() {
                    for (o, t) in out[output * n..(output + 1) * n]
                        .iter_mut()
                        .zip(negacyclic_product(digit_polynomial, ggsw_polynomial))
                    {
                        *o = o.wrapping_add(t);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn decomposition_recomposes_to_the_rounded_value() {
        let mut digits = [0i64; 64];
        for value in [0u64, 1, u64::MAX, 1 << 63, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210] {
            for (base_log, levels) in [(2usize, 22usize), (4, 11), (8, 8), (23, 1), (10, 6)] {
                decompose(value, base_log, levels, &mut digits);
                let recomposed = digits[..levels].iter().enumerate().fold(0u64, |acc, (l, &d)| {
                    acc.wrapping_add((d as u64).wrapping_mul(1u64 << (64 - (l + 1) * base_log)))
                });
                let kept = base_log * levels;
                let error = value.wrapping_sub(recomposed) as i64;
                assert!(
                    error.unsigned_abs() <= 1u64 << (63 - kept.min(63)),
                    "{value:#x} base 2^{base_log} x {levels}: error {error}"
                );
                assert!(digits[..levels].iter().all(|&d| d >= -(1 << (base_log - 1)) && d < 1 << (base_log - 1)));
            }
        }
    }

    fn setup(
        base_log: usize,
        levels: usize,
        n: usize,
    ) -> (GlweSecretKeyOwned<u64>, EncryptionRandomGenerator<DefaultRandomGenerator>, GgswCiphertextOwned<u64>) {
        let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(42));
        let mut secret = SecretRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed());
        let encryption = EncryptionRandomGenerator::<DefaultRandomGenerator>::new(seeder.seed(), &mut seeder);
        let key = GlweSecretKey::generate_new_binary(GlweDimension(1), PolynomialSize(n), &mut secret);
        let ggsw = GgswCiphertext::new(
            0u64,
            GlweSize(2),
            PolynomialSize(n),
            DecompositionBaseLog(base_log),
            DecompositionLevelCount(levels),
            CiphertextModulus::new_native(),
        );
        (key, encryption, ggsw)
    }

    /// On random operands the NTT path equals the schoolbook external product bit for bit, at
    /// the widest digits the bound allows.
    #[test]
    fn ntt_external_product_equals_the_schoolbook_one() {
        let n = 256;
        for (base_log, levels) in [(2usize, 20usize), (12, 5), (20, 1)] {
            let (key, mut generator, mut ggsw) = setup(base_log, levels, n);
            let noise = TUniform::<u64>::new(17);
            encrypt_constant_ggsw_ciphertext(&key, &mut ggsw, Cleartext(3u64), noise, &mut generator);
            let mut glwe = GlweCiphertext::new(0u64, GlweSize(2), PolynomialSize(n), CiphertextModulus::new_native());
            let message = PlaintextList::from_container(
                (0..n as u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect::<Vec<_>>(),
            );
            encrypt_glwe_ciphertext(&key, &mut glwe, &message, noise, &mut generator);
            let ntt = Ntt::new(n).unwrap();
            let product = NttGgsw::new(&ntt, &ggsw).unwrap().external_product(&ntt, &glwe);
            assert_eq!(product.as_ref(), textbook(&ggsw, &glwe).as_slice(), "base 2^{base_log} x {levels}");
        }
        let (_, _, ggsw) = setup(23, 1, n);
        let ntt = Ntt::new(n).unwrap();
        assert!(matches!(NttGgsw::new(&ntt, &ggsw), Err(ExternalProductError::TooWide { .. })));
    }

    /// At the training size (N = 2048) the product decrypts to the product of the messages.
    #[test]
    fn external_product_multiplies_the_messages() {
        let n = 2048;
        let (key, mut generator, mut ggsw) = setup(4, 10, n);
        let noise = TUniform::<u64>::new(17);
        encrypt_constant_ggsw_ciphertext(&key, &mut ggsw, Cleartext(5u64), noise, &mut generator);
        let delta = 1u64 << 40;
        let messages: Vec<i64> = (0..n as i64).map(|i| (i * 37) % 2001 - 1000).collect();
        let plaintexts =
            PlaintextList::from_container(messages.iter().map(|&m| (m as u64).wrapping_mul(delta)).collect::<Vec<_>>());
        let mut glwe = GlweCiphertext::new(0u64, GlweSize(2), PolynomialSize(n), CiphertextModulus::new_native());
        encrypt_glwe_ciphertext(&key, &mut glwe, &plaintexts, noise, &mut generator);
        let ntt = Ntt::new(n).unwrap();
        let product = NttGgsw::new(&ntt, &ggsw).unwrap().external_product(&ntt, &glwe);
        let mut phases = PlaintextList::new(0u64, PlaintextCount(n));
        decrypt_glwe_ciphertext(&key, &product, &mut phases);
        let mut worst = 0u64;
        for (&phase, &m) in phases.as_ref().iter().zip(&messages) {
            let error = phase.wrapping_sub(((5 * m) as u64).wrapping_mul(delta)) as i64;
            worst = worst.max(error.unsigned_abs());
        }
        assert!(worst < 1 << 38, "worst error 2^{:.1}", (worst as f64).log2());
    }
}
