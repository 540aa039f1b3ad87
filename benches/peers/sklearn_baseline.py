#!/usr/bin/env python3
"""scikit-learn's float logistic regression on every bundled dataset, same split as vsies.

Split: train_test_split(test_size=0.25, random_state=0) on the CSV rows in file order (what
`vsies split` does); StandardScaler fit on the training rows; LogisticRegression() defaults.
Writes benches/peers/sklearn_baseline.json, which core's accuracy test compares against.
Run through benches/peers/sklearn_baseline.sh, which installs pinned versions in a venv.
"""
import json, os, statistics, sys, time
import numpy as np, sklearn
from sklearn.linear_model import LogisticRegression
from bundled_split import ROOT, split
from sklearn.preprocessing import StandardScaler

DATASETS = {
    "breast_cancer": "malignant",
    "wine_class0": "class0",
    "iris_versicolor_virginica": "virginica",
    "digits_3_vs_8": "is8",
}
results = {"sklearn_version": sklearn.__version__, "split": "train_test_split(test_size=0.25, random_state=0)", "datasets": {}}
for name, label in DATASETS.items():
    Xtr, Xte, ytr, yte = split(name, label)
    scaler = StandardScaler().fit(Xtr)
    model = LogisticRegression().fit(scaler.transform(Xtr), ytr)
    acc = float(model.score(scaler.transform(Xte), yte))

    def median_seconds(f, runs=21):
        times = []
        for _ in range(runs):
            start = time.perf_counter(); f(); times.append(time.perf_counter() - start)
        return statistics.median(times)

    fit_s = median_seconds(lambda: LogisticRegression().fit(scaler.transform(Xtr), ytr))
    predict_s = median_seconds(lambda: model.predict(scaler.transform(Xte)))
    results["datasets"][name] = {"rows": int(len(ytr) + len(yte)), "features": int(Xtr.shape[1]), "test_rows": int(len(yte)),
                                 "test_accuracy": acc, "fit_seconds_median": fit_s, "predict_seconds_median": predict_s}
    print(f"{name:28s} {acc:.4f}", file=sys.stderr)
with open(os.path.join(ROOT, "benches", "peers", "sklearn_baseline.json"), "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")
