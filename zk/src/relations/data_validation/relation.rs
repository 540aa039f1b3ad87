//! The relation's parameters, columns, statement and witness, and the native computations
//! (offsets, packing, commitment, histogram) that the circuit's stages mirror.

use crate::error::ZkError;
use crate::field::{bit_length, power_of_two, to_commitment};
use crate::groth16;
use crate::poseidon::{self, BlockSponge};
use ark_bn254::Fr;
use ark_ff::{PrimeField, Zero};
use serde::{Deserialize, Serialize};
use vsies_core::{ContentId, DataCommitment, QuantizedDataset, Schema};

/// Name and version of the relation; part of every key and proof.
pub const RELATION: &str = "vsies/data-validation/v2";
/// Buckets per feature column unless setup says otherwise.
pub const DEFAULT_BUCKETS: usize = 8;
/// Payload bits per packed element (below the 254-bit modulus, so packing is injective).
pub const PAYLOAD_BITS: u32 = 252;
/// Largest `max_rows` a relation may have.
pub const MAX_ROWS: usize = 1 << 24;
/// Most buckets per column.
pub const MAX_BUCKETS: usize = 1 << 10;
/// Lookup keys are `offset + column * KEY_STRIDE`.
const KEY_STRIDE: u64 = 1 << 32;

pub(crate) const COMMITMENT_DOMAIN: &str = "vsies/data-commitment/v1";
pub(crate) const MULTIPLICITY_DOMAIN: &str = "vsies/data-multiplicity/v1";
pub(crate) const CHALLENGE_DOMAIN: &str = "vsies/data-challenge/v1";
pub(crate) const STATEMENT_DOMAIN: &str = "vsies/data-statement/v1";
/// Bits of one bucket count in the statement digest's packed histogram words.
pub const HISTOGRAM_COUNT_BITS: u32 = 32;
/// Bucket counts per packed histogram word (224 of its bits).
pub const COUNTS_PER_WORD: usize = 7;

/// What the keys fix: the schema, the largest row count and the buckets per feature column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationParams {
    /// [`RELATION`].
    pub relation: String,
    /// The schema every proved dataset passes.
    pub schema: Schema,
    /// Most rows a proof covers (fewer are padded).
    pub max_rows: usize,
    /// Histogram buckets per feature column.
    pub buckets: usize,
}

/// One column of the relation (the features, then the label).
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// The column's name in the schema.
    pub name: String,
    /// The quantized value of offset 0 (labels: 0).
    pub lo: i64,
    /// Largest offset.
    pub range: u64,
    /// Bits of an offset: `bitlen(range)`.
    pub bits: u32,
    /// First offset of each bucket.
    pub bucket_starts: Vec<u64>,
}

impl Column {
    /// The bucket holding `offset`.
    pub fn bucket_of(&self, offset: u64) -> usize {
        self.bucket_starts.partition_point(|&start| start <= offset) - 1
    }

    /// Inclusive offsets of bucket `k`.
    pub fn bucket_bounds(&self, k: usize) -> (u64, u64) {
        let end = self.bucket_starts.get(k + 1).map_or(self.range, |next| next - 1);
        (self.bucket_starts[k], end)
    }
}

/// The relation for one schema, maximum row count and bucket count.
#[derive(Clone, Debug)]
pub struct DataRelation {
    /// What the keys fix.
    pub params: RelationParams,
    /// The schema's content id.
    pub schema_id: ContentId,
    /// The feature columns, then the label.
    pub columns: Vec<Column>,
    /// Bits of a lookup multiplicity: `bitlen(max_rows)`.
    pub multiplicity_bits: u32,
}

/// The public part of a proof. Its two public inputs are the vault's layout:
/// `node << 60` ([`crate::field::pack_round_node`] at round 0) and the statement digest
/// ([`DataRelation::digest`]) of everything else.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The chain account the proof is for (all zeros: none). The vault registers a dataset
    /// only for the account whose proof it is.
    pub node: [u8; 20],
    /// The dataset commitment `D`.
    pub commitment: Fr,
    /// Rows proved (at most the keys' maximum).
    pub rows: usize,
    /// Counts per column and bucket, real rows only.
    pub histogram: Vec<Vec<u64>>,
}

