"""The benchmark suite runs end to end (the tiny suite: seconds, not a timing)."""

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
        assert len(r["per_task_accuracy"]) == len(r["per_task_macro_f1"])
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
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import report
    finally:
        sys.path.remove(str(BENCHMARKS))
    text = report.build(path).read_text()
    assert "| toy | 60.0 +- 10.0 | 90.0 |" in text
    assert (tmp_path / "accuracy_by_method.png").exists()


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
