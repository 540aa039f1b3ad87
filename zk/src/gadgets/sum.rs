//! Sums of very many wires.

use crate::circuit::{Builder, ConstraintSink, Wire};
use ark_relations::gr1cs::SynthesisError;

/// The sum of very many wires (one per dataset value): gathered and named [`NamedSum::CHUNK`]
/// terms at a time, so time is linear and no combination grows past a chunk.
#[derive(Default)]
pub struct NamedSum {
    pending: Vec<Wire>,
    chunks: Vec<Wire>,
}

impl NamedSum {
    /// Terms per named chunk.
    pub const CHUNK: usize = 4096;

    /// Adds `wire`.
    pub fn push<S: ConstraintSink>(&mut self, builder: &Builder<S>, wire: Wire) -> Result<(), SynthesisError> {
        self.pending.push(wire);
        if self.pending.len() == Self::CHUNK {
            self.chunks.push(builder.named(Wire::sum(&self.pending))?);
            self.pending.clear();
        }
        Ok(())
    }

    /// The sum.
    pub fn finish(mut self) -> Wire {
        self.chunks.push(Wire::sum(&self.pending));
        Wire::sum(&self.chunks)
    }
}
