#!/usr/bin/env bash
# Installs pinned Concrete ML in a throwaway venv and writes benches/peers/concrete_ml.json.
# Set CONCRETE_ML_VENV to reuse an existing venv with concrete-ml==1.9.0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/venv.sh"
peer_venv CONCRETE_ML_VENV "concrete-ml==1.9.0"
"$venv/bin/python" "$here/concrete_ml.py"
