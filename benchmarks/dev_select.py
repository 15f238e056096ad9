"""Choosing defaults on development tables only: cross-validation inside training rows.

Usage::

    python benchmarks/dev_select.py --candidates default NAME ... \\
        [--param 'NAME={"max_epochs": 100}' ...] [--seeds 0 1 2 3 4] \\
        [--wrap 'NAME={"of": "default", "wrapper": "thresholds", ...}' ...] \\
        [--tables TABLE ...] [--folds 3] [--out DIR]

A candidate is a set of ``MultiTaskNetClassifier`` parameters (an
``"optimizer"`` given by its name in ``torch.optim``, e.g. ``"AdamW"``), or a
per-task peer of the real-data suite by its name (``"LogReg per task"``,
``"HGB per task"``, ``"SVC per task"``, ``"MLP per task"``). Peers get
the real-data suite's preprocessing (scaled numeric, one-hot categorical
columns); the net gets the DataFrame itself, as a user would hand it
(``--net-input pipeline`` gives it the peers' preprocessing instead). A
``--wrap`` candidate is another candidate (``"of"``, a net or a peer) inside
one of sklmtl's meta-estimators (``"wrapper"``: ``"thresholds"`` for
:class:`~sklmtl.thresholds.TunedThresholdMultiTaskClassifier`,
``"calibration"`` for :class:`~sklmtl.calibration.CalibratedMultiTaskClassifier`),
the remaining keys being the wrapper's parameters (its own cross-validation
then runs inside each fit fold; its ``random_state`` is the seed). The tables are
the *development* tables of ``benchmarks/realdata.py`` (:data:`DEVELOPMENT`):
the ones earlier rounds already looked at. For every table and seed the
training rows of the real-data suite's split (``real_suite.split`` with the
``real-quick`` caps, so the same rows as that suite) are cut into ``--folds``
folds; each candidate is fitted on all but one fold and scored on it. The
suite's *test* rows are never read: a default chosen here has not seen them,
and the held-out tables are not touched at all.

On tables with regression tasks (``kind`` "regression" or "mixed") the net
is ``MultiTaskNetRegressor`` or ``MultiTaskNet(task_types=...)`` and a peer
is the held-out suite's (``heldout_suite.PEERS``: ``Ridge``, ``SVR``, ... for
the regression tasks) inside
:class:`~sklmtl.baselines.IndependentTaskEstimator`.

The score is the mean task accuracy on the validation fold (on multi-label
tables, one minus the Hamming loss); with regression tasks, the mean over
tasks of accuracy and R² (``sklmtl.metrics.task_scores``), as the held-out
suite scores. Missing label cells are left out of training and scoring.
Per table the report gives each candidate's mean over seeds (each seed the
mean over its folds), the paired difference to the first candidate with
its sample standard deviation over seeds, and the mean fit time. Results go
to ``DIR/results.json`` and ``DIR/report.md`` (default
``benchmarks/results/dev-select``).
"""

import argparse
import json
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from common import warm_up_torch, write_results
from heldout_suite import PEERS as MIXED_PEERS
from real_suite import METHODS, SUITES, preprocessor, split
from realdata import DEVELOPMENT, TABLES, load_table
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from stats import fmt_stat, mean_std
from threadpoolctl import threadpool_limits

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.baselines import IndependentTaskEstimator
from sklmtl.calibration import CalibratedMultiTaskClassifier
from sklmtl.metrics import mean_task_accuracy, task_scores
from sklmtl.thresholds import TunedThresholdMultiTaskClassifier

#: name -> parameters of ``MultiTaskNetClassifier`` (``random_state`` added).
CANDIDATES = {"default": {}}
#: Per-task peers of the real-data suite, usable as candidates by name (their
#: parameters are those of ``real_suite.METHODS``).
PEERS = [m for m in METHODS if m.endswith("per task")]
#: ``--wrap`` wrappers by name.
WRAPPERS = {
    "thresholds": TunedThresholdMultiTaskClassifier,
    "calibration": CalibratedMultiTaskClassifier,
}
#: The keys of a ``--wrap`` candidate that are not the wrapper's parameters.
_WRAP_KEYS = ("of", "wrapper", "inner")


