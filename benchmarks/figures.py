"""The benchmark report's figures, drawn so that they read right.

Every figure follows the same rules:

- the spread over seeds is drawn: accuracy as the mean with the sample
  standard deviation (``ddof=1``) as error bars, and the seeds themselves as
  dots on the bars; timings as the median with the min-max range over seeds,
  so that one slow run shows as a long whisker, not as a trend;
- an accuracy axis that does not start at 0 says where it starts;
- series that overlap stay visible: each method has its own colour, marker
  and line style in every figure, and the lines of a sweep are shifted
  sideways by a small offset;
- what is absent is written on the figure: a method not run on a dataset, a
  method that failed at every seed (with its error), a point from fewer seeds
  than the others, a sweep run with a single seed;
- legends sit outside the axes, never on the data.

The functions return the figure; ``report.py`` saves it. Numbers come from
``stats.mean_std``, as in the tables.
"""

import textwrap
from collections import defaultdict

import numpy as np
from stats import mean_std

_MARKERS = "osD^vP<>Xh"
_LINESTYLES = ["-", "--", "-.", ":"]


def method_styles(methods):
    """One (colour, marker, line style) per method, the same in every figure."""
    return {
        method: dict(
            color=f"C{i % 10}",
            marker=_MARKERS[i % len(_MARKERS)],
            linestyle=_LINESTYLES[i % len(_LINESTYLES)],
        )
        for i, method in enumerate(methods)
    }


def _ok(runs):
    return [r for r in runs if r["status"] == "ok"]


def _first_error(runs):
    errors = [r.get("error", "") for r in runs if r["status"] != "ok"]
    return errors[0] if errors else ""


def _axis_floor(values, step=5):
    """A round lower limit a little under the lowest value (0 at most)."""
    if not values:
        return 0.0
    return max(0.0, float(np.floor((min(values) - 3) / step) * step))


