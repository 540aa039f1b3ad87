#!/usr/bin/env bash
# Checks a vsies proof with snarkjs itself: installs pinned snarkjs (npm) into .tools/ once,
# then runs `snarkjs groth16 verify` on the directory `vsies prove data --snarkjs DIR` wrote.
# Usage: scripts/snarkjs-verify.sh DIR     (exit 0 valid, 1 invalid or snarkjs unavailable)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$1"
tools="$root/.tools/snarkjs"
if [ ! -x "$tools/node_modules/.bin/snarkjs" ]; then
    mkdir -p "$tools"
    (cd "$tools" && [ -f package.json ] || echo '{"private": true}' > package.json)
    npm install --silent --prefix "$tools" snarkjs@0.7.6 >/dev/null 2>&1
fi
out="$("$tools/node_modules/.bin/snarkjs" groth16 verify "$dir/verification_key.json" "$dir/public.json" "$dir/proof.json" 2>&1)"
echo "$out" | sed 's/\x1b\[[0-9;]*m//g'
echo "$out" | grep -q "OK!"