def make_model(name, params, seed, X, net_input="dataframe", task_types=None):
    """The unfitted model of one candidate (a peer by name, or the net).

    Peers get the real-data suite's preprocessing (scaled numeric, one-hot
    categorical columns) in a pipeline. The net gets the DataFrame as it is
    (``net_input="dataframe"``: its own categorical embeddings and scaling,
    what a user would hand it) or the same pipeline (``"pipeline"``).
    ``task_types`` (``{task: "classification" | "regression"}``, None for
    classification only) picks the net's class and the peers' regressors.
    """
    if "wrapper" in params:  # a --wrap candidate: {"of", "wrapper", "inner", ...}
        wrapper = {k: v for k, v in params.items() if k not in _WRAP_KEYS}
        inner = make_model(
            params["of"], params["inner"], seed, X, net_input, task_types
        )
        return WRAPPERS[params["wrapper"]](inner, **wrapper, random_state=seed)
    if isinstance(params.get("optimizer"), str):  # JSON names the class
        params = {**params, "optimizer": getattr(torch.optim, params["optimizer"])}
    kinds = set((task_types or {}).values())
    if name in PEERS:
        if "regression" not in kinds:
            return make_pipeline(preprocessor(X), METHODS[name][0](seed))
        classifier, regressor = MIXED_PEERS[name]
        per_task = IndependentTaskEstimator(
            classifier(seed), regressor(seed), task_types=task_types
        )
        return make_pipeline(preprocessor(X), per_task)
    if kinds == {"regression"}:
        net = MultiTaskNetRegressor(**params, random_state=seed)
    elif "regression" in kinds:
        net = MultiTaskNet(**params, task_types=task_types, random_state=seed)
    else:
        net = MultiTaskNetClassifier(**params, random_state=seed)
    return net if net_input == "dataframe" else make_pipeline(preprocessor(X), net)


def score(Y_true, Y_pred, task_types=None):
    """Mean task accuracy; with regression tasks, the mean of accuracy and R².

    Examples
    --------
    >>> import pandas as pd
    >>> Y = pd.DataFrame({"a": ["x", "y"], "b": [1.0, 3.0]})
    >>> float(score(Y, [["x", 1.0], ["x", 3.0]], {"a": "classification",
    ...                                           "b": "regression"}))
    0.75
    """
    if "regression" not in set((task_types or {}).values()):
        return mean_task_accuracy(Y_true, Y_pred)
    types = [task_types[c] for c in Y_true.columns]
    Y_pred = np.asarray(Y_pred, dtype=object)
    return float(np.nanmean(task_scores(Y_true, Y_pred, task_types=types)))


def parse_param(text):
    """``'NAME={"param": value}'`` -> ``(NAME, dict)``.

    Examples
    --------
    >>> parse_param('short={"max_epochs": 20}')
    ('short', {'max_epochs': 20})
    """
    name, _, params = text.partition("=")
    params = json.loads(params)
    if not name or not isinstance(params, dict):
        raise ValueError(f"--param takes NAME={{json object}}; got {text!r}.")
    return name, params


def wrap_candidate(text, known):
    """``'NAME={"of": CANDIDATE, "wrapper": KIND, ...}'`` -> ``(NAME, params)``.

    ``params`` keeps ``"of"`` and ``"wrapper"``, adds ``"inner"`` (the
    wrapped candidate's own parameters) and the wrapper's parameters.

    Examples
    --------
    >>> wrap_candidate('t={"of": "default", "wrapper": "thresholds", "cv": 3}',
    ...                {"default": {}})
    ('t', {'of': 'default', 'wrapper': 'thresholds', 'cv': 3, 'inner': {}})
    """
    name, params = parse_param(text)
    if params.get("of") not in known or params.get("wrapper") not in WRAPPERS:
        raise ValueError(
            f'--wrap takes NAME={{"of": a candidate {sorted(known)}, '
            f'"wrapper": one of {sorted(WRAPPERS)}, ...}}; got {text!r}.'
        )
    return name, {**params, "inner": known[params["of"]]}


