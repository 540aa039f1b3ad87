// Host shim for the portable kernel dialect (cuda/prelude.cuh): the CUDA built-ins a kernel
// uses, emulated faithfully where results depend on them.
// - Thread and block indices are per OS thread (thread_local).
// - A block's threads run concurrently, one OS thread each, so `VSIES_SYNC()` is a real
//   barrier (std::barrier) and a kernel that forgets one races here as on a GPU.
// - Blocks run one after another, so a function-local `static` array is one shared-memory
//   instance per block, as `__shared__` is.
// - 64-bit multiply-high is the exact 128-bit product's top half.
// - Atomic adds are real atomic read-modify-writes (relaxed, as CUDA's atomicAdd).
#pragma once
#include <barrier>
#include <cstdint>
#include <cstdlib>

typedef unsigned long long u64;
typedef unsigned int u32;
typedef int i32;

namespace vsies_emulator {
extern thread_local u32 thread_x;
extern thread_local u32 block_x;
extern thread_local std::barrier<>* block_barrier;
extern u32 block_dim_x;
extern u32 grid_dim_x;
inline void sync() {
    if (block_barrier == nullptr) std::abort();  // a barrier in a kernel launched serially
    block_barrier->arrive_and_wait();
}
}  // namespace vsies_emulator

#define VSIES_KERNEL static
#define VSIES_DEVICE static inline
#define VSIES_DEVICE_CALL static
#define VSIES_SHARED static
#define VSIES_SYNC() vsies_emulator::sync()
#define VSIES_THREAD_X (vsies_emulator::thread_x)
#define VSIES_BLOCK_X (vsies_emulator::block_x)
#define VSIES_BLOCK_DIM_X (vsies_emulator::block_dim_x)
#define VSIES_GRID_DIM_X (vsies_emulator::grid_dim_x)
static inline u64 vsies_mulhi(u64 a, u64 b) { return (u64)(((unsigned __int128)a * b) >> 64); }
static inline u32 vsies_atomic_add_u32(u32* p, u32 v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
