"""Below the majority class: every method's count, and where sklmtl's falls.

Part of ``heldout_report.py`` (numpy only): from the cached records alone,
each classification (task, split) pair of a table is compared with the
majority-class reference (``DummyClassifier``, the training rows' most
frequent class) on the same labelled test cells. A pair is *below* when a
method's accuracy there is lower than the reference's; a margin is that
accuracy minus the reference's, in points.

What the records hold per pair: each method's accuracy, the reference's
accuracy (the test share of the training majority class: how unbalanced the
task is), the labelled test cells of the task (fewer than the test rows where
labels are missing) and the training rows.
"""

import numpy as np

SKLMTL = "sklmtl default"
MAJORITY = "majority (reference)"
#: Methods that are not per-task peers (the report's own list).
NOT_PEERS = {SKLMTL, "sklmtl before", MAJORITY}
#: A margin this small (points) is rounding, not below.
TOL = 1e-10
#: Points within which a pair counts as "just" below.
NEAR = 1.0
#: A task is unbalanced when its majority class holds at least this share (%).
UNBALANCED = 80.0
#: A table is very small under this many training rows.
VERY_SMALL = 500


def pairs(methods, regression):
    """Every classification (task, split) pair of one table.

    Parameters
    ----------
    methods : dict
        ``{method: [record per split]}``, the splits in the same order for
        every method (``heldout_report.table_summary``'s).
    regression : iterable of str
        The table's regression tasks, left out.

    Returns
    -------
    list of dict
        ``task``, ``seed``, ``majority`` (the reference's accuracy, %),
        ``labelled`` (labelled test cells over test rows, None when not
        recorded), ``n_train`` and ``margin`` (``{method: points}``).

    Examples
    --------
    >>> base = {"seed": 0, "n_train": 9, "task_scores": {"a": 0.7, "r": 0.1}}
    >>> ours = {**base, "task_scores": {"a": 0.6, "r": 0.5}}
    >>> out = pairs({MAJORITY: [base], SKLMTL: [ours]}, {"r"})
    >>> [(p["task"], round(p["margin"][SKLMTL], 1)) for p in out]
    [('a', -10.0)]
    """
    if MAJORITY not in methods:
        return []
    out = []
    for i, base in enumerate(methods[MAJORITY]):
        cells = base.get("labelled_test_cells", {})
        for task, reference in base["task_scores"].items():
            if task in regression:
                continue
            out.append(
                {
                    "task": task,
                    "seed": base["seed"],
                    "majority": 100 * reference,
                    "labelled": (
                        cells[task] / base["n_test"] if task in cells else None
                    ),
                    "n_train": base["n_train"],
                    "margin": {
                        m: 100 * (rows[i]["task_scores"][task] - reference)
                        for m, rows in methods.items()
                        if m != MAJORITY
                    },
                }
            )
    return out


def counts(table_pairs):
    """Per method: pairs, pairs below the reference, and below by over ``NEAR``."""
    out = {}
    for p in table_pairs:
        for method, margin in p["margin"].items():
            c = out.setdefault(method, {"pairs": 0, "below": 0, "below_far": 0})
            c["pairs"] += 1
            c["below"] += int(margin < -TOL)
            c["below_far"] += int(margin < -NEAR)
    return out


def set_counts(tables):
    """Per method over a set: its counts, and sklmtl's on the same tables.

    ``tables`` are table summaries holding ``below_majority_by_method``.
    """
    out = {}
    for t in tables:
        by_method = t.get("below_majority_by_method") or {}
        ours = by_method.get(SKLMTL)
        for method, c in by_method.items():
            total = out.setdefault(
                method,
                {"pairs": 0, "below": 0, "below_far": 0, "sklmtl_below": 0},
            )
            for key in ("pairs", "below", "below_far"):
                total[key] += c[key]
            total["sklmtl_below"] += ours["below"] if ours else 0
    for total in out.values():
        total["share"] = total["below"] / total["pairs"] if total["pairs"] else None
    return out


