//! Exact integer arithmetic on encrypted bits: a value is a sum of small encrypted blocks at
//! power-of-two columns plus a clear constant, and [`Columns::normalize`] turns it into its
//! binary digits with bootstraps (each reads the sum of a few blocks, at most 7, and returns
//! its bits). Products of two bit vectors take one bootstrap per (2-bit digit, bit) pair.
//! Everything is modulo `2^width`: callers choose widths that hold their values.

use super::engine::{Ct, Engine, Table};
use crate::backend::BootstrapBackend;
use crate::FheError;

/// A bit of a binary number: the block and the column it stands at.
#[derive(Clone, Debug)]
pub struct Term {
    /// A block holding 0 or 1.
    pub bit: Ct,
    /// Its weight's log2.
    pub column: usize,
}

/// The terms of the bits of a number, bit `i` at column `i + shift`.
pub fn terms(bits: &[Ct], shift: usize) -> Vec<Term> {
    bits.iter().enumerate().map(|(i, bit)| Term { bit: bit.clone(), column: i + shift }).collect()
}

/// A sum of blocks at columns plus a constant, modulo `2^width`.
pub struct Columns {
    width: usize,
    /// Per column: blocks and the largest value each can hold.
    entries: Vec<Vec<(Ct, u64)>>,
    /// The constant, modulo `2^width`.
    constant: u128,
}

impl Columns {
    /// Zero, modulo `2^width` (`width ≤ 100`).
    pub fn new(width: usize) -> Self {
        assert!((1..=100).contains(&width), "column widths stay below 2^100");
        Self { width, entries: vec![Vec::new(); width], constant: 0 }
    }

    fn mask(&self) -> u128 {
        (1u128 << self.width) - 1
    }

    /// Adds `block`, holding at most `max`, at `column` (dropped at or above the width).
    pub fn add(&mut self, column: usize, block: Ct, max: u64) {
        if max == 0 {
            return;
        }
        if let Some(value) = block.value() {
            return self.add_constant(i128::from(value as i64) << column.min(100));
        }
        if column < self.width {
            self.entries[column].push((block, max));
        }
    }

    /// Adds `term`'s bit.
    pub fn add_term(&mut self, term: &Term, shift: usize) {
        self.add(term.column + shift, term.bit.clone(), 1);
    }

    /// Adds the complement `1 - b` of every term's bit, at its column plus `shift`, and
    /// subtracts `Σ 2^column` so the net effect is `-Σ 2^column · b`.
    pub fn subtract_terms(&mut self, terms: &[Term], shift: usize) {
        for term in terms {
            let column = term.column + shift;
            self.add(column, term.bit.not(), 1);
            self.add_constant(-(1i128 << column.min(100)));
        }
    }

    /// Adds a clear integer.
    pub fn add_constant(&mut self, value: i128) {
        let reduced = (value.rem_euclid(1i128 << self.width)) as u128;
        self.constant = (self.constant + reduced) & self.mask();
    }

    /// Adds `a · b` for two binary numbers: known bits add shifted copies of the other side;
    /// encrypted bits of `a` are packed in 2-bit digits and each digit-bit product is one
    /// bootstrap of `digit + 4·bit`.
    pub fn add_product<B: BootstrapBackend>(
        &mut self,
        engine: &Engine<'_, B>,
        a: &[Term],
        b: &[Term],
    ) -> Result<(), FheError> {
        let ones = |side: &[Term]| side.iter().filter(|t| t.bit.value() == Some(1)).cloned().collect::<Vec<_>>();
        let secret = |side: &[Term]| side.iter().filter(|t| t.bit.value().is_none()).cloned().collect::<Vec<_>>();
        let (a_ones, a_secret, b_ones, b_secret) = (ones(a), secret(a), ones(b), secret(b));
        for one in &a_ones {
            for term in b_ones.iter().chain(&b_secret) {
                self.add(one.column + term.column, term.bit.clone(), 1);
            }
        }
        for one in &b_ones {
            for term in &a_secret {
                self.add(one.column + term.column, term.bit.clone(), 1);
            }
        }
        let digits = pack_digits(&a_secret);
        let mut jobs = Vec::with_capacity(digits.len() * b_secret.len());
        let mut placement = Vec::with_capacity(jobs.capacity());
        for (digit, column, max) in &digits {
            for bit in &b_secret {
                jobs.push((digit.add_scaled(&bit.bit, 4), &[Table::Product][..]));
                placement.push((column + bit.column, *max));
            }
        }
        for (mut outputs, (column, max)) in engine.eval(&jobs)?.into_iter().zip(placement) {
            self.add(column, outputs.remove(0), max);
        }
        Ok(())
    }

