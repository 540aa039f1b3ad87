//! Backend seams: the two hot loops of encrypted evaluation behind traits, so that an
//! accelerator (the `kernels` crate's CUDA backend) plugs in without touching the protocol
//! code. [`Cpu`] is today's implementation and the default; every other backend must give the
//! same bits on the same inputs and keys (exact integer arithmetic: NTT, never a
//! floating-point FFT, wherever bytes must match).
//!
//! - [`LinearBackend`]: the LWE linear layer of encrypted inference, `Σ_j w_j · ct_j` per row
//!   ([`Emulated`]: the GPU kernel's source on vsies-kernels' CPU emulator).
//! - [`BootstrapBackend`]: batched programmable bootstrapping (NTT blind rotation, sample
//!   extraction) and LWE key switching, which encrypted training calls per sample and weight
//!   ([`Emulated`]: the GPU kernels' sources on the emulator, bit for bit tfhe-rs's NTT
//!   bootstrap).
//!
//! `Cuda` (the `cuda` feature) runs the same kernels on the process's GPU behind both seams.

mod bootstrap;
pub mod conformance;
mod cpu;
#[cfg(feature = "cuda")]
mod cuda;
mod emulated;
pub mod fixture;
mod kernel;
mod keyswitch;
mod linear;

pub use bootstrap::{
    check_bootstrap, check_key, check_keyswitch, ntt_bootstrap_key, ntt_modulus, BootstrapBackend, KeyShape, NTT_PRIME,
};
pub use cpu::Cpu;
#[cfg(feature = "cuda")]
pub use cuda::Cuda;
pub use emulated::Emulated;
pub use linear::LinearBackend;
