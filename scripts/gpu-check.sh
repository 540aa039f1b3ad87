#!/usr/bin/env bash
# The one command that measures vsies' GPU kernels on a machine with an NVIDIA GPU and driver:
# builds vsies (the CLI), vsies-kernels and vsies-fhe with the `cuda` feature (no CUDA toolkit needed: NVRTC is the pinned
# PyPI wheel, the driver is loaded at run time), runs every GPU test (parity with the CPU
# paths on fresh random inputs, under compute-sanitizer when it is installed), proves the
# bundled data with --device cpu and --device cuda (byte-identical proofs, both timed), and writes
# OUT_DIR/gpu-report.md: the device, the driver and every figure the tests print.
# Usage: scripts/gpu-check.sh OUT_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/gpu-check.sh OUT_DIR}"
mkdir -p "$out"
log="$out/gpu-tests.log"
command -v nvidia-smi >/dev/null || { echo "no nvidia-smi: this machine has no NVIDIA driver" >&2; exit 2; }

"$root/scripts/install-nvrtc.sh" >/dev/null
features="vsies/cuda,vsies-kernels/cuda,vsies-fhe/cuda"
echo "== build (release, cuda feature)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p vsies -p vsies-kernels -p vsies-fhe \
    --features "$features" --tests --bins
echo "== GPU tests"
status=0
(cd "$root" && cargo test --release --quiet -p vsies-kernels --features cuda --test gpu -- --ignored --nocapture --test-threads 1) \
    > "$log" 2>&1 || status=$?
echo "== the fhe Cuda backend against tfhe-rs (the seams' conformance suite)"
(cd "$root" && cargo test --release --quiet -p vsies-fhe --features vsies-fhe/cuda --test gpu -- --ignored --nocapture) \
    >> "$log" 2>&1 || status=$?
echo "== a data-validation proof of the bundled data, --device cpu against --device cuda"
vsies="$root/target/release/vsies"
work="$(mktemp -d)"
prove() { # DEVICE: prints a FIGURE line if the proof succeeded; the proofs must be byte-identical
    local start end
    start=$(date +%s.%N)
    "$vsies" prove data "$root/examples/data/breast_cancer.csv" --schema "$work/schema.toml" --keys "$work/zk" \
        -o "$work/proof.$1.json" --insecure-seed 7 --device "$1" > /dev/null 2> "$work/stderr.$1" || {
        cat "$work/stderr.$1"
        return 1
    }
    end=$(date +%s.%N)
    # `--device cuda` reruns a failed GPU operation on the CPU: then this is no GPU figure.
    if grep -q 'warning: the GPU failed' "$work/stderr.$1"; then
        cat "$work/stderr.$1"
        return 1
    fi
    echo "FIGURE|Groth16 data-validation proof, 569 rows, --device $1 (process wall time)|$(python3 -c "print(f'{($end - $start) * 1000:.1f}')")|ms"
}
{
    "$vsies" schema infer "$root/examples/data/breast_cancer.csv" --label malignant --name breast_cancer \
        -o "$work/schema.toml" > /dev/null &&
        "$vsies" setup data --schema "$work/schema.toml" --rows 569 -o "$work/zk" --force > /dev/null &&
        prove cpu && prove cuda &&
        cmp "$work/proof.cpu.json" "$work/proof.cuda.json" && echo "cpu and cuda proofs byte-identical"
} >> "$log" 2>&1 || status=$?
rm -rf "$work"
echo "== CPU bootstrap throughput on all cores (the baseline of the GPU bootstrap's figure)"
(cd "$root" && cargo test --release --quiet -p vsies-fhe --test bootstrap_noise cpu_bootstrap_throughput_on_all_cores \
    -- --ignored --nocapture) >> "$log" 2>&1 || status=$?
if command -v compute-sanitizer >/dev/null; then
    echo "== compute-sanitizer (memcheck) on the parity tests"
    binary="$(cd "$root" && cargo test --release -p vsies-kernels --features cuda --test gpu --no-run --message-format=json 2>/dev/null \
        | python3 -c 'import json,sys; print([j["executable"] for j in map(json.loads, sys.stdin) if j.get("executable")][-1])')"
    compute-sanitizer --tool memcheck --error-exitcode 3 "$binary" --ignored --test-threads 1 gpu_ntt gpu_sums gpu_bootstrap gpu_g2 gpu_linear \
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
    { grep '^FIGURE|' "$log" || true; } | sort -u | awk -F'|' '{ printf "| %s | %s | %s |\n", $2, $3, $4 }'
} > "$out/gpu-report.md"
cat "$out/gpu-report.md"
exit "$status"
