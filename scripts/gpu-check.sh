#!/usr/bin/env bash
# The one command that measures vsies' GPU kernels on a machine with an NVIDIA GPU and driver:
# builds vsies-kernels with the `cuda` feature (no CUDA toolkit needed: NVRTC is the pinned
# PyPI wheel, the driver is loaded at run time), runs every GPU test (parity with the CPU
# paths on fresh random inputs, under compute-sanitizer when it is installed), and writes
# OUT_DIR/gpu-report.md: the device, the driver and every figure the tests print.
# Usage: scripts/gpu-check.sh OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/gpu-check.sh OUT_DIR}"
mkdir -p "$out"
log="$out/gpu-tests.log"
command -v nvidia-smi >/dev/null || { echo "no nvidia-smi: this machine has no NVIDIA driver" >&2; exit 2; }

"$root/scripts/install-nvrtc.sh" >/dev/null
echo "== build (release, cuda feature)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p vsies-kernels --features cuda --tests
echo "== GPU tests"
status=0
(cd "$root" && cargo test --release --quiet -p vsies-kernels --features cuda --test gpu -- --ignored --nocapture --test-threads 1) \
    > "$log" 2>&1 || status=$?
echo "== CPU bootstrap throughput on all cores (the baseline of the GPU bootstrap's figure)"
(cd "$root" && cargo test --release --quiet -p vsies-fhe --test bootstrap_noise cpu_bootstrap_throughput_on_all_cores \
    -- --ignored --nocapture) >> "$log" 2>&1 || status=$?
if command -v compute-sanitizer >/dev/null; then
    echo "== compute-sanitizer (memcheck) on the parity tests"
    binary="$(cd "$root" && cargo test --release -p vsies-kernels --features cuda --test gpu --no-run --message-format=json 2>/dev/null \
        | python3 -c 'import json,sys; print([j["executable"] for j in map(json.loads, sys.stdin) if j.get("executable")][-1])')"
    compute-sanitizer --tool memcheck --error-exitcode 3 "$binary" --ignored --test-threads 1 gpu_ntt gpu_sums gpu_bootstrap \
        >> "$log" 2>&1 || status=$?
fi
{
    echo "# vsies GPU check, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "- command: \`scripts/gpu-check.sh $out\`"
    echo "- commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- GPU: $(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | head -1)"
    echo "- driver: $(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)"
    echo "- host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "- tests: $(grep -E '^test result' "$log" | tail -1 || echo 'no result (see gpu-tests.log)')"
    echo
    echo "| figure | value | unit |"
    echo "|---|---|---|"
    grep '^FIGURE|' "$log" | sort -u | awk -F'|' '{ printf "| %s | %s | %s |\n", $2, $3, $4 }'
} > "$out/gpu-report.md"
cat "$out/gpu-report.md"
exit "$status"
