"""Build the benchmark report (markdown tables and PNG plots) from results JSON alone.

Usage::

    python benchmarks/report.py benchmarks/results/full/results.json [--out DIR]
    python benchmarks/report.py A/results.json B/results.json --out DIR

Several files are pieces of one suite run in parallel (``run.py
--experiments``): their records are merged into ``DIR/results.json`` first.

Writes ``report.md`` and ``accuracy_by_method.png``,
``accuracy_vs_training_size.png``, ``accuracy_vs_relatedness.png`` and
``fit_time_vs_tasks.png`` (each only when the results hold that experiment).
Numbers are mean +- sample standard deviation (ddof=1) over seeds of the runs
that finished (``benchmarks/stats.py``); in the headline table the best mean of
each row is bold. The figures are drawn by ``benchmarks/figures.py``: spread
over seeds, cut axes, overlapping series and absent points are all shown.
"""

import argparse
import json
from collections import defaultdict
from pathlib import Path

import figures
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


def _save(fig, path, plt):
    if fig is None:
        return None
    # bbox_inches="tight" keeps the legends and notes drawn outside the axes.
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def _plots(records, groups, out_dir, plt):
    """The four figures (see ``figures.py`` for how they are drawn)."""
    methods = list(dict.fromkeys(r["method"] for r in records))
    styles = figures.method_styles(methods)
    fixed = [e for e in dict.fromkeys(k[0] for k in groups) if e not in SWEEP_KEYS]
    cells = defaultdict(list)
    for (exp, _, method), runs in groups.items():
        if exp in fixed:
            cells[exp, method] += runs
    fixed_methods = [m for m in methods if any(k[1] == m for k in cells)]
    bars = figures.bars(cells, fixed, fixed_methods, styles, plt) if fixed else None
    sweeps = [
        ("generator: training-set size", "n_train", "training rows", True, {}),
        ("generator: relatedness", "relatedness", "relatedness", False, {}),
        (
            "generator: number of tasks",
            "n_tasks",
            "number of tasks",
            True,
            {
                "metric": "fit_time_s",
                "note": "At 1 task both methods train the same single network; "
                "fit times are wall-clock on a shared machine.",
            },
        ),
    ]
    figs = [bars]
    for exp, key, xlabel, logx, extra in sweeps:
        figs.append(
            figures.sweep(
                records,
                exp,
                lambda r, key=key: _setting_value(r, key),
                methods,
                styles,
                plt,
                xlabel=xlabel,
                logx=logx,
                **extra,
            )
        )
    names = [
        "accuracy_by_method",
        "accuracy_vs_training_size",
        "accuracy_vs_relatedness",
        "fit_time_vs_tasks",
    ]
    return [_save(f, out_dir / f"{n}.png", plt) for f, n in zip(figs, names)]


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

    plots = _plots(records, groups, out_dir, plt)
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


def merge(json_paths, out_path):
    """Write the records of several pieces of one suite to one results file.

    The pieces are ``benchmarks/run.py --experiments ... [--seeds ...]`` runs
    of the same suite in parallel processes; each run (experiment, setting,
    method, seed) must come from one piece.

    Parameters
    ----------
    json_paths : list of path-like
        The pieces' ``results.json``.
    out_path : path-like
        The merged ``results.json`` (the first piece's versions and machine,
        with each piece's listed under ``pieces``).

    Returns
    -------
    out_path : Path
        The merged file.
    """
    payloads = [json.loads(Path(p).read_text()) for p in json_paths]
    suites = {p["dataset"] for p in payloads}
    if len(suites) != 1:
        raise ValueError(f"The pieces come from different suites: {sorted(suites)}.")
    seen = {}
    for path, payload in zip(json_paths, payloads):
        for r in payload["records"]:
            key = (r["experiment"], json.dumps(r["setting"], sort_keys=True))
            key += (r["method"], r["seed"])
            if key in seen:
                raise ValueError(
                    f"{r['experiment']!r}, {r['method']!r}, seed {r['seed']} is "
                    f"in both {seen[key]} and {path}."
                )
            seen[key] = path
    merged = {
        **payloads[0],
        "records": [r for p in payloads for r in p["records"]],
        "pieces": [
            {"file": str(path), "versions": p["versions"], "machine": p["machine"]}
            for path, p in zip(json_paths, payloads)
        ],
    }
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(merged, indent=2))
    return out_path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "json",
        type=Path,
        nargs="+",
        help="results.json; several: pieces of one suite, merged into "
        "OUT/results.json first",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    json_path = args.json[0]
    if len(args.json) > 1:
        if args.out is None:
            parser.error("merging pieces needs --out")
        json_path = merge(args.json, args.out / "results.json")
    print(build(json_path, args.out).read_text())


if __name__ == "__main__":
    main()