def bars(runs_by_cell, experiments, methods, styles, plt):
    """Mean task accuracy of every method on every fixed dataset.

    ``runs_by_cell[(experiment, method)]`` lists the runs (any status); a
    missing key means the method was not run on that dataset.
    """
    fig, ax = plt.subplots(figsize=(max(7, 2.6 * len(experiments)), 4.2))
    width = 0.8 / len(methods)
    lows = []
    absent = []  # (x, text) written at the foot of the empty bar slots
    for j, method in enumerate(methods):
        xs = np.arange(len(experiments)) + (j - (len(methods) - 1) / 2) * width
        for x, exp in zip(xs, experiments):
            runs = runs_by_cell.get((exp, method))
            values = [100 * r["mean_task_accuracy"] for r in _ok(runs or [])]
            if not values:
                absent.append((x, "not run" if runs is None else "failed"))
                continue
            mean, std = mean_std(values)
            ax.bar(
                x,
                mean,
                width,
                yerr=std if np.isfinite(std) else None,
                capsize=2,
                color=styles[method]["color"],
            )
            ax.plot([x] * len(values), values, ".", color="black", ms=3, zorder=3)
            lows += values
    low = _axis_floor(lows)
    for x, text in absent:
        ax.text(x, low + 0.5, text, rotation=90, ha="center", va="bottom", fontsize=7)
    ax.set_ylim(low, 100)
    ax.set_xticks(np.arange(len(experiments)), experiments)
    ylabel = "mean task accuracy (%)"
    if low > 0:
        ylabel += f"\naxis starts at {low:.0f}%, not 0"
    ax.set_ylabel(ylabel)
    ax.set_title(
        "Accuracy by method and dataset: mean and sample std over seeds "
        "(bars, whiskers), each seed (dots)",
        fontsize=9,
    )
    handles = [plt.Rectangle((0, 0), 1, 1, color=styles[m]["color"]) for m in methods]
    ax.legend(handles, methods, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(axis="y", alpha=0.3)
    return fig


def _offsets(n, span, logx):
    """Sideways shifts of n series: a fraction of the axis span, or a ratio."""
    centred = np.arange(n) - (n - 1) / 2
    if logx:
        return [("mul", 10 ** (0.015 * c)) for c in centred]
    return [("add", 0.01 * span * c) for c in centred]


def _shift(xs, offset):
    kind, value = offset
    return [x * value if kind == "mul" else x + value for x in xs]


def _summary(values, timing):
    """The point and its (lower, upper) whisker lengths."""
    values = np.asarray(values, dtype=float)
    if timing:
        mid = float(np.median(values))
        return mid, (mid - values.min(), values.max() - mid)
    mean, std = mean_std(values)
    std = std if np.isfinite(std) else 0.0
    return mean, (std, std)


def _panel_cells(recs, methods, missing, x_of):
    """``cells[method][x]`` = runs of one panel, and the seeds a point should have."""
    cells = defaultdict(lambda: defaultdict(list))
    for r in recs:
        if r["method"] in methods and r["setting"].get("missing_rate", 0.0) == missing:
            cells[r["method"]][x_of(r)].append(r)
    expected = max((len(v) for c in cells.values() for v in c.values()), default=0)
    return cells, expected


def _draw_series(ax, cells, methods, styles, offsets, metric, expected):
    """Draw each method's points; return the notes on what is absent."""
    timing = metric == "fit_time_s"
    scale = 1 if timing else 100
    notes = []
    for method, offset in zip(methods, offsets):
        by_x = cells.get(method, {})
        xs = sorted(x for x in by_x if _ok(by_x[x]))
        failed = sorted(x for x in by_x if not _ok(by_x[x]))
        if failed:
            reason = _first_error([r for x in failed for r in by_x[x]])
            where = ", ".join(f"{x:g}" for x in failed)
            notes.append(f"{method}: no point at {where} (every run failed: {reason})")
        if not xs:
            continue
        points = [
            _summary([scale * r[metric] for r in _ok(by_x[x])], timing) for x in xs
        ]
        shifted = _shift(xs, offset)
        lower = [w[0] for _, w in points]
        upper = [w[1] for _, w in points]
        ax.errorbar(
            shifted,
            [p for p, _ in points],
            yerr=[lower, upper],
            capsize=2,
            ms=5,
            alpha=0.9,
            label=method,
            **styles[method],
        )
        for x, (p, _), x_key in zip(shifted, points, xs):
            n_ok = len(_ok(by_x[x_key]))
            if n_ok < expected:
                ax.annotate(
                    f"{n_ok}/{expected} seeds",
                    (x, p),
                    textcoords="offset points",
                    xytext=(4, 4),
                    fontsize=7,
                    color=styles[method]["color"],
                )
    return notes


def sweep(records, experiment, x_of, methods_order, styles, plt, **kw):
    """Accuracy (or fit time) against a swept setting, one panel per missing rate.

    Keyword arguments: ``metric`` (``"mean_task_accuracy"``, the default, or
    ``"fit_time_s"``), ``xlabel``, ``logx`` and ``note`` (a sentence above
    the panels).
    """
    metric = kw.get("metric", "mean_task_accuracy")
    logx, timing = kw.get("logx", False), metric == "fit_time_s"
    recs = [r for r in records if r["experiment"] == experiment]
    if not any(r["status"] == "ok" for r in recs):
        return None
    methods = [m for m in methods_order if any(r["method"] == m for r in recs)]
    panels = sorted({r["setting"].get("missing_rate", 0.0) for r in recs})
    fig, axes = plt.subplots(
        1,
        len(panels),
        figsize=(5.8 * len(panels) + 2, 4.6),
        squeeze=False,
        sharey=not timing,
    )
    all_x = sorted({x_of(r) for r in recs})
    span = (max(all_x) - min(all_x)) or 1.0
    offsets = _offsets(len(methods), span, logx)
    for ax, missing in zip(axes[0], panels):
        cells, expected = _panel_cells(recs, methods, missing, x_of)
        notes = _draw_series(ax, cells, methods, styles, offsets, metric, expected)
        if logx:
            ax.set_xscale("log")
            ax.set_xticks(all_x, [f"{x:g}" for x in all_x])
            ax.minorticks_off()
        ax.set_xlabel(kw.get("xlabel", ""))
        title = f"{experiment}, missing labels {missing:.0%}"
        if expected == 1:
            title += "\n1 seed per point: single runs, no spread shown"
        ax.set_title(title, fontsize=9)
        ax.grid(alpha=0.3)
        if timing:
            ax.set_ylim(bottom=0)
        if notes:
            text = "\n".join(textwrap.fill(n, 80) for n in notes)
            ax.text(0, -0.2, text, transform=ax.transAxes, va="top", fontsize=7)
    axes[0][0].set_ylabel(_sweep_ylabel(axes[0][0], timing, expected))
    # Every method in the legend, including one drawn in a single panel.
    entries = {}
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    ordered = [m for m in methods if m in entries]
    axes[0][-1].legend(
        [entries[m] for m in ordered],
        ordered,
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    if kw.get("note"):
        fig.suptitle(kw["note"], fontsize=8, y=0.995)
    return fig


def _sweep_ylabel(ax, timing, n_seeds):
    if timing:
        return f"fit time (s)\nmedian, whiskers min-max over {n_seeds} seed(s)"
    label = "mean task accuracy (%)\nmean +- sample std over seeds"
    low = ax.get_ylim()[0]
    if low > 0:
        label += f"; axis starts at {low:.0f}%"
    return label
