"""Cost of ``dtype="float64"``: fit and predict time against the float32 default.

Usage::

    python benchmarks/dtype_cost.py [--repeats 3] [--epochs 5]
                                    [--out benchmarks/results/dtype]

Fits ``MultiTaskNetClassifier`` with its default network (MLP 256-128, batch
128, Adam, early stopping off) on 5,000 x 100 random inputs with two 10-class
tasks, in float32 and in float64, interleaving the two so that machine load
hits both alike, and predicts 50,000 rows with each. One torch thread.
Prints a table and writes ``dtype.json``, ``dtype.md`` and ``dtype.png``
(median seconds per dtype).
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from common import warm_up_torch

from sklmtl import MultiTaskNetClassifier

DTYPES = ("float32", "float64")


def _problem(n_samples=5000, n_features=100):
    rng = np.random.RandomState(0)
    X = rng.rand(n_samples, n_features)
    Y = np.c_[rng.randint(0, 10, n_samples), rng.randint(0, 10, n_samples)]
    return X, Y


def _time_one(dtype, X, Y, X_predict, epochs):
    clf = MultiTaskNetClassifier(
        max_epochs=epochs, early_stopping=False, n_threads=1, dtype=dtype
    )
    clf.set_params(random_state=0)
    start = time.perf_counter()
    clf.fit(X, Y)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    clf.predict_proba(X_predict)
    return fit, time.perf_counter() - start


def measure(repeats, epochs):
    """Median fit and predict seconds per dtype, and the float64/float32 ratios."""
    X, Y = _problem()
    X_predict = np.tile(X, (10, 1))
    warm_up_torch()
    for dtype in DTYPES:  # untimed warm-up of each path
        _time_one(dtype, X[:500], Y[:500], X[:500], 1)
    times = {dtype: {"fit": [], "predict": []} for dtype in DTYPES}
    for _ in range(repeats):
        for dtype in DTYPES:
            fit, predict = _time_one(dtype, X, Y, X_predict, epochs)
            times[dtype]["fit"].append(fit)
            times[dtype]["predict"].append(predict)
    rows = [
        {
            "dtype": dtype,
            "fit_s": statistics.median(times[dtype]["fit"]),
            "predict_proba_s": statistics.median(times[dtype]["predict"]),
            "fit_runs_s": times[dtype]["fit"],
            "predict_runs_s": times[dtype]["predict"],
        }
        for dtype in DTYPES
    ]
    ratios = {
        key: statistics.median(
            b / a for a, b in zip(times["float32"][step], times["float64"][step])
        )
        for key, step in (("fit", "fit"), ("predict_proba", "predict"))
    }
    return rows, ratios


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results/dtype")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rows, ratios = measure(args.repeats, args.epochs)
    lines = [
        f"fit: 5,000 x 100, two 10-class tasks, {args.epochs} epochs; "
        f"predict_proba: 50,000 rows; median of {args.repeats}, one thread",
        "",
        "| dtype | fit (s) | predict_proba (s) |",
        "|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dtype']} | {r['fit_s']:.2f} | {r['predict_proba_s']:.2f} |"
        )
    lines.append(
        f"| float64 / float32 | {ratios['fit']:.2f}x | {ratios['predict_proba']:.2f}x |"
    )
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    payload = {"rows": rows, "ratios": ratios, "epochs": args.epochs}
    (out / "dtype.json").write_text(json.dumps(payload, indent=2) + "\n")
    (out / "dtype.md").write_text(text)
    fig, ax = plt.subplots(figsize=(5, 3))
    steps = ["fit_s", "predict_proba_s"]
    width = 0.35
    for i, r in enumerate(rows):
        positions = np.arange(len(steps)) + (i - 0.5) * width
        ax.bar(positions, [r[s] for s in steps], width, label=r["dtype"])
    ax.set_xticks(np.arange(len(steps)), ["fit", "predict_proba"])
    ax.set_ylabel("median seconds")
    ax.set_title("float32 vs float64, one CPU thread")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "dtype.png", dpi=100)


if __name__ == "__main__":
    main()
