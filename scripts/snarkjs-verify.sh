#!/usr/bin/env bash
# Checks a vsies proof with snarkjs itself: pinned snarkjs (npm, installed into .tools/ once)
# runs `snarkjs groth16 verify` on the directory `vsies prove data --snarkjs DIR` wrote.
# Usage: scripts/snarkjs-verify.sh DIR     (exit 0 valid, 1 invalid or snarkjs unavailable)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/npm-tool.sh"
npm_tool snarkjs@0.7.6
dir="$1"
out="$("$node_modules/.bin/snarkjs" groth16 verify "$dir/verification_key.json" "$dir/public.json" "$dir/proof.json" 2>&1)"
echo "$out" | sed 's/\x1b\[[0-9;]*m//g'
echo "$out" | grep -q "OK!"
