//! The parameters of encrypted training and the encoding of its small values.
//!
//! Dimensions are those of tfhe-rs's published 128-bit set
//! `V1_8_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128` (an alias of the v1.4 set): small LWE
//! key `n = 918` with TUniform(45) noise, GLWE `k = 1`, `N = 2048` with TUniform(17), bootstrap
//! decomposition base `2^23` with 1 level, key switch base `2^4` with 4 levels. Two things
//! differ, both making decryption failures rarer, never security weaker:
//! - the arithmetic is modulo the NTT prime `p = 2^64 - 2^32 + 1` (tfhe-rs's deterministic
//!   NTT bootstrap) instead of `2^64`: the same noise distributions on a modulus 2^-32 smaller
//!   in relative terms, so the same security estimate;
//! - the message space is **8 values plus a padding bit** (`Δ = p/16`), half the published
//!   set's 16, because tfhe-rs's NTT bootstrap uses the plain modulus switch, not the published
//!   set's centred-mean noise reduction. `docs/ENCRYPTED_TRAINING.md` has the noise budget;
//!   the `training_noise` test measures it.
//!
//! The GLWE secret key of the bootstrap is the key set's 2048-coefficient LWE key read as one
//! polynomial, so the contributors' public-key ciphertexts are already under the bootstrap's
//! output key: they need no conversion but a scaling (their bits from `2^40` to `2^60`) and a
//! rescaling from `2^64` to `p`.

use super::super::backend::NTT_PRIME;

/// The small LWE dimension (the bootstrap's input).
pub const SMALL_LWE_DIMENSION: usize = 918;
/// log2 of the TUniform bound of the small key's noise (key-switching key).
pub const SMALL_NOISE_BOUND_LOG2: u32 = 45;
/// The GLWE polynomial size `N` (one polynomial: `k = 1`).
pub const POLYNOMIAL_SIZE: usize = 2048;
/// log2 of the TUniform bound of the GLWE noise (bootstrap key).
pub const GLWE_NOISE_BOUND_LOG2: u32 = 17;
/// Bootstrap decomposition: base log and levels.
pub const BOOTSTRAP_DECOMPOSITION: (usize, usize) = (23, 1);
/// Key-switch decomposition: base log and levels.
pub const KEYSWITCH_DECOMPOSITION: (usize, usize) = (4, 4);
/// Values a block holds: `0..MESSAGES`.
pub const MESSAGES: u64 = 8;
/// The scale of a block's value modulo `p`: `⌊p / 16⌋` (8 values and a padding bit).
pub const DELTA: u64 = NTT_PRIME / (2 * MESSAGES);
/// Most noise weight a bootstrap input may carry: a bound on its noise's standard deviation in
/// bootstrap outputs' (the ℓ1 norm of a linear combination's coefficients, each times its
/// ciphertext's own weight: 1 for a bootstrap output or a contributor's bit, up to 3 for a
/// multi-value lookup's). The largest the training builds is 21 (seven counter bits of weight 3
/// summed, or a 2-bit digit of two such bits plus four times another); the budget of
/// `docs/ENCRYPTED_TRAINING.md` is computed here.
pub const MAX_NOISE_WEIGHT: u32 = 24;

/// log2 of the standard deviation of a bootstrap's output noise modulo `p` at these dimensions
/// and decomposition: 2^48.8 over 24 bootstraps (`fhe/tests/bootstrap_noise.rs`), 2^49.0 over
/// some 240 of the training keys' (the multi-value noise test in `engine.rs`); the budget
/// takes the larger.
pub const BOOTSTRAP_OUTPUT_STD_LOG2: f64 = 49.0;

/// The unit of the noise budget: `p / 2N`, the step of the modulus switch a bootstrap
/// starts with (a bootstrap is correct while its input's error stays below 128 units).
pub fn noise_unit() -> f64 {
    NTT_PRIME as f64 / (2 * POLYNOMIAL_SIZE) as f64
}

/// The error a bootstrap input may carry: half a lookup box, in units.
pub const NOISE_BOUND_UNITS: f64 = (POLYNOMIAL_SIZE as f64 * 2.0) / (4.0 * MESSAGES as f64);

/// Variance of a TUniform(b) distribution.
fn t_uniform_variance(bound_log2: u32) -> f64 {
    (2f64.powi(2 * bound_log2 as i32 + 1) + 1.0) / 6.0
}

