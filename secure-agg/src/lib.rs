//! # vsies-secure-agg
//!
//! Secure aggregation of federated model updates: clients encrypt their weighted updates
//! under a committee's public key, an aggregator sums ciphertexts without decrypting, and any
//! `T` of the committee's `N` members jointly decrypt only the sum, which becomes the FedAvg
//! model ([`vsies_core::fedavg`]), bit for bit what plaintext FedAvg of the same models gives.
//!
//! | step | CLI | library |
//! |---|---|---|
//! | committee keys, without a dealer | `vsies agg dkg session|deal|reveal|check|finish` | [`dkg`] |
//! | committee keys, trusted dealer (tests, demos) | `vsies agg keygen --trusted-dealer --members N --threshold T -o committee/` | [`generate`], [`save_all`] |
//! | client encryption | `vsies agg encrypt model.json --public committee/public.key -o u.vsies` | [`EncryptedUpdate::encrypt`] |
//! | aggregation | `vsies agg sum u*.vsies -o sum.vsies` | [`EncryptedUpdate::sum_files`], [`Aggregator`] |
//! | partial decryption | `vsies agg decrypt-share sum.vsies --share committee/member-K.key -o pK` | [`DecryptionShare::decrypt`] |
//! | combination | `vsies agg combine sum.vsies pA pB pC -o model.json` | [`combine`] |
//!
//! Dropouts: a client that never submits is simply not in the sum (FedAvg weights by the rows
//! of the clients present), and up to `N - T` members may be absent from decryption.
//!
//! ```
//! use std::path::Path;
//! use tfhe::core_crypto::seeders::new_seeder;
//! use vsies_secure_agg::{combine, generate, Aggregator, Committee, DecryptionShare, EncryptedUpdate, ShareCheck};
//! # let model = vsies_secure_agg::doc_model();
//! let mut seeder = new_seeder();
//! let (public, shares) = generate(Committee::with_packing(3, 2, 1)?, seeder.as_mut());
//! let mut aggregator = Aggregator::new(EncryptedUpdate::encrypt(&public, &model, 7, seeder.as_mut())?);
//! aggregator.add(&EncryptedUpdate::encrypt(&public, &model, 7, seeder.as_mut())?, Path::new("client 2"))?;
//! let sum = aggregator.finish();
//! // All three members decrypt: with T + 1 shares every key piece is cross-checked between
//! // two holders, so a faulty share is caught (T = 2 shares would need `ShareCheck::Unchecked`).
//! let partials: Vec<_> = shares
//!     .iter()
//!     .map(|share| Ok((Path::new("share"), DecryptionShare::decrypt(share, &sum, seeder.as_mut())?)))
//!     .collect::<Result<_, vsies_secure_agg::AggError>>()?;
//! let average = combine(&sum, &partials, None, ShareCheck::CrossChecked)?;
//! assert_eq!(average.weights, model.weights);
//! assert_eq!(average.training_samples, 2 * model.training_samples);
//! # Ok::<(), vsies_secure_agg::AggError>(())
//! ```
//!
//! What each artifact reveals: `public.key` nothing; an encrypted update nothing about the
//! model beyond its shape, round and committee (the ciphertext is IND-CPA under RLWE);
//! `member-K.key` nothing alone or with fewer than `T - 1` others; a decryption share nothing
//! beyond the decrypted sum, up to statistical distance `2^-40` per value; the combined model
//! is the FedAvg result, which is what the round publishes. See
//! `docs/SECURE_AGGREGATION.md` for the parameters and bounds.

pub mod backend;
pub mod committee;
pub mod decrypt;
pub mod dkg;
pub mod error;
pub mod justify;
pub mod params;
pub mod proof;
mod ring;
pub mod signing;
pub mod update;

#[cfg(feature = "cuda")]
pub use backend::Cuda;
pub use backend::{Cpu, Emulated, SumBackend};
pub use committee::{generate, save_all, Committee, KeyShare, PublicKey};
pub use decrypt::{combine, combine_sum, DecryptionShare, ShareCheck};
pub use error::AggError;
pub use justify::{
    check_aggregate, check_aggregate_of, check_signed, lifetime_value_budget, DecryptionRecord, DEFAULT_MIN_CLIENTS,
    LIFETIME_DISTANCE_LOG2,
};
pub use proof::{prove_update, update_params, EncryptionRandomness, ProvedTraining, UpdateChecker, UpdateProof};
pub use signing::{Attestation, ClientKey, ClientRegistry, ClientSignature};
pub use update::{Aggregator, EncryptedUpdate};

/// A small trained model for the crate-level example.
#[doc(hidden)]
pub fn doc_model() -> vsies_core::Model {
    test_support::toy_model(3, 10)
}

#[doc(hidden)]
pub mod test_support {
    use tfhe::core_crypto::commons::math::random::Seed;
    use tfhe::core_crypto::seeders::Seeder;
    use vsies_core::Model;

    /// A seeder that counts up from a start value: reproducible test randomness.
    pub struct CountingSeeder(pub u128);

    impl Seeder for CountingSeeder {
        fn seed(&mut self) -> Seed {
            self.0 += 1;
            Seed(self.0)
        }
        fn is_available() -> bool {
            true
        }
    }

    /// A model with `features` weights spread over the whole 12-bit range and `samples` rows.
    pub fn toy_model(features: usize, samples: u64) -> Model {
        let weights = (0..features as i64).map(|i| (i * 977) % 4096 - 2048).collect();
        vsies_core::test_support::model("toy", weights, -17, samples)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    pub(crate) use crate::test_support::toy_model;
}
