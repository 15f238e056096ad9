"""benchmarks/thresholds.py runs end to end on a tiny setting (a smoke test)."""

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import realdata
        import thresholds
    finally:
        sys.path.remove(str(BENCHMARKS))
    return realdata, thresholds


def test_tiny_run_writes_json_and_report(bench, tmp_path, capsys):
    realdata, thresholds = bench
    if realdata.missing_packages(["stackoverflow"]):
        pytest.skip("the bench extra's data packages are not installed")
    argv = ["--table", "stackoverflow", "--seeds", "0", "--max-train", "150"]
    argv += ["--hidden", "0.0", "0.5", "--models", "LogReg per task"]
    thresholds.main([*argv, "--out", str(tmp_path)])
    records = json.loads((tmp_path / "results.json").read_text())["records"]
    assert len(records) == 2 * len(thresholds.VARIANTS)
    assert {r["thresholds"] for r in records} == set(thresholds.VARIANTS)
    for r in records:
        assert 0.0 <= r["micro_f1"] <= 1.0 and 0.0 <= r["hamming_loss"] <= 1.0
    report = (tmp_path / "report.md").read_text()
    assert report.count("| LogReg per task |") == 2 * len(thresholds.VARIANTS)
    assert "micro-F1" in capsys.readouterr().out
