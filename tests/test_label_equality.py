"""One label-equality rule for every metric, scorer and splitter.

``sklmtl._labels.label_key`` compares labels as numpy and scikit-learn
do: ``True == 1 == 1.0`` and ``False == 0 == 0.0``, while a string is never a
number (``"1" != 1``). Each test here gives the same binary truth and
predictions in many containers and kinds (numpy bool/int/float/object,
nested lists, pandas ``bool``/``boolean``/``Int64``/``float``/object
columns, with and without missing cells) and checks that every metric in
``sklmtl.metrics.__all__``, every scorer, ``score`` of a fitted estimator and
every splitter of ``sklmtl.model_selection`` gives one answer, which on a
full indicator matrix is scikit-learn's.
"""

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

import sklmtl.metrics as M
from sklmtl import MultiTaskNetClassifier
from sklmtl.model_selection import (
    MultiTaskStratifiedGroupKFold,
    MultiTaskStratifiedKFold,
    MultiTaskStratifiedShuffleSplit,
    check_cv,
    cross_val_predict,
)

SEEDS = [0, 1]
N_ROWS, N_TASKS = 24, 3


def _binary_matrix(rng, n_rows=N_ROWS, n_tasks=N_TASKS):
    """A 0/1 int matrix whose every column holds both values."""
    Y = rng.randint(2, size=(n_rows, n_tasks))
    Y[0], Y[1] = 0, 1
    return Y


def _with_flips(rng, Y, share=0.3):
    """``Y`` with a share of cells flipped, every column keeping both values."""
    P = np.where(rng.rand(*Y.shape) < share, 1 - Y, Y)
    P[2], P[3] = 0, 1
    return P


# Every container and kind a 0/1 target may come in (no missing cell).
FULL_KINDS = {
    "int": lambda Y: Y.astype(int),
    "int8": lambda Y: Y.astype(np.int8),
    "bool": lambda Y: Y.astype(bool),
    "float": lambda Y: Y.astype(float),
    "float32": lambda Y: Y.astype(np.float32),
    "object int": lambda Y: np.array(Y.tolist(), dtype=object),
    "object bool": lambda Y: np.array(Y.astype(bool).tolist(), dtype=object),
    "list of bools": lambda Y: Y.astype(bool).tolist(),
    "list of floats": lambda Y: Y.astype(float).tolist(),
    "DataFrame bool": lambda Y: pd.DataFrame(Y.astype(bool)),
    "DataFrame boolean": lambda Y: pd.DataFrame(Y).astype("boolean"),
    "DataFrame Int64": lambda Y: pd.DataFrame(Y).astype("Int64"),
    "DataFrame object": lambda Y: pd.DataFrame(Y.astype(bool)).astype(object),
    "DataFrame mixed": lambda Y: pd.DataFrame(
        {0: Y[:, 0].astype(bool), 1: Y[:, 1], 2: Y[:, 2].astype(float)}
    ).astype({0: "boolean", 1: "Int64"}),
}


def _nan_float(Y, missing):
    out = Y.astype(float)
    out[missing] = np.nan
    return out


def _object_cells(Y, missing, cell, gap):
    out = np.array([[cell(v) for v in row] for row in Y.tolist()], dtype=object)
    out[missing] = gap
    return out


def _frame_with_gaps(Y, missing, dtype):
    frame = pd.DataFrame(Y).astype(dtype)
    return frame.mask(pd.DataFrame(missing))


# The same target with missing cells, in every container that can hold them.
MISSING_KINDS = {
    "float NaN": _nan_float,
    "object int None": functools.partial(_object_cells, cell=int, gap=None),
    "object bool NaN": functools.partial(_object_cells, cell=bool, gap=np.nan),
    "object float pd.NA": functools.partial(_object_cells, cell=float, gap=pd.NA),
    "DataFrame boolean NA": functools.partial(_frame_with_gaps, dtype="boolean"),
    "DataFrame Int64 NA": functools.partial(_frame_with_gaps, dtype="Int64"),
    "DataFrame float NaN": functools.partial(_frame_with_gaps, dtype=float),
    "DataFrame object None": lambda Y, missing: pd.DataFrame(
        _object_cells(Y, missing, bool, None)
    ),
}


