"""benchmarks/dev_select.py: wrapped candidates, and options reaching the folds."""

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def dev_select():
    """The script's module, imported as the benchmark scripts import each other."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import dev_select
        import realdata
    finally:
        sys.path.remove(str(BENCHMARKS))
    if realdata.missing_packages(["penguins"]):
        pytest.skip("the bench extra's data packages are not installed")
    return dev_select


QUICK = 'quick={"max_epochs": 2, "hidden_layer_sizes": [4]}'


def test_a_wrapped_candidate_is_scored(dev_select, tmp_path):
    wrap = (
        'tuned={"of": "quick", "wrapper": "thresholds", "scoring": "accuracy", "cv": 2}'
    )
    dev_select.main(
        ["--candidates", "quick", "--param", QUICK, "--wrap", wrap, "--tables",
         "penguins", "--seeds", "0", "--folds", "2", "--out", str(tmp_path)]
    )  # fmt: skip
    records = json.loads((tmp_path / "results.json").read_text())["records"]
    assert [r["candidate"] for r in records] == ["quick", "tuned"]
    assert records[1]["params"]["inner"] == {"max_epochs": 2, "hidden_layer_sizes": [4]}
    assert 0 < records[1]["cv_score"] <= 1
    assert "| penguins | tuned |" in (tmp_path / "report.md").read_text()


def test_the_wrapped_model(dev_select):
    from sklmtl.thresholds import TunedThresholdMultiTaskClassifier

    known = {"default": {}, "SVC per task": {}}
    name, params = dev_select.wrap_candidate(
        'svc={"of": "SVC per task", "wrapper": "thresholds", "cv": 3}', known
    )
    X = pd.DataFrame({"a": [0.0, 1.0], "b": ["x", "y"]})
    model = dev_select.make_model(name, params, 7, X)
    assert isinstance(model, TunedThresholdMultiTaskClassifier)
    assert (model.cv, model.random_state) == (3, 7)
    assert type(model.estimator).__name__ == "Pipeline"


@pytest.mark.parametrize(
    "text",
    [
        't={"of": "nothing", "wrapper": "thresholds"}',
        't={"of": "default", "wrapper": "bagging"}',
        't={"wrapper": "thresholds"}',
    ],
)
def test_a_bad_wrap_is_named(dev_select, text):
    with pytest.raises(ValueError, match="--wrap takes NAME="):
        dev_select.wrap_candidate(text, {"default": {}})


def test_net_input_reaches_the_folds(dev_select, tmp_path, monkeypatch):
    seen = []
    make_model = dev_select.make_model

    def spy(name, params, seed, X, net_input="dataframe", task_types=None):
        seen.append(net_input)
        return make_model(name, params, seed, X, net_input, task_types)

    monkeypatch.setattr(dev_select, "make_model", spy)
    dev_select.main(
        ["--candidates", "quick", "--param", QUICK, "--tables", "penguins",
         "--seeds", "0", "--folds", "2", "--net-input", "pipeline",
         "--out", str(tmp_path)]
    )  # fmt: skip
    assert seen == ["pipeline", "pipeline"]


def test_below_majority_counts_labelled_cells_against_the_fit_majority(dev_select):
    import numpy as np

    # a: the fit majority is 1; the validation cells labelled 0, 1, 1 (one
    # missing): the reference scores 2/3, the prediction 0/3 -> below. b: the
    # tie x/y takes the smallest label, "x"; the reference scores 1/4, the
    # prediction (all "x") 1/4 -> level, not below.
    Y_fit = pd.DataFrame({"a": [1.0, 1.0, 0.0, np.nan], "b": ["x", "y", "x", "y"]})
    Y_val = pd.DataFrame({"a": [0.0, 1.0, 1.0, np.nan], "b": ["y", "y", "x", "y"]})
    predicted = np.array([[1.0, "x"], [0.0, "x"], [0.0, "x"], [1.0, "x"]], object)
    assert dev_select.below_majority(Y_fit, Y_val, predicted) == [1, 2]
    # A task with no labelled validation cell is no pair.
    Y_val["a"] = np.nan
    assert dev_select.below_majority(Y_fit, Y_val, predicted) == [0, 1]
    # A regression task is no pair.
    Y_val["a"] = [0.0, 1.0, 1.0, np.nan]
    types = {"a": "regression", "b": "classification"}
    assert dev_select.below_majority(Y_fit, Y_val, predicted, types) == [0, 1]


def test_a_mixed_table_gets_the_mixed_net_and_per_task_regressors(dev_select):
    from sklearn.linear_model import Ridge

    from sklmtl import MultiTaskNet

    X = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": ["x", "y", "x"]})
    types = {"kind": "classification", "size": "regression"}
    net = dev_select.make_model("default", {"max_epochs": 2}, 3, X, task_types=types)
    assert isinstance(net, MultiTaskNet) and net.task_types == types
    peer = dev_select.make_model("LogReg per task", {}, 3, X, task_types=types)
    assert isinstance(peer[-1].regressor, Ridge)
    Y = pd.DataFrame({"kind": ["p", "q", None], "size": [1.0, 2.0, 3.0]})
    # Accuracy on the labelled cells (1/2), R² of a perfect prediction (1).
    got = dev_select.score(Y, [["p", 1.0], ["p", 2.0], ["p", 3.0]], types)
    assert got == pytest.approx(0.75)


def test_an_optimizer_is_named_in_json(dev_select):
    import torch

    _, params = dev_select.parse_param('w={"optimizer": "AdamW", "weight_decay": 1}')
    X = pd.DataFrame({"a": [0.0, 1.0]})
    assert dev_select.make_model("w", params, 0, X).optimizer is torch.optim.AdamW
