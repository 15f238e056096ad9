"""The benchmark suite runs end to end (the tiny suite: seconds, not a timing)."""

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_tiny_suite_writes_json_report_and_plots(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("mlxtend")
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--suite",
            "tiny",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"\[\s*1/\d+", done.stdout)  # the progress display
    payload = json.loads((tmp_path / "results.json").read_text())
    records = payload["records"]
    assert {"torch", "scikit-learn", "sklmtl"} <= set(payload["versions"])
    experiments = {r["experiment"] for r in records}
    assert "generator: relatedness" in experiments
    ok = [r for r in records if r["status"] == "ok"]
    for r in ok:
        assert 0.0 <= r["mean_task_accuracy"] <= 1.0
        # Per-task scores keyed by task name (the generator's columns: task_0...).
        assert list(r["per_task_accuracy"]) == list(r["per_task_macro_f1"])
        assert all(name.startswith("task_") for name in r["per_task_accuracy"])
        assert r["parameters"] > 0 or r["support_vectors"] > 0
    # The powerset cannot fit when every row misses a label: recorded, not hidden.
    failed = [r for r in records if r["status"] == "failed"]
    assert failed and all("missing" in r["error"] for r in failed)
    report = (tmp_path / "report.md").read_text()
    assert "## Mean task accuracy" in report and "(1 failed)" in report
    for name in [
        "accuracy_by_method",
        "accuracy_vs_training_size",
        "accuracy_vs_relatedness",
        "fit_time_vs_tasks",
    ]:
        png = tmp_path / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"({name}.png)" in report


def test_report_rebuilds_from_json_alone(tmp_path):
    pytest.importorskip("matplotlib")
    records = [
        {
            "experiment": "toy",
            "dataset": "toy",
            "setting": {},
            "method": m,
            "seed": s,
            "n_train": 10,
            "n_test": 10,
            "status": "ok",
            "per_task_accuracy": [acc],
            "per_task_macro_f1": [acc],
            "mean_task_accuracy": acc,
            "subset_accuracy": acc,
            "fit_time_s": 1.0,
            "predict_time_s": 0.1,
            "epochs": [],
            "parameters": 5,
            "support_vectors": 0,
        }
        for m, s, acc in [("a", 0, 0.5), ("a", 1, 0.7), ("b", 0, 0.9)]
    ]
    path = tmp_path / "results.json"
    path.write_text(
        json.dumps(
            {
                "dataset": "toy",
                "versions": {"torch": "x"},
                "machine": {"platform": "p", "torch_threads": 1},
                "records": records,
            }
        )
    )
    report = _import_benchmark("report")
    text = report.build(path).read_text()
    # Sample standard deviation of 50 and 70 (ddof=1), and the best mean bold.
    assert "| toy | 60.0 +- 14.1 | **90.0** |" in text
    assert (tmp_path / "accuracy_by_method.png").exists()


def _import_benchmark(name):
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_stats_use_the_sample_std_and_bold_every_tied_best():
    stats = _import_benchmark("stats")
    assert stats.fmt_stat([0.5, 0.7], 100) == "60.0 +- 14.1"
    assert stats.fmt_stat([0.5]) == "0.5" and stats.fmt_stat([]) == "n/a"
    cells = ["a", "b", "c", ""]
    assert stats.bold_best(cells, [1.04, 0.9, 1.0, float("nan")]) == [
        "**a**",
        "b",
        "**c**",  # 1.04 and 1.0 both show as 1.0
        "",
    ]
    assert stats.bold_best(cells, [3.0, 2.0, 5.0, float("nan")], 1, False)[1] == "**b**"


def test_weightings_table_bolds_the_best_of_each_column():
    weightings = _import_benchmark("weightings")
    records = [
        {
            "weighting": w,
            "seed": s,
            "mean_task_accuracy": acc,
            "subset_accuracy": sub,
            "fit_time_s": t,
            "epochs": 10,
        }
        for w, s, acc, sub, t in [
            ("equal", 0, 0.90, 0.80, 2.0),
            ("equal", 1, 0.92, 0.82, 2.2),
            ("dwa", 0, 0.95, 0.70, 1.0),
            ("dwa", 1, 0.97, 0.72, 1.4),
        ]
    ]
    rows = weightings.make_table(records).splitlines()[2:]
    assert (
        rows[0] == "| equal | 91.0 +- 1.4 | **81.0 +- 1.4** | 2.10 +- 0.14 | 10 +- 0 |"
    )
    assert (
        rows[1]
        == "| dwa | **96.0 +- 1.4** | 71.0 +- 1.4 | **1.20 +- 0.28** | 10 +- 0 |"
    )


def test_stratification_benchmark_writes_json_table_and_plot(tmp_path):
    pytest.importorskip("matplotlib")
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "stratification.py"),
            "--datasets",
            "generator-multiclass",
            "--seeds",
            "0",
            "1",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records = json.loads((tmp_path / "results.json").read_text())["records"]
    assert {r["splitter"] for r in records} == {
        "KFold(shuffle=True)",
        "MultiTaskStratifiedKFold",
    }
    assert len(records) == 4
    by_seed = {}
    for r in records:
        assert 0 < r["max_proportion_deviation"] < 1
        assert sum(r["fold_sizes"]) == r["n_samples"] == 1000
        by_seed.setdefault(r["seed"], {})[r["splitter"]] = r["max_proportion_deviation"]
    for pair in by_seed.values():
        assert pair["MultiTaskStratifiedKFold"] * 2 <= pair["KFold(shuffle=True)"]
    table = (tmp_path / "table.md").read_text()
    assert "| generator-multiclass | 1000 x 4 |" in table
    assert (tmp_path / "deviation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_help_lists_every_suite_with_its_contents_and_duration():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    suites = _import_benchmark("suites")
    for name, suite in suites.SUITES.items():
        line = next(ln for ln in done.stdout.splitlines() if ln.startswith(f"{name}:"))
        assert f"{len(suite.runs())} runs" in line and "min" in line
        for exp in suite.experiments:
            assert f"  - {exp.name}" in done.stdout
