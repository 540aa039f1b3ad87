#!/usr/bin/env bash
# Installs pinned scikit-learn in a throwaway venv and writes benches/peers/sklearn_baseline.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet "scikit-learn==1.9.1" "numpy==2.4.6"
"$venv/bin/python" "$here/sklearn_baseline.py"
rm -rf "$(dirname "$venv")"
