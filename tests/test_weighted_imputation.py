"""Row weights and the tabular encoder's statistics: a row of integer weight
``w`` fits as ``w`` copies of it (imputation medians, indicator columns,
categories), as the standard scaling already did; robust scaling and bin
edges leave out rows of weight 0 (their quantiles are otherwise unweighted)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl._tabular import TabularEncoder, weighted_median

SMALL = {"hidden_layer_sizes": (8,), "max_epochs": 3, "random_state": 0}
FINITE = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(FINITE, st.integers(0, 4)), min_size=1, max_size=60),
    st.floats(1e-6, 1e6),
)
def test_weighted_median_is_the_median_of_repeated_values(items, scale):
    values, counts = map(np.array, zip(*items))
    assume(counts.sum() > 0)
    repeated = np.repeat(values, counts)
    assert weighted_median(values, counts) == np.median(repeated)
    # Weights of any scale (0.1 sums with rounding): the same median.
    assert weighted_median(values, counts * scale) == np.median(repeated)


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float64, st.integers(1, 30), elements=FINITE))
def test_weighted_median_without_weights_is_np_median(values):
    assert weighted_median(values) == np.median(values)
    assert weighted_median(values, np.ones(len(values))) == np.median(values)


def test_weighted_median_needs_a_positive_weight():
    with pytest.raises(ValueError, match="positive weight"):
        weighted_median([1.0, 2.0], [0.0, 0.0])


def _table(values, missing, colours):
    return pd.DataFrame(
        {
            "a": np.where(missing[:, 0], np.nan, values[:, 0]),
            "b": np.where(missing[:, 1], np.nan, values[:, 1]),
            "colour": np.asarray(list(colours), dtype=object),
        }
    )


@settings(max_examples=80, deadline=None)
@given(
    st.integers(2, 25).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, (n, 2), elements=FINITE),
            hnp.arrays(np.bool_, (n, 2)),
            st.lists(st.sampled_from(["r", "g", "b"]), min_size=n, max_size=n),
            hnp.arrays(np.int64, n, elements=st.integers(0, 3)),
        )
    ),
    st.sampled_from(["standard", "robust", None]),
    st.sampled_from([None, 4]),
)
def test_encoder_statistics_equal_those_of_repeated_rows(data, scaling, n_bins):
    values, missing, colours, weights = data
    if scaling == "robust" or n_bins is not None:
        weights = np.minimum(weights, 1)  # their quantiles drop 0s only
    X = _table(values, missing, colours)
    repeated = X.loc[X.index.repeat(weights)]
    # Every numeric column needs a value in a row that counts.
    assume(weights.sum() > 0 and repeated[["a", "b"]].notna().any().all())
    options = {"missing_values": "indicator", "numeric_scaling": scaling}
    weighted = TabularEncoder(n_bins=n_bins, **options)
    plain = TabularEncoder(n_bins=n_bins, **options)
    encoded = weighted.fit_transform(X, np.float64, sample_weight=weights)
    expected = plain.fit_transform(repeated, np.float64)
    np.testing.assert_array_equal(weighted.medians_, plain.medians_)
    np.testing.assert_array_equal(weighted.indicator_columns_, plain.indicator_columns_)
    assert [c.tolist() for c in weighted.categories_] == [
        c.tolist() for c in plain.categories_
    ]
    np.testing.assert_allclose(weighted.mean_, plain.mean_, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(weighted.scale_, plain.scale_, rtol=1e-9, atol=1e-9)
    if n_bins is not None:
        for a, b in zip(weighted.bin_edges_, plain.bin_edges_):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-6)
    # The weighted encoding, repeated, is the encoding of the repeated rows.
    np.testing.assert_allclose(
        np.repeat(encoded, weights, axis=0), expected, rtol=1e-9, atol=1e-6
    )


def test_all_zero_weights_fit_as_unweighted():
    X = _table(
        np.arange(8.0).reshape(4, 2), np.eye(4, 2, dtype=bool), ["r", "g", "r", "b"]
    )
    zero = TabularEncoder(missing_values="indicator")
    zero.fit_transform(X, sample_weight=np.zeros(4))
    plain = TabularEncoder(missing_values="indicator")
    plain.fit_transform(X)
    np.testing.assert_array_equal(zero.medians_, plain.medians_)


def test_a_column_observed_only_in_rows_of_weight_0_is_named():
    X = _table(np.ones((4, 2)), np.c_[[False, True, True, True], [False] * 4], "rggb")
    enc = TabularEncoder(missing_values="indicator")
    with pytest.raises(ValueError, match=r"\['a'\].*rows of weight > 0"):
        enc.fit_transform(X, sample_weight=np.array([0.0, 1.0, 1.0, 1.0]))


def _skewed_table(n=40, seed=0):
    """Weights that move the median, a NaN only in a row of weight 0, and a
    category only in rows of weight 0."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "a": rng.lognormal(3.0, 1.0, n),
            "b": rng.normal(0.0, 1.0, n),
            "colour": rng.choice(["x", "y"], n).astype(object),
        }
    )
    weights = rng.randint(1, 4, size=n)
    weights[X["a"].to_numpy() < np.median(X["a"])] = 3  # heavy low values
    X.loc[::5, "a"] = np.nan
    weights[0] = 0
    X.loc[0, "b"] = np.nan  # "b" is missing in a row of weight 0 only
    X.loc[[0, 1], "colour"] = "z"
    weights[1] = 0
    return X, weights


