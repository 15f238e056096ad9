"""One fitted-state record: a fit and a load give the same fitted estimator.

``fit`` and :func:`sklmtl.io.load` fill one record through one setter; these
tests compare everything a fitted estimator holds beyond its parameters after
``fit`` with what it holds after ``save`` + ``load``, for every estimator, so
that an attribute one of them forgets (or sets elsewhere) fails here.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import torch

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl._tabular import TabularEncoder
from sklmtl._tasks import OutputLayout
from sklmtl.io import load, save

from .conftest import FAST

SMALL = {**FAST, "max_epochs": 2, "batch_size": 16}


def _table(n=40):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "size": rng.normal(size=n),
        }
    )
    labels = pd.DataFrame(
        {
            "big": np.where(X["num"] > 0, "yes", "no"),
            "level": rng.randint(0, 3, n),
        }
    )
    values = pd.DataFrame(
        {"a": X["num"] * 3 + 1, "b": X["size"] - 2 + rng.normal(size=n)}
    )
    mixed = pd.DataFrame({"big": labels["big"], "a": values["a"]})
    return X, labels, values, mixed


X, LABELS, VALUES, MIXED = _table()

# Every estimator on a table with a categorical column, and two more kinds
# of fit: a plain array with a 1-D binary y (one logit per task, no column
# names, no table encoder) and a binary 2-D y.
ESTIMATORS = {
    "classifier": (
        lambda: MultiTaskNetClassifier(class_weight="balanced", **SMALL),
        X,
        LABELS,
    ),
    "regressor": (
        lambda: MultiTaskNetRegressor(loss="gaussian_nll", **SMALL),
        X,
        VALUES,
    ),
    "mixed": (
        lambda: MultiTaskNet(task_types={"big": "classification"}, **SMALL),
        X,
        MIXED,
    ),
    "binary-1d-array": (
        lambda: MultiTaskNetClassifier(**SMALL),
        X[["num", "size"]].to_numpy(),
        LABELS["big"].to_numpy(),
    ),
    "binary-2d": (
        lambda: MultiTaskNetClassifier(**SMALL),
        X,
        LABELS[["big"]],
    ),
}


def _same(a, b):
    """Deep equality of fitted values (arrays by dtype and content)."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(
            _same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, OutputLayout):
        return (
            a.loss_kinds == b.loss_kinds
            and a.widths == b.widths
            and _same([t.state() for t in a.tasks], [t.state() for t in b.tasks])
        )
    if isinstance(a, TabularEncoder):
        return _same(a.state(), b.state())
    if torch.is_tensor(a):
        return torch.is_tensor(b) and torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and _same(a.tolist(), b.tolist())
        )
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and list(a) == list(b)
            and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, (list, tuple)):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return type(a) is type(b) and a == b


def _fitted_names(est):
    """What ``est`` holds beyond its parameters (public and private)."""
    params = set(est.get_params(deep=False)) | {"_extra_params"}
    return {name for name in vars(est) if name not in params}


@pytest.fixture(scope="module", params=list(ESTIMATORS))
def fitted_and_loaded(request, tmp_path_factory):
    make, X_fit, Y = ESTIMATORS[request.param]
    est = make().fit(X_fit, Y)
    path = tmp_path_factory.mktemp("fitted") / "model.safetensors"
    save(est, path)
    return est, load(path)


def test_a_loaded_estimator_holds_the_same_fitted_attributes(fitted_and_loaded):
    est, loaded = fitted_and_loaded
    names = _fitted_names(est)
    assert names == _fitted_names(loaded)
    # The public fitted attributes scikit-learn's conventions name, and the
    # record with the training state they come from.
    assert {"n_tasks_", "task_names_", "n_features_in_"} <= names
    assert {"do_early_stopping_", "history_", "n_iter_", "net_"} <= names
    assert {"_fitted_state", "_rng_state"} <= names
    for name in sorted(names - {"net_", "history_"}):
        assert _same(getattr(est, name), getattr(loaded, name)), name
    # The history is JSON in the file: equal values (numpy scalars read back
    # as Python numbers).
    assert list(est.history_) == list(loaded.history_)


def test_the_estimators_own_attributes_come_from_the_record(fitted_and_loaded):
    est, loaded = fitted_and_loaded
    own = {
        MultiTaskNetClassifier: {"classes_"},
        MultiTaskNetRegressor: {"task_types_", "target_mean_", "target_scale_"},
        MultiTaskNet: {"task_types_", "classes_"},
    }[type(est)]
    assert own <= _fitted_names(loaded)
    if isinstance(est._fitted_state.tabular, TabularEncoder):
        assert list(loaded.feature_names_in_) == ["num", "colour", "size"]
    else:
        assert not hasattr(loaded, "feature_names_in_")


def test_the_record_round_trips_through_its_dict(fitted_and_loaded):
    est, loaded = fitted_and_loaded
    state = est._fitted_state
    attributes = state.to_dict()
    back = type(state).from_dict(attributes, state.network_params)
    assert _same(back, state)
    assert _same(back.to_dict(), attributes)
    assert _same(loaded._fitted_state, state)


def test_fitted_names_are_read_only_views_of_the_record(fitted_and_loaded):
    """Only the setter writes what a fit learned: a stray assignment fails."""
    est, _ = fitted_and_loaded
    for name in ("_tasks", "_layout", "_input_shape", "_tabular", "_next_seed"):
        with pytest.raises(AttributeError):
            setattr(est, name, None)


def test_a_continued_fit_keeps_the_record_in_step(tmp_path):
    """warm_start and partial_fit go through the same setter as fit and load."""
    est = MultiTaskNetClassifier(**SMALL, warm_start=True).fit(X, LABELS)
    before = est._fitted_state
    est.set_params(class_weight=[{"no": 1.0, "yes": 2.0}, None]).fit(X, LABELS)
    est.partial_fit(X.iloc[:20], LABELS.iloc[:20])
    after = est._fitted_state
    assert after is not before
    assert after.next_seed == before.next_seed
    assert before.class_weights is None and after.class_weights is not None
    save(est, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    assert _fitted_names(est) == _fitted_names(loaded)
    assert _same(loaded._fitted_state, after)
    np.testing.assert_array_equal(est.predict(X), loaded.predict(X))
