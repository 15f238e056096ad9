"""Speed benchmark: sklmtl against the PyTorch code a user would write by hand.

Usage::

    python benchmarks/speed.py [--repeats 5] [--threads 2] [--quick] [--out DIR]
                               [--only STEP ...]

Measures, side by side in one run (median of ``--repeats`` repeats):

1. framework overhead: per-epoch training time of ``MultiTaskNetClassifier``
   over a hand-written loop training the same module with the same optimizer,
   batch size, data and threads (large MLP 784-256-256 with 2 heads on
   10,000 x 784, batch 128; small MLP 64-64 on 10,000 x 64, batch 64);
2. sharing: fit time of one shared net for T tasks against
   ``IndependentTaskClassifier`` (one net per task, same trunk and epochs), and
   the growth of the shared net's fit time from T = 1 to T = 32;
3. prediction: ``predict_proba`` and ``predict`` on 100,000 rows against the
   bare module's forward pass over the same batches under
   ``torch.inference_mode`` (timed in turn; the median ratio and the range
   of the per-repeat ratios), and the
   peak growth of resident memory during ``predict_proba`` beyond its outputs,
   measured in a fresh process;
4. scaling: per-epoch fit time from 10^3 to 10^6 rows (log-log slope) and the
   peak growth of resident memory during fit against the float32 size of X;
5. hardware: achieved training GFLOP/s of the large MLP against the measured
   float32 matmul GFLOP/s of this CPU;
6. threads: a tiny net at 1 and at all threads, and the ``n_threads`` default;
7. many labels (issue 13; 10,000 x 64, one hidden layer of 256, batch 128,
   2 epochs, label-indicator ``Y``): fit for 1,000 binary labels against a
   hand-written loop with one output layer and a BCE for all labels, fit
   time growth from 1 to 32 and to 1,000 labels (``many_labels``), and
   ``predict_proba``, ``predict_positive_proba`` and ``predict`` for 1,000
   labels on 100,000 rows against the bare forward pass, with the range of
   the per-repeat ratios (``many_labels_predict``).
   Run them alone with ``--only many_labels many_labels_predict --threads 1``;
8. ``tasks_growth``: the T = 1 vs T = 32 part of step 2 alone.

Memory is the process's resident *anonymous* memory (``RssAnon`` in
``/proc/self/status``; psutil's RSS where there is no ``/proc``), polled every
millisecond: it counts what numpy and torch's CPU allocator hold, which
``tracemalloc`` does not see (it traces Python's allocators only: a 40 MB
tensor shows a 152 B peak there), and leaves out a memmap's file pages.

Prints a markdown table and writes ``speed.json`` and ``speed.md``; with
``--only`` it runs the named steps and prints their JSON.
"""

import argparse
import functools
import json
import multiprocessing
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import torch
import torch.nn.functional as F
from sklearn.base import clone

from sklmtl import MultiTaskNetClassifier, __version__
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.nn import HardParameterSharing, MLPTrunk


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _problem(n_samples, n_features, n_tasks=2, n_classes=10, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    W = rng.normal(size=(n_features, n_tasks))
    Y = np.column_stack(
        [
            np.digitize(X @ W[:, t], np.linspace(-20, 20, n_classes - 1))
            for t in range(n_tasks)
        ]
    )
    return X, Y


def _fit(estimator, X, Y):
    return clone(estimator).fit(X, Y)


def _ratio_text(ratio, numerator, denominator):
    return f"{ratio:.2f} ({numerator:.3f} s / {denominator:.3f} s)"


def _mib(n_bytes):
    return f"{n_bytes / 2**20:.0f} MiB"


def _estimator(hidden, batch, epochs, **kwargs):
    # Every epoch trains on every row, as the hand loops do: no validation
    # split (early_stopping="auto" would hold one out from 500 rows) and no
    # training-loss stopping rule (tol), so every run trains `epochs` epochs.
    return MultiTaskNetClassifier(
        hidden_layer_sizes=hidden,
        batch_size=batch,
        max_epochs=epochs,
        early_stopping=False,
        tol=None,
        random_state=0,
        **kwargs,
    )


def hand_loop(X, Y, hidden, batch, epochs, n_classes, fused=None):
    """The loop a user would write: same module, Adam, shuffled slices."""
    torch.manual_seed(0)
    module = HardParameterSharing(
        MLPTrunk(X.shape[1], hidden_layer_sizes=hidden), n_classes
    )
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, fused=fused)
    X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y.astype(np.int64))
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), batch):
            idx = order[start : start + batch]
            xb, yb = X_t[idx], Y_t[idx]
            logits = module(xb)
            loss = sum(F.cross_entropy(lg, yb[:, t]) for t, lg in enumerate(logits))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return module


