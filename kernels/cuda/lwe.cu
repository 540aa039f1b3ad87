// Encrypted inference's linear layer: for every row of a tfhe-rs compact ciphertext list, the
// weighted sum `Σ_j w_j · ct_(row, j)` as one LWE ciphertext (n mask coefficients, then the
// body), all arithmetic mod 2^64 (vsies-fhe's `LinearBackend`). Slot s of a compact list has
// mask `a · X^s` in Z[X]/(X^n + 1): coefficient k is a[k - s] for k >= s and -a[n + k - s]
// below. One thread per output coefficient.
#include "prelude.cuh"

VSIES_KERNEL void vsies_lwe_compact_rows(const u64* mask, const u64* bodies, const u64* weights, u64 n, u64 rows,
                                         u64 columns, u64* out) {
    for (u64 t = VSIES_GLOBAL_X; t < rows * (n + 1); t += VSIES_GRID_THREADS_X) {
        u64 row = t / (n + 1), k = t % (n + 1);
        u64 acc = 0;
        for (u64 j = 0; j < columns; ++j) {
            u64 slot = row * columns + j;
            u64 value;
            if (k == n) value = bodies[slot];
            else if (k >= slot) value = mask[k - slot];
            else value = 0 - mask[n + k - slot];
            acc += weights[j] * value;
        }
        out[t] = acc;
    }
}
