"""Quick comparison on bundled data: one shared network versus one model per task.

Usage::

    python benchmarks/run.py [--seeds 0 1 2] [--out benchmarks/results/quick]

Fits each method on the multi-task digits (scikit-learn's digits with the
tasks digit / parity / large / prime) with a third of the ``digit`` labels
removed, prints a table of per-task and mean task accuracy, subset accuracy
and fit time (mean +- std over seeds), and writes ``results.json``.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import sklearn
from common import DIGITS_DESCRIPTION, digits_split, write_results
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklmtl import MultiTaskNetClassifier
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
    names = ["digit", "parity", "large", "prime"]
    records = []
    for seed in seeds:
        X_train, X_test, Y_train, Y_test = digits_split(seed)
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
    write_results(out_dir / "results.json", DIGITS_DESCRIPTION, records)
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
