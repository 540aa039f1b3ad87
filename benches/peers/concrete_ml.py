#!/usr/bin/env python3
"""Concrete ML's encrypted logistic regression on the bundled breast-cancer data, same split.

Split: train_test_split(test_size=0.25, random_state=0) on the CSV rows (what `vsies split`
does); StandardScaler fit on the training rows; concrete.ml.sklearn.LogisticRegression(n_bits=8).
Measures, with the client/server deployment API: compile, key generation, per-row encrypt /
run / decrypt (median over test rows), server throughput for 1, 100 and 1000 rows, ciphertext
sizes and accuracy in FHE. Writes benches/peers/concrete_ml.json.
Run through benches/peers/concrete_ml.sh, which installs the pinned version in a venv.
"""
import json, os, statistics, sys, tempfile, time
import numpy as np
from bundled_split import ROOT, standardized_split
from concrete.ml.sklearn import LogisticRegression
from concrete.ml.deployment import FHEModelClient, FHEModelDev, FHEModelServer
import concrete.ml

Xtr, Xte, ytr, yte = standardized_split("breast_cancer", "malignant")

model = LogisticRegression(n_bits=8)
model.fit(Xtr, ytr)
t = time.perf_counter(); model.compile(Xtr); compile_s = time.perf_counter() - t

work = tempfile.mkdtemp()
FHEModelDev(path_dir=os.path.join(work, "model"), model=model).save()
client = FHEModelClient(path_dir=os.path.join(work, "model"), key_dir=os.path.join(work, "keys"))
t = time.perf_counter(); client.generate_private_and_evaluation_keys(force=True); keygen_s = time.perf_counter() - t
evaluation_keys = client.get_serialized_evaluation_keys()
server = FHEModelServer(path_dir=os.path.join(work, "model")); server.load()

enc_t, run_t, dec_t, predictions = [], [], [], []
in_bytes = out_bytes = 0
for row in Xte:
    t0 = time.perf_counter(); encrypted = client.quantize_encrypt_serialize(row[None, :])
    t1 = time.perf_counter(); result = server.run(encrypted, evaluation_keys)
    t2 = time.perf_counter(); probabilities = client.deserialize_decrypt_dequantize(result)
    t3 = time.perf_counter()
    enc_t.append(t1 - t0); run_t.append(t2 - t1); dec_t.append(t3 - t2)
    predictions.append(int(np.argmax(probabilities[0])))
    in_bytes, out_bytes = len(encrypted), len(result)
accuracy = float(np.mean(np.array(predictions) == yte))

throughput = {}
for rows in (1, 100, 1000):
    batch = [client.quantize_encrypt_serialize(Xte[i % len(Xte)][None, :]) for i in range(rows)]
    t = time.perf_counter()
    for encrypted in batch:
        server.run(encrypted, evaluation_keys)
    throughput[str(rows)] = rows / (time.perf_counter() - t)

result = {
    "concrete_ml_version": concrete.ml.__version__,
    "model": "concrete.ml.sklearn.LogisticRegression(n_bits=8)",
    "test_rows": int(len(yte)),
    "accuracy_fhe": accuracy,
    "compile_seconds": compile_s,
    "keygen_seconds": keygen_s,
    "evaluation_key_bytes": len(evaluation_keys),
    "per_row_seconds_median": {
        "encrypt": statistics.median(enc_t),
        "run": statistics.median(run_t),
        "decrypt": statistics.median(dec_t),
        "end_to_end": statistics.median([a + b + c for a, b, c in zip(enc_t, run_t, dec_t)]),
    },
    "server_rows_per_second": throughput,
    "ciphertext_bytes_per_row": {"in": in_bytes, "out": out_bytes},
}
print(json.dumps(result, indent=2), file=sys.stderr)
with open(os.path.join(ROOT, "benches", "peers", "concrete_ml.json"), "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
