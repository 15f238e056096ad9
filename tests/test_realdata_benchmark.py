"""The real-data suite runs end to end on its tiny setting (a smoke test)."""

import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    """The benchmark modules, imported as the scripts import each other."""
    pytest.importorskip("matplotlib")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import real_report
        import real_suite
        import realdata
    finally:
        sys.path.remove(str(BENCHMARKS))
    return realdata, real_suite, real_report


def test_tiny_suite_writes_json_report_and_plot(bench, tmp_path, capsys):
    realdata, real_suite, _ = bench
    if realdata.missing_packages(real_suite.SUITES["real-tiny"].tables):
        pytest.skip("the bench extra's data packages are not installed")
    real_suite.main(["--suite", "real-tiny", "--seeds", "0", "--out", str(tmp_path)])
    assert re.search(r"\[\s*1/18 ", capsys.readouterr().out)  # progress display
    payload = json.loads((tmp_path / "results.json").read_text())
    assert set(payload["tables"]) == {"penguins", "stackoverflow"}
    assert payload["tables"]["stackoverflow"]["tasks"] == 13
    records = payload["records"]
    assert {r["hidden_fraction"] for r in records} == {0.0, 0.5}
    # Same split for every method: one training and test size per table.
    for table in ("penguins", "stackoverflow"):
        sizes = {(r["n_train"], r["n_test"]) for r in records if r["table"] == table}
        assert len(sizes) == 1
    # The chain needs every label cell: skipped, and said so, with hidden labels.
    chain = [r for r in records if r["method"] == real_suite.CHAIN]
    assert {r["table"] for r in chain} == {"stackoverflow"}
    assert [r["status"] for r in chain if r["hidden_fraction"] == 0.5] == ["skipped"]
    ok = [r for r in records if r["status"] == "ok"]
    assert len(ok) == len(records) - 1
    for r in ok:
        assert 0.0 <= r["subset_accuracy"] <= r["mean_task_accuracy"] <= 1.0
        assert r["fit_time_s"] > 0
        if r["multilabel"]:
            # All test cells are labelled, so Hamming loss is 1 - mean accuracy.
            assert r["hamming_loss"] == pytest.approx(1 - r["mean_task_accuracy"])
            assert 0.0 <= r["micro_f1"] <= 1.0
        else:
            assert "hamming_loss" not in r
    net = [r for r in ok if r["method"] == real_suite.SKLMTL]
    assert all(r["epochs"] >= 1 for r in net)
    report = (tmp_path / "report.md").read_text()
    assert "## sklmtl defaults against the best baseline" in report
    assert "| stackoverflow | 50% hidden |" in report
    assert "### Hamming loss (lower is better)" in report
    png = tmp_path / "gap_to_best_baseline.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_methods_option_runs_grouping_and_reports_it(bench, tmp_path, capsys):
    realdata, real_suite, _ = bench
    if realdata.missing_packages(["penguins"]):
        pytest.skip("the bench extra's data packages are not installed")
    methods = [real_suite.SKLMTL, real_suite.GROUPING, "LogReg per task"]
    real_suite.main(
        ["--suite", "real-tiny", "--seeds", "0", "--tables", "penguins"]
        + ["--methods", *methods, "--out", str(tmp_path)]
    )
    assert re.search(r"\[\s*1/6 ", capsys.readouterr().out)  # 3 methods x 2 variants
    records = json.loads((tmp_path / "results.json").read_text())["records"]
    assert [r["method"] for r in records] == methods * 2
    grouping = [r for r in records if r["method"] == real_suite.GROUPING]
    for r in grouping:
        assert r["status"] == "ok"
        assert sorted(t for g in r["groups"] for t in g) == ["sex", "species"]
    report = (tmp_path / "report.md").read_text()
    assert "## Automatic task grouping" in report
    # Grouping is sklmtl's, not a baseline: the best baseline stays LogReg.
    assert "| penguins | all labels | 2 |" in report
    assert "| penguins | all labels | " in report and "| LogReg per task |" in report


def _record(method, seed, acc, table="t", fraction=0.0):
    return {
        "table": table,
        "multilabel": False,
        "hidden_fraction": fraction,
        "method": method,
        "seed": seed,
        "status": "ok",
        "mean_task_accuracy": acc,
        "subset_accuracy": acc,
        "macro_f1": acc,
        "fit_time_s": 1.0,
        "predict_time_s": 0.1,
        "epochs": 5 if method == "sklmtl default" else None,
        "warnings": {},
    }


def test_report_uses_sample_std_and_paired_gaps(bench, tmp_path):
    _, _, real_report = bench
    records = [
        _record("sklmtl default", 0, 0.5),
        _record("sklmtl default", 1, 0.7),
        _record("LogReg per task", 0, 0.6),
        _record("LogReg per task", 1, 0.7),
        _record("SVC per task", 0, 0.55),
        _record("SVC per task", 1, 0.55),
        _record("majority (reference)", 0, 0.9),  # never the best baseline
        _record("majority (reference)", 1, 0.9),
    ]
    path = tmp_path / "results.json"
    payload = {
        "dataset": "toy",
        "versions": {"torch": "x"},
        "machine": {"platform": "p", "cpu_count": 2},
        "records": records,
    }
    path.write_text(json.dumps(payload))
    text = real_report.build(path).read_text()
    # sd with ddof=1 of [50, 70] is 14.1; the gap to LogReg is [-10, 0] points.
    assert "| t | all labels | 60.0 +- 14.1 | LogReg per task | 65.0 +- 7.1 " in text
    assert "| -5.00 +- 7.07 |" in text
    assert (tmp_path / "gap_to_best_baseline.png").exists()


def test_split_and_hidden_labels_are_seeded_and_leave_inputs_alone(bench):
    _, real_suite, _ = bench
    X = pd.DataFrame({"a": np.arange(40.0), "c": ["x", "y"] * 20})
    Y = pd.DataFrame({"t": [0, 1] * 20, "u": ["p", "q", "r", "s"] * 10})
    X_before, Y_before = X.copy(), Y.copy()
    suite = real_suite.RealSuite([], max_train=20, max_test=8)
    first = real_suite.split(X, Y, 3, suite)
    again = real_suite.split(X, Y, 3, suite)
    assert [len(p) for p in first] == [20, 20, 8, 8]
    for a, b in zip(first, again):
        pd.testing.assert_frame_equal(a, b)
    # No row is both in training and in test.
    assert not set(first[0]["a"]) & set(first[2]["a"])
    hidden = real_suite.hide_labels(first[1], 0.5, 3)
    assert hidden.isna().sum().tolist() == [10, 10]
    assert all(hidden[c].nunique() >= 2 for c in hidden.columns)
    pd.testing.assert_frame_equal(X, X_before)
    pd.testing.assert_frame_equal(Y, Y_before)
    assert not first[1].isna().any().any()


def test_unknown_table_is_named(bench):
    realdata, _, _ = bench
    with pytest.raises(ValueError, match="Unknown table 'iris'"):
        realdata.load_table("iris")


def test_suites_run_development_classification_tables_only(bench):
    # The suite hides labels itself and runs classifiers: a regression table
    # or one whose labels are missing in the source stops it, and a held-out
    # table must never be run outside the held-out protocol.
    realdata, real_suite, _ = bench
    for name, suite in real_suite.SUITES.items():
        for table in suite.tables:
            info = realdata.TABLES[table]
            assert table in realdata.DEVELOPMENT, (name, table)
            assert info.kind == "classification", (name, table)
            assert not info.missing_labels, (name, table)
    assert set(real_suite.REAL_TABLES) >= {"penguins", "yeast", "diamonds"}
