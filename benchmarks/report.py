"""Build the benchmark report (markdown tables and PNG plots) from results JSON alone.

Usage::

    python benchmarks/report.py benchmarks/results/full/results.json [--out DIR]

Writes ``report.md`` and ``accuracy_by_method.png``,
``accuracy_vs_training_size.png``, ``accuracy_vs_relatedness.png`` and
``fit_time_vs_tasks.png`` (each only when the results hold that experiment).
Numbers are mean +- sample standard deviation (ddof=1) over seeds of the runs
that finished (``benchmarks/stats.py``); in the headline table the best mean of
each row is bold.
"""

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from stats import bold_best, fmt_stat, mean_std

SWEEP_KEYS = {
    "generator: relatedness": "relatedness",
    "generator: training-set size": "n_train",
    "generator: number of tasks": "n_tasks",
}


def _setting_value(record, key):
    if key == "n_tasks":
        return record["setting"].get("generator", {}).get("n_tasks")
    return record["setting"].get(key)


def _label(setting):
    parts = []
    for key in ("relatedness", "n_train", "missing_rate"):
        if key in setting:
            parts.append(f"{key}={setting[key]}")
    if "generator" in setting:
        parts += [f"{k}={v}" for k, v in setting["generator"].items()]
    if "trunk" in setting:
        parts.append(f"trunk={setting['trunk']}")
    return ", ".join(parts) or "-"


_stat = fmt_stat


def _task_values(scores):
    """Per-task scores: a dict keyed by task name (a list in older results)."""
    return list(scores.values()) if isinstance(scores, dict) else list(scores)


def _group(records):
    groups = defaultdict(list)
    for r in records:
        groups[(r["experiment"], _label(r["setting"]), r["method"])].append(r)
    return groups


def _ok(runs):
    return [r for r in runs if r["status"] == "ok"]


def _mean(runs, key):
    runs = _ok(runs)
    return float(np.mean([r[key] for r in runs])) if runs else float("nan")


