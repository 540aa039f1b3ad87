//! # vsies-secure-agg
//!
//! Secure aggregation of federated learning updates: clients encrypt quantized model updates
//! (from `vsies train`) under a committee's public key, an aggregator sums ciphertexts without
//! decrypting, and any `T` of `N` committee members jointly decrypt only the sample-weighted
//! sum (FedAvg), tolerating client dropouts and absent members.
//!
//! Status: planned (issue "Secure aggregation of federated updates under TFHE"). The crate
//! exists so the workspace layout is fixed; it exposes nothing yet.

/// The training-spec version whose quantized updates this crate will aggregate.
pub const SPEC_VERSION: u32 = 1;
