"""``dtype``: the floating-point type the network trains and predicts in."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from torch.utils.data import TensorDataset

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.callbacks import TaskAffinity
from sklmtl.io import load, save, to_onnx
from sklmtl.weighting import ALIASES

FAST = dict(hidden_layer_sizes=(16,), max_epochs=3, batch_size=16, random_state=0)

pytestmark = pytest.mark.filterwarnings(
    "ignore:You are solving a parameterized problem that is not DPP"
)


def _problem(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    Y = np.c_[X[:, 0] > 0, (X[:, 1] > 0).astype(int) + (X[:, 2] > 0)]
    return X, Y


def _dtypes(estimator):
    """The dtypes of every trained parameter and optimizer parameter."""
    net = estimator.net_
    params = list(net.module_.parameters()) + list(net.criterion_.parameters())
    optimized = [p for g in net.optimizer_.param_groups for p in g["params"]]
    return {p.dtype for p in params} | {p.dtype for p in optimized}


def test_default_is_float32_and_float64_trains_in_float64():
    X, Y = _problem()
    assert MultiTaskNetClassifier().dtype == "float32"
    assert _dtypes(MultiTaskNetClassifier(**FAST).fit(X, Y)) == {torch.float32}
    clf = MultiTaskNetClassifier(**FAST, dtype="float64").fit(X, Y)
    assert _dtypes(clf) == {torch.float64}
    for proba in clf.predict_proba(X):
        assert proba.dtype == np.float64
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("weighting", sorted(ALIASES))
def test_every_weighting_trains_in_float64(weighting):
    X, Y = _problem()
    clf = MultiTaskNetClassifier(**FAST, dtype="float64", task_weighting=weighting)
    clf.fit(X, Y)
    assert _dtypes(clf) == {torch.float64}
    again = MultiTaskNetClassifier(**FAST, dtype="float64", task_weighting=weighting)
    np.testing.assert_array_equal(again.fit(X, Y).predict(X), clf.predict(X))


@pytest.mark.parametrize("architecture", ["hps", "mmoe", "ple", "cross_stitch"])
def test_every_architecture_and_both_binary_paths_train_in_float64(architecture):
    X, Y = _problem()
    binary = np.c_[Y[:, 0], X[:, 3] > 0]
    clf = MultiTaskNetClassifier(**FAST, dtype="float64", architecture=architecture)
    assert _dtypes(clf.fit(X, binary)) == {torch.float64}
    assert clf.predict_positive_proba(X).dtype == np.float64
    assert _dtypes(clf.fit(X, Y)) == {torch.float64}


@pytest.mark.parametrize("as_sparse", [False, True])
def test_float64_weighted_fit_equals_fit_on_repeated_rows(as_sparse):
    # What float32 cannot give (the two differ by ~5e-8 there): scikit-learn's
    # sample-weight equivalence at rtol 1e-7 (tests/test_common_checks.py).
    rng = np.random.RandomState(1)
    X = rng.normal(size=(15, 3))
    Y = np.c_[rng.randint(0, 2, 15), rng.randint(0, 3, 15)]
    weights = rng.randint(0, 3, 15)
    repeated = np.repeat(X, weights, axis=0)
    if as_sparse:
        X, repeated = sp.csr_matrix(X), sp.csr_matrix(repeated)
    params = dict(hidden_layer_sizes=(32,), max_epochs=20, lr=0.01, random_state=0)
    weighted = MultiTaskNetClassifier(**params, dtype="float64")
    weighted.fit(X, Y, sample_weight=weights)
    plain = MultiTaskNetClassifier(**params, dtype="float64")
    plain.fit(repeated, np.repeat(Y, weights, axis=0))
    for a, b in zip(weighted.predict_proba(X), plain.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_float64_keeps_input_precision():
    # Two inputs that float32 rounds to the same value get different outputs.
    X, Y = _problem()
    clf = MultiTaskNetRegressor(**FAST, dtype="float64").fit(X, X[:, :2])
    close = np.array([[1.0, 0.5, 0.5, 0.5], [1.0 + 1e-9, 0.5, 0.5, 0.5]])
    assert np.float32(close[0, 0]) == np.float32(close[1, 0])
    out = clf.predict(close)
    assert not np.array_equal(out[0], out[1])


def test_float64_regressor_mixed_table_and_dataset_inputs():
    X, Y = _problem()
    reg = MultiTaskNetRegressor(**FAST, dtype="float64").fit(X, X[:, :2] * 3.0)
    assert _dtypes(reg) == {torch.float64}
    assert reg.predict(X).dtype == np.float64
    frame = pd.DataFrame(
        {
            "size": X[:, 0],
            "colour": pd.Categorical(np.where(X[:, 1] > 0, "red", "blue")),
        }
    )
    targets = pd.DataFrame({"label": Y[:, 1], "value": X[:, 2] * 2.5})
    mixed = MultiTaskNet(**FAST, dtype="float64").fit(frame, targets)
    assert _dtypes(mixed) == {torch.float64}
    assert mixed.predict(frame).shape == (len(frame), 2)
    images = TensorDataset(torch.as_tensor(X, dtype=torch.float32))
    clf = MultiTaskNetClassifier(**FAST, dtype="float64").fit(images, Y)
    assert _dtypes(clf) == {torch.float64}
    np.testing.assert_array_equal(clf.predict(images), clf.predict(X))


def test_affinity_callback_measures_a_float64_network():
    X, Y = _problem()
    clf = MultiTaskNetClassifier(
        **FAST, dtype="float64", callbacks=[TaskAffinity(every=1)]
    ).fit(X, Y)
    assert np.isfinite(clf.task_affinity_).all()


def test_changing_dtype_needs_a_new_network():
    X, Y = _problem()
    clf = MultiTaskNetClassifier(**FAST, warm_start=True).fit(X, Y)
    before = clf.predict_proba(X)
    clf.set_params(dtype="float64")
    # Prediction keeps using the fitted (float32) network ...
    for a, b in zip(clf.predict_proba(X), before):
        np.testing.assert_array_equal(a, b)
    # ... and a continued fit refuses to change it.
    with pytest.raises(ValueError, match="dtype changed since the network was"):
        clf.fit(X, Y)
    clf.set_params(warm_start=False).fit(X, Y)
    assert _dtypes(clf) == {torch.float64}


def test_save_load_and_onnx_keep_float64(tmp_path):
    X, Y = _problem()
    clf = MultiTaskNetClassifier(**FAST, dtype="float64").fit(X, Y)
    save(clf, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    assert loaded.dtype == "float64" and _dtypes(loaded) == {torch.float64}
    for a, b in zip(loaded.predict_proba(X), clf.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    to_onnx(clf, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    outputs = session.run(None, {"X": X})
    for got, want in zip(outputs, clf.predict_proba(X)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_numpy_and_torch_spellings_are_the_same_network(tmp_path):
    X, Y = _problem()
    reference = MultiTaskNetClassifier(**FAST, dtype="float64").fit(X, Y)
    for spelling in (np.float64, np.dtype("float64"), torch.float64):
        clf = MultiTaskNetClassifier(**FAST, dtype=spelling).fit(X, Y)
        assert _dtypes(clf) == {torch.float64}
        for a, b in zip(clf.predict_proba(X), reference.predict_proba(X)):
            np.testing.assert_array_equal(a, b)
        # A continued fit with another spelling of the same dtype is allowed.
        clf.set_params(warm_start=True, dtype="float64").fit(X, Y)
    clf = MultiTaskNetClassifier(**FAST, dtype=np.float32).fit(X, Y)
    assert _dtypes(clf) == {torch.float32}


def test_save_load_keeps_the_fitted_dtype_after_set_params(tmp_path):
    # As in memory and with pickle: set_params(dtype=...) acts at the next
    # new fit, not on the saved network.
    X, Y = _problem()
    clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
    before = clf.predict_proba(X)
    clf.set_params(dtype="float64")
    save(clf, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    assert loaded.dtype == "float64" and _dtypes(loaded) == {torch.float32}
    for a, b in zip(loaded.predict_proba(X), before):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="dtype changed since the network was"):
        loaded.set_params(warm_start=True).fit(X, Y)


@pytest.mark.parametrize("bad", ["float16", "double", np.float16, np.int64, 64, None])
def test_bad_dtype_is_a_clear_error(bad):
    X, Y = _problem()
    with pytest.raises((ValueError, TypeError), match="'dtype' parameter"):
        MultiTaskNetClassifier(**FAST, dtype=bad).fit(X, Y)