def _detail_table(exp, groups):
    lines = [
        f"### {exp}",
        "",
        "| setting | method | mean task acc (%) | subset acc (%) | macro F1 (%) "
        "| fit (s) | predict (s) | parameters | support vectors | epochs | runs |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (e, label, method), runs in groups.items():
        if e != exp:
            continue
        ok = _ok(runs)
        f1 = [np.nanmean(_task_values(r["per_task_macro_f1"])) for r in ok]
        epochs = [np.mean(r["epochs"]) for r in ok if r["epochs"]]
        failed = len(runs) - len(ok)
        runs_text = f"{len(ok)}" + (f" ({failed} failed)" if failed else "")
        lines.append(
            f"| {label} | {method} "
            f"| {_stat([r['mean_task_accuracy'] for r in ok], 100)} "
            f"| {_stat([r['subset_accuracy'] for r in ok], 100)} "
            f"| {_stat(f1, 100)} "
            f"| {_stat([r['fit_time_s'] for r in ok], digits=2)} "
            f"| {_stat([r['predict_time_s'] for r in ok], digits=3)} "
            f"| {_stat([r['parameters'] for r in ok], digits=0)} "
            f"| {_stat([r['support_vectors'] for r in ok], digits=0)} "
            f"| {_stat(epochs, digits=0) if epochs else '-'} | {runs_text} |"
        )
    failures = sorted(
        {
            f"- {method} ({label}): {r['error']}"
            for (e, label, method), runs in groups.items()
            if e == exp
            for r in runs
            if r["status"] != "ok"
        }
    )
    if failures:
        lines += ["", "Runs that could not fit:", "", *failures]
    return lines


def _headline(records, groups):
    """Mean task accuracy of every method on every fixed dataset setting."""
    rows = [
        (exp, label)
        for exp, label, _ in groups
        if exp not in SWEEP_KEYS or exp == "generator: relatedness"
    ]
    rows = list(dict.fromkeys(rows))
    methods = list(dict.fromkeys(r["method"] for r in records))
    lines = [
        "| dataset (setting) | " + " | ".join(methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    for exp, label in rows:
        cells, means = [], []
        for method in methods:
            runs = groups.get((exp, label, method))
            accuracies = [r["mean_task_accuracy"] for r in _ok(runs or [])]
            cells.append("" if runs is None else _stat(accuracies, 100))
            means.append(mean_std(accuracies, 100)[0])
        cells = bold_best(cells, means)
        if exp == "generator: relatedness":
            name = f"generator ({label})"
        else:
            name = exp if label == "-" else f"{exp} ({label})"
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _plot_bars(groups, path, plt):
    exps = [e for e in dict.fromkeys(k[0] for k in groups) if e not in SWEEP_KEYS]
    if not exps:
        return None
    methods = list(dict.fromkeys(k[2] for k in groups if k[0] in exps))
    fig, ax = plt.subplots(figsize=(max(6, 2.2 * len(exps)), 4))
    width = 0.8 / len(methods)
    for j, method in enumerate(methods):
        means, stds = [], []
        for exp in exps:
            runs = [
                r
                for k, v in groups.items()
                if k[0] == exp and k[2] == method
                for r in _ok(v)
            ]
            mean, std = mean_std([r["mean_task_accuracy"] for r in runs], 100)
            means.append(mean)
            stds.append(std if np.isfinite(std) else 0.0)
        ax.bar(
            np.arange(len(exps)) + j * width,
            means,
            width,
            yerr=stds,
            label=method,
            capsize=2,
        )
    ax.set_xticks(np.arange(len(exps)) + 0.4 - width / 2)
    ax.set_xticklabels(exps)
    ax.set_ylabel("mean task accuracy (%)")
    lows = [
        100 * r["mean_task_accuracy"]
        for k, v in groups.items()
        if k[0] in exps
        for r in _ok(v)
    ]
    ax.set_ylim(max(0, min(lows) - 5) if lows else 0, 100)
    ax.legend(fontsize=7, ncol=2)
    ax.set_title("Accuracy by method and dataset")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _plot_sweep(records, exp, key, metric, ylabel, path, plt, logx=False):
    recs = [r for r in records if r["experiment"] == exp and r["status"] == "ok"]
    if not recs:
        return None
    panels = sorted({r["setting"].get("missing_rate", 0.0) for r in recs})
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False
    )
    for ax, missing in zip(axes[0], panels):
        for method in dict.fromkeys(r["method"] for r in recs):
            points = defaultdict(list)
            for r in recs:
                if (
                    r["method"] == method
                    and r["setting"].get("missing_rate", 0.0) == missing
                ):
                    points[_setting_value(r, key)].append(r[metric])
            xs = sorted(points)
            scale = 100 if "accuracy" in metric else 1
            stats = [mean_std(points[x], scale) for x in xs]
            ys = [m for m, _ in stats]
            es = [e if np.isfinite(e) else 0.0 for _, e in stats]
            ax.errorbar(xs, ys, yerr=es, marker="o", capsize=2, label=method)
        if logx:
            ax.set_xscale("log")
        ax.set_xlabel(key)
        ax.set_ylabel(ylabel)
        ax.set_title(f"{exp}, missing labels {missing:.0%}", fontsize=10)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def build(json_path, out_dir=None):
    """Write ``report.md`` and the PNG plots for one results file.

    Parameters
    ----------
    json_path : path-like
        A ``results.json`` written by ``benchmarks/run.py``.
    out_dir : path-like or None, default=None
        Where to write; the JSON's folder when None.

    Returns
    -------
    report_path : Path
        The markdown report.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    json_path = Path(json_path)
    out_dir = Path(out_dir) if out_dir else json_path.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = json.loads(json_path.read_text())
    records = payload["records"]
    groups = _group(records)
    experiments = list(dict.fromkeys(r["experiment"] for r in records))

    plots = [
        _plot_bars(groups, out_dir / "accuracy_by_method.png", plt),
        _plot_sweep(
            records,
            "generator: training-set size",
            "n_train",
            "mean_task_accuracy",
            "mean task accuracy (%)",
            out_dir / "accuracy_vs_training_size.png",
            plt,
            logx=True,
        ),
        _plot_sweep(
            records,
            "generator: relatedness",
            "relatedness",
            "mean_task_accuracy",
            "mean task accuracy (%)",
            out_dir / "accuracy_vs_relatedness.png",
            plt,
        ),
        _plot_sweep(
            records,
            "generator: number of tasks",
            "n_tasks",
            "fit_time_s",
            "fit time (s)",
            out_dir / "fit_time_vs_tasks.png",
            plt,
            logx=True,
        ),
    ]
    versions = ", ".join(f"{k} {v}" for k, v in payload["versions"].items())
    machine = payload["machine"]
    seeds = sorted({r["seed"] for r in records})
    lines = [
        f"# Benchmark report: {payload['dataset']}",
        "",
        f"Versions: {versions}. Machine: {machine['platform']}, "
        f"{machine.get('cpu_count', '?')} CPUs, torch threads "
        f"{machine['torch_threads']}. Seeds: {seeds}. "
        f"Built by `benchmarks/report.py` from `{json_path.name}`.",
        "",
        "## Mean task accuracy (%)",
        "",
        "Mean +- sample standard deviation over seeds; the best mean of each row "
        "in bold.",
        "",
        *_headline(records, groups),
        "",
        "## Plots",
        "",
        *[f"![{p.stem}]({p.name})" for p in plots if p is not None],
        "",
        "## Details",
        "",
    ]
    for exp in experiments:
        lines += [*_detail_table(exp, groups), ""]
    report_path = out_dir / "report.md"
    report_path.write_text("\n".join(lines))
    return report_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    print(build(args.json, args.out).read_text())


if __name__ == "__main__":
    main()
