"""The held-out report: built from the cached results of ``heldout_suite.py`` alone.

Usage::

    python benchmarks/heldout_report.py [--out DIR]

Reads ``DIR/cache/*.json`` (default ``benchmarks/results/heldout``) and
writes ``DIR/report.md``, ``DIR/report.json`` and ``DIR/heldout_gaps.png``.
Nothing in the report is typed in: every number is computed here from the
records.

A table's score is the mean over its tasks of accuracy (classification) or
R² (regression), each on its labelled test cells, in points (x 100). Per
table: each method's mean and sample standard deviation over splits; the
sklmtl default's paired difference (same split) to the best per-task peer
(the peer with the highest mean on that table among those that ran on every
split), to logistic regression per task (Ridge for regression tasks) and to
RealMLP-TD per task; and the fit-time ratio to RealMLP-TD. The targets of
issue 24 are then checked on the held-out tables and the same figures shown
for the development tables, with the difference between the two.
"""

import argparse
import json
from pathlib import Path

import heldout_majority
import numpy as np
from realdata import DEVELOPMENT, HELD_OUT, TABLES
from stats import fmt_stat, mean_std

SKLMTL = "sklmtl default"
BEFORE = "sklmtl before"
MAJORITY = "majority (reference)"
LINEAR = "LogReg per task"
REALMLP = "RealMLP-TD per task"
#: Methods that are not per-task peers.
NOT_PEERS = {SKLMTL, BEFORE, MAJORITY}
#: Points within which a gap counts as level (issue 24's targets).
LEVEL = 0.5
#: Largest share of (task, split) pairs below the majority class (issue 24).
MAJORITY_SHARE = 0.02
#: Largest fit-time ratio to RealMLP-TD (issue 24: a tenth).
TIME_RATIO = 0.1
#: A table is small when it has fewer training rows than this.
SMALL = 1_000


def load(out_dir):
    """Every cached record, ``{method: {(table, seed): record}}``."""
    out = {}
    for path in sorted((Path(out_dir) / "cache").glob("*.json")):
        for record in json.loads(path.read_text()).values():
            key = (record["table"], record["seed"])
            out.setdefault(record["method"], {})[key] = record
    return out


def _ok(records, method, table, seeds):
    rows = [records.get(method, {}).get((table, s)) for s in seeds]
    if any(r is None or r["status"] != "ok" for r in rows):
        return None
    return rows


def _scores(rows):
    return np.array([100 * r["mean_task_score"] for r in rows])


def table_summary(records, table):
    """Per-method scores and the sklmtl default's paired gaps on one table."""
    seeds = sorted({s for (t, s) in records.get(SKLMTL, {}) if t == table})
    if not seeds or _ok(records, SKLMTL, table, seeds) is None:
        return None
    methods = {}
    for method in records:
        rows = _ok(records, method, table, seeds)
        if rows is not None:
            methods[method] = rows
    peers = [m for m in methods if m not in NOT_PEERS]
    ours = _scores(methods[SKLMTL])
    best = max(peers, key=lambda m: _scores(methods[m]).mean()) if peers else None

    def gap(method):
        if method not in methods:
            return None
        diff = ours - _scores(methods[method])
        mean, std = mean_std(diff)
        return {"mean": mean, "std": std, "by_split": diff.tolist()}

    def fit_time(method):
        return float(np.mean([r["fit_time_s"] for r in methods[method]]))

    out = {
        "table": table,
        "seeds": seeds,
        "n_train": methods[SKLMTL][0]["n_train"],
        "kind": TABLES[table].kind,
        "multilabel": TABLES[table].multilabel,
        "missing_labels": TABLES[table].missing_labels,
        "scores": {
            m: dict(zip(("mean", "std"), mean_std(_scores(rows))))
            for m, rows in methods.items()
        },
        "fit_time_s": {m: fit_time(m) for m in methods},
        "peers": peers,
        "best_peer": best,
        "gap_best_peer": gap(best) if best else None,
        "gap_linear": gap(LINEAR),
        "gap_realmlp": gap(REALMLP),
        "gap_before": gap(BEFORE),
        "time_ratio_realmlp": (
            fit_time(SKLMTL) / fit_time(REALMLP) if REALMLP in methods else None
        ),
    }
    out["majority_pairs"] = heldout_majority.pairs(methods, TABLES[table].regression)
    by_method = heldout_majority.counts(out["majority_pairs"])
    out["below_majority_by_method"] = by_method
    ours = by_method.get(SKLMTL)
    out["below_majority"] = (
        None if ours is None else {"pairs": ours["pairs"], "below": ours["below"]}
    )
    if TABLES[table].multilabel:
        out["hamming_loss"] = {
            m: float(np.mean([r["hamming_loss"] for r in rows]))
            for m, rows in methods.items()
        }
    return out


