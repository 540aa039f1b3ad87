//! # vsies-kernels
//!
//! Custom CUDA kernels for the TFHE hot paths (LWE linear layer, keyswitch, batched
//! programmable bootstrapping, ciphertext summation), loaded with `cudarc` and compiled at run
//! time by NVRTC, so building vsies needs no CUDA toolkit. Every kernel has a CPU path that
//! gives identical results.
//!
//! Status: planned (issue "CUDA kernels for the TFHE hot paths"). The crate exists so the
//! workspace layout is fixed; it exposes nothing yet and depends on nothing.
