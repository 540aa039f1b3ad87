// The CPU emulator of the vsies kernels: the same .cu sources NVRTC compiles, built for the
// host against host.hpp, with one C entry point per kernel taking the launch shape first.
#include <mutex>
#include <thread>
#include <vector>

#include "../cuda/aggregate.cu"
#include "../cuda/ntt.cu"
#include "../cuda/msm.cu"
#include "../cuda/lwe.cu"
#include "../cuda/bootstrap.cu"
#include "../cuda/keyswitch.cu"

namespace vsies_emulator {
thread_local u32 thread_x = 0;
thread_local u32 block_x = 0;
thread_local std::barrier<>* block_barrier = nullptr;
u32 block_dim_x = 0;
u32 grid_dim_x = 0;

// One launch at a time: the launch shape is process-wide, as a CUDA stream's would be.
static std::mutex launch_mutex;

// Runs `body` as a grid of `grid` blocks of `block` threads. With `barriers`, each block's
// threads are concurrent OS threads sharing one barrier; without, they run in order on the
// calling thread and a barrier aborts.
template <class Body>
static void launch(u32 grid, u32 block, bool barriers, Body body) {
    std::lock_guard<std::mutex> guard(launch_mutex);
    grid_dim_x = grid;
    block_dim_x = block;
    for (u32 b = 0; b < grid; ++b) {
        if (!barriers) {
            for (u32 t = 0; t < block; ++t) {
                block_x = b;
                thread_x = t;
                body();
            }
            continue;
        }
        std::barrier<> barrier(block);
        std::vector<std::thread> threads;
        threads.reserve(block);
        for (u32 t = 0; t < block; ++t) {
            threads.emplace_back([&, t, b] {
                block_x = b;
                thread_x = t;
                block_barrier = &barrier;
                body();
                block_barrier = nullptr;
            });
        }
        for (auto& thread : threads) thread.join();
    }
}
}  // namespace vsies_emulator

