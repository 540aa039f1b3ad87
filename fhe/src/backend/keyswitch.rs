//! The LWE key switch modulo the NTT prime, exactly tfhe-rs's `keyswitch_lwe_ciphertext`
//! (`keyswitch_lwe_ciphertext_other_mod`) in fewer cycles.
//!
//! tfhe-rs reduces every product `digit · key` modulo `p` as it goes: `n · levels · (m + 1)`
//! 128-bit remainders per ciphertext (7.5 M at the training sizes), and it streams the whole
//! 60 MB key once per ciphertext. Here the digits stay small signed integers (`|d| ≤ B/2`),
//! each product is accumulated without reduction in 128-bit integers (`n · levels` products
//! below `2^(64 + log B - 1)`: [`check_keyswitch`](super::check_keyswitch) refuses shapes whose
//! sum could reach `2^128`; at the training shape it stays below `2^80`), and each pass over
//! the key serves a chunk of
//! ciphertexts at once; one reduction per output coefficient ends it. The sum modulo `p` does
//! not depend on the order of its terms, so the output is tfhe-rs's, bit for bit (tested
//! against it on honest and chosen inputs).

use super::bootstrap::NTT_PRIME;
use rayon::prelude::*;
use tfhe::core_crypto::prelude::{ContiguousEntityContainer, LweKeyswitchKeyOwned};

/// Ciphertexts that share one pass over the key: their accumulators (`2 · 16 · (m + 1)` bytes
/// each, 235 KB for eight at `m = 918`) stay in a core's L2 cache.
const CHUNK: usize = 8;

/// tfhe-rs's signed decomposition modulo `p` (`SignedDecomposerNonNative`), as small signed
/// digits, least significant level first: the value's absolute representative (`v`, or
/// `p - v` above `p/2`) rounded to its top `base_log · levels` bits, balanced digits from the
/// least significant level up, negated for a negative value. `vsies_decomposition_start` and
/// `_next` in `kernels/cuda/p64.cuh` are the same steps.
pub(crate) fn signed_digits(value: u64, base_log: usize, levels: usize, digits: &mut [i64]) {
    let (negative, magnitude) = if value > NTT_PRIME / 2 { (true, NTT_PRIME - value) } else { (false, value) };
    let represented = base_log * levels;
    let shift = 64 - represented - 1;
    let rounded = (((magnitude >> shift) + 1) & !1) << shift;
    let mut state = rounded >> (64 - represented);
    let mask = (1u64 << base_log) - 1;
    for digit in digits[..levels].iter_mut() {
        let res = state & mask;
        state >>= base_log;
        let carry = ((res.wrapping_sub(1) | state) & res) >> (base_log - 1);
        state += carry;
        let balanced = res as i64 - (carry << base_log) as i64;
        *digit = if negative { -balanced } else { balanced };
    }
}

