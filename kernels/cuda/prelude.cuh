// The portable dialect every vsies kernel is written in. Under NVRTC (`__CUDACC_RTC__`) the
// macros are CUDA's own; on the host they map to the emulator's shim (emulator/host.hpp), which
// runs a grid block by block with one OS thread per GPU thread, a real barrier per block and
// one shared-memory instance per block. Kernels use only what is defined here.
#pragma once

#ifdef __CUDACC_RTC__
typedef unsigned long long u64;
typedef unsigned int u32;
typedef int i32;
#define VSIES_KERNEL extern "C" __global__
#define VSIES_DEVICE __device__ __forceinline__
// A large device function compiled once per kernel and called (the point formulas): inlining
// them everywhere made NVVM take minutes on msm.cu.
#define VSIES_DEVICE_CALL __device__ __noinline__
#define VSIES_SHARED __shared__
#define VSIES_SYNC() __syncthreads()
#define VSIES_THREAD_X (threadIdx.x)
#define VSIES_BLOCK_X (blockIdx.x)
#define VSIES_BLOCK_DIM_X (blockDim.x)
#define VSIES_GRID_DIM_X (gridDim.x)
VSIES_DEVICE u64 vsies_mulhi(u64 a, u64 b) { return __umul64hi(a, b); }
VSIES_DEVICE u32 vsies_atomic_add_u32(u32* p, u32 v) { return atomicAdd(p, v); }
#else
#include "../emulator/host.hpp"
#endif

// The index of this thread in the whole grid, and the grid's thread count.
#define VSIES_GLOBAL_X (VSIES_BLOCK_X * VSIES_BLOCK_DIM_X + VSIES_THREAD_X)
#define VSIES_GRID_THREADS_X (VSIES_GRID_DIM_X * VSIES_BLOCK_DIM_X)
