"""Safe persistence (sklmtl.io.save/load) and ONNX export."""

import hashlib
import json
import pickle
import struct

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from sklmtl import MultiTaskNetClassifier
from sklmtl.io import load, save, to_onnx
from sklmtl.io._codec import Decoder
from sklmtl.weighting import ALIASES, MGDA, UncertaintyWeighting

from .conftest import FAST, make_problem

pytestmark = pytest.mark.filterwarnings(
    "ignore:You are solving a parameterized problem that is not DPP"
)


def _assert_same_predictions(a, b, X):
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    for p, q in zip(a.predict_proba(X), b.predict_proba(X)):
        np.testing.assert_array_equal(p, q)


def _rewrite_metadata(path, edit):
    """Edit the JSON metadata of a safetensors file in place (a tampering).

    A deliberate edit recomputes the metadata's SHA-256 digest, as anyone
    can (the digest detects damage; the allow-list guards against edits).
    """
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    metadata = header["__metadata__"]
    edit(metadata)
    if "sha256_metadata" in metadata:
        entries = {k: v for k, v in metadata.items() if k != "sha256_metadata"}
        metadata["sha256_metadata"] = hashlib.sha256(
            json.dumps(entries, sort_keys=True).encode()
        ).hexdigest()
    new = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(new)) + new + raw[8 + length :])


