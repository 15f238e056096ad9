"""Single-process cost of ``AcceleratedMultiTaskNetClassifier`` against the plain one.

Usage::

    python benchmarks/accelerate_cost.py [--repeats 5] [--hidden 16 100]
                                         [--out benchmarks/results/accelerate]

Fits :class:`sklmtl.MultiTaskNetClassifier` and
:class:`sklmtl.distributed.AcceleratedMultiTaskNetClassifier` with
``Accelerator(cpu=True)`` in one process (no launcher: world size 1) on 600
rows x 20 features with two tasks, batch 64, 10 epochs, early stopping off,
``n_threads="auto"``, for each hidden-layer width in ``--hidden``. The two
classes alternate so that machine load hits both alike; the first fit of
each is a warm-up and not timed. Prints the median seconds and their ratio,
writes ``accelerate_cost.json``.
"""

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch
from common import warm_up_torch

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import make_multitask_classification


def _estimators(hidden, accelerator):
    from sklmtl.distributed import AcceleratedMultiTaskNetClassifier

    params = dict(
        hidden_layer_sizes=(hidden,),
        batch_size=64,
        max_epochs=10,
        early_stopping=False,
        random_state=0,
    )
    return {
        "plain": lambda: MultiTaskNetClassifier(**params),
        "accelerate": lambda: AcceleratedMultiTaskNetClassifier(
            accelerator=accelerator, **params
        ),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--hidden", type=int, nargs="+", default=[16, 100])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "accelerate"
    )
    args = parser.parse_args(argv)
    from accelerate import Accelerator

    warm_up_torch()
    accelerator = Accelerator(cpu=True)
    X, Y = make_multitask_classification(
        n_samples=600, n_features=20, n_tasks=2, random_state=0
    )
    rows = []
    for hidden in args.hidden:
        makers = _estimators(hidden, accelerator)
        seconds = {name: [] for name in makers}
        for repeat in range(args.repeats + 1):
            for name, make in makers.items():
                start = time.perf_counter()
                make().fit(X, Y)
                if repeat:
                    seconds[name].append(time.perf_counter() - start)
        medians = {name: statistics.median(v) for name, v in seconds.items()}
        rows.append(
            {
                "hidden": hidden,
                "seconds": seconds,
                "median_seconds": medians,
                "ratio": medians["accelerate"] / medians["plain"],
            }
        )
    payload = {
        "problem": "600 x 20, two tasks, batch 64, 10 epochs, n_threads='auto'",
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "load_average": os.getloadavg(),
        },
        "results": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "accelerate_cost.json").write_text(json.dumps(payload, indent=2))
    print("| hidden | plain (s) | Accelerate (s) | ratio |")
    print("|---|---|---|---|")
    for row in rows:
        m = row["median_seconds"]
        print(
            f"| {row['hidden']} | {m['plain']:.2f} | {m['accelerate']:.2f} "
            f"| {row['ratio']:.2f}x |"
        )


if __name__ == "__main__":
    main()
