//! Stage `training`: every batch of the schedule, as the spec's step computes it.
//!
//! Per sample: the score `z = Σ w_j x_j + w_d 2^fx` (one product per feature), the sigmoid
//! `p = clamp(2^(fp-1) + rs(z, s_z), 0, 2^fp)` from three looked-up values (the remainder `r`
//! of `z + 2^(s_z-1) = 2^s_z q + r`, the low part `L` of `q + 2^(fp-1) + 2^fp H0 = 2^fp H + L`
//! and the region `κ` of `H`: below, linear or above), the error `e = p - 2^fp y` and its
//! products with the features. Per weight, once per batch: the remainder `r'` of
//! `G + 2^(s_u-1) = 2^s_u Q + r'` and the new weight `clamp(w - Q)`, looked up with `w - Q`.

use super::data::DataWires;
use super::lookups::Lookups;
use super::relation::{table, TrainingRelation, TrainingTrace};
use crate::circuit::{Builder, ConstraintSink, Wire};
use crate::field::power_of_two;
use ark_bn254::Fr;
use ark_ff::Field;
use ark_relations::gr1cs::SynthesisError;

/// Trains `weights` over the schedule on `data` with the free values of `trace`; returns the
/// trained weights.
pub(super) fn build<S: ConstraintSink>(
    relation: &TrainingRelation,
    builder: &Builder<S>,
    data: &DataWires,
    mut weights: Vec<Wire>,
    trace: &TrainingTrace,
    lookups: &mut Lookups,
) -> Result<Vec<Wire>, SynthesisError> {
    builder.stage("training");
    let config = relation.params.training;
    let (s_z, s_u, fp) = (relation.shifts.sigmoid, relation.shifts.update, config.sigmoid_frac_bits);
    let one = Fr::from(relation.feature_format().one());
    let width = weights.len();
    let (mut samples, mut updates) = (trace.samples.iter(), trace.updates.iter());
    let inverse = |shift: u32| power_of_two(shift).inverse().expect("powers of two are invertible");
    let (z_inverse, fp_inverse, u_inverse) = (inverse(s_z), inverse(fp), inverse(s_u));
    let h0_offset = Fr::from((1i64 << (fp - 1)) + (relation.bounds.h0 << fp));
    for batch in relation.schedule() {
        let mut gradient: Vec<Vec<Wire>> = vec![Vec::with_capacity(batch.rows.len()); width];
        for (position, &row) in batch.rows.iter().enumerate() {
            builder.locate(&[("epoch", batch.epoch as usize), ("batch", batch.index), ("sample", position)]);
            let x = &data.features[row];
            let [r, low, region] = *samples.next().ok_or(SynthesisError::Unsatisfiable)?;
            let products: Vec<Wire> =
                weights.iter().zip(x).map(|(w, x)| builder.mul(w, x)).collect::<Result<_, _>>()?;
            let z = Wire::sum(&products).add(&weights[width - 1].scale(one));
            let r_wire = builder.committed_witness(Fr::from(r))?;
            lookups.record(builder, table::SIGMOID_REMAINDER, r_wire.clone(), None);
            // q = (z + 2^(s_z-1) - r) / 2^s_z, exact when r is the remainder.
            let half = if s_z == 0 { Fr::from(0u64) } else { power_of_two(s_z - 1) };
            let q = z.add_constant(half).sub(&r_wire).scale(z_inverse);
            let low_wire = builder.committed_witness(Fr::from(low))?;
            lookups.record(builder, table::SIGMOID_LOW, low_wire.clone(), None);
            let high = q.add_constant(h0_offset).sub(&low_wire).scale(fp_inverse);
            let region_wire = builder.committed_witness(Fr::from(region))?;
            lookups.record(builder, table::SIGMOID_REGION, builder.named(high)?, Some(region_wire.clone()));
            // κ ∈ {0, 1, 2}: a = [κ = 1] = κ(2 - κ), b = [κ = 2] = κ(κ - 1)/2, p = a·L + 2^fp·b.
            let squared = builder.mul(&region_wire, &region_wire)?;
            let linear = region_wire.scale(Fr::from(2u64)).sub(&squared);
            let above = squared.sub(&region_wire).scale(Fr::from(2u64).inverse().expect("2 is invertible"));
            let p = builder.mul(&linear, &low_wire)?.add(&above.scale(power_of_two(fp)));
            let error = p.sub(&data.labels[row].scale(power_of_two(fp)));
            for (j, term) in gradient.iter_mut().enumerate().take(width - 1) {
                term.push(builder.mul(&error, &x[j])?);
            }
            gradient[width - 1].push(error.scale(one));
        }
        let mut next = Vec::with_capacity(width);
        for (j, (w, terms)) in weights.iter().zip(&gradient).enumerate() {
            builder.locate(&[("epoch", batch.epoch as usize), ("batch", batch.index), ("weight", j)]);
            let [r, new_weight] = *updates.next().ok_or(SynthesisError::Unsatisfiable)?;
            let g = Wire::sum(terms);
            let r_wire = builder.committed_witness(Fr::from(r))?;
            lookups.record(builder, table::UPDATE_REMAINDER, r_wire.clone(), None);
            let half = if s_u == 0 { Fr::from(0u64) } else { power_of_two(s_u - 1) };
            let quotient = g.add_constant(half).sub(&r_wire).scale(u_inverse);
            let v = w.sub(&quotient);
            let new_wire = builder.committed_witness(Fr::from(new_weight))?;
            lookups.record(builder, table::CLAMP, builder.named(v)?, Some(new_wire.clone()));
            next.push(new_wire);
        }
        weights = next;
    }
    if samples.next().is_some() || updates.next().is_some() {
        return Err(SynthesisError::Unsatisfiable);
    }
    builder.locate(&[]);
    Ok(weights)
}
