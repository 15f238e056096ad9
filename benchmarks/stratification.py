"""Stratification quality: MultiTaskStratifiedKFold against KFold(shuffle=True).

Usage::

    python benchmarks/stratification.py [--datasets digits generator-small ...]
        [--seeds 0 1 2 3 4] [--n-splits 5] [--missing-rate 0.5] [--out DIR]

For each dataset and seed, a share ``--missing-rate`` of the target cells is
hidden at random (seeded), then both splitters make ``--n-splits`` folds. The
figure of merit is the largest per-task class-proportion deviation across
folds: over tasks, classes and test folds, ``max |share of the class among
the task's known cells in the fold - its share in the whole table|``. The
target (issue 14) is a deviation at least 2x smaller than KFold's. Also
recorded: the mean deviation, the largest count deviation
``max |count - m * p|`` (m known cells of the task in the fold, p the class
share) and the split time. Writes ``results.json``, ``table.md`` and
``deviation.png``; takes about a minute, most of it loading MultiMNIST.

Add a dataset by adding an entry to ``DATASETS``: a description and a
function returning the target table ``Y`` (any label kinds; missing cells
already present are kept, the hidden ones come on top).
"""

import argparse
import functools
import json
import time
from pathlib import Path

import numpy as np
from common import write_results
from sklearn.model_selection import KFold

from sklmtl.datasets import (
    load_multi_mnist,
    load_multitask_digits,
    make_multitask_classification,
)
from sklmtl.model_selection import MultiTaskStratifiedKFold

DATASETS = {
    "digits": (
        "scikit-learn digits, 1,797 rows; digit (10), parity, large, prime",
        lambda: load_multitask_digits(return_X_y=True)[1],
    ),
    "multi_mnist": (
        "MultiMNIST train pairs, 10,000 rows; left and right digit (10 each)",
        lambda: load_multi_mnist("train", return_X_y=True)[1],
    ),
    "generator-multiclass": (
        "make_multitask_classification, 1,000 rows, 4 tasks with 2/3/5/10 classes",
        lambda: make_multitask_classification(
            1000, n_tasks=4, n_classes=[2, 3, 5, 10], random_state=0
        )[1],
    ),
    "generator-small": (
        "make_multitask_classification, 200 rows, 6 tasks with 2-8 classes, noise 0.2",
        lambda: make_multitask_classification(
            200, n_tasks=6, n_classes=[2, 3, 4, 5, 6, 8], noise=0.2, random_state=0
        )[1],
    ),
}


def hide_cells(Y, rate, seed):
    """An object copy of ``Y`` with a share ``rate`` of its cells set to None."""
    Y = np.array(Y, dtype=object)
    Y[np.random.RandomState(seed).rand(*Y.shape) < rate] = None
    return Y


def deviations(Y, folds):
    """Largest and mean class-proportion deviation, largest count deviation."""
    proportion, counts = [], []
    for column in Y.T:
        known = np.array([v is not None and v == v for v in column])
        values = column[known].astype(str)
        classes, totals = np.unique(values, return_counts=True)
        share = totals / totals.sum()
        for test in folds:
            in_fold = column[test][known[test]].astype(str)
            if len(in_fold) == 0:
                continue
            count = np.array([np.sum(in_fold == c) for c in classes])
            proportion.extend(np.abs(count / len(in_fold) - share))
            counts.extend(np.abs(count - len(in_fold) * share))
    return max(proportion), float(np.mean(proportion)), max(counts)


def _real_table(name):
    """The targets of one table of the real-data suite, as an object array."""
    from realdata import load_table

    return np.asarray(load_table(name)[1].astype(object))


for _name in (
    "penguins",
    "mpg",
    "solar flare",
    "yeast",
    "stackoverflow",
    "gss abortion",
    "movies",
    "diamonds",
):
    DATASETS[f"real-{_name.replace(' ', '_')}"] = (
        f"real-data suite table {_name!r} (benchmarks/realdata.py), all rows",
        functools.partial(_real_table, _name),
    )


def run(dataset_names, seeds, n_splits, missing_rate):
    records = []
    for name in dataset_names:
        Y_full = DATASETS[name][1]()
        for seed in seeds:
            Y = hide_cells(Y_full, missing_rate, seed)
            splitters = {
                "KFold(shuffle=True)": KFold(n_splits, shuffle=True, random_state=seed),
                "MultiTaskStratifiedKFold": MultiTaskStratifiedKFold(
                    n_splits, shuffle=True, random_state=seed
                ),
            }
            for label, cv in splitters.items():
                start = time.perf_counter()
                folds = [test for _, test in cv.split(np.zeros(len(Y)), Y)]
                elapsed = time.perf_counter() - start
                worst, mean, count = deviations(Y, folds)
                records.append(
                    {
                        "dataset": name,
                        "seed": seed,
                        "splitter": label,
                        "n_samples": len(Y),
                        "n_tasks": Y.shape[1],
                        "max_proportion_deviation": worst,
                        "mean_proportion_deviation": mean,
                        "max_count_deviation": count,
                        "fold_sizes": sorted(len(f) for f in folds),
                        "split_time_s": elapsed,
                    }
                )
                print(
                    f"{name:<22} seed {seed} {label:<26} max dev {worst:.4f} "
                    f"mean {mean:.4f} count {count:.2f} {elapsed:.2f} s",
                    flush=True,
                )
    return records


