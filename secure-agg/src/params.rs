//! The parameters of committee encryption and the noise and flooding bounds they imply.
//! `docs/SECURE_AGGREGATION.md` derives every figure here.
//!
//! | parameter | value | why |
//! |---|---|---|
//! | ring | `Z_q[X]/(X^4096 + 1)`, `q = 2^128` | native `u128` wrapping arithmetic; room for a 32-bit message, 40-bit flooding and the noise of thousands of clients |
//! | secret | binary, uniform | as tfhe-rs |
//! | noise | TUniform(2^34) | `log2(q / sigma) = 94.8`, below the 95.6 of tfhe-rs's 128-bit n = 2048 set scaled to n = 4096, and below the 107 of the HE standard's n = 4096 row |
//! | message | 32 bits at `Delta = 2^96` | one weighted-update coordinate ([`vsies_core::fedavg::MESSAGE_BITS`]) |
//! | stored mask | 96 bits per coefficient | the rounding it adds is dominated by the encryption noise |
//! | stored body | 88 bits per value | idem; 11 bytes per value |
//! | packing | 32 body polynomials share one mask | 131,072 values per mask; 2.87x expansion at 10^5 values |

/// Ring degree `n`.
pub const RING_DEGREE: usize = 4096;
/// Message bits per coefficient.
pub const MESSAGE_BITS: u32 = vsies_core::fedavg::MESSAGE_BITS;
/// `log2(Delta)`: the message sits in the top 32 of 128 bits.
pub const DELTA_LOG2: u32 = 128 - MESSAGE_BITS;
/// Encryption noise is TUniform with bound `2^NOISE_BOUND_LOG2`.
pub const NOISE_BOUND_LOG2: u32 = 34;
/// Bits of a stored (modulus-switched) mask coefficient.
pub const MASK_BITS: u32 = 96;
/// Bits of a stored (modulus-switched) body coefficient.
pub const BODY_BITS: u32 = 88;
/// Body polynomials sharing one mask, unless the committee key says otherwise.
pub const DEFAULT_PACKING: usize = 32;
/// Bits of a stored partial decryption coefficient (the rest is flooding noise).
pub const PARTIAL_BITS: u32 = 64;
/// Statistical security of the flooding, per decrypted value: the statistical distance between
/// a partial decryption and one computed without the key-dependent noise is at most `2^-40`.
pub const FLOOD_SECURITY_BITS: u32 = 40;
/// The aggregate noise bound is this many standard deviations (a Gaussian tail of 2^-184).
pub const NOISE_TAIL_SIGMAS: f64 = 16.0;
/// Largest committee: members are bits of a `u64` set.
pub const MAX_MEMBERS: usize = 64;

/// Variance of TUniform(2^b): values in `[-2^b, 2^b]`, ends at half weight: `(2^(2b+1) + 1) / 6`.
fn t_uniform_variance(bound_log2: u32) -> f64 {
    (2f64.powi(2 * bound_log2 as i32 + 1) + 1.0) / 6.0
}

/// Variance of rounding a 128-bit value to `bits` bits: uniform over a step of `2^(128-bits)`.
fn rounding_variance(bits: u32) -> f64 {
    2f64.powi(2 * (128 - bits as i32)) / 12.0
}

/// `E[s_k^2]` for one coefficient of a key whose secret is the sum of `dealers` independent
/// uniform binary secrets (1 with a trusted dealer; one per qualified member with the
/// distributed key generation): mean `d/2`, variance `d/4`.
fn secret_square_mean(dealers: usize) -> f64 {
    let d = dealers.max(1) as f64;
    (d + d * d) / 4.0
}

/// Standard deviation of the noise of one client's ciphertext, at scale `2^128`, once lifted
/// back from its stored widths, for a key summed from `dealers` binary secrets:
/// `e_pk * r + e_0 - e_1 * s` (`e_pk` the sum of `dealers` TUniform noises, `r` binary with
/// `n / 2` expected nonzero terms, `n·E[s_k^2]` for the product with `s`) plus the body
/// rounding and the mask rounding times `s`.
pub fn client_noise_std(dealers: usize) -> f64 {
    let half = (RING_DEGREE / 2) as f64;
    let with_secret = RING_DEGREE as f64 * secret_square_mean(dealers);
    let fresh = (half * dealers.max(1) as f64 + with_secret + 1.0) * t_uniform_variance(NOISE_BOUND_LOG2);
    let stored = rounding_variance(BODY_BITS) + with_secret * rounding_variance(MASK_BITS);
    (fresh + stored).sqrt()
}

/// Hoeffding's factor `sqrt(ln(2/δ)/2)` at `δ = 2^-128`: a sum of independent bounded terms of
/// ranges `c_i` leaves its mean by more than `‖c‖₂` times this with probability below `δ`.
fn hoeffding_factor() -> f64 {
    (129.0 * std::f64::consts::LN_2 / 2.0).sqrt()
}

/// `|e| < 2^b` for a mask's error that an update proof allows (fresh noise plus rounding).
fn proven_mask_error() -> f64 {
    2f64.powi(crate::proof::ring_params(1).mask_error_bits() as i32)
}