def diagnosis(tables):
    """Where the sklmtl default is below the reference in one set of tables.

    Returns ``{"summary": {...}, "tasks": [...]}``: counts over the pairs
    below (how far, whether peers are below on the same pair, how
    unbalanced, labels missing, training rows) and one row per (table, task)
    below on at least one split.
    """
    below, every_pair, tasks = [], [], []
    for t in tables:
        for task, group in _by_task(t.get("majority_pairs") or []).items():
            every_pair += group
            hit = [p for p in group if p["margin"].get(SKLMTL, 0.0) < -TOL]
            row = _task_row(t["table"], task, group, hit)
            best = row["best_peer_margin"]
            # No signal: no peer beats the majority class by NEAR on average.
            below += [{**p, "signal": best is not None and best > NEAR} for p in hit]
            if hit:
                tasks.append(row)
    summary = {
        "pairs": len(every_pair),
        "below": len(below),
        "near": sum(p["margin"][SKLMTL] >= -NEAR for p in below),
        "far": sum(p["margin"][SKLMTL] < -NEAR for p in below),
        "no_peer_below": sum(_peers_below(p)[0] == 0 for p in below),
        "some_peer_below": sum(_peers_below(p)[0] > 0 for p in below),
        "every_peer_below": sum(
            _peers_below(p)[0] == _peers_below(p)[1] > 0 for p in below
        ),
        "unbalanced": sum(p["majority"] >= UNBALANCED for p in below),
        "unbalanced_all": sum(p["majority"] >= UNBALANCED for p in every_pair),
        "missing_labels": sum(_missing(p) for p in below),
        "missing_labels_all": sum(_missing(p) for p in every_pair),
        "signal": sum(p["signal"] for p in below),
        "no_signal": sum(not p["signal"] for p in below),
        "no_signal_far": sum(
            not p["signal"] and p["margin"][SKLMTL] < -NEAR for p in below
        ),
        "very_small": sum(p["n_train"] < VERY_SMALL for p in below),
        "very_small_all": sum(p["n_train"] < VERY_SMALL for p in every_pair),
    }
    tasks.sort(key=lambda r: r["mean_margin"])
    return {"summary": summary, "tasks": tasks}


def _summary_sentence(name, s):
    """One generated paragraph: how the pairs below split by cause."""

    def split(key, yes, no):
        k, n = s[key], s[key + "_all"]
        return (
            f"{yes}: {_share(k, n)} below, {no}: "
            f"{_share(s['below'] - k, s['pairs'] - n)}"
        )

    return (
        f"- {name}: {s['below']} of {s['pairs']} pairs below, {s['near']} of "
        f"them within {NEAR:g} point. {s['no_signal']} are on tasks where no "
        f"per-task peer beats the majority class by {NEAR:g} point on average "
        f"(little signal: {s['no_signal_far']} of them by more than {NEAR:g} "
        f"point), {s['signal']} on tasks where a peer does (signal sklmtl "
        f"misses). Pairs "
        + "; ".join(
            [
                split(
                    "very_small",
                    f"under {VERY_SMALL} training rows",
                    f"{VERY_SMALL} or more",
                ),
                split("missing_labels", "tasks with missing labels", "without"),
                split(
                    "unbalanced",
                    f"majority class {UNBALANCED:g}% or more",
                    "less",
                ),
            ]
        )
        + "."
    )


def _by_task(table_pairs):
    out = {}
    for p in table_pairs:
        out.setdefault(p["task"], []).append(p)
    return out


def _missing(p):
    return p["labelled"] is not None and p["labelled"] < 1.0


def _peers_below(p):
    """(peers below the reference on this pair, peers that ran on it)."""
    peers = [m for m in p["margin"] if m not in NOT_PEERS]
    return sum(p["margin"][m] < -TOL for m in peers), len(peers)


def _task_row(table, task, group, hit):
    ours = np.array([p["margin"][SKLMTL] for p in group])
    peers = [m for m in group[0]["margin"] if m not in NOT_PEERS]
    peer_means = {m: np.mean([p["margin"][m] for p in group]) for m in peers}
    best = max(peer_means, key=peer_means.get) if peers else None
    below_peers = [_peers_below(p) for p in hit]
    labelled = [p["labelled"] for p in group if p["labelled"] is not None]
    return {
        "table": table,
        "task": task,
        "n_train": group[0]["n_train"],
        "majority": float(np.mean([p["majority"] for p in group])),
        "labelled": float(np.mean(labelled)) if labelled else None,
        "splits": len(group),
        "splits_below": len(hit),
        "mean_margin": float(ours.mean()),
        "worst_margin": float(ours.min()),
        "peer_pairs_below": sum(b for b, _ in below_peers),
        "peer_pairs": sum(n for _, n in below_peers),
        "best_peer": best,
        "best_peer_margin": float(peer_means[best]) if best else None,
    }


def _share(k, n):
    return f"{k} of {n}" + (f" ({k / n:.0%})" if n else "")


