//! The relations vsies proves, each in its own folder, each a [`crate::groth16::Relation`]:
//!
//! | relation | name | what a proof states |
//! |---|---|---|
//! | [`data_validation`] | `vsies/data-validation/v2` | a committed quantized dataset passes its schema; its histogram |
//! | [`training`] | `vsies/training/v1` | the spec's training on the rows committed by `D` takes `W_in` to `W_out` |
//! | [`update`] | `vsies/update/v1` | a committee-encrypted update is an honest encryption of `n·W_out` and `n` for a committed model |
//! | [`key_contribution`] | `vsies/key-contribution/v1` | a key-generation contribution is `a·s + e` (binary `s`, small `e`) and its dealt pieces sum to `s` |
//! | [`naive`] | `vsies/naive-range/v1`, `vsies/naive-training/v1` | the benchmarks' baselines, without lookups |

pub mod data_validation;
pub mod key_contribution;
pub mod model_commitment;
pub mod naive;
pub mod ring;
pub mod training;
pub mod update;
