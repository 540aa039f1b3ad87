//! BN254 scalar-field helpers every layer shares: powers of two, batch inversion, and the
//! byte and hex forms of field elements (and of the dataset commitment, which is one).

use ark_bn254::Fr;
use ark_ff::{BigInteger, One, PrimeField};
use vsies_core::{codec, DataCommitment};

/// `2^exponent` in the field (`exponent` below the modulus's 254 bits).
pub fn power_of_two(exponent: u32) -> Fr {
    static POWERS: std::sync::OnceLock<Vec<Fr>> = std::sync::OnceLock::new();
    let powers = POWERS.get_or_init(|| {
        std::iter::successors(Some(Fr::one()), |power| Some(*power + power))
            .take(Fr::MODULUS_BIT_SIZE as usize)
            .collect()
    });
    powers[exponent as usize]
}

/// Bit position of the round in the vault's packed first input (`round << 220 | node << 60`).
pub const ROUND_SHIFT: u32 = 220;
/// Bit position of the node's address in the packed first input.
pub const NODE_SHIFT: u32 = 60;

/// The first public input of every relation the vault takes: `round << 220 | node << 60`
/// (the vault builds it from the open round and `msg.sender`, so a proof counts only for the
/// node and round it was made for).
pub fn pack_round_node(round: u64, node: &[u8; 20]) -> Fr {
    Fr::from(round) * power_of_two(ROUND_SHIFT) + Fr::from_be_bytes_mod_order(node) * power_of_two(NODE_SHIFT)
}

/// The content id of `params`' JSON as one field element (its digest mod r): how a statement
/// names the keys it is for, and the vault its verifier.
pub fn params_element<T: serde::Serialize>(params: &T) -> Fr {
    let id = vsies_core::ContentId::of(&serde_json::to_vec(params).expect("parameters serialize"));
    Fr::from_be_bytes_mod_order(id.digest())
}

/// A node's chain account (20 bytes) as `0x` and lowercase hex.
pub fn node_hex(node: &[u8; 20]) -> String {
    format!("0x{}", codec::hex(node))
}

/// Parses [`node_hex`]'s output.
pub fn parse_node(text: &str) -> Option<[u8; 20]> {
    codec::unhex_array(text.strip_prefix("0x")?)
}

/// Bits needed to write `value`: `⌊log2(value)⌋ + 1`, and 0 for 0.
pub fn bit_length(value: u64) -> u32 {
    u64::BITS - value.leading_zeros()
}

/// The integer a field element stands for, when it is within `±2^62` (values of a consistent
/// witness are; a value a cheating witness made is generally not, and counts nowhere).
pub fn small_integer(value: &Fr) -> Option<i64> {
    const LIMIT: u64 = 1 << 62;
    let fits = |v: &Fr| {
        let limbs = v.into_bigint().0;
        (limbs[1..].iter().all(|&l| l == 0) && limbs[0] < LIMIT).then_some(limbs[0] as i64)
    };
    fits(value).or_else(|| fits(&-*value).map(|magnitude| -magnitude))
}

/// The inverses of `values` (zero for zero) by Montgomery's trick: one field inversion in all.
pub fn batch_inverses(values: &[Fr]) -> Vec<Fr> {
    let mut inverses = values.to_vec();
    ark_ff::batch_inversion(&mut inverses);
    inverses
}

/// 32 bytes (a hash, an id) as two field elements, the high then the low 128 bits, big-endian:
/// an injective encoding for a statement digest.
pub fn halves(bytes: &[u8; 32]) -> [Fr; 2] {
    let (high, low) = bytes.split_at(16);
    let half = |b: &[u8]| Fr::from(u128::from_be_bytes(b.try_into().expect("16 bytes")));
    [half(high), half(low)]
}

/// A field element as 32 big-endian bytes.
pub fn field_bytes(value: &Fr) -> [u8; 32] {
    value.into_bigint().to_bytes_be().try_into().expect("BN254 scalars are 32 bytes")
}

/// A field element as 32 big-endian bytes in lowercase hex.
pub fn field_hex(value: &Fr) -> String {
    codec::hex(&field_bytes(value))
}

/// Parses [`field_hex`]'s output, refusing non-canonical values and other spellings.
pub fn parse_field_hex(text: &str) -> Option<Fr> {
    let bytes: [u8; 32] = codec::unhex_array(text)?;
    let value = Fr::from_be_bytes_mod_order(&bytes);
    (field_bytes(&value) == bytes).then_some(value)
}

/// The commitment type of `vsies-core` for a field element.
pub fn to_commitment(value: &Fr) -> DataCommitment {
    DataCommitment::from_bytes(field_bytes(value)).expect("a field element is below the modulus")
}

/// The field element a commitment stands for.
pub fn from_commitment(commitment: &DataCommitment) -> Fr {
    Fr::from_be_bytes_mod_order(commitment.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_and_hex_round_trip_canonically() {
        let value = Fr::from(123_456_789u64) * power_of_two(200);
        assert_eq!(from_commitment(&to_commitment(&value)), value);
        assert_eq!(parse_field_hex(&field_hex(&value)), Some(value));
        assert_eq!(parse_field_hex(&"ff".repeat(32)), None, "above the modulus");
        assert_eq!(parse_field_hex(&field_hex(&value).to_uppercase()), None);
        assert_eq!((bit_length(0), bit_length(1), bit_length(255), bit_length(256)), (0, 1, 8, 9));
        assert_eq!(small_integer(&Fr::from(-5i64)), Some(-5));
        assert_eq!(small_integer(&Fr::from(7u64)), Some(7));
        assert_eq!(small_integer(&power_of_two(100)), None);
    }
}
