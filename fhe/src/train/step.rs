//! One batch of `docs/TRAINING_SPEC.md` on encrypted bits.
//!
//! Signed values are offset to unsigned ones, so every product is of two unsigned binary
//! numbers: a feature `x` is encrypted as the bits of `x + 2^(bx-1)`, a weight is held as the
//! bits of `w + 2^(bw-1)`, an error `e` as `e + 2^fp` (the sigmoid's bits and the complement
//! of the label). Expanding `(u - U)(v - V) = uv - V·u - U·v + UV` turns each signed product
//! into one unsigned product, two complemented copies and a constant ([`Columns`]). The spec's
//! rounding shifts and clamps then read the bits of exact sums.

use super::columns::{any, flagged, terms, Columns, Term};
use super::engine::{Ct, Engine, Table};
use crate::backend::BootstrapBackend;
use crate::FheError;
use rayon::prelude::*;
use vsies_core::spec::Shifts;
use vsies_core::{FixedFormat, TrainingConfig};

/// The widths of one training: the spec's formats and the bits each exact sum needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Features `d`.
    pub features: usize,
    /// The feature format `(bx, fx)`.
    pub feature_format: FixedFormat,
    /// The weight format `(bw, fw)`.
    pub weight_format: FixedFormat,
    /// `fp`.
    pub sigmoid_frac_bits: u32,
    /// `log2 B`.
    pub batch_size_log2: u32,
    /// The spec's shifts `s_z`, `s_u`.
    pub shifts: Shifts,
    /// Bits of `rs(z, s_z) + 2^(fp-1)` (two's complement).
    pub sigmoid_input_bits: usize,
    /// Bits of `rs(G, s_u) + 2^(h-1)` (unsigned, `h`).
    pub gradient_bits: usize,
    /// Bits of `w + 2^(bw-1) - rs(G, s_u)` (two's complement).
    pub update_bits: usize,
}

/// Bits of a two's-complement number that holds every value of magnitude at most `bound`.
fn signed_bits(bound: u128) -> usize {
    (129 - bound.leading_zeros()) as usize + 1
}

impl Layout {
    /// The layout of `config` on `features` columns in `feature_format`.
    pub fn new(config: &TrainingConfig, feature_format: FixedFormat, features: usize) -> Result<Self, FheError> {
        let shifts = config.validate(feature_format, features).map_err(|e| FheError::Evaluation(e.to_string()))?;
        let (bx, bw, fp) = (feature_format.bits, config.weight_format.bits, config.sigmoid_frac_bits);
        let x_max = 1u128 << (bx - 1);
        let w_max = 1u128 << (bw - 1);
        let z_max = (features as u128 + 1) * x_max * w_max;
        let sigmoid_input_bits = signed_bits((z_max >> shifts.sigmoid) + 2 + (1u128 << (fp - 1)));
        let g_max = (1u128 << config.batch_size_log2) * (1u128 << fp) * x_max;
        let shifted_g = (g_max >> shifts.update) + 2;
        let gradient_bits = signed_bits(shifted_g);
        let update_bits = signed_bits((1u128 << bw) + shifted_g + 2);
        let layout = Self {
            features,
            feature_format,
            weight_format: config.weight_format,
            sigmoid_frac_bits: fp,
            batch_size_log2: config.batch_size_log2,
            shifts,
            sigmoid_input_bits,
            gradient_bits,
            update_bits,
        };
        if layout.score_width() > 100 || layout.gradient_width() > 100 {
            return Err(FheError::Evaluation("encrypted training: the spec's sums are wider than 100 bits".into()));
        }
        Ok(layout)
    }

    fn score_width(&self) -> usize {
        self.shifts.sigmoid as usize + self.sigmoid_input_bits
    }

    fn gradient_width(&self) -> usize {
        self.shifts.update as usize + self.gradient_bits
    }

    /// Encrypted bits per row: `bx` per feature and the label.
    pub fn bits_per_row(&self) -> usize {
        self.features * self.feature_format.bits as usize + 1
    }
}

