"""The held-out suite: sklmtl's defaults against per-task peers, never tuned on.

Usage::

    python benchmarks/heldout_suite.py [--set heldout|development|all]
                                       [--methods NAME ...] [--tables NAME ...]
                                       [--seeds 0 1 2 3 4] [--force]
                                       [--jobs N] [--out DIR]

(``python benchmarks/run.py --suite heldout`` runs the same with the
defaults.) The tables are ``realdata.HELD_OUT``, fixed before any tuning;
``--set development`` runs the same protocol on ``realdata.DEVELOPMENT`` (on
their test rows, which ``dev_select.py`` never reads) so the report can put
the two side by side. Per table and seed: the real-data suite's split
(``real_suite.split``: 25% test, at most 1,000 training and 1,000 test rows),
the same for every method; label cells that the source leaves missing stay
missing, and each task is scored on its labelled test cells.

Methods, all with their defaults (``random_state`` set where there is one):

- ``sklmtl default``: ``MultiTaskNetClassifier()``, ``MultiTaskNetRegressor()``
  or, for tables with both kinds, ``MultiTaskNet(task_types=...)``, fed the
  DataFrame as it is (its own categorical handling, as a user would).
- per task, through :class:`sklmtl.baselines.IndependentTaskEstimator` (each
  task fitted on its labelled rows) behind the real-data suite's
  ``preprocessor`` (scaled numeric, one-hot categorical columns):
  ``HistGradientBoosting``; ``LogisticRegression`` (``Ridge`` for regression
  tasks); RBF ``SVC`` (``SVR``); ``MLPClassifier`` (``MLPRegressor`` on a
  standardised target); pytabkit's ``RealMLP_TD`` and ``TabM_D``
  (``n_threads=1, device="cpu"``); the majority class (the mean) as a
  reference line.

TabM-D runs only on tables under 500 training rows (:data:`TABM_MAX_TRAIN`):
it took 25-70 s per task and split on one thread of the shared 2-core machine
(RealMLP-TD 9-30 s per task; the sklmtl default fits all tasks of a table in
1-8 s), so 5 splits of every task would take hours; the rule keeps the
smallest tables, where the issue says the defaults lose.

Everything runs on one thread per process. Results are cached per (table,
seed, method) in ``DIR/cache/<method>.json``; a cached result is reused
unless ``--force`` is given, so refreshing only the sklmtl rows after its
defaults change is::

    python benchmarks/heldout_suite.py --set all --methods "sklmtl default" --force

``benchmarks/heldout_report.py`` then builds ``report.md``, ``report.json``
and ``heldout_gaps.png`` from the cache alone (this script calls it at the end).
"""

import argparse
import json
import re
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from common import warm_up_torch
from real_suite import RealSuite, preprocessor, split
from realdata import DEVELOPMENT, HELD_OUT, TABLES, load_table, missing_packages
from sklearn.compose import TransformedTargetRegressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR
from threadpoolctl import threadpool_limits

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.baselines import IndependentTaskEstimator
from sklmtl.metrics import task_scores

SKLMTL = "sklmtl default"
#: The sklmtl default as first run on this suite, frozen with ``--freeze-before``.
BEFORE = "sklmtl before"
MAJORITY = "majority (reference)"
LINEAR = "LogReg per task"
REALMLP = "RealMLP-TD per task"
TABM = "TabM-D per task"
#: TabM-D runs on tables with fewer training rows than this (see above).
TABM_MAX_TRAIN = 500
#: The suite's split: the real-quick caps, 5 seeds.
SUITE = RealSuite([], seeds=[0, 1, 2, 3, 4], max_train=1_000, max_test=1_000)
SETS = {"heldout": HELD_OUT, "development": DEVELOPMENT}


def _realmlp(kind, seed):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    cls = RealMLP_TD_Classifier if kind == "classification" else RealMLP_TD_Regressor
    return cls(n_threads=1, device="cpu", random_state=seed)


def _tabm(kind, seed):
    from pytabkit import TabM_D_Classifier, TabM_D_Regressor

    cls = TabM_D_Classifier if kind == "classification" else TabM_D_Regressor
    return cls(n_threads=1, device="cpu", random_state=seed)


