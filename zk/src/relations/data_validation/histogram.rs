//! Stage `histogram`: each public bucket count is the sum of its offsets' multiplicities, less
//! the padding rows counted at offset 0.

use super::inputs::StatementWires;
use super::multiplicities::MultiplicityWires;
use super::relation::DataRelation;
use crate::circuit::{Builder, ConstraintSink, Wire};
use ark_bn254::Fr;
use ark_ff::One;
use ark_relations::gr1cs::SynthesisError;

pub(super) fn build<S: ConstraintSink>(
    relation: &DataRelation,
    builder: &Builder<S>,
    statement: &StatementWires,
    multiplicities: &MultiplicityWires,
) -> Result<(), SynthesisError> {
    builder.stage("histogram");
    let padding = Wire::constant(Fr::from(relation.max_rows() as u64)).sub(&statement.row_count);
    let columns = relation.columns.iter().zip(&multiplicities.multiplicities).zip(&statement.histogram);
    for (index, ((column, column_multiplicities), counts)) in columns.enumerate() {
        for (bucket, count) in counts.iter().enumerate() {
            builder.locate(&[("column", index), ("bucket", bucket)]);
            let (first, last) = column.bucket_bounds(bucket);
            let sum = Wire::weighted_sum(
                column_multiplicities[first as usize..=last as usize].iter().map(|m| (Fr::one(), m)),
            );
            let expected = if bucket == 0 { count.add(&padding) } else { count.clone() };
            builder.enforce_equal_named("bucket count", &sum, &expected)?;
        }
    }
    Ok(())
}