def overhead(name, n_features, hidden, batch, epochs, repeats):
    """Per-epoch time of the estimator and of the hand loop, runs interleaved.

    The machine's speed drifts by tens of percent over seconds (a shared
    host), so the two are timed alternately and compared by their medians.
    Both use torch's thread setting (``n_threads=None``).
    """
    X, Y = _problem(10_000, n_features)
    n_classes = [int(Y[:, t].max()) + 1 for t in range(Y.shape[1])]
    estimator = _estimator(hidden, batch, epochs, n_threads=None)
    est = functools.partial(_fit, estimator, X, Y)
    loop = functools.partial(hand_loop, X, Y, hidden, batch, epochs, n_classes)
    fused_loop = functools.partial(loop, fused=True)
    est(), loop(), fused_loop()  # warm-up
    t_est, t_loop, t_fused = [], [], []
    for _ in range(repeats):
        t_est.append(_median_time(est, 1) / epochs)
        t_loop.append(_median_time(loop, 1) / epochs)
        t_fused.append(_median_time(fused_loop, 1) / epochs)
    t_est, t_loop = statistics.median(t_est), statistics.median(t_loop)
    t_fused = statistics.median(t_fused)
    return {
        "workload": name,
        "sklmtl_epoch_s": t_est,
        "hand_loop_epoch_s": t_loop,
        "ratio": t_est / t_loop,
        "hand_loop_fused_adam_epoch_s": t_fused,
        "ratio_to_fused_adam_loop": t_est / t_fused,
    }


def _interleaved(first, second, repeats):
    """Medians of two timings taken alternately (the host's speed drifts)."""
    a, b = [], []
    for _ in range(repeats):
        a.append(_median_time(first, 1))
        b.append(_median_time(second, 1))
    return statistics.median(a), statistics.median(b)


def sharing(repeats, epochs=3):
    """Shared net vs one net per task (T = 5), and fit time from T = 1 to 32."""
    X, Y = _problem(10_000, 784, n_tasks=32, n_classes=3)
    hidden, batch = (256, 256), 128

    def shared(T):
        return functools.partial(_fit, _estimator(hidden, batch, epochs), X, Y[:, :T])

    indep = functools.partial(
        _fit, IndependentTaskClassifier(_estimator(hidden, batch, epochs)), X, Y[:, :5]
    )
    out = {"fit_time_by_tasks_s": {}}
    for T in (2, 8, 16):
        out["fit_time_by_tasks_s"][T] = _median_time(shared(T), 1)
    t1, t32 = _interleaved(shared(1), shared(32), repeats)
    t5, t_indep = _interleaved(shared(5), indep, repeats)
    out["fit_time_by_tasks_s"].update({1: t1, 5: t5, 32: t32})
    out["fit_time_by_tasks_s"] = dict(sorted(out["fit_time_by_tasks_s"].items()))
    out["independent_T5_s"] = t_indep
    out["shared_speedup_T5"] = t_indep / t5
    out["growth_T1_to_T32"] = t32 / t1
    return out


def tasks_growth(repeats, epochs=3):
    """Only the T = 1 vs T = 32 part of :func:`sharing` (3-class tasks)."""
    X, Y = _problem(10_000, 784, n_tasks=32, n_classes=3)

    def shared(T):
        estimator = _estimator((256, 256), 128, epochs)
        return functools.partial(_fit, estimator, X, Y[:, :T])

    shared(1)(), shared(32)()  # warm-up
    t1, t32 = _interleaved(shared(1), shared(32), repeats)
    return {"fit_T1_s": t1, "fit_T32_s": t32, "growth_T1_to_T32": t32 / t1}