def render(held, dev, held_counts, dev_counts):
    """The report's sections on the majority class (markdown lines)."""
    lines = [
        "",
        "## Below the majority class, every method",
        "",
        "A (task, split) pair is below when the method's accuracy on the task's "
        "labelled test cells is lower than the majority class's (the training "
        "rows' most frequent class, `DummyClassifier`) on the same cells; "
        "classification tasks only. *Same pairs*: the sklmtl default on the "
        "tables where that method ran (TabM-D ran on four).",
        "",
        "| method | held-out: below | by more than 1 point | sklmtl default, "
        "same pairs | development: below | by more than 1 point | sklmtl "
        "default, same pairs |",
        "|---|---|---|---|---|---|---|",
    ]
    methods = [m for m in [*held_counts, *dev_counts] if m != MAJORITY]
    for method in dict.fromkeys(methods):
        cells = []
        for c in (held_counts.get(method), dev_counts.get(method)):
            if c is None or not c["pairs"]:
                cells += ["n/a", "n/a", "n/a"]
                continue
            cells += [
                _share(c["below"], c["pairs"]),
                str(c["below_far"]),
                _share(c["sklmtl_below"], c["pairs"]),
            ]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    lines += _per_table(held, dev, methods)
    lines += _diagnosis_lines(held, dev)
    return lines


def _per_table(held, dev, methods):
    methods = list(dict.fromkeys(methods))
    short = [m.replace(" per task", "") for m in methods]
    lines = [
        "",
        "Pairs below the majority class per table (of the pairs in the second "
        "column; empty: the method did not run there):",
        "",
        "| table | pairs | " + " | ".join(short) + " |",
        "|---|---|" + "---|" * len(methods),
    ]
    for t in [*held, *dev]:
        c = t.get("below_majority_by_method") or {}
        n = c[SKLMTL]["pairs"] if SKLMTL in c else 0
        if not n:
            continue
        cells = [str(c[m]["below"]) if m in c else "" for m in methods]
        lines.append(f"| {t['table']} | {n} | " + " | ".join(cells) + " |")
    return lines


def _diagnosis_lines(held, dev):
    lines = [
        "",
        "## Where the sklmtl default is below the majority class",
        "",
        f"Near: within {NEAR:g} point of the majority class; *peer below "
        "too*: a per-task peer is below the majority class on the same pair. "
        "Then, per set, how the pairs below split by the task's signal (the "
        "best per-task peer's mean margin), the training rows, missing labels "
        "(unlabelled test cells) and balance (the majority class's share of "
        "the test cells).",
        "",
        "| set | below | near | by more than 1 point | no peer below too "
        "| some peer below too | every peer below too |",
        "|---|---|---|---|---|---|---|",
    ]
    rows, sentences = [], []
    for name, tables in (("held-out", held), ("development", dev)):
        d = diagnosis(tables)
        s = d["summary"]
        if not s["pairs"]:
            continue
        lines.append(
            f"| {name} | {_share(s['below'], s['pairs'])} | {s['near']} | "
            f"{s['far']} | {s['no_peer_below']} | {s['some_peer_below']} | "
            f"{s['every_peer_below']} |"
        )
        rows += [(name, r) for r in d["tasks"]]
        sentences.append(_summary_sentence(name, s))
    lines += ["", *sentences]
    lines += [
        "",
        "Tasks below on at least one split, lowest mean margin first (margin: "
        "accuracy minus the majority class's, points, over every split; peer "
        "pairs below: on the splits where sklmtl is below, the peers' pairs "
        "below too, of the peers' pairs):",
        "",
        "| set | table | task | train rows | majority class % | labelled test "
        "cells | splits below | sklmtl margin: mean, worst | peer pairs below "
        "| best peer: mean margin |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in rows:
        labelled = "n/a" if r["labelled"] is None else f"{r['labelled']:.0%}"
        best = (
            "n/a"
            if r["best_peer"] is None
            else f"{r['best_peer'].replace(' per task', '')}: "
            f"{r['best_peer_margin']:+.1f}"
        )
        lines.append(
            f"| {name} | {r['table']} | {r['task']} | {r['n_train']} | "
            f"{r['majority']:.1f} | {labelled} | {r['splits_below']} of "
            f"{r['splits']} | {r['mean_margin']:+.1f}, {r['worst_margin']:+.1f} | "
            f"{r['peer_pairs_below']} of {r['peer_pairs']} | {best} |"
        )
    return lines