@pytest.mark.parametrize(
    "options",
    [
        {"numeric_scaling": "standard"},
        {"numeric_scaling": "auto"},
        {"numeric_scaling": None},
        {"numeric_scaling": "robust"},
        {"numeric_embedding": "piecewise_linear", "numeric_embedding__n_bins": 4},
    ],
    ids=["standard", "auto", "none", "robust", "piecewise-linear"],
)
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_weighted_fit_predicts_as_the_fit_on_repeated_rows(options, kind):
    X, weights = _skewed_table()
    if options.get("numeric_scaling") == "robust" or "numeric_embedding" in options:
        # Their quantiles leave out rows of weight 0 only: weights 0 and 1
        # still move the median imputed and the indicator columns.
        weights = np.minimum(weights, 1)
    rows = X.index.repeat(weights)
    params = {
        **SMALL,
        "batch_size": 1024,  # one batch: a weighted mean is a repeated-row mean
        "missing_values": "indicator",
        **options,
    }
    if kind == "classifier":
        Y = np.c_[X["b"].fillna(0) > 0, X["colour"] == "x"].astype(int)
        est = MultiTaskNetClassifier
    else:
        Y = np.c_[X["b"].fillna(0), np.log(X["a"].fillna(20.0))]
        est = MultiTaskNetRegressor
    weighted = est(**params).fit(X, Y, sample_weight=weights)
    repeated = est(**params).fit(X.loc[rows], Y[rows])
    if kind == "classifier":
        for a, b in zip(weighted.predict_proba(X), repeated.predict_proba(X)):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    else:
        np.testing.assert_allclose(
            weighted.predict(X), repeated.predict(X), rtol=1e-4, atol=1e-5
        )


def test_onnx_graph_imputes_the_weighted_median(tmp_path):
    """A column missing only in a row of weight 0 needs no indicator (the
    graph holds imputation without indicators); NaN at predict time gets the
    weighted median in the graph as in ``predict``."""
    pytest.importorskip("onnxscript")
    ort = pytest.importorskip("onnxruntime")
    from sklmtl.io import to_onnx

    X, weights = _skewed_table()
    X = X[["a", "b"]].fillna({"a": 20.0}).to_numpy()  # "b": NaN in row 0 only
    Y = np.c_[np.nan_to_num(X[:, 1]) > 0, X[:, 0] > 20].astype(int)
    clf = MultiTaskNetClassifier(
        missing_values="indicator", numeric_scaling="standard", **SMALL
    ).fit(X, Y, sample_weight=weights)
    to_onnx(clf, tmp_path / "m.onnx")
    given = X.copy()
    given[1:4, 0] = np.nan
    given[4:6, 1] = np.nan
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    outputs = session.run(None, {"X": given.astype(np.float32)})
    for got, expected in zip(outputs, clf.predict_proba(given)):
        np.testing.assert_allclose(got, expected, atol=1e-5)
    # The imputed value is the weighted median of the rows that count.
    median = weighted_median(X[weights > 0, 0], weights[weights > 0])
    at_median = given[1:4].copy()
    at_median[:, 0] = median
    for a, b in zip(clf.predict_proba(given[1:4]), clf.predict_proba(at_median)):
        np.testing.assert_allclose(a, b, rtol=1e-6)
