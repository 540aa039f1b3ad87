//! Stage `statement`: the public inputs, in [`super::DataRelation::public_inputs`] order.

use super::relation::{DataRelation, Statement};
use crate::circuit::{Builder, ConstraintSink, Wire};
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// The public inputs as wires.
pub(super) struct StatementWires {
    pub schema: Vec<Wire>,
    pub commitment: Wire,
    pub row_count: Wire,
    pub histogram: Vec<Vec<Wire>>,
}

pub(super) fn allocate<S: ConstraintSink>(
    relation: &DataRelation,
    builder: &Builder<S>,
    statement: &Statement,
) -> Result<StatementWires, SynthesisError> {
    builder.stage("statement");
    let schema = relation.schema_elements().into_iter().map(|e| builder.input(e)).collect::<Result<_, _>>()?;
    let commitment = builder.input(statement.commitment)?;
    let row_count = builder.input(Fr::from(statement.rows as u64))?;
    let histogram = statement
        .histogram
        .iter()
        .map(|counts| counts.iter().map(|&count| builder.input(Fr::from(count))).collect())
        .collect::<Result<_, _>>()?;
    Ok(StatementWires { schema, commitment, row_count, histogram })
}