/// Switches every ciphertext of `inputs` (flat, `n + 1` values each, reduced modulo `p`) with
/// `key`; `m + 1` values per output. Callers check shapes, decomposition and reduction first
/// ([`check_keyswitch`](super::check_keyswitch)).
pub(crate) fn keyswitch_exact(key: &LweKeyswitchKeyOwned<u64>, inputs: &[u64]) -> Vec<u64> {
    let input_size = key.input_key_lwe_dimension().0 + 1;
    let output_size = key.output_lwe_size().0;
    let (base_log, levels) = (key.decomposition_base_log().0, key.decomposition_level_count().0);
    let count = inputs.len() / input_size;
    let mut outputs = vec![0u64; count * output_size];
    outputs.par_chunks_mut(CHUNK * output_size).zip(inputs.par_chunks(CHUNK * input_size)).for_each(
        |(outputs, inputs)| {
            let chunk = inputs.len() / input_size;
            // Per ciphertext: the sums of the products with positive and with negative digits.
            let mut positive = vec![0u128; chunk * output_size];
            let mut negative = vec![0u128; chunk * output_size];
            let mut digits = vec![0i64; chunk * levels];
            for (i, block) in key.iter().enumerate() {
                for (c, ciphertext) in inputs.chunks_exact(input_size).enumerate() {
                    signed_digits(ciphertext[i], base_log, levels, &mut digits[c * levels..(c + 1) * levels]);
                }
                for (level, row) in block.iter().enumerate() {
                    let row = row.into_container();
                    for c in 0..chunk {
                        let digit = digits[c * levels + level];
                        let sums = if digit >= 0 { &mut positive } else { &mut negative };
                        let factor = u128::from(digit.unsigned_abs());
                        if factor == 0 {
                            continue;
                        }
                        for (sum, &k) in sums[c * output_size..(c + 1) * output_size].iter_mut().zip(row) {
                            *sum += factor * u128::from(k);
                        }
                    }
                }
            }
            let p = u128::from(NTT_PRIME);
            for (c, (output, ciphertext)) in
                outputs.chunks_exact_mut(output_size).zip(inputs.chunks_exact(input_size)).enumerate()
            {
                let sums = positive[c * output_size..].iter().zip(&negative[c * output_size..]);
                for (j, (slot, (&plus, &minus))) in output.iter_mut().zip(sums).enumerate() {
                    // body - Σ d · key: the input's body on the last coefficient only.
                    let body = if j + 1 == output_size { u128::from(ciphertext[input_size - 1]) } else { 0 };
                    *slot = ((body + minus % p + p - plus % p) % p) as u64;
                }
            }
        },
    );
    outputs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::fixture::{Toy, ToyShape};
    use tfhe::core_crypto::prelude::*;

    /// The decomposition's digits recombine to the value rounded to its top bits, modulo `p`,
    /// and each is balanced.
    #[test]
    fn signed_digits_recombine_modulo_p() {
        let (base_log, levels) = (4, 4);
        let mut digits = [0i64; 4];
        for &v in &[0u64, 1, 1 << 47, NTT_PRIME / 2, NTT_PRIME / 2 + 1, NTT_PRIME - 1, 0x1234_5678_9abc_def0] {
            signed_digits(v, base_log, levels, &mut digits);
            assert!(digits.iter().all(|d| d.abs() <= 8), "{v}: {digits:?}");
            let magnitude = if v > NTT_PRIME / 2 { NTT_PRIME - v } else { v };
            let approx: i128 = digits.iter().enumerate().map(|(l, &d)| i128::from(d) << (48 + 4 * l)).sum();
            let target = if v > NTT_PRIME / 2 { -(magnitude as i128) } else { magnitude as i128 };
            assert!((approx - target).abs() <= 1 << 47, "{v}: {digits:?}");
        }
    }

    /// Bit for bit tfhe-rs's key switch, on honest encryptions and on values next to 0, p/2
    /// and p, over several decompositions, chunk sizes and a partial last chunk.
    #[test]
    fn equals_tfhe_rs() {
        for (seed, keyswitch) in [(1u128, (4usize, 4usize)), (2, (2, 10)), (3, (7, 3)), (4, (1, 31))] {
            let shape = ToyShape { small: 40, glwe_dimension: 1, polynomial: 256, bootstrap: (10, 3), keyswitch };
            let mut toy = Toy::new(shape, seed);
            let width = shape.polynomial + 1;
            let mut values = toy.encrypt_big(&[0, NTT_PRIME / 8, NTT_PRIME / 2]).into_container();
            // The decomposition's rounding ties (half of the last kept digit, either sign) too.
            let tie = 1u64 << (63 - keyswitch.0 * keyswitch.1);
            let mut edges = crate::backend::fixture::edge_values().to_vec();
            edges.extend([tie, 3 * tie, NTT_PRIME - tie, NTT_PRIME - 3 * tie]);
            let mut state = seed as u64;
            for c in 0..2 * CHUNK + 3 {
                values.extend((0..width).map(|j| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    if (c + j) % 5 == 0 {
                        edges[(c + j) % edges.len()]
                    } else {
                        state % NTT_PRIME
                    }
                }));
            }
            let inputs = LweCiphertextList::from_container(values, LweSize(width), toy.ksk.ciphertext_modulus());
            let mut expected = Vec::new();
            for input in inputs.iter() {
                let mut output = LweCiphertext::new(0u64, toy.ksk.output_lwe_size(), toy.ksk.ciphertext_modulus());
                keyswitch_lwe_ciphertext(&toy.ksk, &input, &mut output);
                expected.extend_from_slice(output.as_ref());
            }
            assert_eq!(keyswitch_exact(&toy.ksk, inputs.as_ref()), expected, "key switch {keyswitch:?}");
        }
    }

    /// A key-switching key with a crafted decomposition (consistent sizes, every value
    /// reduced) is refused before any arithmetic: one covering 64 bits or more, and one whose
    /// unreduced sums could overflow 128 bits; the honest shape passes.
    #[test]
    fn crafted_decompositions_are_refused() {
        let modulus = crate::backend::ntt_modulus();
        let inputs = LweCiphertextList::from_container(vec![1u64; 2049], LweSize(2049), modulus);
        let key = |base_log: usize, levels: usize| {
            LweKeyswitchKey::from_container(
                vec![0u64; 2048 * levels * 919],
                DecompositionBaseLog(base_log),
                DecompositionLevelCount(levels),
                LweSize(919),
                modulus,
            )
        };
        assert!(crate::backend::check_keyswitch(&key(4, 4), &inputs).is_ok());
        for (base_log, levels) in [(16, 4), (60, 1), (32, 2)] {
            let refused = crate::backend::check_keyswitch(&key(base_log, levels), &inputs).unwrap_err();
            assert!(refused.to_string().contains("below 2^127"), "{base_log}x{levels}: {refused}");
            assert!(crate::BootstrapBackend::keyswitch(&crate::Cpu, &key(base_log, levels), &inputs).is_err());
        }
    }
}
