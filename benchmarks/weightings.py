"""Compare every task weighting on one small dataset.

Usage::

    python benchmarks/weightings.py [--seeds 0 1 2] [--out DIR]

Dataset: the multi-task digits (digit / parity / large / prime), standardised,
with a third of the digit labels removed, 30% held out for testing. Every
method uses the same network (MLP 256-128, Adam, lr 1e-3, batch 128, early
stopping on a 10% validation split, at most 100 epochs). Prints a markdown
table of mean task accuracy and fit time (mean +- std over seeds) and writes
``results.json`` and ``table.md``.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from common import DIGITS_DESCRIPTION, digits_split, write_results
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.metrics import mean_task_accuracy, subset_accuracy
from sklmtl.weighting import ALIASES


def run(seeds, out_dir):
    records = []
    for seed in seeds:
        X_train, X_test, Y_train, Y_test = digits_split(seed)
        for alias in ALIASES:
            model = make_pipeline(
                StandardScaler(),
                MultiTaskNetClassifier(
                    task_weighting=alias,
                    early_stopping=True,
                    max_epochs=100,
                    random_state=seed,
                ),
            )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="You are solving a param")
                model.fit(X_train, Y_train)
            fit_time = time.perf_counter() - start
            Y_pred = model.predict(X_test)
            records.append(
                {
                    "weighting": alias,
                    "seed": seed,
                    "mean_task_accuracy": mean_task_accuracy(Y_test, Y_pred),
                    "subset_accuracy": subset_accuracy(Y_test, Y_pred),
                    "fit_time_s": fit_time,
                    "epochs": model[-1].n_iter_,
                }
            )
            print(
                f"seed {seed} {alias:<12} mean task acc "
                f"{records[-1]['mean_task_accuracy']:.4f}  {fit_time:.1f} s",
                flush=True,
            )
    table = make_table(records)
    print("\n" + table)
    write_results(out_dir / "results.json", DIGITS_DESCRIPTION, records)
    (out_dir / "table.md").write_text(table + "\n")
    print(f"wrote {out_dir / 'results.json'} and {out_dir / 'table.md'}")


def make_table(records):
    lines = [
        "| weighting | mean task acc (%) | subset acc (%) | fit time (s) | epochs |",
        "|---|---|---|---|---|",
    ]
    for alias in dict.fromkeys(r["weighting"] for r in records):
        rows = [r for r in records if r["weighting"] == alias]
        lines.append(
            f"| {alias} | {_stat(rows, 'mean_task_accuracy', 100)} | "
            f"{_stat(rows, 'subset_accuracy', 100)} | "
            f"{_stat(rows, 'fit_time_s', digits=2)} | "
            f"{_stat(rows, 'epochs', digits=0)} |"
        )
    return "\n".join(lines)


def _stat(rows, key, scale=1.0, digits=1):
    values = np.array([r[key] for r in rows]) * scale
    return f"{values.mean():.{digits}f} +- {values.std():.{digits}f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/weightings")
    )
    args = parser.parse_args(argv)
    run(args.seeds, args.out)


if __name__ == "__main__":
    main()
