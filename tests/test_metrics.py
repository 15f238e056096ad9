"""Missing-aware metrics, per-task scores by name, and scorers that read the
scored estimator's ``missing_label``."""

import pickle
from functools import partial

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.metrics import (
    make_multitask_scorer,
    mean_task_accuracy,
    mean_task_accuracy_scorer,
    per_task_scores,
    subset_accuracy,
    subset_accuracy_scorer,
)

from .conftest import FAST

Y_TRUE = np.array([[0, "a"], [1, None], [1, "b"], [0, "b"]], dtype=object)
Y_PRED = np.array([[0, "a"], [0, "b"], [1, "a"], [0, "b"]], dtype=object)


def test_subset_accuracy_ignores_missing_cells():
    # Row 1: only task 0 is labelled and it is wrong; row 2: task 1 wrong.
    assert subset_accuracy(Y_TRUE, Y_PRED) == pytest.approx(0.5)


def test_subset_accuracy_skips_rows_without_labels():
    Y_true = np.array([[0, None], [None, None]], dtype=object)
    assert subset_accuracy(Y_true, np.array([[0, 1], [1, 1]])) == 1.0


def test_subset_accuracy_sample_weight():
    score = subset_accuracy(Y_TRUE, Y_PRED, sample_weight=[3, 1, 1, 1])
    assert score == pytest.approx(4 / 6)


def test_per_task_and_mean_task_accuracy():
    scores = per_task_scores(Y_TRUE, Y_PRED)
    assert list(scores) == ["task_0", "task_1"]
    np.testing.assert_allclose(list(scores.values()), [3 / 4, 2 / 3])
    assert mean_task_accuracy(Y_TRUE, Y_PRED) == pytest.approx((3 / 4 + 2 / 3) / 2)


def test_per_task_scores_are_keyed_by_the_frames_column_names():
    pd = pytest.importorskip("pandas")
    Y_true = pd.DataFrame(Y_TRUE, columns=["colour", "size"])
    Y_pred = pd.DataFrame(Y_PRED, columns=["a", "b"])
    assert list(per_task_scores(Y_true, Y_PRED)) == ["colour", "size"]
    # Y_true's names win; an unnamed Y_true takes Y_pred's.
    assert list(per_task_scores(Y_true, Y_pred)) == ["colour", "size"]
    assert list(per_task_scores(Y_TRUE, Y_pred)) == ["a", "b"]
    series = pd.Series([0, 1, None], name="digit")
    assert per_task_scores(series, [0, 0, 1]) == {"digit": 0.5}
    assert per_task_scores([0, 1], [0, 1]) == {"task_0": 1.0}


def test_per_task_scores_nan_for_a_task_without_labels():
    Y_true = np.array([[0, None], [1, None]], dtype=object)
    scores = per_task_scores(Y_true, np.array([[0, 1], [1, 1]]))
    assert scores["task_0"] == 1.0 and np.isnan(scores["task_1"])
    assert mean_task_accuracy(Y_true, np.array([[0, 1], [0, 1]])) == 0.5


def test_per_task_scores_with_other_metric_and_sentinel():
    Y_true = np.array([[0, 1], [1, -1], [1, 0]])
    Y_pred = np.array([[0, 1], [0, 0], [1, 0]])
    macro_f1 = partial(f1_score, average="macro")
    scores = per_task_scores(Y_true, Y_pred, metric=macro_f1, missing_label=-1)
    assert scores["task_1"] == 1.0
    expected = f1_score([0, 1, 1], [0, 0, 1], average="macro")
    assert scores["task_0"] == pytest.approx(expected)


def test_mismatched_shapes_are_reported():
    with pytest.raises(ValueError, match="2 task"):
        subset_accuracy(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="3 samples"):
        subset_accuracy(np.zeros((3, 2)), np.zeros((2, 2)))


