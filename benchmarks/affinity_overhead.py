"""Overhead of measuring task affinity: fit time with and without TaskAffinity.

Usage::

    python benchmarks/affinity_overhead.py [--repeats 3] [--epochs 5]
                                           [--tasks 4 12] [--every 50]
                                           [--out benchmarks/results/affinity]

Fits ``MultiTaskNetClassifier`` with its default network (MLP 256-128, batch
128, Adam) on ``make_multitask_classification`` data (4,000 x 20) with and
without ``callbacks=[TaskAffinity(every=...)]``, interleaving the two so that
machine load hits both alike, and reports the median ratio of fit times per
number of tasks. One torch thread. Writes ``overhead.json`` and ``overhead.md``.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from sklmtl import MultiTaskNetClassifier
from sklmtl.callbacks import TaskAffinity
from sklmtl.datasets import make_multitask_classification


def _fit_seconds(X, Y, epochs, callbacks):
    clf = MultiTaskNetClassifier(
        max_epochs=epochs, random_state=0, n_threads=1, callbacks=callbacks
    )
    start = time.perf_counter()
    clf.fit(X, Y)
    return time.perf_counter() - start


def measure(n_tasks, every, epochs, repeats, n_samples=4000):
    """Median fit seconds without and with the callback, and their ratio."""
    X, Y = make_multitask_classification(
        n_samples=n_samples, n_features=20, n_tasks=n_tasks, random_state=0
    )
    plain, measured = [], []
    _fit_seconds(X, Y, 1, None)  # warm-up
    for _ in range(repeats):
        plain.append(_fit_seconds(X, Y, epochs, None))
        measured.append(_fit_seconds(X, Y, epochs, [TaskAffinity(every=every)]))
    ratios = [m / p for m, p in zip(measured, plain)]
    return {
        "n_tasks": n_tasks,
        "every": every,
        "epochs": epochs,
        "n_samples": n_samples,
        "fit_s": statistics.median(plain),
        "fit_with_affinity_s": statistics.median(measured),
        "ratio": statistics.median(ratios),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--tasks", type=int, nargs="+", default=[4, 12])
    parser.add_argument("--every", type=int, nargs="+", default=[50])
    parser.add_argument("--out", default="benchmarks/results/affinity")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rows = [
        measure(t, every, args.epochs, args.repeats)
        for t in args.tasks
        for every in args.every
    ]
    lines = [
        "| tasks | every | fit (s) | with TaskAffinity (s) | ratio |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n_tasks']} | {r['every']} | {r['fit_s']:.2f} | "
            f"{r['fit_with_affinity_s']:.2f} | {r['ratio']:.2f}x |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "overhead.json").write_text(json.dumps(rows, indent=2) + "\n")
    (out / "overhead.md").write_text(text)


if __name__ == "__main__":
    main()
