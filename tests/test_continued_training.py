"""Continued training (warm_start, partial_fit) keeps the first fit's tasks.

A continued fit cannot rename or reorder the tasks (each head learned its
own), ``partial_fit`` refuses ``class_weight="balanced"`` (one batch's class
counts are not the data's, scikit-learn's rule), and ``classes`` work for
the mixed estimator too, with messages that say where the classes came from.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor

TINY = dict(hidden_layer_sizes=(4,), max_epochs=1, random_state=0)


def _data(n=12):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    Y = pd.DataFrame({"p": np.arange(n) % 2, "q": (np.arange(n) // 2) % 2})
    return X, Y


def _continue(estimator, how, X, Y):
    if how == "warm_start":
        return estimator.set_params(warm_start=True).fit(X, Y)
    return estimator.partial_fit(X, Y)


CONTINUATIONS = ["warm_start", "partial_fit"]


@pytest.mark.parametrize("how", CONTINUATIONS)
@pytest.mark.parametrize(
    "estimator, as_targets",
    [
        (MultiTaskNetClassifier(**TINY), lambda Y: Y),
        (MultiTaskNetRegressor(**TINY), lambda Y: Y.astype(float) + 0.5),
        (MultiTaskNet(**TINY), lambda Y: Y),
    ],
    ids=["classifier", "regressor", "mixed"],
)
class TestTaskNames:
    def test_swapped_columns_are_refused(self, estimator, as_targets, how):
        X, Y = _data()
        Y = as_targets(Y)
        est = clone(estimator).fit(X, Y)
        with pytest.raises(ValueError, match=r"\['q', 'p'\].*\['p', 'q'\]"):
            _continue(est, how, X, Y[["q", "p"]])
        assert est.task_names_ == ["p", "q"]

    def test_renamed_columns_are_refused(self, estimator, as_targets, how):
        X, Y = _data()
        Y = as_targets(Y)
        est = clone(estimator).fit(X, Y)
        with pytest.raises(ValueError, match=r"cannot rename or reorder"):
            _continue(est, how, X, Y.rename(columns={"q": "r"}))

    def test_same_names_and_plain_arrays_continue(self, estimator, as_targets, how):
        X, Y = _data()
        Y = as_targets(Y)
        est = clone(estimator).fit(X, Y)
        _continue(est, how, X, Y)
        _continue(est, how, X, Y.to_numpy())  # columns taken by position
        assert est.n_iter_ == 3 and est.task_names_ == ["p", "q"]


def test_a_renamed_series_is_refused():
    X, Y = _data()
    clf = MultiTaskNetClassifier(**TINY).fit(X, Y["p"])
    with pytest.raises(ValueError, match=r"\['q'\].*\['p'\]"):
        clf.partial_fit(X, Y["q"])
    clf.partial_fit(X, Y["p"].to_numpy())


class TestBalancedClassWeight:
    @pytest.mark.parametrize("class_weight", ["balanced", [None, "balanced"]])
    def test_partial_fit_refuses_balanced(self, class_weight):
        X, Y = _data()
        clf = MultiTaskNetClassifier(class_weight=class_weight, **TINY)
        with pytest.raises(ValueError, match="'balanced' is not supported for parti"):
            clf.partial_fit(X, Y)
        clf.fit(X, Y)  # fit sees all the data: balanced is fine there
        with pytest.raises(ValueError, match="compute_class_weight"):
            clf.partial_fit(X, Y)

    def test_precomputed_weights_are_the_way(self):
        X, Y = _data()
        weights = [{0: 1.0, 1: 3.0}, None]
        clf = MultiTaskNetClassifier(class_weight=weights, **TINY)
        assert clf.partial_fit(X, Y).partial_fit(X, Y).n_iter_ == 2


class TestPartialFitClasses:
    def test_mixed_estimator_takes_classes(self):
        X, _ = _data(4)
        Y = [["a", 0.5], ["a", 1.5], ["a", 2.5], ["a", 0.1]]
        net = MultiTaskNet(**TINY).partial_fit(X, Y, classes=[["a", "b"], None])
        assert net.classes_[0].tolist() == ["a", "b"]
        assert net.task_types_ == ["classification", "regression"]
        net.partial_fit(X, [["b", 0.2]] * 4)  # "b" was declared
        assert net.predict(X).shape == (4, 2)

    def test_mixed_classes_make_a_task_classification(self):
        X, _ = _data(4)
        y = [0.0, 0.0, 1.0, 1.0]
        net = MultiTaskNet(**TINY).partial_fit(X, y, classes=[0.0, 1.0, 2.0])
        assert net.task_types_ == ["classification"]
        assert net.classes_[0].tolist() == [0.0, 1.0, 2.0]
        with pytest.raises(ValueError, match="task_types makes a regression task"):
            MultiTaskNet(task_types={"task_0": "regression"}, **TINY).partial_fit(
                X, y, classes=[0.0, 1.0]
            )

    @pytest.mark.parametrize(
        "estimator", [MultiTaskNetClassifier(**TINY), MultiTaskNet(**TINY)]
    )
    def test_a_label_outside_given_classes_says_given(self, estimator):
        X, Y = _data()
        with pytest.raises(ValueError, match=r"'p' has label 1.*given to partial_fit"):
            clone(estimator).partial_fit(X, Y, classes=[[0, 2], [0, 1]])

    def test_a_new_label_later_says_fixed_by_the_first_call(self):
        X, Y = _data()
        clf = MultiTaskNetClassifier(**TINY).partial_fit(X, Y, classes=[[0, 1]] * 2)
        with pytest.raises(ValueError, match=r"'p' has label 2.*fixed by the first"):
            clf.partial_fit(X, Y.assign(p=2))

    def test_later_calls_may_repeat_but_not_change_the_classes(self):
        X, Y = _data()
        clf = MultiTaskNetClassifier(**TINY).partial_fit(X, Y, classes=[[0, 1]] * 2)
        clf.partial_fit(X, Y, classes=[[1, 0], [0, 1]])
        with pytest.raises(ValueError, match=r"\[0, 1, 2\].*'p' is not the same"):
            clf.partial_fit(X, Y, classes=[[0, 1, 2], [0, 1]])
