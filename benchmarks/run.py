"""Quick comparison on bundled data: one shared network versus one model per task.

Usage::

    python benchmarks/run.py [--seeds 0 1 2] [--out benchmarks/results/quick]

Fits each method on the multi-task digits (scikit-learn's digits with the
tasks digit / parity / large / prime) with a third of the ``digit`` labels
removed, prints a table of per-task and mean task accuracy, subset accuracy
and fit time (mean +- std over seeds), and writes ``results.json``.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import sklmtl
from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import load_multitask_digits
from sklmtl.metrics import mean_task_accuracy, per_task_scores, subset_accuracy


def make_methods(seed):
    """The compared methods; per-task models only see a task's labelled rows."""
    return {
        "shared MLP (sklmtl)": make_pipeline(
            StandardScaler(),
            MultiTaskNetClassifier(
                hidden_layer_sizes=(256, 128),
                early_stopping=True,
                max_epochs=100,
                random_state=seed,
            ),
        ),
        "LogReg per task": _PerTask(
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        ),
        "SVM per task": _PerTask(make_pipeline(StandardScaler(), SVC())),
    }


class _PerTask:
    """One clone per task, fitted on the rows where that task is labelled."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, Y):
        self.models_ = []
        for t in range(Y.shape[1]):
            rows = np.array([v is not None for v in Y[:, t]])
            model = sklearn.base.clone(self.estimator)
            self.models_.append(model.fit(X[rows], Y[rows, t].tolist()))
        return self

    def predict(self, X):
        out = np.empty((len(X), len(self.models_)), dtype=object)
        for t, model in enumerate(self.models_):
            out[:, t] = model.predict(X)
        return out


def run(seeds, out_dir):
    X, Y = load_multitask_digits(return_X_y=True)
    names = ["digit", "parity", "large", "prime"]
    records = []
    for seed in seeds:
        X_train, X_test, Y_train, Y_test = train_test_split(
            X, Y, test_size=0.3, random_state=seed
        )
        Y_train = Y_train.copy()
        rng = np.random.RandomState(seed)
        Y_train[rng.rand(len(Y_train)) < 1 / 3, 0] = None
        for method, model in make_methods(seed).items():
            start = time.perf_counter()
            model.fit(X_train, Y_train)
            fit_time = time.perf_counter() - start
            Y_pred = model.predict(X_test)
            scores = per_task_scores(Y_test, Y_pred)
            records.append(
                {
                    "method": method,
                    "seed": seed,
                    "fit_time_s": fit_time,
                    "task_accuracy": dict(zip(names, scores.tolist())),
                    "mean_task_accuracy": mean_task_accuracy(Y_test, Y_pred),
                    "subset_accuracy": subset_accuracy(Y_test, Y_pred),
                }
            )
            print(
                f"seed {seed} {method:<22} mean task acc "
                f"{records[-1]['mean_task_accuracy']:.3f} ({fit_time:.1f} s)",
                flush=True,
            )
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "dataset": "multitask digits, 1/3 of digit labels missing, 30% test split",
        "versions": {
            "python": sys.version.split()[0],
            "sklmtl": sklmtl.__version__,
            "torch": torch.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "machine": {
            "platform": platform.platform(),
            "torch_threads": torch.get_num_threads(),
        },
        "records": records,
    }
    (out_dir / "results.json").write_text(json.dumps(payload, indent=2))
    print_table(records, names)
    print(f"\nwrote {out_dir / 'results.json'}")


def print_table(records, names):
    methods = list(dict.fromkeys(r["method"] for r in records))
    header = ["method", *names, "mean task", "subset", "fit s"]
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for method in methods:
        rows = [r for r in records if r["method"] == method]

        def cell(values, scale=100.0, digits=1):
            values = np.asarray(values) * scale
            return f"{values.mean():.{digits}f} +- {values.std():.{digits}f}"

        cells = [cell([r["task_accuracy"][n] for r in rows]) for n in names]
        cells += [
            cell([r["mean_task_accuracy"] for r in rows]),
            cell([r["subset_accuracy"] for r in rows]),
            cell([r["fit_time_s"] for r in rows], scale=1.0, digits=2),
        ]
        print("| " + " | ".join([method, *cells]) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/quick"))
    args = parser.parse_args(argv)
    run(args.seeds, args.out)


if __name__ == "__main__":
    main()