def set_summary(tables):
    """Counts and means over one set of table summaries."""
    tables = [t for t in tables if t is not None]

    def means(key):
        return np.array([t[key]["mean"] for t in tables if t[key] is not None])

    best, linear, realmlp = (
        means("gap_best_peer"),
        means("gap_linear"),
        means("gap_realmlp"),
    )
    small = [t for t in tables if t["n_train"] < SMALL and t["gap_linear"]]
    ratios = [t["time_ratio_realmlp"] for t in tables if t["time_ratio_realmlp"]]
    maj = [t["below_majority"] for t in tables if t["below_majority"]]
    pairs = sum(m["pairs"] for m in maj)
    below = sum(m["below"] for m in maj)
    return {
        "tables": len(best),
        "tables_with_sklmtl": len(tables),
        "mean_gap_best_peer": float(best.mean()) if len(best) else None,
        "ahead_best_peer": int((best > 0).sum()),
        "within_level_best_peer": int((best >= -LEVEL).sum()),
        "with_linear": len(linear),
        "mean_gap_linear": float(linear.mean()) if len(linear) else None,
        "ahead_linear": int((linear > 0).sum()),
        "small_tables": len(small),
        "small_behind_linear_by_more_than_level": int(
            sum(t["gap_linear"]["mean"] < -LEVEL for t in small)
        ),
        "with_realmlp": len(realmlp),
        "mean_gap_realmlp": float(realmlp.mean()) if len(realmlp) else None,
        "ahead_realmlp": int((realmlp > 0).sum()),
        "median_time_ratio_realmlp": float(np.median(ratios)) if ratios else None,
        "max_time_ratio_realmlp": float(np.max(ratios)) if ratios else None,
        "majority_pairs": pairs,
        "below_majority": below,
        "below_majority_share": below / pairs if pairs else None,
        "below_majority_by_method": heldout_majority.set_counts(tables),
    }


def targets(s):
    """Issue 24's targets on one set summary: ``[(target, value, met)]``."""
    n = s["tables"]
    out = [
        (
            f"within {LEVEL} points of the best per-task peer on every table",
            f"{s['within_level_best_peer']} of {n}",
            s["within_level_best_peer"] == n,
        ),
        (
            "ahead of the best per-task peer on at least half",
            f"{s['ahead_best_peer']} of {n}",
            2 * s["ahead_best_peer"] >= n,
        ),
        (
            f"no table under {SMALL:,} training rows behind LogReg per task by "
            f"more than {LEVEL}",
            f"{s['small_behind_linear_by_more_than_level']} of {s['small_tables']}",
            s["small_behind_linear_by_more_than_level"] == 0,
        ),
        (
            "ahead of RealMLP-TD per task on at least half",
            f"{s['ahead_realmlp']} of {s['with_realmlp']} (tables where it ran)",
            s["with_realmlp"] > 0 and 2 * s["ahead_realmlp"] >= s["with_realmlp"],
        ),
        (
            f"at most {TIME_RATIO:g} of RealMLP-TD's fit time (every table)",
            "n/a"
            if s["max_time_ratio_realmlp"] is None
            else f"largest {s['max_time_ratio_realmlp']:.3f}, median "
            f"{s['median_time_ratio_realmlp']:.3f}",
            s["max_time_ratio_realmlp"] is not None
            and s["max_time_ratio_realmlp"] <= TIME_RATIO,
        ),
        (
            f"below the majority class on at most {MAJORITY_SHARE:.0%} of "
            "(task, split) pairs",
            "n/a"
            if s["below_majority_share"] is None
            else f"{s['below_majority']} of {s['majority_pairs']} "
            f"({s['below_majority_share']:.1%}){_lowest_peer_share(s)}",
            s["below_majority_share"] is not None
            and s["below_majority_share"] <= MAJORITY_SHARE,
        ),
    ]
    return out


