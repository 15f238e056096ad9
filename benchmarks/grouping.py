"""Grouping benchmark: blocks of related tasks, unrelated across blocks.

Usage::

    python benchmarks/grouping.py [--seeds 0 1 2 3 4] [--n-train 200] [--epochs 40]
                                  [--out benchmarks/results/grouping] [--plot-only]

Data: ``make_multitask_classification(task_groups=3)``: 12 three-class tasks
in 3 blocks of 4 (200 training rows); within a block the tasks share a 2-d
latent subspace (``relatedness`` 0.9), across blocks they share nothing. Every
method trains
the same MLP (``--hidden``, Adam, ``--epochs``):

- ``one network``: one ``MultiTaskNetClassifier`` for all 12 tasks;
- ``independent``: ``IndependentTaskClassifier``, one network per task;
- ``mmoe``: one network with a multi-gate mixture of 4 experts;
- ``grouping``: ``TaskGroupingClassifier`` (probe of 10 epochs measuring
  every step, default threshold), one network per recovered group.

Reports, per seed, each method's mean task accuracy on held-out rows and the
adjusted Rand index of the recovered groups against the true blocks. Writes
``results.json``, ``table.md`` and ``grouping.png`` (accuracies, and the
probe's affinity matrix of the first seed with the recovered groups).
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import adjusted_rand_score

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.datasets import make_multitask_classification
from sklmtl.grouping import TaskGroupingClassifier
from sklmtl.metrics import mean_task_accuracy

N_TASKS, N_BLOCKS = 12, 3
METHODS = ("one network", "independent", "mmoe", "grouping")


def block_problem(seed, n_train, n_test, relatedness):
    """Train and test split of the 3-block problem, and the true block labels."""
    X, Y = make_multitask_classification(
        n_samples=n_train + n_test,
        n_features=30,
        n_tasks=N_TASKS,
        n_classes=3,
        n_latent=2,
        relatedness=relatedness,
        task_groups=N_BLOCKS,
        random_state=seed,
    )
    truth = np.repeat(np.arange(N_BLOCKS), N_TASKS // N_BLOCKS)
    return X[:n_train], X[n_train:], Y[:n_train], Y[n_train:], truth


def estimators(args, seed):
    net = dict(
        hidden_layer_sizes=tuple(args.hidden),
        max_epochs=args.epochs,
        lr=args.lr,
        # Every fit runs all --epochs (200 rows: early stopping is off).
        tol=None,
        random_state=seed,
        n_threads=1,
    )
    return {
        "one network": MultiTaskNetClassifier(**net),
        "independent": IndependentTaskClassifier(MultiTaskNetClassifier(**net)),
        "mmoe": MultiTaskNetClassifier(architecture="mmoe", **net),
        "grouping": TaskGroupingClassifier(
            MultiTaskNetClassifier(**net),
            probe_epochs=args.probe_epochs,
            affinity_every=args.affinity_every,
            random_state=seed,
        ),
    }


def run(args):
    records = []
    for seed in args.seeds:
        X_train, X_test, Y_train, Y_test, truth = block_problem(
            seed, args.n_train, args.n_test, args.relatedness
        )
        for name, estimator in estimators(args, seed).items():
            start = time.perf_counter()
            estimator.fit(X_train, Y_train)
            record = {
                "seed": seed,
                "method": name,
                "mean_task_accuracy": float(
                    mean_task_accuracy(Y_test, estimator.predict(X_test))
                ),
                "fit_s": time.perf_counter() - start,
            }
            if name == "grouping":
                record["groups"] = estimator.groups_
                record["ari"] = float(
                    adjusted_rand_score(truth, estimator.group_labels_)
                )
                record["affinity"] = estimator.affinity_.tolist()
            records.append(record)
            print(json.dumps({k: v for k, v in record.items() if k != "affinity"}))
    return records


def summary(records):
    """Mean and sample std over seeds of each method's accuracy (and the ARI)."""
    rows = {}
    for name in METHODS:
        acc = [r["mean_task_accuracy"] for r in records if r["method"] == name]
        fit = [r["fit_s"] for r in records if r["method"] == name]
        rows[name] = {
            "accuracy_mean": statistics.mean(acc),
            "accuracy_std": statistics.stdev(acc) if len(acc) > 1 else 0.0,
            "fit_s": statistics.median(fit),
        }
    ari = [r["ari"] for r in records if r["method"] == "grouping"]
    rows["grouping"]["ari_mean"] = statistics.mean(ari)
    rows["grouping"]["ari_min"] = min(ari)
    return rows


def table(rows, n_seeds):
    lines = [
        f"Mean task accuracy on held-out rows, mean +- std over {n_seeds} seeds.",
        "",
        "| method | mean task accuracy (%) | median fit (s) |",
        "|---|---:|---:|",
    ]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {100 * row['accuracy_mean']:.1f} +- "
            f"{100 * row['accuracy_std']:.1f} | {row['fit_s']:.1f} |"
        )
    g = rows["grouping"]
    lines += [
        "",
        f"Adjusted Rand index of the recovered groups: mean {g['ari_mean']:.2f}, "
        f"min {g['ari_min']:.2f}.",
    ]
    return "\n".join(lines) + "\n"


def plot(payload, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklmtl.display import TaskAffinityDisplay

    records = payload["records"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
    seeds = sorted({r["seed"] for r in records})
    for seed in seeds:
        acc = [
            100 * r["mean_task_accuracy"]
            for name in METHODS
            for r in records
            if r["method"] == name and r["seed"] == seed
        ]
        left.plot(range(len(METHODS)), acc, "o-", color="grey", alpha=0.5, lw=1)
    means = [
        100 * np.mean([r["mean_task_accuracy"] for r in records if r["method"] == m])
        for m in METHODS
    ]
    left.plot(range(len(METHODS)), means, "D", color="black", ms=8, label="mean")
    left.set_xticks(range(len(METHODS)), METHODS)
    left.set_ylabel("mean task accuracy (%) (axis does not start at 0)")
    left.set_title("12 tasks in 3 blocks (grey: one line per seed)")
    left.legend()
    first = next(r for r in records if r["method"] == "grouping")
    names = [f"b{t // 4}.t{t % 4}" for t in range(N_TASKS)]
    TaskAffinityDisplay.from_matrix(
        np.asarray(first["affinity"]),
        task_names=names,
        groups=first["groups"],
        ax=right,
        include_values=False,
    )
    right.set_title(
        f"seed {first['seed']}: probe affinity, recovered groups outlined "
        f"(ARI {first['ari']:.2f})"
    )
    figure.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-train", type=int, default=200)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--relatedness", type=float, default=0.9)
    parser.add_argument("--hidden", type=int, nargs="+", default=[32])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--probe-epochs", type=int, default=10)
    parser.add_argument("--affinity-every", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--out", default="benchmarks/results/grouping")
    parser.add_argument("--plot-only", action="store_true")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if not args.plot_only:
        torch.set_num_threads(1)
        records = run(args)
        payload = {"settings": vars(args), "records": records}
        payload["summary"] = summary(records)
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.json").write_text(json.dumps(payload, indent=2) + "\n")
    payload = json.loads((out / "results.json").read_text())
    text = table(payload["summary"], len(payload["settings"]["seeds"]))
    (out / "table.md").write_text(text)
    print(text)
    plot(payload, out / "grouping.png")


if __name__ == "__main__":
    main()
