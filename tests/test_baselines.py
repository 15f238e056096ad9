"""LabelPowersetClassifier and IndependentTaskClassifier."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier, LabelPowersetClassifier
from sklmtl.metrics import subset_accuracy_scorer

from .conftest import FAST, make_problem

BASELINES = [IndependentTaskClassifier, LabelPowersetClassifier]


class _RecordingTree(DecisionTreeClassifier):
    """A tree that remembers the labels it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.seen_y_ = np.asarray(y).copy()
        self.seen_n_ = len(X)
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("cls", BASELINES)
def test_output_conventions(cls):
    X, Y = make_problem()
    clf = cls(LogisticRegression()).fit(X, Y)
    pred = clf.predict(X)
    assert pred.shape == Y.shape
    assert [c.tolist() for c in clf.classes_] == [[0, 1], ["down", "up"], [False, True]]
    for t, proba in enumerate(clf.predict_proba(X)):
        assert proba.shape == (len(X), len(clf.classes_[t]))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
        assert set(pred[:, t].tolist()) <= set(clf.classes_[t].tolist())
    assert clf.score(X, Y) > 0.7


@pytest.mark.parametrize("cls", BASELINES)
def test_one_dimensional_y_gives_one_dimensional_outputs(cls):
    X, Y = make_problem()
    y = Y[:, 1].astype(str)
    clf = cls(LogisticRegression()).fit(X, y)
    assert clf.predict(X).shape == (len(X),)
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.classes_.tolist() == ["down", "up"]


def test_independent_fits_each_task_on_its_labelled_rows():
    X, Y = make_problem()
    Y = Y.copy()
    Y[:30, 0] = None
    Y[50:60, 1] = np.nan
    clf = IndependentTaskClassifier(_RecordingTree(random_state=0)).fit(X, Y)
    assert [est.seen_n_ for est in clf.estimators_] == [90, 110, 120]
    # Each clone sees the task's own labels, not integer codes.
    assert set(clf.estimators_[1].seen_y_.tolist()) == {"down", "up"}


def test_independent_with_the_network_is_the_no_sharing_baseline():
    X, Y = make_problem()
    net = MultiTaskNetClassifier(**FAST)
    clf = IndependentTaskClassifier(net).fit(X, Y)
    assert len(clf.estimators_) == 3
    assert all(est.n_tasks_ == 1 for est in clf.estimators_)
    assert clf.score(X, Y) > 0.7
    again = IndependentTaskClassifier(net).fit(X, Y)
    np.testing.assert_array_equal(clf.predict(X), again.predict(X))


def test_powerset_learns_combinations_and_skips_incomplete_rows():
    X, Y = make_problem()
    Y = Y.copy()
    Y[:20, 2] = None
    clf = LabelPowersetClassifier(_RecordingTree(random_state=0)).fit(X, Y)
    assert clf.estimator_.seen_n_ == 100
    seen = {tuple(row) for row in clf.combinations_.tolist()}
    pred = clf.predict(X)
    # Every prediction is a combination seen in training.
    codes = [
        tuple(int(np.flatnonzero(clf.classes_[t] == pred[i, t])[0]) for t in range(3))
        for i in range(len(X))
    ]
    assert set(codes) <= seen


def test_powerset_marginal_probabilities():
    X = np.array([[0.0], [0.1], [1.0], [1.1], [2.0], [2.1]])
    Y = np.array([[0, "a"], [0, "a"], [0, "b"], [0, "b"], [1, "b"], [1, "b"]])
    clf = LabelPowersetClassifier(DecisionTreeClassifier(random_state=0)).fit(X, Y)
    assert clf.combinations_.tolist() == [[0, 0], [0, 1], [1, 1]]
    proba_0, proba_1 = clf.predict_proba([[1.05], [2.05]])
    # The middle point is combination ("0", "b"): task 0 is "0", task 1 is "b".
    np.testing.assert_allclose(proba_0, [[1, 0], [0, 1]])
    np.testing.assert_allclose(proba_1, [[0, 1], [0, 1]])


def test_powerset_class_only_in_incomplete_rows_has_zero_probability():
    X = np.arange(8, dtype=float).reshape(-1, 1)
    Y = np.array(
        [[0, 0], [0, 0], [1, 1], [1, 1], [0, 1], [1, 0], [2, None], [2, None]],
        dtype=object,
    )
    clf = LabelPowersetClassifier(LogisticRegression()).fit(X, Y)
    assert clf.classes_[0].tolist() == [0, 1, 2]
    np.testing.assert_array_equal(clf.predict_proba(X)[0][:, 2], 0.0)


def test_powerset_rejects_y_without_a_complete_row():
    Y = np.array([[0, None], [None, 1], [1, None], [None, 0]], dtype=object)
    with pytest.raises(ValueError, match="every row of y has a missing cell"):
        LabelPowersetClassifier(LogisticRegression()).fit([[0], [1], [2], [3]], Y)


def test_predict_proba_follows_the_wrapped_estimator():
    clf = IndependentTaskClassifier(SVC())
    assert not hasattr(clf, "predict_proba")
    assert hasattr(IndependentTaskClassifier(SVC(probability=True)), "predict_proba")
    assert not hasattr(LabelPowersetClassifier(SVC()), "predict_proba")


@pytest.mark.parametrize("cls", BASELINES)
def test_dataframes_keep_names_and_are_not_modified(cls):
    X, Y = make_problem()
    X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    Y_df = pd.DataFrame(Y, columns=["a", "b", "c"])
    Y_df.iloc[:5, 0] = None
    X_before, Y_before = X_df.copy(), Y_df.copy()
    clf = cls(LogisticRegression()).fit(X_df, Y_df)
    assert clf.task_names_ == ["a", "b", "c"]
    assert clf.feature_names_in_.tolist() == list(X_df.columns)
    clf.predict(X_df)
    pd.testing.assert_frame_equal(X_df, X_before)
    pd.testing.assert_frame_equal(Y_df, Y_before)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X_df[X_df.columns[::-1]])


@pytest.mark.parametrize("cls", BASELINES)
def test_clone_and_grid_search(cls):
    X, Y = make_problem()
    search = GridSearchCV(
        cls(LogisticRegression()),
        {"estimator__C": [0.1, 10.0]},
        cv=KFold(3),
        scoring=subset_accuracy_scorer,
    ).fit(X, Y)
    assert search.best_params_["estimator__C"] in (0.1, 10.0)
    assert clone(search.best_estimator_).get_params()["estimator__C"] in (0.1, 10.0)


@pytest.mark.parametrize("cls", BASELINES)
def test_wrong_feature_count_at_predict(cls):
    X, Y = make_problem()
    clf = cls(LogisticRegression()).fit(X, Y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :3])


@pytest.mark.parametrize("cls", [IndependentTaskClassifier, LabelPowersetClassifier])
def test_image_batches_reach_an_image_network(cls):
    # (n, C, H, W) images for a CNN trunk: the wrappers used to refuse 4-D X.
    rng = np.random.RandomState(0)
    X = rng.rand(24, 1, 8, 8).astype(np.float32)
    Y = np.column_stack([np.arange(24) % 2, np.arange(24) % 3])
    net = MultiTaskNetClassifier(
        trunk="cnn",
        trunk__kernel_size=3,
        trunk__padding=1,
        max_epochs=1,
        early_stopping=False,
        random_state=0,
    )
    clf = cls(net).fit(X, Y)
    assert clf.predict(X).shape == (24, 2)
    assert clf.predict_proba(X)[1].shape == (24, 3)
