//! Signed fixed-point format and the one rounding rule every vsies computation uses.
//!
//! A value `q` in format `FixedFormat { bits, frac_bits }` is a two's-complement integer in
//! `[-2^(bits-1), 2^(bits-1) - 1]` standing for the real number `q / 2^frac_bits`.

use serde::{Deserialize, Serialize};

/// Largest width vsies accepts for any fixed-point quantity: with at most 2^16 features, every
/// intermediate of the training spec then fits an `i64` (see the spec's overflow bounds).
pub const MAX_FIXED_BITS: u32 = 24;

/// A signed fixed-point format: total width and number of fractional bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedFormat {
    /// Total width in bits, sign included (2..=24).
    pub bits: u32,
    /// Fractional bits: the value is `q / 2^frac_bits` (0..bits-1).
    pub frac_bits: u32,
}

/// Why a fixed-point format is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fixed-point format {bits} bits with {frac_bits} fractional bits is invalid: {reason}")]
pub struct FixedFormatError {
    /// Width asked for.
    pub bits: u32,
    /// Fractional bits asked for.
    pub frac_bits: u32,
    /// Why the format is unusable.
    pub reason: &'static str,
}

impl FixedFormat {
    /// The feature format of the reference spec: 8 bits, 4 fractional (step 1/16, range ±8σ).
    pub const FEATURES: Self = Self { bits: 8, frac_bits: 4 };
    /// The weight format of the reference spec: 12 bits, 8 fractional (step 1/256, range ±8).
    pub const WEIGHTS: Self = Self { bits: 12, frac_bits: 8 };

    /// Checks the width limits; formats read from files go through this before use.
    pub fn validate(self) -> Result<Self, FixedFormatError> {
        let fail = |reason| Err(FixedFormatError { bits: self.bits, frac_bits: self.frac_bits, reason });
        if !(2..=MAX_FIXED_BITS).contains(&self.bits) {
            return fail("width must be 2 to 24 bits");
        }
        if self.frac_bits >= self.bits {
            return fail("fractional bits must be fewer than the width (one bit is the sign)");
        }
        Ok(self)
    }

    /// Smallest representable integer, `-2^(bits-1)`.
    pub fn min(self) -> i64 {
        -(1i64 << (self.bits - 1))
    }

    /// Largest representable integer, `2^(bits-1) - 1`.
    pub fn max(self) -> i64 {
        (1i64 << (self.bits - 1)) - 1
    }

    /// The integer standing for 1.0, `2^frac_bits`.
    pub fn one(self) -> i64 {
        1i64 << self.frac_bits
    }

    /// Saturates `value` into the representable range.
    pub fn clamp(self, value: i64) -> i64 {
        value.clamp(self.min(), self.max())
    }

    /// Quantizes a real number: `clamp(round_half_away_from_zero(x * 2^frac_bits))`.
    ///
    /// Multiplying by a power of two is exact in binary floating point and `f64::round` is
    /// specified bit for bit by IEEE 754, so this gives the same integer on every machine.
    /// Callers never pass NaN (validation rejects non-finite cells); NaN would map to 0.
    pub fn quantize(self, x: f64) -> i64 {
        let scaled = (x * self.one() as f64).round();
        if scaled.is_nan() {
            return 0;
        }
        // Clamp in f64 first: the `as` conversion saturates, but only at i64's bounds.
        scaled.clamp(self.min() as f64, self.max() as f64) as i64
    }

    /// The real number an integer of this format stands for.
    pub fn dequantize(self, q: i64) -> f64 {
        q as f64 / self.one() as f64
    }
}

/// Divides by `2^shift` rounding half up: `floor((value + 2^(shift-1)) / 2^shift)`, and
/// `value` itself when `shift` is 0.
///
/// This is the only rounding rule of the training spec. It is an arithmetic right shift of
/// `value + 2^(shift-1)`, so a circuit proves it with one range check on the remainder and
/// a TFHE lookup table evaluates it exactly; ties go towards +infinity.
pub fn round_shift(value: i64, shift: u32) -> i64 {
    if shift == 0 {
        value
    } else {
        (value + (1i64 << (shift - 1))) >> shift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_shift_rounds_half_up_on_both_signs() {
        assert_eq!(round_shift(5, 1), 3); // 2.5 -> 3
        assert_eq!(round_shift(-5, 1), -2); // -2.5 -> -2
        assert_eq!(round_shift(-6, 2), -1); // -1.5 -> -1
        assert_eq!(round_shift(-7, 2), -2); // -1.75 -> -2
        assert_eq!(round_shift(7, 2), 2); // 1.75 -> 2
        assert_eq!(round_shift(-1, 0), -1);
    }

    #[test]
    fn quantize_rounds_half_away_from_zero_and_saturates() {
        let f = FixedFormat::FEATURES;
        assert_eq!(f.quantize(0.03125), 1); // 0.5 ulp -> 1
        assert_eq!(f.quantize(-0.03125), -1);
        assert_eq!(f.quantize(100.0), 127);
        assert_eq!(f.quantize(-100.0), -128);
        assert_eq!(f.quantize(f64::INFINITY), 127);
        assert_eq!(f.dequantize(f.quantize(1.5)), 1.5);
    }

    #[test]
    fn validate_rejects_degenerate_formats() {
        assert!(FixedFormat { bits: 1, frac_bits: 0 }.validate().is_err());
        assert!(FixedFormat { bits: 25, frac_bits: 0 }.validate().is_err());
        assert!(FixedFormat { bits: 8, frac_bits: 8 }.validate().is_err());
        assert!(FixedFormat::FEATURES.validate().is_ok());
    }
}
