"""Report of the real-data suite (markdown + PNG) from its results JSON alone.

Usage::

    python benchmarks/real_report.py benchmarks/results/real-quick/results.json

Writes ``report.md`` and ``gap_to_best_baseline.png`` beside the JSON (or in
``--out``). Numbers are mean +- sample standard deviation (ddof=1) over
seeds. The *best baseline* of a table and label variant is the method with the
highest mean task accuracy among the per-task baselines and the chain (not
sklmtl, not the majority reference); the *gap* is sklmtl's mean task accuracy
minus that baseline's, paired by seed (same split), in points. When the
results hold ``sklmtl grouping`` (``TaskGroupingClassifier``), a section
compares it with the default network and the best baseline, with the groups
it chose.
"""

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

SKLMTL = "sklmtl default"
PREVIOUS = "sklmtl previous defaults"
GROUPING = "sklmtl grouping"
REFERENCE = {SKLMTL, PREVIOUS, GROUPING, "majority (reference)"}


def _stat(values, scale=100.0, digits=1):
    values = np.asarray(values, dtype=float) * scale
    if len(values) == 0:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} +- {values.std(ddof=1):.{digits}f}"


def _variant(fraction):
    return "all labels" if fraction == 0 else f"{fraction:.0%} hidden"


class Results:
    """Records grouped by (table, hidden fraction, method), keyed by seed."""

    def __init__(self, records):
        self.ok = defaultdict(dict)
        self.not_ok = []
        for r in records:
            key = (r["table"], r["hidden_fraction"], r["method"])
            if r["status"] == "ok":
                self.ok[key][r["seed"]] = r
            else:
                self.not_ok.append(r)
        self.tables = list(dict.fromkeys(r["table"] for r in records))
        self.fractions = sorted({r["hidden_fraction"] for r in records})
        self.methods = list(dict.fromkeys(r["method"] for r in records))
        self.multilabel = {r["table"]: r["multilabel"] for r in records}

    def values(self, table, fraction, method, metric):
        runs = self.ok.get((table, fraction, method), {})
        return [runs[s][metric] for s in sorted(runs)]

    def best_baseline(self, table, fraction):
        """The baseline with the highest mean task accuracy, or None."""
        means = {
            m: np.mean(v)
            for m in self.methods
            if m not in REFERENCE
            and (v := self.values(table, fraction, m, "mean_task_accuracy"))
        }
        return max(means, key=means.get) if means else None

    def gap(self, table, fraction, method=SKLMTL, against=None):
        """``method`` minus the best baseline (or ``against``), paired by seed."""
        best = self.best_baseline(table, fraction) if against is None else against
        ours = self.ok.get((table, fraction, method), {})
        theirs = self.ok.get((table, fraction, best), {})
        seeds = sorted(set(ours) & set(theirs))
        return best, [
            100 * (ours[s]["mean_task_accuracy"] - theirs[s]["mean_task_accuracy"])
            for s in seeds
        ]


