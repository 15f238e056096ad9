"""Probability and class-balance metrics that skip missing cells, their
scorers in scikit-learn's searches, sample weights of both shapes, delta_m."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import UndefinedMetricWarning, UnsetMetadataPassedError
from sklearn.metrics import (
    balanced_accuracy_score,
    brier_score_loss,
    f1_score,
    log_loss,
    roc_auc_score,
)
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.metrics import (
    delta_m,
    get_scorer,
    get_scorer_names,
    get_scorers,
    make_multitask_scorer,
    mean_balanced_accuracy,
    mean_balanced_accuracy_scorer,
    mean_brier_score,
    mean_log_loss,
    mean_macro_f1,
    mean_roc_auc,
    mean_roc_auc_scorer,
    mean_task_accuracy,
    mean_task_accuracy_scorer,
    neg_mean_brier_score_scorer,
    neg_mean_log_loss_scorer,
    per_task_balanced_accuracy,
    per_task_brier_score,
    per_task_log_loss,
    per_task_macro_f1,
    per_task_roc_auc,
    per_task_scores,
    subset_accuracy,
)
from sklmtl.model_selection import MultiTaskStratifiedKFold

N = 60
# Three tasks of three label kinds: str (binary, None cells), int (three
# classes, -1 sentinel cells), bool (binary, NaN cells).
CLASSES = [np.array(["no", "yes"]), np.array([0, 1, 2]), np.array([False, True])]


def _random_probas(rng, n):
    return [rng.dirichlet(np.ones(len(c)), size=n) for c in CLASSES]


@pytest.fixture(scope="module")
def data():
    """Y_true (object, mixed kinds, missing cells), Y_pred and probabilities."""
    rng = np.random.RandomState(0)
    Y = np.empty((N, 3), dtype=object)
    Y_pred = np.empty((N, 3), dtype=object)
    for t, task_classes in enumerate(CLASSES):
        Y[:, t] = task_classes[rng.randint(len(task_classes), size=N)].tolist()
        Y_pred[:, t] = task_classes[rng.randint(len(task_classes), size=N)].tolist()
    Y[rng.rand(N) < 0.3, 0] = None
    Y[rng.rand(N) < 0.3, 1] = -1
    Y[rng.rand(N) < 0.3, 2] = np.nan
    return Y, Y_pred, _random_probas(rng, N)


def _labelled(Y, t):
    column = Y[:, t]
    return np.array(
        [v is not None and v is not np.nan and not (t == 1 and v == -1) for v in column]
    )


def _sklearn_value(metric, y, proba, y_pred, classes, weights):
    """scikit-learn's own metric of one task's labelled rows."""
    binary = len(classes) == 2
    if metric == "roc_auc":
        if binary:
            return roc_auc_score(y, proba[:, 1], sample_weight=weights)
        return roc_auc_score(
            y, proba, multi_class="ovr", labels=classes, sample_weight=weights
        )
    if metric == "log_loss":
        return log_loss(y, proba, labels=classes, sample_weight=weights)
    if metric == "brier":
        if binary:
            return brier_score_loss(
                y, proba[:, 1], pos_label=classes[1], sample_weight=weights
            )
        return brier_score_loss(y, proba, labels=classes, sample_weight=weights)
    if metric == "balanced_accuracy":
        return balanced_accuracy_score(y, y_pred, sample_weight=weights)
    return f1_score(y, y_pred, average="macro", sample_weight=weights)


PER_TASK = {
    "roc_auc": per_task_roc_auc,
    "log_loss": per_task_log_loss,
    "brier": per_task_brier_score,
    "balanced_accuracy": per_task_balanced_accuracy,
    "macro_f1": per_task_macro_f1,
}
MEAN = {
    "roc_auc": mean_roc_auc,
    "log_loss": mean_log_loss,
    "brier": mean_brier_score,
    "balanced_accuracy": mean_balanced_accuracy,
    "macro_f1": mean_macro_f1,
}
PROBA_METRICS = {"roc_auc", "log_loss", "brier"}


def _call(metric, function, Y, Y_pred, probas, **kwargs):
    if metric in PROBA_METRICS:
        return function(Y, probas, classes=CLASSES, missing_label=-1, **kwargs)
    return function(Y, Y_pred, missing_label=-1, **kwargs)


def _weights(kind):
    rng = np.random.RandomState(1)
    if kind is None:
        return None
    if kind == "rows":
        return rng.randint(0, 4, size=N).astype(float)
    return rng.rand(N, 3) * (rng.rand(N, 3) > 0.2)  # per cell, a fifth zero


@pytest.mark.parametrize("weights_kind", [None, "rows", "cells"])
@pytest.mark.parametrize("metric", list(PER_TASK))
def test_each_task_equals_scikit_learn_on_its_labelled_rows(data, metric, weights_kind):
    Y, Y_pred, probas = data
    weights = _weights(weights_kind)
    scores = _call(metric, PER_TASK[metric], Y, Y_pred, probas, sample_weight=weights)
    assert list(scores) == ["task_0", "task_1", "task_2"]
    expected = []
    for t, task_classes in enumerate(CLASSES):
        rows = _labelled(Y, t)
        w = None
        if weights is not None:
            cell = weights if weights.ndim == 1 else weights[:, t]
            rows &= cell > 0  # a cell of weight 0 counts as unlabelled
            w = cell[rows]
        y = np.array(Y[rows, t].tolist())
        y_pred = np.array(Y_pred[rows, t].tolist())
        expected.append(
            _sklearn_value(metric, y, probas[t][rows], y_pred, task_classes, w)
        )
    np.testing.assert_allclose(list(scores.values()), expected, rtol=1e-12)
    mean = _call(metric, MEAN[metric], Y, Y_pred, probas, sample_weight=weights)
    assert mean == pytest.approx(np.mean(expected), rel=1e-12)


@pytest.mark.parametrize("metric", list(PER_TASK))
def test_a_frame_names_the_tasks_and_pd_na_is_missing(data, metric):
    pd = pytest.importorskip("pandas")
    Y, Y_pred, probas = data
    frame = pd.DataFrame(Y, columns=["answer", "size", "flag"]).astype(object)
    frame["answer"] = frame["answer"].where(frame["answer"].notna(), pd.NA)
    by_name = _call(metric, PER_TASK[metric], frame, Y_pred, probas)
    by_position = _call(metric, PER_TASK[metric], Y, Y_pred, probas)
    assert list(by_name) == ["answer", "size", "flag"]
    np.testing.assert_allclose(list(by_name.values()), list(by_position.values()))


def test_integer_row_weights_equal_repeated_rows(data):
    Y, _, probas = data
    counts = np.random.RandomState(2).randint(1, 4, size=N)
    rows = np.repeat(np.arange(N), counts)
    for function in (per_task_roc_auc, per_task_log_loss, per_task_brier_score):
        weighted = function(
            Y, probas, classes=CLASSES, missing_label=-1, sample_weight=counts
        )
        repeated = function(
            Y[rows], [p[rows] for p in probas], classes=CLASSES, missing_label=-1
        )
        np.testing.assert_allclose(list(weighted.values()), list(repeated.values()))


def test_zero_weight_cells_count_as_unlabelled(data):
    Y, Y_pred, probas = data
    weights = np.ones((N, 3))
    weights[::3, 1] = 0
    hidden = Y.copy()
    hidden[::3, 1] = None
    assert per_task_log_loss(
        Y, probas, classes=CLASSES, missing_label=-1, sample_weight=weights
    ) == per_task_log_loss(hidden, probas, classes=CLASSES, missing_label=-1)
    assert per_task_macro_f1(
        Y, Y_pred, missing_label=-1, sample_weight=weights
    ) == per_task_macro_f1(hidden, Y_pred, missing_label=-1)


def test_classes_are_inferred_from_the_labelled_cells(data):
    Y, _, probas = data
    given = per_task_log_loss(Y, probas, classes=CLASSES, missing_label=-1)
    assert per_task_log_loss(Y, probas, missing_label=-1) == given


def test_a_single_task_takes_one_array():
    y = np.array(["b", None, "a", "b", "a"], dtype=object)
    proba = np.array([[0.2, 0.8], [0.5, 0.5], [0.7, 0.3], [0.4, 0.6], [0.6, 0.4]])
    rows = [0, 2, 3, 4]
    expected = roc_auc_score(y[rows].astype(str), proba[rows, 1])
    assert per_task_roc_auc(y, proba) == {"task_0": expected}
    assert mean_roc_auc(y, proba, classes=np.array(["a", "b"])) == expected


# --------------------------------------------------------- undefined AUC
def test_auc_of_a_task_with_one_class_is_nan_with_a_warning_naming_it():
    Y = np.array([[0, "x"], [1, "x"], [0, None], [1, "x"]], dtype=object)
    probas = [np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5], [0.4, 0.6]])] * 2
    classes = [[0, 1], ["x", "y"]]
    with pytest.warns(UndefinedMetricWarning, match=r"task 'task_1'.*\['y'\]"):
        scores = per_task_roc_auc(Y, probas, classes=classes)
    assert scores["task_0"] == 1.0 and np.isnan(scores["task_1"])
    with pytest.warns(UndefinedMetricWarning, match="task_1"):
        assert mean_roc_auc(Y, probas, classes=classes) == 1.0  # task_1 left out
    only_x = np.array([["x"], ["x"]], dtype=object)
    with (
        pytest.warns(UndefinedMetricWarning),
        pytest.raises(ValueError, match="No task has a defined ROC-AUC"),
    ):
        mean_roc_auc(only_x, [probas[0][:2]], classes=[["x", "y"]])


def test_auc_of_a_multiclass_task_missing_a_class_is_nan():
    y = np.array([0, 1, 0, 1])
    proba = np.full((4, 3), 1 / 3)
    with pytest.warns(UndefinedMetricWarning, match=r"class\(es\) \[2\]"):
        assert np.isnan(per_task_roc_auc(y, proba, classes=[0, 1, 2])["task_0"])


def test_a_task_without_labels_is_nan_silently():
    Y = np.array([[0, None], [1, None]], dtype=object)
    probas = [np.array([[0.9, 0.1], [0.2, 0.8]])] * 2
    scores = per_task_log_loss(Y, probas, classes=[[0, 1], [0, 1]])
    assert np.isnan(scores["task_1"]) and scores["task_0"] > 0
    assert np.isnan(per_task_log_loss(Y, probas)["task_1"])  # classes unknown: NaN


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "change, error, match",
    [
        (lambda Y, P, c: (Y, P[:2], c), ValueError, "2 array.*3 task"),
        (lambda Y, P, c: (Y, P[0], c), ValueError, "one array of shape .* 3 tasks"),
        (lambda Y, P, c: (Y, {"a": 1}, c), TypeError, "Y_proba must be a list"),
        (
            lambda Y, P, c: (Y, [P[0], P[1][:-1], P[2]], c),
            ValueError,
            r"task 'task_1' has shape \(59, 3\); expected \(60, n_classes\)",
        ),
        (
            lambda Y, P, c: (Y, [P[0], P[1][:, :2], P[2]], c),
            ValueError,
            "task 'task_1' has 2 columns but classes names 3",
        ),
        (lambda Y, P, c: (Y, P, c[:2]), ValueError, "classes has 2 entries.*3 task"),
        (
            lambda Y, P, c: (Y, [P[0] * 2, P[1], P[2]], c),
            ValueError,
            "task 'task_0' has values outside",
        ),
        (
            lambda Y, P, c: (Y, [P[0], P[1], P[2] * np.nan], c),
            ValueError,
            "task 'task_2' contains NaN",
        ),
        (
            lambda Y, P, c: (Y, P, [["no", "maybe"], c[1], c[2]]),
            ValueError,
            "Task 'task_0' has the label 'yes'.*not one of its classes",
        ),
        (
            lambda Y, P, c: (Y, P, [c[0], c[1], ["False", "True"]]),
            ValueError,
            "Task 'task_2' has the label (True|False)",  # a bool is no str
        ),
        (
            lambda Y, P, c: (Y, P, [["no", "no"], c[1], c[2]]),
            ValueError,
            "classes of task 'task_0' repeat",
        ),
        (lambda Y, P, c: (Y[:, :2], P[:2], None), ValueError, "task 'task_1'.*3 col"),
    ],
)
def test_bad_probability_input_names_the_problem(data, change, error, match):
    Y, _, probas = data
    if match.startswith("task 'task_1'.*3 col"):
        Y = Y.copy()
        Y[Y[:, 1] == 2, 1] = 1  # only two classes seen, three columns
        match = "task 'task_1' has 3 columns but its labelled cells hold 2 classes"
    before = [Y.copy(), [p.copy() for p in probas]]
    Y_in, P_in, c_in = change(Y, probas, [list(c) for c in CLASSES])
    with pytest.raises(error, match=match):
        per_task_roc_auc(Y_in, P_in, classes=c_in, missing_label=-1)
    assert all(a is b for a, b in zip(Y.ravel(), before[0].ravel()))
    for proba, kept in zip(probas, before[1]):
        np.testing.assert_array_equal(proba, kept)


@pytest.mark.parametrize(
    "weights, error, match",
    [
        (np.ones(5), ValueError, "5 entries but Y_true has 60 samples"),
        (np.ones((60, 2)), ValueError, r"shape \(60, 2\); expected \(60,\) or"),
        (-np.ones(60), ValueError, "negative"),
        (np.full(60, np.nan), ValueError, "NaN"),
        (np.zeros(60), ValueError, "zero everywhere"),
        (np.array(["a"] * 60), TypeError, "numbers"),
    ],
)
def test_bad_weights_name_the_problem(data, weights, error, match):
    Y, Y_pred, probas = data
    kept = weights.copy()
    with pytest.raises(error, match=match):
        mean_log_loss(
            Y, probas, classes=CLASSES, missing_label=-1, sample_weight=weights
        )
    with pytest.raises(error, match=match):
        subset_accuracy(Y, Y_pred, missing_label=-1, sample_weight=weights)
    np.testing.assert_array_equal(weights, kept)


def test_label_metrics_report_mismatched_shapes():
    with pytest.raises(ValueError, match="Y_true has 2 task.*Y_pred has 3"):
        mean_macro_f1(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="Y_true has 4 samples but Y_pred has 3"):
        per_task_balanced_accuracy(np.zeros((4, 2)), np.zeros((3, 2)))


# ----------------------------------------------------- per-cell weights
def test_subset_accuracy_with_cell_weights_by_hand():
    Y_true = np.array([[0, 1], [1, None], [1, 1]], dtype=object)
    Y_pred = np.array([[0, 1], [0, 0], [1, 0]])
    weights = np.array([[1, 3], [2, 5], [4, 0]], dtype=float)
    # Row 0: both cells right, weight (1 + 3) / 2 = 2. Row 1: only task 0 is
    # labelled, wrong, weight 2. Row 2: task 1 weighs 0 (unlabelled), task 0
    # right, weight 4. (2 + 0 + 4) / (2 + 2 + 4) = 0.75.
    assert subset_accuracy(Y_true, Y_pred, sample_weight=weights) == 0.75
    rows = np.array([2.0, 1.0, 1.0])
    assert subset_accuracy(Y_true, Y_pred, sample_weight=rows) == subset_accuracy(
        Y_true, Y_pred, sample_weight=np.column_stack([rows, rows])
    )
    assert mean_task_accuracy(Y_true, Y_pred, sample_weight=weights) == pytest.approx(
        ((1 + 4) / 7 + 1.0) / 2
    )


@pytest.mark.parametrize("shape", ["rows", "cells"])
def test_score_accepts_both_weight_shapes(shape):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.3]).astype(int)
    Y[::5, 1] = -1
    weights = rng.rand(40) if shape == "rows" else rng.rand(40, 2)
    weights[::4] = 0
    kept = weights.copy()
    models = [
        IndependentTaskClassifier(
            DecisionTreeClassifier(max_depth=1), missing_label=-1
        ),
        MultiTaskNetClassifier(
            hidden_layer_sizes=(4,), max_epochs=2, random_state=0, missing_label=-1
        ),
    ]
    for model in models:
        model.fit(X, Y)
        score = model.score(X, Y, sample_weight=weights)
        Y_pred = model.predict(X)
        assert score == subset_accuracy(
            Y, Y_pred, missing_label=-1, sample_weight=weights
        )
    np.testing.assert_array_equal(weights, kept)


# --------------------------------------------------------------- scorers
TINY = dict(hidden_layer_sizes=(4,), max_epochs=2, random_state=0, missing_label=-1)
ALL_NEW = [
    "mean_roc_auc",
    "neg_mean_log_loss",
    "neg_mean_brier_score",
    "mean_balanced_accuracy",
    "mean_macro_f1",
]


def _mixed_problem(n=90):
    """str, int (three classes, -1 sentinel) and bool tasks with None cells."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    Y = np.empty((n, 3), dtype=object)
    Y[:, 0] = np.where(X[:, 0] > 0, "spam", "ham").tolist()
    Y[:, 1] = np.digitize(X[:, 1], [-0.5, 0.5]).tolist()
    Y[:, 2] = (X[:, 2] > 0).tolist()
    Y[rng.rand(n) < 0.2, 0] = None
    Y[rng.rand(n) < 0.2, 1] = -1
    Y[rng.rand(n) < 0.2, 2] = None
    return X, Y


