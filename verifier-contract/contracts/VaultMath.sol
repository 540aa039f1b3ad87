// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// The vault's fixed-point arithmetic, step for step `vsies_verifier_contract::math` in Rust:
/// the compute pool's exponential decay and the Kullback-Leibler data score. Every bound that
/// keeps a product inside 128 bits is checked by the caller (docs/CHAIN.md, "Data score"), so
/// the Rust twin's u128/i128 arithmetic and this uint256/int256 arithmetic give the same
/// integers; every division rounds as both languages do (down for unsigned, toward zero for
/// signed).
library VaultMath {
    uint256 internal constant WAD = 1e18;
    /// ln 2 in WAD, rounded down.
    int256 internal constant LN2_WAD = 693147180559945309;
    /// Fractional bits of the binary logarithm.
    uint256 internal constant LOG_BITS = 32;
    /// Histogram words hold 7 counts of 32 bits each.
    uint256 internal constant LANES = 7;

    /// x^n for WAD x <= 1 (1e18), by squaring, every product rounded down.
    function wadPow(uint256 x, uint256 n) internal pure returns (uint256 result) {
        result = WAD;
        while (n > 0) {
            if (n & 1 == 1) result = result * x / WAD;
            n >>= 1;
            if (n > 0) x = x * x / WAD;
        }
    }

    /// floor(log2 a) for a >= 1.
    function msb(uint256 a) internal pure returns (uint256 n) {
        unchecked {
            for (uint256 shift = 128; shift > 0; shift >>= 1) {
                if (a >> shift > 0) {
                    a >>= shift;
                    n += shift;
                }
            }
        }
    }

    /// log2(a) with LOG_BITS fractional bits, rounded down, for 1 <= a < 2^128: the integer
    /// part from the top bit, the fraction by repeated squaring of the mantissa in [1, 2)
    /// (63 fractional bits, the bits below truncated).
    /// Unchecked: m < 2^64 throughout, so m * m < 2^128.
    function log2Fixed(uint256 a) internal pure returns (uint256) {
        unchecked {
            uint256 n = msb(a);
            uint256 m = n >= 63 ? a >> (n - 63) : a << (63 - n);
            uint256 fraction = 0;
            for (uint256 i = 0; i < LOG_BITS; i++) {
                m = (m * m) >> 63;
                fraction <<= 1;
                if (m >= 1 << 64) {
                    fraction |= 1;
                    m >>= 1;
                }
            }
            return (n << LOG_BITS) | fraction;
        }
    }

    /// Count `j` of packed histogram words.
    function lane(uint256[] memory words, uint256 j) internal pure returns (uint256) {
        return (words[j / LANES] >> (32 * (j % LANES))) & 0xffffffff;
    }

    /// KL(P || Q) in WAD nats, clamped at 0: P the counts `own` normalised, Q the counts
    /// `others` with one added to every slot (empty buckets smoothed), normalised. Slots are
    /// the histogram words' lanes, padding included.
    function klWad(uint256[] memory own, uint256[] memory others) internal pure returns (uint256) {
        // Unchecked: counts are below 2^32 and their sums below 2^47 (the vault's bounds), so
        // every product below fits 128 bits; the signed terms stay below 2^100 in magnitude.
        unchecked {
            uint256 slots = own.length * LANES;
            uint256 h;
            uint256 g;
            for (uint256 j = 0; j < slots; j++) {
                h += lane(own, j);
                g += lane(others, j);
            }
            if (h == 0) return 0;
            int256 sum = 0;
            for (uint256 j = 0; j < slots; j++) {
                uint256 count = lane(own, j);
                if (count == 0) continue;
                int256 d = int256(log2Fixed(count * (g + slots))) - int256(log2Fixed(h * (lane(others, j) + 1)));
                int256 ln = d * LN2_WAD / int256(1 << LOG_BITS);
                sum += int256(count) * ln / int256(h);
            }
            return sum > 0 ? uint256(sum) : 0;
        }
    }
}
