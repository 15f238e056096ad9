"""The CUDA path end to end, in one short run on a GPU machine (CI has no GPU).

Usage::

    python benchmarks/gpu.py [--epochs 5] [--n-train 10000] [--variant-train 2000]
                             [--out DIR]

On MultiMNIST with the LeNet trunk (the issue's reference workload) it:

1. fits the same estimator (same seed, fixed epochs) with ``device="cpu"`` and
   ``device="cuda"`` and reports the fit speed-up;
2. checks ``device="auto"`` picks the GPU;
3. checks that ``predict_proba`` on the GPU returns numpy arrays;
4. saves the GPU model with ``sklmtl.io.save`` and loads it on the CPU:
   predictions must be identical and probabilities agree to float tolerance;
5. reports how often the CPU-trained and GPU-trained models agree (they differ
   only by floating-point order inside the kernels);
6. fits four variants on both devices (same seed, the default MLP trunk,
   ``--variant-train`` pairs, 3 epochs): ``class_weight="balanced"``,
   ``task_weighting="uncertainty"``, ``architecture="mmoe"`` and
   ``task_weighting="upgrad"`` (needs torchjd; recorded as failed without
   it), and reports each one's test accuracy on both devices and the share
   of test labels on which the two models agree.

Prints a table and writes ``gpu.json`` and ``log.txt`` (the printed lines).
Exits non-zero if a check fails; the agreement figures are reported, not
checked (floating-point order differs between devices).
"""

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from sklmtl import MultiTaskNetClassifier, __version__
from sklmtl.datasets import load_multi_mnist
from sklmtl.io import load, save
from sklmtl.metrics import mean_task_accuracy

VARIANTS = [
    {"class_weight": "balanced"},
    {"task_weighting": "uncertainty"},
    {"architecture": "mmoe"},
    {"task_weighting": "upgrad"},
]


def _fit(device, X, Y, epochs, **params):
    params = params or {"trunk": "cnn", "image_shape": (28, 28)}
    clf = MultiTaskNetClassifier(
        max_epochs=epochs,
        batch_size=128,
        random_state=0,
        device=device,
        **params,
    )
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    clf.fit(X, Y)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return clf, time.perf_counter() - start


def variants(X, Y, X_test, Y_test, epochs=3):
    """Each variant fitted on the CPU and on the GPU: accuracies and agreement."""
    rows = []
    for params in VARIANTS:
        row = {"params": params}
        try:
            cpu, _ = _fit("cpu", X, Y, epochs, **params)
            gpu, _ = _fit("cuda", X, Y, epochs, **params)
        except ImportError as exc:
            row.update(status="failed", error=f"{type(exc).__name__}: {exc}")
        else:
            cpu_pred, gpu_pred = cpu.predict(X_test), gpu.predict(X_test)
            row.update(
                status="ok",
                mean_task_accuracy_cpu=mean_task_accuracy(Y_test, cpu_pred),
                mean_task_accuracy_gpu=mean_task_accuracy(Y_test, gpu_pred),
                label_agreement=float((cpu_pred == gpu_pred).mean()),
                n_test_labels=int(gpu_pred.size),
            )
        rows.append(row)
    return rows


def _variant_line(row):
    if row["status"] != "ok":
        return f"{row['params']} FAILED {row['error']}"
    return (
        f"{row['params']} cpu acc {row['mean_task_accuracy_cpu']:.3f} gpu acc "
        f"{row['mean_task_accuracy_gpu']:.3f} label agreement "
        f"{row['label_agreement']:.4f} of {row['n_test_labels']} test labels"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--n-train", type=int, default=10_000)
    parser.add_argument("--variant-train", type=int, default=2_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/gpu"))
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("No CUDA device: nothing to check here (run this on a GPU machine).")
        return 0

    train = load_multi_mnist("train", n_samples=args.n_train, random_state=0)
    test = load_multi_mnist("test", n_samples=2000, random_state=0)
    X, Y, X_test, Y_test = train.data, train.target, test.data, test.target
    _fit("cuda", X[:512], Y[:512], 1)  # CUDA context and kernels warm up

    cpu, cpu_time = _fit("cpu", X, Y, args.epochs)
    gpu, gpu_time = _fit("cuda", X, Y, args.epochs)
    checks = {}
    auto = MultiTaskNetClassifier(max_epochs=1, device="auto").fit(X[:256], Y[:256])
    checks["auto picks cuda"] = next(auto.net_.module_.parameters()).is_cuda

    start = time.perf_counter()
    gpu_proba = gpu.predict_proba(X_test)
    torch.cuda.synchronize()
    gpu_predict_time = time.perf_counter() - start
    checks["predict_proba returns numpy"] = all(
        isinstance(p, np.ndarray) for p in gpu_proba
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gpu_model.safetensors"
        save(gpu, path)
        on_cpu = load(path, device="cpu")
    checks["loaded on cpu"] = not next(on_cpu.net_.module_.parameters()).is_cuda
    checks["GPU and CPU-loaded predictions identical"] = bool(
        (on_cpu.predict(X_test) == gpu.predict(X_test)).all()
    )
    max_diff = max(
        float(np.abs(a - b).max())
        for a, b in zip(on_cpu.predict_proba(X_test), gpu_proba)
    )
    checks["GPU and CPU-loaded probabilities within 1e-4"] = max_diff < 1e-4
    start = time.perf_counter()
    cpu.predict_proba(X_test)
    cpu_predict_time = time.perf_counter() - start
    agreement = float((cpu.predict(X_test) == gpu.predict(X_test)).mean())

    result = {
        "device": torch.cuda.get_device_name(0),
        "versions": {
            "sklmtl": __version__,
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "machine": {
            "platform": platform.platform(),
            "cpu_threads": torch.get_num_threads(),
        },
        "workload": f"MultiMNIST, LeNet trunk, {len(X)} train pairs, "
        f"{args.epochs} epochs, batch 128",
        "fit_time_cpu_s": cpu_time,
        "fit_time_gpu_s": gpu_time,
        "fit_speedup": cpu_time / gpu_time,
        "predict_time_cpu_s": cpu_predict_time,
        "predict_time_gpu_s": gpu_predict_time,
        "mean_task_accuracy_cpu": mean_task_accuracy(Y_test, cpu.predict(X_test)),
        "mean_task_accuracy_gpu": mean_task_accuracy(Y_test, gpu.predict(X_test)),
        "cpu_vs_gpu_trained_label_agreement": agreement,
        "gpu_vs_cpu_loaded_max_proba_diff": max_diff,
        "checks": checks,
    }
    n_variant = args.variant_train
    result["variants_workload"] = (
        f"MultiMNIST, default MLP trunk, first {n_variant} of the train pairs, "
        f"3 epochs, batch 128; accuracy and agreement on the {len(X_test)} test pairs"
    )
    result["variants"] = variants(X[:n_variant], Y[:n_variant], X_test, Y_test)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu.json").write_text(json.dumps(result, indent=2))
    width = max(map(len, result))
    lines = [
        f"{key:<{width}}  {value}" for key, value in result.items() if key != "variants"
    ]
    lines += [_variant_line(row) for row in result["variants"]]
    print("\n".join(lines))
    (args.out / "log.txt").write_text("\n".join(lines) + "\n")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
