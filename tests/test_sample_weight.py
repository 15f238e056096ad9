"""Sample weights per row and per label cell, in fit, searches and baselines."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier, LabelPowersetClassifier

from .conftest import FAST, make_problem


@pytest.fixture(scope="module")
def data():
    return make_problem(n_samples=90)


def _full_batch(**params):
    # One batch per epoch: a weighted mean and a mean over repeated rows are
    # then the same objective, up to float rounding.
    return MultiTaskNetClassifier(**{**FAST, "batch_size": 1024, **params})


def test_integer_row_weights_match_repeated_rows(data):
    X, Y = data
    weights = np.random.RandomState(1).randint(0, 4, size=len(X))
    weighted = _full_batch().fit(X, Y, sample_weight=weights)
    repeated = _full_batch().fit(
        np.repeat(X, weights, axis=0), np.repeat(Y, weights, 0)
    )
    for a, b in zip(weighted.predict_proba(X), repeated.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_a_zero_cell_weight_is_a_missing_cell(data):
    X, Y = data
    weights = np.ones(Y.shape)
    weights[::3, 1] = 0.0
    Y_missing = Y.copy()
    Y_missing[::3, 1] = None
    weighted = MultiTaskNetClassifier(**FAST).fit(X, Y, sample_weight=weights)
    missing = MultiTaskNetClassifier(**FAST).fit(X, Y_missing)
    for a, b in zip(weighted.predict_proba(X), missing.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_cell_weights_change_what_a_task_learns(data):
    X, Y = data
    weights = np.ones(Y.shape)
    # Rows where task_0 is 1 weigh 20x in task_0 only: its predictions shift.
    weights[Y[:, 0] == 1, 0] = 20.0
    plain = MultiTaskNetClassifier(**FAST).fit(X, Y)
    weighted = MultiTaskNetClassifier(**FAST).fit(X, Y, sample_weight=weights)
    share_plain = np.mean(plain.predict(X)[:, 0] == 1)
    share_weighted = np.mean(weighted.predict(X)[:, 0] == 1)
    assert share_weighted > share_plain


def test_weights_follow_the_validation_split_and_are_not_modified(data):
    X, Y = data
    weights = np.random.RandomState(0).rand(len(X), 3)
    before = weights.copy()
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 3}, early_stopping=True)
    clf.fit(X, Y, sample_weight=weights)
    assert "valid_loss" in clf.history_[-1]
    np.testing.assert_array_equal(weights, before)
    # Different weights give a different weighted validation loss.
    other = MultiTaskNetClassifier(**{**FAST, "max_epochs": 3}, early_stopping=True)
    other.fit(X, Y, sample_weight=np.ones(len(X)))
    assert clf.history_[0, "valid_loss"] != other.history_[0, "valid_loss"]


def test_weights_in_partial_fit_and_lists_and_series(data):
    pd = pytest.importorskip("pandas")
    X, Y = data
    clf = MultiTaskNetClassifier(**FAST)
    clf.partial_fit(X, Y, sample_weight=list(np.ones(len(X))))
    clf.partial_fit(X, Y, sample_weight=pd.Series(np.ones(len(X))))
    assert clf.n_iter_ == 2


@pytest.mark.parametrize(
    "weights, error, match",
    [
        (np.full(90, np.nan), ValueError, "NaN or infinity"),
        (-np.ones(90), ValueError, "negative"),
        (np.zeros(90), ValueError, "zero everywhere"),
        (np.ones(10), ValueError, "10 entries but X has 90"),
        (np.ones((90, 2)), ValueError, r"shape \(90, 2\)"),
        (
            np.column_stack([np.ones(90), np.zeros(90), np.ones(90)]),
            ValueError,
            "Task 'task_1' has zero sample_weight",
        ),
        (np.array(["a"] * 90), TypeError, "numbers"),
        (3.0, TypeError, "scalar"),
    ],
)
def test_bad_weights_raise_a_clear_error(data, weights, error, match):
    X, Y = data
    before = None if np.isscalar(weights) else np.array(weights, copy=True)
    with pytest.raises(error, match=match):
        MultiTaskNetClassifier(**FAST).fit(X, Y, sample_weight=weights)
    if before is not None:
        np.testing.assert_array_equal(weights, before)


def test_metadata_routing_through_pipeline_and_grid_search(data):
    X, Y = data
    weights = np.random.RandomState(0).rand(len(X)) + 0.5
    with sklearn.config_context(enable_metadata_routing=True):
        net = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2})
        net.set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=True), net)
        search = GridSearchCV(
            pipe,
            {"multitasknetclassifier__lr": [0.01, 0.02]},
            cv=KFold(2, shuffle=True, random_state=0),
        )
        search.fit(X, Y, sample_weight=weights)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize(
    "baseline",
    [
        IndependentTaskClassifier(LogisticRegression()),
        LabelPowersetClassifier(LogisticRegression()),
    ],
)
def test_baselines_accept_row_and_cell_weights(data, baseline):
    X, Y = data
    Y = Y.copy()
    Y[::5, 2] = None
    for weights in (np.ones(len(X)) * 2, np.random.RandomState(0).rand(len(X), 3)):
        baseline.fit(X, Y, sample_weight=weights)
        assert baseline.predict(X).shape == Y.shape


def test_independent_baseline_weights_match_repeated_rows(data):
    X, Y = data
    weights = np.random.RandomState(1).randint(1, 4, size=len(X))
    weighted = IndependentTaskClassifier(LogisticRegression()).fit(
        X, Y, sample_weight=weights
    )
    repeated = IndependentTaskClassifier(LogisticRegression()).fit(
        np.repeat(X, weights, axis=0), np.repeat(Y, weights, axis=0)
    )
    for a, b in zip(weighted.predict_proba(X), repeated.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