def _lowest_peer_share(s):
    """``"; lowest per-task peer: NAME x%"`` among peers that ran on every table."""
    by_method = s.get("below_majority_by_method") or {}
    full = {
        m: c["share"]
        for m, c in by_method.items()
        if m not in NOT_PEERS and c["pairs"] == s["majority_pairs"] and c["pairs"]
    }
    if not full:
        return ""
    best = min(full, key=full.get)
    return f"; lowest per-task peer: {best} {full[best]:.1%}"


def _gap(g):
    return "n/a" if g is None else fmt_stat(g["by_split"], 1, 2)


def _table_rows(summaries):
    lines = [
        "| table | train rows | tasks | sklmtl default | best peer | vs best peer "
        "| vs LogReg | vs RealMLP-TD | fit-time ratio to RealMLP-TD | "
        "below majority |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for t in summaries:
        ours = t["scores"][SKLMTL]
        best = t["best_peer"]
        peer = t["scores"][best] if best else None
        maj = t["below_majority"]
        kind = t["kind"] + (", multi-label" if t["multilabel"] else "")
        kind += ", missing labels" if t["missing_labels"] else ""
        lines.append(
            f"| {t['table']} | {t['n_train']} | {kind} | "
            f"{ours['mean']:.2f} +- {ours['std']:.2f} | "
            + (f"{best}: {peer['mean']:.2f} +- {peer['std']:.2f}" if best else "n/a")
            + f" | {_gap(t['gap_best_peer'])} | {_gap(t['gap_linear'])} | "
            f"{_gap(t['gap_realmlp'])} | "
            + (
                "n/a"
                if t["time_ratio_realmlp"] is None
                else f"{t['time_ratio_realmlp']:.3f}"
            )
            + " | "
            + ("n/a" if maj is None else f"{maj['below']} of {maj['pairs']}")
            + " |"
        )
    return lines


def _all_methods(summaries):
    methods = []
    for t in summaries:
        methods += [m for m in t["scores"] if m not in methods]
    return methods


def _method_rows(summaries):
    methods = _all_methods(summaries)
    lines = [
        "| table | " + " | ".join(methods) + " |",
        "|---|" + "---|" * len(methods),
    ]
    for t in summaries:
        cells = []
        for m in methods:
            s = t["scores"].get(m)
            cells.append(
                ""
                if s is None
                else f"{s['mean']:.2f} +- {s['std']:.2f} ({t['fit_time_s'][m]:.1f} s)"
            )
        lines.append(f"| {t['table']} | " + " | ".join(cells) + " |")
    return lines


def _time_rows(held, dev):
    """Total fit time of each method over every split of each set."""
    lines = [
        "",
        "Total fit time over every split (one thread), per set:",
        "",
        "| method | held-out tables | held-out (s) | development tables "
        "| development (s) |",
        "|---|---|---|---|---|",
    ]
    for method in _all_methods(held + dev):
        cells = []
        for summaries in (held, dev):
            ran = [t for t in summaries if method in t["fit_time_s"]]
            total = sum(t["fit_time_s"][method] * len(t["seeds"]) for t in ran)
            cells += [str(len(ran)), f"{total:,.0f}"]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return lines


def _fmt(value, spec="+.2f"):
    return "n/a" if value is None else format(value, spec)


def render(held, dev, held_set, dev_set):
    """The markdown report."""
    lines = [
        "# Held-out tables: sklmtl's defaults against per-task peers",
        "",
        "Built by `benchmarks/heldout_report.py` from the cached records of "
        "`benchmarks/heldout_suite.py` (nothing typed in). Score: the mean over "
        "a table's tasks of accuracy (classification) or R² (regression), each "
        "on its labelled test cells, in points. Gaps: the sklmtl default minus "
        "the method, paired by split, mean +- sample std over splits "
        f"({', '.join(str(s) for s in (held or dev)[0]['seeds'])}). "
        "Best peer: the per-task peer with the highest mean on that table, "
        "among those that ran on it. Fit-time ratio: the sklmtl default's mean "
        "fit time over RealMLP-TD's (one thread each).",
        "",
        f"## Targets of issue 24 on the held-out tables ({held_set['tables']} "
        f"of {len(HELD_OUT)} with peer results)",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for name, value, met in targets(held_set):
        lines.append(f"| {name} | {value} | {'met' if met else 'missed'} |")
    lines += ["", "## Held-out tables", "", *_table_rows(held)]
    lines += ["", "## Development tables (their test rows, same protocol)", ""]
    lines += _table_rows(dev)
    lines += [
        "",
        "## Development against held-out",
        "",
        "| figure | development | held-out | held-out minus development |",
        "|---|---|---|---|",
    ]
    for key, label in [
        ("mean_gap_best_peer", "mean gap to the best per-task peer"),
        ("mean_gap_linear", "mean gap to LogReg per task"),
        ("mean_gap_realmlp", "mean gap to RealMLP-TD per task"),
    ]:
        d, h = dev_set[key], held_set[key]
        diff = None if d is None or h is None else h - d
        lines.append(f"| {label} | {_fmt(d)} | {_fmt(h)} | {_fmt(diff)} |")
    for key, label in [
        ("ahead_best_peer", "tables ahead of the best peer"),
        ("within_level_best_peer", f"tables within {LEVEL} of the best peer"),
        ("ahead_linear", "tables ahead of LogReg per task"),
    ]:
        total = "with_linear" if key == "ahead_linear" else "tables"
        lines.append(
            f"| {label} | {dev_set[key]} of {dev_set[total]} | "
            f"{held_set[key]} of {held_set[total]} | |"
        )
    lines.append(
        f"| tables ahead of RealMLP-TD per task | {dev_set['ahead_realmlp']} of "
        f"{dev_set['with_realmlp']} | {held_set['ahead_realmlp']} of "
        f"{held_set['with_realmlp']} | |"
    )
    d, h = dev_set["below_majority_share"], held_set["below_majority_share"]
    lines.append(
        f"| share of (task, split) pairs below the majority class | "
        f"{_fmt(d, '.1%')} | {_fmt(h, '.1%')} | |"
    )
    lines += heldout_majority.render(
        held,
        dev,
        held_set["below_majority_by_method"],
        dev_set["below_majority_by_method"],
    )
    before = [t for t in held + dev if t["gap_before"] is not None]
    if before:
        lines += [
            "",
            "## The current default against the first run on this suite",
            "",
            "`sklmtl before`: the default as first run here (frozen with "
            "`--freeze-before`); gap: current minus before, paired by split.",
            "",
            "| table | set | gap to before |",
            "|---|---|---|",
        ]
        for t in before:
            which = "held-out" if t["table"] in HELD_OUT else "development"
            lines.append(f"| {t['table']} | {which} | {_gap(t['gap_before'])} |")
    multilabel = [t for t in held + dev if t["multilabel"]]
    if multilabel:
        lines += [
            "",
            "## Multi-label tables: Hamming loss (lower is better)",
            "",
            "| table | sklmtl default | best per-task peer by Hamming loss |",
            "|---|---|---|",
        ]
        for t in multilabel:
            peers = {m: v for m, v in t["hamming_loss"].items() if m in t["peers"]}
            best = min(peers, key=peers.get) if peers else None
            lines.append(
                f"| {t['table']} | {t['hamming_loss'][SKLMTL]:.4f} | "
                + (f"{best}: {peers[best]:.4f}" if best else "n/a")
                + " |"
            )
    lines += [
        "",
        "## Every method (mean +- std over splits, mean fit time)",
        "",
        *_method_rows(held + dev),
        "",
        *_time_rows(held, dev),
        "",
        "TabM-D runs on tables under 500 training rows only (the suite's rule, "
        "`heldout_suite.TABM_MAX_TRAIN`); where a method did not run (or has not "
        "yet), its cell is empty and it does not count as a peer.",
    ]
    failed = [t["table"] for t in held + dev if t["gap_best_peer"] is None]
    if failed:
        lines.append(f"\nNo peer result yet on: {', '.join(failed)}.")
    return "\n".join(lines) + "\n"


def plot(held, dev, path):
    """Paired gaps to the best peer and to LogReg per table, both sets."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 6), sharex=True)
    for ax, summaries, title in [
        (axes[0], held, "held-out tables"),
        (axes[1], dev, "development tables (test rows)"),
    ]:
        names = [t["table"] for t in summaries]
        y = np.arange(len(names))
        for offset, key, label in [
            (-0.2, "gap_best_peer", "vs best per-task peer"),
            (0.2, "gap_linear", "vs LogReg per task"),
        ]:
            gaps = [t[key] for t in summaries]
            ax.barh(
                y + offset,
                [np.nan if g is None else g["mean"] for g in gaps],
                height=0.4,
                xerr=[0 if g is None or np.isnan(g["std"]) else g["std"] for g in gaps],
                label=label,
            )
        ax.axvline(0, color="black", lw=0.8)
        ax.axvline(-LEVEL, color="grey", lw=0.8, ls="--")
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_title(title)
        ax.set_xlabel("sklmtl default minus peer (points, mean +- std over splits)")
    axes[0].legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _lean(summaries):
    """Table summaries without their per-pair margins (the diagnosis has them)."""
    return [{k: v for k, v in t.items() if k != "majority_pairs"} for t in summaries]


def build(out_dir):
    """Write ``report.md``, ``report.json`` and ``heldout_gaps.png``; return the first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     (pathlib.Path(d) / "cache").mkdir()
    ...     build(d).name
    'report.md'
    """
    out_dir = Path(out_dir)
    records = load(out_dir)
    held = [s for s in (table_summary(records, t) for t in HELD_OUT) if s]
    dev = [s for s in (table_summary(records, t) for t in DEVELOPMENT) if s]
    held_set, dev_set = set_summary(held), set_summary(dev)
    md = out_dir / "report.md"
    if not held and not dev:
        md.write_text("# Held-out tables\n\nNo sklmtl default results yet.\n")
        return md
    md.write_text(render(held, dev, held_set, dev_set))
    payload = {
        "held_out": {"tables": _lean(held), "summary": held_set},
        "development": {"tables": _lean(dev), "summary": dev_set},
        "majority_diagnosis": {
            "held_out": heldout_majority.diagnosis(held),
            "development": heldout_majority.diagnosis(dev),
        },
        "targets": [
            {"target": n, "measured": v, "met": bool(m)}
            for n, v, m in targets(held_set)
        ],
    }
    (out_dir / "report.json").write_text(json.dumps(payload, indent=1))
    plot(held, dev, out_dir / "heldout_gaps.png")
    return md


def main(argv=None):
    """Command line: rebuild the report from the cache."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out_dir = args.out or Path(__file__).parent / "results" / "heldout"
    print(build(out_dir).read_text())


if __name__ == "__main__":
    main()