def _table_section(payload):
    lines = [
        "## Tables",
        "",
        "| table | package | rows | numeric / categorical features | tasks "
        "| source | licence | choices |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, t in payload.get("tables", {}).items():
        lines.append(
            f"| {name} | {t['package']} | {t['rows']:,} "
            f"| {t['numeric']} / {t['categorical']} | {t['targets']} "
            f"| {t['source']} | {t['licence']} | {t['note']} |"
        )
    return lines


def _headline(res):
    lines = [
        "## sklmtl defaults against the best baseline",
        "",
        "Mean task accuracy (%); gap in points, paired by seed (negative: "
        "sklmtl behind). Fit times in seconds.",
        "",
        "| table | labels | sklmtl default | best baseline | its accuracy | gap "
        "| sklmtl fit | MLP per task fit | sklmtl epochs |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for table in res.tables:
        for fraction in res.fractions:
            best, gaps = res.gap(table, fraction)
            if best is None:
                continue
            ours = res.values(table, fraction, SKLMTL, "mean_task_accuracy")
            lines.append(
                f"| {table} | {_variant(fraction)} | {_stat(ours)} | {best} "
                f"| {_stat(res.values(table, fraction, best, 'mean_task_accuracy'))} "
                f"| {_stat(gaps, 1.0, 2)} "
                f"| {_stat(res.values(table, fraction, SKLMTL, 'fit_time_s'), 1, 2)} "
                f"| {_stat(res.values(table, fraction, 'MLP per task', 'fit_time_s'), 1, 2)} "  # noqa: E501
                f"| {_stat(res.values(table, fraction, SKLMTL, 'epochs'), 1, 0)} |"
            )
    return lines


def _before_after(res):
    """The change of defaults: previous against current, paired by seed."""
    if PREVIOUS not in res.methods:
        return []
    lines = [
        "## Change of defaults: before and after",
        "",
        "`sklmtl previous defaults` is `MultiTaskNetClassifier(max_epochs=50, "
        "early_stopping=False, n_iter_no_change=10)`, the defaults before this "
        "suite chose `max_epochs=200, early_stopping='auto', "
        "n_iter_no_change=20`; same splits. Change in points, paired by seed.",
        "",
        "| table | labels | previous: accuracy | gap to best | now: accuracy "
        "| gap to best | change | previous fit (s) | now fit (s) | epochs now |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for table in res.tables:
        for fraction in res.fractions:
            best, gaps = res.gap(table, fraction)
            if best is None or not res.values(table, fraction, PREVIOUS, "epochs"):
                continue
            _, before = res.gap(table, fraction, PREVIOUS)
            _, change = res.gap(table, fraction, SKLMTL, against=PREVIOUS)
            acc = "mean_task_accuracy"
            lines.append(
                f"| {table} | {_variant(fraction)} "
                f"| {_stat(res.values(table, fraction, PREVIOUS, acc))} "
                f"| {_stat(before, 1.0, 2)} "
                f"| {_stat(res.values(table, fraction, SKLMTL, acc))} "
                f"| {_stat(gaps, 1.0, 2)} | {_stat(change, 1.0, 2)} "
                f"| {_stat(res.values(table, fraction, PREVIOUS, 'fit_time_s'), 1, 2)} "
                f"| {_stat(res.values(table, fraction, SKLMTL, 'fit_time_s'), 1, 2)} "
                f"| {_stat(res.values(table, fraction, SKLMTL, 'epochs'), 1, 0)} |"
            )
    return [*lines, ""]


def _grouping(res):
    """Automatic grouping against the default network and the best baseline."""
    if GROUPING not in res.methods:
        return []
    lines = [
        "## Automatic task grouping",
        "",
        "`sklmtl grouping` is `TaskGroupingClassifier(MultiTaskNetClassifier())`: "
        "a 5-epoch probe measures the task affinity, then one default network "
        "per group (on single-task tables: the default network). Gaps in "
        "points, paired by seed; groups: how many, per seed.",
        "",
        "| table | labels | tasks | default: accuracy | grouping: accuracy "
        "| grouping - default | grouping - best baseline | groups "
        "| default fit (s) | grouping fit (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    acc = "mean_task_accuracy"
    for table in res.tables:
        for fraction in res.fractions:
            ours = res.values(table, fraction, GROUPING, acc)
            if not ours:
                continue
            best, to_best = res.gap(table, fraction, GROUPING)
            _, to_default = res.gap(table, fraction, GROUPING, against=SKLMTL)
            groups = res.values(table, fraction, GROUPING, "groups")
            fit = "fit_time_s"
            n_tasks = sum(len(g) for g in groups[0]) if groups else "?"
            counts = "/".join(str(len(g)) for g in groups)
            lines.append(
                f"| {table} | {_variant(fraction)} | {n_tasks} "
                f"| {_stat(res.values(table, fraction, SKLMTL, acc))} "
                f"| {_stat(ours)} | {_stat(to_default, 1.0, 2)} "
                f"| {_stat(to_best, 1.0, 2) if best else 'n/a'} | {counts} "
                f"| {_stat(res.values(table, fraction, SKLMTL, fit), 1, 2)} "
                f"| {_stat(res.values(table, fraction, GROUPING, fit), 1, 2)} |"
            )
    return [*lines, ""]


def _matrix(res, metric, title, scale=100.0, digits=1, tables=None, lower=False):
    tables = res.tables if tables is None else tables
    methods = [
        m
        for m in res.methods
        if any(res.values(t, f, m, metric) for t in tables for f in res.fractions)
    ]
    better = "lower" if lower else "higher"
    lines = [
        f"### {title} ({better} is better)",
        "",
        "| table | labels | " + " | ".join(methods) + " |",
        "|---|---|" + "---|" * len(methods),
    ]
    for table in tables:
        for fraction in res.fractions:
            cells = [
                _stat(res.values(table, fraction, m, metric), scale, digits)
                for m in methods
            ]
            lines.append(
                f"| {table} | {_variant(fraction)} | " + " | ".join(cells) + " |"
            )
    return [*lines, ""]


def _warnings(res):
    counts = defaultdict(lambda: defaultdict(int))
    for (_, _, method), runs in res.ok.items():
        for r in runs.values():
            for name, n in r.get("warnings", {}).items():
                counts[method][name] += n
    if not counts:
        return []
    lines = ["## Warnings raised while fitting (all runs)", ""]
    for method, by_kind in counts.items():
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(by_kind.items()))
        lines.append(f"- {method}: {kinds}")
    return [*lines, ""]


def _not_ok(res):
    if not res.not_ok:
        return []
    reasons = sorted(
        {
            f"- {r['method']} on {r['table']} ({_variant(r['hidden_fraction'])}): "
            f"{r['status']}, {r['error']}"
            for r in res.not_ok
        }
    )
    return ["## Runs without a result", "", *reasons, ""]


def plot_gaps(res, path):
    """Horizontal bars of sklmtl's gap to the best baseline, per table and variant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n_bars = len(res.tables) * len(res.fractions)
    fig, ax = plt.subplots(figsize=(8.5, 1.0 + 0.4 * n_bars))
    height = 0.8 / len(res.fractions)
    for k, fraction in enumerate(res.fractions):
        gaps = [res.gap(t, fraction)[1] for t in res.tables]
        means = [np.mean(g) if g else np.nan for g in gaps]
        errs = [np.std(g, ddof=1) if len(g) > 1 else 0.0 for g in gaps]
        ys = np.arange(len(res.tables)) + (k - (len(res.fractions) - 1) / 2) * height
        ax.barh(ys, means, height=height, xerr=errs, label=_variant(fraction))
        if PREVIOUS in res.methods:
            before = [res.gap(t, fraction, PREVIOUS)[1] for t in res.tables]
            ax.plot(
                [np.mean(g) if g else np.nan for g in before],
                ys,
                "kx",
                label="previous defaults" if k == 0 else None,
            )
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="grey", linewidth=0.8, linestyle="--", label="-0.5 point")
    ax.set_yticks(np.arange(len(res.tables)), res.tables)
    ax.invert_yaxis()
    ax.set_xlabel("sklmtl default - best baseline, mean task accuracy (points)")
    ax.set_title("Gap to the best per-task baseline (mean +- sd over seeds)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def build(json_path, out_dir=None):
    """Write ``report.md`` and ``gap_to_best_baseline.png``; return the report path.

    Parameters
    ----------
    json_path : path-like
        ``results.json`` written by ``real_suite.py``.
    out_dir : path-like or None, default=None
        Where to write; the JSON's folder when None.

    Returns
    -------
    report_path : Path
        The markdown report.
    """
    json_path = Path(json_path)
    out_dir = Path(out_dir) if out_dir is not None else json_path.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = json.loads(json_path.read_text())
    res = Results(payload["records"])
    plot_gaps(res, out_dir / "gap_to_best_baseline.png")
    versions = ", ".join(f"{k} {v}" for k, v in payload["versions"].items())
    machine = payload["machine"]
    multilabel = [t for t in res.tables if res.multilabel[t]]
    seeds = sorted({r["seed"] for r in payload["records"]})
    lines = [
        f"# Real-data suite: {payload.get('suite', payload['dataset'])}",
        "",
        f"{versions}; {machine['platform']}, {machine['cpu_count']} CPUs, "
        f"one thread for torch, BLAS and OpenMP. Seeds {seeds}; wall time "
        f"{payload.get('wall_time_s', float('nan')):.0f} s.",
        "",
        *_table_section(payload),
        "",
        *_headline(res),
        "",
        "![gap to the best baseline](gap_to_best_baseline.png)",
        "",
        *_before_after(res),
        *_grouping(res),
        "## All metrics",
        "",
        *_matrix(res, "mean_task_accuracy", "Mean task accuracy (%)"),
        *_matrix(res, "subset_accuracy", "Subset accuracy (%)"),
        *_matrix(res, "macro_f1", "Macro-F1, mean over tasks (%)"),
    ]
    if multilabel:
        lines += [
            "On multi-label tables the per-task methods are binary relevance.",
            "",
            *_matrix(res, "hamming_loss", "Hamming loss", 1.0, 3, multilabel, True),
            *_matrix(res, "micro_f1", "Micro-F1 (%)", tables=multilabel),
        ]
    lines += [
        *_matrix(res, "fit_time_s", "Fit time (s)", 1.0, 2, lower=True),
        *_matrix(res, "predict_time_s", "Predict time (s)", 1.0, 3, lower=True),
        *_warnings(res),
        *_not_ok(res),
    ]
    report_path = out_dir / "report.md"
    report_path.write_text("\n".join(lines) + "\n")
    return report_path


def main(argv=None):
    """Command line: rebuild a report from its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    print(build(args.results, args.out))


if __name__ == "__main__":
    main()
