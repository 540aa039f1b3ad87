// Secure aggregation: the aggregator's whole work, `acc += input` for packed ring
// coefficients (vsies-secure-agg's `add_packed_into`). Coefficient i of `input` is the
// little-endian field of `width` bytes at byte i * width, of which the low `bits` bits count;
// `acc` holds each coefficient mod 2^128 as two 64-bit limbs (low first), so the add carries
// from the low limb into the high one.
#include "prelude.cuh"

VSIES_KERNEL void vsies_add_packed(u64* acc, const unsigned char* input, u64 count, u32 width, u32 bits) {
    for (u64 i = VSIES_GLOBAL_X; i < count; i += VSIES_GRID_THREADS_X) {
        u64 low = 0, high = 0;
        const unsigned char* field = input + i * width;
        for (u32 b = 0; b < width; ++b) {
            u64 byte = field[b];
            if (b < 8) low |= byte << (8 * b); else high |= byte << (8 * (b - 8));
        }
        if (bits < 64) { low &= (1ull << bits) - 1; high = 0; }
        else if (bits < 128) { if (bits > 64) high &= (1ull << (bits - 64)) - 1; else high = 0; }
        u64 sum = acc[2 * i] + low;
        u64 carry = sum < low ? 1 : 0;
        acc[2 * i] = sum;
        acc[2 * i + 1] = acc[2 * i + 1] + high + carry;
    }
}
