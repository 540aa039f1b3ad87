//! The linear layer's seam.

use crate::dataset::EncryptedDataset;

/// Evaluates linear combinations of an encrypted dataset's ciphertexts with clear weights.
pub trait LinearBackend: Sync {
    /// `Σ_j weights_j · ct_(row, j)` for every row of `data`, as one LWE ciphertext over
    /// `Z/2^64` (2048 mask coefficients, then the body) per row, in row order. Weights are
    /// two's-complement `u64`s; all arithmetic wraps (it is arithmetic on the torus).
    fn weighted_rows(&self, data: &EncryptedDataset, weights: &[u64]) -> Vec<Vec<u64>>;
}
