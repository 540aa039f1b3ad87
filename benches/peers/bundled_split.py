"""The bundled datasets split as `vsies split` splits them, for the Python peer scripts.

train_test_split(test_size=0.25, random_state=0) on the CSV rows in file order, then a
StandardScaler fit on the training rows only (the README's `vsies schema infer` standardizes
with the whole file's statistics instead; the peers' accuracies are on this split either way).
"""
import os
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def split(name, label):
    """(X_train, X_test, y_train, y_test) of examples/data/NAME.csv, LABEL the label column."""
    path = os.path.join(ROOT, "examples", "data", f"{name}.csv")
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    column = header.index(label)
    X, y = np.delete(data, column, axis=1), data[:, column].astype(int)
    return train_test_split(X, y, test_size=0.25, random_state=0)


def standardized_split(name, label):
    """`split`, the features standardized by a scaler fit on the training rows."""
    X_train, X_test, y_train, y_test = split(name, label)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test