def below_majority(Y_fit, Y_val, Y_pred, task_types=None):
    """``[pairs below, pairs]``: classification tasks whose accuracy on the
    labelled validation cells is below that of the fit rows' majority class.

    The majority class is ``DummyClassifier``'s (the most frequent label of
    the fit rows; the smallest of tied ones), scored on the same cells.
    Regression tasks of ``task_types`` are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> Y_fit = pd.DataFrame({"a": [0, 0, 1], "b": ["x", "y", "y"]})
    >>> Y_val = pd.DataFrame({"a": [0, 0, 1], "b": ["y", "y", "x"]})
    >>> below_majority(Y_fit, Y_val, [[1, "y"], [1, "y"], [1, "x"]])  # a: 1/3 < 2/3
    [1, 2]
    """
    Y_pred = np.asarray(Y_pred, dtype=object).reshape(len(Y_val), -1)
    below, pairs = 0, 0
    for j, column in enumerate(Y_val.columns):
        if (task_types or {}).get(column) == "regression":
            continue
        fit = Y_fit[column].dropna().to_numpy(dtype=object)
        labelled = Y_val[column].notna().to_numpy()
        if not len(fit) or not labelled.any():
            continue
        classes, counts = np.unique(fit, return_counts=True)
        truth = Y_val[column].to_numpy(dtype=object)[labelled]
        reference = np.mean(truth == classes[np.argmax(counts)])
        pairs += 1
        below += int(np.mean(Y_pred[labelled, j] == truth) < reference)
    return [below, pairs]


def cv_scores(
    name, params, X_train, Y_train, seed, folds, net_input="dataframe", task_types=None
):
    """Validation-fold scores and fit times of one candidate on one training set,
    and its ``[pairs below, pairs]`` of :func:`below_majority` over the folds."""
    out_scores, out_times, out_below = [], [], np.zeros(2, dtype=int)
    for fit_rows, val_rows in KFold(folds, shuffle=True, random_state=seed).split(
        X_train
    ):
        Xf, Yf = X_train.iloc[fit_rows], Y_train.iloc[fit_rows]
        Xv, Yv = X_train.iloc[val_rows], Y_train.iloc[val_rows]
        model = make_model(name, params, seed, Xf, net_input, task_types)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            model.fit(Xf, Yf)
            out_times.append(time.perf_counter() - start)
            predicted = model.predict(Xv)
            out_scores.append(score(Yv, predicted, task_types))
            out_below += below_majority(Yf, Yv, predicted, task_types)
    return float(np.mean(out_scores)), float(np.mean(out_times)), out_below.tolist()


def run(candidates, tables, seeds, folds, out_dir, net_input="dataframe"):
    """Score every candidate on every development table; return the records."""
    suite = SUITES["real-quick"]
    torch.set_num_threads(1)
    warm_up_torch()
    records = []
    start_all = time.perf_counter()
    for table in tables:
        X, Y = load_table(table)
        task_types = TABLES[table].task_types(Y.columns)
        for seed in seeds:
            X_train, Y_train, _, _ = split(X, Y, seed, suite)  # test rows unused
            for name, params in candidates.items():
                with threadpool_limits(1):
                    cv_score, fit_time, below = cv_scores(
                        name,
                        params,
                        X_train,
                        Y_train,
                        seed,
                        folds,
                        net_input,
                        task_types,
                    )
                records.append(
                    {
                        "table": table,
                        "seed": seed,
                        "candidate": name,
                        "params": params,
                        "cv_score": cv_score,
                        "fit_time_s": fit_time,
                        "below_majority": below,
                    }
                )
                print(
                    f"[{time.perf_counter() - start_all:6.0f} s] {table} seed {seed} "
                    f"{name}: {100 * cv_score:.2f}% fit {fit_time:.2f} s",
                    flush=True,
                )
        write_results(
            out_dir / "results.json",
            "development tables, CV inside training rows",
            records,
            folds=folds,
            candidates=candidates,
            net_input=net_input,
        )
    return records