    /// The `width` binary digits of the value, least significant first. Column by column, the
    /// blocks are summed in groups of total at most 7 and each sum bootstrapped into its bits:
    /// bit 0 stays in the column, the others carry to the next two.
    pub fn normalize<B: BootstrapBackend>(mut self, engine: &Engine<'_, B>) -> Result<Vec<Ct>, FheError> {
        let mut bits = Vec::with_capacity(self.width);
        for column in 0..self.width {
            let mut pending = std::mem::take(&mut self.entries[column]);
            if (self.constant >> column) & 1 == 1 {
                pending.push((Ct::known(1), 1));
            }
            loop {
                match pending.as_slice() {
                    [] => {
                        bits.push(Ct::known(0));
                        break;
                    }
                    [(_, 1)] => {
                        bits.push(pending.remove(0).0);
                        break;
                    }
                    _ => {}
                }
                let mut groups: Vec<(Ct, u64, usize)> = Vec::new();
                for (block, max) in pending.drain(..) {
                    match groups.iter_mut().find(|(_, total, _)| total + max <= 7) {
                        Some(group) => {
                            group.0 = group.0.add(&block);
                            group.1 += max;
                            group.2 += 1;
                        }
                        None => groups.push((block, max, 1)),
                    }
                }
                let (unchanged, summed): (Vec<_>, Vec<_>) =
                    groups.into_iter().partition(|(_, total, members)| *members == 1 && *total == 1);
                pending.extend(unchanged.into_iter().map(|(block, _, _)| (block, 1)));
                let tables: Vec<Vec<Table>> =
                    summed.iter().map(|(_, total, _)| (0..bit_length(*total)).map(Table::Bit).collect()).collect();
                let jobs: Vec<(Ct, &[Table])> =
                    summed.into_iter().zip(&tables).map(|((sum, _, _), t)| (sum, t.as_slice())).collect();
                for outputs in engine.eval(&jobs)? {
                    for (k, bit) in outputs.into_iter().enumerate() {
                        if k == 0 {
                            pending.push((bit, 1));
                        } else if column + k < self.width {
                            self.entries[column + k].push((bit, 1));
                        }
                    }
                }
            }
        }
        Ok(bits)
    }
}

fn bit_length(value: u64) -> u32 {
    64 - value.leading_zeros()
}

/// Packs bits into digits below 4: two bits at consecutive columns (`a + 2b`) or at one
/// column (`a + b`); returns (block, column, largest value).
fn pack_digits(terms: &[Term]) -> Vec<(Ct, usize, u64)> {
    let mut sorted: Vec<&Term> = terms.iter().collect();
    sorted.sort_by_key(|t| t.column);
    let mut digits = Vec::new();
    let mut index = 0;
    while index < sorted.len() {
        let first = sorted[index];
        match sorted.get(index + 1) {
            Some(next) if next.column == first.column + 1 => {
                digits.push((first.bit.add_scaled(&next.bit, 2), first.column, 3));
                index += 2;
            }
            Some(next) if next.column == first.column => {
                digits.push((first.bit.add(&next.bit), first.column, 2));
                index += 2;
            }
            _ => {
                digits.push((first.bit.clone(), first.column, 1));
                index += 1;
            }
        }
    }
    digits
}

/// 1 when any bit is set: sums of at most 7 bits through [`Table::NonZero`], as a tree.
pub fn any<B: BootstrapBackend>(engine: &Engine<'_, B>, bits: Vec<Ct>) -> Result<Ct, FheError> {
    let mut level = bits;
    loop {
        match level.len() {
            0 => return Ok(Ct::known(0)),
            1 => return Ok(level.remove(0)),
            _ => {}
        }
        let sums: Vec<Ct> =
            level.chunks(7).map(|chunk| chunk.iter().skip(1).fold(chunk[0].clone(), |s, b| s.add(b))).collect();
        let jobs: Vec<(Ct, &[Table])> = sums.into_iter().map(|s| (s, &[Table::NonZero][..])).collect();
        level = engine.eval(&jobs)?.into_iter().map(|mut o| o.remove(0)).collect();
    }
}

/// Applies `table` to `r_i + 2·neg + 4·big` for every bit `r_i`.
pub fn flagged<B: BootstrapBackend>(
    engine: &Engine<'_, B>,
    bits: &[Ct],
    neg: &Ct,
    big: &Ct,
    table: Table,
) -> Result<Vec<Ct>, FheError> {
    let flags = Ct::known(0).add_scaled(neg, 2).add_scaled(big, 4);
    let tables = [table];
    let jobs: Vec<(Ct, &[Table])> = bits.iter().map(|r| (r.add(&flags), &tables[..])).collect();
    Ok(engine.eval(&jobs)?.into_iter().map(|mut o| o.remove(0)).collect())
}
