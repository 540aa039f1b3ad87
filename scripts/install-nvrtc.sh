#!/usr/bin/env bash
# Installs NVIDIA's NVRTC (the run-time CUDA compiler, PyPI's nvidia-cuda-nvrtc-cu12, pinned
# and checked by hash) into .tools/nvrtc, once; concurrent callers (parallel tests) wait on a
# lock. No GPU or CUDA toolkit is needed: NVRTC compiles CUDA C to PTX on any x86_64 Linux.
# Prints the folder holding libnvrtc.so.12.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="12.6.85"
wheel="nvidia_cuda_nvrtc_cu12-${version}-py3-none-manylinux2010_x86_64.manylinux_2_12_x86_64.whl"
sha256="800927308ccc5dd6246d3f61f7fcef2ed7ec4e59e199090d360d3293f78bd5a2"
tools="$root/.tools/nvrtc"
lib="$tools/nvidia/cuda_nvrtc/lib"
mkdir -p "$tools"
(
    flock 9
    if [ ! -f "$tools/.installed-$version" ]; then
        command -v python3 >/dev/null || { echo "installing NVRTC needs python3 with pip" >&2; exit 2; }
        download="$(mktemp -d)"
        trap 'rm -rf "$download"' EXIT
        python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2010_x86_64 \
            -d "$download" "nvidia-cuda-nvrtc-cu12==$version" >&2 || { echo "pip download of NVRTC $version failed" >&2; exit 2; }
        echo "$sha256  $download/$wheel" | sha256sum --check --quiet - >&2 || { echo "NVRTC wheel hash mismatch" >&2; exit 2; }
        python3 -m zipfile -e "$download/$wheel" "$tools" >&2
        touch "$tools/.installed-$version"
    fi
) 9>"$tools/.lock"
echo "$lib"