/// The key-dependent part of the noise that one client whose update proof holds can add, at
/// most (probability `1 − 2^-128` over the keys): its terms `e_pk·r` and `−e_1·s` deviate
/// from what the client itself can compute (their mean over the secret, binary `s` and
/// symmetric `e_pk`) by at most Hoeffding's bound, with `‖e_1‖₂ ≤ sqrt(n)·2^35` and
/// `‖r‖₂ ≤ sqrt(n)` whatever `r` and `e_1` the client chose within its proof. A key summed
/// from `dealers` independent secrets and noises has `dealers` times as many independent
/// terms of the same ranges: `sqrt(dealers)` times the bound. Colluding clients may align
/// theirs, so this adds up linearly over clients.
pub fn proven_client_deviation(dealers: usize) -> f64 {
    let n_sqrt = (RING_DEGREE as f64).sqrt();
    let key_noise_width = 2f64.powi(NOISE_BOUND_LOG2 as i32 + 1);
    hoeffding_factor() * n_sqrt * (proven_mask_error() + key_noise_width) * (dealers.max(1) as f64).sqrt()
}

/// The part of one proven client's noise it can compute itself, at most: the mean of `−e_1·s`
/// (`‖e_1‖₁ · dealers / 2 ≤ n·2^34·dealers`) and its body error (below `2^40`). It costs
/// exactness, not privacy.
pub fn proven_client_offset(dealers: usize) -> f64 {
    let body_error = 2f64.powi(crate::proof::ring_params(1).body_error_bits() as i32);
    RING_DEGREE as f64 * proven_mask_error() * dealers.max(1) as f64 / 2.0 + body_error
}

/// Bound on the key-dependent noise of an aggregate of `clients` ciphertexts under a key of
/// `dealers` secrets, whichever of them were crafted within their proofs:
/// [`NOISE_TAIL_SIGMAS`] standard deviations of the honest clients' independent noises plus
/// [`proven_client_deviation`] per client. This is what the flooding hides.
pub fn hidden_noise_bound(clients: u64, dealers: usize) -> f64 {
    let c = clients as f64;
    NOISE_TAIL_SIGMAS * c.sqrt() * client_noise_std(dealers) + c * proven_client_deviation(dealers)
}

/// Bound on the whole noise of an aggregate of `clients` proven ciphertexts (what exactness
/// needs): [`hidden_noise_bound`] plus [`proven_client_offset`] per client.
pub fn noise_bound(clients: u64, dealers: usize) -> f64 {
    hidden_noise_bound(clients, dealers) + clients as f64 * proven_client_offset(dealers)
}

/// Half-width `F` of the uniform flooding noise each partial decryption adds to each value of
/// an aggregate of `clients` ciphertexts: `2^40` times [`hidden_noise_bound`], so the
/// key-dependent noise `e` it hides shifts the flooding distribution by a statistical distance
/// of at most `|e| / F <= 2^-40`.
pub fn flood_bound(clients: u64, dealers: usize) -> u128 {
    (hidden_noise_bound(clients, dealers) * 2f64.powi(FLOOD_SECURITY_BITS as i32)).ceil() as u128
}

/// Whether an aggregate of `clients` ciphertexts decrypts exactly through `pieces` key pieces
/// of a key of `dealers` secrets: its noise, plus one flooding term and one partial rounding
/// per piece, stays below `Delta / 2`.
pub fn decrypts_exactly(clients: u64, pieces: usize, dealers: usize) -> bool {
    let per_piece = flood_bound(clients, dealers) as f64 + 2f64.powi(127 - PARTIAL_BITS as i32);
    noise_bound(clients, dealers) + pieces as f64 * per_piece < 2f64.powi(DELTA_LOG2 as i32 - 1)
}

/// Most clients an aggregate may hold for a committee with `pieces` key pieces and a key of
/// `dealers` secrets.
pub fn max_clients_for(pieces: usize, dealers: usize) -> u64 {
    let (mut low, mut high) = (0u64, 1u64 << 40);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if decrypts_exactly(mid, pieces, dealers) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    low
}

/// `n choose k`, saturating.
pub fn binomial(n: usize, k: usize) -> u64 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    (0..k).fold(1u64, |acc, i| acc.saturating_mul((n - i) as u64) / (i as u64 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_figures_hold() {
        let std_log2 = client_noise_std(1).log2();
        assert!((39.3..39.5).contains(&std_log2), "client noise 2^{std_log2}");
        // A 5-member, threshold-3 committee has C(5, 2) = 10 pieces.
        assert_eq!(binomial(5, 2), 10);
        // Proven clients: 2^44.74 of key-dependent deviation and 2^46 of offset each.
        assert!((44.7..44.8).contains(&proven_client_deviation(1).log2()));
        assert!((46.0..46.05).contains(&proven_client_offset(1).log2()));
        let limit = max_clients_for(10, 1);
        assert!((100..130).contains(&limit), "max clients {limit}");
        assert!(decrypts_exactly(limit, 10, 1) && !decrypts_exactly(limit + 1, 10, 1));
        assert!((91.0..92.0).contains(&(flood_bound(100, 1) as f64).log2()));
        assert!((390..410).contains(&max_clients_for(3, 1)), "3/2 committee: {}", max_clients_for(3, 1));
    }

    #[test]
    fn a_key_summed_from_more_secrets_has_more_noise_and_admits_fewer_clients() {
        // E[s^2] of a sum of d binary secrets: d/4 + d^2/4 (1/2 for one).
        assert_eq!(secret_square_mean(1), 0.5);
        assert_eq!(secret_square_mean(5), 7.5);
        assert!(client_noise_std(5) > 2.5 * client_noise_std(1));
        assert!((proven_client_deviation(4) / proven_client_deviation(1) - 2.0).abs() < 1e-9);
        let (one, five) = (max_clients_for(10, 1), max_clients_for(10, 5));
        assert!(five < one && five > 10, "5/3 committee: {one} clients with a dealer, {five} with 5 dealers");
        assert!(decrypts_exactly(five, 10, 5) && !decrypts_exactly(five + 1, 10, 5));
    }
}
