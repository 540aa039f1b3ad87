//! Builds the CPU emulator: the kernels' own CUDA sources compiled for the host (C++20, for
//! `std::barrier`) against the emulator's shim header.

fn main() {
    for path in ["cuda", "emulator"] {
        println!("cargo:rerun-if-changed={path}");
    }
    cc::Build::new()
        .cpp(true)
        .std("c++20")
        .file("emulator/emulator.cpp")
        .opt_level(2)
        .warnings(true)
        .compile("vsies_kernel_emulator");
}
