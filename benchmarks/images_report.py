"""The image benchmark's report, built from its ``results.json`` alone.

Usage::

    python benchmarks/images_report.py DIR

Writes ``DIR/report.md`` (markdown tables) and, with matplotlib,
``DIR/accuracy.png`` and ``DIR/fit_time.png``; returns the markdown.
"""

import json
import sys
from pathlib import Path

import numpy as np
from stats import bold_best, fmt_stat, mean_std

METHOD_ORDER = ("shared", "independent", "shared, equal compute", "hand loop")


def _groups(records):
    """``{(dataset, backbone): {method: [records]}}`` in the order first run."""
    groups = {}
    for r in records:
        cell = groups.setdefault((r["dataset"], r["backbone"]), {})
        cell.setdefault(r["method"], []).append(r)
    return groups


def fit_ratios(runs):
    """Per seed: fit(shared) / fit(hand loop), the two fits run back to back."""
    hand = {r["seed"]: r["fit_time_s"] for r in runs.get("hand loop", [])}
    return [
        r["fit_time_s"] / hand[r["seed"]]
        for r in runs.get("shared", [])
        if r["seed"] in hand
    ]


def _ratio_text(ratios):
    if not ratios:
        return ""
    if len(ratios) == 1:
        return f"{ratios[0]:.2f}"
    return f"{np.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def _table(dataset, backbone, runs):
    methods = [m for m in METHOD_ORDER if m in runs]
    tasks = list(runs[methods[0]][0]["per_task_accuracy"])
    shared_params = runs["shared"][0]["parameters"] if "shared" in runs else None
    acc = [[r["mean_task_accuracy"] for r in runs[m]] for m in methods]
    acc_cells = bold_best(
        [fmt_stat(a, 100) for a in acc], [mean_std(a, 100)[0] for a in acc]
    )
    first = runs[methods[0]][0]
    lines = [
        f"### {dataset}, {backbone} ({first['n_train']} training images, "
        f"{first['epochs']} epochs, batch {first['batch_size']}, "
        f"{len(runs[methods[0]])} seeds)",
        "",
        "| method | mean attribute accuracy (%) | "
        + " | ".join(tasks)
        + " | parameters | x shared | fit (s) | images/s | fit / hand loop |",
        "|---" * (len(tasks) + 7) + "|",
    ]
    ratios = fit_ratios(runs)
    for m, cell in zip(methods, acc_cells):
        rs = runs[m]
        per_task = [
            fmt_stat([r["per_task_accuracy"][t] for r in rs], 100) for t in tasks
        ]
        params = rs[0]["parameters"]
        times = [r["fit_time_s"] for r in rs]
        speed = [r["images_per_s"] for r in rs]
        lines.append(
            f"| {m} | {cell} | "
            + " | ".join(per_task)
            + f" | {params:,} | "
            + (f"{params / shared_params:.2f}" if shared_params else "")
            + f" | {fmt_stat(times, digits=1)} | {fmt_stat(speed, digits=0)} | "
            + (_ratio_text(ratios) if m == "shared" else "")
            + " |"
        )
    return lines


def summary(payload):
    """The headline figures of each (dataset, backbone), for the report and tests."""
    out = {}
    for (dataset, backbone), runs in _groups(payload["records"]).items():
        entry = {}
        for m, rs in runs.items():
            entry[m] = {
                "mean_task_accuracy": mean_std([r["mean_task_accuracy"] for r in rs]),
                "parameters": rs[0]["parameters"],
                "fit_time_s": float(np.median([r["fit_time_s"] for r in rs])),
            }
        ratios = fit_ratios(runs)
        if ratios:
            entry["fit_ratio_to_hand_loop"] = float(np.median(ratios))
        out[f"{dataset}/{backbone}"] = entry
    return out


def _plots(groups, out_dir):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ["(no plots: matplotlib is not installed)"]
    lines = []
    for name, key, scale, ylabel, log in (
        ("accuracy", "mean_task_accuracy", 100, "mean attribute accuracy (%)", False),
        ("fit_time", "fit_time_s", 1, "fit time (s)", True),
    ):
        fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(groups), 3.6))
        width = 0.8 / len(METHOD_ORDER)
        centre = (len(METHOD_ORDER) - 1) / 2
        for j, method in enumerate(METHOD_ORDER):
            xs, means, stds = [], [], []
            for i, runs in enumerate(groups.values()):
                if method in runs:
                    mean, std = mean_std([r[key] for r in runs[method]], scale)
                    xs.append(i + (j - centre) * width)
                    means.append(mean)
                    stds.append(0.0 if np.isnan(std) else std)
            if xs:
                ax.bar(xs, means, width, yerr=stds, label=method, color=f"C{j}")
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([f"{d}\n{b}" for d, b in groups], fontsize=8)
        ax.set_ylabel(ylabel)
        if log:
            ax.set_yscale("log")
        ax.legend(fontsize=8)
        ax.set_title(f"{ylabel}: mean and sample std over seeds", fontsize=9)
        fig.tight_layout()
        fig.savefig(out_dir / f"{name}.png", dpi=110)
        plt.close(fig)
        lines.append(f"![{name}]({name}.png)")
    return lines


def build(json_path, out_dir):
    """Write ``report.md`` (and the PNG plots) from ``json_path``; return the text."""
    payload = json.loads(Path(json_path).read_text())
    out_dir = Path(out_dir)
    settings = payload.get("settings", {})
    groups = _groups(payload["records"])
    lines = [
        f"# Image benchmark ({settings.get('mode', '?')})",
        "",
        f"Evaluated on the {settings.get('split', '?')} split; device "
        f"{settings.get('device_name', '?')}, {settings.get('threads', '?')} torch "
        f"thread(s), precision {settings.get('precision_used', '32')}; torch "
        f"{payload['versions']['torch']}, sklmtl {payload['versions']['sklmtl']}. "
        "Accuracy: mean +- sample std over seeds; fit / hand loop: median "
        "(range) over seeds of the shared estimator's fit time over the hand "
        "loop's, run back to back.",
        "",
    ]
    lines += [f"- note: {n}" for n in payload.get("notes", [])]
    for (dataset, backbone), runs in groups.items():
        lines += ["", *_table(dataset, backbone, runs)]
    if groups:
        lines += ["", *_plots(groups, out_dir)]
    text = "\n".join(lines) + "\n"
    (out_dir / "report.md").write_text(text)
    return text


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    print(build(folder / "results.json", folder))