def report(records, candidates):
    """A markdown table: per table, each candidate's CV score and paired gap."""
    names = list(candidates)
    base = names[0]
    tables = list(dict.fromkeys(r["table"] for r in records))
    by = {(r["table"], r["candidate"], r["seed"]): r for r in records}
    lines = [
        "# Development tables: cross-validation inside training rows",
        "",
        f"Score: mean task accuracy (%) on validation folds; gap: paired by seed "
        f"against `{base}`, sample std over seeds. Test rows never read. "
        "Below majority: (task, fold, seed) triples whose validation accuracy "
        "is below the fit folds' majority class's, of all such triples.",
        "",
        f"| table | candidate | CV score | gap to {base} | fit (s) | below majority |",
        "|---|---|---|---|---|---|",
    ]
    gaps = {n: [] for n in names}
    below = {n: np.zeros(2, dtype=int) for n in names}
    for table in tables:
        seeds = sorted({r["seed"] for r in records if r["table"] == table})
        for name in names:
            rows = [by.get((table, name, s)) for s in seeds]
            if any(r is None for r in rows):
                continue
            score = [r["cv_score"] for r in rows]
            gap = [
                r["cv_score"] - by[(table, base, s)]["cv_score"]
                for r, s in zip(rows, seeds)
            ]
            gaps[name].append(mean_std(gap, 100)[0])
            counted = np.sum([r.get("below_majority", [0, 0]) for r in rows], axis=0)
            below[name] += counted
            lines.append(
                f"| {table} | {name} | {fmt_stat(score, 100)} | "
                f"{fmt_stat(gap, 100, 2)} | "
                f"{fmt_stat([r['fit_time_s'] for r in rows], 1, 2)} | "
                f"{_below(counted)} |"
            )
    lines += [
        "",
        "| candidate | mean gap over tables | tables ahead | behind > 0.5 "
        "| below majority |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        g = np.array(gaps[name])
        if len(g):
            lines.append(
                f"| {name} | {g.mean():+.2f} | {(g > 0).sum()} of {len(g)} | "
                f"{(g < -0.5).sum()} | {_below(below[name])} |"
            )
    return "\n".join(lines) + "\n"


def _below(counted):
    below, pairs = (int(v) for v in counted)
    return f"{below} of {pairs} ({below / pairs:.1%})" if pairs else "n/a"


def main(argv=None):
    """Command line: score candidates on the development tables, write a report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", nargs="+", default=["default"])
    parser.add_argument("--param", action="append", default=[], type=parse_param)
    parser.add_argument("--wrap", action="append", default=[])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--tables", nargs="+", default=list(DEVELOPMENT), choices=list(DEVELOPMENT)
    )
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument(
        "--net-input", choices=["dataframe", "pipeline"], default="dataframe"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    known = {**CANDIDATES, **{p: {} for p in PEERS}, **dict(args.param)}
    wrapped = [wrap_candidate(text, known) for text in args.wrap]
    known.update(wrapped)
    unknown = [c for c in args.candidates if c not in known]
    if unknown:
        raise SystemExit(f"Unknown candidates {unknown}; define them with --param.")
    candidates = {c: known[c] for c in args.candidates}
    # --param and --wrap candidates run even when not listed
    for name, params in [*args.param, *wrapped]:
        candidates.setdefault(name, params)
    out_dir = args.out or Path(__file__).parent / "results" / "dev-select"
    records = run(
        candidates, args.tables, args.seeds, args.folds, out_dir, args.net_input
    )
    text = report(records, candidates)
    (out_dir / "report.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
