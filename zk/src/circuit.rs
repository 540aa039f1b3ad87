//! The data-validation circuit ([`crate::relation`] says what it proves).
//!
//! Per value: `bits` boolean constraints make its offset canonical, so the packed encoding that
//! the commitment hashes is injective; then one constraint enrols it in a logUp lookup
//! argument, `sum_values 1/(gamma - key) = sum_table m/(gamma - key)`, which proves every
//! offset is in its column's table and that the multiplicities `m` count them exactly. The
//! histogram is then a linear function of the multiplicities (free). The challenge `gamma` is
//! Poseidon of the data commitment and of a commitment to the (bit-checked) multiplicities,
//! so neither can depend on it.
//!
//! Padding: rows `n..max_rows` are inactive (a monotone boolean flag per row sums to `n`) and
//! all-zero; they count `max_rows - n` times at offset 0 of every column, which the histogram
//! constraints subtract, and the sponge skips every block whose first offset is theirs, so the
//! commitment equals the native one over `n` rows.

use crate::gadget::{batch_inverses, initial_state, Builder, ConstraintSink, NamedSum, Wire};
use crate::poseidon::{self, RATE};
use crate::relation::{
    block_count, power_of_two, DataRelation, Offsets, Statement, CHALLENGE_DOMAIN, COMMITMENT_DOMAIN,
    MULTIPLICITY_DOMAIN,
};
use ark_bn254::Fr;
use ark_ff::One;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

/// The circuit for one relation: a dataset's offsets (the witness) and the statement claimed
/// about them (the public inputs). [`DataCircuit::new`] claims the true statement; the
/// soundness tests claim false ones.
pub struct DataCircuit<'a> {
    pub relation: &'a DataRelation,
    pub offsets: Offsets,
    pub statement: Statement,
}

impl<'a> DataCircuit<'a> {
    pub fn new(relation: &'a DataRelation, offsets: Offsets) -> Self {
        let statement = relation.statement(&offsets);
        Self { relation, offsets, statement }
    }

    /// The circuit for key generation: no rows (a valid, all-padding witness).
    pub fn for_setup(relation: &'a DataRelation) -> Self {
        Self::new(relation, Offsets { width: relation.columns.len(), values: Vec::new() })
    }
}

/// Constraints of the circuit for `relation`, computed from its layout (the tests check it
/// against the constraint system).
pub fn constraint_count(relation: &DataRelation) -> usize {
    let rows = relation.max_rows();
    let value_bits: usize = relation.columns.iter().map(|column| column.bits as usize).sum();
    let per_row = 3 + value_bits + relation.columns.len();
    let data_blocks = block_count(relation.layout(rows).last().map_or(0, |(element, _)| element + 1));
    let table = relation.table_len();
    let multiplicity_blocks = block_count(table.div_ceil(relation.multiplicities_per_element()));
    let buckets: usize = relation.columns.iter().map(|column| column.bucket_starts.len()).sum();
    let permutations = 1 + data_blocks + 1 + multiplicity_blocks + 1;
    per_row * rows - 1 // the first row has no monotonicity constraint
        + 1 // active rows sum to n
        + permutations * poseidon::CONSTRAINTS_PER_PERMUTATION
        + data_blocks * poseidon::WIDTH
        + 1 // commitment
        + table * (relation.multiplicity_bits as usize + 1)
        + 1 // lookup sums
        + buckets
}

impl ConstraintSynthesizer<Fr> for DataCircuit<'_> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(&Builder::new(cs))
    }
}

