"""The real-data suite: sklmtl's defaults against per-task baselines on real tables.

Usage::

    python benchmarks/real_suite.py [--suite real|real-quick|real-tiny]
                                    [--seeds 0 1 2] [--tables NAME ...]
                                    [--methods NAME ...] [--out DIR]

(``python benchmarks/run.py --suite real`` and ``--suite real-quick`` run the
same.) It runs the development tables with complete classification labels
(``REAL_TABLES``; sources in ``benchmarks/realdata.py``), never the held-out
ones. Per
table and seed: one random train/test split (the same for every method), then
two label variants: all training labels, and 50% of the training label cells
hidden at random (the test labels stay complete). Every method gets the same
preprocessing, as a user would build it: a ``ColumnTransformer`` that
standard-scales numeric columns and one-hot encodes categorical ones, in a
``Pipeline`` with the model.

Methods, all with their defaults (``random_state`` set where there is one):
``MultiTaskNetClassifier()``, and the same with the defaults it had before this
suite chose new ones (``max_epochs=50, early_stopping=False,
n_iter_no_change=10``, and ``tol=None``: no training-loss rule then) so the
report shows the change; ``TaskGroupingClassifier(MultiTaskNetClassifier())``
(automatic task grouping: a 5-epoch probe measures the task affinity, then
one default network per group; on single-task tables it is the default
network); per task, fitted on
that task's labelled rows (``IndependentTaskClassifier``):
``HistGradientBoostingClassifier``, ``LogisticRegression``, RBF ``SVC``,
``MLPClassifier``; on multi-label tables
(where the per-task methods are binary relevance) also ``ClassifierChain`` of
logistic regressions, which needs every label cell and so runs on complete
labels only; and the majority class per task as a reference line.

Everything runs on one thread (torch, BLAS and OpenMP), so fit times compare
like with like. ``real`` caps training sets at 10,000 rows; ``real-quick``
subsamples every table to at most 1,000 training and 1,000 test rows (a few
minutes on 2 cores); ``real-tiny`` is the smoke test. Results go to
``DIR/results.json`` (rewritten after each table) and
``benchmarks/real_report.py`` builds ``report.md`` and
``gap_to_best_baseline.png`` from it.
"""

import argparse
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import real_report
import torch
from common import warm_up_torch, write_results
from pandas.api.types import is_numeric_dtype
from realdata import DEVELOPMENT, TABLES, describe, load_table, missing_packages
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.multioutput import ClassifierChain
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.grouping import TaskGroupingClassifier
from sklmtl.metrics import mean_task_accuracy, per_task_scores, subset_accuracy

SKLMTL = "sklmtl default"
#: The defaults before the real-data suite chose new ones (50 epochs, no early
#: stopping, patience 10), kept as a method so the report shows before/after.
PREVIOUS = "sklmtl previous defaults"
MAJORITY = "majority (reference)"
#: Automatic task grouping (issue 16) around the default network.
GROUPING = "sklmtl grouping"
CHAIN = "chain (LogReg)"

#: name -> (factory(seed) -> unfitted model, multi-label tables only).
METHODS = {
    SKLMTL: (lambda seed: MultiTaskNetClassifier(random_state=seed), False),
    PREVIOUS: (
        lambda seed: MultiTaskNetClassifier(
            max_epochs=50,
            early_stopping=False,
            n_iter_no_change=10,
            tol=None,
            random_state=seed,
        ),
        False,
    ),
    GROUPING: (
        lambda seed: TaskGroupingClassifier(
            MultiTaskNetClassifier(random_state=seed), random_state=seed
        ),
        False,
    ),
    "HGB per task": (
        lambda seed: IndependentTaskClassifier(
            HistGradientBoostingClassifier(random_state=seed)
        ),
        False,
    ),
    "LogReg per task": (
        lambda seed: IndependentTaskClassifier(LogisticRegression()),
        False,
    ),
    "SVC per task": (lambda seed: IndependentTaskClassifier(SVC()), False),
    "MLP per task": (
        lambda seed: IndependentTaskClassifier(MLPClassifier(random_state=seed)),
        False,
    ),
    CHAIN: (lambda seed: ClassifierChain(LogisticRegression()), True),
    MAJORITY: (lambda seed: IndependentTaskClassifier(DummyClassifier()), False),
}
#: Methods that need every training label cell.
NEEDS_COMPLETE_LABELS = {CHAIN}