@pytest.mark.parametrize("weighting", sorted(ALIASES))
def test_round_trip_every_weighting(weighting, tmp_path):
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 3}, task_weighting=weighting)
    clf.fit(X, Y)
    save(clf, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    _assert_same_predictions(clf, loaded, X)
    assert loaded.get_params()["task_weighting"] == weighting


@pytest.mark.parametrize(
    "params",
    [
        {"architecture": "hps", "head_hidden_size": 8, "batch_norm": True},
        {"architecture": "mmoe", "architecture__n_experts": 3},
        {
            "trunk": "cnn",
            "image_shape": (2, 3),
            "trunk__conv_channels": (4,),
            "trunk__kernel_size": 1,
            "trunk__fc_size": 8,
        },
        {
            "task_weighting": UncertaintyWeighting(),
            "class_weight": "balanced",
            "optimizer": torch.optim.SGD,
            "dropout": 0.2,
        },
        {"task_weighting": MGDA(epsilon=0.01), "missing_label": -1},
        {"task_weighting": [1.0, 2.0, 0.5], "hidden_layer_sizes": [8, 4]},
    ],
    ids=["hps", "mmoe", "cnn", "objects", "aggregator", "fixed"],
)
def test_round_trip_every_architecture_and_parameter_kind(params, tmp_path):
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 3, **params}).fit(X, Y)
    save(clf, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    _assert_same_predictions(clf, loaded, X)
    assert repr(loaded.get_params()) == repr(clf.get_params())


def test_round_trip_keeps_names_labels_and_history(tmp_path):
    X, Y = make_problem()
    X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    y = pd.Series(Y[:, 1], name="direction")
    clf = MultiTaskNetClassifier(**FAST).fit(X_df, y)
    save(clf, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    assert loaded.classes_.tolist() == ["down", "up"]
    assert loaded.classes_.dtype == clf.classes_.dtype
    assert loaded.task_names_ == ["direction"]
    assert loaded.feature_names_in_.tolist() == list(X_df.columns)
    assert loaded.n_iter_ == clf.n_iter_ == len(loaded.history_)
    assert loaded.history_[-1, "train_loss"] == clf.history_[-1, "train_loss"]
    _assert_same_predictions(clf, loaded, X_df)
    with pytest.raises(ValueError, match="feature names"):
        loaded.predict(X_df[X_df.columns[::-1]])


def test_resume_after_save_and_load_matches_training_in_one_go(tmp_path):
    X, Y = make_problem()
    params = {**FAST, "dropout": 0.1}
    one_go = MultiTaskNetClassifier(**{**params, "max_epochs": 8}).fit(X, Y)
    first = MultiTaskNetClassifier(**{**params, "max_epochs": 5}).fit(X, Y)
    save(first, tmp_path / "checkpoint.safetensors")
    resumed = load(tmp_path / "checkpoint.safetensors")
    resumed.set_params(warm_start=True, max_epochs=3)
    resumed.fit(X, Y)
    assert resumed.n_iter_ == 8
    for a, b in zip(one_go.predict_proba(X), resumed.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_edited_file_naming_another_callable_is_refused(tmp_path):
    X, Y = make_problem()
    path = tmp_path / "m.safetensors"
    save(MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(X, Y), path)

    def point_optimizer_at_os_system(metadata):
        payload = json.loads(metadata["sklmtl"])
        payload["params"]["optimizer"] = {"__class__": "os.system"}
        metadata["sklmtl"] = json.dumps(payload)

    _rewrite_metadata(path, point_optimizer_at_os_system)
    with pytest.raises(ValueError, match=r"Refusing to load.*'os\.system'"):
        load(path)


def test_edited_object_reference_is_refused(tmp_path):
    X, Y = make_problem()
    path = tmp_path / "m.safetensors"
    save(MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(X, Y), path)

    def weighting_is_subprocess(metadata):
        payload = json.loads(metadata["sklmtl"])
        payload["params"]["task_weighting"] = {
            "__object__": "subprocess.Popen",
            "params": {"args": "echo pwned"},
        }
        metadata["sklmtl"] = json.dumps(payload)

    _rewrite_metadata(path, weighting_is_subprocess)
    with pytest.raises(ValueError, match="subprocess.Popen"):
        load(path)


class _Boom:
    def __reduce__(self):
        return (pytest.fail, ("a pickle was executed",))


def test_pickle_renamed_to_the_expected_name_is_refused(tmp_path):
    path = tmp_path / "m.safetensors"
    path.write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(
        ValueError, match="not an sklmtl model file.*never reads pickle"
    ):
        load(path)
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(*make_problem())
    torch_file = tmp_path / "torch.safetensors"
    torch.save(clf.net_.module_.state_dict(), torch_file)
    with pytest.raises(ValueError, match="not an sklmtl model file"):
        load(torch_file)


def test_incompatible_format_version_says_so(tmp_path):
    X, Y = make_problem()
    path = tmp_path / "m.safetensors"
    save(MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(X, Y), path)

    def from_the_future(metadata):
        metadata["format_version"] = "99"
        payload = json.loads(metadata["sklmtl"])
        payload["versions"]["sklmtl"] = "9.0.0"
        metadata["sklmtl"] = json.dumps(payload)

    _rewrite_metadata(path, from_the_future)
    with pytest.raises(
        ValueError, match=r"format version 99 \(written by sklmtl 9.0.0\)"
    ):
        load(path)


def test_weights_that_do_not_fit_are_reported(tmp_path):
    X, Y = make_problem()
    path = tmp_path / "m.safetensors"
    save(MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(X, Y), path)

    def wider(metadata):
        payload = json.loads(metadata["sklmtl"])
        payload["params"]["hidden_layer_sizes"] = {"__tuple__": [32]}
        metadata["sklmtl"] = json.dumps(payload)

    _rewrite_metadata(path, wider)
    with pytest.raises(ValueError, match="do not fit the network"):
        load(path)


class WideTrunk(nn.Module):
    def __init__(self, n_features=6, width=8):
        super().__init__()
        self.layer = nn.Linear(n_features, width)

    def forward(self, X):
        return torch.relu(self.layer(X.flatten(1)))


def test_custom_trunk_classes_need_custom_objects(tmp_path):
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**FAST, trunk=WideTrunk, trunk__width=5).fit(X, Y)
    path = tmp_path / "m.safetensors"
    save(clf, path)
    with pytest.raises(ValueError, match="custom_objects"):
        load(path)
    loaded = load(path, custom_objects={"WideTrunk": WideTrunk})
    _assert_same_predictions(clf, loaded, X)


def test_unsaveable_parameters_are_refused_at_save(tmp_path):
    X, Y = make_problem()
    with_instance = MultiTaskNetClassifier(**FAST, trunk=WideTrunk()).fit(X, Y)
    with pytest.raises(TypeError, match="module instance"):
        save(with_instance, tmp_path / "a.safetensors")
    from skorch.callbacks import EpochTimer

    with_callbacks = MultiTaskNetClassifier(**FAST, callbacks=[EpochTimer()]).fit(X, Y)
    with pytest.raises(TypeError, match="callbacks=None"):
        save(with_callbacks, tmp_path / "b.safetensors")
    with pytest.raises(ValueError, match="not fitted"):
        save(MultiTaskNetClassifier(), tmp_path / "c.safetensors")
    assert not any(tmp_path.iterdir())


def test_to_onnx_matches_predict_proba(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    X, Y = make_problem()
    for params, data in [
        ({}, X),
        (
            {
                "trunk": "cnn",
                "image_shape": (2, 3),
                "trunk__conv_channels": (4,),
                "trunk__kernel_size": 1,
                "trunk__fc_size": 8,
            },
            X,
        ),
    ]:
        clf = MultiTaskNetClassifier(**FAST, **params).fit(data, Y)
        path = tmp_path / "m.onnx"
        names = to_onnx(clf, path)
        assert names == ["proba_task_0", "proba_task_1", "proba_task_2"]
        session = ort.InferenceSession(str(path))
        for rows in (1, 7, len(data)):  # the batch axis is dynamic
            outputs = session.run(None, {"X": data[:rows]})
            for got, want in zip(outputs, clf.predict_proba(data[:rows])):
                np.testing.assert_allclose(got, want, atol=1e-5)


# ------------------------------------------------------- ONNX: regression units
def _onnx_outputs(estimator, path, X):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    names = to_onnx(estimator, path)
    return names, ort.InferenceSession(str(path)).run(None, {"X": X})


def _assert_matches_in_target_units(got, want, mean, scale):
    """ONNX against ``predict``: float32 network outputs (agreeing to ~1e-6 in
    standardised units) scaled by ``scale`` and shifted by ``mean`` in
    float64, so the tolerance is a few 1e-6 of ``scale`` plus float64's
    rounding of ``mean``; float32 steps (8 near 1e8) are far outside it."""
    atol = 2e-5 * scale + 4 * np.finfo(np.float64).eps * np.abs(mean)
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=0, atol=atol)
    assert got.dtype == np.float64


@pytest.mark.parametrize(
    ("offsets", "scales"),
    [
        ([1e8], [2.0]),  # the y = 1e8 + 2 * x
        ([1.0], [1e-8]),  # a tiny spread around 1
        ([-1e8], [1e-3]),
        # several targets with very different offsets and scales
        ([1e8, 0.0, -3e5, 1e-6, 1e12], [2.0, 1e-8, 1e5, 1e-9, 1e4]),
        # means the exporter's optimizer took for zero (within 1e-8)
        ([5e-9], [1e-8]),
        ([5e-13, -6e-9], [1e-12, 1e-7]),
    ],
    ids=[
        "offset1e8",
        "scale1e-8",
        "offset-1e8-scale1e-3",
        "mixed",
        "mean5e-9",
        "tiny-means",
    ],
)
def test_onnx_regression_matches_predict_for_large_offsets_and_tiny_scales(
    offsets, scales, tmp_path
):
    from sklmtl import MultiTaskNetRegressor

    rng = np.random.RandomState(0)
    X = rng.rand(30, 3).astype(np.float32)
    signal = X.astype(np.float64) @ rng.randn(3, len(offsets))
    Y = np.asarray(offsets) + np.asarray(scales) * signal
    reg = MultiTaskNetRegressor(**{**FAST, "max_epochs": 3}).fit(X, Y)
    names, outputs = _onnx_outputs(reg, tmp_path / "reg.onnx", X)
    assert names == [f"value_task_{t}" for t in range(len(offsets))]
    want = reg.predict(X)
    for t, got in enumerate(outputs):
        _assert_matches_in_target_units(
            got, want[:, t], reg.target_mean_[t], reg.target_scale_[t]
        )


def test_onnx_gaussian_nll_exports_mean_and_std(tmp_path):
    from sklmtl import MultiTaskNetRegressor

    onnx = pytest.importorskip("onnx")
    rng = np.random.RandomState(1)
    X = rng.rand(30, 2).astype(np.float32)
    x = X.astype(np.float64)
    Y = np.column_stack([1e8 + 2 * x[:, 0], 1e-6 * x[:, 1]])
    reg = MultiTaskNetRegressor(loss="gaussian_nll", **{**FAST, "max_epochs": 3})
    reg.fit(X, pd.DataFrame(Y, columns=["mass", "dose"]))
    names, outputs = _onnx_outputs(reg, tmp_path / "reg.onnx", X)
    assert names == ["value_mass", "value_dose", "std_mass", "std_dose"]
    mean, std = reg.predict(X, return_std=True)
    for t in range(2):
        m, s = reg.target_mean_[t], reg.target_scale_[t]
        _assert_matches_in_target_units(outputs[t], mean[:, t], m, s)
        _assert_matches_in_target_units(outputs[2 + t], std[:, t], 0.0, s)
    props = {p.key: p.value for p in onnx.load(tmp_path / "reg.onnx").metadata_props}
    assert json.loads(props["sklmtl.tasks"]) == [
        {"task": name, "kind": "regression", "output": f"value_{name}"}
        | {"std_output": f"std_{name}"}
        for name in ("mass", "dose")
    ]


def test_onnx_export_prints_no_torchvision_notice(tmp_path, caplog):
    import logging

    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(X, Y)
    with caplog.at_level(logging.WARNING):
        _onnx_outputs(clf, tmp_path / "m.onnx", X)
        assert not [r for r in caplog.records if "torchvision" in r.getMessage()]
        # Only those notices are dropped, and only during the export: the
        # exporter's logger still reports anything else.
        logger = logging.getLogger("torch.onnx._internal.exporter._registration")
        logger.warning("another exporter warning")
    assert caplog.records[-1].getMessage() == "another exporter warning"


# ------------------------------------------------------------ label kinds
def _cells(a, b, n=8, missing=False):
    """An object column alternating two labels (one missing cell if asked)."""
    column = np.empty(n, dtype=object)
    for i in range(n):
        column[i] = a if i % 2 == 0 else b
    if missing:
        column[-1] = None
    return column


class _Colour:
    """A hashable, ordered label type of the user's own (no typed form)."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, _Colour) and other.name == self.name

    def __lt__(self, other):
        return self.name < other.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"_Colour({self.name!r})"


_ZONE = __import__("zoneinfo").ZoneInfo("Europe/Paris")
_FIXED = __import__("datetime").timezone(__import__("datetime").timedelta(hours=-3))
_LABEL_KINDS = {
    "int": np.array([3, 7] * 4),
    "float": np.array([1.0, 2.0] * 4),
    "str": np.array(["no", "yes"] * 4),
    "bool": np.array([False, True] * 4),
    "bytes": np.array([b"n", b"y"] * 4),
    "int32-cells": _cells(np.int32(1), np.int32(2), missing=True),
    "datetime64[D]": np.array(["2020-01-01", "2021-02-03"] * 4, dtype="M8[D]"),
    "datetime64[ns]": np.array(
        ["2020-01-01", "2020-01-01T00:00:00.000000001"] * 4, dtype="M8[ns]"
    ),
    "timedelta64[s]": np.array([5, 90] * 4, dtype="m8[s]"),
    "datetime64-cells": _cells(
        np.datetime64("2020-01-01"), np.datetime64("2021-01"), missing=True
    ),
    "pandas-datetime-column": pd.Series(
        pd.to_datetime(["2020-01-01", "2021-06-01"] * 4)
    ),
    "pandas-tz-column": pd.Series(
        pd.to_datetime(["2020-01-01", "2021-06-01"] * 4).tz_localize("Asia/Tokyo")
    ),
    "Timestamp": _cells(
        pd.Timestamp("2020-01-01"),
        pd.Timestamp("2021-06-01 12:00:00.000000001"),
        missing=True,
    ),
    "Timestamp-zone": _cells(
        pd.Timestamp("2020-01-01", tz=_ZONE), pd.Timestamp("2020-07-01", tz=_FIXED)
    ),
    "Timedelta": _cells(pd.Timedelta(1, "s"), pd.Timedelta(2, "D")),
    "datetime": _cells(
        __import__("datetime").datetime(2020, 3, 29, 2, 30, tzinfo=_ZONE),
        __import__("datetime").datetime(2021, 1, 1, tzinfo=_FIXED),
    ),
    "date": _cells(
        __import__("datetime").date(2020, 1, 1), __import__("datetime").date(2021, 1, 1)
    ),
    "timedelta": _cells(
        __import__("datetime").timedelta(1), __import__("datetime").timedelta(0, 3, 7)
    ),
    "Decimal": _cells(
        __import__("decimal").Decimal("1.50"), __import__("decimal").Decimal("2")
    ),
    "Fraction": _cells(
        __import__("fractions").Fraction(1, 3), __import__("fractions").Fraction(2, 3)
    ),
    "tuple": _cells((1, "a"), (2, np.datetime64("2020-01-01"))),
    "frozenset": _cells(frozenset({1}), frozenset({1, 2}), missing=True),
    # No typed form: save refuses, naming the task and the type.
    "Period": _cells(pd.Period("2020-01", "M"), pd.Period("2020-02", "M")),
    "own-class": _cells(_Colour("blue"), _Colour("red")),
}
_REFUSED = {"Period": "Period", "own-class": "_Colour"}


def _same_labels(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return (
        a.dtype == b.dtype
        and a.shape == b.shape
        and all(
            type(x) is type(y) and repr(x) == repr(y)
            for x, y in zip(a.ravel().tolist(), b.ravel().tolist())
        )
    )


@pytest.mark.parametrize("kind", list(_LABEL_KINDS))
def test_save_round_trips_every_label_kind_or_refuses_naming_the_task(kind, tmp_path):
    """Property over label kinds: what fit accepts, save keeps exactly (the
    classes and predict's labels, type and value) or refuses clearly."""
    labels = _LABEL_KINDS[kind]
    X = np.random.RandomState(0).rand(len(labels), 2).astype(np.float32)
    Y = pd.DataFrame({"when": labels, "other": np.arange(len(labels)) % 2})
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(X, Y)
    path = tmp_path / "m.safetensors"
    if kind in _REFUSED:
        match = rf"Cannot save task 'when'.*\({_REFUSED[kind]}\)"
        with pytest.raises(TypeError, match=match):
            save(clf, path)
        assert not path.exists()
        with pytest.raises(TypeError, match=match):
            to_onnx(clf, tmp_path / "m.onnx")
        return
    save(clf, path)
    loaded = load(path)
    for fitted, back in zip(clf.classes_, loaded.classes_):
        assert _same_labels(fitted, back)
    assert _same_labels(clf.predict(X), loaded.predict(X))


def test_predict_keeps_the_kind_of_time_labels():
    """A numpy or pandas datetime64/timedelta64 column predicts that dtype (as
    ``Series.to_numpy`` gives it); Timestamp, Timedelta or datetime objects
    (an object column, a time-zone-aware column) come back as those objects."""
    X = np.random.RandomState(0).rand(8, 2).astype(np.float32)
    fit = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit
    for kind, want in [
        ("datetime64[D]", np.dtype("M8[D]")),
        ("pandas-datetime-column", _LABEL_KINDS["pandas-datetime-column"].dtype),
        ("timedelta64[s]", np.dtype("m8[s]")),
    ]:
        labels = _LABEL_KINDS[kind]
        assert fit(X, labels).predict(X).dtype == want
    for kind, cls in [
        ("Timestamp", pd.Timestamp),
        ("pandas-tz-column", pd.Timestamp),
        ("Timedelta", pd.Timedelta),
        ("date", __import__("datetime").date),
    ]:
        labels = _LABEL_KINDS[kind]
        given = {repr(v) for v in labels if v is not None}
        predicted = fit(X, labels).predict(X)
        assert {type(v) for v in predicted} == {cls}
        assert {repr(v) for v in predicted} <= given


def test_a_format_4_file_still_loads(tmp_path):
    """Format 5 only adds label kinds (a version-4 file holds none of them),
    format 6 digests (a version-4 file has none: it loads with a warning)."""
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(X, Y)
    path = tmp_path / "m.safetensors"
    save(clf, path)

    def as_version_4(metadata):
        metadata["format_version"] = "4"
        payload = json.loads(metadata["sklmtl"])
        payload["format_version"] = 4
        metadata["sklmtl"] = json.dumps(payload)
        del metadata["sha256_tensors"], metadata["sha256_metadata"]

    _rewrite_metadata(path, as_version_4)
    with pytest.warns(UserWarning, match="format version 4, which carries no digest"):
        loaded = load(path)
    _assert_same_predictions(clf, loaded, X)


def test_a_format_4_file_without_the_later_attributes_reads_as_then(tmp_path):
    """Version-4 files of an older sklmtl lack tabular, dtype and
    do_early_stopping; the migration fills what that sklmtl meant."""
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}, early_stopping=True)
    clf.fit(X, Y)
    path = tmp_path / "m.safetensors"
    save(clf, path)

    def as_old_version_4(metadata):
        metadata["format_version"] = "4"
        payload = json.loads(metadata["sklmtl"])
        payload["format_version"] = 4
        for key in ("tabular", "dtype", "do_early_stopping"):
            del payload["fitted"][key]
        metadata["sklmtl"] = json.dumps(payload)
        del metadata["sha256_tensors"], metadata["sha256_metadata"]

    _rewrite_metadata(path, as_old_version_4)
    with pytest.warns(UserWarning, match="carries no digest"):
        loaded = load(path)
    assert loaded.do_early_stopping_ is True  # early_stopping=True then
    assert {p.dtype for p in loaded.net_.module_.parameters()} == {torch.float32}
    _assert_same_predictions(clf, loaded, X)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["M8", "m8"]),
    unit=st.sampled_from(["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns"]),
    counts=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=5),
)
def test_time_arrays_read_back_exactly_for_every_unit_and_value(kind, unit, counts):
    from sklmtl.io._label_codec import decode_array, encode_array

    arr = np.asarray(counts, dtype=np.int64).view(f"{kind}[{unit}]")  # NaT included
    back = decode_array(json.loads(json.dumps(encode_array(arr))), lambda v: v)
    assert back.dtype == arr.dtype
    assert back.view(np.int64).tolist() == counts
    cells = np.empty(len(arr), dtype=object)
    for i, value in enumerate(arr):
        cells[i] = value  # numpy scalars in an object column
    spec = json.loads(json.dumps(encode_array(cells)))
    back = decode_array(spec, Decoder(None).value)
    assert [(type(v), v.dtype, v.view(np.int64)) for v in back] == [
        (type(v), v.dtype, v.view(np.int64)) for v in arr
    ]