def _missing_cells(rng, Y):
    missing = rng.rand(*Y.shape) < 0.2
    missing[:4] = False  # rows 0-3 keep both classes in every column
    return missing


def _probas(rng, n_rows=N_ROWS, n_tasks=N_TASKS):
    positive = rng.rand(n_rows, n_tasks)
    return [np.column_stack([1 - p, p]) for p in positive.T]


# ----------------------------------------------------------- the metrics
def _labels_metrics():
    """Every metric of (Y_true, Y_pred), by name, with its options."""
    no_nan = {"zero_division": 0.0}
    return {
        "subset_accuracy": M.subset_accuracy,
        "hamming_loss": M.hamming_loss,
        "per_task_scores": M.per_task_scores,
        "mean_task_accuracy": M.mean_task_accuracy,
        "per_task_balanced_accuracy": M.per_task_balanced_accuracy,
        "mean_balanced_accuracy": M.mean_balanced_accuracy,
        "per_task_macro_f1": functools.partial(M.per_task_macro_f1, **no_nan),
        "mean_macro_f1": functools.partial(M.mean_macro_f1, **no_nan),
        "multilabel_f1_score micro": functools.partial(
            M.multilabel_f1_score, average="micro", **no_nan
        ),
        "multilabel_f1_score macro": functools.partial(
            M.multilabel_f1_score, average="macro", **no_nan
        ),
        "multilabel_f1_score samples": functools.partial(
            M.multilabel_f1_score, average="samples", **no_nan
        ),
        "multilabel_f1_score None": functools.partial(
            M.multilabel_f1_score, average=None, **no_nan
        ),
        "multilabel_f1_score pos_label=True": functools.partial(
            M.multilabel_f1_score, pos_label=True, **no_nan
        ),
        "multilabel_f1_score pos_label=1.0": functools.partial(
            M.multilabel_f1_score, pos_label=1.0, **no_nan
        ),
        "task_scores": functools.partial(M.task_scores, task_types="classification"),
        "mean_task_score": functools.partial(
            M.mean_task_score, task_types="classification"
        ),
    }


def _proba_metrics():
    """Every metric of (Y_true, probabilities), by name, with its options."""
    return {
        "per_task_roc_auc": M.per_task_roc_auc,
        "mean_roc_auc": M.mean_roc_auc,
        "per_task_log_loss": M.per_task_log_loss,
        "mean_log_loss": M.mean_log_loss,
        "per_task_brier_score": M.per_task_brier_score,
        "mean_brier_score": M.mean_brier_score,
        "multilabel_roc_auc macro": M.multilabel_roc_auc,
        "multilabel_roc_auc micro": functools.partial(
            M.multilabel_roc_auc, average="micro"
        ),
        "multilabel_average_precision macro": M.multilabel_average_precision,
        "multilabel_average_precision micro": functools.partial(
            M.multilabel_average_precision, average="micro"
        ),
    }


# Public names of sklmtl.metrics that score no labels, and why.
NOT_LABEL_METRICS = {
    "delta_m": "compares score values against reference scores",
    "MultiTaskScoreMixin": "the mixin of score(), covered by the estimator test",
    "get_scorer": "factory, its scorers are all covered",
    "make_multitask_scorer": "factory, its scorers are all covered",
    "get_scorers": "factory, its scorers are all covered",
    "get_scorer_names": "the list of scorer names",
}


def test_every_public_metric_and_scorer_is_covered():
    covered = {name.split(" ")[0] for name in _labels_metrics()}
    covered |= {name.split(" ")[0] for name in _proba_metrics()}
    scorers = {
        name
        for name in M.__all__
        if name.endswith("_scorer") and name not in NOT_LABEL_METRICS
    }
    assert {name.removesuffix("_scorer") for name in scorers} == set(
        M.get_scorer_names()
    )
    assert set(M.__all__) == covered | scorers | set(NOT_LABEL_METRICS)


