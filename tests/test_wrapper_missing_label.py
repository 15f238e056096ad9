"""Every wrapper reads missing cells as the estimator it wraps does.

The property: whatever sentinel the wrapped estimator's ``missing_label``
declares (``-1``; ``0`` next to a bool task whose ``False`` stays a class;
``"missing"`` for str tasks; ``None``/``NaN`` cells with the default), it
never becomes a class of the wrapper: not in ``classes_``, not in a
prediction, not as a probability column, a calibration class or a reason to
leave a binary task untuned. It runs over every wrapper of the package (a
test below finds them all, so a new one cannot be forgotten).
"""

import importlib
import inspect
import pkgutil

import numpy as np
import pytest
from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.linear_model import LogisticRegression

import sklmtl
from sklmtl import MultiTaskNetClassifier
from sklmtl._labels import is_missing_scalar, same_class
from sklmtl._meta._missing_label import missing_label_in_effect
from sklmtl.baselines import (
    IndependentTaskClassifier,
    IndependentTaskEstimator,
    LabelPowersetClassifier,
)
from sklmtl.calibration import CalibratedMultiTaskClassifier
from sklmtl.grouping import TaskGroupingClassifier
from sklmtl.metrics import get_scorer, mean_task_accuracy, subset_accuracy
from sklmtl.thresholds import TunedThresholdMultiTaskClassifier

N = 48
TINY = dict(hidden_layer_sizes=(4,), max_epochs=2, random_state=0)


def _net(missing_label=np.nan):
    return MultiTaskNetClassifier(missing_label=missing_label, **TINY)


# Wrapper name -> (make(inner_missing_label, own_missing_label), extra check).
def _grouping(inner, own):
    return TaskGroupingClassifier(
        _net(inner), n_groups=2, probe_epochs=1, missing_label=own, random_state=0
    )


def _calibrated(inner, own):
    return CalibratedMultiTaskClassifier(
        _net(inner), cv=2, missing_label=own, random_state=0
    )


def _calibrated_nested(inner, own):
    base = IndependentTaskClassifier(LogisticRegression(), missing_label=inner)
    return CalibratedMultiTaskClassifier(base, cv=2, missing_label=own, random_state=0)


def _tuned(inner, own):
    return TunedThresholdMultiTaskClassifier(
        _net(inner), cv=2, missing_label=own, random_state=0
    )


def _tuned_nested(inner, own):
    base = IndependentTaskClassifier(LogisticRegression(), missing_label=inner)
    return TunedThresholdMultiTaskClassifier(
        base, cv=2, missing_label=own, random_state=0
    )


def _independent(inner, own):
    return IndependentTaskClassifier(_net(inner), missing_label=own)


def _powerset(inner, own):
    return LabelPowersetClassifier(_net(inner), missing_label=own)


def _independent_mixed(inner, own):
    return IndependentTaskEstimator(classifier=_net(inner), missing_label=own)


WRAPPERS = {
    "grouping": _grouping,
    "calibrated": _calibrated,
    "calibrated(independent)": _calibrated_nested,
    "tuned": _tuned,
    "tuned(independent)": _tuned_nested,
    "independent": _independent,
    "powerset": _powerset,
    "independent_mixed": _independent_mixed,
}


