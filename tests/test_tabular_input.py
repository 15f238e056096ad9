"""Tabular input as users have it: DataFrames with categorical columns, NaN, bins."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.io import load, save
from sklmtl.nn import PeriodicEmbedding, PiecewiseLinearEncoding, TabularInput

SMALL = {"hidden_layer_sizes": (8,), "max_epochs": 3, "random_state": 0}


def make_table(n=90, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "size": rng.normal(50.0, 20.0, n),
            "colour": rng.choice(["red", "green", "blue"], n).astype(object),
            "grade": pd.Categorical(rng.choice([1, 2, 3], n)),
            "flag": rng.rand(n) > 0.5,
            "name": pd.array(rng.choice(["x", "y"], n), dtype="string"),
        }
    )
    label = np.where(X["colour"] == "red", "hot", "cold")
    Y = pd.DataFrame({"label": label, "big": (X["size"] > 50).astype(int)})
    return X, Y


def targets_for(estimator, Y):
    if isinstance(estimator, MultiTaskNetRegressor):
        return Y[["big"]].astype(float).assign(other=Y["big"] * 2.0)
    if isinstance(estimator, MultiTaskNet):
        return Y.assign(big=Y["big"].astype(float))
    return Y


ESTIMATORS = [
    MultiTaskNetClassifier(**SMALL),
    MultiTaskNetRegressor(**SMALL),
    MultiTaskNet(task_types={"big": "regression"}, **SMALL),
]
IDS = ["classifier", "regressor", "mixed"]


@pytest.fixture(scope="module")
def table():
    return make_table()


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
class TestEveryEstimator:
    def test_dataframe_straight_into_fit(self, estimator, table):
        X, Y = table
        before = X.copy(deep=True)
        est = clone(estimator).fit(X, targets_for(estimator, Y))
        pd.testing.assert_frame_equal(X, before)
        assert est.n_features_in_ == 5
        assert list(est.feature_names_in_) == list(X.columns)
        assert est.predict(X.head(4)).shape[0] == 4
        params = est.get_params()
        assert params["categorical_features"] == "from_dtype"
        assert params["missing_values"] == "error"

    def test_same_seed_same_predictions(self, estimator, table):
        X, Y = table
        y = targets_for(estimator, Y)
        first = clone(estimator).fit(X, y).predict(X)
        second = clone(estimator).fit(X, y).predict(X)
        np.testing.assert_array_equal(first, second)

    def test_saved_and_loaded(self, estimator, table, tmp_path):
        X, Y = table
        est = clone(estimator).set_params(numeric_embedding="piecewise_linear")
        est.fit(X, targets_for(estimator, Y))
        save(est, tmp_path / "model.safetensors")
        loaded = load(tmp_path / "model.safetensors")
        new = X.head(5).copy()
        new.loc[0, "colour"] = "purple"
        np.testing.assert_array_equal(loaded.predict(new), est.predict(new))


class TestCategories:
    def test_unseen_and_missing_share_the_unknown_embedding(self, table):
        X, Y = table
        clf = MultiTaskNetClassifier(**SMALL).fit(X, Y)
        unseen, missing = X.head(3).copy(), X.head(3).copy()
        unseen["colour"] = "purple"
        missing["colour"] = None
        for a, b in zip(clf.predict_proba(unseen), clf.predict_proba(missing)):
            np.testing.assert_array_equal(a, b)

    def test_unknown_embedding_starts_at_zero(self):
        inputs = TabularInput(0, 0, [4, 2])
        for table in inputs.embeddings:
            assert torch.count_nonzero(table.weight[0]) == 0
            assert torch.count_nonzero(table.weight[1:]) > 0

    def test_embeddings_learn_a_category_rule(self):
        rng = np.random.RandomState(0)
        X = pd.DataFrame({"city": rng.choice(list("abcdef"), 300).astype(object)})
        y = X["city"].isin(["b", "e"]).astype(int)
        clf = MultiTaskNetClassifier(
            hidden_layer_sizes=(16,), max_epochs=40, lr=0.01, random_state=0
        ).fit(X, y)
        assert clf.score(X, y) == 1.0

    def test_one_level_column_is_kept(self, table):
        X, Y = table
        X = X.assign(constant="only")
        clf = MultiTaskNetClassifier(**SMALL).fit(X, Y)
        assert clf.predict(X.assign(constant="other")).shape == (len(X), 2)

    def test_mixed_type_object_column_is_rejected(self, table):
        X, Y = table
        X = X.assign(colour=X["colour"].where(X.index % 2 == 0, 3))
        with pytest.raises(TypeError, match="'colour' mixes value types"):
            MultiTaskNetClassifier(**SMALL).fit(X, Y)

    def test_all_missing_categorical_column_is_rejected(self, table):
        X, Y = table
        with pytest.raises(ValueError, match="'gone' has no non-missing value"):
            MultiTaskNetClassifier(**SMALL).fit(X.assign(gone=None), Y)

    def test_explicit_selection_on_an_array(self):
        rng = np.random.RandomState(0)
        X = np.column_stack([rng.normal(size=80), rng.randint(0, 5, 80)])
        y = (X[:, 1] % 2).astype(int)
        base = MultiTaskNetClassifier(**SMALL)
        by_index = clone(base).set_params(categorical_features=[1]).fit(X, y)
        by_mask = clone(base).set_params(categorical_features=[False, True]).fit(X, y)
        np.testing.assert_array_equal(by_index.predict(X), by_mask.predict(X))

    @pytest.mark.parametrize(
        "spec, match",
        [([7], "index 7"), (["nope"], "'nope'"), ([True], "mask of length 1")],
    )
    def test_bad_selection(self, table, spec, match):
        X, Y = table
        clf = MultiTaskNetClassifier(categorical_features=spec, **SMALL)
        with pytest.raises(ValueError, match=match):
            clf.fit(X, Y)

    def test_string_column_not_selected_is_named(self, table):
        X, Y = table
        clf = MultiTaskNetClassifier(categorical_features=["grade", "flag"], **SMALL)
        with pytest.raises(ValueError, match="Column 'colour' is numeric"):
            clf.fit(X.drop(columns="name"), Y)


@pytest.fixture(scope="module")
def fitted(table):
    return MultiTaskNetClassifier(**SMALL).fit(*table)


@pytest.fixture(scope="module")
def holey(table):
    X, Y = table
    X = X.copy()
    X.loc[::5, "size"] = np.nan
    return X, Y


class TestColumnsChanged:
    def test_renamed(self, fitted, table):
        with pytest.raises(ValueError, match="feature names"):
            fitted.predict(table[0].rename(columns={"colour": "color"}))

    def test_reordered(self, fitted, table):
        X = table[0]
        with pytest.raises(ValueError, match="same order"):
            fitted.predict(X[list(reversed(X.columns))])

    def test_dropped(self, fitted, table):
        with pytest.raises(ValueError, match="feature"):
            fitted.predict(table[0].drop(columns="flag"))

    def test_numeric_column_now_text(self, fitted, table):
        with pytest.raises(ValueError, match="Column 'size'"):
            fitted.predict(table[0].assign(size="large"))

    def test_warm_start_cannot_change_the_encoding(self, table):
        X, Y = table
        clf = MultiTaskNetClassifier(warm_start=True, **SMALL).fit(X, Y)
        clf.set_params(categorical_embedding_dim=2)
        with pytest.raises(ValueError, match="categorical_embedding_dim changed"):
            clf.fit(X, Y)


class TestMissingValues:
    def test_rejected_by_default(self, holey):
        with pytest.raises(ValueError, match="NaN in the numeric column 'size'"):
            MultiTaskNetClassifier(**SMALL).fit(*holey)

    def test_indicator_and_median(self, holey):
        X, Y = holey
        before = X.copy(deep=True)
        clf = MultiTaskNetClassifier(missing_values="indicator", **SMALL).fit(X, Y)
        pd.testing.assert_frame_equal(X, before)
        median = float(np.nanmedian(X["size"]))
        row = X.iloc[[0]]  # size is NaN there
        assert np.isnan(row["size"].iloc[0])
        # Missing in a column that had NaN at fit: the indicator says so, so
        # it is not the same as the median itself.
        imputed = row.assign(size=median)
        assert not np.array_equal(
            clf.predict_proba(row)[0], clf.predict_proba(imputed)[0]
        )

    def test_nan_in_a_column_complete_at_fit_gets_the_median(self, table):
        X, Y = table
        X = X.assign(extra=np.arange(len(X), dtype=float))
        X.loc[0, "size"] = np.nan
        clf = MultiTaskNetClassifier(missing_values="indicator", **SMALL).fit(X, Y)
        row = X.iloc[[1]].assign(extra=np.nan)
        median = row.assign(extra=float(np.median(X["extra"])))
        np.testing.assert_allclose(
            clf.predict_proba(row)[0], clf.predict_proba(median)[0], rtol=1e-6
        )

    def test_tags_follow_the_option(self, holey):
        from sklearn.utils import get_tags

        from sklmtl.baselines import IndependentTaskClassifier

        assert not get_tags(MultiTaskNetClassifier()).input_tags.allow_nan
        net = MultiTaskNetClassifier(missing_values="indicator", **SMALL)
        assert get_tags(net).input_tags.allow_nan
        # A meta-estimator reading the tags lets NaN in an array through.
        X = holey[0][["size"]].to_numpy()
        wrapped = IndependentTaskClassifier(net).fit(X, holey[1])
        assert wrapped.predict(X[:3]).shape == (3, 2)
        with pytest.raises(ValueError, match="NaN"):
            IndependentTaskClassifier(MultiTaskNetClassifier(**SMALL)).fit(X, holey[1])

    def test_all_nan_numeric_column(self, table):
        X, Y = table
        X = X.assign(empty=np.nan)
        clf = MultiTaskNetClassifier(missing_values="indicator", **SMALL)
        with pytest.raises(ValueError, match=r"\['empty'\] have no non-missing"):
            clf.fit(X, Y)
        with pytest.raises(ValueError, match="NaN in the numeric column 'empty'"):
            MultiTaskNetClassifier(**SMALL).fit(X, Y)


class TestNumericEmbeddings:
    @pytest.mark.parametrize("embedding", ["periodic", "piecewise_linear"])
    def test_on_a_plain_array(self, embedding):
        rng = np.random.RandomState(0)
        X = rng.normal(size=(60, 3))
        y = (X[:, 0] > 0).astype(int)
        clf = MultiTaskNetClassifier(numeric_embedding=embedding, **SMALL).fit(X, y)
        assert clf.predict(X).shape == (60,)

    def test_numeric_dataframe_with_defaults_keeps_the_plain_path(self):
        rng = np.random.RandomState(0)
        X = pd.DataFrame(rng.normal(size=(60, 3)), columns=list("abc"))
        y = (X["a"] > 0).astype(int)
        frame = MultiTaskNetClassifier(**SMALL).fit(X, y).predict_proba(X)
        array = MultiTaskNetClassifier(**SMALL).fit(X.to_numpy(), y)
        np.testing.assert_array_equal(frame, array.predict_proba(X.to_numpy()))

    @pytest.mark.parametrize(
        "params, match",
        [
            ({"numeric_embedding": "fourier"}, "numeric_embedding"),
            (
                {
                    "numeric_embedding": "piecewise_linear",
                    "numeric_embedding__n_bins": 0,
                },
                "n_bins must be an int >= 1",
            ),
            (
                {"numeric_embedding": "periodic", "numeric_embedding__n_bins": 4},
                "'periodic' takes",
            ),
            ({"missing_values": "drop"}, "missing_values"),
            ({"categorical_embedding_dim": 0}, "categorical_embedding_dim"),
        ],
    )
    def test_bad_parameters(self, table, params, match):
        X, Y = table
        with pytest.raises(ValueError, match=match):
            MultiTaskNetClassifier(**params, **SMALL).fit(X, Y)

    def test_piecewise_linear_is_monotone_and_open_ended(self):
        ple = PiecewiseLinearEncoding([[-1.0, 0.0, 1.0], [0.0, 2.0]])
        x = torch.tensor([[-3.0, -1.0], [0.5, 1.0], [4.0, 5.0]])
        out = ple(x)
        assert out.shape == (3, 4)
        assert out[0, 0] < 0 and out[2, 1] > 1  # first/last bins stay open
        assert out[:, 3].abs().sum() == 0  # the second feature's padded bin

    def test_periodic_frequencies_are_trained(self):
        emb = PeriodicEmbedding(2, n_frequencies=3, d_embedding=4)
        emb(torch.randn(5, 2)).sum().backward()
        assert emb.frequencies.grad is not None


def test_onnx_export_refuses_a_tabular_model(table, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")
    from sklmtl.io import to_onnx

    clf = MultiTaskNetClassifier(**SMALL).fit(*table)
    with pytest.raises(ValueError, match="not part of the ONNX graph"):
        to_onnx(clf, tmp_path / "model.onnx")