def _outcome(func, *args, **kwargs):
    """A comparable result: the values (dicts by order), or the error type."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = func(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        return ("error", type(exc).__name__)
    if isinstance(value, dict):
        value = list(value.values())
    return ("value", np.round(np.asarray(value, dtype=float), 12).tolist())


def _same_outcome(got, expected, what):
    assert got[0] == expected[0] == "value", (what, got, expected)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-12, err_msg=what)


@pytest.fixture(scope="module", params=SEEDS)
def labels(request):
    rng = np.random.RandomState(request.param)
    Y = _binary_matrix(rng)
    return Y, _with_flips(rng, Y), _missing_cells(rng, Y), _probas(rng)


class TestLabelMetrics:
    @pytest.mark.parametrize("metric", _labels_metrics())
    def test_truth_in_any_kind(self, labels, metric):
        Y, P, _, _ = labels
        func = _labels_metrics()[metric]
        expected = _outcome(func, Y, P.astype(bool))
        for kind, make in FULL_KINDS.items():
            got = _outcome(func, make(Y), P.astype(bool))
            _same_outcome(got, expected, f"{metric}, truth {kind}")

    @pytest.mark.parametrize("metric", _labels_metrics())
    def test_predictions_in_any_kind(self, labels, metric):
        Y, P, _, _ = labels
        func = _labels_metrics()[metric]
        expected = _outcome(func, Y, P)
        for kind, make in FULL_KINDS.items():
            got = _outcome(func, Y.astype(bool), make(P))
            _same_outcome(got, expected, f"{metric}, predictions {kind}")

    @pytest.mark.parametrize("metric", _labels_metrics())
    def test_truth_with_missing_cells_in_any_kind(self, labels, metric):
        Y, P, missing, _ = labels
        func = _labels_metrics()[metric]
        expected = _outcome(func, _nan_float(Y, missing), P)
        for kind, make in MISSING_KINDS.items():
            got = _outcome(func, make(Y, missing), P.astype(bool))
            _same_outcome(got, expected, f"{metric}, truth {kind}")

    @pytest.mark.parametrize("metric", _labels_metrics())
    def test_a_string_is_never_a_number(self, labels, metric):
        # "1" against 1 is scored as 3 against 1 (never the same label) is.
        Y, P, _, _ = labels
        func = _labels_metrics()[metric]
        expected = _outcome(func, Y + 2, P)
        assert _outcome(func, Y.astype(str), P) == expected
        assert _outcome(func, Y, P.astype(str)) == _outcome(func, Y, P + 2)
        as_bytes = np.char.encode(Y.astype(str))
        assert _outcome(func, as_bytes, Y.astype(str)) == _outcome(func, Y + 2, Y)


SKLEARN_LABEL_EQUIVALENTS = {
    "subset_accuracy": lambda Y, P: skm.accuracy_score(Y, P),
    "hamming_loss": lambda Y, P: skm.hamming_loss(Y, P),
    "mean_task_accuracy": lambda Y, P: np.mean(
        [skm.accuracy_score(y, p) for y, p in zip(Y.T, P.T)]
    ),
    "mean_balanced_accuracy": lambda Y, P: np.mean(
        [skm.balanced_accuracy_score(y, p) for y, p in zip(Y.T, P.T)]
    ),
    "mean_macro_f1": lambda Y, P: np.mean(
        [skm.f1_score(y, p, average="macro") for y, p in zip(Y.T, P.T)]
    ),
    "multilabel_f1_score micro": lambda Y, P: skm.f1_score(
        Y, P, average="micro", zero_division=0.0
    ),
    "multilabel_f1_score macro": lambda Y, P: skm.f1_score(
        Y, P, average="macro", zero_division=0.0
    ),
    "multilabel_f1_score samples": lambda Y, P: skm.f1_score(
        Y, P, average="samples", zero_division=0.0
    ),
    "multilabel_f1_score None": lambda Y, P: skm.f1_score(
        Y, P, average=None, zero_division=0.0
    ),
}


@pytest.mark.parametrize("kind", ["int", "bool", "float", "DataFrame boolean"])
@pytest.mark.parametrize("metric", SKLEARN_LABEL_EQUIVALENTS)
def test_a_full_indicator_matrix_scores_as_in_sklearn(labels, metric, kind):
    Y, P, _, _ = labels
    got = _labels_metrics()[metric](Y, FULL_KINDS[kind](P))
    if isinstance(got, dict):
        got = list(got.values())
    expected = SKLEARN_LABEL_EQUIVALENTS[metric](Y, P)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_the_issue_example():
    Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    P = np.array([[0.9, 0.2], [0.1, 0.7], [0.8, 0.6], [0.3, 0.1]]) >= 0.5
    assert M.hamming_loss(Y, P) == 0.0
    assert M.subset_accuracy(Y, P) == 1.0
    assert M.multilabel_f1_score(Y, P) == 1.0


# ------------------------------------------------ metrics of probabilities
CLASS_KINDS = {
    "None": None,
    "int": [np.array([0, 1])] * N_TASKS,
    "bool": [np.array([False, True])] * N_TASKS,
    "float": [np.array([0.0, 1.0])] * N_TASKS,
    "object": [np.array([False, True], dtype=object)] * N_TASKS,
}


class TestProbabilityMetrics:
    @pytest.mark.parametrize("metric", _proba_metrics())
    def test_truth_and_classes_in_any_kind(self, labels, metric):
        Y, _, _, probas = labels
        func = _proba_metrics()[metric]
        expected = _outcome(func, Y, probas, classes=CLASS_KINDS["int"])
        for kind, make in FULL_KINDS.items():
            got = _outcome(func, make(Y), probas, classes=CLASS_KINDS["bool"])
            _same_outcome(got, expected, f"{metric}, truth {kind}")
        for classes_kind, classes in CLASS_KINDS.items():
            for kind in ("int", "bool", "DataFrame boolean"):
                got = _outcome(func, FULL_KINDS[kind](Y), probas, classes=classes)
                what = f"{metric}, truth {kind}, classes {classes_kind}"
                _same_outcome(got, expected, what)

    @pytest.mark.parametrize("metric", _proba_metrics())
    def test_truth_with_missing_cells_in_any_kind(self, labels, metric):
        Y, _, missing, probas = labels
        func = _proba_metrics()[metric]
        expected = _outcome(func, _nan_float(Y, missing), probas)
        for kind, make in MISSING_KINDS.items():
            got = _outcome(func, make(Y, missing), probas, classes=CLASS_KINDS["bool"])
            _same_outcome(got, expected, f"{metric}, truth {kind}")

    @pytest.mark.parametrize("metric", _proba_metrics())
    def test_a_string_is_never_a_number(self, labels, metric):
        Y, _, _, probas = labels
        func = _proba_metrics()[metric]
        got = _outcome(func, Y.astype(str), probas, classes=CLASS_KINDS["int"])
        assert got == ("error", "ValueError")
        got = _outcome(func, Y, probas, classes=[np.array(["0", "1"])] * N_TASKS)
        assert got == ("error", "ValueError")

    @pytest.mark.parametrize("kind", ["int", "bool", "DataFrame Int64"])
    def test_as_in_sklearn(self, labels, kind):
        Y, _, _, probas = labels
        truth, classes = FULL_KINDS[kind](Y), CLASS_KINDS["bool"]
        scores = np.column_stack([p[:, 1] for p in probas])
        for average in ("macro", "micro"):
            assert M.multilabel_roc_auc(
                truth, probas, average=average, classes=classes
            ) == pytest.approx(skm.roc_auc_score(Y, scores, average=average))
            assert M.multilabel_average_precision(
                truth, scores, average=average
            ) == pytest.approx(skm.average_precision_score(Y, scores, average=average))
        per_task = [
            (skm.roc_auc_score, M.mean_roc_auc),
            (skm.log_loss, M.mean_log_loss),
            (skm.brier_score_loss, M.mean_brier_score),
        ]
        for sk_metric, metric in per_task:
            column = 1 if sk_metric is not skm.log_loss else slice(None)
            expected = np.mean(
                [sk_metric(Y[:, t], p[:, column]) for t, p in enumerate(probas)]
            )
            assert metric(truth, probas, classes=classes) == pytest.approx(expected)


# ------------------------------------------------ scorers and score()
@pytest.fixture(scope="module")
def fitted():
    """The same net fitted on a bool Y and on its 0/1 ints."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.3, X[:, 0] + X[:, 2] > 0])
    params = dict(hidden_layer_sizes=(8,), max_epochs=2, random_state=0)
    on_bool = MultiTaskNetClassifier(**params).fit(X, Y)
    on_int = MultiTaskNetClassifier(**params).fit(X, Y.astype(int))
    return X, Y.astype(int), on_bool, on_int