def _scenario(name):
    """``(X, Y, sentinel, expected classes per task)``, ~25% cells missing."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N, 3)).astype(np.float32)
    hidden = rng.rand(N, 2) < 0.25
    hidden[:4] = False  # every class keeps labelled cells in every fold
    first, second = X[:, 0] > 0, np.digitize(X[:, 1], [-0.4, 0.4])
    first[:2], second[:3] = [False, True], [0, 1, 2]
    Y = np.empty((N, 2), dtype=object)
    if name == "-1":
        sentinel, classes = -1, [[0, 1], [0, 1, 2]]
        Y[:, 0], Y[:, 1] = first.astype(int), second
    elif name == "0 next to bool":
        # 0 marks the int task's missing cells; the bool task's False stays.
        sentinel, classes = 0, [[1, 2], [False, True]]
        Y[:, 0], Y[:, 1] = first.astype(int) + 1, second > 0
    elif name == "missing":
        sentinel, classes = "missing", [["a", "b"], ["x", "y", "z"]]
        Y[:, 0] = np.where(first, "b", "a")
        Y[:, 1] = np.array(["x", "y", "z"])[second]
    else:  # None/NaN cells, no sentinel
        sentinel, classes = np.nan, [[0.0, 1.0], ["x", "y", "z"]]
        Y[:, 0] = first.astype(float)
        Y[:, 1] = np.array(["x", "y", "z"])[second]
    Y[hidden[:, 0], 0] = np.nan if name == "None/NaN" else sentinel
    Y[hidden[:, 1], 1] = None if name == "None/NaN" else sentinel
    return X, Y, sentinel, classes


SCENARIOS = ["-1", "0 next to bool", "missing", "None/NaN"]


def _is_sentinel(value, sentinel):
    return is_missing_scalar(value) or same_class(value, sentinel)


def _check_no_sentinel(clf, X, sentinel, expected):
    classes = clf.classes_
    assert len(classes) == len(expected)
    for task_classes, want in zip(classes, expected):
        got = np.asarray(task_classes).tolist()
        assert not any(_is_sentinel(c, sentinel) for c in got), got
        assert got == want and [type(c) for c in got] == [type(c) for c in want]
    pred = clf.predict(X)
    assert pred.shape == (len(X), len(expected))
    for t, want in enumerate(expected):
        assert all(any(same_class(v, c) for c in want) for v in pred[:, t].tolist())
    probas = clf.predict_proba(X)
    assert [p.shape for p in probas] == [(len(X), len(c)) for c in expected]
    for p in probas:
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    if isinstance(clf, TunedThresholdMultiTaskClassifier):
        binary = [n for n, c in zip(clf.task_names_, expected) if len(c) == 2]
        assert sorted(clf.best_thresholds_) == binary
    if isinstance(clf, CalibratedMultiTaskClassifier):
        for pair in clf.calibrated_classifiers_:
            assert [task.n_classes for task in pair.tasks] == [len(c) for c in expected]


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("wrapper", list(WRAPPERS))
def test_inner_sentinel_never_becomes_a_class(wrapper, scenario):
    X, Y, sentinel, expected = _scenario(scenario)
    clf = WRAPPERS[wrapper](sentinel, np.nan).fit(X, Y)
    _check_no_sentinel(clf, X, sentinel, expected)
    assert clf.score(X, Y) >= 0.0  # scoring skips the same cells


@pytest.mark.parametrize("wrapper", list(WRAPPERS))
def test_wrapper_sentinel_reaches_the_wrapped_estimator(wrapper):
    # Set on the wrapper only: the clones it fits must skip the same cells.
    X, Y, sentinel, expected = _scenario("-1")
    clf = WRAPPERS[wrapper](np.nan, sentinel).fit(X, Y)
    _check_no_sentinel(clf, X, sentinel, expected)


@pytest.mark.parametrize("wrapper", list(WRAPPERS))
def test_conflicting_sentinels_are_refused(wrapper):
    X, Y, _, _ = _scenario("-1")
    clf = WRAPPERS[wrapper](-1, -2)
    with pytest.raises(ValueError, match=r"missing_label=-2\).*missing_label=-1\)"):
        clf.fit(X, Y)


@pytest.mark.parametrize("wrapper", list(WRAPPERS))
def test_same_sentinel_on_both_is_accepted(wrapper):
    X, Y, sentinel, expected = _scenario("-1")
    clf = WRAPPERS[wrapper](-1.0, -1).fit(X, Y)  # -1.0 and -1: the same label
    _check_no_sentinel(clf, X, sentinel, expected)


def test_every_wrapper_of_the_package_is_covered():
    """Every public estimator that wraps another must be in WRAPPERS above."""
    found = set()
    for info in pkgutil.walk_packages(sklmtl.__path__, "sklmtl."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional dependency; its module wraps nothing
            continue
        for name in getattr(module, "__all__", []):
            cls = getattr(module, name)
            if not (inspect.isclass(cls) and issubclass(cls, BaseEstimator)):
                continue
            params = inspect.signature(cls.__init__).parameters
            if issubclass(cls, MetaEstimatorMixin) or {
                "estimator",
                "classifier",
            } & set(params):
                found.add(cls)
    covered = {type(make(np.nan, np.nan)) for make in WRAPPERS.values()}
    assert found == covered
    assert all(hasattr(cls, "_wrapped_estimators") for cls in found)


def test_missing_label_in_effect_looks_through_frozen_and_pipelines():
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    net = _net(-1)
    assert missing_label_in_effect(FrozenEstimator(net)) == -1
    assert missing_label_in_effect(make_pipeline(StandardScaler(), net)) == -1
    nested = CalibratedMultiTaskClassifier(_grouping(-1, np.nan))
    assert missing_label_in_effect(nested) == -1
    assert is_missing_scalar(missing_label_in_effect(LogisticRegression()))
    # A wrapped estimator that conflicts with its own wrapped one is named.
    bad = CalibratedMultiTaskClassifier(_grouping(-1, "x"))
    with pytest.raises(ValueError, match=r"TaskGroupingClassifier\(missing_label='x'"):
        missing_label_in_effect(bad)


def test_frozen_inner_sentinel_is_used():
    # A fitted network with missing_label=-1, frozen: the wrappers read -1
    # as missing too, with no refit.
    from sklearn.frozen import FrozenEstimator

    X, Y, sentinel, expected = _scenario("-1")
    net = _net(-1).fit(X, Y)
    for wrapper in (
        CalibratedMultiTaskClassifier(FrozenEstimator(net)),
        TunedThresholdMultiTaskClassifier(FrozenEstimator(net)),
    ):
        _check_no_sentinel(wrapper.fit(X, Y), X, sentinel, expected)


@pytest.mark.parametrize("wrapper", list(WRAPPERS))
def test_scorers_skip_the_inherited_sentinel(wrapper):
    # sklmtl's scorers read the wrapper's missing_label in effect, as score()
    # does: the -1 cells are left out, not counted as errors.
    X, Y, sentinel, _ = _scenario("-1")
    clf = WRAPPERS[wrapper](sentinel, np.nan).fit(X, Y)
    pred = clf.predict(X)
    expected = mean_task_accuracy(Y, pred, missing_label=sentinel)
    assert get_scorer("mean_task_accuracy")(clf, X, Y) == pytest.approx(expected)
    # IndependentTaskEstimator's score is the mean task score, as MultiTaskNet's.
    mean = isinstance(clf, IndependentTaskEstimator)
    own_metric = mean_task_accuracy if mean else subset_accuracy
    assert clf.score(X, Y) == pytest.approx(own_metric(Y, pred, missing_label=sentinel))
    if hasattr(clf, "predict_proba"):
        assert np.isfinite(get_scorer("mean_roc_auc")(clf, X, Y))


def test_displays_skip_the_inherited_sentinel():
    pytest.importorskip("matplotlib")
    from sklmtl.display import MultiTaskConfusionMatrixDisplay

    X, Y, sentinel, expected = _scenario("-1")
    clf = _calibrated_nested(sentinel, np.nan).fit(X, Y)
    display = MultiTaskConfusionMatrixDisplay.from_estimator(clf, X, Y)
    labelled = [(Y[:, t] != sentinel).sum() for t in range(2)]
    assert [int(m.sum()) for m in display.confusion_matrices] == labelled
