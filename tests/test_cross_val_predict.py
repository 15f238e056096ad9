"""Cross-validated predictions with missing cells and mixed label kinds.

scikit-learn's ``cross_val_predict(method="predict_proba")`` re-encodes ``Y``
with ``LabelEncoder`` (a missing cell becomes a class); sklmtl's fits each
fold on ``Y`` as given. ``method="predict"`` does not re-encode, so both agree
there.
"""

import numpy as np
import pytest
from sklearn import model_selection as sk
from sklearn.base import clone
from sklearn.model_selection import KFold, ShuffleSplit

from sklmtl import MultiTaskNetClassifier
from sklmtl.model_selection import check_cv, cross_val_predict

from .conftest import FAST, make_problem

CV = KFold(3, shuffle=True, random_state=0)


@pytest.fixture(scope="module")
def missing_problem():
    X, Y = make_problem(n_samples=90)
    Y[::4, 1] = None  # string task with unknown cells
    Y[1::5, 0] = np.nan  # int task with unknown cells
    return X, Y


def _per_fold(estimator, X, Y, method):
    """What each fold's model predicts for its test rows, fitted by hand."""
    out = {}
    for train, test in CV.split(X):
        fitted = clone(estimator).fit(X[train], Y[train])
        out[tuple(test)] = (fitted, getattr(fitted, method)(X[test]))
    return out


def test_predict_matches_fold_models_and_scikit_learn(missing_problem):
    X, Y = missing_problem
    clf = MultiTaskNetClassifier(**FAST)
    predicted = cross_val_predict(clf, X, Y, cv=CV)
    assert predicted.shape == Y.shape
    for test, (_, fold_pred) in _per_fold(clf, X, Y, "predict").items():
        np.testing.assert_array_equal(predicted[list(test)], fold_pred)
    # "predict" is not re-encoded by scikit-learn: the same labels, same kinds.
    np.testing.assert_array_equal(sk.cross_val_predict(clf, X, Y, cv=CV), predicted)
    assert {type(v) for v in predicted[:, 1]} == {str}


def test_predict_proba_keeps_missing_cells_out_of_the_classes(missing_problem):
    X, Y = missing_problem
    clf = MultiTaskNetClassifier(**FAST)
    proba = cross_val_predict(clf, X, Y, cv=CV, method="predict_proba")
    full = clone(clf).fit(X, Y)
    assert [p.shape for p in proba] == [(len(X), len(c)) for c in full.classes_]
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    for test, (fitted, fold_proba) in _per_fold(clf, X, Y, "predict_proba").items():
        for t, classes in enumerate(fitted.classes_):
            np.testing.assert_array_equal(classes, full.classes_[t])
            np.testing.assert_allclose(proba[t][list(test)], fold_proba[t])
    # scikit-learn's version turns each task's missing cell into a third class.
    sk_proba = sk.cross_val_predict(clf, X, Y, cv=CV, method="predict_proba")
    assert [p.shape[1] for p in sk_proba] == [3, 3, 2]


def test_predict_proba_with_a_sentinel_missing_label():
    X, Y = make_problem(n_samples=90)
    Y = np.column_stack([Y[:, 0].astype(int), Y[:, 2].astype(int)])
    Y[::3, 0] = -1
    clf = MultiTaskNetClassifier(**FAST, missing_label=-1)
    proba = cross_val_predict(clf, X, Y, cv=CV, method="predict_proba")
    assert [p.shape for p in proba] == [(90, 2), (90, 2)]


def test_an_integer_cv_works_where_scikit_learns_check_cv_fails(missing_problem):
    X, Y = missing_problem
    clf = MultiTaskNetClassifier(**FAST)
    with pytest.raises(TypeError, match="'<' not supported"):
        sk.cross_val_predict(clf, X, Y, cv=3)
    predicted = cross_val_predict(clf, X, Y, cv=3)
    for train, test in check_cv(3).split(X, Y):
        fold = clone(clf).fit(X[train], Y[train])
        np.testing.assert_array_equal(predicted[test], fold.predict(X[test]))


def test_a_single_task_gives_one_array_with_a_class_missing_from_a_fold():
    X, Y = make_problem(n_samples=60)
    y = Y[:, 1].copy()
    y[:3] = "rare"  # all in the first test fold: never in its training rows
    clf = MultiTaskNetClassifier(**FAST)
    proba = cross_val_predict(clf, X, y, cv=KFold(3), method="predict_proba")
    assert proba.shape == (60, 3)  # down, rare, up
    first_fold = np.arange(20)
    np.testing.assert_array_equal(proba[first_fold, 1], 0.0)
    assert cross_val_predict(clf, X, y, cv=KFold(3)).shape == (60,)


def test_bad_method_and_non_partition_cv_are_refused(missing_problem):
    X, Y = missing_problem
    clf = MultiTaskNetClassifier(**FAST)
    with pytest.raises(ValueError, match="method must be one of"):
        cross_val_predict(clf, X, Y, method="decision_function")
    with pytest.raises(ValueError, match="partition the samples"):
        cross_val_predict(clf, X, Y, cv=ShuffleSplit(2, random_state=0))
