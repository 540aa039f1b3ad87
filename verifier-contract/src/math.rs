//! The integer arithmetic the reward vault uses, exactly as Solidity's `uint256` computes it:
//! products never overflow before the division, quotients round down.

/// `floor(a * b / d)` with a 256-bit intermediate product, as Solidity computes
/// `a * b / d` on `uint256`. `None` when `d` is zero or the quotient exceeds `u128`.
pub fn mul_div(a: u128, b: u128, d: u128) -> Option<u128> {
    if d == 0 {
        return None;
    }
    let (high, low) = widening_mul(a, b);
    if high >= d {
        return None; // the quotient would need more than 128 bits
    }
    // Long division of the 256-bit (high, low) by d, one bit at a time; high < d throughout.
    let (mut remainder, mut quotient) = (high, 0u128);
    for bit in (0..128).rev() {
        let carry = remainder >> 127;
        remainder = (remainder << 1) | ((low >> bit) & 1);
        quotient <<= 1;
        if carry == 1 || remainder >= d {
            remainder = remainder.wrapping_sub(d);
            quotient |= 1;
        }
    }
    Some(quotient)
}

/// The full 256-bit product `a * b` as `(high, low)` 128-bit halves.
fn widening_mul(a: u128, b: u128) -> (u128, u128) {
    let mask = u128::from(u64::MAX);
    let (a_high, a_low) = (a >> 64, a & mask);
    let (b_high, b_low) = (b >> 64, b & mask);
    let low_low = a_low * b_low;
    let high_low = a_high * b_low;
    let low_high = a_low * b_high;
    let high_high = a_high * b_high;
    let middle = (low_low >> 64) + (high_low & mask) + (low_high & mask);
    let low = (middle << 64) | (low_low & mask);
    let high = high_high + (high_low >> 64) + (low_high >> 64) + (middle >> 64);
    (high, low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_exact_arithmetic_where_it_fits_and_extends_beyond() {
        for (a, b, d) in [(7u128, 3u128, 2u128), (0, 5, 3), (u64::MAX as u128, u64::MAX as u128, 1), (10, 10, 7)] {
            assert_eq!(mul_div(a, b, d), Some(a * b / d));
        }
        // The product overflows u128 but the quotient does not.
        assert_eq!(
            mul_div(u128::MAX, 7_000, 10_000),
            Some(u128::MAX / 10_000 * 7_000 + (u128::MAX % 10_000) * 7_000 / 10_000)
        );
        assert_eq!(mul_div(u128::MAX, u128::MAX, u128::MAX), Some(u128::MAX));
        assert_eq!(mul_div(1 << 127, 4, 2), None);
        assert_eq!(mul_div(1, 1, 0), None);
    }

    #[test]
    fn agrees_with_a_reference_on_many_values() {
        // A 64-bit-limb reference: (a * b) / d for values where a * b fits 192 bits.
        let mut x = 0x9E37_79B9_7F4A_7C15u128;
        for _ in 0..2_000 {
            x = x.wrapping_mul(0x5851_F42D_4C95_7F2D).wrapping_add(0x1405_7B7E_F767_814F);
            let a = x >> 40;
            let b = (x >> 3) & u128::from(u64::MAX);
            // d above 2^40 keeps the quotient below 2^112.
            let d = (x % 1_000_003) + (1 << 40);
            // a < 2^88, b < 2^64: a * b < 2^152; compute it exactly via two halves of b.
            let (b_high, b_low) = (b >> 32, b & 0xFFFF_FFFF);
            let high_part = a * b_high; // < 2^120
            let expected = {
                // floor((high_part * 2^32 + a * b_low) / d) with 128-bit steps.
                let q1 = high_part / d;
                let r1 = high_part % d;
                let combined = (r1 << 32) + a * b_low; // r1 < d < 2^41, so this fits
                (q1 << 32) + combined / d
            };
            assert_eq!(mul_div(a, b, d), Some(expected), "{a} * {b} / {d}");
        }
    }
}
