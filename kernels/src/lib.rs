//! # vsies-kernels
//!
//! GPU kernels for the hot paths of vsies, written once in a small portable dialect of CUDA C
//! (`cuda/prelude.cuh`) and used three ways:
//!
//! - **NVRTC** compiles them to PTX at run time ([`nvrtc`]), so building vsies needs no CUDA
//!   toolkit. A test compiles every kernel, so CI catches a kernel that does not compile.
//! - **The CPU emulator** ([`emulator`]) runs the same sources on the host. They are built
//!   as C++ against a shim of the CUDA built-ins they use: one OS thread per GPU thread, a
//!   real barrier per block, one shared-memory instance per block, and exact 64-bit
//!   multiply-high. Tests run every kernel this way and compare it bit for bit with the
//!   crates' CPU paths on random inputs.
//! - **A GPU**, through cudarc, with the `cuda` feature (`cuda::Gpu`). The same kernels are
//!   compiled for the device's architecture and launched with the emulator's shapes.
//!   `scripts/gpu-check.sh` runs its parity tests and benchmarks. [`Device`] names the choices.
//!
//! Kernels so far:
//! - [`aggregate`]: secure aggregation's packed ciphertext sums.
//! - [`ntt`]: the radix-2 NTT over BN254's scalar field.
//! - [`lwe`]: encrypted inference's linear layer on compact ciphertext lists.
//! - [`msm`]: multi-scalar multiplication on BN254 G1 and G2 (Pippenger, signed digits,
//!   buckets on the device).
//! - [`tfhe`]: TFHE's key switch and programmable bootstrap modulo tfhe-rs's NTT prime, bit
//!   for bit tfhe-rs's deterministic (NTT) bootstrap.
//!
//! Work left (issue 17): the bootstrap kernel's GPU tuning, and every GPU measurement
//! (docs/GPU.md).

pub mod aggregate;
#[cfg(feature = "cuda")]
pub mod cuda;
pub mod device;
// FFI to the emulator's C entry points: the only way to call the host-compiled kernels.
#[allow(unsafe_code)]
pub mod emulator;
pub mod lwe;
pub mod msm;
pub mod ntt;
// FFI to NVIDIA's libnvrtc, loaded at run time: there is no safe binding without the toolkit.
#[allow(unsafe_code)]
pub mod nvrtc;
pub mod source;
pub mod tfhe;

pub use device::{Device, DeviceError};
pub use emulator::Launch;

/// Inputs a kernel refuses before launching (every bound its indexing relies on).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// Buffers whose sizes do not match the kernel's shape.
    #[error("{0}")]
    Shape(String),
}
