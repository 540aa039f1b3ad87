//! Stage `lookup`: every value the training checks by a table, gathered as the stages record
//! them, then the multiplicities (committed), the challenges and one logUp identity.

use super::relation::TrainingRelation;
use super::tables::Tables;
use crate::circuit::{Builder, ConstraintSink, Location, Wire};
use crate::field::small_integer;
use crate::gadgets::lookup::enforce_log_up;
use ark_bn254::Fr;
use ark_relations::gr1cs::SynthesisError;

/// One recorded lookup: table, input, output (two-column tables) and where it was made.
struct Lookup {
    table: u64,
    x: Wire,
    y: Option<Wire>,
    location: Location,
}

/// The lookups of one circuit and the counts their inputs give each table entry.
pub(super) struct Lookups<'a> {
    tables: &'a Tables,
    entries: Vec<Lookup>,
    counts: Vec<u64>,
}

impl<'a> Lookups<'a> {
    pub fn new(tables: &'a Tables) -> Self {
        Self { tables, entries: Vec::new(), counts: vec![0; tables.entries()] }
    }

    /// Records that `x` (and `y`, for a two-column table) is in `table`, at the builder's
    /// current location.
    pub fn record<S: ConstraintSink>(&mut self, builder: &Builder<S>, table: u64, x: Wire, y: Option<Wire>) {
        // A value outside its table counts nowhere: the identity then fails (and is located).
        if let Some(index) = small_integer(&x.value).and_then(|x| self.tables.index(table, x)) {
            self.counts[index] += 1;
        }
        self.entries.push(Lookup { table, x, y, location: builder.location() });
    }

    /// The multiplicities (committed), the challenges `γ, β`, the keys `x + β·y + β²·id` and
    /// the logUp identity.
    pub fn enforce<S: ConstraintSink>(
        self,
        relation: &TrainingRelation,
        builder: &Builder<S>,
    ) -> Result<(), SynthesisError> {
        builder.stage("lookup");
        let multiplicities: Vec<Wire> =
            self.counts.iter().map(|&count| builder.committed_witness(Fr::from(count))).collect::<Result<_, _>>()?;
        let challenges = builder.challenges(2)?;
        let (gamma, beta) = (&challenges[0], &challenges[1]);
        let beta_squared = builder.mul(beta, beta)?;
        // Two-column lookups need `β · y`: one product each, made before the quotients.
        let products: Vec<Option<Wire>> = self
            .entries
            .iter()
            .map(|entry| {
                builder.set_location(entry.location);
                entry.y.as_ref().map(|y| builder.mul(beta, y)).transpose()
            })
            .collect::<Result<_, _>>()?;
        let key = |index: usize| {
            let entry = &self.entries[index];
            let mut key = entry.x.add(&beta_squared.scale(Fr::from(entry.table)));
            if let Some(product) = &products[index] {
                key = key.add(product);
            }
            key
        };
        let table: Vec<(Wire, &Wire)> = relation
            .tables
            .iter()
            .zip(&multiplicities)
            .map(|((id, x, y), m)| {
                let key =
                    Wire::constant(Fr::from(x)).add(&beta.scale(Fr::from(y))).add(&beta_squared.scale(Fr::from(id)));
                (key, m)
            })
            .collect();
        enforce_log_up(
            builder,
            gamma,
            self.entries.len(),
            key,
            &table,
            |index| builder.set_location(self.entries[index].location),
            |index| builder.locate(&[("table entry", index)]),
        )?;
        Ok(())
    }
}
