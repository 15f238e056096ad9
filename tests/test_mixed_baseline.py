"""IndependentTaskEstimator: a classifier or a regressor per task."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, RidgeClassifier
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from sklmtl.baselines import IndependentTaskEstimator
from sklmtl.metrics import task_scores


def make_mixed(n_samples=120, seed=0):
    """A label task, a numeric task and a bool task, all learnable from X."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4))
    Y = pd.DataFrame(
        {
            "species": np.where(X[:, 0] > 0, "adelie", "gentoo"),
            "mass": 4000 + 500 * X[:, 1] + 10 * rng.normal(size=n_samples),
            "big": X[:, 2] > 0,
        }
    )
    return X, Y


class _Recording(DecisionTreeRegressor):
    """A tree that remembers what it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.seen_y_ = np.asarray(y).copy()
        self.seen_w_ = None if sample_weight is None else np.asarray(sample_weight)
        return super().fit(X, y, sample_weight=sample_weight)


def _est(**kwargs):
    return IndependentTaskEstimator(LogisticRegression(), LinearRegression(), **kwargs)


def test_kinds_inferred_and_each_column_in_its_own_kind():
    X, Y = make_mixed()
    est = _est().fit(X, Y)
    assert est.task_types_ == ["classification", "regression", "classification"]
    assert est.classes_[0].tolist() == ["adelie", "gentoo"]
    assert est.classes_[1] is None
    assert [type(e).__name__ for e in est.estimators_] == [
        "LogisticRegression",
        "LinearRegression",
        "LogisticRegression",
    ]
    pred = est.predict(X)
    assert isinstance(pred, pd.DataFrame)
    assert list(pred.columns) == ["species", "mass", "big"]
    assert pred["mass"].dtype == np.float64
    assert pred["big"].dtype == bool
    assert set(pred["species"]) <= {"adelie", "gentoo"}
    scores = task_scores(Y, pred, task_types=est.task_types_)
    assert scores.min() > 0.9
    assert est.score(X, Y) == pytest.approx(scores.mean())


def test_array_y_gives_object_array_and_1d_y_gives_1d():
    X, Y = make_mixed()
    Y_arr = Y.to_numpy(dtype=object)
    pred = _est().fit(X, Y_arr).predict(X[:3])
    assert pred.shape == (3, 3) and pred.dtype == object
    assert isinstance(pred[0, 0], str) and isinstance(pred[0, 1], float)
    est = _est().fit(X, Y["mass"].to_numpy())
    assert est.predict(X).shape == (len(X),)
    assert est.task_types_ == ["regression"]


def test_each_task_on_its_labelled_rows_with_its_weights():
    X, Y = make_mixed()
    Y = Y.copy()
    Y.loc[:29, "mass"] = np.nan
    weights = np.arange(len(X), dtype=float) + 1
    est = IndependentTaskEstimator(DecisionTreeClassifier(), _Recording())
    est.fit(X, Y, sample_weight=weights)
    reg = est.estimators_[1]
    assert len(reg.seen_y_) == 90
    np.testing.assert_array_equal(reg.seen_y_, Y["mass"].to_numpy()[30:])
    np.testing.assert_array_equal(reg.seen_w_, weights[30:])
    # Per-cell weights reach their own task only.
    cells = np.ones((len(X), 3))
    cells[:, 1] = 3.0
    est.fit(X, Y, sample_weight=cells)
    assert set(est.estimators_[1].seen_w_.tolist()) == {3.0}


def test_task_types_overrides_inference():
    X, Y = make_mixed()
    Y = Y.assign(count=np.round(Y["mass"] / 100))
    est = _est(task_types={"count": "regression"}).fit(X, Y)
    assert est.task_types_[-1] == "regression"
    assert _est().fit(X, Y).task_types_[-1] == "classification"


def test_predict_proba_for_classification_tasks_only():
    X, Y = make_mixed()
    est = _est().fit(X, Y)
    probas = est.predict_proba(X)
    assert [p.shape for p in probas] == [(len(X), 2), (len(X), 2)]
    np.testing.assert_allclose(est.predict_proba(X, task="big"), probas[1])
    with pytest.raises(ValueError, match="'mass' is a regression task"):
        est.predict_proba(X, task="mass")
    with pytest.raises(ValueError, match="not a task"):
        est.predict_proba(X, task="colour")
    only_reg = _est().fit(X, Y[["mass"]])
    with pytest.raises(ValueError, match="every task is a regression task"):
        only_reg.predict_proba(X)
    # Only as available as the classifier's own predict_proba.
    assert not hasattr(
        IndependentTaskEstimator(RidgeClassifier(), SVR()), "predict_proba"
    )


def test_defaults_are_gradient_boosting_and_deterministic():
    X, Y = make_mixed(80)
    est = IndependentTaskEstimator().fit(X, Y)
    assert [type(e).__name__ for e in est.estimators_] == [
        "HistGradientBoostingClassifier",
        "HistGradientBoostingRegressor",
        "HistGradientBoostingClassifier",
    ]
    again = IndependentTaskEstimator().fit(X, Y)
    pd.testing.assert_frame_equal(est.predict(X), again.predict(X))


def test_clone_and_grid_search():
    X, Y = make_mixed()
    est = _est()
    assert clone(est).get_params()["regressor"] is not est.regressor
    search = GridSearchCV(
        IndependentTaskEstimator(DecisionTreeClassifier(random_state=0), _Recording()),
        {"classifier__max_depth": [1, 3]},
        cv=KFold(3),
    ).fit(X, Y)
    assert search.best_params_["classifier__max_depth"] in (1, 3)
    assert search.best_score_ > 0.5


@pytest.mark.parametrize(
    "column, error, match",
    [
        ([1.5, np.inf] * 60, ValueError, "infinity in regression task 'bad'"),
        ([2.5] * 120, ValueError, "'bad' has one repeated value"),
    ],
)
def test_bad_regression_columns_name_the_task(column, error, match):
    X, Y = make_mixed()
    Y = Y.assign(bad=column)
    before = Y.copy()
    with pytest.raises(error, match=match):
        _est().fit(X, Y)
    pd.testing.assert_frame_equal(Y, before)


def test_bad_task_types_and_weights():
    X, Y = make_mixed()
    with pytest.raises(ValueError, match="unknown task"):
        _est(task_types={"colour": "regression"}).fit(X, Y)
    with pytest.raises(ValueError, match="expected 'classification' or"):
        _est(task_types={"mass": "ordinal"}).fit(X, Y)
    with pytest.raises(TypeError, match="must hold numbers"):
        _est(task_types={"species": "regression"}).fit(X, Y)
    with pytest.raises(ValueError, match="sample_weight has 3 entries"):
        _est().fit(X, Y, sample_weight=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expecting 4 features"):
        _est().fit(X, Y).predict(X[:, :3])
