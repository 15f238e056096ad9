"""One-hot pipeline versus the DataFrame straight into the network.

Usage::

    python benchmarks/tabular_input.py [--seeds 0 1 2] [--max-train 1000]
                                       [--tables NAME ...] [--out DIR]

On the real-data suite's tables that have categorical features
(``benchmarks/realdata.py``), with the quick suite's row caps and the same
seeded splits (``real_suite.split``), all training labels:

- ``one-hot pipeline``: ``StandardScaler`` + ``OneHotEncoder`` in a
  ``ColumnTransformer``, then ``MultiTaskNetClassifier()`` (what the suite's
  ``sklmtl default`` does);
- ``DataFrame``: ``MultiTaskNetClassifier()`` fitted on the DataFrame as
  loaded: categorical columns become learned embeddings;
- ``DataFrame + periodic`` and ``DataFrame + piecewise-linear``: the same
  with ``numeric_embedding`` set (Gorishniy et al., 2022).

One thread everywhere. Writes ``DIR/results.json`` and ``DIR/report.md``
(mean task accuracy and fit time per table, mean and sample std over seeds).
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from common import warm_up_torch, write_results
from real_suite import RealSuite, preprocessor, scores, split
from realdata import TABLES, describe, load_table
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from sklmtl import MultiTaskNetClassifier

METHODS = {
    "one-hot pipeline": lambda X, seed: make_pipeline(
        preprocessor(X), MultiTaskNetClassifier(random_state=seed)
    ),
    "DataFrame": lambda X, seed: MultiTaskNetClassifier(random_state=seed),
    "DataFrame + periodic": lambda X, seed: MultiTaskNetClassifier(
        numeric_embedding="periodic", random_state=seed
    ),
    "DataFrame + piecewise-linear": lambda X, seed: MultiTaskNetClassifier(
        numeric_embedding="piecewise_linear", random_state=seed
    ),
}


def categorical_tables():
    """Names of the suite's tables with at least one categorical feature."""
    return [name for name in TABLES if describe(name)["categorical"] > 0]


def run(tables, seeds, max_train, out_dir):
    torch.set_num_threads(1)
    warm_up_torch()
    suite = RealSuite(tables, seeds=seeds, max_train=max_train, max_test=1_000)
    records = []
    for name in tables:
        X, Y = load_table(name)
        for seed in seeds:
            X_train, Y_train, X_test, Y_test = split(X, Y, seed, suite)
            for method, make in METHODS.items():
                model = make(X_train, seed)
                with threadpool_limits(1):
                    start = time.perf_counter()
                    model.fit(X_train, Y_train)
                    fit_time = time.perf_counter() - start
                    Y_pred = model.predict(X_test)
                result = scores(Y_test, Y_pred, TABLES[name].multilabel)
                records.append(
                    {
                        "table": name,
                        "method": method,
                        "seed": seed,
                        "n_train": len(X_train),
                        "mean_task_accuracy": result["mean_task_accuracy"],
                        "fit_time_s": fit_time,
                    }
                )
                print(
                    f"{name:14s} seed {seed} {method:30s} "
                    f"acc {result['mean_task_accuracy']:.4f} fit {fit_time:.1f}s",
                    flush=True,
                )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_results(out_dir / "results.json", "tabular input", records, seeds=seeds)
    (out_dir / "report.md").write_text(report(records, tables))


def report(records, tables):
    """Markdown table: mean task accuracy and fit time, mean +- std over seeds."""
    lines = [
        "| table | method | mean task accuracy | fit time (s) |",
        "| --- | --- | --- | --- |",
    ]
    for name in tables:
        for method in METHODS:
            rows = [r for r in records if r["table"] == name and r["method"] == method]
            acc = np.array([r["mean_task_accuracy"] for r in rows])
            fit = np.array([r["fit_time_s"] for r in rows])
            std = acc.std(ddof=1) if len(acc) > 1 else 0.0
            lines.append(
                f"| {name} | {method} | {acc.mean():.4f} ± {std:.4f} | "
                f"{fit.mean():.2f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--max-train", type=int, default=1_000)
    parser.add_argument("--tables", nargs="+", default=None)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "tabular_input"
    )
    args = parser.parse_args(argv)
    tables = args.tables or categorical_tables()
    run(tables, args.seeds, args.max_train, args.out)


if __name__ == "__main__":
    main()
