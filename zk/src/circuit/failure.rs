//! Located constraint failures: which relation, stage and constraint an unsatisfied witness
//! breaks, and where in the data it sits.
//!
//! The witness values are secret (they are the data being proved about), so a failure's
//! [`Display`](std::fmt::Display) never shows them; [`ConstraintFailure::with_values`] shows
//! them, for a debugging session that asked for them (`vsies prove … --debug`).

use ark_bn254::Fr;
use ark_ff::PrimeField;
use std::fmt;

/// Where a constraint sits in the relation's data: up to three `(label, index)` pairs, set by
/// the relation as it builds its stages (`row 3, column 1`; `epoch 2, batch 5, feature 7`).
/// Copyable and allocation-free, because it is set for millions of constraints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Location {
    labels: [&'static str; 3],
    indices: [usize; 3],
    len: u8,
}

impl Location {
    /// No location (a constraint about the whole statement).
    pub const NONE: Self = Self { labels: [""; 3], indices: [0; 3], len: 0 };

    /// A location from up to three pairs (more are ignored).
    pub fn new(pairs: &[(&'static str, usize)]) -> Self {
        let mut location = Self::NONE;
        for &(label, index) in pairs.iter().take(3) {
            location.labels[location.len as usize] = label;
            location.indices[location.len as usize] = index;
            location.len += 1;
        }
        location
    }

    /// The `(label, index)` pairs.
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.labels.iter().copied().zip(self.indices.iter().copied()).take(self.len as usize)
    }
}

/// The first constraint an assignment does not satisfy, as the builder saw it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RawFailure {
    pub index: usize,
    pub stage: &'static str,
    pub constraint: &'static str,
    pub location: Location,
    /// `A·z`, `B·z`, `C·z`.
    pub values: [Fr; 3],
}

/// An unsatisfied constraint, located: the relation, its stage, the constraint's name and
/// index, and its place in the data with indices already named by the relation (a column's
/// name rather than its number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstraintFailure {
    /// The relation's name and version.
    pub relation: String,
    /// The stage of the relation that enforces the constraint.
    pub stage: &'static str,
    /// The constraint's name within its gadget or stage.
    pub constraint: &'static str,
    /// Its index in enforcement order.
    pub index: usize,
    /// Where it sits, as `(label, value)` pairs.
    pub location: Vec<(&'static str, String)>,
    values: [String; 3],
}

impl ConstraintFailure {
    pub(crate) fn new(relation: &str, raw: RawFailure, describe: impl Fn(&str, usize) -> String) -> Self {
        Self {
            relation: relation.into(),
            stage: raw.stage,
            constraint: raw.constraint,
            index: raw.index,
            location: raw.location.pairs().map(|(label, index)| (label, describe(label, index))).collect(),
            values: raw.values.map(|value| value.into_bigint().to_string()),
        }
    }

    /// The failure with the secret witness values: `A·z`, `B·z` and `C·z` of the constraint.
    /// Only for a debugging session that asked for them.
    pub fn with_values(&self) -> String {
        let [a, b, c] = &self.values;
        format!("{self}; witness values: A·z = {a}, B·z = {b}, C·z = {c} (A·z · B·z ≠ C·z)")
    }
}

impl fmt::Display for ConstraintFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "relation {}, stage `{}`, constraint `{}` (#{})",
            self.relation, self.stage, self.constraint, self.index
        )?;
        for (label, value) in &self.location {
            write!(f, ", {label} {value}")?;
        }
        Ok(())
    }
}