/// The predicted standard deviation (units of [`noise_unit`]) of the error at a bootstrap
/// input of noise weight `weight`, after its key switch and the modulus switch:
/// - modulus switch: 918 mask coefficients and the body rounded to the unit, each error
///   uniform in `[-1/2, 1/2)`, the mask's weighted by the binary key (half its bits set):
///   variance `(1 + n/2) / 12`;
/// - key switch, rounding: each of the 2048 input coefficients rounded to `B^ℓ = 2^16`
///   (error uniform within `±p/2^17`), half the big key's bits set;
/// - key switch, key noise: `2048 · ℓ` digits in `[-B/2, B/2)` times TUniform(45) noise;
/// - the input itself: at most `weight` bootstrap outputs' noise, in the worst case added in
///   the same direction (ℓ1), so `weight · σ_pbs`. Contributors' bits (public-key noise
///   about 2^21.7 at scale 2^40, 2^41.7 once moved to 2^60) are far below and count as one.
pub fn predicted_noise_std(weight: u32) -> f64 {
    let unit = noise_unit();
    let modulus_switch = (1.0 + SMALL_LWE_DIMENSION as f64 / 2.0) / 12.0;
    let (base_log, levels) = KEYSWITCH_DECOMPOSITION;
    let precision = 2f64.powi((base_log * levels) as i32);
    let rounding = (POLYNOMIAL_SIZE as f64 / 2.0) * (NTT_PRIME as f64 / precision / unit).powi(2) / 12.0;
    let base = 2f64.powi(base_log as i32);
    let key_noise =
        (POLYNOMIAL_SIZE * levels) as f64 * (base * base / 12.0) * t_uniform_variance(SMALL_NOISE_BOUND_LOG2)
            / (unit * unit);
    let input = f64::from(weight) * 2f64.powf(BOOTSTRAP_OUTPUT_STD_LOG2) / unit;
    (modulus_switch + rounding + key_noise + input * input).sqrt()
}

/// log2 of a bound on one bootstrap's failure probability at the largest noise weight:
/// Bernstein's inequality for a sum of independent zero-mean terms each at most half a unit
/// (the modulus switch's roundings dominate; the other terms are far smaller), variance from
/// [`predicted_noise_std`], deviation [`NOISE_BOUND_UNITS`]:
/// `P ≤ 2 exp(-t² / (2 (σ² + M t / 3)))`.
pub fn bootstrap_failure_log2() -> f64 {
    let variance = predicted_noise_std(MAX_NOISE_WEIGHT).powi(2);
    let t = NOISE_BOUND_UNITS;
    let exponent = t * t / (2.0 * (variance + 0.5 * t / 3.0));
    1.0 - exponent / std::f64::consts::LN_2
}

/// Rescales a coefficient modulo `2^64` to modulo `p`: `round(c · p / 2^64)`, exact.
pub fn rescale_native(c: u64) -> u64 {
    let scaled = (u128::from(c) * u128::from(NTT_PRIME) + (1u128 << 63)) >> 64;
    (scaled as u64) % NTT_PRIME
}

/// `a + b mod p` for reduced operands.
pub fn add_mod(a: u64, b: u64) -> u64 {
    let (sum, overflow) = a.overflowing_add(b);
    if overflow || sum >= NTT_PRIME {
        sum.wrapping_sub(NTT_PRIME)
    } else {
        sum
    }
}

/// `-a mod p` for a reduced operand.
pub fn neg_mod(a: u64) -> u64 {
    if a == 0 {
        0
    } else {
        NTT_PRIME - a
    }
}

/// `a · k mod p` for a reduced operand and a small clear factor.
pub fn mul_mod(a: u64, k: u64) -> u64 {
    ((u128::from(a) * u128::from(k)) % u128::from(NTT_PRIME)) as u64
}

/// The block value a phase modulo `p` rounds to (`round(phase / Δ) mod 16`).
pub fn decode_block(phase: u64) -> u64 {
    ((u128::from(phase) + u128::from(DELTA / 2)) / u128::from(DELTA)) as u64 % (2 * MESSAGES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modular_helpers_agree_with_wide_arithmetic() {
        let p = u128::from(NTT_PRIME);
        for &(a, b) in &[(0u64, 0u64), (NTT_PRIME - 1, NTT_PRIME - 1), (NTT_PRIME - 1, 1), (1 << 63, 1 << 63), (5, 7)] {
            assert_eq!(u128::from(add_mod(a, b)), (u128::from(a) + u128::from(b)) % p);
            assert_eq!(u128::from(add_mod(a, neg_mod(b))), (u128::from(a) + p - u128::from(b)) % p);
            assert_eq!(u128::from(mul_mod(a, 3)), u128::from(a) * 3 % p);
        }
        for m in 0..MESSAGES {
            // A contributor's bit at 2^40, moved to 2^60 by the node, rescaled to p.
            let native = (m << 40).wrapping_mul(1 << 20);
            assert_eq!(decode_block(rescale_native(native)), m);
            assert_eq!(decode_block(m * DELTA), m);
        }
        assert!(rescale_native(u64::MAX) < NTT_PRIME);
    }

    #[test]
    fn the_noise_budget_leaves_a_negligible_failure_probability() {
        assert_eq!(NOISE_BOUND_UNITS, 128.0);
        let sigma = predicted_noise_std(MAX_NOISE_WEIGHT);
        assert!((6.5..7.5).contains(&sigma), "{sigma}");
        assert!(bootstrap_failure_log2() < -150.0, "{}", bootstrap_failure_log2());
    }
}
