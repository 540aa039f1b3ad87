#!/usr/bin/env bash
# Installs pinned Concrete ML in a throwaway venv and writes benches/peers/concrete_ml.json.
# Set CONCRETE_ML_VENV to reuse an existing venv with concrete-ml==1.9.0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${CONCRETE_ML_VENV:-}"
if [ -z "$venv" ]; then
    venv="$(mktemp -d)/venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "concrete-ml==1.9.0"
    trap 'rm -rf "$(dirname "$venv")"' EXIT
fi
"$venv/bin/python" "$here/concrete_ml.py"
