#!/usr/bin/env bash
# Installs pinned Flower in a throwaway venv and writes benches/peers/flower_secaggplus.json:
# SecAgg+ on 100 clients x 100,000 parameters, 21 neighbours per client (Flower's
# num_shares=0.2 of 100, made odd), with no dropouts and with 5% dropouts.
# flwr 1.40.0: the newest release whose dependencies resolve from PyPI here (1.42 pins a
# certifi newer than the index holds). Set FLWR_VENV to reuse a venv with flwr==1.40.0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/venv.sh"
peer_venv FLWR_VENV "flwr==1.40.0"
"$venv/bin/python" "$here/flower_secaggplus.py" "$@" > "$here/flower_secaggplus.json"
cat "$here/flower_secaggplus.json"
