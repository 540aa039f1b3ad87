//! What the relations over the committee's ring `Z_{2^128}[X]/(X^n + 1)` share (the update
//! relation and the key-contribution relation): each proves integer identities
//! `key·r + e − stored − 2^128·K = (X^n + 1)·H` at a challenge point, with the native
//! computation of their witnesses beside the gadgets that check them.

mod gadgets;
mod native;

pub(crate) use gadgets::{committed_signed, evaluate, identity};
pub(crate) use native::{evaluate_u128, negacyclic_product, signed, split_identity};

/// Bits of the ciphertext modulus `q = 2^128`.
pub const MODULUS_BITS: u32 = 128;
