"""clone, Pipeline, GridSearchCV, cross_validate, pickling and the README."""

import pickle
import re
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.metrics import mean_task_accuracy_scorer, subset_accuracy_scorer

from .conftest import FAST

README = Path(__file__).resolve().parents[1] / "README.md"


def test_clone_keeps_params_and_drops_fit(problem):
    X, Y = problem
    clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "net_")


def test_pipeline(problem):
    X, Y = problem
    pipe = make_pipeline(StandardScaler(), MultiTaskNetClassifier(**FAST)).fit(X, Y)
    assert pipe.predict(X).shape == Y.shape
    assert 0 <= pipe.score(X, Y) <= 1


def test_grid_search_over_trunk_and_training_params(problem):
    X, Y = problem
    search = GridSearchCV(
        MultiTaskNetClassifier(**FAST),
        {"hidden_layer_sizes": [(8,), (16, 8)], "lr": [0.01, 0.03]},
        cv=KFold(2, shuffle=True, random_state=0),
        scoring=subset_accuracy_scorer,
        n_jobs=2,
    ).fit(X, Y)
    assert len(search.cv_results_["params"]) == 4
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_grid_search_with_string_labels_and_missing_cells(problem):
    """The README recipe: pass an explicit splitter (cv=3 breaks in sklearn)."""
    X, Y = problem
    Y = Y.copy()
    Y[::5, 1] = None
    search = GridSearchCV(
        MultiTaskNetClassifier(**FAST),
        {"dropout": [0.0, 0.1]},
        cv=KFold(3, shuffle=True, random_state=0),
        scoring=mean_task_accuracy_scorer,
    ).fit(X, Y)
    assert search.best_score_ > 0.5


def test_cross_validate_with_sklmtl_scorers(problem):
    X, Y = problem
    result = cross_validate(
        MultiTaskNetClassifier(**FAST),
        X,
        Y,
        cv=KFold(3, shuffle=True, random_state=0),
        scoring={"subset": subset_accuracy_scorer, "mean": mean_task_accuracy_scorer},
    )
    assert np.all(result["test_mean"] >= result["test_subset"])


@pytest.mark.parametrize("dump, load", [(pickle.dumps, pickle.loads), (None, None)])
def test_pickle_and_joblib_round_trip(problem, tmp_path, dump, load):
    X, Y = problem
    clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
    if dump is None:
        joblib.dump(clf, tmp_path / "model.joblib")
        restored = joblib.load(tmp_path / "model.joblib")
    else:
        restored = load(dump(clf))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    for p, q in zip(restored.predict_proba(X), clf.predict_proba(X)):
        np.testing.assert_array_equal(p, q)


def test_readme_example_runs_as_written():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no python example"
    exec(compile(blocks[0], str(README), "exec"), {"__name__": "__readme__"})
