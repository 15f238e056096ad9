"""Numeric scaling of tabular input (``numeric_scaling``): RealMLP's robust
scaling with smooth clipping, standardisation, or none."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl._tabular import TabularEncoder, robust_center_scale, smooth_clip
from sklmtl.io import load, save

SMALL = {"hidden_layer_sizes": (8,), "max_epochs": 3, "random_state": 0}


def make_numeric(n=48, seed=0):
    rng = np.random.RandomState(seed)
    X = np.c_[rng.normal(0, 1, n), rng.exponential(1.0, n), rng.randint(0, 3, n)]
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 1].astype(int)
    return X, Y


@pytest.fixture(scope="module")
def numeric():
    return make_numeric()


class TestRobustStatistics:
    def test_median_and_interquartile_range(self):
        X = np.array([[1.0], [2.0], [3.0], [4.0], [1000.0]])
        center, scale = robust_center_scale(X)
        assert center.tolist() == [3.0] and scale.tolist() == [2.0]

    def test_half_range_where_the_quartiles_coincide(self):
        X = np.r_[np.zeros(9), 10.0][:, None]
        center, scale = robust_center_scale(X)
        assert center.tolist() == [0.0] and scale.tolist() == [5.0]

    def test_constant_column_is_left_unscaled(self):
        center, scale = robust_center_scale(np.full((5, 1), 7.0))
        assert center.tolist() == [7.0] and scale.tolist() == [1.0]

    @settings(max_examples=40, deadline=None)
    @given(
        hnp.arrays(
            np.float64,
            st.integers(1, 30),
            elements=st.floats(-1e12, 1e12, allow_nan=False),
        )
    )
    def test_smooth_clip_is_bounded_odd_and_monotone(self, z):
        clipped = smooth_clip(np.sort(z))
        assert np.all(np.abs(clipped) <= 3.0)
        np.testing.assert_array_equal(smooth_clip(-z), -smooth_clip(z))
        assert np.all(np.diff(clipped) >= 0)

    @settings(max_examples=30, deadline=None)
    @given(
        st.floats(1e-3, 1e6),
        st.floats(-1e6, 1e6),
        st.integers(0, 2**31 - 1),
    )
    def test_encoding_ignores_the_units(self, factor, shift, seed):
        """Robust scaling makes ``a * x + b`` (a > 0) encode as ``x`` does."""
        X = np.random.RandomState(seed).lognormal(size=(20, 2))
        plain = TabularEncoder(numeric_scaling="robust").fit_transform(X, np.float64)
        moved = TabularEncoder(numeric_scaling="robust").fit_transform(
            X * factor + shift, np.float64
        )
        np.testing.assert_allclose(moved, plain, atol=1e-6)
        assert np.abs(plain).max() < 3.0

    def test_values_outside_the_training_range_stay_bounded(self):
        enc = TabularEncoder(numeric_scaling="robust")
        enc.fit_transform(np.arange(10.0)[:, None])
        out = enc.transform(np.array([[1e30], [-1e30]]), np.float64)
        np.testing.assert_allclose(out.ravel(), [3.0, -3.0])


class TestEstimator:
    @pytest.mark.parametrize("scaling", ["standard", "robust"])
    @pytest.mark.parametrize("given_as", ["array", "frame", "list"])
    def test_predictions_do_not_depend_on_the_units(self, numeric, scaling, given_as):
        X, Y = numeric
        moved = X * np.array([1e4, 1e-3, 1.0]) + np.array([5e5, 0.0, -2.0])
        convert = {
            "array": lambda a: a,
            "frame": lambda a: pd.DataFrame(a, columns=list("abc")),
            "list": lambda a: a.tolist(),
        }[given_as]
        params = {**SMALL, "numeric_scaling": scaling}
        a = MultiTaskNetClassifier(**params).fit(convert(X), Y)
        b = MultiTaskNetClassifier(**params).fit(convert(moved), Y)
        np.testing.assert_allclose(
            a.predict_proba(convert(X))[0],
            b.predict_proba(convert(moved))[0],
            atol=1e-4,
        )

    def test_regressor_scales_its_inputs_too(self, numeric):
        X, Y = numeric
        y = X[:, 0] * 2.0
        params = {**SMALL, "numeric_scaling": "robust"}
        a = MultiTaskNetRegressor(**params).fit(X, y).predict(X)
        b = MultiTaskNetRegressor(**params).fit(X * 1e5, y).predict(X * 1e5)
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)

    def test_auto_feeds_a_numeric_table_as_it_is(self, numeric):
        X, Y = numeric
        auto = MultiTaskNetClassifier(numeric_scaling="auto", **SMALL).fit(X, Y)
        none = MultiTaskNetClassifier(numeric_scaling=None, **SMALL).fit(X, Y)
        np.testing.assert_array_equal(
            auto.predict_proba(X)[0], none.predict_proba(X)[0]
        )

    def test_auto_standardises_an_encoded_table(self, numeric):
        X, Y = numeric
        frame = pd.DataFrame(X, columns=list("abc")).assign(
            c=lambda f: f["c"].astype(int).astype(str)
        )
        auto = MultiTaskNetClassifier(numeric_scaling="auto", **SMALL).fit(frame, Y)
        standard = MultiTaskNetClassifier(numeric_scaling="standard", **SMALL)
        standard.fit(frame, Y)
        np.testing.assert_array_equal(
            auto.predict_proba(frame)[1], standard.predict_proba(frame)[1]
        )
        # None feeds the numeric columns of the encoded table as they are.
        none = MultiTaskNetClassifier(numeric_scaling=None, **SMALL)
        moved = frame.assign(a=frame["a"] * 1e3)
        assert not np.allclose(
            none.fit(frame, Y).predict_proba(frame)[0],
            none.fit(moved, Y).predict_proba(moved)[0],
            atol=1e-3,
        )

    def test_user_input_is_not_modified(self, numeric):
        X, Y = numeric
        frame = pd.DataFrame(X.copy(), columns=list("abc"))
        before = frame.copy()
        clf = MultiTaskNetClassifier(numeric_scaling="robust", **SMALL).fit(frame, Y)
        clf.predict(frame)
        pd.testing.assert_frame_equal(frame, before)

    def test_images_are_never_scaled(self):
        rng = np.random.RandomState(0)
        images = rng.rand(8, 1, 16, 16).astype(np.float32)
        y = np.r_[np.zeros(4), np.ones(4)].astype(int)
        for X, extra in (
            (images, {}),
            (images.reshape(8, -1), {"image_shape": (16, 16)}),
        ):
            robust = MultiTaskNetClassifier(
                trunk="cnn", numeric_scaling="robust", **extra, **SMALL
            ).fit(X, y)
            none = MultiTaskNetClassifier(
                trunk="cnn", numeric_scaling=None, **extra, **SMALL
            ).fit(X, y)
            np.testing.assert_array_equal(
                robust.predict_proba(X), none.predict_proba(X)
            )

    def test_sparse_input_is_never_scaled(self, numeric):
        X, Y = numeric
        clf = MultiTaskNetClassifier(numeric_scaling="robust", **SMALL)
        clf.fit(sp.csr_matrix(X), Y)
        dense = MultiTaskNetClassifier(numeric_scaling=None, **SMALL).fit(X, Y)
        np.testing.assert_allclose(
            clf.predict_proba(sp.csr_matrix(X))[0], dense.predict_proba(X)[0], atol=1e-6
        )

    @pytest.mark.parametrize(
        "bad, error",
        [("minmax", ValueError), ("Robust", ValueError), (True, TypeError)],
    )
    def test_bad_value_is_named(self, numeric, bad, error):
        X, Y = numeric
        with pytest.raises(error, match="numeric_scaling.*one of 'auto'"):
            MultiTaskNetClassifier(numeric_scaling=bad, **SMALL).fit(X, Y)

    def test_warm_start_cannot_change_it(self, numeric):
        X, Y = numeric
        clf = MultiTaskNetClassifier(
            numeric_scaling="robust", warm_start=True, **SMALL
        ).fit(X, Y)
        clf.set_params(numeric_scaling="standard")
        with pytest.raises(ValueError, match="numeric_scaling changed"):
            clf.fit(X, Y)

    def test_saved_and_loaded(self, numeric, tmp_path):
        X, Y = numeric
        clf = MultiTaskNetClassifier(numeric_scaling="robust", **SMALL).fit(X, Y)
        save(clf, tmp_path / "model.sklmtl")
        back = load(tmp_path / "model.sklmtl")
        np.testing.assert_array_equal(back.predict_proba(X)[0], clf.predict_proba(X)[0])

    def test_state_without_the_scaling_is_standardised(self):
        """Encoders saved before numeric_scaling existed standardised."""
        enc = TabularEncoder(numeric_scaling="standard")
        X = np.random.RandomState(0).normal(3.0, 2.0, size=(10, 2))
        expected = enc.fit_transform(X)
        state = enc.state()
        del state["numeric_scaling"]
        np.testing.assert_array_equal(
            TabularEncoder.from_state(state).transform(X), expected
        )


@pytest.mark.parametrize(
    "params",
    [
        {"numeric_scaling": "robust"},
        {"numeric_scaling": "standard", "missing_values": "indicator"},
    ],
    ids=["robust", "standard-imputed"],
)
def test_onnx_graph_scales_as_predict_does(numeric, tmp_path, params):
    pytest.importorskip("onnxscript")
    ort = pytest.importorskip("onnxruntime")
    from sklmtl.io import to_onnx

    X, Y = numeric
    X = X * np.array([1e3, 1.0, 1.0])
    clf = MultiTaskNetClassifier(**params, **SMALL).fit(X, Y)
    to_onnx(clf, tmp_path / "m.onnx")
    given = X.copy()
    if params.get("missing_values") == "indicator":
        given[0, 0] = np.nan  # complete at fit: the graph imputes the median
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    outputs = session.run(None, {"X": given.astype(np.float32)})
    for got, expected in zip(outputs, clf.predict_proba(given)):
        np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize("scaling", ["standard", "auto"])
def test_row_weights_weigh_the_scaling_statistics(scaling):
    """Integer row weights fit as repeated rows do, the encoded statistics
    included (a table with a categorical column is encoded with ``"auto"``)."""
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {"a": rng.lognormal(3.0, 1.0, 40), "b": rng.choice(["x", "y"], 40)}
    )
    Y = np.c_[X["a"] > 20, X["b"] == "x"].astype(int)
    weights = rng.randint(0, 4, size=40)
    params = {**SMALL, "batch_size": 1024, "numeric_scaling": scaling}
    weighted = MultiTaskNetClassifier(**params).fit(X, Y, sample_weight=weights)
    repeated = MultiTaskNetClassifier(**params).fit(
        X.loc[X.index.repeat(weights)], np.repeat(Y, weights, axis=0)
    )
    for a, b in zip(weighted.predict_proba(X), repeated.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_cell_weights_leave_the_statistics_unweighted():
    """A cell of weight 0 is a missing label; its row still counts."""
    X, Y = make_numeric()
    weights = np.ones(Y.shape)
    weights[::3, 1] = 0.0
    missing = Y.astype(float)
    missing[::3, 1] = np.nan
    params = {**SMALL, "numeric_scaling": "standard"}
    a = MultiTaskNetClassifier(**params).fit(X, Y, sample_weight=weights)
    b = MultiTaskNetClassifier(**params).fit(X, missing)
    np.testing.assert_allclose(a.predict_proba(X)[0], b.predict_proba(X)[0], atol=1e-6)


def test_a_constant_column_is_left_unscaled_despite_rounding():
    """The mean of 12 copies of a large value is off by rounding: its
    variance is rounding error, not a scale to divide by (StandardScaler
    bounds it the same way)."""
    X = np.full((12, 1), 233017.51466941)
    enc = TabularEncoder(numeric_scaling="standard")
    encoded = enc.fit_transform(X, np.float64)
    assert enc.scale_.tolist() == [1.0]
    assert np.abs(encoded).max() < 1e-9
