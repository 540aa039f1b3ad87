#!/usr/bin/env python3
"""Concrete ML's encrypted training (SGDClassifier(fit_encrypted=True)) on the bundled data.

The peer of `vsies bench fhe-train` (issue 15). Same split as `vsies split` and
benches/peers/concrete_ml.py: train_test_split(test_size=0.25, random_state=0) on the CSV rows,
StandardScaler fit on the training rows. Concrete ML's defaults for encrypted training: 6-bit
inputs and weights, batches of 8, parameters_range (-1, 1), p_error 0.01 per bootstrap.

1. Trains in Concrete ML's quantized clear mode (fhe="disable", the same integer circuit
   without encryption) for ITERATIONS batches, which also compiles the FHE training circuit,
   and scores the trained model on the test rows.
2. On that circuit: bootstraps per iteration, key sizes, key generation time, and one
   iteration executed under FHE (encrypt one batch and the weights, run, decrypt), compared
   with the quantized clear iteration on the same inputs.

An epoch is extrapolated as ceil(426 / 8) = 54 iterations x the measured iteration (Concrete
ML samples each batch at random, so "epoch" means as many samples as the training split).
Writes benches/peers/concrete_ml_train.json. Run through `benches/peers/concrete_ml.sh train`.
Environment: CONCRETE_ML_TRAIN_ITERATIONS (default 540, ten epochs' worth of batches).
"""
import json, math, os, resource, sys, time
import numpy as np
from bundled_split import ROOT, standardized_split
from concrete.ml.sklearn import SGDClassifier
import concrete.ml

BATCH = 8
ITERATIONS = int(os.environ.get("CONCRETE_ML_TRAIN_ITERATIONS", "540"))


def log(message):
    print(f"[concrete-ml train] {message}", file=sys.stderr, flush=True)


Xtr, Xte, ytr, yte = standardized_split("breast_cancer", "malignant")
rows, features = Xtr.shape

model = SGDClassifier(random_state=0, max_iter=ITERATIONS, fit_encrypted=True, parameters_range=(-1.0, 1.0))
assert model.batch_size == BATCH, f"Concrete ML's encrypted training batch is {model.batch_size}, not {BATCH}"
log(f"compiling the training circuit and training {ITERATIONS} iterations in the quantized clear mode")
start = time.perf_counter()
model.fit(Xtr, ytr, fhe="disable")
fit_and_compile_s = time.perf_counter() - start
accuracy = float(np.mean(model.predict(Xte) == yte))
log(f"accuracy {accuracy:.3f} after {ITERATIONS} iterations ({fit_and_compile_s:.1f} s)")

module = model.training_quantized_module
circuit = module.fhe_circuit
bootstraps = int(circuit.programmable_bootstrap_count)
bootstrap_key_bytes = int(circuit.size_of_bootstrap_keys)
keyswitch_key_bytes = int(circuit.size_of_keyswitch_keys)
log(f"{bootstraps} bootstraps per iteration; generating keys")
start = time.perf_counter()
circuit.keygen(force=True)
keygen_s = time.perf_counter() - start
serialized_evaluation_key_bytes = len(circuit.keys.evaluation.serialize())
log(f"keys in {keygen_s:.1f} s ({serialized_evaluation_key_bytes / 1e9:.2f} GB of evaluation keys)")

# One iteration under FHE, on one batch as Concrete ML's fit draws it, from random weights.
rng = np.random.default_rng(0)
batch = rng.choice(rows, size=BATCH, replace=False)
X_batch = Xtr[batch].reshape((1, BATCH, features))
y_batch = ytr[batch].reshape((1, BATCH, 1)).astype(float)
weights = rng.uniform(-1.0, 1.0, size=(1, features, 1))
bias = rng.uniform(-1.0, 1.0, size=(1, 1, 1))
q_X, q_y, q_weights, q_bias = module.quantize_input(X_batch, y_batch, weights, bias)
start = time.perf_counter()
encrypted = circuit.encrypt(q_X, q_y, q_weights, q_bias)
encrypt_s = time.perf_counter() - start
log("running one iteration under FHE")
start = time.perf_counter()
outputs = circuit.run(*encrypted)
iteration_s = time.perf_counter() - start
start = time.perf_counter()
decrypted = circuit.decrypt(*outputs)
decrypt_s = time.perf_counter() - start
clear = module.quantized_forward(q_X, q_y, q_weights, q_bias, fhe="disable")
differing = int(sum(np.count_nonzero(np.asarray(d) != np.asarray(c)) for d, c in zip(decrypted, clear)))
log(f"one iteration {iteration_s:.1f} s; {differing} of {features + 1} outputs differ from the clear iteration")

batches_per_epoch = math.ceil(rows / BATCH)
result = {
    "concrete_ml_version": concrete.ml.__version__,
    "model": "concrete.ml.sklearn.SGDClassifier(fit_encrypted=True, parameters_range=(-1, 1)), batches of 8",
    "training_rows": rows,
    "features": features,
    "batch": BATCH,
    "bootstraps_per_iteration": bootstraps,
    "p_error": float(circuit.p_error),
    "compile_and_clear_training_seconds": fit_and_compile_s,
    "keygen_seconds": keygen_s,
    "bootstrap_key_bytes": bootstrap_key_bytes,
    "keyswitch_key_bytes": keyswitch_key_bytes,
    "evaluation_key_bytes_serialized": serialized_evaluation_key_bytes,
    "encrypt_batch_seconds": encrypt_s,
    "iteration_seconds_fhe_execute": iteration_s,
    "decrypt_seconds": decrypt_s,
    "outputs_differing_from_clear_iteration": differing,
    "epoch_seconds_extrapolated": iteration_s * batches_per_epoch,
    "batches_per_epoch": batches_per_epoch,
    "clear_training_iterations": ITERATIONS,
    "accuracy_quantized_clear": accuracy,
    "test_rows": len(yte),
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}
out = os.path.join(ROOT, "benches", "peers", "concrete_ml_train.json")
with open(out + ".tmp", "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
os.replace(out + ".tmp", out)
print(json.dumps(result, indent=2))
