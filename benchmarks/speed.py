"""Speed benchmark: sklmtl against the PyTorch code a user would write by hand.

Usage::

    python benchmarks/speed.py [--repeats 5] [--threads 1 all] [--quick]
                               [--out DIR] [--only STEP ...]

One command measures every ratio with its run-to-run spread, on each torch
thread setting of ``--threads`` (default: one thread, then all cores). Each
ratio is the median over ``--repeats`` interleaved pairs (A then B, the ratio
of each pair one sample; the host's speed drifts less within a pair than
between repeats), with the samples' standard deviation and interquartile
range.

Ratio steps (per thread setting):

1. ``fit_shapes``: fit time against the fastest hand loop a user could write
   (same module, ``torch.optim.Adam(..., fused=True)`` as the estimator uses,
   shuffled slices of tensors made once; for binary labels one output layer
   with one logit per label and one BCE), 2 epochs, batch 128, on the shapes
   of issue 27: MLP 784-256-256 with two ten-class heads on 10,000 rows;
   MLP 64-256 with one binary label and with 1,000 binary labels on 10,000
   rows; the LeNet CNN of the MultiMNIST benchmark on 5,000 image pairs;
2. ``small_tables``: the default ``MultiTaskNetClassifier`` against
   ``MLPClassifier`` per task (both with their defaults) on the real-data
   suite's tables under 1,000 training rows, in its split (seed 0) and
   preprocessing pipeline; with both models' test mean task accuracy;
3. ``prediction``: ``predict_proba`` on 100,000 rows against the bare
   module's forward pass over the same batches under ``torch.inference_mode``,
   and the peak growth of resident memory during ``predict_proba`` beyond its
   outputs, measured in a fresh process;
4. ``many_labels_predict``: ``predict_proba`` (and ``predict_positive_proba``)
   for 1,000 labels on 100,000 rows against the bare forward pass.

Steps run once, on all cores: ``sharing`` (fit time of one shared net for T
tasks against ``IndependentTaskClassifier``, and from T = 1 to 32),
``scaling`` (per-epoch fit time from 10^3 to 10^6 rows, log-log slope, and
peak memory against X), ``threads`` (a tiny to a large net at 1 and all
threads and ``n_threads="auto"``), ``many_labels`` (fit time growth from 1
to 32 to 1,000 binary labels, and against the fused hand loop),
``tasks_growth`` (the T = 1 vs 32 part of ``sharing``), and ``hardware``
(training GFLOP/s of the large MLP against float32 matmul GFLOP/s).

Memory is the process's resident *anonymous* memory (``RssAnon`` in
``/proc/self/status``; psutil's RSS where there is no ``/proc``), polled every
millisecond: it counts what numpy and torch's CPU allocator hold, which
``tracemalloc`` does not see (it traces Python's allocators only: a 40 MB
tensor shows a 152 B peak there), and leaves out a memmap's file pages.

Writes ``speed.json``, ``speed.md`` (the tables) and ``speed.png`` (every
ratio with its interquartile range) to ``--out``; with ``--only`` it runs the
named steps alone (``hardware`` needs ``fit_shapes``).
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
import warnings
from pathlib import Path

import numpy as np
import psutil
import torch
import torch.nn.functional as F
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from sklmtl import MultiTaskNetClassifier, __version__
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.nn import HardParameterSharing, MLPTrunk

#: The clock of every timing: wall time, or with ``--clock cpu`` this
#: process's CPU time (one thread on a shared machine: leaves out the time
#: other jobs held the core; with more threads it adds theirs up).
_CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = _CLOCKS["wall"]


def _median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = _clock()
        fn()
        times.append(_clock() - start)
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


def _interleaved(first, second, repeats):
    """Medians of two timings taken alternately (the host's speed drifts)."""
    a, b = [], []
    for _ in range(repeats):
        a.append(_median_time(first, 1))
        b.append(_median_time(second, 1))
    return statistics.median(a), statistics.median(b)


def _paired(first, second, repeats):
    """Times of ``first`` and ``second`` taken alternately, and their ratios.

    The ratio of each pair is one sample: the host's speed drifts less within
    a pair than between repeats.
    """
    a, b = [], []
    for _ in range(repeats):
        a.append(_median_time(first, 1))
        b.append(_median_time(second, 1))
    return {
        "first_s": _spread(a),
        "second_s": _spread(b),
        "ratio": _spread([x / y for x, y in zip(a, b)]),
    }


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


def prediction(repeats):
    X, Y = _problem(100_000, 784)
    clf = _estimator((256, 256), 128, 1).fit(X[:2000], Y[:2000])
    module = clf.net_.module_.eval()
    X_t = torch.from_numpy(X)

    def bare():
        with torch.inference_mode():
            for start in range(0, len(X_t), 4096):
                module(X_t[start : start + 4096])

    clf.predict_proba(X[:10]), bare()
    paired = _paired(lambda: clf.predict_proba(X), bare, repeats)
    t_est, t_bare = paired["first_s"]["median"], paired["second_s"]["median"]
    # A fresh process: memory this one freed and malloc kept would hide growth.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        memory = pool.apply(_predict_memory_probe)
    return {
        "predict_proba_s": t_est,
        "bare_forward_s": t_bare,
        "ratio": paired["ratio"]["median"],
        "ratio_spread": paired["ratio"],
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
    """The loop a user would write: one output layer, one BCE, fused Adam."""
    torch.manual_seed(0)
    trunk = MLPTrunk(X.shape[1], hidden_layer_sizes=hidden)
    module = torch.nn.Sequential(trunk, torch.nn.Linear(trunk.out_features, Y.shape[1]))
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
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
    module = clf.net_.module_.eval()
    X_t = torch.from_numpy(X)

    def bare():
        with torch.inference_mode():
            for start in range(0, len(X_t), 4096):
                module(X_t[start : start + 4096])

    calls = {"bare_forward": bare, "predict_proba": lambda: clf.predict_proba(X)}
    if hasattr(clf, "predict_positive_proba"):
        calls["predict_positive_proba"] = lambda: clf.predict_positive_proba(X)
    for call in calls.values():  # warm-up
        call()
    times = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            times[name].append(_median_time(call, 1))
    t = {name: statistics.median(values) for name, values in times.items()}
    spreads = {
        f"ratio_{name}": _spread(
            [a / b for a, b in zip(times[name], times["bare_forward"])]
        )
        for name in calls
        if name != "bare_forward"
    }
    return {
        "time_s": t,
        **{key: value["median"] for key, value in spreads.items()},
        "ratio_spread": spreads,
    }


# ---------------------------------------------------------------- fit shapes
# The fit shapes of issue 27, each against the tightest loop a user could
# write: fused Adam (as the estimator uses), shuffled slices of tensors made
# once, and for binary labels one logit per label with one BCE.
FIT_SHAPES = {
    "mlp_two_heads": "MLP 784-256-256, 2 ten-class heads, 10k rows, batch 128",
    "one_binary": "MLP 64-256, 1 binary label, 10k rows, batch 128",
    "labels_1000": "MLP 64-256, 1,000 binary labels, 10k rows, batch 128",
    "cnn_multimnist": "LeNet CNN, MultiMNIST 28x28, 2 heads, 5k rows, batch 128",
}


def _shape_data(shape):
    """``(X, Y, hidden, estimator parameters)`` of a fit shape."""
    if shape == "mlp_two_heads":
        X, Y = _problem(10_000, 784)
        return X, Y, (256, 256), {}
    if shape == "cnn_multimnist":
        from sklmtl.datasets import load_multi_mnist

        X, Y = load_multi_mnist("train", n_samples=5_000, return_X_y=True)
        X = np.asarray(X, dtype=np.float32)
        return X, np.asarray(Y), None, {"trunk": "cnn", "image_shape": (28, 28)}
    n_labels = 1 if shape == "one_binary" else 1000
    X, Y = _indicator_problem(10_000, 64, n_labels)
    return X, Y, (256,), {}


def _shape_module(shape, X, Y, hidden):
    """The module a user would train by hand for ``shape``."""
    if shape == "cnn_multimnist":
        from sklmtl.nn import CNNTrunk

        n_classes = [int(Y[:, t].max()) + 1 for t in range(Y.shape[1])]
        return HardParameterSharing(CNNTrunk((1, 28, 28)), n_classes)
    trunk = MLPTrunk(X.shape[1], hidden_layer_sizes=hidden)
    if shape == "mlp_two_heads":
        n_classes = [int(Y[:, t].max()) + 1 for t in range(Y.shape[1])]
        return HardParameterSharing(trunk, n_classes)
    return torch.nn.Sequential(trunk, torch.nn.Linear(trunk.out_features, Y.shape[1]))


def fused_hand_loop(shape, X, Y, hidden, batch, epochs):
    """The fastest loop a user would write for ``shape`` (fused Adam)."""
    torch.manual_seed(0)
    module = _shape_module(shape, X, Y, hidden)
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, fused=True)
    binary = shape in ("one_binary", "labels_1000")
    X_t = torch.from_numpy(X)
    Y_t = torch.from_numpy(Y.astype(np.float32 if binary else np.int64))
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        for start in range(0, len(X_t), batch):
            idx = order[start : start + batch]
            xb, yb = X_t[idx], Y_t[idx]
            if binary:
                loss = F.binary_cross_entropy_with_logits(module(xb), yb)
            else:
                loss = sum(
                    F.cross_entropy(lg, yb[:, t]) for t, lg in enumerate(module(xb))
                )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return module


def _spread(values):
    """Median, sample standard deviation and interquartile range."""
    q1, q3 = np.percentile(values, [25, 75])
    return {
        "median": statistics.median(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
        "iqr": float(q3 - q1),
        "values": list(values),
    }


def fit_shape(shape, repeats, epochs=2, batch=128):
    """Fit time of the estimator and of the fused hand loop, interleaved.

    Each repeat times the estimator then the hand loop; the ratio of each
    pair is one sample (the host's speed drifts less within a pair than
    between repeats). Returns the medians and the spread of the ratios.
    """
    X, Y, hidden, params = _shape_data(shape)
    if hidden is not None:
        params = {"hidden_layer_sizes": hidden, **params}
    estimator = MultiTaskNetClassifier(
        batch_size=batch,
        max_epochs=epochs,
        early_stopping=False,
        tol=None,
        random_state=0,
        n_threads=None,
        **params,
    )
    est = functools.partial(_fit, estimator, X, Y)
    loop = functools.partial(fused_hand_loop, shape, X, Y, hidden, batch, epochs)
    est(), loop()  # warm-up
    paired = _paired(est, loop, repeats)
    return {
        "workload": FIT_SHAPES[shape],
        "epochs": epochs,
        "sklmtl_fit_s": paired["first_s"],
        "hand_loop_fit_s": paired["second_s"],
        "ratio": paired["ratio"],
    }


def fit_shapes(repeats, shapes=None):
    """:func:`fit_shape` for every shape of :data:`FIT_SHAPES`."""
    return {shape: fit_shape(shape, repeats) for shape in shapes or FIT_SHAPES}


# --------------------------------------------------------------- small tables
#: The real-data suite's tables whose training split has under 1,000 rows.
SMALL_TABLES = ("penguins", "mpg", "solar flare")


def _fit_quietly(model, X, Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning
        return model.fit(X, Y)


def small_table(name, repeats):
    """Default fit against ``MLPClassifier`` per task on one real table.

    The real-data suite's split (seed 0) and preprocessing pipeline; each
    repeat times the default ``MultiTaskNetClassifier`` then
    ``IndependentTaskClassifier(MLPClassifier())`` (both with their
    defaults), and the ratio of each pair is one sample.
    """
    import real_suite
    from realdata import load_table

    from sklmtl.metrics import mean_task_accuracy

    X_train, Y_train, X_test, Y_test = real_suite.split(
        *load_table(name), 0, real_suite.SUITES["real"]
    )
    pipelines = {
        key: real_suite.make_pipeline(
            real_suite.preprocessor(X_train), real_suite.METHODS[method][0](0)
        )
        for key, method in (("sklmtl", real_suite.SKLMTL), ("mlp", "MLP per task"))
    }
    fits = {
        key: functools.partial(_fit_quietly, clone(model), X_train, Y_train)
        for key, model in pipelines.items()
    }
    fitted = {key: fit() for key, fit in fits.items()}  # warm-up
    times = {key: [] for key in fits}
    for _ in range(repeats):
        for key, fit in fits.items():
            times[key].append(_median_time(fit, 1))
    return {
        "train_rows": len(X_train),
        "sklmtl_fit_s": _spread(times["sklmtl"]),
        "mlp_per_task_fit_s": _spread(times["mlp"]),
        "ratio": _spread([a / b for a, b in zip(times["sklmtl"], times["mlp"])]),
        "sklmtl_epochs": int(fitted["sklmtl"][-1].n_iter_),
        "test_mean_task_accuracy": {
            key: float(mean_task_accuracy(Y_test, model.predict(X_test)))
            for key, model in fitted.items()
        },
    }


def small_tables(repeats, tables=SMALL_TABLES):
    """:func:`small_table` for each table; None when its data are missing."""
    from realdata import missing_packages

    if missing_packages(list(tables)):
        return None
    return {name: small_table(name, repeats) for name in tables}


#: Steps timed against a reference once per thread setting (``--threads``).
RATIO_STEPS = {
    "fit_shapes": fit_shapes,
    "small_tables": small_tables,
    "prediction": prediction,
    "many_labels_predict": many_labels_predict,
}
#: Steps run once, with all cores.
ONCE_STEPS = {
    "sharing": sharing,
    "scaling": None,  # takes --quick, not --repeats
    "threads": threads,
    "many_labels": many_labels,
    "tasks_growth": tasks_growth,
}
_STEP_NAMES = [*RATIO_STEPS, *ONCE_STEPS]


def _thread_count(setting):
    return os.cpu_count() if setting == "all" else int(setting)


def _run_step(name, args):
    if name == "scaling":
        return scaling(args.quick)
    return {**RATIO_STEPS, **ONCE_STEPS}[name](args.repeats)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--threads",
        nargs="+",
        default=["1", "all"],
        help='torch thread settings of the ratio steps: numbers or "all" '
        "(default: 1 all)",
    )
    parser.add_argument("--quick", action="store_true", help="skip 10^6 rows")
    parser.add_argument(
        "--clock",
        choices=sorted(_CLOCKS),
        default="wall",
        help="wall time (default), or this process's CPU time (for one thread "
        "on a shared machine)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=_STEP_NAMES,
        help="run these steps only (the files written hold their results)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "speed"
    )
    args = parser.parse_args(argv)
    for setting in args.threads:
        if setting != "all" and not setting.isdigit():
            parser.error(f'--threads takes numbers or "all"; got {setting!r}')
    global _clock
    _clock = _CLOCKS[args.clock]
    result = {
        "versions": {
            "sklmtl": __version__,
            "torch": torch.__version__,
            "python": sys.version.split()[0],
        },
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "processor": platform.processor(),
        },
        "repeats": args.repeats,
        "clock": args.clock,
        "by_threads": {},
    }
    wanted = set(args.only or _STEP_NAMES)
    for setting in args.threads:
        # torch's threads and the BLAS/OpenMP pools numpy and scikit-learn use.
        torch.set_num_threads(_thread_count(setting))
        block = result["by_threads"][setting] = {}
        with threadpool_limits(limits=_thread_count(setting)):
            for name in RATIO_STEPS:
                if name in wanted:
                    start = time.perf_counter()
                    block[name] = _run_step(name, args)
                    elapsed = time.perf_counter() - start
                    print(
                        f"{name} ({_threads_text(setting)}): {elapsed:.0f} s",
                        flush=True,
                    )
    torch.set_num_threads(os.cpu_count())
    for name in ONCE_STEPS:
        if name in wanted:
            start = time.perf_counter()
            result[name] = _run_step(name, args)
            print(f"{name}: {time.perf_counter() - start:.0f} s", flush=True)
    if "fit_shapes" in wanted:
        block = result["by_threads"][args.threads[-1]]
        fit = block["fit_shapes"]["mlp_two_heads"]
        result["hardware"] = hardware(
            args.repeats, fit["sklmtl_fit_s"]["median"] / fit["epochs"]
        )
    write(result, args.out)


def write(result, out):
    """``speed.json``, ``speed.md`` and ``speed.png`` of a result, in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "speed.json").write_text(json.dumps(result, indent=2) + "\n")
    table = report(result)
    (out / "speed.md").write_text(table)
    plot_ratios(result, out / "speed.png")
    print(table)


def _threads_text(setting):
    return "1 thread" if setting == "1" else f"{setting} threads"


def _spread_text(spread):
    """``median [q1-q3 width]`` of a ratio."""
    return f"{spread['median']:.2f} (IQR {spread['iqr']:.2f})"


def ratio_rows(res):
    """``(measure, {threads: spread}, target)`` of every ratio with a spread."""
    rows = []
    by = res["by_threads"]

    def per_setting(get):
        out = {}
        for setting, block in by.items():
            try:
                out[setting] = get(block)
            except (KeyError, TypeError):
                continue
        return out

    for shape, workload in FIT_SHAPES.items():
        rows.append(
            (
                f"fit / fused hand loop: {workload}",
                per_setting(lambda b, s=shape: b["fit_shapes"][s]["ratio"]),
                "<= 1.05",
            )
        )
    for table in SMALL_TABLES:
        rows.append(
            (
                f"default fit / MLPClassifier per task: {table}",
                per_setting(lambda b, t=table: b["small_tables"][t]["ratio"]),
                "<= 1",
            )
        )
    rows.append(
        (
            "predict_proba 100k rows / bare forward",
            per_setting(lambda b: b["prediction"]["ratio_spread"]),
            "<= 1.2",
        )
    )
    for name, target in (
        ("predict_proba", "<= 1.2"),
        ("predict_positive_proba", "<= 1.3"),
    ):
        rows.append(
            (
                f"1,000 labels, 100k rows: {name} / bare forward",
                per_setting(
                    lambda b, n=name: b["many_labels_predict"]["ratio_spread"][
                        f"ratio_{n}"
                    ]
                ),
                target,
            )
        )
    return [row for row in rows if row[1]]


def report(res):
    """The markdown report: every ratio per thread setting, then the rest."""
    settings = list(res["by_threads"])
    lines = [
        "| ratio | " + " | ".join(_threads_text(s) for s in settings) + " | target |",
        "|---|" + "---|" * len(settings) + "---|",
    ]
    for measure, spreads, target in ratio_rows(res):
        cells = [_spread_text(spreads[s]) if s in spreads else "" for s in settings]
        lines.append(f"| {measure} | " + " | ".join(cells) + f" | {target} |")
    lines += ["", "| measure | value | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in _once_rows(res)]
    m = res["machine"]
    lines += [
        "",
        f"Machine: {m['platform']}, {m['cpu_count']} CPUs; torch "
        f"{res['versions']['torch']}. Ratios: median over {res['repeats']} "
        "interleaved pairs (each pair's own ratio), IQR = interquartile range.",
    ]
    return "\n".join(lines) + "\n"


def _once_rows(res):
    rows = []
    sh, sc, hw, th = (res.get(k) for k in ("sharing", "scaling", "hardware", "threads"))
    if sh:
        rows += [
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
        ]
    for setting, block in res["by_threads"].items():
        pr = block.get("prediction")
        if pr:
            rows.append(
                (
                    f"predict_proba peak resident memory growth beyond its "
                    f"outputs ({_threads_text(setting)})",
                    f"{pr['peak_extra_beyond_outputs_bytes'] / 2**20:.1f} MiB "
                    f"(outputs {pr['output_bytes'] / 2**20:.1f} MiB, "
                    f"X {_mib(pr['X_bytes'])})",
                    "bounded by the batch",
                )
            )
    if sc:
        biggest = sc["rows"][-1]
        rows += [
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
        ]
    if hw:
        rows += [
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
    for name, row in (th or {}).items():
        values = " / ".join(f"{v:.2f} s" for v in row.values())
        rows.append(
            (
                f"threads, {name}: fit at {' / '.join(row)} threads",
                values,
                "auto the fastest",
            )
        )
    return rows


def plot_ratios(res, path):
    """Every ratio with its interquartile range, one bar per thread setting."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = ratio_rows(res)
    settings = list(res["by_threads"])
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) * len(settings) + 1.5))
    height = 0.8 / len(settings)
    for k, setting in enumerate(settings):
        ys, medians, low, high = [], [], [], []
        for i, (_, spreads, _) in enumerate(rows):
            if setting not in spreads:
                continue
            values = spreads[setting]["values"]
            q1, q3 = np.percentile(values, [25, 75])
            median = spreads[setting]["median"]
            ys.append(i + k * height)
            medians.append(median)
            low.append(median - q1)
            high.append(q3 - median)
        label = _threads_text(setting)
        ax.barh(ys, medians, height, xerr=[low, high], label=label, capsize=2)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks([i + height * (len(settings) - 1) / 2 for i in range(len(rows))])
    ax.set_yticklabels([measure for measure, _, _ in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("time ratio (median of interleaved pairs; bars: IQR)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


def _many_labels_rows(res):
    ml = res.get("many_labels")
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
    return rows


if __name__ == "__main__":
    main()