@dataclass
class RealSuite:
    """Tables, seeds, row caps and label variants of one run."""

    tables: list
    seeds: list = field(default_factory=lambda: [0, 1, 2])
    max_train: int = 10_000
    max_test: int = 5_000
    test_fraction: float = 0.25
    hidden_fractions: tuple = (0.0, 0.5)
    methods: list = None  # None: every method of METHODS


#: The suite's tables: the development tables whose targets are all
#: classification tasks with complete labels (the suite hides labels itself
#: and its methods are classifiers). Held-out tables are never run here: they
#: belong to ``benchmarks/heldout_suite.py``.
REAL_TABLES = [
    name
    for name in DEVELOPMENT
    if TABLES[name].kind == "classification" and not TABLES[name].missing_labels
]

SUITES = {
    "real": RealSuite(list(REAL_TABLES)),
    "real-quick": RealSuite(list(REAL_TABLES), max_train=1_000, max_test=1_000),
    # The smoke test: one small table and one multi-label table, fast methods.
    "real-tiny": RealSuite(
        ["penguins", "stackoverflow"],
        seeds=[0, 1],
        max_train=120,
        max_test=60,
        methods=[SKLMTL, "LogReg per task", "SVC per task", CHAIN, MAJORITY],
    ),
}


def preprocessor(X):
    """Scale numeric columns and one-hot encode categorical ones, as a user would.

    Parameters
    ----------
    X : DataFrame
        Features as returned by :func:`realdata.load_table`: numeric columns
        are scaled, all others (object, string, category) one-hot encoded.

    Returns
    -------
    transformer : ColumnTransformer
        Unfitted; dense output.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    >>> preprocessor(X).fit_transform(X).shape
    (2, 3)
    """
    numeric = [c for c in X.columns if is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            (
                "categorical",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
        ]
    )


def split(X, Y, seed, suite):
    """One seeded train/test split, both capped to the suite's row limits.

    Parameters
    ----------
    X, Y : DataFrame
        A table from :func:`realdata.load_table`.
    seed : int
        Seeds the shuffle.
    suite : RealSuite
        Gives ``test_fraction``, ``max_train`` and ``max_test``.

    Returns
    -------
    X_train, Y_train, X_test, Y_test : DataFrame
        Rows re-indexed from 0.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": range(100)}); Y = pd.DataFrame({"t": [0, 1] * 50})
    >>> [len(p) for p in split(X, Y, 0, RealSuite([], max_train=50))]
    [50, 50, 25, 25]
    """
    order = np.random.RandomState(seed).permutation(len(X))
    n_test = min(int(round(suite.test_fraction * len(X))), suite.max_test)
    test, train = order[:n_test], order[n_test:][: suite.max_train]

    def take(frame, rows):
        return frame.iloc[rows].reset_index(drop=True)

    return take(X, train), take(Y, train), take(X, test), take(Y, test)