impl DataRelation {
    /// The relation for `params`, after checking them.
    pub fn new(params: RelationParams) -> Result<Self, ZkError> {
        if params.relation != RELATION {
            return Err(ZkError::Relation(format!("unknown relation `{}` (expected `{RELATION}`)", params.relation)));
        }
        if !(1..=MAX_ROWS).contains(&params.max_rows) {
            return Err(ZkError::Relation(format!("max rows must be 1 to {MAX_ROWS}, not {}", params.max_rows)));
        }
        if !(1..=MAX_BUCKETS).contains(&params.buckets) {
            return Err(ZkError::Relation(format!("buckets must be 1 to {MAX_BUCKETS}, not {}", params.buckets)));
        }
        let schema = &params.schema;
        let mut columns = Vec::with_capacity(schema.features.len() + 1);
        for (index, feature) in schema.features.iter().enumerate() {
            let (lo, hi) = schema.quantized_bounds(index);
            let range = (hi - lo) as u64;
            let buckets = (params.buckets as u64).min(range + 1);
            let bucket_starts = (0..buckets).map(|k| k * (range + 1) / buckets).collect();
            columns.push(Column { name: feature.name.clone(), lo, range, bits: bit_length(range), bucket_starts });
        }
        let classes = schema.label.classes.len() as u64;
        columns.push(Column {
            name: schema.label.column.clone(),
            lo: 0,
            range: classes - 1,
            bits: bit_length(classes - 1),
            bucket_starts: (0..classes).collect(),
        });
        let multiplicity_bits = bit_length(params.max_rows as u64);
        Ok(Self { schema_id: schema.content_id(), params, columns, multiplicity_bits })
    }

    /// The relation for `schema` with the default buckets.
    pub fn for_schema(schema: &Schema, max_rows: usize, buckets: usize) -> Result<Self, ZkError> {
        Self::new(RelationParams { relation: RELATION.into(), schema: schema.clone(), max_rows, buckets })
    }

    /// Most rows a proof covers.
    pub fn max_rows(&self) -> usize {
        self.params.max_rows
    }

    /// Entries of the lookup table: every valid offset of every column.
    pub fn table_len(&self) -> usize {
        self.columns.iter().map(|column| column.range as usize + 1).sum()
    }

    /// Multiplicities packed per field element.
    pub fn multiplicities_per_element(&self) -> usize {
        (PAYLOAD_BITS / self.multiplicity_bits) as usize
    }

    /// The lookup key of `offset` in `column`.
    pub fn key(column: usize, offset: u64) -> Fr {
        Fr::from(offset) + Fr::from(column as u64) * Fr::from(KEY_STRIDE)
    }

    /// The schema's content id as two field elements (the digest's high and low 128 bits).
    pub fn schema_elements(&self) -> [Fr; 2] {
        let digest = self.schema_id.digest();
        [Fr::from_be_bytes_mod_order(&digest[..16]), Fr::from_be_bytes_mod_order(&digest[16..])]
    }

    /// The parameters' id: the content id of their JSON.
    pub fn params_id(&self) -> ContentId {
        ContentId::of(&serde_json::to_vec(&self.params).expect("parameters serialize"))
    }

    /// [`DataRelation::params_id`] as one field element (its digest mod r): how a statement
    /// names its keys and the vault the verifier for them.
    pub fn params_element(&self) -> Fr {
        crate::field::params_element(&self.params)
    }

