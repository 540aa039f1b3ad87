//! The vault's fixed-point arithmetic, step for step `contracts/VaultMath.sol`: the compute
//! pool's exponential decay ([`wad_pow`]) and the Kullback-Leibler data score ([`kl_wad`]).
//!
//! The contract computes in `uint256`/`int256`, this module in `u128`/`i128`; they agree
//! because no intermediate exceeds 127 bits under the bounds the vault enforces (a histogram of
//! at most [`MAX_HISTOGRAM_WORDS`] words, fewer than 2^32 pooled rows: every count below 2^32,
//! every sum of counts below 2^47) and both languages round alike (unsigned division down,
//! signed division toward zero).

/// 1.0 in WAD fixed point.
pub const WAD: u128 = 1_000_000_000_000_000_000;
/// ln 2 in WAD, rounded down.
pub const LN2_WAD: i128 = 693_147_180_559_945_309;
/// Fractional bits of [`log2_fixed`].
pub const LOG_BITS: u32 = 32;
/// Counts per histogram word (32 bits each).
pub const LANES: usize = 7;
/// The longest histogram the vault takes, in words.
pub const MAX_HISTOGRAM_WORDS: usize = 4096;

/// `x^n` for a WAD `x <= WAD`, by squaring, every product rounded down.
pub fn wad_pow(mut x: u128, mut n: u64) -> u128 {
    debug_assert!(x <= WAD);
    let mut result = WAD;
    while n > 0 {
        if n & 1 == 1 {
            result = result * x / WAD;
        }
        n >>= 1;
        if n > 0 {
            x = x * x / WAD;
        }
    }
    result
}

/// `log2(a)` with [`LOG_BITS`] fractional bits, rounded down, for `a >= 1`: the integer part
/// from the top bit, the fraction by squaring the mantissa in [1, 2) held with 63 fractional
/// bits (lower bits truncated).
pub fn log2_fixed(a: u128) -> u128 {
    debug_assert!(a >= 1);
    let n = 127 - a.leading_zeros();
    let mut m = if n >= 63 { a >> (n - 63) } else { a << (63 - n) };
    let mut fraction = 0u128;
    for _ in 0..LOG_BITS {
        m = (m * m) >> 63;
        fraction <<= 1;
        if m >= 1 << 64 {
            fraction |= 1;
            m >>= 1;
        }
    }
    (u128::from(n) << LOG_BITS) | fraction
}

/// Count `j` of packed histogram words (big-endian words, count `i` at bit `32 i`).
pub fn lane(words: &[[u8; 32]], j: usize) -> u128 {
    let word = &words[j / LANES];
    let bit = 32 * (j % LANES);
    // Bits [bit, bit + 32) of the big-endian word: bytes 31 - bit/8 - 3 ..= 31 - bit/8.
    let end = 32 - bit / 8;
    u128::from(u32::from_be_bytes(word[end - 4..end].try_into().expect("4 bytes")))
}

/// `KL(P || Q)` in WAD nats, clamped at 0: `P` the counts `own` normalised, `Q` the counts
/// `others` plus one in every slot (empty buckets smoothed), normalised; slots are the words'
/// lanes, padding included.
pub fn kl_wad(own: &[[u8; 32]], others: &[[u8; 32]]) -> u128 {
    let slots = own.len() * LANES;
    let h: u128 = (0..slots).map(|j| lane(own, j)).sum();
    let g: u128 = (0..slots).map(|j| lane(others, j)).sum();
    if h == 0 {
        return 0;
    }
    let mut sum = 0i128;
    for j in 0..slots {
        let count = lane(own, j);
        if count == 0 {
            continue;
        }
        let d = log2_fixed(count * (g + slots as u128)) as i128 - log2_fixed(h * (lane(others, j) + 1)) as i128;
        let ln = d * LN2_WAD / (1i128 << LOG_BITS);
        sum += count as i128 * ln / h as i128;
    }
    sum.max(0) as u128
}

/// `a + b` of big-endian 256-bit words, as the contract adds histogram words (lanes never
/// carry under the pool's row bound); `None` on a 256-bit overflow.
pub fn add_word(a: &[u8; 32], b: &[u8; 32]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let sum = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    (carry == 0).then_some(out)
}

