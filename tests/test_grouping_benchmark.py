"""benchmarks/grouping.py writes its JSON, table and figure, and rebuilds them."""

import importlib
import json
import sys
from pathlib import Path

import pytest


def _grouping_benchmark():
    root = Path(__file__).resolve().parents[1] / "benchmarks"
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module("grouping")
    finally:
        sys.path.remove(str(root))


def test_tiny_run_writes_json_table_and_plot(tmp_path):
    pytest.importorskip("matplotlib")
    bench = _grouping_benchmark()
    args = [
        "--seeds", "0", "--n-train", "60", "--n-test", "60", "--epochs", "2",
        "--probe-epochs", "1", "--hidden", "8", "--out", str(tmp_path),
    ]  # fmt: skip
    bench.main(args)
    payload = json.loads((tmp_path / "results.json").read_text())
    methods = {r["method"] for r in payload["records"]}
    assert methods == set(bench.METHODS)
    grouping = next(r for r in payload["records"] if r["method"] == "grouping")
    assert -1 <= grouping["ari"] <= 1
    assert sorted(t for g in grouping["groups"] for t in g) == list(range(12))
    table = (tmp_path / "table.md").read_text()
    assert "Adjusted Rand index" in table
    (tmp_path / "grouping.png").unlink()
    bench.main(["--plot-only", "--out", str(tmp_path)])
    assert (tmp_path / "grouping.png").stat().st_size > 0
