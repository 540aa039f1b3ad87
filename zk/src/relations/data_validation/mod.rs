//! The data-validation relation: what a proof states, and the layout every implementation of
//! it (the native commitment, the witness, the circuit) shares.
//!
//! **Statement** (public): the schema's content id (two field elements), the dataset
//! commitment, the row count `n` and a histogram per column. **Witness** (private): the
//! quantized dataset, at most `max_rows` rows.
//!
//! Each value is stored as its *offset* `u = q - lo` from the bottom `lo` of its column's
//! quantized range `[lo, hi]` (labels: the class index), so every column's valid values are
//! `0..=range`. The relation holds when:
//! - every offset is at most its column's `range` (each label one of the schema's classes);
//! - for every column, the counts of real rows falling in each bucket equal the histogram;
//! - the commitment is [`commit`] of the `n` rows.
//!
//! **Buckets** are the schema's: for a column of `range + 1` values and `buckets` buckets
//! (`min(buckets, range + 1)` of them), bucket `k` starts at offset
//! `floor(k * (range + 1) / buckets)`; the label column has one bucket per class.
//!
//! **Commitment.** The offsets, row by row and column by column, each in
//! `bits = bitlen(range)` bits, are packed into field elements: each element takes as many
//! whole offsets as fit in [`PAYLOAD_BITS`] bits, so rows share elements. The commitment is a
//! width-9 Poseidon sponge ([`crate::gadgets::poseidon`]) under the tag `vsies/data-commitment/v1`: one
//! block `[schema_hi, schema_lo]`, the packed elements zero-padded to whole blocks of 8, then a
//! block `[n]`. It depends on the schema and the data only (not on `max_rows`), so
//! `vsies encrypt` records the same value.

mod circuit;
mod commitment;
mod histogram;
mod inputs;
mod lookup;
mod multiplicities;
mod proof;
mod relation;
mod rows;

pub use circuit::constraint_count;
pub use proof::{Bucket, ColumnHistogram, DataProof};
pub(crate) use relation::COMMITMENT_DOMAIN;
pub use relation::{
    commit_dataset, Column, DataKeys, DataProver, DataRelation, DataVerifier, Offsets, RelationParams, Statement,
    DEFAULT_BUCKETS, MAX_BUCKETS, MAX_ROWS, PAYLOAD_BITS, RELATION,
};
