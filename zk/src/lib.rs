//! # vsies-zk
//!
//! Groth16 proofs on BN254 (arkworks 0.6). A generic engine ([`groth16`]) proves any
//! [`groth16::Relation`] with bounded-memory key generation and proving; the relations live in
//! [`relations`], each in its folder, built from the [`gadgets`] on the [`circuit`]
//! vocabulary. An unsatisfied witness is refused with the located constraint it breaks
//! ([`circuit::ConstraintFailure`]).
//!
//! Today's relation: a committed quantized dataset passes its schema
//! ([`relations::data_validation`]): every value in its column's range, every label one of the
//! schema's classes, a public per-column histogram exact, and a Poseidon commitment that opens
//! to the data. The statement reveals the schema, the row count, the commitment and the
//! histogram; nothing else about the data.
//!
//! ```
//! use ark_std::rand::{rngs::StdRng, SeedableRng};
//! use vsies_zk::{DataKeys, DataRelation};
//! # let (schema, dataset) = vsies_zk::doc_dataset();
//! let mut rng = StdRng::seed_from_u64(0); // tests only: real keys and proofs use OS entropy
//! let keys = DataKeys::setup(DataRelation::for_schema(&schema, 8, 4)?, &mut rng)?;
//! let proof = keys.prover.prove(&dataset, &mut rng)?;
//! let statement = keys.verifier.verify(&proof, "proof.json".as_ref())?;
//! assert_eq!(statement.rows, dataset.rows());
//! # Ok::<(), vsies_zk::ZkError>(())
//! ```
//!
//! Large relations (a proving key of gigabytes) generate their keys into files and prove
//! from the file, never holding the key or the constraint system in memory
//! ([`groth16::keygen`], [`groth16::prover`]); keys and proofs are the same bytes as above for
//! the same randomness:
//!
//! ```
//! use ark_std::rand::{rngs::StdRng, SeedableRng};
//! use vsies_zk::{DataKeys, DataProver, DataRelation};
//! # let (schema, dataset) = vsies_zk::doc_dataset();
//! # let dir = tempfile::tempdir().unwrap();
//! # let zk = dir.path();
//! let mut rng = StdRng::seed_from_u64(0); // tests only
//! let verifier = DataKeys::generate(DataRelation::for_schema(&schema, 8, 4)?, &mut rng, zk)?;
//! let prover = DataProver::load(zk)?; // reads zk/proving.key's header only
//! let proof = prover.prove(&dataset, &mut rng)?; // streams zk/proving.key once
//! verifier.verify(&proof, "proof.json".as_ref())?;
//! # Ok::<(), vsies_zk::ZkError>(())
//! ```
//!
//! Layering (no module imports one above it): [`progress`], [`field`] ← [`poseidon`] (native) ← [`transcript`] ← [`circuit`] ←
//! [`gadgets`] ← [`groth16`] (the engine imports no gadget and no relation) ← [`relations`].

pub mod ceremony;
pub mod circuit;
pub mod error;
pub mod field;
pub mod gadgets;
pub mod groth16;
pub mod poseidon;
pub mod progress;
pub mod relations;
pub mod transcript;

pub use error::ZkError;
pub use field::{field_bytes, field_hex};
pub use groth16::key_file::{PROVING_KEY_FILE, SNARKJS_VERIFYING_KEY_FILE, VERIFYING_KEY_FILE};
pub use groth16::{Keys, Prover, ProvingKeyLocation, Relation, Verifier};
pub use relations::data_validation::{
    commit_dataset, constraint_count, DataKeys, DataProof, DataProver, DataRelation, DataVerifier, Offsets, Statement,
    DEFAULT_BUCKETS,
};

/// The training-spec version whose relation this crate will prove.
pub const SPEC_VERSION: u32 = 1;

/// A three-feature schema and a five-row dataset for examples and tests.
#[doc(hidden)]
pub fn doc_dataset() -> (vsies_core::Schema, vsies_core::QuantizedDataset) {
    let schema = vsies_core::Schema::from_toml(
        r#"
name = "doc"
[label]
column = "y"
classes = ["no", "yes"]
[[features]]
name = "a"
min = -2.0
max = 2.0
mean = 0.0
scale = 1.0
[[features]]
name = "b"
min = 0.0
max = 1.0
mean = 0.5
scale = 0.25
[[features]]
name = "c"
min = -1.0
max = 3.0
mean = 1.0
scale = 2.0
"#,
    )
    .expect("a valid schema");
    let values = vec![-2.0, 0.0, -1.0, 1.5, 0.5, 0.0, 0.25, 1.0, 3.0, 2.0, 0.75, 2.5, 0.0, 0.1, 1.0];
    let raw = vsies_core::validate::RawDataset::from_rows(&schema, values, Some(vec![0, 1, 1, 0, 1]))
        .expect("rows inside the schema");
    let dataset = vsies_core::QuantizedDataset::from_raw(&schema, &raw).expect("the schema of the rows");
    (schema, dataset)
}

/// Synthetic datasets for benchmarks: `columns` features in `format`, each standardized range
/// `[-8, 8]` (so offsets span `16 * 2^frac_bits` values), uniform values and labels.
#[doc(hidden)]
pub fn synthetic_dataset(
    rows: usize,
    columns: usize,
    format: vsies_core::FixedFormat,
    seed: u64,
) -> (vsies_core::Schema, vsies_core::QuantizedDataset) {
    use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
    let features = (0..columns)
        .map(|i| vsies_core::FeatureColumn { name: format!("x{i}"), min: -8.0, max: 8.0, mean: 0.0, scale: 1.0 })
        .collect();
    let schema = vsies_core::Schema {
        name: "synthetic".into(),
        label: vsies_core::LabelColumn { column: "y".into(), classes: vec!["0".into(), "1".into()] },
        quantization: format,
        features,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let values = (0..rows * columns).map(|_| rng.gen_range(-8.0..=8.0)).collect();
    let labels = Some((0..rows).map(|_| rng.gen_range(0..2u8)).collect());
    let raw = vsies_core::validate::RawDataset::from_rows(&schema, values, labels).expect("rows inside the schema");
    let dataset = vsies_core::QuantizedDataset::from_raw(&schema, &raw).expect("the schema of the rows");
    (schema, dataset)
}
