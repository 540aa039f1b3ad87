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

    /// The naive baseline's check of every recorded lookup: per-bit range decompositions and
    /// comparisons instead of a table (`crate::relations::naive::training`). No commitment, no
    /// challenges: a plain Groth16 circuit.
    pub fn enforce_by_bits<S: ConstraintSink>(
        self,
        relation: &TrainingRelation,
        builder: &Builder<S>,
    ) -> Result<(), SynthesisError> {
        use super::relation::table;
        builder.stage("range checks");
        let value = |wire: &Wire| small_integer(&wire.value).unwrap_or(i64::MIN / 4);
        for entry in &self.entries {
            builder.set_location(entry.location);
            let table = self.tables.table(entry.table);
            let (lo, hi) = (table.x_min, table.x_min + table.len() as i64 - 1);
            let bits = crate::field::bit_length((hi - lo) as u64).max(1);
            in_range(builder, &entry.x, value(&entry.x), lo, hi, bits)?;
            let Some(y) = &entry.y else { continue };
            let x = value(&entry.x);
            let output = match entry.table {
                // κ = [h ≥ h0] + [h ≥ h0 + 1].
                table::SIGMOID_REGION => {
                    let h0 = relation.bounds.h0;
                    at_least(builder, &entry.x, x, h0, bits)?.add(&at_least(builder, &entry.x, x, h0 + 1, bits)?)
                }
                // clamp(v) = v ≥ w_min ? (v > w_max ? w_max : v) : w_min, by two selections.
                table::CLAMP => {
                    let weights = relation.params.training.weight_format;
                    let (w_min, w_max) = (weights.min(), weights.max());
                    let above_min = at_least(builder, &entry.x, x, w_min, bits)?;
                    let above_max = at_least(builder, &entry.x, x, w_max + 1, bits)?;
                    let min = Wire::constant(Fr::from(w_min));
                    let lifted = builder.mul(&above_min, &entry.x.sub(&min))?.add(&min);
                    let max = Wire::constant(Fr::from(w_max));
                    builder.mul(&above_max, &max.sub(&lifted))?.add(&lifted)
                }
                _ => return Err(SynthesisError::Unsatisfiable),
            };
            builder.enforce_equal_named("function by comparisons", &output, y)?;
        }
        Ok(())
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

/// `lo ≤ x ≤ hi` by bit decompositions of `x - lo` and, unless the range is a power of two,
/// of `hi - x`, in `bits` bits each.
fn in_range<S: ConstraintSink>(
    builder: &Builder<S>,
    x: &Wire,
    value: i64,
    lo: i64,
    hi: i64,
    bits: u32,
) -> Result<(), SynthesisError> {
    let low = builder.bits(value.wrapping_sub(lo) as u64, bits)?;
    builder.enforce_equal_named("range: above the bottom", &low, &x.sub(&Wire::constant(Fr::from(lo))))?;
    if (hi - lo + 1) as u64 != 1 << bits {
        let high = builder.bits(hi.wrapping_sub(value) as u64, bits)?;
        builder.enforce_equal_named("range: below the top", &high, &Wire::constant(Fr::from(hi)).sub(x))?;
    }
    Ok(())
}

/// The boolean `[x ≥ c]` for `x - c` in `(-2^bits, 2^bits)`: the top bit of `x - c + 2^bits`
/// in `bits + 1` bits.
fn at_least<S: ConstraintSink>(
    builder: &Builder<S>,
    x: &Wire,
    value: i64,
    c: i64,
    bits: u32,
) -> Result<Wire, SynthesisError> {
    let shifted = value.wrapping_sub(c).wrapping_add(1 << bits) as u64;
    let low = builder.bits(shifted & ((1 << bits) - 1), bits)?;
    let top = builder.boolean(shifted >> bits & 1 == 1)?;
    let sum = low.add(&top.scale(crate::field::power_of_two(bits)));
    let expected = x.sub(&Wire::constant(Fr::from(c))).add(&Wire::constant(crate::field::power_of_two(bits)));
    builder.enforce_equal_named("comparison", &sum, &expected)?;
    Ok(top)
}
