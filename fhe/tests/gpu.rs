//! The `Cuda` backend passes the seams' conformance suite against tfhe-rs on a GPU (the
//! `cuda` feature, `#[ignore]`d: `scripts/gpu-check.sh` runs it).
#![cfg(feature = "cuda")]

use vsies_fhe::backend::conformance;
use vsies_fhe::Cuda;

#[test]
#[ignore = "needs an NVIDIA GPU: scripts/gpu-check.sh"]
fn cuda_backend_passes_the_conformance_suite() {
    vsies_kernels::Device::Cuda.check().expect("a CUDA GPU");
    conformance::linear_layer_equals_the_cpu(&Cuda);
    conformance::bootstraps_and_key_switches_equal_tfhe_rs(&Cuda);
    conformance::refusals_equal_the_cpu(&Cuda);
}