def _anon_rss():
    """Resident anonymous memory of this process, in bytes (see the docstring)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return psutil.Process().memory_info().rss


class _PeakMemory:
    """Poll ``_anon_rss`` in a thread; ``growth`` is the peak over the start."""

    def __enter__(self):
        self.base = self.peak = _anon_rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _anon_rss())
            time.sleep(0.001)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _anon_rss())

    @property
    def growth(self):
        return self.peak - self.base


def _predict_memory_probe():
    """In a fresh process: peak memory growth of one ``predict_proba`` call."""
    X, Y = _problem(100_000, 784)
    clf = _estimator((256, 256), 128, 1).fit(X[:2000], Y[:2000])
    clf.predict_proba(X[:10_000])  # lazy set-up outside the measurement
    with _PeakMemory() as memory:
        probas = clf.predict_proba(X)
    return {
        "peak_growth_bytes": memory.growth,
        "output_bytes": sum(p.nbytes for p in probas),
        "X_bytes": X.nbytes,
    }


def _timed_in_turn(calls, repeats):
    """Each call once per repeat, in turn (the host's speed drifts), after a
    warm-up: medians, and each call's ratio to ``bare_forward`` with the
    spread (min, max) of the per-repeat ratios."""
    for call in calls.values():
        call()
    times = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            times[name].append(_median_time(call, 1))
    bare = times["bare_forward"]
    ratios = {
        name: [t / b for t, b in zip(values, bare)]
        for name, values in times.items()
        if name != "bare_forward"
    }
    return {
        "time_s": {name: statistics.median(v) for name, v in times.items()},
        "ratios": {
            name: {"median": statistics.median(r), "min": min(r), "max": max(r)}
            for name, r in ratios.items()
        },
    }


def _bare_forward(module, X_t):
    """The forward pass a user would write: inference mode, batches of 4096."""

    def bare():
        with torch.inference_mode():
            for start in range(0, len(X_t), 4096):
                module(X_t[start : start + 4096])

    return bare


def prediction(repeats):
    X, Y = _problem(100_000, 784)
    clf = _estimator((256, 256), 128, 1).fit(X[:2000], Y[:2000])
    bare = _bare_forward(clf.net_.module_.eval(), torch.from_numpy(X))
    calls = {
        "bare_forward": bare,
        "predict_proba": lambda: clf.predict_proba(X),
        "predict": lambda: clf.predict(X),
    }
    timed = _timed_in_turn(calls, repeats)
    # A fresh process: memory this one freed and malloc kept would hide growth.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        memory = pool.apply(_predict_memory_probe)
    t = timed["time_s"]
    return {
        "predict_proba_s": t["predict_proba"],
        "predict_s": t["predict"],
        "bare_forward_s": t["bare_forward"],
        "ratio": timed["ratios"]["predict_proba"]["median"],
        "ratios": timed["ratios"],
        "peak_rss_growth_bytes": memory["peak_growth_bytes"],
        "output_bytes": memory["output_bytes"],
        "peak_extra_beyond_outputs_bytes": memory["peak_growth_bytes"]
        - memory["output_bytes"],
        "X_bytes": memory["X_bytes"],
    }


def scaling(quick):
    sizes = [1_000, 10_000, 100_000] + ([] if quick else [1_000_000])
    rows = []
    for n in sizes:
        X, Y = _problem(n, 32)
        clf = _estimator((64, 64), 256, 1)
        clf.fit(X[:500], Y[:500])
        with _PeakMemory() as memory:
            start = time.perf_counter()
            clf.fit(X, Y)
            elapsed = time.perf_counter() - start
        params = sum(p.numel() * 4 for p in clf.net_.module_.parameters())
        rows.append(
            {
                "n_samples": n,
                "epoch_s": elapsed,
                "X_bytes": X.nbytes,
                "peak_rss_growth_bytes": memory.growth,
                "limit_bytes": 2 * X.nbytes + params,
            }
        )
    logn = np.log10([r["n_samples"] for r in rows])
    logt = np.log10([r["epoch_s"] for r in rows])
    slope = float(np.polyfit(logn[1:], logt[1:], 1)[0])
    return {"rows": rows, "loglog_slope_from_1e4": slope}


def hardware(repeats, large_epoch_s):
    """Training GFLOP/s of the large MLP against float32 matmul GFLOP/s."""
    n = 2048
    A, B = torch.randn(n, n), torch.randn(n, n)
    A @ B
    t = _median_time(lambda: A @ B, repeats * 2)
    peak = 2 * n**3 / t / 1e9
    dims = [784, 256, 256]
    macs = sum(a * b for a, b in zip(dims[:-1], dims[1:])) + 256 * 20
    train_flops = 3 * 2 * macs * 10_000  # forward + 2x backward, per epoch
    achieved = train_flops / large_epoch_s / 1e9
    # The same network with batches of 512: fewer, larger matrix products.
    X, Y = _problem(10_000, 784)
    big = _estimator((256, 256), 512, 2, n_threads=None)
    _fit(big, X, Y)
    big_epoch = _median_time(functools.partial(_fit, big, X, Y), repeats) / 2
    return {
        "matmul_gflops": peak,
        "training_gflops": achieved,
        "fraction_of_matmul": achieved / peak,
        "training_gflops_batch512": train_flops / big_epoch / 1e9,
        "fraction_of_matmul_batch512": train_flops / big_epoch / 1e9 / peak,
    }


def threads(repeats):
    """Fit time (2 epochs, 10,000 rows) at 1 thread, all threads and "auto"."""
    out = {}
    for name, n_features, hidden, batch in [
        ("tiny MLP 16-32, batch 64", 16, (32,), 64),
        ("small MLP 64-64-64, batch 64", 64, (64, 64), 64),
        ("large MLP 784-256-256, batch 128", 784, (256, 256), 128),
    ]:
        X, Y = _problem(10_000, n_features)
        row = {}
        for n in (1, torch.get_num_threads(), "auto"):
            fit = functools.partial(
                _fit, _estimator(hidden, batch, 2, n_threads=n), X, Y
            )
            fit()
            row[str(n)] = _median_time(fit, repeats)
        out[name] = row
    return out


def _indicator_problem(n_samples, n_features, n_labels, seed=0):
    """A label-indicator ``Y`` (0/1) with base rates between 2% and 50%."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    scores = X @ rng.normal(size=(n_features, n_labels))
    scores += rng.normal(scale=2.0, size=scores.shape)
    rates = rng.uniform(0.02, 0.5, n_labels)
    cut = ((1 - rates) * (n_samples - 1)).astype(int)
    thresholds = np.sort(scores, axis=0)[cut, np.arange(n_labels)]
    return X, (scores > thresholds).astype(np.int64)


def label_hand_loop(X, Y, hidden, batch, epochs):
    """The loop a user would write: one output layer and one BCE for all labels."""
    torch.manual_seed(0)
    trunk = MLPTrunk(X.shape[1], hidden_layer_sizes=hidden)
    module = torch.nn.Sequential(trunk, torch.nn.Linear(trunk.out_features, Y.shape[1]))
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
    X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y.astype(np.float32))
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), batch):
            idx = order[start : start + batch]
            loss = F.binary_cross_entropy_with_logits(module(X_t[idx]), Y_t[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return module


_LABELS = {"hidden": (256,), "batch": 128, "epochs": 2, "n_features": 64}


def many_labels(repeats):
    """Fit time for 1, 32 and 1,000 binary labels, and the hand loop (1, 1,000).

    The four fits are timed in turn within each repeat (the host's speed
    drifts) and compared by their medians.
    """
    hidden, batch, epochs = _LABELS["hidden"], _LABELS["batch"], _LABELS["epochs"]
    X, Y = _indicator_problem(10_000, _LABELS["n_features"], 1000)
    estimator = _estimator(hidden, batch, epochs, n_threads=None)
    fits = {
        **{
            f"hand_loop_{L}": functools.partial(
                label_hand_loop, X, Y[:, :L], hidden, batch, epochs
            )
            for L in (1, 1000)
        },
        **{
            f"sklmtl_{L}": functools.partial(_fit, estimator, X, Y[:, :L])
            for L in (1, 32, 1000)
        },
    }
    for fit in fits.values():  # warm-up
        fit()
    times = {name: [] for name in fits}
    for _ in range(repeats):
        for name, fit in fits.items():
            times[name].append(_median_time(fit, 1))
    t = {name: statistics.median(values) for name, values in times.items()}
    return {
        "fit_s": t,
        "ratio_1000_to_hand_loop": t["sklmtl_1000"] / t["hand_loop_1000"],
        "growth_1_to_32": t["sklmtl_32"] / t["sklmtl_1"],
        "growth_1_to_1000": t["sklmtl_1000"] / t["sklmtl_1"],
        # What 1,000 outputs cost without any framework: the floor of the
        # growth above.
        "hand_loop_growth_1_to_1000": t["hand_loop_1000"] / t["hand_loop_1"],
    }


def many_labels_predict(repeats):
    """``predict_proba`` for 1,000 labels on 100,000 rows vs the bare forward."""
    X, Y = _indicator_problem(100_000, _LABELS["n_features"], 1000)
    clf = _estimator(_LABELS["hidden"], _LABELS["batch"], 1, n_threads=None)
    clf.fit(X[:10_000], Y[:10_000])
    calls = {
        "bare_forward": _bare_forward(clf.net_.module_.eval(), torch.from_numpy(X)),
        "predict_proba": lambda: clf.predict_proba(X),
        "predict_positive_proba": lambda: clf.predict_positive_proba(X),
        "predict": lambda: clf.predict(X),
    }
    timed = _timed_in_turn(calls, repeats)
    return {
        **timed,
        **{f"ratio_{name}": r["median"] for name, r in timed["ratios"].items()},
    }


_STEP_NAMES = [
    "overhead_large",
    "overhead_small",
    "sharing",
    "prediction",
    "scaling",
    "threads",
    "many_labels",
    "many_labels_predict",
    "tasks_growth",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="skip 10^6 rows")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=_STEP_NAMES,
        help="run these steps only and print their JSON (no table, nothing written)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "speed"
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    r = args.repeats
    result = {
        "versions": {
            "sklmtl": __version__,
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
        },
        "repeats": r,
    }
    steps = [
        (
            "overhead_large",
            lambda: overhead(
                "MLP 784-256-256, 2 heads, batch 128", 784, (256, 256), 128, 2, r
            ),
        ),
        (
            "overhead_small",
            lambda: overhead("MLP 64-64, 2 heads, batch 64", 64, (64, 64), 64, 2, r),
        ),
        ("sharing", lambda: sharing(r)),
        ("prediction", lambda: prediction(r)),
        ("scaling", lambda: scaling(args.quick)),
        ("threads", lambda: threads(r)),
        ("many_labels", lambda: many_labels(r)),
        ("many_labels_predict", lambda: many_labels_predict(r)),
        ("tasks_growth", lambda: tasks_growth(r)),
    ]
    for key, step in steps:
        if args.only and key not in args.only:
            continue
        start = time.perf_counter()
        result[key] = step()
        print(f"{key}: {time.perf_counter() - start:.0f} s", flush=True)
    if args.only:
        print(json.dumps(result, indent=2))
        return
    result["hardware"] = hardware(r, result["overhead_large"]["sklmtl_epoch_s"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps(result, indent=2))
    table = report(result)
    (args.out / "speed.md").write_text(table)
    print(table)


def report(res):
    ol, os_, sh, pr, sc, hw, th = (
        res[k]
        for k in (
            "overhead_large",
            "overhead_small",
            "sharing",
            "prediction",
            "scaling",
            "hardware",
            "threads",
        )
    )
    biggest = sc["rows"][-1]
    rows = [
        (
            "framework overhead, large MLP (sklmtl / hand loop per epoch)",
            _ratio_text(ol["ratio"], ol["sklmtl_epoch_s"], ol["hand_loop_epoch_s"]),
            "<= 1.10",
        ),
        (
            "same, against a hand loop with fused Adam (as sklmtl uses)",
            f"{ol['ratio_to_fused_adam_loop']:.2f}",
            "",
        ),
        (
            "framework overhead, small MLP",
            _ratio_text(os_["ratio"], os_["sklmtl_epoch_s"], os_["hand_loop_epoch_s"]),
            "<= 1.25",
        ),
        (
            "same, against a hand loop with fused Adam",
            f"{os_['ratio_to_fused_adam_loop']:.2f}",
            "",
        ),
        (
            "sharing: independent nets / shared net, T = 5",
            f"{sh['shared_speedup_T5']:.2f}x",
            ">= 3.5x",
        ),
        (
            "sharing: shared fit time T = 32 / T = 1",
            f"{sh['growth_T1_to_T32']:.2f}",
            "<= 1.5",
        ),
        (
            "predict_proba 100k rows / bare forward",
            _ratio_text(pr["ratio"], pr["predict_proba_s"], pr["bare_forward_s"])
            + _spread_text(pr, "predict_proba"),
            "<= 1.2",
        ),
        (
            "predict 100k rows / bare forward",
            _ratio_text(
                pr["ratios"]["predict"]["median"], pr["predict_s"], pr["bare_forward_s"]
            )
            + _spread_text(pr, "predict"),
            "",
        ),
        (
            "predict_proba peak resident memory growth beyond its outputs",
            f"{pr['peak_extra_beyond_outputs_bytes'] / 2**20:.1f} MiB "
            f"(outputs {pr['output_bytes'] / 2**20:.1f} MiB, X {_mib(pr['X_bytes'])})",
            "bounded by the batch",
        ),
        (
            "fit time per epoch vs rows, log-log slope",
            f"{sc['loglog_slope_from_1e4']:.2f}",
            "~1 (linear)",
        ),
        (
            f"peak RSS growth during fit, {biggest['n_samples']:,} rows",
            f"{_mib(biggest['peak_rss_growth_bytes'])} "
            f"(limit {_mib(biggest['limit_bytes'])})",
            "< 2x X + model",
        ),
        (
            "training GFLOP/s, large MLP / float32 matmul GFLOP/s",
            f"{hw['training_gflops']:.0f} / {hw['matmul_gflops']:.0f} "
            f"= {hw['fraction_of_matmul']:.0%}",
            ">= 50%",
        ),
        (
            "same at batch 512 (for reference)",
            f"{hw['training_gflops_batch512']:.0f} GFLOP/s "
            f"= {hw['fraction_of_matmul_batch512']:.0%}",
            "",
        ),
    ]
    rows += _many_labels_rows(res)
    for name, row in th.items():
        values = " / ".join(f"{v:.2f} s" for v in row.values())
        rows.append(
            (
                f"threads, {name}: fit at {' / '.join(row)} threads",
                values,
                "auto the fastest",
            )
        )
    lines = ["| measure | value | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += [
        "",
        "Fit time by number of tasks (shared net, s): "
        + ", ".join(f"T={t}: {v:.2f}" for t, v in sh["fit_time_by_tasks_s"].items()),
    ]
    lines += [
        "Scaling (rows: s per epoch): "
        + ", ".join(f"{r['n_samples']:,}: {r['epoch_s']:.2f}" for r in sc["rows"])
    ]
    m = res["machine"]
    lines += [
        "",
        f"Machine: {m['platform']}, {m['cpu_count']} CPUs, torch threads "
        f"{m['torch_threads']}; torch {res['versions']['torch']}; median of "
        f"{res['repeats']} repeats.",
    ]
    return "\n".join(lines) + "\n"


def _many_labels_rows(res):
    ml, mp = res.get("many_labels"), res.get("many_labels_predict")
    rows = []
    if ml:
        f = ml["fit_s"]
        rows += [
            (
                "1,000 binary labels: fit / hand loop with one output layer",
                _ratio_text(
                    ml["ratio_1000_to_hand_loop"],
                    f["sklmtl_1000"],
                    f["hand_loop_1000"],
                ),
                "<= 1.5",
            ),
            (
                "binary labels: fit time 32 labels / 1 label",
                _ratio_text(ml["growth_1_to_32"], f["sklmtl_32"], f["sklmtl_1"]),
                "<= 1.3",
            ),
            (
                "binary labels: fit time 1,000 labels / 1 label",
                _ratio_text(ml["growth_1_to_1000"], f["sklmtl_1000"], f["sklmtl_1"]),
                "<= 3",
            ),
            (
                "same for the hand loop (the cost of 1,000 outputs itself)",
                _ratio_text(
                    ml["hand_loop_growth_1_to_1000"],
                    f["hand_loop_1000"],
                    f["hand_loop_1"],
                ),
                "",
            ),
        ]
    if mp:
        t = mp["time_s"]
        for name, label, target in (
            ("predict_proba", "predict_proba (list of (n, 2) float64)", "<= 1.3"),
            ("predict_positive_proba", "predict_positive_proba (one array)", "<= 1.3"),
            ("predict", "predict", ""),
        ):
            rows.append(
                (
                    f"1,000 labels, 100k rows: {label} / bare forward",
                    _ratio_text(mp[f"ratio_{name}"], t[name], t["bare_forward"])
                    + _spread_text(mp, name),
                    target,
                )
            )
    return rows


def _spread_text(step, name):
    """`` [min-max]`` of the per-repeat ratios of a prediction step's call."""
    r = step["ratios"][name]
    return f" [{r['min']:.2f}-{r['max']:.2f}]"


if __name__ == "__main__":
    main()
