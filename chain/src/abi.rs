//! ABI encoding of the calls the vsies contracts take: every static argument (static arrays
//! and tuples inline) as 32-byte words, dynamic `uint256[]` and `bytes` as offset, length and
//! contents.

use revm::primitives::{keccak256, Address, U256};

/// The first four bytes of keccak256 of a function signature.
pub fn selector(signature: &str) -> Vec<u8> {
    keccak256(signature.as_bytes())[..4].to_vec()
}

/// An address as an ABI word.
pub fn address_word(address: Address) -> U256 {
    U256::from_be_slice(address.as_slice())
}

/// A 32-byte big-endian value as an ABI word.
pub fn word(bytes: &[u8; 32]) -> U256 {
    U256::from_be_bytes(*bytes)
}

/// An ABI argument.
#[derive(Clone, Debug)]
pub enum Arg {
    /// A static word (integers, addresses, elements of static arrays).
    Word(U256),
    /// A dynamic `uint256[]` (or `address[]`).
    Words(Vec<U256>),
    /// A dynamic `bytes`.
    Bytes(Vec<u8>),
}

/// `selector(signature) ‖ encode(args)`.
pub fn call(signature: &str, args: &[Arg]) -> Vec<u8> {
    let mut data = selector(signature);
    data.extend(encode(args));
    data
}

/// The ABI encoding of `args` (constructor arguments, or a call's after its selector).
pub fn encode(args: &[Arg]) -> Vec<u8> {
    let head_len = 32 * args.len();
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    for arg in args {
        match arg {
            Arg::Word(value) => head.extend_from_slice(&value.to_be_bytes::<32>()),
            Arg::Words(values) => {
                head.extend_from_slice(&U256::from(head_len + tail.len()).to_be_bytes::<32>());
                tail.extend_from_slice(&U256::from(values.len()).to_be_bytes::<32>());
                for value in values {
                    tail.extend_from_slice(&value.to_be_bytes::<32>());
                }
            }
            Arg::Bytes(bytes) => {
                head.extend_from_slice(&U256::from(head_len + tail.len()).to_be_bytes::<32>());
                tail.extend_from_slice(&U256::from(bytes.len()).to_be_bytes::<32>());
                tail.extend_from_slice(bytes);
                tail.resize(tail.len().next_multiple_of(32), 0);
            }
        }
    }
    head.extend(tail);
    head
}

/// Static words as arguments.
pub fn words(values: &[U256]) -> Vec<Arg> {
    values.iter().copied().map(Arg::Word).collect()
}

/// The first returned word.
pub fn returned_word(output: &[u8]) -> U256 {
    U256::from_be_slice(&output[..32.min(output.len())])
}
