"""Candidate defaults of ``MultiTaskNetClassifier`` on the real-data suite's splits.

Usage::

    python benchmarks/defaults_sweep.py [--configs NAME ...] [--tables NAME ...]
                                        [--out DIR] [--report-only]

How the defaults were chosen (issue 12). Each candidate (a set of parameters,
``CONFIGS``) is fitted with ``real_suite``'s preprocessing on the
``real-quick`` splits (3 seeds, all labels and 50% of the label cells
hidden) and compared, paired by seed, with the best per-task baseline of the
committed ``benchmarks/results/real-quick/results.json`` (the baselines do not
depend on sklmtl's defaults). Results go to ``DIR/results.json`` (resumed:
finished runs are skipped) and ``DIR/report.md``: the gap to the best baseline
per table and candidate, and per candidate the mean gap, how many rows are
within 0.5 points and how many ahead.
"""

import argparse
import json
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import real_suite as rs
import torch
from common import warm_up_torch
from realdata import TABLES, load_table
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from sklmtl import MultiTaskNetClassifier

HERE = Path(__file__).parent
BASELINES = ["HGB per task", "LogReg per task", "SVC per task", "MLP per task"]
#: name -> parameters of MultiTaskNetClassifier (anything else at its default).
#: The sweep predates ``tol``: without early stopping it is None, as it was then.
CONFIGS = {
    "base": {
        "max_epochs": 50,
        "early_stopping": False,
        "tol": None,
        "n_iter_no_change": 10,
    },
    "es": {"max_epochs": 50, "early_stopping": True, "n_iter_no_change": 10},
    "es200": {"max_epochs": 200, "early_stopping": True, "n_iter_no_change": 10},
    "es200_p20": {"max_epochs": 200, "early_stopping": True, "n_iter_no_change": 20},
    "es200_do2": {
        "max_epochs": 200,
        "early_stopping": True,
        "n_iter_no_change": 10,
        "dropout": 0.2,
    },
    "es200_wd": {
        "max_epochs": 200,
        "early_stopping": True,
        "n_iter_no_change": 10,
        "weight_decay": 1e-3,
    },
    "es200_h128": {
        "max_epochs": 200,
        "early_stopping": True,
        "n_iter_no_change": 10,
        "hidden_layer_sizes": (128,),
    },
    "es200_vf2": {
        "max_epochs": 200,
        "early_stopping": True,
        "n_iter_no_change": 10,
        "validation_fraction": 0.2,
    },
    "e200": {"max_epochs": 200, "early_stopping": False, "tol": None},
    "e200_wd": {
        "max_epochs": 200,
        "early_stopping": False,
        "tol": None,
        "weight_decay": 1e-3,
    },
    "e100_b32": {
        "max_epochs": 100,
        "early_stopping": False,
        "tol": None,
        "batch_size": 32,
    },
    "b24": {"max_epochs": 50, "early_stopping": False, "tol": None, "batch_size": 24},
    "b24_e100": {
        "max_epochs": 100,
        "early_stopping": False,
        "tol": None,
        "batch_size": 24,
    },
}


def run(configs, tables, out):
    """Fit every (config, table, seed, label variant) not yet in ``out``."""
    path = out / "results.json"
    payload = json.loads(path.read_text()) if path.exists() else {"records": []}
    records = payload["records"]
    done = {(r["config"], r["table"], r["seed"], r["hidden_fraction"]) for r in records}
    suite = rs.SUITES["real-quick"]
    torch.set_num_threads(1)
    warm_up_torch()
    for name in tables:
        X, Y = load_table(name)
        for seed in suite.seeds:
            X_train, Y_train, X_test, Y_test = rs.split(X, Y, seed, suite)
            for fraction in suite.hidden_fractions:
                Y_hidden = rs.hide_labels(Y_train, fraction, seed)
                for config in configs:
                    if (config, name, seed, fraction) in done:
                        continue
                    params = CONFIGS[config]
                    model = make_pipeline(
                        rs.preprocessor(X_train),
                        MultiTaskNetClassifier(random_state=seed, **params),
                    )
                    with warnings.catch_warnings(), threadpool_limits(1):
                        warnings.simplefilter("ignore")
                        start = time.perf_counter()
                        model.fit(X_train, Y_hidden)
                        fit_time = time.perf_counter() - start
                        Y_pred = model.predict(X_test)
                    records.append(
                        {
                            "config": config,
                            "table": name,
                            "seed": seed,
                            "hidden_fraction": fraction,
                            "fit_time_s": fit_time,
                            "epochs": model[-1].n_iter_,
                            **rs.scores(Y_test, Y_pred, TABLES[name].multilabel),
                        }
                    )
                    print(config, name, seed, fraction, flush=True)
                    payload["records"] = records
                    path.write_text(json.dumps(payload))


def report(out):
    """``report.md``: gaps to the best baseline per table and candidate."""
    payload = json.loads((out / "results.json").read_text())
    records = payload["records"]
    baseline_path = HERE / "results" / "real-quick" / "results.json"
    acc = defaultdict(lambda: defaultdict(dict))
    for r in json.loads(baseline_path.read_text())["records"]:
        if r["status"] == "ok" and r["method"] in BASELINES:
            key = (r["table"], r["hidden_fraction"])
            acc[key][r["method"]][r["seed"]] = r["mean_task_accuracy"]
    ours = defaultdict(lambda: defaultdict(dict))
    for r in records:
        key = (r["table"], r["hidden_fraction"])
        ours[key][r["config"]][r["seed"]] = r["mean_task_accuracy"]
    configs = list(dict.fromkeys(r["config"] for r in records))
    lines = [
        "# Candidate defaults on the real-quick splits",
        "",
        "Gap in mean task accuracy to the best per-task baseline (points, "
        "paired by seed, mean over 3 seeds); `-`: not run. " + payload.get("note", ""),
        "",
        "| table | labels | best baseline | " + " | ".join(configs) + " |",
        "|---|---|---|" + "---|" * len(configs),
    ]
    gaps = defaultdict(list)
    for key in acc:
        best = max(BASELINES, key=lambda m: np.mean(list(acc[key][m].values())))
        cells = []
        for config in configs:
            runs = ours[key].get(config, {})
            if len(runs) < 3:
                cells.append("-")
                continue
            gap = 100 * np.mean([runs[s] - acc[key][best][s] for s in runs])
            gaps[config].append(gap)
            cells.append(f"{gap:+.2f}")
        variant = "all" if key[1] == 0 else f"{key[1]:.0%} hidden"
        lines.append(f"| {key[0]} | {variant} | {best} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| candidate | rows | mean gap | within 0.5 | ahead |",
        "|---|---|---|---|---|",
    ]
    for config in configs:
        g = np.asarray(gaps[config])
        lines.append(
            f"| {config} | {len(g)} | {g.mean():+.2f} | {(g >= -0.5).sum()} "
            f"| {(g > 0).sum()} |"
        )
    (out / "report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main(argv=None):
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=TABLES)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "defaults-sweep")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.report_only:
        run(args.configs, args.tables, args.out)
    report(args.out)


if __name__ == "__main__":
    main()
