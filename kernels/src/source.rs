//! The kernels' CUDA sources, embedded, and the single translation unit NVRTC compiles.

/// One source file of the kernel tree, by its path under `kernels/cuda/`.
pub struct SourceFile {
    /// Path under `kernels/cuda/`, as `#include` names it.
    pub name: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// Every file of the kernel tree.
pub const FILES: &[SourceFile] = &[
    SourceFile { name: "prelude.cuh", text: include_str!("../cuda/prelude.cuh") },
    SourceFile { name: "field.cuh", text: include_str!("../cuda/field.cuh") },
    SourceFile { name: "bn254.cuh", text: include_str!("../cuda/bn254.cuh") },
    SourceFile { name: "fq2.cuh", text: include_str!("../cuda/fq2.cuh") },
    SourceFile { name: "curve.cuh", text: include_str!("../cuda/curve.cuh") },
    SourceFile { name: "aggregate.cu", text: include_str!("../cuda/aggregate.cu") },
    SourceFile { name: "ntt.cu", text: include_str!("../cuda/ntt.cu") },
    SourceFile { name: "msm.cu", text: include_str!("../cuda/msm.cu") },
    SourceFile { name: "lwe.cu", text: include_str!("../cuda/lwe.cu") },
    SourceFile { name: "p64.cuh", text: include_str!("../cuda/p64.cuh") },
    SourceFile { name: "bootstrap.cu", text: include_str!("../cuda/bootstrap.cu") },
    SourceFile { name: "keyswitch.cu", text: include_str!("../cuda/keyswitch.cu") },
];

/// The kernel programs NVRTC compiles: each `.cu` file, with its headers supplied by name.
pub fn programs() -> impl Iterator<Item = &'static SourceFile> {
    FILES.iter().filter(|file| file.name.ends_with(".cu"))
}

/// The headers a program may include.
pub fn headers() -> impl Iterator<Item = &'static SourceFile> {
    FILES.iter().filter(|file| file.name.ends_with(".cuh"))
}

/// Every kernel entry point (`VSIES_KERNEL` function) of a source text.
pub fn kernel_names(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| line.strip_prefix("VSIES_KERNEL void "))
        .filter_map(|rest| rest.split('(').next())
        .collect()
}
