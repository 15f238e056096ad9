"""The mixed suite runs end to end on its tiny setting (a smoke test)."""

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    """The benchmark modules, imported as the scripts import each other."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import mixed_suite
        import realdata
    finally:
        sys.path.remove(str(BENCHMARKS))
    return realdata, mixed_suite


def test_tiny_mixed_suite_writes_json_report_and_plot(bench, tmp_path):
    realdata, mixed_suite = bench
    if realdata.missing_packages(["penguins"]):
        pytest.skip("the bench extra's data packages are not installed")
    mixed_suite.main(["--suite", "mixed-tiny", "--seeds", "0", "--out", str(tmp_path)])
    payload = json.loads((tmp_path / "results.json").read_text())
    assert payload["tables"]["penguins"]["task_types"] == [
        "classification",
        "classification",
        "regression",
    ]
    mixed = [r for r in payload["records"] if r["part"] == "mixed"]
    assert {r["method"] for r in mixed} == {mixed_suite.NET_EQUAL, mixed_suite.HGB}
    assert len({(r["n_train"], r["n_test"]) for r in mixed}) == 1  # same split
    for r in mixed:
        assert r["status"] == "ok" and len(r["per_task"]) == 3
        assert all(0.0 <= s <= 1.0 for s in r["per_task"][:2])  # accuracies
        assert r["mean_score"] == pytest.approx(sum(r["per_task"]) / 3)
    regression = [r for r in payload["records"] if r["part"] == "regression"]
    assert {r["dataset"] for r in regression} == {"linnerud", "penguins"}
    hidden = [r for r in regression if r["missing_fraction"] > 0]
    status = {r["method"]: r["status"] for r in hidden}
    # MLPRegressor cannot train with missing cells; the net can.
    assert status[mixed_suite.REG_MLP] == "cannot train"
    assert status[mixed_suite.REG_NET] == "ok"
    report = (tmp_path / "report.md").read_text()
    assert "### penguins" in report and "cannot train" in report
    assert (tmp_path / "per_task_scores.png").stat().st_size > 0
