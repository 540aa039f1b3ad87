#!/usr/bin/env bash
# snarkjs's own Solidity verifier for a verification_key.json (its verifier_groth16 template,
# as `snarkjs zkey export solidityverifier` renders it), on stdout: the gas baseline.
# Usage: scripts/snarkjs-solidity.sh verification_key.json
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/npm-tool.sh"
npm_tool snarkjs@0.7.6
NODE_PATH="$node_modules" node "$here/../benches/peers/snarkjs_verifier.js" "$1"
