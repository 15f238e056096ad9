"""A matrix of bad inputs: each raises a clear error and leaves the inputs alone."""

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from sklmtl import MultiTaskNetClassifier

from .conftest import FAST, make_problem

X_OK, Y_OK = make_problem(n_samples=60)
COLUMNS = [f"f{i}" for i in range(X_OK.shape[1])]


def _with(X, i, j, value, dtype=None):
    X = X.astype(dtype or X.dtype, copy=True)
    X[i, j] = value
    return X


def _y_one_class():
    Y = Y_OK.copy()
    Y[:, 1] = "up"
    return Y


def _y_all_missing():
    Y = Y_OK.copy()
    Y[:, 2] = None
    return Y


def _y_unhashable():
    Y = Y_OK.copy()
    Y[3, 1] = ["a", "list"]
    return Y


def _fitted():
    return MultiTaskNetClassifier(**FAST).fit(X_OK, Y_OK)


def _fitted_on_frame():
    return MultiTaskNetClassifier(**FAST).fit(pd.DataFrame(X_OK, columns=COLUMNS), Y_OK)


X_FRAME = pd.DataFrame(X_OK, columns=COLUMNS)
X_STRINGS = X_OK.astype(object)
X_STRINGS[0, 0] = "seven"

# (id, method, make_estimator, X, Y, params, error, message pattern)
CASES = [
    # --- X at fit
    ("X NaN", "fit", None, _with(X_OK, 0, 0, np.nan), Y_OK, {}, ValueError, "NaN"),
    ("X inf", "fit", None, _with(X_OK, 1, 2, np.inf), Y_OK, {}, ValueError, "infinity"),
    (
        "X complex",
        "fit",
        None,
        _with(X_OK, 0, 0, 1 + 2j, complex),
        Y_OK,
        {},
        ValueError,
        "[Cc]omplex",
    ),
    ("X string", "fit", None, X_STRINGS, Y_OK, {}, ValueError, "seven|string|float"),
    ("X 1-D", "fit", None, X_OK[:, 0], Y_OK, {}, ValueError, "2D array"),
    (
        "X 3-D",
        "fit",
        None,
        X_OK.reshape(60, 2, 3),
        Y_OK,
        {},
        ValueError,
        "3 dimensions",
    ),
    ("X empty", "fit", None, X_OK[:0], Y_OK[:0], {}, ValueError, "0 sample"),
    ("X zero features", "fit", None, X_OK[:, :0], Y_OK, {}, ValueError, "0 feature"),
    (
        "X/Y lengths",
        "fit",
        None,
        X_OK[:50],
        Y_OK,
        {},
        ValueError,
        "inconsistent numbers of samples",
    ),
    # --- Y at fit
    ("Y 3-D", "fit", None, X_OK, np.zeros((60, 2, 2)), {}, ValueError, "3 dimensions"),
    (
        "Y continuous",
        "fit",
        None,
        X_OK,
        np.random.RandomState(0).rand(60, 2),
        {},
        ValueError,
        "continuous",
    ),
    (
        "Y one class",
        "fit",
        None,
        X_OK,
        _y_one_class(),
        {},
        ValueError,
        "task_1.*one class",
    ),
    (
        "Y task all missing",
        "fit",
        None,
        X_OK,
        _y_all_missing(),
        {},
        ValueError,
        "task_2.*no labelled",
    ),
    ("Y unhashable label", "fit", None, X_OK, _y_unhashable(), {}, TypeError, "task_1"),
    ("Y None", "fit", None, X_OK, None, {}, ValueError, "requires y"),
    (
        "Y sparse",
        "fit",
        None,
        X_OK,
        sp.csr_matrix(np.ones((60, 2))),
        {},
        TypeError,
        "sparse",
    ),
    # --- hyperparameters at fit, named
    ("lr negative", "fit", {"lr": -0.1}, X_OK, Y_OK, {}, ValueError, "lr"),
    (
        "batch_size 0",
        "fit",
        {"batch_size": 0},
        X_OK,
        Y_OK,
        {},
        ValueError,
        "batch_size",
    ),
    (
        "unknown weighting",
        "fit",
        {"task_weighting": "magic"},
        X_OK,
        Y_OK,
        {},
        ValueError,
        "task_weighting.*magic",
    ),
    (
        "zero-width layer",
        "fit",
        {"hidden_layer_sizes": (16, 0)},
        X_OK,
        Y_OK,
        {},
        ValueError,
        "hidden_layer_sizes",
    ),
    (
        "max_epochs 0",
        "fit",
        {"max_epochs": 0},
        X_OK,
        Y_OK,
        {},
        ValueError,
        "max_epochs",
    ),
    ("dropout 1.5", "fit", {"dropout": 1.5}, X_OK, Y_OK, {}, ValueError, "dropout"),
    (
        "unknown kwarg",
        "fit",
        {"trunk_size": 3},
        X_OK,
        Y_OK,
        {},
        TypeError,
        "trunk_size",
    ),
    (
        "validation_fraction",
        "fit",
        {"early_stopping": True, "validation_fraction": 1.0},
        X_OK,
        Y_OK,
        {},
        ValueError,
        "validation_fraction",
    ),
    # --- predict / predict_proba / score
    ("predict unfitted", "predict", None, X_OK, None, {}, NotFittedError, "not fitted"),
    (
        "predict wrong n_features",
        "predict",
        _fitted,
        X_OK[:, :4],
        None,
        {},
        ValueError,
        "4 features.*expecting 6",
    ),
    (
        "predict_proba NaN",
        "predict_proba",
        _fitted,
        _with(X_OK, 0, 0, np.nan),
        None,
        {},
        ValueError,
        "NaN",
    ),
    ("predict 1-D", "predict", _fitted, X_OK[0], None, {}, ValueError, "2D array"),
    (
        "predict renamed columns",
        "predict",
        _fitted_on_frame,
        X_FRAME.rename(columns={"f0": "zero"}),
        None,
        {},
        ValueError,
        "feature names",
    ),
    (
        "predict reordered columns",
        "predict_proba",
        _fitted_on_frame,
        X_FRAME[COLUMNS[::-1]],
        None,
        {},
        ValueError,
        "feature names",
    ),
    ("score wrong tasks", "score", _fitted, X_OK, Y_OK[:, :2], {}, ValueError, "task"),
    ("score lengths", "score", _fitted, X_OK, Y_OK[:10], {}, ValueError, "samples"),
    # --- partial_fit
    (
        "partial_fit task count",
        "partial_fit",
        _fitted,
        X_OK,
        Y_OK[:, :2],
        {},
        ValueError,
        "number of tasks|2 task",
    ),
    (
        "partial_fit new class",
        "partial_fit",
        _fitted,
        X_OK,
        np.where(Y_OK == "up", "sideways", Y_OK),
        {},
        ValueError,
        "task_1.*sideways",
    ),
    (
        "partial_fit n_features",
        "partial_fit",
        _fitted,
        X_OK[:, :3],
        Y_OK,
        {},
        ValueError,
        "features",
    ),
    (
        "partial_fit classes shape",
        "partial_fit",
        None,
        X_OK,
        Y_OK,
        {"classes": np.array([0, 1])},
        ValueError,
        "one array of classes per task",
    ),
]


def _copy(value):
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=True)
    return copy.deepcopy(value)


def _same(a, b):
    if a is None:
        return b is None
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
        return True
    if sp.issparse(a):
        return (a != b).nnz == 0
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "O":
        return a.shape == b.shape and all(
            x is y or x == y or (x != x and y != y)
            for x, y in zip(a.ravel().tolist(), b.ravel().tolist())
        )
    np.testing.assert_array_equal(a, b)
    return True


def test_the_matrix_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize(
    "method, make, X, Y, kwargs, error, match",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_raises_a_clear_error(method, make, X, Y, kwargs, error, match):
    if make is None or isinstance(make, dict):
        est = MultiTaskNetClassifier(**{**FAST, **(make or {})})
    else:
        est = make()
    X_before, Y_before = _copy(X), _copy(Y)
    args = (X,) if method in ("predict", "predict_proba") else (X, Y)
    with pytest.raises(error, match=match):
        getattr(est, method)(*args, **kwargs)
    assert _same(X_before, X), "X was modified"
    assert _same(Y_before, Y), "Y was modified"
