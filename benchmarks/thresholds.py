"""Tuned per-label thresholds on a multi-label table of the real-data suite.

Usage::

    python benchmarks/thresholds.py [--table yeast] [--seeds 0 1 2]
                                    [--max-train 1000] [--hidden 0.0 0.5]
                                    [--cv 3] [--models NAME ...] [--out DIR]

Per seed: the real-data suite's split and preprocessing
(``benchmarks/real_suite.py``: one random train/test split, numeric columns
scaled and categorical ones one-hot encoded in a ``Pipeline``), optionally
with a share of the training label cells hidden. Each model is fitted as is
(the most probable class per label, i.e. threshold 0.5) and wrapped in
``TunedThresholdMultiTaskClassifier(cv=<cv>)`` twice: tuning each label's
threshold for its own F1 (``scoring="f1"``), and all thresholds jointly for
the micro-F1 (``scoring="f1_micro"``), on held-out folds, then refitting on
all the training rows. The
test labels are complete; the scores are micro-F1, macro-F1 (mean per-label
F1 of the positive class) and Hamming loss. Everything runs on one thread.
Results go to ``DIR/results.json`` and ``DIR/report.md``.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from common import write_results
from real_suite import RealSuite, hide_labels, preprocessor, split
from realdata import TABLES, load_table, missing_packages
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.metrics import hamming_loss, multilabel_f1_score
from sklmtl.thresholds import TunedThresholdMultiTaskClassifier

#: How the thresholds are set: None (0.5, the most probable class) or a scoring.
VARIANTS = {"0.5": None, "F1 per label": "f1", "micro-F1": "f1_micro"}
MODELS = {
    "sklmtl default": lambda seed: MultiTaskNetClassifier(random_state=seed),
    "LogReg per task": lambda seed: IndependentTaskClassifier(LogisticRegression()),
}
METRICS = ("micro_f1", "macro_f1", "hamming_loss")


def evaluate(model, data):
    """Fit ``model`` and score it on the test rows.

    Parameters
    ----------
    model : estimator
        Unfitted.
    data : tuple
        ``(X_train, Y_train, X_test, Y_test)``.

    Returns
    -------
    result : dict
        ``micro_f1``, ``macro_f1``, ``hamming_loss`` and ``fit_time_s``.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
    >>> Y = pd.DataFrame({"t": [0, 0, 1, 1]})
    >>> model = IndependentTaskClassifier(LogisticRegression())
    >>> evaluate(model, (X, Y, X, Y))["micro_f1"]
    1.0
    """
    X_train, Y_train, X_test, Y_test = data
    start = time.perf_counter()
    model.fit(X_train, Y_train)
    fit_time = time.perf_counter() - start
    Y_pred = np.asarray(model.predict(X_test)).astype(float).astype(int)
    return {
        "micro_f1": multilabel_f1_score(Y_test, Y_pred, zero_division=0.0),
        "macro_f1": multilabel_f1_score(
            Y_test, Y_pred, average="macro", zero_division=0.0
        ),
        "hamming_loss": hamming_loss(Y_test, Y_pred),
        "fit_time_s": fit_time,
    }


def run(table, seeds, max_train, hidden, cv, out_dir, models=None):
    """Fit the models with and without tuned thresholds; write the JSON."""
    models = list(MODELS) if models is None else models
    if missing_packages([table]):
        raise SystemExit(f"Install the data packages: {missing_packages([table])}")
    torch.set_num_threads(1)
    X, Y = load_table(table)
    suite = RealSuite([table], max_train=max_train)
    records = []
    for seed in seeds:
        X_train, Y_train, X_test, Y_test = split(X, Y, seed, suite)
        for fraction in hidden:
            data = (X_train, hide_labels(Y_train, fraction, seed), X_test, Y_test)
            for name in models:
                make = MODELS[name]
                for variant, scoring in VARIANTS.items():
                    model = make_pipeline(preprocessor(X_train), make(seed))
                    if scoring is not None:
                        model = TunedThresholdMultiTaskClassifier(
                            model, scoring=scoring, cv=cv, random_state=seed
                        )
                    with threadpool_limits(1):
                        result = evaluate(model, data)
                    records.append(
                        {
                            "table": table,
                            "model": name,
                            "thresholds": variant,
                            "hidden_fraction": fraction,
                            "seed": seed,
                            "n_train": len(X_train),
                            "n_test": len(X_test),
                            **result,
                        }
                    )
                    print(
                        f"seed {seed} hidden {fraction:.0%} {name} "
                        f"{records[-1]['thresholds']}: micro-F1 "
                        f"{result['micro_f1']:.3f} ({result['fit_time_s']:.1f} s)",
                        flush=True,
                    )
    json_path = out_dir / "results.json"
    write_results(json_path, f"thresholds on {table}", records, cv=cv)
    return json_path, records


def report(records):
    """A markdown table: mean and sample std over seeds of every metric.

    Examples
    --------
    >>> rows = [{"model": "m", "thresholds": "0.5", "hidden_fraction": 0.0,
    ...          "micro_f1": v, "macro_f1": v, "hamming_loss": 0.1,
    ...          "fit_time_s": 1.0} for v in (0.5, 0.7)]
    >>> print(report(rows).splitlines()[2])
    | m | 0% | 0.5 | 0.600 ± 0.141 | 0.600 ± 0.141 | 0.100 ± 0.000 | 1.0 |
    """
    lines = [
        "| model | hidden | thresholds | micro-F1 | macro-F1 | Hamming loss "
        "| fit time (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    order = list(VARIANTS)
    keys = sorted(
        {(r["model"], r["hidden_fraction"], r["thresholds"]) for r in records},
        key=lambda k: (k[1], k[0], order.index(k[2]) if k[2] in order else 0),
    )
    for model, fraction, thresholds in keys:
        group = [
            r
            for r in records
            if (r["model"], r["hidden_fraction"], r["thresholds"])
            == (model, fraction, thresholds)
        ]
        cells = []
        for metric in METRICS:
            values = np.array([r[metric] for r in group])
            std = values.std(ddof=1) if len(values) > 1 else 0.0
            cells.append(f"{values.mean():.3f} ± {std:.3f}")
        fit = np.mean([r["fit_time_s"] for r in group])
        lines.append(
            f"| {model} | {fraction:.0%} | {thresholds} | {' | '.join(cells)} "
            f"| {fit:.1f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    """Command line: run, then write and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    multilabel = sorted(name for name, t in TABLES.items() if t.multilabel)
    parser.add_argument("--table", choices=multilabel, default="yeast")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--max-train", type=int, default=1000)
    parser.add_argument("--hidden", type=float, nargs="+", default=[0.0])
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out_dir = args.out or Path(__file__).parent / "results" / "thresholds"
    json_path, records = run(
        args.table,
        args.seeds,
        args.max_train,
        args.hidden,
        args.cv,
        out_dir,
        args.models,
    )
    text = (
        f"# Tuned thresholds on {args.table}\n\nSeeds {args.seeds}, at most "
        f"{args.max_train} training rows, {args.cv}-fold tuning; mean ± "
        f"sample std over seeds.\n\n{report(records)}\n"
    )
    (out_dir / "report.md").write_text(text)
    print(f"\nresults: {json_path}\n\n{text}")


if __name__ == "__main__":
    main()