/// One row: the bits of every offset feature `x_j + 2^(bx-1)`, then the label.
#[derive(Clone, Debug)]
pub struct EncryptedRow {
    /// `d` vectors of `bx` bits, least significant first.
    pub features: Vec<Vec<Ct>>,
    /// The label bit.
    pub label: Ct,
}

/// The bits of `2^k` added at the rounding position of a shift by `s` (none for `s = 0`).
fn rounding(shift: u32) -> i128 {
    if shift == 0 {
        0
    } else {
        1 << (shift - 1)
    }
}

/// The part of every score that depends on the weights alone, normalized once per batch:
/// `-2^(bx-1) · Σ_{j<d} (w_j + 2^(bw-1)) + 2^fx · w_d` and the constants of the offset
/// expansion, the rounding of `rs(z, s_z)` and the sigmoid's `2^(fp-1)`.
fn score_weight_part<B: BootstrapBackend>(
    engine: &Engine<'_, B>,
    layout: &Layout,
    weights: &[Vec<Ct>],
) -> Result<Vec<Ct>, FheError> {
    let (bx, bw, fx) = (
        layout.feature_format.bits as usize,
        layout.weight_format.bits as usize,
        layout.feature_format.frac_bits as usize,
    );
    let (fp, s_z) = (layout.sigmoid_frac_bits as usize, layout.shifts.sigmoid);
    let mut part = Columns::new(layout.score_width());
    for weight in &weights[..layout.features] {
        part.subtract_terms(&terms(weight, 0), bx - 1);
        part.add_constant(1i128 << (bx - 1 + bw - 1));
    }
    for term in terms(&weights[layout.features], fx) {
        part.add_term(&term, 0);
    }
    part.add_constant(-(1i128 << (bw - 1 + fx)));
    part.add_constant(rounding(s_z) + (1i128 << (s_z as usize + fp - 1)));
    part.normalize(engine)
}

/// The error `e + 2^fp` of one sample as terms: the sigmoid's `fp + 1` bits and `1 - y` at
/// column `fp`.
fn error_terms<B: BootstrapBackend>(
    engine: &Engine<'_, B>,
    layout: &Layout,
    weights: &[Vec<Ct>],
    weight_part: &[Ct],
    row: &EncryptedRow,
) -> Result<Vec<Term>, FheError> {
    let bw = layout.weight_format.bits as usize;
    let fp = layout.sigmoid_frac_bits as usize;
    let s_z = layout.shifts.sigmoid;
    let mut score = Columns::new(layout.score_width());
    for (weight, feature) in weights.iter().zip(&row.features) {
        let x = terms(feature, 0);
        score.add_product(engine, &terms(weight, 0), &x)?;
        score.subtract_terms(&x, bw - 1);
    }
    for term in terms(weight_part, 0) {
        score.add_term(&term, 0);
    }
    let bits = score.normalize(engine)?;
    let r = &bits[s_z as usize..];
    let neg = r[layout.sigmoid_input_bits - 1].clone();
    let big = any(engine, r[fp..layout.sigmoid_input_bits - 1].to_vec())?;
    let mut p = flagged(engine, &r[..fp], &neg, &big, Table::InRange)?;
    p.extend(flagged(engine, &[Ct::known(0)], &neg, &big, Table::Saturated)?);
    let mut error = terms(&p, 0);
    error.push(Term { bit: row.label.not(), column: fp });
    Ok(error)
}

/// The part of every feature weight's gradient that depends on the errors alone, normalized
/// once per batch: `-2^(bx-1) · Σ_i (e_i + 2^fp)`, the constants of the offset expansion, the
/// rounding of `rs(G, s_u)` and the offset `2^(s_u+h-1)` that makes the shifted sum unsigned.
fn gradient_error_part<B: BootstrapBackend>(
    engine: &Engine<'_, B>,
    layout: &Layout,
    errors: &[Vec<Term>],
) -> Result<Vec<Ct>, FheError> {
    let (bx, fp) = (layout.feature_format.bits as usize, layout.sigmoid_frac_bits as usize);
    let mut part = Columns::new(layout.gradient_width());
    for error in errors {
        part.subtract_terms(error, bx - 1);
        part.add_constant(1i128 << (fp + bx - 1));
    }
    part.add_constant(gradient_offset(layout));
    part.normalize(engine)
}

