//! The naive relations the benchmarks compare against, proved with plain arkworks: per-bit
//! range decompositions where vsies's relations use lookups.
//!
//! | relation | name | baseline for |
//! |---|---|---|
//! | [`data`] | `vsies/naive-range/v1` | data validation: 16 booleans per value, a sponge over unpacked values |
//! | [`training`] | `vsies/naive-training/v1` | training: the same circuit with every lookup a bit decomposition |

pub mod data;
pub mod training;

pub use data::{NaiveParams, NaiveRelation, RELATION, VALUE_BITS};
