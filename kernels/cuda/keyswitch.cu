// TFHE's LWE key switch modulo p, bit for bit tfhe-rs's `keyswitch_lwe_ciphertext` for its
// NTT prime (`keyswitch_lwe_ciphertext_other_mod`): out = (0, …, 0, body) - Σ_i Σ_level
// digit_level(a_i) · ksk[i][level], every digit from the signed decomposition mod p. The key
// holds, per input mask element, `levels` LWE ciphertexts of output_dimension + 1 values, in
// the order the decomposition yields digits. One thread per output coefficient (grid-stride
// over all ciphertexts' coefficients); each decomposes the input mask itself, so no thread
// waits on another.
#include "p64.cuh"

VSIES_KERNEL void vsies_tfhe_keyswitch(const u64* key, const u64* inputs, u64 count, u64 input_dimension,
                                       u64 output_dimension, u32 base_log, u32 levels, u64* out) {
    u64 width = output_dimension + 1;
    for (u64 t = VSIES_GLOBAL_X; t < count * width; t += VSIES_GRID_THREADS_X) {
        u64 c = t / width, j = t % width;
        const u64* ct = inputs + c * (input_dimension + 1);
        u64 acc = j == output_dimension ? ct[input_dimension] : 0;
        for (u64 i = 0; i < input_dimension; ++i) {
            u64 state = vsies_decomposition_start(ct[i], base_log * levels);
            for (u32 level = 0; level < levels; ++level) {
                u64 digit = vsies_decomposition_next(&state, base_log);
                acc = vsies_p64_sub(acc, vsies_p64_mul(key[(i * levels + level) * width + j], digit));
            }
        }
        out[t] = acc;
    }
}
