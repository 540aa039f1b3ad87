#!/usr/bin/env bash
# Installs pinned Concrete ML in a throwaway venv and runs one of its peer scripts:
#   concrete_ml.sh         inference (concrete_ml.py, writes benches/peers/concrete_ml.json)
#   concrete_ml.sh train   encrypted training (concrete_ml_train.py, writes concrete_ml_train.json;
#                          about 5 minutes and 15 GB of memory on 2 cores)
# Set CONCRETE_ML_VENV to reuse an existing venv with concrete-ml==1.9.0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
case "${1:-}" in
    "") script=concrete_ml.py ;;
    train) script=concrete_ml_train.py ;;
    *) echo "usage: $0 [train]" >&2; exit 2 ;;
esac
. "$here/venv.sh"
peer_venv CONCRETE_ML_VENV "concrete-ml==1.9.0"
"$venv/bin/python" "$here/$script"
