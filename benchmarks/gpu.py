"""The CUDA path end to end, in one short run on a GPU machine (CI has no GPU).

Usage::

    python benchmarks/gpu.py [--epochs 5] [--n-train 10000] [--out DIR]

On MultiMNIST with the LeNet trunk (the issue's reference workload) it:

1. fits the same estimator (same seed, fixed epochs) with ``device="cpu"`` and
   ``device="cuda"`` and reports the fit speed-up;
2. checks ``device="auto"`` picks the GPU;
3. checks that ``predict_proba`` on the GPU returns numpy arrays;
4. saves the GPU model with ``sklmtl.io.save`` and loads it on the CPU:
   predictions must be identical and probabilities agree to float tolerance;
5. reports how often the CPU-trained and GPU-trained models agree (they differ
   only by floating-point order inside the kernels).

Prints a table and writes ``gpu.json``. Exits non-zero if a check fails.
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


def _fit(device, X, Y, epochs):
    clf = MultiTaskNetClassifier(
        trunk="cnn",
        image_shape=(28, 28),
        max_epochs=epochs,
        batch_size=128,
        random_state=0,
        device=device,
    )
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    clf.fit(X, Y)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return clf, time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--n-train", type=int, default=10_000)
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
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu.json").write_text(json.dumps(result, indent=2))
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
