#!/usr/bin/env python3
"""Writes the extra bundled CSVs from datasets scikit-learn ships (no download needed).

Run once with scikit-learn installed; the CSVs are committed. breast_cancer.csv is the team's
copy of the Wisconsin Diagnostic Breast Cancer data and is not produced here.
"""
import csv, os
from sklearn import datasets

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, columns, X, y, label):
    with open(os.path.join(HERE, f"{name}.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(columns) + [label])
        for row, target in zip(X, y):
            w.writerow([repr(float(v)) if float(v) != int(v) else str(int(v)) for v in row] + [int(target)])


wine = datasets.load_wine()
write("wine_class0", wine.feature_names, wine.data, wine.target == 0, "class0")
iris = datasets.load_iris()
keep = iris.target > 0
names = [n.replace(" (cm)", "_cm").replace(" ", "_") for n in iris.feature_names]
write("iris_versicolor_virginica", names, iris.data[keep], iris.target[keep] == 2, "virginica")
digits = datasets.load_digits()
keep = (digits.target == 3) | (digits.target == 8)
write("digits_3_vs_8", [f"pixel_{i}" for i in range(64)], digits.data[keep], digits.target[keep] == 8, "is8")