extern "C" {
void vsies_emu_add_packed(u32 grid, u32 block, u64* acc, const unsigned char* input, u64 count, u32 width, u32 bits) {
    vsies_emulator::launch(grid, block, false, [&] { vsies_add_packed(acc, input, count, width, bits); });
}

void vsies_emu_fr_bit_reverse(u32 grid, u32 block, u64* values, u64 n, u32 log_n) {
    vsies_emulator::launch(grid, block, false, [&] { vsies_fr_bit_reverse(values, n, log_n); });
}

void vsies_emu_fr_ntt_stage(u32 grid, u32 block, u64* values, const u64* twiddles, u64 n, u64 half) {
    vsies_emulator::launch(grid, block, false, [&] { vsies_fr_ntt_stage(values, twiddles, n, half); });
}

void vsies_emu_fr_ntt_tile(u32 grid, u32 block, u64* values, const u64* twiddles, u64 n) {
    vsies_emulator::launch(grid, block, true, [&] { vsies_fr_ntt_tile(values, twiddles, n); });
}

void vsies_emu_msm_digits(u32 grid, u32 block, const u64* scalars, u64 n, u32 c, u32 windows, i32* digits) {
    vsies_emulator::launch(grid, block, false, [&] { vsies_msm_digits(scalars, n, c, windows, digits); });
}

// Counting and scattering use atomics: their threads run concurrently, so the atomics are real.
void vsies_emu_msm_count(u32 grid, u32 block, const i32* digits, u64 n, u32 windows, u32 slots, u32* counts) {
    vsies_emulator::launch(grid, block, true, [&] { vsies_msm_count(digits, n, windows, slots, counts); });
}

void vsies_emu_msm_offsets(u32 grid, u32 block, const u32* counts, u32 total_slots, u32* offsets, u32* cursors) {
    vsies_emulator::launch(grid, block, false, [&] { vsies_msm_offsets(counts, total_slots, offsets, cursors); });
}

void vsies_emu_msm_scatter(u32 grid, u32 block, const i32* digits, u64 n, u32 windows, u32 slots, u32* cursors, u32* entries) {
    vsies_emulator::launch(grid, block, true, [&] { vsies_msm_scatter(digits, n, windows, slots, cursors, entries); });
}

// The bucket and reduction stages of both groups: one thread's work never reads another's.
#define VSIES_EMU_MSM_GROUP(PREFIX)                                                                                        \
    void vsies_emu_##PREFIX##_buckets(u32 grid, u32 block, const u64* bases, const u32* offsets, const u32* counts,       \
                                      const u32* entries, u32 total_slots, u64* buckets) {                                \
        vsies_emulator::launch(grid, block, false,                                                                         \
                               [&] { vsies_##PREFIX##_buckets(bases, offsets, counts, entries, total_slots, buckets); }); \
    }                                                                                                                      \
    void vsies_emu_##PREFIX##_segments(u32 grid, u32 block, const u64* buckets, u32 windows, u32 slots, u32 segments,    \
                                       u64* partial) {                                                                     \
        vsies_emulator::launch(grid, block, false,                                                                         \
                               [&] { vsies_##PREFIX##_segments(buckets, windows, slots, segments, partial); });           \
    }                                                                                                                      \
    void vsies_emu_##PREFIX##_windows(u32 grid, u32 block, const u64* partial, u32 windows, u32 segments,                \
                                      u64* window_sums) {                                                                  \
        vsies_emulator::launch(grid, block, false, [&] { vsies_##PREFIX##_windows(partial, windows, segments, window_sums); }); \
    }                                                                                                                      \
    void vsies_emu_##PREFIX##_combine(u32 grid, u32 block, const u64* window_sums, u32 windows, u32 c, u64* out) {       \
        vsies_emulator::launch(grid, block, false, [&] { vsies_##PREFIX##_combine(window_sums, windows, c, out); });      \
    }
VSIES_EMU_MSM_GROUP(msm)
VSIES_EMU_MSM_GROUP(msm_g2)

void vsies_emu_lwe_compact_rows(u32 grid, u32 block, const u64* mask, const u64* bodies, const u64* weights, u64 n, u64 rows,
                                u64 columns, u64* out) {
    vsies_emulator::launch(grid, block, false, [&] { vsies_lwe_compact_rows(mask, bodies, weights, n, rows, columns, out); });
}

// The NTTs and the bootstrap meet at a barrier after every stage: their threads run concurrently.
void vsies_emu_tfhe_ntt_forward(u32 grid, u32 block, u64* polys, const u64* psi_rev, u32 log_n, u64 count) {
    vsies_emulator::launch(grid, block, true, [&] { vsies_tfhe_ntt_forward(polys, psi_rev, log_n, count); });
}

void vsies_emu_tfhe_ntt_inverse(u32 grid, u32 block, u64* polys, const u64* psi_inv_rev, u32 log_n, u64 n_inv, u64 count) {
    vsies_emulator::launch(grid, block, true, [&] { vsies_tfhe_ntt_inverse(polys, psi_inv_rev, log_n, n_inv, count); });
}

void vsies_emu_tfhe_blind_rotate(u32 grid, u32 block, const u64* key, const u64* lut, const u64* inputs, u64 count,
                                 u64 lwe_dimension, u32 log_n, u32 glwe_size, u32 base_log, u32 levels,
                                 const u64* psi_rev, const u64* psi_inv_rev, u64 n_inv, u64* scratch, u64* out) {
    vsies_emulator::launch(grid, block, true, [&] {
        vsies_tfhe_blind_rotate(key, lut, inputs, count, lwe_dimension, log_n, glwe_size, base_log, levels, psi_rev,
                                psi_inv_rev, n_inv, scratch, out);
    });
}

void vsies_emu_tfhe_keyswitch(u32 grid, u32 block, const u64* key, const u64* inputs, u64 count, u64 input_dimension,
                              u64 output_dimension, u32 base_log, u32 levels, u64* out) {
    vsies_emulator::launch(grid, block, false, [&] {
        vsies_tfhe_keyswitch(key, inputs, count, input_dimension, output_dimension, base_log, levels, out);
    });
}
}
