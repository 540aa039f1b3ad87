//! Encrypted inference's linear layer on the kernel path (`cuda/lwe.cu`): the weighted sum of
//! each row's ciphertexts in a tfhe-rs compact list, as vsies-fhe's CPU `LinearBackend`
//! computes it (tested equal there, and `vsies infer --device emulator` writes the same scores).

use crate::emulator::{self, Launch};
use crate::KernelError;

/// Checks the bounds the linear-layer kernel indexes by: `rows · columns` slots within the
/// mask's `n` coefficients and the list's bodies.
pub fn check_compact_rows(n: usize, bodies: usize, columns: usize, rows: usize) -> Result<(), KernelError> {
    let slots = rows.checked_mul(columns).filter(|&slots| slots <= n && slots <= bodies);
    if n == 0 || slots.is_none() {
        return Err(KernelError::Shape(format!(
            "{rows} rows of {columns} values in a list of {bodies} bodies and {n} mask coefficients"
        )));
    }
    Ok(())
}

/// One LWE ciphertext per row (`n` mask coefficients, then the body) of the `rows` rows of
/// `columns` values held by a compact list with shared mask `mask` (`n` coefficients) and
/// `bodies` (at least `rows · columns`), weighted by `weights` (`columns`), run by the emulator.
#[allow(unsafe_code, reason = "launches an emulated kernel through its C entry point, after checking its bounds")]
pub fn compact_rows_emulated(
    mask: &[u64],
    bodies: &[u64],
    weights: &[u64],
    rows: usize,
) -> Result<Vec<Vec<u64>>, KernelError> {
    check_compact_rows(mask.len(), bodies.len(), weights.len(), rows)?;
    let (n, columns) = (mask.len(), weights.len());
    let mut out = vec![0u64; rows * (n + 1)];
    let launch = Launch::covering(out.len() as u64, 256, 1024);
    // SAFETY: the kernel reads mask[0..n], bodies[0..rows·columns] and weights[0..columns] and
    // writes out[0..rows·(n+1)], all checked above.
    unsafe {
        emulator::vsies_emu_lwe_compact_rows(
            launch.grid,
            launch.block,
            mask.as_ptr(),
            bodies.as_ptr(),
            weights.as_ptr(),
            n as u64,
            rows as u64,
            columns as u64,
            out.as_mut_ptr(),
        )
    };
    Ok(out.chunks_exact(n + 1).map(<[u64]>::to_vec).collect())
}
