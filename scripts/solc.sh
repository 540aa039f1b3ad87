#!/usr/bin/env bash
# The project's Solidity compiler: pinned solcjs (npm `solc`, installed into .tools/solc once)
# compiling the given sources (scripts/solc.js); prints their bytecode as JSON.
# Usage: scripts/solc.sh FILE.sol [FILE.sol …]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/npm-tool.sh"
npm_tool solc@0.8.37
NODE_PATH="$node_modules" node "$here/solc.js" "$@"
