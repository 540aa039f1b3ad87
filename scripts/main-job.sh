#!/usr/bin/env bash
# The vsies main job on the bundled breast-cancer dataset, step by step with the CLI:
# split (scikit-learn's seeded 75/25), infer and check the schema, quantize and index (content
# ids), train under the integer spec, predict on the held-out rows and print accuracy.
# Usage: ./scripts/main-job.sh [OUT_DIR]   (default: out/)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/out}"
data="$root/examples/data/breast_cancer.csv"
mkdir -p "$out"

echo "== build (release)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml" -p vsies
vsies="$root/target/release/vsies"

step() { echo; echo "== vsies $*"; "$vsies" "$@"; }
step split "$data" --train "$out/train.csv" --test "$out/test.csv" --test-fraction 0.25 --seed 0
step schema infer "$data" --label malignant --name breast_cancer -o "$out/schema.toml"
step schema check "$out/train.csv" --schema "$out/schema.toml"
step schema check "$out/test.csv" --schema "$out/schema.toml"
step quantize "$out/train.csv" --schema "$out/schema.toml" -o "$out/train.vqd"
step train "$out/train.csv" --schema "$out/schema.toml" -o "$out/model.json" --seed 0
step predict "$out/test.csv" --model "$out/model.json" -o "$out/preds.csv"
echo
baseline="$root/benches/peers/sklearn_baseline.json"
sk=$(grep -A5 '"breast_cancer"' "$baseline" | sed -n 's/.*"test_accuracy": \([0-9.]*\).*/\1/p')
echo "scikit-learn float LogisticRegression on the same split: accuracy $sk ($baseline)"
echo "outputs in $out"