def hide_labels(Y, fraction, seed):
    """Hide ``fraction`` of the label cells at random (NaN), keeping 2 classes a task.

    Parameters
    ----------
    Y : DataFrame
        Complete training labels; not modified.
    fraction : float
        Share of cells to hide.
    seed : int
        Seeds the draw.

    Returns
    -------
    Y_hidden : DataFrame
        A copy with hidden cells set to NaN (integer columns become float).

    Examples
    --------
    >>> import pandas as pd
    >>> Y = pd.DataFrame({"t": [0, 1] * 50})
    >>> int(hide_labels(Y, 0.5, 0)["t"].isna().sum())
    50
    """
    if fraction == 0:
        return Y.copy()
    rng = np.random.RandomState(seed + 10_000)
    n_hidden = int(round(fraction * len(Y)))
    out = Y.copy()
    for col in Y.columns:
        # The same number of hidden cells in every task; redraw (rarely) when
        # the labelled rows would leave a task with a single class.
        for _ in range(100):
            hidden = rng.permutation(len(Y))[:n_hidden]
            if Y[col].drop(index=hidden).nunique() >= 2:
                break
        else:
            raise ValueError(f"Task {col!r} has too few labels of a minority class.")
        out[col] = Y[col].mask(Y.index.isin(hidden))
    return out


def _macro_f1(y_true, y_pred):
    return f1_score(y_true, y_pred, average="macro", zero_division=0)


def scores(Y_test, Y_pred, multilabel):
    """Every metric of one prediction.

    Parameters
    ----------
    Y_test : DataFrame
        Complete test labels.
    Y_pred : array-like of shape (n_samples, n_tasks)
        Predicted labels.
    multilabel : bool
        Whether to add Hamming loss and micro-F1 (binary 0/1 tasks).

    Returns
    -------
    metrics : dict
        Per-task accuracy and macro-F1 (keyed by task name), mean task
        accuracy, subset accuracy, macro-F1 (mean over tasks) and, for
        multi-label tables, ``hamming_loss`` and ``micro_f1``.

    Examples
    --------
    >>> import pandas as pd
    >>> Y = pd.DataFrame({"a": [0, 1], "b": [1, 1]})
    >>> scores(Y, [[0, 1], [1, 0]], True)["hamming_loss"]
    0.25
    """
    Y_pred = np.asarray(Y_pred)
    per_task_f1 = per_task_scores(Y_test, Y_pred, metric=_macro_f1)
    out = {
        "per_task_accuracy": per_task_scores(Y_test, Y_pred),
        "per_task_macro_f1": per_task_f1,
        "mean_task_accuracy": mean_task_accuracy(Y_test, Y_pred),
        "subset_accuracy": subset_accuracy(Y_test, Y_pred),
        "macro_f1": float(np.mean(list(per_task_f1.values()))),
    }
    if multilabel:
        truth = Y_test.to_numpy(dtype=int)
        pred = Y_pred.astype(float).astype(int)
        out["hamming_loss"] = float(np.mean(truth != pred))
        out["micro_f1"] = float(f1_score(truth, pred, average="micro"))
    return out


def run_one(method, seed, data, multilabel):
    """Fit and score one method on one split; failures are recorded, not hidden."""
    X_train, Y_train, X_test, Y_test = data
    if method in NEEDS_COMPLETE_LABELS and Y_train.isna().any().any():
        return {"status": "skipped", "error": "needs every training label cell"}
    model = make_pipeline(preprocessor(X_train), METHODS[method][0](seed))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            model.fit(X_train, Y_train)
        except ValueError as exc:
            return {"status": "failed", "error": str(exc)}
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        Y_pred = model.predict(X_test)
        predict_time = time.perf_counter() - start
    estimator = model[-1]
    extra = {}
    if isinstance(estimator, TaskGroupingClassifier):
        extra["groups"] = [
            [estimator.task_names_[t] for t in group] for group in estimator.groups_
        ]
    return {
        "status": "ok",
        **scores(Y_test, Y_pred, multilabel),
        "fit_time_s": fit_time,
        "predict_time_s": predict_time,
        "epochs": getattr(estimator, "n_iter_", None)
        if isinstance(estimator, MultiTaskNetClassifier)
        else None,
        "warnings": dict(Counter(type(w.message).__name__ for w in caught)),
        **extra,
    }


