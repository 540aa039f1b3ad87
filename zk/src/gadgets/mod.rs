//! Gadgets: reusable pieces of circuits built on [`crate::circuit::Builder`] that relations
//! import (never the reverse): bit decompositions, the Poseidon permutation and sponge,
//! logUp lookups and long sums.

pub mod bits;
pub mod challenge;
pub mod lookup;
pub mod poseidon;
pub mod sum;

pub use sum::NamedSum;
