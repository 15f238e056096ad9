"""Tabular input as users have it: DataFrames with categorical columns, NaN, bins."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl._tabular import TabularEncoder
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
        with pytest.warns(UserWarning, match="'colour' is a category unseen"):
            unseen_proba = clf.predict_proba(unseen)
        for a, b in zip(unseen_proba, clf.predict_proba(missing)):
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
        with pytest.warns(UserWarning, match="'constant' is a category unseen"):
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


# ---------------------------------------------------------------------------
# Categories match by the label rule's equality: numbers as numbers whatever
# their type (True == 1 == 1.0, as OneHotEncoder), text never equal to a number.

_N = 24
_BOOL_AS = {
    "int": lambda c: c.astype(int),
    "float": lambda c: c.astype(float),
    "float32": lambda c: c.astype(np.float32),
    "numpy bool objects": lambda c: pd.Series(
        [np.bool_(v) for v in c], dtype=object, index=c.index
    ),
    "python int objects": lambda c: pd.Series(
        [int(v) for v in c], dtype=object, index=c.index
    ),
    "pandas boolean": lambda c: c.astype("boolean"),
    "pandas Int64": lambda c: c.astype("Int64"),
}
_INT_AS = {
    "float": lambda c: c.astype(float),
    "float32": lambda c: c.astype(np.float32),
    "pandas Int64": lambda c: c.astype("Int64"),
    "python float objects": lambda c: pd.Series(
        [float(v) for v in c], dtype=object, index=c.index
    ),
}
# (column at fit, how it is given at predict time)
_SAME_CATEGORIES = [("flag", name) for name in _BOOL_AS] + [
    ("level", name) for name in _INT_AS
]


def _kinds_table(seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "flag": rng.rand(_N) > 0.5,
            "level": pd.Series(rng.randint(1, 4, _N)).astype(object),
            "code": rng.choice(["1", "2", "3"], _N).astype(object),
        }
    )
    Y = pd.DataFrame(
        {"a": X["flag"].astype(int), "b": (X["level"].astype(int) > 1).astype(int)}
    )
    return X, Y


def _given_as(X, column, kind):
    table = _BOOL_AS if column == "flag" else _INT_AS
    return X.assign(**{column: table[kind](X[column])})


@pytest.fixture(scope="module")
def kinds_model():
    X, Y = _kinds_table()
    return MultiTaskNetClassifier(**SMALL).fit(X, Y), X


class TestCategoryMatching:
    def test_bool_column_given_as_0_1_keeps_its_accuracy(self):
        # The report: accuracy 1.0 with bools, 0.545 with 0/1 (all "unknown").
        rng = np.random.RandomState(0)
        X = pd.DataFrame({"flag": rng.rand(200) > 0.5, "x": rng.normal(size=200)})
        y = X["flag"].astype(int)
        clf = MultiTaskNetClassifier(
            hidden_layer_sizes=(8,), max_epochs=30, lr=0.01, random_state=0
        ).fit(X, y)
        assert clf.score(X, y) == 1.0
        assert clf.score(X.assign(flag=X["flag"].astype(int)), y) == 1.0

    @pytest.mark.parametrize("column, kind", _SAME_CATEGORIES)
    def test_numbers_match_whatever_their_type(self, kinds_model, column, kind):
        clf, X = kinds_model
        given = _given_as(X, column, kind)
        for a, b in zip(clf.predict_proba(given), clf.predict_proba(X)):
            np.testing.assert_array_equal(a, b)

    @pytest.mark.parametrize(
        "column, values",
        [
            ("code", [1, 2, 3]),  # str categories given as numbers
            ("code", [1.0, 2.0, 3.0]),
            ("level", ["1", "2", "3"]),  # int categories given as text
            ("flag", ["True", "False", "1"]),
        ],
    )
    def test_text_never_matches_a_number(self, kinds_model, column, values):
        clf, X = kinds_model
        given = X.assign(**{column: np.resize(np.array(values, dtype=object), _N)})
        with pytest.warns(UserWarning, match=f"{column!r} is a category unseen"):
            proba = clf.predict_proba(given)
        unknown = clf.predict_proba(X.assign(**{column: None}))
        for a, b in zip(proba, unknown):
            np.testing.assert_array_equal(a, b)

    def test_no_warning_while_some_values_are_known(self, kinds_model):
        clf, X = kinds_model
        X = X.head(4).astype({"flag": object})
        X.loc[0, "code"] = "new"
        X.loc[1, "flag"] = None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clf.predict(X)
            clf.predict(X.assign(code=None))  # all missing: no type to blame

    def test_bool_and_int_in_one_column_are_one_category(self):
        X = pd.DataFrame({"c": pd.Series([True, 1, False, 0.0], dtype=object)})
        enc = TabularEncoder()
        codes = enc.fit_transform(X)[:, 0]
        assert codes.tolist() == [2.0, 2.0, 1.0, 1.0]

    def test_str_and_number_in_one_column_are_refused(self):
        X = pd.DataFrame({"c": pd.Series(["1", 1], dtype=object)})
        with pytest.raises(TypeError, match="'c' mixes value types"):
            TabularEncoder().fit_transform(X)


_CATEGORY_SETS = {
    "bool": [False, True],
    "int": [1, 2, 5],
    "str": ["1", "2", "x"],
}
_NUMBER_FORMS = [int, float, np.float32, np.int8, np.bool_, "Int64", "boolean"]


def _as_form(values, form):
    if isinstance(form, str):
        return pd.Series(values).astype(form)
    return pd.Series([form(v) for v in values], dtype=object)


@settings(max_examples=60, deadline=None)
@given(
    source=st.sampled_from(sorted(_CATEGORY_SETS)),
    form=st.sampled_from(_NUMBER_FORMS),
    data=st.data(),
)
def test_codes_depend_on_the_number_not_its_type(source, form, data):
    categories = _CATEGORY_SETS[source]
    fit_values = data.draw(
        st.lists(st.sampled_from(categories), min_size=2, max_size=12)
    )
    new_values = data.draw(
        st.lists(st.sampled_from(categories), min_size=1, max_size=12)
    )
    if form in (np.bool_, "boolean") and source != "bool":
        form = float  # 2 and 5 are not booleans
    enc = TabularEncoder()
    enc.fit_transform(pd.DataFrame({"c": pd.Series(fit_values, dtype=object)}))
    original = pd.DataFrame({"c": pd.Series(new_values, dtype=object)})
    if source == "str":
        # Text never equals a number: every value is unknown (code 0).
        numbers = [int(v) if v.isdigit() else 7 for v in new_values]
        converted = pd.DataFrame({"c": _as_form(numbers, form)})
        with pytest.warns(UserWarning, match="unseen at fit"):
            codes = enc.transform(converted)
        assert not codes.any()
        return
    converted = pd.DataFrame({"c": _as_form(new_values, form)})
    with warnings.catch_warnings():
        # All-unseen columns warn in both forms alike; codes are compared.
        warnings.simplefilter("ignore", UserWarning)
        np.testing.assert_array_equal(enc.transform(converted), enc.transform(original))


class TestTextInNumericColumns:
    """Text is never parsed as a number, at fit or at predict time."""

    @pytest.mark.parametrize("at", ["fit", "predict"])
    @pytest.mark.parametrize(
        "make_text",
        [
            lambda c: c.astype(str),
            lambda c: c.astype(str).astype(object),
            lambda c: c.astype("string"),
        ],
        ids=["str", "object", "string"],
    )
    def test_tabular_path(self, table, at, make_text):
        X, Y = table
        texty = X.assign(size=make_text(X["size"]))
        clf = MultiTaskNetClassifier(categorical_features=["colour"], **SMALL)
        X = X[["size", "colour"]]
        texty = texty[["size", "colour"]]
        with pytest.raises(ValueError, match="Column 'size' is numeric .* holds text"):
            if at == "fit":
                clf.fit(texty, Y)
            else:
                clf.fit(X, Y).predict(texty)

    @pytest.mark.parametrize("at", ["fit", "predict"])
    @pytest.mark.parametrize("container", ["array", "object array", "frame", "list"])
    def test_plain_path(self, at, container):
        rng = np.random.RandomState(0)
        X = rng.normal(size=(20, 3))
        y = (X[:, 0] > 0).astype(int)
        texty = X.astype(str)
        if container == "object array":
            texty = X.astype(object)
            texty[:, 2] = texty[:, 2].astype(str)
        elif container == "frame":
            texty = pd.DataFrame(X, columns=["a", "b", "c"]).astype({"c": str})
            X = pd.DataFrame(X, columns=["a", "b", "c"])
        elif container == "list":
            texty = texty.tolist()
        name = "c" if container == "frame" else ("2" if "object" in container else "0")
        # A DataFrame's str column is categorical unless told otherwise.
        clf = MultiTaskNetClassifier(categorical_features=None, **SMALL)
        with pytest.raises(ValueError, match=f"Column '{name}' is numeric .* text"):
            if at == "fit":
                clf.fit(texty, y)
            else:
                clf.fit(X, y).predict(texty)

    def test_numeric_objects_are_still_numbers(self, table):
        X, Y = table
        clf = MultiTaskNetClassifier(**SMALL).fit(X, Y)
        as_objects = X.assign(size=X["size"].astype(object))
        np.testing.assert_array_equal(clf.predict(as_objects), clf.predict(X))
