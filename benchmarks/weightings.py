"""Compare every task weighting on one small dataset.

Usage::

    python benchmarks/weightings.py [--seeds 0 1 2] [--out DIR]
    python benchmarks/weightings.py --table-only [--out DIR]   # table from JSON

Dataset: the multi-task digits (digit / parity / large / prime), standardised,
with a third of the digit labels removed, 30% held out for testing. Every
method uses the same network (MLP 256-128, Adam, lr 1e-3, batch 128, early
stopping on a 10% validation split with patience 10, at most 100 epochs).
Prints a markdown table of mean task and subset accuracy, fit time and epochs
(mean +- sample standard deviation over seeds; the best mean of each accuracy
and fit-time column in bold) and writes ``results.json`` and ``table.md``.
"""

import argparse
import json
import time
import warnings
from pathlib import Path

from common import DIGITS_DESCRIPTION, digits_split, write_results
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from stats import bold_best, fmt_stat, mean_std

from sklmtl import MultiTaskNetClassifier
from sklmtl.metrics import mean_task_accuracy, subset_accuracy
from sklmtl.weighting import ALIASES


def run(seeds, out_dir):
    records = []
    for seed in seeds:
        X_train, X_test, Y_train, Y_test = digits_split(seed)
        for alias in ALIASES:
            model = make_pipeline(
                StandardScaler(),
                MultiTaskNetClassifier(
                    task_weighting=alias,
                    early_stopping=True,
                    n_iter_no_change=10,
                    max_epochs=100,
                    random_state=seed,
                ),
            )
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="You are solving a param")
                model.fit(X_train, Y_train)
            fit_time = time.perf_counter() - start
            Y_pred = model.predict(X_test)
            records.append(
                {
                    "weighting": alias,
                    "seed": seed,
                    "mean_task_accuracy": mean_task_accuracy(Y_test, Y_pred),
                    "subset_accuracy": subset_accuracy(Y_test, Y_pred),
                    "fit_time_s": fit_time,
                    "epochs": model[-1].n_iter_,
                }
            )
            print(
                f"seed {seed} {alias:<12} mean task acc "
                f"{records[-1]['mean_task_accuracy']:.4f}  {fit_time:.1f} s",
                flush=True,
            )
    table = make_table(records)
    print("\n" + table)
    write_results(out_dir / "results.json", DIGITS_DESCRIPTION, records)
    (out_dir / "table.md").write_text(table + "\n")
    print(f"wrote {out_dir / 'results.json'} and {out_dir / 'table.md'}")


#: (record key, scale, digits, which way is best: +1 higher, -1 lower, 0 none)
_COLUMNS = [
    ("mean_task_accuracy", 100, 1, 1),
    ("subset_accuracy", 100, 1, 1),
    ("fit_time_s", 1, 2, -1),
    ("epochs", 1, 0, 0),
]


def make_table(records):
    """Markdown table, one row per weighting; the best of each column in bold."""
    aliases = list(dict.fromkeys(r["weighting"] for r in records))
    columns = []
    for key, scale, digits, direction in _COLUMNS:
        values = [[r[key] for r in records if r["weighting"] == a] for a in aliases]
        cells = [fmt_stat(v, scale, digits) for v in values]
        if direction:
            means = [mean_std(v, scale)[0] for v in values]
            cells = bold_best(cells, means, digits, higher_is_better=direction > 0)
        columns.append(cells)
    lines = [
        "| weighting | mean task acc (%) | subset acc (%) | fit time (s) | epochs |",
        "|---|---|---|---|---|",
    ]
    for alias, *cells in zip(aliases, *columns):
        lines.append(f"| {alias} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/weightings")
    )
    parser.add_argument(
        "--table-only",
        action="store_true",
        help="rebuild table.md from DIR/results.json without fitting anything",
    )
    args = parser.parse_args(argv)
    if args.table_only:
        records = json.loads((args.out / "results.json").read_text())["records"]
        table = make_table(records)
        (args.out / "table.md").write_text(table + "\n")
        print(table)
    else:
        run(args.seeds, args.out)


if __name__ == "__main__":
    main()
