"""Sparse text input: one epoch on TF-IDF-like CSR rows, time and memory.

Usage::

    python benchmarks/sparse.py [--rows 10000 30000 100000 300000] [--features 262144]
                                [--density 0.001] [--hidden 16] [--batch 256]
                                [--threads 1] [--compare-matmul] [--out DIR]
                                [--plot-only]

For each row count, in a fresh process (a clean peak): build a synthetic
TF-IDF-like CSR matrix (float64, as ``TfidfVectorizer`` returns; Zipf-like
term frequencies plus topic words; rows L2-normalised; ``density`` of the
``features`` columns stored), fit ``MultiTaskNetClassifier`` for one epoch on
two tasks (a 5-class topic and a binary tone), and record:

- the epoch's wall time (the whole ``fit``, validation included) and its
  log-log slope against the number of rows (and stored values), and the
  same for the CPU time of the fitting thread (``time.thread_time``; with
  one torch thread it is the fit's work, which a machine shared with other
  jobs does not stretch as it stretches the wall time);
- the peak resident *anonymous* memory (``RssAnon`` in ``/proc/self/status``
  as ``benchmarks/speed.py`` reads it, psutil's RSS where there is no
  ``/proc``; polled every millisecond; ``tracemalloc`` does not see torch's
  allocator) against the sparse matrix's bytes plus the model's bytes
  (parameters in float32), and against the sparse matrix plus the model's
  training state (parameters, gradients and Adam's two moments: 4x the
  model). The working memory is the peak minus the
  resident memory after imports and a warm-up fit, before the data exist.

``--compare-matmul`` also times one training step of the first layer on one
batch both ways: densify the batch and multiply (what sklmtl did before it
passed sparse batches to the network, and still does for a CNN or a user's
trunk), or multiply the sparse batch (``torch.sparse.mm``, what the MLP
trunk's first ``nn.Linear`` does now), each with the dense gradient and the
Adam update of the ``features x hidden`` weights.

Writes ``sparse.json``, ``sparse.md`` and ``sparse.png`` to ``--out``
(default ``benchmarks/results/sparse``) and prints the table;
``--plot-only`` rebuilds the table and the figure from the JSON.
"""

import argparse
import json
import multiprocessing
import platform
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import scipy.sparse as sp
from speed import _anon_rss

N_TOPICS = 5


def make_tfidf_like(n_rows, n_features, density, seed=0):
    """CSR rows shaped like TF-IDF output, with a topic and a tone per row."""
    rng = np.random.default_rng(seed)
    per_row = max(2, round(density * n_features))
    topic = rng.integers(0, N_TOPICS, n_rows)
    tone = rng.integers(0, 2, n_rows)
    # Common words follow a Zipf law over the vocabulary; a quarter of each
    # document comes from its topic's own block of 2,000 words and one word
    # block marks the tone.
    common = (rng.zipf(1.2, size=(n_rows, per_row)) - 1) % n_features
    own = (topic[:, None] * 2000 + rng.integers(0, 2000, (n_rows, per_row))) % (
        n_features
    )
    use_own = rng.random((n_rows, per_row)) < 0.25
    indices = np.where(use_own, own, common)
    indices[:, 0] = n_features - 1 - tone * 100 - rng.integers(0, 100, n_rows)
    values = rng.random((n_rows, per_row)) + 0.5
    X = sp.csr_matrix(
        (values.ravel(), indices.ravel(), np.arange(0, n_rows * per_row + 1, per_row)),
        shape=(n_rows, n_features),
    )
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.csr_matrix(sp.diags(1.0 / norms) @ X)
    return X, np.column_stack([topic, tone])


def _sparse_bytes(X):
    return int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes)


class _PeakRSS:
    """Polls the process's anonymous RSS in a thread; ``peak`` after the block."""

    def __enter__(self):
        self.peak = _anon_rss()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self):
        while not self._done.is_set():
            self.peak = max(self.peak, _anon_rss())
            time.sleep(0.001)

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, _anon_rss())


