//! Stage `statement`: the two public inputs (`node << 60` and the statement digest), and the
//! statement's values as witnesses that the later stages check and the last one hashes.

use super::relation::{DataRelation, Statement, COUNTS_PER_WORD, HISTOGRAM_COUNT_BITS, STATEMENT_DOMAIN};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::{pack_round_node, power_of_two};
use crate::gadgets::poseidon::{initial_state, RATE};
use crate::poseidon::domain;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// The statement as wires: the claimed values are private witnesses, bound by the digest.
pub(super) struct StatementWires {
    pub schema: Vec<Wire>,
    pub commitment: Wire,
    pub row_count: Wire,
    pub histogram: Vec<Vec<Wire>>,
    digest: Wire,
}

pub(super) fn allocate<S: ConstraintSink>(
    relation: &DataRelation,
    builder: &Builder<S>,
    statement: &Statement,
) -> Result<StatementWires, SynthesisError> {
    builder.stage("statement");
    builder.input(pack_round_node(0, &statement.node))?;
    let digest = builder.input(relation.digest(statement))?;
    let schema = relation.schema_elements().into_iter().map(Wire::constant).collect();
    let commitment = builder.witness(statement.commitment)?;
    let row_count = builder.witness(Fr::from(statement.rows as u64))?;
    let histogram = statement
        .histogram
        .iter()
        .map(|counts| counts.iter().map(|&count| builder.witness(Fr::from(count))).collect())
        .collect::<Result<_, _>>()?;
    Ok(StatementWires { schema, commitment, row_count, histogram, digest })
}

/// Stage `statement digest`: the sponge over `[params id, D, rows, histogram words…]` equals
/// the second input. The counts are checked against the multiplicities (stage `histogram`),
/// which bounds each by the row count, below `2^32`: the packing is injective.
pub(super) fn digest<S: ConstraintSink>(
    relation: &DataRelation,
    builder: &Builder<S>,
    statement: &StatementWires,
) -> Result<(), SynthesisError> {
    builder.stage("statement digest");
    let counts: Vec<&Wire> = statement.histogram.iter().flatten().collect();
    let mut elements =
        vec![Wire::constant(relation.params_element()), statement.commitment.clone(), statement.row_count.clone()];
    elements.extend(counts.chunks(COUNTS_PER_WORD).map(|chunk| {
        Wire::weighted_sum(
            chunk.iter().enumerate().map(|(i, &count)| (power_of_two(HISTOGRAM_COUNT_BITS * i as u32), count)),
        )
    }));
    let mut state = initial_state(domain(STATEMENT_DOMAIN));
    for block in elements.chunks(RATE) {
        state = builder.absorb_block(&state, block)?;
    }
    builder.enforce_equal_named("statement digest", &state[1], &statement.digest)
}