/// The rounding of `rs(G, s_u)` and the offset `2^(s_u+h-1)`.
fn gradient_offset(layout: &Layout) -> i128 {
    let s_u = layout.shifts.update;
    rounding(s_u) + (1i128 << (s_u as usize + layout.gradient_bits - 1))
}

/// The new bits of weight `j` from the batch's errors (`error_part`: see
/// [`gradient_error_part`]).
fn updated_weight<B: BootstrapBackend>(
    engine: &Engine<'_, B>,
    layout: &Layout,
    j: usize,
    weight: &[Ct],
    rows: &[EncryptedRow],
    errors: &[Vec<Term>],
    error_part: &[Ct],
) -> Result<Vec<Ct>, FheError> {
    let fx = layout.feature_format.frac_bits as usize;
    let (bw, fp) = (layout.weight_format.bits as usize, layout.sigmoid_frac_bits as usize);
    let s_u = layout.shifts.update;
    let mut gradient = Columns::new(layout.gradient_width());
    if j < layout.features {
        for (row, error) in rows.iter().zip(errors) {
            let x = terms(&row.features[j], 0);
            gradient.add_product(engine, error, &x)?;
            gradient.subtract_terms(&x, fp);
        }
        for term in terms(error_part, 0) {
            gradient.add_term(&term, 0);
        }
    } else {
        for error in errors {
            for term in error {
                gradient.add_term(term, fx);
            }
            gradient.add_constant(-(1i128 << (fp + fx)));
        }
        gradient.add_constant(gradient_offset(layout));
    }
    let h = layout.gradient_bits;
    let shifted = gradient.normalize(engine)?.split_off(s_u as usize);
    let mut update = Columns::new(layout.update_bits);
    for term in terms(weight, 0) {
        update.add_term(&term, 0);
    }
    update.subtract_terms(&terms(&shifted, 0), 0);
    update.add_constant(1i128 << (h - 1));
    let r = update.normalize(engine)?;
    let neg = r[layout.update_bits - 1].clone();
    let big = any(engine, r[bw..layout.update_bits - 1].to_vec())?;
    flagged(engine, &r[..bw], &neg, &big, Table::Clamped)
}

/// Trains on one batch: `weights` are the `d + 1` weights' offset bits before it, `rows` the
/// batch's rows; returns the weights after it.
pub fn train_batch<B: BootstrapBackend>(
    engine: &Engine<'_, B>,
    layout: &Layout,
    weights: &[Vec<Ct>],
    rows: &[EncryptedRow],
) -> Result<Vec<Vec<Ct>>, FheError> {
    let weight_part = score_weight_part(engine, layout, weights)?;
    let errors: Vec<Vec<Term>> =
        rows.par_iter().map(|row| error_terms(engine, layout, weights, &weight_part, row)).collect::<Result<_, _>>()?;
    let error_part = gradient_error_part(engine, layout, &errors)?;
    weights
        .par_iter()
        .enumerate()
        .map(|(j, weight)| updated_weight(engine, layout, j, weight, rows, &errors, &error_part))
        .collect()
}

/// The offset bits `w + 2^(bw-1)` of clear weights, as known blocks.
pub fn known_weights(weights: &[i64], format: FixedFormat) -> Vec<Vec<Ct>> {
    let bits = format.bits as usize;
    weights
        .iter()
        .map(|&w| {
            let offset = (w + (1i64 << (bits - 1))) as u64;
            (0..bits).map(|i| Ct::known((offset >> i) & 1)).collect()
        })
        .collect()
}

/// The signed weight of offset bits.
pub fn weight_of_bits(bits: &[u64]) -> i64 {
    let offset: i64 = bits.iter().enumerate().map(|(i, &b)| (b as i64) << i).sum();
    offset - (1i64 << (bits.len() - 1))
}