class TestScorers:
    def test_the_two_fits_predict_alike(self, fitted):
        X, _, on_bool, on_int = fitted
        assert on_bool.classes_[0].dtype == bool
        assert on_int.classes_[0].dtype.kind == "i"
        np.testing.assert_array_equal(on_bool.predict(X), on_int.predict(X))

    @pytest.mark.parametrize("scorer", M.get_scorer_names())
    def test_scorer_of_any_truth_kind(self, fitted, scorer):
        X, Y, on_bool, on_int = fitted
        expected = _outcome(M.get_scorer(scorer), on_int, X, Y)
        for kind, make in FULL_KINDS.items():
            for estimator in (on_bool, on_int):
                got = _outcome(M.get_scorer(scorer), estimator, X, make(Y))
                _same_outcome(got, expected, f"{scorer}, truth {kind}")

    def test_score_of_any_truth_kind(self, fitted):
        X, Y, on_bool, on_int = fitted
        expected = on_int.score(X, Y)
        assert expected > 0  # a 0.0 here would hide the bug this guards
        for kind, make in FULL_KINDS.items():
            assert on_bool.score(X, make(Y)) == expected, kind
            assert on_int.score(X, make(Y)) == expected, kind

    def test_score_of_str_truth_is_all_wrong(self, fitted):
        X, Y, on_bool, _ = fitted
        assert on_bool.score(X, Y.astype(str)) == 0.0

    def test_f1_scorers_take_str_labels_as_roc_auc_does(self):
        rng = np.random.RandomState(1)
        X = rng.normal(size=(30, 3)).astype(np.float32)
        Y = np.where(X[:, :2] > 0, "yes", "no")
        clf = MultiTaskNetClassifier(
            hidden_layer_sizes=(4,), max_epochs=1, random_state=0
        ).fit(X, Y)
        positive = clf.predict(X) == "yes"
        for average in ("micro", "macro", "samples"):
            expected = skm.f1_score(
                Y == "yes", positive, average=average, zero_division=0
            )
            scorer = M.get_scorer(f"f1_{average}")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                assert scorer(clf, X, Y) == pytest.approx(expected)
        assert np.isfinite(M.get_scorer("roc_auc_micro")(clf, X, Y))


