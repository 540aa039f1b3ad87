//! # vsies-fhe
//!
//! The **E**ncrypt stage of VSIES and encrypted logistic-regression inference under TFHE
//! (tfhe-rs `core_crypto`). A data owner encrypts a [`vsies_core::QuantizedDataset`]; a compute
//! node holding only the evaluation key scores it with a model's clear quantized weights and
//! returns ciphertexts that decrypt to exactly the integer scores `z` of
//! `vsies_core::spec::score`, so `vsies decrypt -o` and `vsies predict -o` write identical files.
//!
//! Inference is one linear combination of LWE ciphertexts with clear integer weights per row:
//! no bootstrap, as Concrete ML does for logistic regression; the owner applies the decision
//! `z ≥ 0` after decryption. Parameters, encoding and the failure probability are in
//! [`params`]; what each key file reveals is in [`keys`].
//!
//! ```
//! use tfhe::core_crypto::commons::math::random::Seed;
//! use tfhe::core_crypto::commons::generators::DeterministicSeeder;
//! use tfhe::core_crypto::prelude::DefaultRandomGenerator;
//! use vsies_core::{ContentId, FixedFormat, QuantizedDataset};
//! use vsies_fhe::{EncryptedDataset, Keys};
//!
//! // Fixed seed for a reproducible doc test; real keys use `Keys::generate()`.
//! let mut seeder = DeterministicSeeder::<DefaultRandomGenerator>::new(Seed(7));
//! let keys = Keys::generate_with_seeder(&mut seeder);
//! let data = QuantizedDataset::from_values(
//!     ContentId::of(b"schema"), FixedFormat::FEATURES, 2, vec![3, -4, 127, -128], None,
//! ).unwrap();
//! let encrypted = EncryptedDataset::encrypt_with_secret_key(&data, &keys.secret)?;
//! assert_eq!(encrypted.decrypt(&keys.secret)?, data.values());
//! let from_public = EncryptedDataset::encrypt_with_public_key(&data, &keys.public)?;
//! assert_eq!(from_public.decrypt(&keys.secret)?, data.values());
//! # Ok::<(), vsies_fhe::FheError>(())
//! ```

pub mod backend;
pub mod dataset;
pub mod error;
pub mod external_product;
pub mod infer;
pub mod keys;
pub mod owned;
pub mod params;
pub mod proofs;
pub mod ring;
pub mod train;

#[cfg(feature = "cuda")]
pub use backend::Cuda;
pub use backend::{BootstrapBackend, Cpu, Emulated, LinearBackend};
pub use dataset::EncryptedDataset;
pub use error::FheError;
pub use infer::{infer, infer_with, EncryptedScores};
pub use keys::{EvaluationKey, Keys, PublicKey, SecretKey};
pub use owned::OwnedDatasets;
pub use proofs::{EncryptionCrs, TrainingCrs};