# ------------------------------------------------------------------ scorers
def _sentinel_problem():
    """Two binary tasks learnable from X; a quarter of task 0 is unknown (-1)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    Y[::4, 0] = -1
    return X, Y


def _tree(**kwargs):
    return IndependentTaskClassifier(
        DecisionTreeClassifier(max_depth=2, random_state=0), **kwargs
    )


@pytest.mark.parametrize(
    "scorer, metric",
    [
        (mean_task_accuracy_scorer, mean_task_accuracy),
        (subset_accuracy_scorer, subset_accuracy),
    ],
)
def test_scorers_use_the_estimators_missing_label(scorer, metric):
    X, Y = _sentinel_problem()
    pipeline = make_pipeline(StandardScaler(), _tree(missing_label=-1))
    for model in (_tree(missing_label=-1), pipeline):
        model.fit(X, Y)
        Y_pred = model.predict(X)
        assert not (Y_pred == -1).any()  # -1 is no class: never predicted
        expected = metric(Y, Y_pred, missing_label=-1)
        assert scorer(model, X, Y) == pytest.approx(expected)
        # Counting the -1 cells as errors would give a lower score.
        assert metric(Y, Y_pred) < expected


def test_grid_search_does_not_count_sentinel_cells_as_errors():
    X, Y = _sentinel_problem()
    clf = MultiTaskNetClassifier(**FAST, missing_label=-1)
    cv = KFold(2, shuffle=True, random_state=0)
    search = GridSearchCV(
        clf, {"lr": [0.02]}, cv=cv, scoring=mean_task_accuracy_scorer
    ).fit(X, Y)
    for k, (train, test) in enumerate(cv.split(X)):
        fold = clone(clf).fit(X[train], Y[train])
        Y_pred = fold.predict(X[test])
        expected = mean_task_accuracy(Y[test], Y_pred, missing_label=-1)
        assert search.cv_results_[f"split{k}_test_score"][0] == pytest.approx(expected)
        assert mean_task_accuracy(Y[test], Y_pred) < expected


def test_scorers_pickle_and_work_in_cross_validate():
    X, Y = _sentinel_problem()
    restored = pickle.loads(pickle.dumps(mean_task_accuracy_scorer))
    model = _tree(missing_label=-1).fit(X, Y)
    assert restored(model, X, Y) == mean_task_accuracy_scorer(model, X, Y)
    assert repr(restored) == "make_multitask_scorer(mean_task_accuracy)"
    result = cross_validate(
        _tree(missing_label=-1),
        X,
        Y,
        cv=KFold(3),
        scoring={"subset": subset_accuracy_scorer, "mean": mean_task_accuracy_scorer},
        n_jobs=2,
    )
    assert np.all(result["test_mean"] >= result["test_subset"])


def test_make_multitask_scorer_sign_kwargs_and_sample_weight():
    X, Y = _sentinel_problem()
    model = _tree(missing_label=-1).fit(X, Y)
    accuracy = subset_accuracy(Y, model.predict(X), missing_label=-1)
    loss = make_multitask_scorer(subset_accuracy, greater_is_better=False)
    assert loss(model, X, Y) == pytest.approx(-accuracy)
    assert "greater_is_better=False" in repr(loss)
    weights = np.arange(len(Y), dtype=float)
    weighted = subset_accuracy(
        Y, model.predict(X), missing_label=-1, sample_weight=weights
    )
    assert subset_accuracy_scorer(model, X, Y, sample_weight=weights) == weighted
    macro_f1 = partial(f1_score, average="macro")
    per_task = make_multitask_scorer(_mean_of_per_task, metric=macro_f1)
    expected = np.mean(
        list(
            per_task_scores(
                Y, model.predict(X), metric=macro_f1, missing_label=-1
            ).values()
        )
    )
    assert per_task(model, X, Y) == pytest.approx(expected)


def _mean_of_per_task(Y_true, Y_pred, *, missing_label, metric):
    scores = per_task_scores(Y_true, Y_pred, metric=metric, missing_label=missing_label)
    return float(np.mean(list(scores.values())))