/// `a - b` of big-endian 256-bit words; `None` when `b > a` (Solidity's checked subtraction
/// reverts there).
pub fn sub_word(a: &[u8; 32], b: &[u8; 32]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut difference = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if difference < 0 {
            difference += 256;
            borrow = 1;
        }
        out[i] = difference as u8;
    }
    (borrow == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn packed(counts: &[u32]) -> Vec<[u8; 32]> {
        counts
            .chunks(LANES)
            .map(|chunk| {
                let mut word = [0u8; 32];
                for (i, count) in chunk.iter().enumerate() {
                    let end = 32 - 4 * i;
                    word[end - 4..end].copy_from_slice(&count.to_be_bytes());
                }
                word
            })
            .collect()
    }

    #[test]
    fn log2_is_exact_on_powers_and_close_elsewhere() {
        for k in 0..127u32 {
            assert_eq!(log2_fixed(1u128 << k), u128::from(k) << LOG_BITS);
        }
        for a in [3u128, 10, 1000, 123_456_789, 1 << 90 | 12345] {
            let exact = (a as f64).log2();
            let fixed = log2_fixed(a) as f64 / 2f64.powi(LOG_BITS as i32);
            assert!(fixed <= exact + 1e-12 && exact - fixed < 1e-8, "{a}: {fixed} vs {exact}");
        }
    }

    #[test]
    fn decay_matches_powers_and_never_grows() {
        let half = WAD / 2;
        assert_eq!(wad_pow(half, 0), WAD);
        assert_eq!(wad_pow(half, 1), half);
        assert_eq!(wad_pow(half, 10), WAD >> 10);
        assert_eq!(wad_pow(WAD, 1 << 40), WAD);
        let d = 951_229_424_500_714_000; // e^{-0.05}
        let mut previous = WAD;
        for r in 0..200 {
            let value = wad_pow(d, r);
            assert!(value <= previous);
            let exact = (-0.05 * r as f64).exp();
            assert!((value as f64 / WAD as f64 - exact).abs() < 1e-12 * (r as f64 + 1.0), "round {r}");
            previous = value;
        }
    }

    #[test]
    fn kl_is_zero_for_the_smoothed_pool_itself_and_grows_with_divergence() {
        // Two columns of four buckets (one word, 8 lanes... 7 used): a pool far larger than
        // the smoothing, shaped like the dataset, scores near 0; a dataset in other buckets
        // scores high; the bound ln(G + S) holds.
        let own = packed(&[10, 20, 30, 40, 25, 25, 50]);
        let same = packed(&[10_000, 20_000, 30_000, 40_000, 25_000, 25_000, 50_000]);
        let near = kl_wad(&own, &same);
        assert!(near < WAD / 1000, "{near}");
        let apart = packed(&[40, 30, 20, 10, 50, 25, 25]);
        let far = kl_wad(&own, &packed(&[40_000, 30_000, 20_000, 10_000, 50_000, 25_000, 25_000]));
        assert!(far > WAD / 10, "{far}");
        let g = 200_000f64 + 7.0;
        assert!((far as f64) < g.ln() * WAD as f64);
        // Against a reference in floating point.
        let (p, q): (Vec<f64>, Vec<f64>) =
            (0..7).map(|j| (lane(&apart, j) as f64 / 200.0, (lane(&same, j) as f64 + 1.0) / (200_000.0 + 7.0))).unzip();
        let reference: f64 = p.iter().zip(&q).map(|(p, q)| p * (p / q).ln()).sum();
        let fixed = kl_wad(&apart, &same) as f64 / WAD as f64;
        assert!((fixed - reference).abs() < 1e-7, "{fixed} vs {reference}");
        assert_eq!(kl_wad(&packed(&[0; 7]), &same), 0, "an empty histogram scores 0");
    }

    #[test]
    fn word_sums_and_differences_carry_and_borrow_across_bytes() {
        let one = packed(&[1])[0];
        let big = packed(&[u32::MAX, 7])[0];
        let sum = add_word(&big, &one).unwrap();
        assert_eq!(
            (lane(&[sum], 0), lane(&[sum], 1)),
            (0, 8),
            "a lane overflow carries (the vault bounds rows so it cannot)"
        );
        assert_eq!(sub_word(&sum, &one), Some(big));
        assert_eq!(sub_word(&one, &big), None);
        assert_eq!(add_word(&[0xff; 32], &one), None);
    }
}
