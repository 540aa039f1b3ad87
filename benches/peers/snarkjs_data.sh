#!/usr/bin/env bash
# snarkjs 0.7.6 + circom 2 (npm `circom2`, pinned) on the naive data relation at about 2^12
# constraints (56 16-bit values): compile, powers of tau (2^12) with phase-2 preparation,
# Groth16 setup, then in-process prove and verify (medians of 5). Writes
# benches/peers/snarkjs_data.json. Compare with `vsies bench zk --naive-values 56`.
# Takes about 5 minutes here, mostly `powersoftau prepare phase2`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
n="${1:-56}"
# shellcheck source=snarkjs_env.sh
source "$here/snarkjs_env.sh"
start=$(date +%s.%N)
"$bin/circom2" naive.circom --r1cs --wasm --O2 -l node_modules -o . > compile.log
compile=$(echo "$(date +%s.%N) - $start" | bc)
constraints=$("$bin/snarkjs" r1cs info naive.r1cs | sed -n 's/.*# of Constraints: \([0-9]*\).*/\1/p')
start=$(date +%s.%N)
"$bin/snarkjs" powersoftau new bn128 12 pot_0.ptau > /dev/null
"$bin/snarkjs" powersoftau contribute pot_0.ptau pot_1.ptau -e="vsies bench" > /dev/null
ptau_new=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
"$bin/snarkjs" powersoftau prepare phase2 pot_1.ptau pot.ptau > /dev/null
ptau_prepare=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
"$bin/snarkjs" groth16 setup naive.r1cs pot.ptau naive_0.zkey > /dev/null
"$bin/snarkjs" zkey contribute naive_0.zkey naive.zkey -e="vsies bench" > /dev/null
setup=$(echo "$(date +%s.%N) - $start" | bc)
"$bin/snarkjs" zkey export verificationkey naive.zkey vk.json > /dev/null
timing=$(NODE_PATH="$work/node_modules" node "$here/snarkjs_data.js" "$work" "$n" 5)
zkey_bytes=$(stat -c %s naive.zkey)
cat > "$here/snarkjs_data.json" <<JSON
{
  "peer": "snarkjs 0.7.6 + circom2 0.2.22 + circomlib 2.0.5, node $(node --version)",
  "relation": "naive: Num2Bits(16) per value + PoseidonEx(8,1) sponge over unpacked values",
  "constraints": $constraints,
  "compile_seconds": $compile,
  "powersoftau_new_and_contribute_seconds": $ptau_new,
  "powersoftau_prepare_phase2_seconds": $ptau_prepare,
  "groth16_setup_and_contribute_seconds": $setup,
  "zkey_bytes": $zkey_bytes,
  "in_process": $timing
}
JSON
cat "$here/snarkjs_data.json"