def _scaled_mlp(seed):
    return TransformedTargetRegressor(
        MLPRegressor(random_state=seed), transformer=StandardScaler()
    )


#: Per-task peers: name -> (classifier factory, regressor factory), each a
#: function of the seed.
PEERS = {
    "HGB per task": (
        lambda s: HistGradientBoostingClassifier(random_state=s),
        lambda s: HistGradientBoostingRegressor(random_state=s),
    ),
    LINEAR: (lambda s: LogisticRegression(), lambda s: Ridge()),
    "SVC per task": (lambda s: SVC(), lambda s: SVR()),
    "MLP per task": (lambda s: MLPClassifier(random_state=s), _scaled_mlp),
    REALMLP: (
        lambda s: _realmlp("classification", s),
        lambda s: _realmlp("regression", s),
    ),
    TABM: (lambda s: _tabm("classification", s), lambda s: _tabm("regression", s)),
    MAJORITY: (lambda s: DummyClassifier(), lambda s: DummyRegressor()),
}
METHODS = [SKLMTL, *PEERS]


def sklmtl_default(table, task_types, seed):
    """The sklmtl estimator a user would pick for the table's targets, defaults.

    Examples
    --------
    >>> from realdata import TABLES
    >>> type(sklmtl_default(TABLES["sat act"], {}, 0)).__name__
    'MultiTaskNetRegressor'
    """
    if table.kind == "classification":
        return MultiTaskNetClassifier(random_state=seed)
    if table.kind == "regression":
        return MultiTaskNetRegressor(random_state=seed)
    return MultiTaskNet(task_types=task_types, random_state=seed)


def make_model(method, table, task_types, seed, X_train):
    """The unfitted model of one method (sklmtl: the DataFrame; peers: a pipeline)."""
    if method == SKLMTL:
        return sklmtl_default(table, task_types, seed)
    classifier, regressor = PEERS[method]
    per_task = IndependentTaskEstimator(
        classifier(seed), regressor(seed), task_types=task_types
    )
    return make_pipeline(preprocessor(X_train), per_task)


def applies(method, n_train):
    """Whether a method runs on a table with ``n_train`` training rows."""
    return method != TABM or n_train < TABM_MAX_TRAIN


def run_one(method, name, seed):
    """Fit and score one method on one split; failures are recorded with their error."""
    table = TABLES[name]
    X, Y = load_table(name)
    X_train, Y_train, X_test, Y_test = split(X, Y, seed, SUITE)
    task_types = table.task_types(Y.columns)
    types = [task_types[c] for c in Y.columns]
    record = {
        "table": name,
        "seed": seed,
        "method": method,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "task_types": types,
    }
    model = make_model(method, table, task_types, seed, X_train)
    torch.set_num_threads(1)
    with threadpool_limits(1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            model.fit(X_train, Y_train)
        except Exception as exc:  # recorded, and reported as a failure
            return {
                **record,
                "status": "failed",
                "error": f"{type(exc).__name__}: {exc}",
            }
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        Y_pred = np.asarray(model.predict(X_test), dtype=object)
        predict_time = time.perf_counter() - start
    per_task = task_scores(Y_test, Y_pred, task_types=types)
    labelled = Y_test.notna().to_numpy()
    extra = {}
    if table.multilabel:
        wrong = [
            Y_test.iloc[:, t][labelled[:, t]].astype(float).to_numpy()
            != Y_pred[labelled[:, t], t].astype(float)
            for t in range(Y.shape[1])
        ]
        extra["hamming_loss"] = float(np.concatenate(wrong).mean())
    estimator = model[-1] if hasattr(model, "steps") else model
    return {
        **record,
        "status": "ok",
        "task_scores": dict(zip(Y.columns, map(float, per_task))),
        "mean_task_score": float(np.nanmean(per_task)),
        "labelled_test_cells": dict(zip(Y.columns, map(int, labelled.sum(axis=0)))),
        **extra,
        "fit_time_s": fit_time,
        "predict_time_s": predict_time,
        "epochs": getattr(estimator, "n_iter_", None) if method == SKLMTL else None,
        "model": repr(estimator)[:400],
        "warnings": dict(Counter(type(w.message).__name__ for w in caught)),
    }


def _slug(method):
    return re.sub(r"[^a-z0-9]+", "-", method.lower()).strip("-")


def cache_path(out_dir, method):
    """``out_dir/cache/<method>.json``: that method's records by ``table|seed``."""
    return out_dir / "cache" / f"{_slug(method)}.json"


def read_cache(out_dir, method):
    """The cached records of one method, ``{"table|seed": record}``."""
    path = cache_path(out_dir, method)
    return json.loads(path.read_text()) if path.exists() else {}


def write_cache(out_dir, method, records):
    path = cache_path(out_dir, method)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=1, sort_keys=True))


