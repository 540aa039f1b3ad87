#!/usr/bin/env python3
"""An independent implementation of docs/TRAINING_SPEC.md, written from the page alone.

It reads a schema (TOML) and a labelled CSV, quantizes, trains with numpy's RandomState batch
order, and prints the model's weights and bias as JSON. The Rust reference (`vsies train`) must
print the same integers; `core/tests/reference_spec.rs` pins the output of this script for the
bundled data, so the two implementations are compared on every test run.

Usage: python3 reference_spec.py SCHEMA.toml TRAIN.csv [--epochs E] [--seed S]
Needs numpy (any version with the legacy RandomState, i.e. all of them).
"""
import argparse, csv, json, math, tomllib
import numpy as np


def rs(v, s):
    """floor((v + 2^(s-1)) / 2^s), or v when s = 0."""
    return v if s == 0 else (v + (1 << (s - 1))) >> s


def round_half_away(v):
    r = math.floor(v)
    d = v - r  # exact for |v| < 2^52
    return r + 1 if d > 0.5 or (d == 0.5 and v > 0) else r


def quantize(x, mean, scale, bits, frac):
    q = round_half_away(((x - mean) / scale) * (1 << frac))
    return max(-(1 << (bits - 1)), min((1 << (bits - 1)) - 1, q))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("schema"); ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=10); ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bw", type=int, default=12); ap.add_argument("--fw", type=int, default=8)
    ap.add_argument("--fp", type=int, default=6); ap.add_argument("--b", type=int, default=3)
    ap.add_argument("--k", type=int, default=2)
    a = ap.parse_args()
    schema = tomllib.load(open(a.schema, "rb"))
    q = schema.get("quantization", {"bits": 8, "frac_bits": 4})
    bx, fx = q["bits"], q["frac_bits"]
    feats = schema["features"]
    rows, labels = [], []
    with open(a.data, newline="") as f:
        for rec in csv.DictReader(f):
            rows.append([quantize(float(rec[c["name"]].strip()), c["mean"], c["scale"], bx, fx) for c in feats]
                        + [1 << fx])
            labels.append(schema["label"]["classes"].index(rec[schema["label"]["column"]].strip()))
    n, d1 = len(rows), len(feats) + 1
    wmin, wmax = -(1 << (a.bw - 1)), (1 << (a.bw - 1)) - 1
    s_z = a.fw + fx + 2 - a.fp
    s_u = a.fp + fx - a.fw + a.b + a.k
    w = [0] * d1
    rng = np.random.RandomState(a.seed)
    for _ in range(a.epochs):
        order = [int(i) for i in rng.permutation(n)]
        for t in range(0, n, 1 << a.b):
            G = [0] * d1
            for i in order[t:t + (1 << a.b)]:
                z = sum(wj * xj for wj, xj in zip(w, rows[i]))
                p = min(max((1 << (a.fp - 1)) + rs(z, s_z), 0), 1 << a.fp)
                e = p - (labels[i] << a.fp)
                G = [g + e * xj for g, xj in zip(G, rows[i])]
            w = [min(max(wj - rs(g, s_u), wmin), wmax) for wj, g in zip(w, G)]
    print(json.dumps({"weights": w[:-1], "bias": w[-1], "training_samples": n}))


if __name__ == "__main__":
    main()