def _search(X, Y, cv):
    search = GridSearchCV(
        MultiTaskNetClassifier(**TINY),
        {"lr": [0.01, 0.05]},
        cv=cv,
        scoring=get_scorers(ALL_NEW),
        refit="mean_roc_auc",
        error_score="raise",
    )
    return search.fit(X, Y)


def test_grid_search_with_the_stratified_splitter_scores_as_the_metrics_do():
    X, Y = _mixed_problem()
    cv = MultiTaskStratifiedKFold(3, shuffle=True, random_state=0, missing_label=-1)
    search = _search(X, Y, cv)
    again = _search(X, Y, cv)
    for name in ALL_NEW:
        key = f"mean_test_{name}"
        assert np.isfinite(search.cv_results_[key]).all()
        np.testing.assert_array_equal(search.cv_results_[key], again.cv_results_[key])
    np.testing.assert_array_equal(
        search.best_estimator_.predict_proba(X)[1],
        again.best_estimator_.predict_proba(X)[1],
    )
    for k, (train, test) in enumerate(cv.split(X, Y)):
        fold = clone(MultiTaskNetClassifier(**TINY)).set_params(lr=0.01)
        fold.fit(X[train], Y[train])
        proba, Y_pred = fold.predict_proba(X[test]), fold.predict(X[test])
        expected = {
            "mean_roc_auc": mean_roc_auc(
                Y[test], proba, classes=fold.classes_, missing_label=-1
            ),
            "neg_mean_log_loss": -mean_log_loss(
                Y[test], proba, classes=fold.classes_, missing_label=-1
            ),
            "neg_mean_brier_score": -mean_brier_score(
                Y[test], proba, classes=fold.classes_, missing_label=-1
            ),
            "mean_balanced_accuracy": mean_balanced_accuracy(
                Y[test], Y_pred, missing_label=-1
            ),
            "mean_macro_f1": mean_macro_f1(Y[test], Y_pred, missing_label=-1),
        }
        for name, value in expected.items():
            score = search.cv_results_[f"split{k}_test_{name}"][0]
            assert score == pytest.approx(value, rel=1e-12), name
        # Without the estimator's sentinel, -1 would be an unknown label.
        with pytest.raises(ValueError, match="label -1"):
            mean_roc_auc(Y[test], proba, classes=fold.classes_)