def _n_train(name):
    n_rows = len(load_table(name)[0])
    return min(n_rows - int(round(SUITE.test_fraction * n_rows)), SUITE.max_train)


def run(tables, methods, seeds, out_dir, force=False, jobs=1):
    """Run what the cache lacks (everything listed with ``force``); return the count."""
    missing = missing_packages(tables)
    if missing:
        raise SystemExit(f"Install the data packages first: pip install {missing}")
    sizes = {name: _n_train(name) for name in tables}
    todo = []
    for method in methods:
        cached = read_cache(out_dir, method)
        for name in tables:
            if not applies(method, sizes[name]):
                continue
            for seed in seeds:
                if force or f"{name}|{seed}" not in cached:
                    todo.append((method, name, seed))
    print(f"{len(todo)} runs to do ({len(tables)} tables, {methods})", flush=True)
    if not todo:
        return 0
    warm_up_torch()
    start_all = time.perf_counter()
    if jobs == 1:
        results = (run_one(*job) for job in todo)
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=jobs, return_as="generator_unordered")(
            delayed(run_one)(*job) for job in todo
        )
    for i, result in enumerate(results, 1):
        method = result["method"]
        records = read_cache(out_dir, method)
        records[f"{result['table']}|{result['seed']}"] = result
        write_cache(out_dir, method, records)
        summary = (
            f"score {100 * result['mean_task_score']:6.2f} fit "
            f"{result['fit_time_s']:7.2f} s"
            if result["status"] == "ok"
            else f"FAILED {result['error'][:100]}"
        )
        print(
            f"[{i:>4}/{len(todo)} {time.perf_counter() - start_all:7.0f} s] "
            f"{result['table']} | {method} | seed {result['seed']} | {summary}",
            flush=True,
        )
    return len(todo)


def freeze_before(out_dir):
    """Copy the cached sklmtl default records as :data:`BEFORE` (the reference)."""
    records = read_cache(out_dir, SKLMTL)
    write_cache(
        out_dir, BEFORE, {k: {**r, "method": BEFORE} for k, r in records.items()}
    )
    return len(records)


def main(argv=None):
    """Command line: run what is missing, then rebuild the report from the cache."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--set", choices=["heldout", "development", "all"], default="heldout"
    )
    parser.add_argument(
        "--tables", nargs="+", default=None, choices=sorted(TABLES), metavar="TABLE"
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        default=METHODS,
        choices=METHODS,
        metavar="METHOD",
        help="one of " + ", ".join(map(repr, METHODS)),
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=SUITE.seeds)
    parser.add_argument(
        "--force",
        action="store_true",
        help="rerun the listed methods even where cached",
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="processes (each one thread); 1 for timings"
    )
    parser.add_argument(
        "--freeze-before",
        action="store_true",
        help=f"copy the cached {SKLMTL!r} records as {BEFORE!r}",
    )
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument(
        "--out", type=Path, default=None, help="default benchmarks/results/heldout"
    )
    args = parser.parse_args(argv)
    out_dir = args.out or Path(__file__).parent / "results" / "heldout"
    if args.tables is not None:
        tables = args.tables
    elif args.set == "all":
        tables = [*HELD_OUT, *DEVELOPMENT]
    else:
        tables = list(SETS[args.set])
    run(tables, args.methods, args.seeds, out_dir, args.force, args.jobs)
    if args.freeze_before:
        print(f"froze {freeze_before(out_dir)} records as {BEFORE!r}")
    if not args.no_report:
        import heldout_report  # only here: it imports matplotlib

        path = heldout_report.build(out_dir)
        print(path.read_text())


if __name__ == "__main__":
    main()
