"""The benchmark suite: datasets x methods x seeds -> metrics, JSON and a report.

Usage::

    python benchmarks/run.py [--suite quick|full|tiny] [--seeds 0 1 2]
                             [--threads N] [--out DIR]
                             [--experiments NAME [NAME ...]]

``--suite quick`` is the default (the README's main job), ``--suite full``
builds the committed results in ``benchmarks/results/full``, ``--suite tiny``
is what the tests run; ``--help`` lists what each suite contains and how long
it took when last timed. Each run prints a progress line;
the results go to ``DIR/results.json`` (rewritten after every run, so an
interrupted run keeps what it finished) and ``benchmarks/report.py`` turns
them into ``DIR/report.md`` and PNG plots. ``--experiments`` runs only the
named experiments of the suite (names as ``--help`` lists them), so that a
long suite can run as pieces in parallel processes; ``python
benchmarks/report.py A/results.json B/results.json --out DIR`` merges the
pieces' records into ``DIR/results.json`` and builds one report.

Methods and their shared configuration: ``benchmarks/methods.py``; datasets
and suites: ``benchmarks/suites.py``.
"""

import argparse
import functools
import time
import warnings
from pathlib import Path

import heldout_suite
import images
import mixed_suite
import real_suite
import report
import torch
from common import warm_up_torch, write_results
from methods import METHODS, epochs_trained, groups_chosen, model_size
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import f1_score
from suites import SUITES, load

from sklmtl.metrics import mean_task_accuracy, per_task_scores, subset_accuracy

_macro_f1 = functools.partial(f1_score, average="macro")


def run_one(method, setting, seed, data):
    """Fit and evaluate one method; a method that cannot fit is recorded as failed."""
    X_train, Y_train, X_test, Y_test = data
    model = METHODS[method](seed, setting)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        try:
            model.fit(X_train, Y_train)
        except ValueError as exc:
            return {"status": "failed", "error": str(exc)}
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        Y_pred = model.predict(X_test)
        predict_time = time.perf_counter() - start
    groups = groups_chosen(model)
    return {
        "status": "ok",
        **({} if groups is None else {"groups": groups}),
        "per_task_accuracy": per_task_scores(Y_test, Y_pred),
        "per_task_macro_f1": per_task_scores(Y_test, Y_pred, metric=_macro_f1),
        "mean_task_accuracy": mean_task_accuracy(Y_test, Y_pred),
        "subset_accuracy": subset_accuracy(Y_test, Y_pred),
        "fit_time_s": fit_time,
        "predict_time_s": predict_time,
        "epochs": epochs_trained(model),
        **model_size(model),
    }


def _describe(setting):
    keep = {k: v for k, v in setting.items() if k not in ("scale_nets",)}
    return ", ".join(f"{k}={v}" for k, v in keep.items()) or "-"


def run(suite_name, seeds, out_dir, threads, experiments=None):
    suite = SUITES[suite_name]
    if threads:
        torch.set_num_threads(threads)
    warm_up_torch()
    runs = suite.runs(seeds)
    if experiments:
        runs = [r for r in runs if r[0].name in experiments]
    records, cache = [], {}
    json_path = out_dir / "results.json"
    start_all = time.perf_counter()
    print(
        f"suite {suite_name!r}: {len(runs)} runs, torch threads "
        f"{torch.get_num_threads()}",
        flush=True,
    )
    for i, (exp, setting, method, seed) in enumerate(runs, 1):
        key = (exp.dataset, repr(sorted(setting.items())), seed)
        if key not in cache:
            cache.clear()  # one dataset in memory at a time
            cache[key] = load(exp.dataset, setting, seed)
        result = run_one(method, setting, seed, cache[key])
        records.append(
            {
                "experiment": exp.name,
                "dataset": exp.dataset,
                "setting": setting,
                "method": method,
                "seed": seed,
                "n_train": len(cache[key][0]),
                "n_test": len(cache[key][2]),
                **result,
            }
        )
        elapsed = time.perf_counter() - start_all
        if result["status"] == "ok":
            summary = (
                f"mean task acc {100 * result['mean_task_accuracy']:5.1f}%  "
                f"fit {result['fit_time_s']:6.1f} s"
            )
        else:
            summary = f"failed: {result['error'][:60]}"
        print(
            f"[{i:>3}/{len(runs)} {elapsed:6.0f} s] {exp.name} ({_describe(setting)}) "
            f"| {method} | seed {seed} | {summary}",
            flush=True,
        )
        # After every run, so an interrupted run keeps what it finished.
        write_results(json_path, f"suite {suite_name}", records)
    return json_path


def main(argv=None):
    suites = "\n".join(f"{name}: {SUITES[name].describe()}" for name in SUITES)
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog=(
            "suites (datasets: benchmarks/suites.py, methods: benchmarks/methods.py)"
            f":\n{suites}\n{', '.join(sorted(real_suite.SUITES))}: the real-data "
            "suite (see python benchmarks/real_suite.py --help)\n"
            f"{', '.join(sorted(mixed_suite.SUITES))}: classification and regression "
            "targets of one table (see python benchmarks/mixed_suite.py --help)\n"
            f"{', '.join(sorted(images.SUITES))}: images, a shared backbone against "
            "one per attribute and a hand-written loop (see python "
            "benchmarks/images.py --help)\n"
            "heldout: the held-out tables (realdata.HELD_OUT, never tuned on), "
            "5 splits, per-task peers incl. pytabkit's RealMLP-TD and TabM-D, "
            "cached per (table, split, method); the peers take hours on one "
            "thread (see python benchmarks/heldout_suite.py --help)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--suite",
        choices=sorted(
            [
                *SUITES,
                *real_suite.SUITES,
                *mixed_suite.SUITES,
                *images.SUITES,
                "heldout",
            ]
        ),
        default="quick",
        help="which suite to run (default quick; see below)",
    )
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=None, help="override the suite's seeds"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="torch threads (0: torch's default)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default benchmarks/results/<suite>)",
    )
    parser.add_argument(
        "--experiments",
        nargs="+",
        default=None,
        metavar="NAME",
        help="run only these experiments of the suite (names as listed below)",
    )
    args = parser.parse_args(argv)
    if args.experiments and args.suite in SUITES:
        known = [exp.name for exp in SUITES[args.suite].experiments]
        unknown = sorted(set(args.experiments) - set(known))
        if unknown:
            parser.error(
                f"suite {args.suite!r} has no experiment {', '.join(unknown)}; "
                f"it has: {', '.join(known)}"
            )
    if args.suite == "heldout":
        seeds = ["--seeds", *map(str, args.seeds)] if args.seeds else []
        out = ["--out", str(args.out)] if args.out else []
        return heldout_suite.main(["--set", "all", *seeds, *out])
    # Suites with their own runner.
    for own_runner in (real_suite, mixed_suite, images):
        if args.suite in own_runner.SUITES:
            seeds = ["--seeds", *map(str, args.seeds)] if args.seeds else []
            out = ["--out", str(args.out)] if args.out else []
            return own_runner.main(["--suite", args.suite, *seeds, *out])
    out_dir = args.out or Path(__file__).parent / "results" / args.suite
    json_path = run(args.suite, args.seeds, out_dir, args.threads, args.experiments)
    report_path = report.build(json_path, out_dir)
    print(f"\nresults: {json_path}\nreport:  {report_path}\n")
    print(report_path.read_text())


if __name__ == "__main__":
    main()
