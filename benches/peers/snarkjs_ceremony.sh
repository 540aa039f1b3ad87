#!/usr/bin/env bash
# snarkjs 0.7.6's ceremony, step by step, on the naive data relation at 2^12 (the circuit of
# snarkjs_data.sh): powers of tau new / contribute / verify, prepare phase 2, zkey new (the
# initial key), zkey contribute, zkey verify. Wall time and peak memory (GNU time) per step.
# Writes benches/peers/snarkjs_ceremony.json; compare with `vsies bench ceremony --keys K`
# on a relation of a 2^12 domain. Takes about 4 minutes here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
n="${1:-56}"
# shellcheck source=snarkjs_env.sh
source "$here/snarkjs_env.sh"
"$bin/circom2" naive.circom --r1cs --wasm --O2 -l node_modules -o . > compile.log
constraints=$("$bin/snarkjs" r1cs info naive.r1cs | sed -n 's/.*# of Constraints: \([0-9]*\).*/\1/p')
json=""
step() {
  local name="$1"; shift
  local start end peak
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o peak.txt "$@" > /dev/null
  end=$(date +%s.%N)
  peak=$(cat peak.txt)
  json="$json\"$name\": {\"seconds\": $(echo "$end - $start" | bc | awk '{printf "%.3f", $1}'), \"peak_kib\": $peak},"
}
step powersoftau_new "$bin/snarkjs" powersoftau new bn128 12 pot_0.ptau
step powersoftau_contribute "$bin/snarkjs" powersoftau contribute pot_0.ptau pot_1.ptau -e="vsies bench"
step powersoftau_verify "$bin/snarkjs" powersoftau verify pot_1.ptau
step powersoftau_prepare_phase2 "$bin/snarkjs" powersoftau prepare phase2 pot_1.ptau pot.ptau
step zkey_new "$bin/snarkjs" groth16 setup naive.r1cs pot.ptau naive_0.zkey
step zkey_contribute "$bin/snarkjs" zkey contribute naive_0.zkey naive_1.zkey -e="vsies bench"
step zkey_verify "$bin/snarkjs" zkey verify naive.r1cs pot.ptau naive_1.zkey
cat > "$here/snarkjs_ceremony.json" <<JSON
{
  "peer": "snarkjs 0.7.6 + circom2 0.2.22 + circomlib 2.0.5, node $(node --version)",
  "relation": "naive: Num2Bits(16) per value + PoseidonEx(8,1) sponge, 2^12 powers",
  "constraints": $constraints,
  ${json%,}
}
JSON
cat "$here/snarkjs_ceremony.json"