def _estimator(args):
    from sklmtl import MultiTaskNetClassifier

    return MultiTaskNetClassifier(
        hidden_layer_sizes=(args.hidden,),
        batch_size=args.batch,
        max_epochs=1,
        early_stopping=False,
        tol=None,
        n_threads=args.threads,
        random_state=0,
    )


def one_size(n_rows, args):
    """Fit one epoch on ``n_rows`` rows (run in a fresh process)."""
    import torch

    torch.set_num_threads(args.threads)
    warm_X, warm_Y = make_tfidf_like(args.batch * 4, args.features, args.density, 1)
    _estimator(args).fit(warm_X, warm_Y)  # imports, thread pools, allocator
    del warm_X, warm_Y
    baseline = _anon_rss()
    X, Y = make_tfidf_like(n_rows, args.features, args.density)
    before_fit = _anon_rss()
    clf = _estimator(args)
    with _PeakRSS() as rss:
        start, start_cpu = time.perf_counter(), time.thread_time()
        clf.fit(X, Y)
        seconds = time.perf_counter() - start
        cpu_seconds = time.thread_time() - start_cpu
    n_params = sum(p.numel() for p in clf.net_.module_.parameters())
    sparse_bytes = _sparse_bytes(X)
    model_bytes = 4 * n_params
    # What training holds per parameter: the weight, its gradient and Adam's
    # two moments (float32).
    training_state_bytes = 4 * model_bytes
    working = rss.peak - baseline
    return {
        "rows": n_rows,
        "nnz": int(X.nnz),
        "seconds_per_epoch": seconds,
        "cpu_seconds_per_epoch": cpu_seconds,
        "sparse_bytes": sparse_bytes,
        "model_bytes": model_bytes,
        "parameters": int(n_params),
        "rss_baseline": int(baseline),
        "rss_before_fit": int(before_fit),
        "rss_peak": int(rss.peak),
        "working_bytes": int(working),
        "training_state_bytes": training_state_bytes,
        "working_over_sparse_plus_model": working / (sparse_bytes + model_bytes),
        "working_over_sparse_plus_training_state": working
        / (sparse_bytes + training_state_bytes),
        "peak_over_sparse_plus_model": rss.peak / (sparse_bytes + model_bytes),
    }


def _in_fresh_process(n_rows, args):
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(one_size, (n_rows, args))


def compare_matmul(args, steps=5):
    """One first-layer training step, densified batch vs ``torch.sparse.mm``."""
    import torch

    torch.set_num_threads(args.threads)
    X, _ = make_tfidf_like(args.batch * steps, args.features, args.density)
    X = X.astype(np.float32)
    layer = torch.nn.Linear(args.features, args.hidden)
    optimizer = torch.optim.Adam(layer.parameters(), fused=True)

    def dense_step(block):
        out = layer(torch.from_numpy(block.toarray()))
        return out

    def sparse_step(block):
        coo = block.tocoo()
        index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
        batch = torch.sparse_coo_tensor(
            index, torch.from_numpy(coo.data), coo.shape, check_invariants=False
        )
        return torch.sparse.mm(batch, layer.weight.t()) + layer.bias

    times = {"densified": [], "sparse_mm": []}
    for step in range(steps):  # interleaved: the host's speed drifts
        block = X[step * args.batch : (step + 1) * args.batch]
        for name, forward in (("densified", dense_step), ("sparse_mm", sparse_step)):
            start = time.perf_counter()
            loss = forward(block).square().mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t[1:])) for name, t in times.items()}


def _slope(x, y):
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def _mib(n_bytes):
    return f"{n_bytes / 2**20:,.0f} MiB"