def test_our_names_are_not_scikit_learn_strings():
    X, Y = _mixed_problem(30)
    search = GridSearchCV(
        MultiTaskNetClassifier(**TINY), {"lr": [0.01]}, scoring="mean_roc_auc"
    )
    with pytest.raises(ValueError, match="Got 'mean_roc_auc' instead"):
        search.fit(X, Y)
    with pytest.raises(ValueError, match="mean_roc_auc"):
        search.set_params(scoring=["mean_roc_auc"]).fit(X, Y)


def _tree(**kwargs):
    return IndependentTaskClassifier(
        DecisionTreeClassifier(max_depth=2, random_state=0), missing_label=-1, **kwargs
    )


def test_scorers_equal_their_metrics_on_estimators_pipelines_and_searches():
    X, Y = _mixed_problem()
    model = _tree().fit(X, Y)
    pipeline = make_pipeline(StandardScaler(), _tree()).fit(X, Y)
    search = GridSearchCV(_tree(), {"estimator__max_depth": [2]}, cv=KFold(2))
    search.fit(X, Y)
    for fitted in (model, pipeline, search):
        proba, Y_pred = fitted.predict_proba(X), fitted.predict(X)
        kwargs = dict(classes=fitted.classes_, missing_label=-1)
        assert mean_roc_auc_scorer(fitted, X, Y) == mean_roc_auc(Y, proba, **kwargs)
        assert neg_mean_log_loss_scorer(fitted, X, Y) == -mean_log_loss(
            Y, proba, **kwargs
        )
        assert neg_mean_brier_score_scorer(fitted, X, Y) == -mean_brier_score(
            Y, proba, **kwargs
        )
        assert mean_balanced_accuracy_scorer(fitted, X, Y) == mean_balanced_accuracy(
            Y, Y_pred, missing_label=-1
        )
        weights = np.random.RandomState(0).rand(*Y.shape)
        assert mean_roc_auc_scorer(fitted, X, Y, sample_weight=weights) == mean_roc_auc(
            Y, proba, sample_weight=weights, **kwargs
        )