def _methods_for(table, suite):
    names = METHODS if suite.methods is None else suite.methods
    return [m for m in names if table.multilabel or not METHODS[m][1]]


def run(suite_name, out_dir, seeds=None, tables=None, methods=None):
    """Run a suite; write ``out_dir/results.json`` after each table; return its path.

    ``methods`` (names of :data:`METHODS`) replaces the suite's methods.
    """
    suite = SUITES[suite_name]
    if methods is not None:
        suite = RealSuite(**{**suite.__dict__, "methods": list(methods)})
    seeds = suite.seeds if seeds is None else seeds
    tables = suite.tables if tables is None else tables
    missing = missing_packages(tables)
    if missing:
        raise SystemExit(f"Install the data packages first: pip install {missing}")
    torch.set_num_threads(1)
    warm_up_torch()
    json_path = out_dir / "results.json"
    records, infos = [], {}
    n_runs = sum(
        len(_methods_for(TABLES[t], suite)) * len(seeds) * len(suite.hidden_fractions)
        for t in tables
    )
    print(f"suite {suite_name!r}: {len(tables)} tables, {n_runs} runs", flush=True)
    start_all = time.perf_counter()
    i = 0
    for name in tables:
        table = TABLES[name]
        X, Y = load_table(name)
        infos[name] = {**describe(name), "package": table.package}
        for seed in seeds:
            X_train, Y_train, X_test, Y_test = split(X, Y, seed, suite)
            for fraction in suite.hidden_fractions:
                data = (X_train, hide_labels(Y_train, fraction, seed), X_test, Y_test)
                for method in _methods_for(table, suite):
                    i += 1
                    with threadpool_limits(1):
                        result = run_one(method, seed, data, table.multilabel)
                    records.append(
                        {
                            "table": name,
                            "multilabel": table.multilabel,
                            "hidden_fraction": fraction,
                            "method": method,
                            "seed": seed,
                            "n_train": len(X_train),
                            "n_test": len(X_test),
                            **result,
                        }
                    )
                    _progress(
                        i, n_runs, start_all, name, fraction, method, seed, result
                    )
        write_results(
            json_path,
            f"suite {suite_name}",
            records,
            suite=suite_name,
            tables={n: {**info, **_table_text(n)} for n, info in infos.items()},
            wall_time_s=time.perf_counter() - start_all,
        )
    return json_path


def _table_text(name):
    t = TABLES[name]
    keys = ("source", "licence", "targets", "note", "multilabel")
    return {k: getattr(t, k) for k in keys}


def _progress(i, n, start, name, fraction, method, seed, result):
    if result["status"] == "ok":
        summary = (
            f"mean task acc {100 * result['mean_task_accuracy']:5.1f}%  "
            f"fit {result['fit_time_s']:6.2f} s"
        )
    else:
        summary = f"{result['status']}: {result['error'][:60]}"
    print(
        f"[{i:>3}/{n} {time.perf_counter() - start:6.0f} s] {name} "
        f"(hidden {fraction:.0%}) | {method} | seed {seed} | {summary}",
        flush=True,
    )


def main(argv=None):
    """Command line: run a suite, then build its report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="real-quick")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument(
        "--tables",
        nargs="+",
        default=None,
        choices=sorted(REAL_TABLES),
        metavar="TABLE",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        default=None,
        choices=list(METHODS),
        metavar="METHOD",
        help="run only these methods (default: the suite's); one of "
        + ", ".join(repr(m) for m in METHODS),
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="default benchmarks/results/<suite>"
    )
    args = parser.parse_args(argv)
    out_dir = args.out or Path(__file__).parent / "results" / args.suite
    json_path = run(args.suite, out_dir, args.seeds, args.tables, args.methods)
    report_path = real_report.build(json_path, out_dir)
    print(f"\nresults: {json_path}\nreport:  {report_path}\n")
    print(report_path.read_text())


if __name__ == "__main__":
    main()