def report(result):
    runs = result["runs"]
    lines = [
        f"Sparse input, one epoch ({result['settings']['features']} features, "
        f"density {result['settings']['density']}, hidden "
        f"{result['settings']['hidden']}, batch {result['settings']['batch']}, "
        f"{result['settings']['threads']} thread(s))",
        "",
        "| rows | stored values | s / epoch | CPU s / epoch | sparse X | model | "
        "peak RssAnon | working memory | working / (X + model) | "
        "working / (X + training state) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r['rows']:,} | {r['nnz']:,} | {r['seconds_per_epoch']:.1f} | "
            f"{r['cpu_seconds_per_epoch']:.1f} | "
            f"{_mib(r['sparse_bytes'])} | {_mib(r['model_bytes'])} | "
            f"{_mib(r['rss_peak'])} | {_mib(r['working_bytes'])} | "
            f"{r['working_over_sparse_plus_model']:.2f} | "
            f"{r['working_over_sparse_plus_training_state']:.2f} |"
        )
    lines += [
        "",
        f"log-log slope of time per epoch vs rows: {result['slope_rows']:.2f}; "
        f"vs stored values: {result['slope_nnz']:.2f}; CPU time (the fitting "
        f"thread's) vs stored values: {result['slope_cpu_nnz']:.2f}",
    ]
    if result.get("matmul"):
        m = result["matmul"]
        lines.append(
            f"first-layer step on one batch: densified {m['densified'] * 1e3:.0f} ms, "
            f"torch.sparse.mm {m['sparse_mm'] * 1e3:.0f} ms"
        )
    return "\n".join(lines) + "\n"


def plot(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = result["runs"]
    rows = np.array([r["rows"] for r in runs])
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.loglog(rows, [r["seconds_per_epoch"] for r in runs], "o-", label="wall")
    if "cpu_seconds_per_epoch" in runs[0]:
        cpu = [r["cpu_seconds_per_epoch"] for r in runs]
        left.loglog(rows, cpu, "s-", label="CPU (fitting thread)")
    left.set(
        xlabel="rows",
        ylabel="seconds per epoch",
        title=f"time per epoch (wall slope {result['slope_rows']:.2f})",
    )
    left.legend(fontsize="small")
    mib = 2**20
    bound = np.array([r["sparse_bytes"] + r["model_bytes"] for r in runs]) / mib
    right.plot(rows, [r["working_bytes"] / mib for r in runs], "o-", label="working")
    right.plot(rows, [r["rss_peak"] / mib for r in runs], "s-", label="peak RssAnon")
    right.plot(rows, bound, "k--", label="sparse X + model")
    right.plot(rows, 2 * bound, "k:", label="2 x (sparse X + model)")
    right.set(xscale="log", xlabel="rows", ylabel="MiB", title="memory during fit")
    right.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[10_000, 30_000, 100_000, 300_000]
    )
    parser.add_argument("--features", type=int, default=2**18)
    parser.add_argument("--density", type=float, default=0.001)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--compare-matmul", action="store_true")
    parser.add_argument("--plot-only", action="store_true")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "sparse",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.plot_only:
        result = json.loads((args.out / "sparse.json").read_text())
    else:
        import sklearn
        import torch

        import sklmtl

        runs = [_in_fresh_process(n, args) for n in args.rows]
        result = {
            "settings": {
                k: v for k, v in vars(args).items() if k not in ("out", "plot_only")
            },
            "machine": {
                "cpus": psutil.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
            "versions": {
                "sklmtl": sklmtl.__version__,
                "torch": torch.__version__,
                "scikit-learn": sklearn.__version__,
            },
            "runs": runs,
            "slope_rows": _slope(
                [r["rows"] for r in runs], [r["seconds_per_epoch"] for r in runs]
            ),
            "slope_nnz": _slope(
                [r["nnz"] for r in runs], [r["seconds_per_epoch"] for r in runs]
            ),
            "slope_cpu_nnz": _slope(
                [r["nnz"] for r in runs], [r["cpu_seconds_per_epoch"] for r in runs]
            ),
            "matmul": compare_matmul(args) if args.compare_matmul else None,
        }
        (args.out / "sparse.json").write_text(json.dumps(result, indent=2))
    table = report(result)
    (args.out / "sparse.md").write_text(table)
    plot(result, args.out / "sparse.png")
    print(table)
    return result


if __name__ == "__main__":
    main()
