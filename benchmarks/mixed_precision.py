"""Mixed precision and memory format: time per epoch and accuracy against "32".

Usage::

    python benchmarks/mixed_precision.py [--repeats 3] [--epochs 3]
        [--n-train 2000] [--device cpu] [--out benchmarks/results/precision]

Fits ``MultiTaskNetClassifier(trunk="cnn")`` (the LeNet-sized
:class:`~sklmtl.nn.CNNTrunk`, batch 64, Adam, early stopping off) on
MultiMNIST (:func:`sklmtl.datasets.load_multi_mnist`: two digits per 28x28
image, one task per digit) with each ``precision`` (``"32"``, ``"bf16"``,
``"fp16"``), with and without ``channels_last``, interleaving the settings so
that machine load hits all alike, and scores the mean task accuracy on the
test pairs. One torch thread on the CPU. Prints a markdown table and writes
``precision.json`` and ``precision.md`` (medians over the repeats).
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import load_multi_mnist

SETTINGS = [
    {"precision": p, "channels_last": c}
    for c in (False, True)
    for p in ("32", "bf16", "fp16")
]


def _run(setting, data, epochs, device):
    X, Y, X_test, Y_test = data
    clf = MultiTaskNetClassifier(
        trunk="cnn",
        batch_size=64,
        max_epochs=epochs,
        early_stopping=False,
        tol=None,
        n_threads=1 if device == "cpu" else None,
        device=device,
        random_state=0,
        **setting,
    )
    start = time.perf_counter()
    clf.fit(X, Y)
    seconds = (time.perf_counter() - start) / epochs
    accuracy = float(np.mean(clf.predict(X_test) == Y_test))
    return seconds, accuracy


def measure(repeats, epochs, n_train, device):
    """Median seconds per epoch and test accuracy of every setting."""
    X, Y = load_multi_mnist("train", n_samples=n_train, return_X_y=True)
    X_test, Y_test = load_multi_mnist("test", n_samples=500, return_X_y=True)
    # Flat 784-pixel rows: the CNN reads (n, 1, 28, 28) images.
    X, X_test = (a.reshape(len(a), 1, 28, 28).astype(np.float32) for a in (X, X_test))
    data = (X, Y, X_test, Y_test)
    for setting in SETTINGS:  # untimed warm-up of each path
        _run(setting, (X[:128], Y[:128], X_test[:10], Y_test[:10]), 1, device)
    runs = {i: {"seconds": [], "accuracy": []} for i in range(len(SETTINGS))}
    for _ in range(repeats):
        for i, setting in enumerate(SETTINGS):
            seconds, accuracy = _run(setting, data, epochs, device)
            runs[i]["seconds"].append(seconds)
            runs[i]["accuracy"].append(accuracy)
    base = statistics.median(runs[0]["seconds"])
    return [
        {
            **setting,
            "seconds_per_epoch": statistics.median(runs[i]["seconds"]),
            "vs_32": statistics.median(runs[i]["seconds"]) / base,
            "accuracy": statistics.median(runs[i]["accuracy"]),
            "runs_s": runs[i]["seconds"],
        }
        for i, setting in enumerate(SETTINGS)
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default="benchmarks/results/precision")
    args = parser.parse_args(argv)
    if args.device == "cpu":
        torch.set_num_threads(1)
    rows = measure(args.repeats, args.epochs, args.n_train, args.device)
    device = torch.cuda.get_device_name() if args.device.startswith("cuda") else "CPU"
    lines = [
        f"MultiMNIST, {args.n_train} training pairs, 500 test pairs, trunk='cnn', "
        f"batch 64, {args.epochs} epochs, median of {args.repeats}; {device}, "
        f"torch {torch.__version__}",
        "",
        "| precision | channels_last | s / epoch | vs 32 | mean task accuracy |",
        "|---|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['precision']} | {r['channels_last']} | "
            f"{r['seconds_per_epoch']:.2f} | {r['vs_32']:.2f}x | {r['accuracy']:.3f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    payload = {"device": device, "torch": torch.__version__, "rows": rows}
    (out / "precision.json").write_text(json.dumps(payload, indent=2) + "\n")
    (out / "precision.md").write_text(text)


if __name__ == "__main__":
    main()