def ratios(records, dataset):
    """KFold's largest deviation over ours, one value per seed."""
    by_seed = {}
    for r in records:
        if r["dataset"] == dataset:
            by_seed.setdefault(r["seed"], {})[r["splitter"]] = r
    return np.array(
        [
            pair["KFold(shuffle=True)"]["max_proportion_deviation"]
            / pair["MultiTaskStratifiedKFold"]["max_proportion_deviation"]
            for pair in by_seed.values()
        ]
    )


def make_table(records, n_splits, missing_rate):
    lines = [
        f"Largest per-task class-proportion deviation across {n_splits} folds, "
        f"{missing_rate:.0%} of the cells hidden (mean +- sample std over seeds; "
        "ratio = KFold / ours, target >= 2).",
        "",
        "| dataset | rows x tasks | KFold(shuffle=True) | MultiTaskStratifiedKFold "
        "| ratio (min) | count dev. KFold / ours | split time ours (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in dict.fromkeys(r["dataset"] for r in records):
        rows = [r for r in records if r["dataset"] == name]
        plain = [r for r in rows if r["splitter"] == "KFold(shuffle=True)"]
        ours = [r for r in rows if r["splitter"] == "MultiTaskStratifiedKFold"]
        ratio = ratios(records, name)
        lines.append(
            f"| {name} | {rows[0]['n_samples']} x {rows[0]['n_tasks']} | "
            f"{_stat(plain, 'max_proportion_deviation')} | "
            f"{_stat(ours, 'max_proportion_deviation')} | "
            f"{ratio.mean():.1f} ({ratio.min():.1f}) | "
            f"{_stat(plain, 'max_count_deviation', 1)} / "
            f"{_stat(ours, 'max_count_deviation', 1)} | "
            f"{_stat(ours, 'split_time_s', 2)} |"
        )
    return "\n".join(lines)


def _stat(rows, key, digits=4):
    values = np.array([r[key] for r in rows], dtype=float)
    spread = values.std(ddof=1) if len(values) > 1 else 0.0
    return f"{values.mean():.{digits}f} +- {spread:.{digits}f}"


def plot(records, missing_rate, path):
    """Horizontal bars on a log axis: the deviations span three decades.

    Each bar is the mean over seeds, its whisker the sample standard
    deviation, and the dots the seeds themselves; the legend sits outside.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(r["dataset"] for r in records))
    splitters = ["KFold(shuffle=True)", "MultiTaskStratifiedKFold"]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(names) + 1.5))
    height = 0.38
    for i, splitter in enumerate(splitters):
        ys = np.arange(len(names)) + (i - 0.5) * height
        for y, name in zip(ys, names):
            values = [
                r["max_proportion_deviation"]
                for r in records
                if r["dataset"] == name and r["splitter"] == splitter
            ]
            std = np.std(values, ddof=1) if len(values) > 1 else 0.0
            ax.barh(
                y,
                np.mean(values),
                height,
                xerr=std,
                capsize=2,
                color=f"C{i}",
                label=splitter if y == ys[0] else None,
            )
            ax.plot(values, [y] * len(values), ".", color="black", ms=2)
    ax.set_yticks(np.arange(len(names)), names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel(
        "largest per-task class-proportion deviation across folds (log scale)\n"
        "mean and sample std over seeds (bars, whiskers), each seed (dots)"
    )
    ax.set_title(f"Stratification quality, {missing_rate:.0%} of cells hidden")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.grid(axis="x", alpha=0.3, which="both")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=sorted(DATASETS), default=list(DATASETS)
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--missing-rate", type=float, default=0.5)
    parser.add_argument(
        "--out", type=Path, default=Path("benchmarks/results/stratification")
    )
    parser.add_argument(
        "--plot-only",
        action="store_true",
        help="rebuild table.md and deviation.png from --out's results.json",
    )
    args = parser.parse_args(argv)
    if args.plot_only:
        records = json.loads((args.out / "results.json").read_text())["records"]
        table = make_table(records, args.n_splits, args.missing_rate)
        (args.out / "table.md").write_text(table + "\n")
        plot(records, args.missing_rate, args.out / "deviation.png")
        print(f"rebuilt table.md and deviation.png in {args.out}")
        return
    records = run(args.datasets, args.seeds, args.n_splits, args.missing_rate)
    table = make_table(records, args.n_splits, args.missing_rate)
    print("\n" + table)
    description = "; ".join(f"{n}: {DATASETS[n][0]}" for n in args.datasets)
    write_results(
        args.out / "results.json",
        f"{description}; {args.missing_rate:.0%} of cells hidden per seed",
        records,
    )
    (args.out / "table.md").write_text(table + "\n")
    plot(records, args.missing_rate, args.out / "deviation.png")
    print(f"wrote results.json, table.md and deviation.png to {args.out}")


if __name__ == "__main__":
    main()