# ------------------------------------------------ splitters
def _splitters():
    return {
        "MultiTaskStratifiedKFold": MultiTaskStratifiedKFold(3),
        "MultiTaskStratifiedKFold shuffled": MultiTaskStratifiedKFold(
            3, shuffle=True, random_state=0
        ),
        "MultiTaskStratifiedGroupKFold": MultiTaskStratifiedGroupKFold(3),
        "MultiTaskStratifiedShuffleSplit": MultiTaskStratifiedShuffleSplit(
            3, test_size=0.25, random_state=0
        ),
        "check_cv(3)": check_cv(3),
    }


def _folds(splitter, Y):
    groups = None
    if isinstance(splitter, MultiTaskStratifiedGroupKFold):
        groups = np.arange(N_ROWS) // 2
    return [
        (train.tolist(), test.tolist())
        for train, test in splitter.split(None, Y, groups)
    ]


class TestSplitters:
    @pytest.mark.parametrize("splitter", _splitters())
    def test_folds_of_any_kind(self, labels, splitter):
        Y = labels[0]
        cv = _splitters()[splitter]
        expected = _folds(cv, Y)
        for kind, make in FULL_KINDS.items():
            assert _folds(cv, make(Y)) == expected, kind

    @pytest.mark.parametrize("splitter", _splitters())
    def test_folds_with_missing_cells_of_any_kind(self, labels, splitter):
        Y, _, missing, _ = labels
        cv = _splitters()[splitter]
        expected = _folds(cv, _nan_float(Y, missing))
        for kind, make in MISSING_KINDS.items():
            assert _folds(cv, make(Y, missing)) == expected, kind

    @pytest.mark.parametrize("splitter", _splitters())
    def test_bools_and_ints_in_one_column_are_one_class(self, labels, splitter):
        Y = labels[0]
        mixed = np.array(Y.tolist(), dtype=object)
        mixed[::2] = Y[::2].astype(bool).tolist()
        cv = _splitters()[splitter]
        assert _folds(cv, mixed) == _folds(cv, Y)

    @pytest.mark.parametrize("splitter", _splitters())
    def test_a_string_is_never_a_number(self, labels, splitter):
        # A column of "1" and 1 holds two classes, as one of 2 and 1 does.
        Y = labels[0]
        mixed = np.array(Y.tolist(), dtype=object)
        relabelled = Y.copy()
        mixed[::2][Y[::2] == 1] = "1"
        relabelled[::2][Y[::2] == 1] = 2
        cv = _splitters()[splitter]
        assert _folds(cv, mixed) == _folds(cv, relabelled)

    def test_cross_val_predict_of_any_kind(self, fitted):
        X, Y, on_bool, _ = fitted
        cv = MultiTaskStratifiedKFold(2)
        expected = cross_val_predict(on_bool, X, Y, cv=cv, method="predict_proba")
        got = cross_val_predict(
            on_bool, X, pd.DataFrame(Y).astype("boolean"), cv=cv, method="predict_proba"
        )
        for e, g in zip(expected, got):
            np.testing.assert_allclose(g, e)