def test_a_single_task_estimator_is_scored_on_its_labelled_rows():
    X, Y = _mixed_problem()
    y = Y[:, 0]
    model = IndependentTaskClassifier(DecisionTreeClassifier(max_depth=2)).fit(X, y)
    rows = np.array([v is not None for v in y])
    expected = roc_auc_score(y[rows].astype(str), model.predict_proba(X)[rows, 1])
    assert get_scorer("mean_roc_auc")(model, X, y) == expected


def test_sample_weight_reaches_the_scorer_by_metadata_routing():
    X, Y = _mixed_problem()
    weights = np.random.RandomState(3).rand(*Y.shape)
    cv = KFold(3, shuffle=True, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        model = _tree().set_fit_request(sample_weight=True)
        scorer = get_scorer("neg_mean_log_loss").set_score_request(sample_weight=True)
        result = cross_validate(
            model,
            X,
            Y,
            cv=cv,
            scoring={"ll": scorer},
            params={"sample_weight": weights},
        )
        # Not requested (scikit-learn's default): passing weights is an error.
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            cross_validate(
                model,
                X,
                Y,
                cv=cv,
                scoring=get_scorer("neg_mean_log_loss"),
                params={"sample_weight": weights},
            )
    for k, (train, test) in enumerate(cv.split(X)):
        fold = _tree().fit(X[train], Y[train], sample_weight=weights[train])
        expected = -mean_log_loss(
            Y[test],
            fold.predict_proba(X[test]),
            classes=fold.classes_,
            missing_label=-1,
            sample_weight=weights[test],
        )
        assert result["test_ll"][k] == pytest.approx(expected, rel=1e-12)


def test_get_scorer_names_copies_and_errors():
    multilabel = {"neg_hamming_loss", "f1_micro", "f1_macro", "f1_samples"}
    multilabel |= {"roc_auc_micro", "average_precision", "average_precision_micro"}
    assert set(ALL_NEW) | {"subset_accuracy", "mean_task_accuracy"} | multilabel == set(
        get_scorer_names()
    )
    assert get_scorer("mean_roc_auc") is not get_scorer("mean_roc_auc")
    assert get_scorer(mean_task_accuracy_scorer) is mean_task_accuracy_scorer
    with pytest.raises(ValueError, match="'roc_auc' is not a multi-task scorer"):
        get_scorer("roc_auc")
    with pytest.raises(RuntimeError, match="metadata routing"):
        get_scorer("mean_roc_auc").set_score_request(sample_weight=True)
    with sklearn.config_context(enable_metadata_routing=True):
        get_scorer("mean_roc_auc").set_score_request(sample_weight=True)
    # The module's scorer is untouched by a change to a copy.
    assert mean_roc_auc_scorer.get_metadata_routing().score.requests == {
        "sample_weight": None
    }


def test_get_scorers_builds_a_multi_metric_dict():
    scorers = get_scorers(["mean_roc_auc", "mean_macro_f1"])
    assert list(scorers) == ["mean_roc_auc", "mean_macro_f1"]
    assert list(get_scorers({"mean_macro_f1", "mean_roc_auc"})) == [
        "mean_macro_f1",
        "mean_roc_auc",
    ]
    keyed = get_scorers({"auc": "mean_roc_auc", "acc": mean_task_accuracy_scorer})
    assert keyed["acc"] is mean_task_accuracy_scorer
    with pytest.raises(TypeError, match="list of scorer names"):
        get_scorers("mean_roc_auc")
    with pytest.raises(ValueError, match="empty"):
        get_scorers([])
    with pytest.raises(ValueError, match="'mean_roc_auc' is named twice"):
        get_scorers(["mean_roc_auc", "mean_roc_auc"])
    with pytest.raises(ValueError, match="response_method must be one of"):
        make_multitask_scorer(mean_roc_auc, response_method="decision_function")


def test_probability_scorers_pickle_and_say_what_they_are():
    X, Y = _mixed_problem()
    model = _tree().fit(X, Y)
    restored = pickle.loads(pickle.dumps(neg_mean_log_loss_scorer))
    assert restored(model, X, Y) == neg_mean_log_loss_scorer(model, X, Y)
    assert repr(restored) == (
        "make_multitask_scorer(mean_log_loss, greater_is_better=False, "
        "response_method='predict_proba')"
    )


def test_per_task_scores_takes_weights():
    Y_true = np.array([[0, "a"], [1, "b"], [1, None]], dtype=object)
    Y_pred = np.array([[0, "a"], [0, "a"], [1, "b"]], dtype=object)
    scores = per_task_scores(Y_true, Y_pred, sample_weight=[1, 3, 4])
    assert scores == {"task_0": 5 / 8, "task_1": 1 / 4}


# ---------------------------------------------------------------- delta_m
def test_delta_m_by_hand():
    # +5% on accuracy, -10% on a loss (an improvement): (5 + 10) / 2.
    assert delta_m(
        {"a": 0.84, "b": 0.45}, {"a": 0.80, "b": 0.50}, {"a": True, "b": False}
    ) == pytest.approx(7.5)
    # Sequences in task order, one direction for all.
    assert delta_m([0.9, 0.6], [0.75, 0.8], higher_is_better=True) == pytest.approx(
        (20 - 25) / 2
    )
    # Several metrics per task, averaged within the task first (LibMTL's
    # count_improvement example: A higher-better then lower-better, B higher).
    value = delta_m(
        {"A": [93, 99], "B": [0.5]},
        {"A": [96, 98], "B": [0.2]},
        {"A": [True, False], "B": True},
    )
    assert value == pytest.approx(100 * ((-3 / 96 - 1 / 98) / 2 + 1.5) / 2)


def test_delta_m_properties():
    scores, reference = {"a": 0.7, "b": 1.3}, {"a": 0.6, "b": 1.5}
    assert delta_m(reference, reference, True) == 0.0
    assert delta_m(scores, reference, True) == pytest.approx(
        -delta_m(scores, reference, False)
    )
    pd = pytest.importorskip("pandas")
    assert delta_m(pd.Series(scores), reference, True) == delta_m(
        scores, reference, True
    )


@pytest.mark.parametrize(
    "scores, reference, higher, error, match",
    [
        ({"a": 1}, {"b": 1}, True, ValueError, r"\['a'\] only in scores"),
        ({"a": 1}, {"a": 0}, True, ValueError, "task 'a' is 0; .* positive"),
        ({"a": 1}, {"a": -0.5}, True, ValueError, "pass the loss itself"),
        ({"a": 1}, [1], True, TypeError, "both as dicts"),
        ([1, 2], [1], True, ValueError, r"\['task_1'\] only in scores"),
        ({"a": np.nan}, {"a": 1}, True, ValueError, "task 'a' is not finite"),
        ({"a": True}, {"a": 1}, True, TypeError, "task 'a' is a bool"),
        ({"a": "x"}, {"a": 1}, True, TypeError, "must be a number"),
        ({"a": 1}, {"a": 1}, {"b": True}, ValueError, "higher_is_better names"),
        ({"a": 1}, {"a": 1}, {"a": 1}, TypeError, "must be True/False"),
        ({"a": [1, 2]}, {"a": 1}, True, ValueError, "2 score.*1 reference"),
        ({"a": [1, 2]}, {"a": [1, 1]}, {"a": [True] * 3}, ValueError, "3 entries"),
        ({}, {}, True, ValueError, "empty"),
        (3.0, 3.0, True, TypeError, "dict keyed by task name"),
    ],
)
def test_delta_m_bad_input_names_the_problem(scores, reference, higher, error, match):
    with pytest.raises(error, match=match):
        delta_m(scores, reference, higher)


# ------------------------------------------------- mixed kinds, cell weights
def test_task_scores_take_weights_per_cell():
    from sklearn.metrics import r2_score

    from sklmtl import MultiTaskNetRegressor
    from sklmtl.metrics import mean_task_score, task_scores

    Y_true = np.array([["a", 1.0], ["b", 2.0], ["b", np.nan], ["a", 4.0]], dtype=object)
    Y_pred = np.array([["a", 1.5], ["a", 2.0], ["b", 0.0], ["a", 3.0]], dtype=object)
    weights = np.array([[1.0, 2.0], [3.0, 1.0], [1.0, 1.0], [0.0, 1.0]])
    scores = task_scores(
        Y_true,
        Y_pred,
        task_types=["classification", "regression"],
        sample_weight=weights,
    )
    # Row 3 of task 0 weighs 0: unlabelled. Row 2 of task 1 is NaN: unlabelled.
    expected_r2 = r2_score([1.0, 2.0, 4.0], [1.5, 2.0, 3.0], sample_weight=[2, 1, 1])
    np.testing.assert_allclose(scores, [(1 + 1) / (1 + 3 + 1), expected_r2])
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    Y = np.column_stack([X[:, 0], -X[:, 1]])
    cells = rng.rand(30, 2)
    model = MultiTaskNetRegressor(hidden_layer_sizes=(4,), max_epochs=2, random_state=0)
    model.fit(X, Y)
    assert model.score(X, Y, sample_weight=cells) == mean_task_score(
        Y, model.predict(X), task_types=["regression"] * 2, sample_weight=cells
    )
