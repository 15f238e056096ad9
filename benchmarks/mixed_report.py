"""Report of the mixed suite (markdown + one PNG) from its results JSON alone.

Usage::

    python benchmarks/mixed_report.py benchmarks/results/mixed/results.json

Writes ``report.md`` and ``per_task_scores.png`` beside the JSON (or in
``--out``). Numbers are mean +- sample standard deviation (ddof=1) over seeds
(for linnerud, one R² per seed: a repeat of 5-fold cross-validation scored on
its pooled out-of-fold predictions); accuracy and R² are in [0, 1] (R² can be
negative).
"""

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from stats import fmt_stat


def _stat(values, digits=3):
    return fmt_stat(values, 1.0, digits)


def group(records, part, key):
    """``{(group key..., method): [records]}`` of one part, in record order."""
    out = defaultdict(list)
    for r in records:
        if r["part"] == part:
            out[(*[r[k] for k in key], r["method"])].append(r)
    return out


def _mixed_section(payload):
    runs = group(payload["records"], "mixed", ("table",))
    lines = ["## Mixed tasks: accuracy (classification), R² (regression)", ""]
    for table, info in payload["tables"].items():
        tasks = [
            f"{t} ({'R²' if k == 'regression' else 'acc'})"
            for t, k in zip(info["tasks"], info["task_types"])
        ]
        lines += [
            f"### {table} ({info['rows']:,} rows; {info['note']})",
            "",
            "| method | " + " | ".join(tasks) + " | mean | fit time (s) |",
            "|---|" + "---|" * (len(tasks) + 2),
        ]
        for (t, method), rs in runs.items():
            if t != table:
                continue
            ok = [r for r in rs if r["status"] == "ok"]
            cells = [_stat([r["per_task"][i] for r in ok]) for i in range(len(tasks))]
            lines.append(
                f"| {method} | "
                + " | ".join(cells)
                + f" | {_stat([r['mean_score'] for r in ok])} "
                f"| {_stat([r['fit_time_s'] for r in ok], 2)} |"
            )
        lines.append("")
    return lines


def _regression_section(payload):
    runs = group(payload["records"], "regression", ("dataset", "missing_fraction"))
    lines = [
        "## Regression only: mean R² over targets",
        "",
        "| data | training cells missing | method | R² | fit time (s) | seeds |",
        "|---|---|---|---|---|---|",
    ]
    for (dataset, missing, method), rs in runs.items():
        ok = [r for r in rs if r["status"] == "ok"]
        if ok:
            score = _stat([r["mean_score"] for r in ok])
            fit = _stat([r["fit_time_s"] for r in ok], 2)
        else:
            score, fit = f"cannot train ({rs[0]['error'][:50]})", "-"
        lines.append(
            f"| {dataset} | {missing:.0%} | {method} | {score} | {fit} | {len(rs)} |"
        )
    return [*lines, ""]


#: Scores below this are clipped in the plot (an R² can be -30).
FLOOR = -0.5


def plot(payload, path):
    """Grouped bars: each task's mean score per method, one panel per table;
    bars below ``FLOOR`` are clipped and labelled with their value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = group(payload["records"], "mixed", ("table",))
    tables = list(payload["tables"])
    fig, axes = plt.subplots(1, len(tables), figsize=(5 * len(tables), 3.8))
    axes = np.atleast_1d(axes)
    for ax, table in zip(axes, tables):
        info = payload["tables"][table]
        methods = [m for (t, m) in runs if t == table]
        width = 0.8 / max(len(methods), 1)
        xs = np.arange(len(info["tasks"]))
        for k, method in enumerate(methods):
            ok = [r for r in runs[(table, method)] if r["status"] == "ok"]
            if not ok:
                continue
            scores = np.array([r["per_task"] for r in ok])
            means = scores.mean(axis=0)
            err = scores.std(axis=0, ddof=1) if len(ok) > 1 else np.zeros_like(means)
            err = np.where(means < FLOOR, 0.0, err)  # no bar of a clipped value
            x = xs + (k - (len(methods) - 1) / 2) * width
            ax.bar(x, np.maximum(means, FLOOR), width, yerr=err, label=method)
            for xi, m in zip(x, means):
                if m < FLOOR:  # far below: clipped, value written on the bar
                    ax.text(
                        xi,
                        FLOOR + 0.02,
                        f"{m:.1f}",
                        rotation=90,
                        fontsize=7,
                        ha="center",
                        va="bottom",
                    )
        ax.set_xticks(
            xs,
            [
                f"{t}\n({'R²' if k == 'regression' else 'acc'})"
                for t, k in zip(info["tasks"], info["task_types"])
            ],
        )
        ax.set_ylim(FLOOR, 1.05)
        ax.set_title(table)
    axes[0].set_ylabel("test score (mean +- sd over seeds)")
    fig.suptitle(f"clipped at {FLOOR}", x=0.99, ha="right", fontsize=7)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def build(json_path, out_dir=None):
    """Write ``report.md`` and ``per_task_scores.png``; return the report's path.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> rec = {"part": "regression", "dataset": "d", "missing_fraction": 0.0,
    ...        "method": "m", "seed": 0, "status": "ok", "mean_score": 0.5,
    ...        "fit_time_s": 1.0}
    >>> _ = (d / "r.json").write_text(json.dumps(
    ...     {"records": [rec, {**rec, "seed": 1, "mean_score": 0.7}], "tables": {},
    ...      "seeds": [0, 1], "versions": {}, "machine": {}, "wall_time_s": 1}))
    >>> "0.600 +- 0.141" in build(d / "r.json").read_text()
    True
    """
    json_path = Path(json_path)
    out_dir = Path(out_dir) if out_dir else json_path.parent
    payload = json.loads(json_path.read_text())
    lines = [
        f"# Mixed suite ({payload.get('dataset', '')})",
        "",
        f"Seeds {payload['seeds']}; mean +- sample sd (ddof=1). Versions: "
        f"{payload['versions']}; machine: {payload['machine']}; "
        f"wall time {payload['wall_time_s']:.0f} s.",
        "",
        *_mixed_section(payload),
        *_regression_section(payload),
    ]
    if payload["tables"]:
        plot(payload, out_dir / "per_task_scores.png")
        lines += ["![per-task scores](per_task_scores.png)", ""]
    report = out_dir / "report.md"
    report.write_text("\n".join(lines))
    return report


def main(argv=None):
    """Command line: build the report of a results JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json_path", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    print(build(args.json_path, args.out).read_text())


if __name__ == "__main__":
    main()
