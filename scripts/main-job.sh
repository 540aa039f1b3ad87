#!/usr/bin/env bash
# The vsies main job on the bundled breast-cancer dataset, step by step with the CLI:
# split (scikit-learn's seeded 75/25), infer and check the schema, quantize and index (content
# ids), train under the integer spec, predict on the held-out rows and print accuracy; then
# generate TFHE keys, encrypt the held-out rows, score them under encryption with only the
# evaluation key, decrypt, and compare byte for byte with the plaintext predictions.
# Usage: ./scripts/main-job.sh [OUT_DIR]   (default: out/)
# VSIES_PROFILE=release builds with the release profile (for timing); the default dev profile
# already optimizes every dependency (TFHE included) and shares the test build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/out}"
data="$root/examples/data/breast_cancer.csv"
mkdir -p "$out"

profile="${VSIES_PROFILE:-dev}"
echo "== build ($profile profile)"
cargo build --profile "$profile" --quiet --manifest-path "$root/Cargo.toml" -p vsies
vsies="$root/target/$([ "$profile" = dev ] && echo debug || echo "$profile")/vsies"

step() { echo; echo "== vsies $*"; "$vsies" "$@"; }
step split "$data" --train "$out/train.csv" --test "$out/test.csv" --test-fraction 0.25 --seed 0
step schema infer "$data" --label malignant --name breast_cancer -o "$out/schema.toml"
step schema check "$out/train.csv" --schema "$out/schema.toml"
step schema check "$out/test.csv" --schema "$out/schema.toml"
step quantize "$out/train.csv" --schema "$out/schema.toml" -o "$out/train.vqd"
step train "$out/train.csv" --schema "$out/schema.toml" -o "$out/model.json" --seed 0
step predict "$out/test.csv" --model "$out/model.json" -o "$out/preds.csv"
step keygen -o "$out/keys"
step encrypt "$out/test.csv" --schema "$out/schema.toml" --keys "$out/keys" --secret-key -o "$out/test.vsies"
step encrypt "$out/test.csv" --schema "$out/schema.toml" --keys "$out/keys" -o "$out/test.pk.vsies"
step infer "$out/test.vsies" --model "$out/model.json" --keys "$out/keys" -o "$out/preds.vsies"
step decrypt "$out/preds.vsies" --keys "$out/keys" --model "$out/model.json" --labels "$out/test.csv" -o "$out/preds.fhe.csv"
step infer "$out/test.pk.vsies" --model "$out/model.json" --keys "$out/keys" -o "$out/preds.pk.vsies"
step decrypt "$out/preds.pk.vsies" --keys "$out/keys" --model "$out/model.json" -o "$out/preds.pk.csv"
echo
cmp "$out/preds.csv" "$out/preds.fhe.csv" && echo "encrypted inference (secret-key encryption): byte-identical to plaintext predictions"
cmp "$out/preds.csv" "$out/preds.pk.csv" && echo "encrypted inference (public-key encryption): byte-identical to plaintext predictions"
echo
baseline="$root/benches/peers/sklearn_baseline.json"
sk=$(grep -A5 '"breast_cancer"' "$baseline" | sed -n 's/.*"test_accuracy": \([0-9.]*\).*/\1/p')
echo "scikit-learn float LogisticRegression on the same split: accuracy $sk ($baseline)"
echo "outputs in $out"