impl DataCircuit<'_> {
    /// Builds the circuit into `builder`'s sink.
    pub fn synthesize<S: ConstraintSink>(&self, builder: &Builder<S>) -> Result<(), SynthesisError> {
        let relation = self.relation;
        let statement = &self.statement;
        let rows = self.offsets.row_count();
        let max_rows = relation.max_rows();
        let width = relation.columns.len();
        if rows > max_rows || self.offsets.width != width || self.offsets.values.len() != rows * width {
            return Err(SynthesisError::Unsatisfiable);
        }
        let one = Wire::constant(Fr::one());

        // Public inputs, in `DataRelation::public_inputs` order.
        let schema: Vec<Wire> =
            relation.schema_elements().into_iter().map(|e| builder.input(e)).collect::<Result<_, _>>()?;
        let commitment = builder.input(statement.commitment)?;
        let row_count = builder.input(Fr::from(statement.rows as u64))?;
        let histogram: Vec<Vec<Wire>> = statement
            .histogram
            .iter()
            .map(|counts| counts.iter().map(|&count| builder.input(Fr::from(count))).collect())
            .collect::<Result<_, _>>()?;

        // Rows: activity flags, canonical offsets, packed elements.
        let zeros = vec![0u64; width];
        let layout = relation.layout(max_rows);
        let mut active: Vec<Wire> = Vec::with_capacity(max_rows);
        let mut offsets: Vec<Wire> = Vec::with_capacity(max_rows * width);
        let element_count = layout.last().map_or(0, |(element, _)| element + 1);
        let mut elements: Vec<Wire> = vec![Wire::zero(); element_count];
        // The row of each element's first offset.
        let mut first_row = vec![usize::MAX; element_count];
        for row in 0..max_rows {
            let values = if row < rows { &self.offsets.values[row * width..(row + 1) * width] } else { &zeros[..] };
            let flag = builder.boolean(row < rows)?;
            if let Some(previous) = active.last() {
                builder.enforce_product(&flag, &one.sub(previous), &Wire::zero())?;
            }
            let row_offsets: Vec<Wire> = relation
                .columns
                .iter()
                .zip(values)
                .map(|(column, &value)| builder.bits(value, column.bits).and_then(|wire| builder.named(wire)))
                .collect::<Result<_, _>>()?;
            let total = Wire::weighted_sum(row_offsets.iter().map(|wire| (Fr::one(), wire)));
            builder.enforce_product(&one.sub(&flag), &total, &Wire::zero())?;
            for (offset, &(element, shift)) in row_offsets.iter().zip(&layout[row * width..(row + 1) * width]) {
                elements[element] = elements[element].add(&offset.scale(power_of_two(shift)));
                first_row[element] = first_row[element].min(row);
            }
            offsets.extend(row_offsets);
            active.push(flag);
        }
        builder.enforce_equal(&Wire::sum(&active), &row_count)?;

        // Commitment: the schema block, the data blocks whose first offset is in a real row,
        // then the row count.
        let mut state = builder.absorb_block(&initial_state(poseidon::domain(COMMITMENT_DOMAIN)), &schema)?;
        for (block, chunk) in elements.chunks(RATE).enumerate() {
            let chunk: Vec<Wire> =
                chunk.iter().map(|element| builder.named(element.clone())).collect::<Result<_, _>>()?;
            let absorbed = builder.absorb_block(&state, &chunk)?;
            state = builder.select_state(&active[first_row[block * RATE]], &absorbed, &state)?;
        }
        state = builder.absorb_block(&state, std::slice::from_ref(&row_count))?;
        builder.enforce_equal(&state[1], &commitment)?;

        // Multiplicities over all rows (padding counts at offset 0), canonical in their bits.
        let mut counts: Vec<Vec<u64>> =
            relation.columns.iter().map(|column| vec![0; column.range as usize + 1]).collect();
        for row in self.offsets.rows() {
            for (column, &offset) in row.iter().enumerate() {
                // An offset outside the table has no multiplicity: the lookup fails.
                if let Some(count) = counts[column].get_mut(offset as usize) {
                    *count += 1;
                }
            }
        }
        counts.iter_mut().for_each(|column| column[0] += (max_rows - rows) as u64);
        let multiplicities: Vec<Vec<Wire>> = counts
            .iter()
            .map(|column| {
                column
                    .iter()
                    .map(|&m| builder.bits(m, relation.multiplicity_bits).and_then(|wire| builder.named(wire)))
                    .collect()
            })
            .collect::<Result<_, _>>()?;
        let flat: Vec<&Wire> = multiplicities.iter().flatten().collect();
        let per_element = relation.multiplicities_per_element();
        let packed: Vec<Wire> = flat
            .chunks(per_element)
            .map(|chunk| {
                Wire::weighted_sum(
                    chunk.iter().enumerate().map(|(i, &m)| (power_of_two(relation.multiplicity_bits * i as u32), m)),
                )
            })
            .collect();
        let mut multiplicity_state = initial_state(poseidon::domain(MULTIPLICITY_DOMAIN));
        for chunk in packed.chunks(RATE) {
            multiplicity_state = builder.absorb_block(&multiplicity_state, chunk)?;
        }
        let gamma = builder.hash_block(
            poseidon::domain(CHALLENGE_DOMAIN),
            &[commitment.clone(), multiplicity_state[1].clone(), row_count.clone()],
        )?;

        // logUp: every value's key is in the table, counted by the multiplicities.
        // One batch inversion for all the lookup terms' denominators `gamma - key`.
        let value_keys =
            offsets.iter().enumerate().map(|(index, offset)| offset.value + DataRelation::key(index % width, 0));
        let table_keys = multiplicities.iter().enumerate().flat_map(|(column, column_multiplicities)| {
            (0..column_multiplicities.len() as u64).map(move |offset| DataRelation::key(column, offset))
        });
        let denominators: Vec<Fr> = value_keys.chain(table_keys).map(|key| gamma.value - key).collect();
        let mut inverses = batch_inverses(&denominators).into_iter();
        drop(denominators);
        let mut lookups = NamedSum::default();
        for (index, offset) in offsets.iter().enumerate() {
            let key = offset.add_constant(DataRelation::key(index % width, 0));
            let inverse = inverses.next().expect("one inverse per value");
            lookups.push(builder, builder.div_by_inverse(&one, &gamma.sub(&key), inverse)?)?;
        }
        let mut table = NamedSum::default();
        for (column, column_multiplicities) in multiplicities.iter().enumerate() {
            for (offset, m) in column_multiplicities.iter().enumerate() {
                let key = Wire::constant(DataRelation::key(column, offset as u64));
                let inverse = inverses.next().expect("one inverse per table entry");
                table.push(builder, builder.div_by_inverse(m, &gamma.sub(&key), inverse)?)?;
            }
        }
        builder.enforce_equal(&lookups.finish(), &table.finish())?;

        // Histogram: bucket sums of the multiplicities, less the padding at offset 0.
        let padding = Wire::constant(Fr::from(max_rows as u64)).sub(&row_count);
        for ((column, column_multiplicities), counts) in relation.columns.iter().zip(&multiplicities).zip(&histogram) {
            for (bucket, count) in counts.iter().enumerate() {
                let (first, last) = column.bucket_bounds(bucket);
                let sum = Wire::weighted_sum(
                    column_multiplicities[first as usize..=last as usize].iter().map(|m| (Fr::one(), m)),
                );
                let expected = if bucket == 0 { count.add(&padding) } else { count.clone() };
                builder.enforce_equal(&sum, &expected)?;
            }
        }
        Ok(())
    }
}