    /// The histogram's counts (column by column, bucket by bucket) packed
    /// [`COUNTS_PER_WORD`] to a word, count `i` of a word at bit `32 i`: what the statement
    /// digest absorbs and the vault takes as calldata.
    pub fn histogram_words(histogram: &[Vec<u64>]) -> Vec<Fr> {
        let counts: Vec<u64> = histogram.iter().flatten().copied().collect();
        counts
            .chunks(COUNTS_PER_WORD)
            .map(|chunk| {
                chunk
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| Fr::from(c) * power_of_two(HISTOGRAM_COUNT_BITS * i as u32))
                    .sum()
            })
            .collect()
    }

    /// The statement digest: a Poseidon sponge under `vsies/data-statement/v1` over
    /// `[params id, D, rows, histogram words…]`, zero-padded to whole blocks.
    pub fn digest(&self, statement: &Statement) -> Fr {
        let mut sponge = BlockSponge::new(poseidon::domain(STATEMENT_DOMAIN));
        sponge.absorb(&self.digest_elements(statement));
        sponge.digest()
    }

    fn digest_elements(&self, statement: &Statement) -> Vec<Fr> {
        let mut elements = vec![self.params_element(), statement.commitment, Fr::from(statement.rows as u64)];
        elements.extend(Self::histogram_words(&statement.histogram));
        elements
    }

    /// Buckets over all columns.
    pub fn bucket_count(&self) -> usize {
        self.columns.iter().map(|column| column.bucket_starts.len()).sum()
    }

    /// Permutations of the statement digest.
    pub fn digest_blocks(&self) -> usize {
        poseidon::block_count(3 + self.bucket_count().div_ceil(COUNTS_PER_WORD))
    }

    /// Public inputs in circuit order: `node << 60`, the statement digest.
    pub fn public_inputs(&self, statement: &Statement) -> Vec<Fr> {
        vec![crate::field::pack_round_node(0, &statement.node), self.digest(statement)]
    }

    /// Number of public inputs.
    pub fn public_input_count(&self) -> usize {
        2
    }

    /// The offsets of `dataset` (features then label, row by row), checked against the
    /// relation: the error names the first row and column out of range.
    pub fn offsets(&self, dataset: &QuantizedDataset) -> Result<Offsets, ZkError> {
        if dataset.schema_id() != self.schema_id {
            return Err(ZkError::SchemaMismatch { expected: self.schema_id, found: dataset.schema_id() });
        }
        let labels = dataset.labels().ok_or(ZkError::MissingLabels)?;
        let rows = dataset.rows();
        if labels.len() != rows {
            return Err(ZkError::MissingLabels);
        }
        if rows > self.max_rows() {
            return Err(ZkError::TooManyRows { rows, max_rows: self.max_rows() });
        }
        let width = self.columns.len();
        let mut offsets = Vec::with_capacity(rows * width);
        for (row, &label) in labels.iter().enumerate().take(rows) {
            let values = dataset.row(row).iter().map(|&q| i64::from(q)).chain([i64::from(label)]);
            for (layout, value) in self.columns.iter().zip(values) {
                let offset = value - layout.lo;
                if offset < 0 || offset as u64 > layout.range {
                    return Err(ZkError::OutOfRange {
                        row,
                        column: layout.name.clone(),
                        value,
                        min: layout.lo,
                        max: layout.lo + layout.range as i64,
                    });
                }
                offsets.push(offset as u64);
            }
        }
        Ok(Offsets { width, values: offsets })
    }

    /// Where each offset of `rows` rows sits: `(element, shift)`, in stream order. Whole
    /// offsets fill an element up to [`PAYLOAD_BITS`]; the layout of a prefix of rows does not
    /// depend on how many rows follow.
    pub fn layout(&self, rows: usize) -> Vec<(usize, u32)> {
        let mut layout = Vec::with_capacity(rows * self.columns.len());
        let (mut element, mut used) = (0, 0);
        for _ in 0..rows {
            for column in &self.columns {
                if used + column.bits > PAYLOAD_BITS {
                    element += 1;
                    used = 0;
                }
                layout.push((element, used));
                used += column.bits;
            }
        }
        layout
    }

    /// The packed elements of `offsets`' rows.
    pub fn pack(&self, offsets: &Offsets) -> Vec<Fr> {
        let layout = self.layout(offsets.row_count());
        let mut elements = vec![Fr::zero(); layout.last().map_or(0, |(element, _)| element + 1)];
        for (&value, &(element, shift)) in offsets.values.iter().zip(&layout) {
            elements[element] += Fr::from(value) * power_of_two(shift);
        }
        elements
    }

    /// The commitment to the rows of `offsets`.
    pub fn commit(&self, offsets: &Offsets) -> Fr {
        let mut sponge = BlockSponge::new(poseidon::domain(COMMITMENT_DOMAIN));
        sponge.absorb(&self.schema_elements());
        sponge.absorb(&self.pack(offsets));
        sponge.absorb(&[Fr::from(offsets.row_count() as u64)]);
        sponge.digest()
    }

    /// The histogram of the rows of `offsets`.
    pub fn histogram(&self, offsets: &Offsets) -> Vec<Vec<u64>> {
        let mut histogram: Vec<Vec<u64>> =
            self.columns.iter().map(|column| vec![0; column.bucket_starts.len()]).collect();
        for row in offsets.rows() {
            for (column, &offset) in row.iter().enumerate() {
                histogram[column][self.columns[column].bucket_of(offset)] += 1;
            }
        }
        histogram
    }

    /// The commitment to `dataset` under `schema`, as `vsies encrypt` records it: the same
    /// value a proof for any `max_rows` states. Errors for a dataset of another schema, one
    /// without labels (the commitment covers the label column) or values outside the schema.
    pub fn commit_dataset(schema: &Schema, dataset: &QuantizedDataset) -> Result<DataCommitment, ZkError> {
        let relation = Self::for_schema(schema, MAX_ROWS, 1)?;
        Ok(to_commitment(&relation.commit(&relation.offsets(dataset)?)))
    }

    /// Checks that `schema` is the schema these keys were made for.
    pub fn check_schema(&self, schema: &Schema) -> Result<(), ZkError> {
        if schema.content_id() != self.schema_id {
            return Err(ZkError::SchemaMismatch { expected: self.schema_id, found: schema.content_id() });
        }
        Ok(())
    }

    /// The statement that `offsets` satisfies, for no chain account.
    pub fn statement(&self, offsets: &Offsets) -> Statement {
        self.statement_for(offsets, [0; 20])
    }

    /// The statement that `offsets` satisfies, for the chain account `node`.
    pub fn statement_for(&self, offsets: &Offsets, node: [u8; 20]) -> Statement {
        Statement {
            node,
            commitment: self.commit(offsets),
            rows: offsets.rows().len(),
            histogram: self.histogram(offsets),
        }
    }
}

/// The offsets of a dataset's rows (features, then the label), row-major: the witness.
#[derive(Clone, Debug, PartialEq)]
pub struct Offsets {
    /// Columns per row (features and the label).
    pub width: usize,
    /// `rows * width` offsets.
    pub values: Vec<u64>,
}

impl Offsets {
    /// The rows.
    pub fn rows(&self) -> std::slice::Chunks<'_, u64> {
        self.values.chunks(self.width.max(1))
    }

    /// How many rows.
    pub fn row_count(&self) -> usize {
        self.values.len() / self.width.max(1)
    }
}

/// The commitment `vsies encrypt` records and a validation proof states for `dataset`.
pub fn commit_dataset(schema: &Schema, dataset: &QuantizedDataset) -> Result<DataCommitment, ZkError> {
    DataRelation::commit_dataset(schema, dataset)
}

/// The data-validation relation's keys.
pub type DataKeys = groth16::Keys<DataRelation>;
/// The data-validation relation's prover.
pub type DataProver = groth16::Prover<DataRelation>;
/// The data-validation relation's verifier.
pub type DataVerifier = groth16::Verifier<DataRelation>;