# ------------------------------------------------ naming a class stays strict
class TestNamingAClassIsKindStrict:
    def test_class_weight_key_1_is_not_true(self):
        X = np.random.RandomState(0).normal(size=(8, 2)).astype(np.float32)
        Y = np.array([True, False] * 4)
        clf = MultiTaskNetClassifier(
            hidden_layer_sizes=(4,), max_epochs=1, random_state=0, class_weight={1: 5.0}
        )
        with pytest.raises(
            ValueError, match=r"task 'task_0' names label 1 .*\[False, True\]"
        ):
            clf.fit(X, Y)

    def test_class_weight_key_of_the_classes_kind_weights_it(self):
        X = np.random.RandomState(0).normal(size=(8, 2)).astype(np.float32)
        Y = np.array([True, False] * 4)
        clf = MultiTaskNetClassifier(
            hidden_layer_sizes=(4,),
            max_epochs=1,
            random_state=0,
            class_weight={True: 5.0},
        ).fit(X, Y)
        assert clf.classes_.tolist() == [False, True]  # one task: one array
        # The weight reaches the loss: the fit with it differs from one without.
        plain = MultiTaskNetClassifier(
            hidden_layer_sizes=(4,), max_epochs=1, random_state=0
        ).fit(X, Y)
        assert not np.allclose(clf.predict_proba(X), plain.predict_proba(X))

    def test_missing_label_0_keeps_the_false_cells(self):
        Y = np.array([[True, 0], [False, 1], [True, 0], [False, 1]], dtype=object)
        P = np.array([[True, 0], [True, 1], [True, 0], [True, 1]], dtype=object)
        # Column 0's False cells are scored (wrong); column 1's 0 cells are not.
        assert M.hamming_loss(Y, P, missing_label=0) == pytest.approx(2 / 6)

    def test_a_column_of_true_and_1_is_refused_at_fit(self):
        X = np.zeros((4, 1), dtype=np.float32)
        Y = np.array([True, 1, False, 0], dtype=object)
        with pytest.raises(TypeError, match="task_0.*mixes label types"):
            MultiTaskNetClassifier(hidden_layer_sizes=(4,), max_epochs=1).fit(X, Y)


def test_task_types_accepts_one_string():
    Y = np.array([[0.5, 1.0], [1.5, 3.0], [2.0, 2.5]])
    P = np.array([[0.5, 1.5], [1.0, 3.0], [2.5, 2.0]])
    one = M.task_scores(Y, P, task_types="regression")
    listed = M.task_scores(Y, P, task_types=["regression", "regression"])
    np.testing.assert_array_equal(one, listed)
    assert M.mean_task_score(Y, P, task_types="regression") == pytest.approx(
        np.mean(listed)
    )
    with pytest.raises(ValueError, match="task_types\\[0\\] is 'regresion'"):
        M.task_scores(Y, P, task_types="regresion")
