"""Multi-label metrics: scikit-learn's values on full data; missing cells skipped."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    f1_score,
    roc_auc_score,
)
from sklearn.metrics import (
    hamming_loss as sk_hamming_loss,
)
from sklearn.model_selection import GridSearchCV, KFold

from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.metrics import (
    get_scorer,
    get_scorer_names,
    get_scorers,
    hamming_loss,
    mean_roc_auc,
    multilabel_average_precision,
    multilabel_f1_score,
    multilabel_roc_auc,
)

AVERAGES = ["micro", "macro", "samples"]


@pytest.fixture(scope="module")
def complete():
    """A fully labelled indicator target, predictions and scores; rows of zeros."""
    rng = np.random.RandomState(0)
    Y = (rng.rand(40, 5) < 0.4).astype(int)
    Y[:3] = 0  # samples with no positive cell: samples-F1 zero division
    score = np.clip(Y * 0.3 + rng.rand(40, 5) * 0.7, 0, 1)
    pred = (score > 0.5).astype(int)
    pred[0] = 0
    weights = rng.uniform(0.5, 2.0, size=40)
    return Y, pred, score, weights


@pytest.fixture(scope="module")
def with_missing(complete):
    Y, pred, score, _ = complete
    Y_missing = Y.astype(float)
    Y_missing[np.random.RandomState(1).rand(*Y.shape) < 0.3] = np.nan
    return Y_missing, pred, score


class TestMatchesScikitLearnOnCompleteData:
    def test_hamming_loss(self, complete):
        Y, pred, _, weights = complete
        assert hamming_loss(Y, pred) == pytest.approx(sk_hamming_loss(Y, pred))
        assert hamming_loss(Y, pred, sample_weight=weights) == pytest.approx(
            sk_hamming_loss(Y, pred, sample_weight=weights)
        )

    @pytest.mark.parametrize("average", AVERAGES)
    @pytest.mark.parametrize("weighted", [False, True])
    def test_f1(self, complete, average, weighted):
        Y, pred, _, weights = complete
        w = weights if weighted else None
        ours = multilabel_f1_score(
            Y, pred, average=average, sample_weight=w, zero_division=0.0
        )
        theirs = f1_score(Y, pred, average=average, sample_weight=w, zero_division=0)
        assert ours == pytest.approx(theirs)

    @pytest.mark.parametrize("zero_division", [0.0, 1.0])
    def test_f1_zero_division_of_samples(self, complete, zero_division):
        Y, pred, _, _ = complete
        ours = multilabel_f1_score(
            Y, pred, average="samples", zero_division=zero_division
        )
        theirs = f1_score(Y, pred, average="samples", zero_division=zero_division)
        assert ours == pytest.approx(theirs)

    def test_f1_per_label(self, complete):
        Y, pred, _, _ = complete
        ours = multilabel_f1_score(Y, pred, average=None)
        np.testing.assert_allclose(list(ours.values()), f1_score(Y, pred, average=None))
        assert list(ours) == [f"task_{t}" for t in range(5)]

    @pytest.mark.parametrize("average", ["micro", "macro", None])
    @pytest.mark.parametrize("weighted", [False, True])
    @pytest.mark.parametrize(
        "ours, theirs",
        [
            (multilabel_roc_auc, roc_auc_score),
            (multilabel_average_precision, average_precision_score),
        ],
    )
    def test_scores(self, complete, average, weighted, ours, theirs):
        Y, _, score, weights = complete
        w = weights if weighted else None
        value = ours(Y, score, average=average, sample_weight=w)
        expected = theirs(Y, score, average=average, sample_weight=w)
        if average is None:
            value = list(value.values())
        np.testing.assert_allclose(value, expected)

    def test_probability_list_is_the_score_array(self, complete):
        Y, _, score, _ = complete
        probas = [np.column_stack([1 - s, s]) for s in score.T]
        for average in ["micro", "macro"]:
            assert multilabel_roc_auc(Y, probas, average=average) == pytest.approx(
                roc_auc_score(Y, score, average=average)
            )
        # Binary tasks: the macro ROC-AUC is mean_roc_auc.
        assert multilabel_roc_auc(Y, probas) == pytest.approx(mean_roc_auc(Y, probas))


class TestMissingCells:
    def test_hamming_by_hand(self):
        Y = [[0, 1, -1], [1, -1, 0]]
        pred = [[1, 1, 0], [1, 0, 1]]
        # Labelled cells: 4, wrong: (0, 0) and (1, 2).
        assert hamming_loss(Y, pred, missing_label=-1) == 0.5
        weights = [[3, 1, 1], [1, 1, 1]]  # the wrong cell (0, 0) weighs 3 of 6
        loss = hamming_loss(Y, pred, missing_label=-1, sample_weight=weights)
        assert loss == pytest.approx(4 / 6)

    def test_f1_by_hand(self):
        Y = [[1, None], [0, 1], [1, 1], [None, 0]]
        pred = [[0, 1], [1, 1], [1, 0], [1, 1]]
        # Labelled: label 0 rows 0-2 (tp 1, fp 1, fn 1); label 1 rows 1-3
        # (tp 1, fp 1, fn 1).
        assert multilabel_f1_score(Y, pred) == pytest.approx(0.5)
        assert multilabel_f1_score(Y, pred, average=None) == pytest.approx(
            {"task_0": 0.5, "task_1": 0.5}
        )
        # Samples: row 0 F1 0 (fn), row 1 2/3, row 2 2/3, row 3 F1 0 (fp).
        assert multilabel_f1_score(Y, pred, average="samples") == pytest.approx(1 / 3)

    def test_f1_is_scikit_learn_on_the_labelled_cells(self, with_missing):
        Y, pred, _ = with_missing
        per_label = multilabel_f1_score(Y, pred, average=None)
        pooled_true, pooled_pred = [], []
        for t, value in enumerate(per_label.values()):
            rows = ~np.isnan(Y[:, t])
            assert value == pytest.approx(f1_score(Y[rows, t], pred[rows, t]))
            pooled_true.append(Y[rows, t])
            pooled_pred.append(pred[rows, t])
        assert multilabel_f1_score(Y, pred) == pytest.approx(
            f1_score(np.concatenate(pooled_true), np.concatenate(pooled_pred))
        )
        assert multilabel_f1_score(Y, pred, average="macro") == pytest.approx(
            np.mean(list(per_label.values()))
        )

    @pytest.mark.parametrize(
        "ours, theirs",
        [
            (multilabel_roc_auc, roc_auc_score),
            (multilabel_average_precision, average_precision_score),
        ],
    )
    def test_scores_on_the_labelled_cells(self, with_missing, ours, theirs):
        Y, _, score = with_missing
        per_label = ours(Y, score, average=None)
        labelled = ~np.isnan(Y)
        for t, value in enumerate(per_label.values()):
            assert value == pytest.approx(
                theirs(Y[labelled[:, t], t], score[labelled[:, t], t])
            )
        assert ours(Y, score, average="micro") == pytest.approx(
            theirs(Y[labelled], score[labelled])
        )

    def test_a_cell_of_weight_zero_is_missing(self, complete):
        Y, pred, score, _ = complete
        cell_weights = np.ones(Y.shape)
        cell_weights[:5, 1] = 0
        Y_missing = Y.astype(float)
        Y_missing[:5, 1] = np.nan
        for average in AVERAGES:
            assert multilabel_f1_score(
                Y, pred, average=average, sample_weight=cell_weights, zero_division=0.0
            ) == pytest.approx(
                multilabel_f1_score(Y_missing, pred, average=average, zero_division=0.0)
            )
        assert multilabel_roc_auc(
            Y, score, sample_weight=cell_weights
        ) == pytest.approx(multilabel_roc_auc(Y_missing, score))

    def test_a_label_without_labelled_cells_is_nan_and_left_out(self):
        Y = [[1, None], [0, None], [1, None]]
        pred = [[1, 0], [0, 1], [0, 1]]
        scores = multilabel_f1_score(Y, pred, average=None)
        assert scores["task_0"] == pytest.approx(2 / 3)
        assert np.isnan(scores["task_1"])
        assert multilabel_f1_score(Y, pred, average="macro") == pytest.approx(2 / 3)

    def test_inputs_are_not_mutated(self, with_missing):
        Y, pred, score = with_missing
        copies = [Y.copy(), pred.copy(), score.copy()]
        multilabel_f1_score(Y, pred, average="samples", zero_division=0.0)
        multilabel_roc_auc(Y, score)
        hamming_loss(Y, pred)
        for before, after in zip(copies, [Y, pred, score]):
            np.testing.assert_array_equal(before, after)


class TestLabelKinds:
    def test_bool_and_float_columns_count_true_as_one(self):
        Y = pd.DataFrame({"a": [True, False, True], "b": [1.0, np.nan, 0.0]})
        pred = pd.DataFrame({"a": [True, True, False], "b": [1, 1, 0]})
        assert multilabel_f1_score(Y, pred, average=None) == pytest.approx(
            {"a": 0.5, "b": 1.0}
        )

    def test_string_labels_need_pos_label(self):
        Y = [["yes", "no"], ["no", "yes"]]
        pred = [["yes", "yes"], ["no", "yes"]]
        with pytest.raises(ValueError, match="Task 'task_0' has two labels, neither"):
            multilabel_f1_score(Y, pred)
        assert multilabel_f1_score(Y, pred, pos_label="yes") == pytest.approx(0.8)
        scores = np.array([[0.9, 0.1], [0.2, 0.8]])
        assert multilabel_roc_auc(Y, scores, pos_label="yes") == 1.0

    def test_classes_say_which_column_is_positive(self):
        Y = [["b", "x"], ["a", "y"], ["b", "y"], ["a", "x"]]
        probas = [
            np.array([[0.2, 0.8], [0.7, 0.3], [0.4, 0.6], [0.9, 0.1]]),
            np.array([[0.6, 0.4], [0.1, 0.9], [0.3, 0.7], [0.8, 0.2]]),
        ]
        assert multilabel_roc_auc(Y, probas, classes=[["a", "b"], ["x", "y"]]) == 1.0
        # Reversed classes: column 1 is now the negative class.
        assert multilabel_roc_auc(Y, probas, classes=[["b", "a"], ["y", "x"]]) == 0.0


class TestUndefined:
    def test_a_one_class_label_is_nan_with_a_warning_naming_it(self):
        Y = pd.DataFrame({"rare": [0, 0, 0, 0], "common": [0, 1, 0, 1]})
        score = np.array([[0.1, 0.2], [0.3, 0.9], [0.2, 0.1], [0.4, 0.8]])
        with pytest.warns(UndefinedMetricWarning, match="rare"):
            per_label = multilabel_roc_auc(Y, score, average=None)
        assert np.isnan(per_label["rare"]) and per_label["common"] == 1.0
        with pytest.warns(UndefinedMetricWarning, match="rare"):
            assert multilabel_average_precision(Y, score) == 1.0

    def test_f1_zero_division_warns_and_names_the_label(self):
        Y = pd.DataFrame({"never": [0, 0], "often": [1, 1]})
        pred = pd.DataFrame({"never": [0, 0], "often": [1, 0]})
        with pytest.warns(UndefinedMetricWarning, match="never"):
            assert multilabel_f1_score(Y, pred, average="macro") == pytest.approx(
                (0 + 2 / 3) / 2
            )
        assert multilabel_f1_score(
            Y, pred, average="macro", zero_division=np.nan
        ) == pytest.approx(2 / 3)


class TestBadInput:
    def test_a_task_with_three_labels_is_named(self):
        with pytest.raises(ValueError, match="Task 'task_1' has more than two labels"):
            multilabel_f1_score([[0, 0], [1, 1], [1, 2]], [[0, 0], [1, 1], [1, 1]])

    def test_a_multiclass_probability_is_refused(self):
        Y = [[0, "a"], [1, "b"], [0, "c"]]
        probas = [np.eye(2)[[0, 1, 0]], np.eye(3)]
        with pytest.raises(ValueError, match="Task 'task_1' has 3 classes"):
            multilabel_roc_auc(Y, probas)

    @pytest.mark.parametrize("average", ["weighted", "binary", 1])
    def test_unknown_average(self, average):
        with pytest.raises(ValueError, match="average must be one of"):
            multilabel_f1_score([[0, 1]], [[0, 1]], average=average)
        with pytest.raises(ValueError, match="average must be one of"):
            multilabel_roc_auc([[0, 1]], np.array([[0.1, 0.2]]), average=average)

    @pytest.mark.parametrize("zero_division", ["nan", 0.5, True, None])
    def test_bad_zero_division(self, zero_division):
        with pytest.raises(ValueError, match="zero_division must be"):
            multilabel_f1_score([[0, 1]], [[0, 1]], zero_division=zero_division)

    def test_no_labelled_cell(self):
        with pytest.raises(ValueError, match="no labelled cell"):
            hamming_loss([[None, None]], [[0, 1]])
        with pytest.raises(ValueError, match="no labelled cell"):
            multilabel_f1_score([[None, None]], [[0, 1]])
        with pytest.raises(ValueError, match="no labelled cell"):
            multilabel_roc_auc([[None, None]], np.array([[0.1, 0.2]]))

    def test_scores_with_nan_or_wrong_rows(self):
        with pytest.raises(ValueError, match="finite"):
            multilabel_roc_auc([[0, 1], [1, 0]], np.array([[0.1, np.nan], [0.2, 0.3]]))
        with pytest.raises(ValueError, match="Y_score has 1 rows"):
            multilabel_roc_auc([[0, 1], [1, 0]], np.array([[0.1, 0.2]]))

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match="Y_true has 2 task"):
            multilabel_f1_score([[0, 1]], [[0, 1, 1]])


class TestScorers:
    NAMES = [
        "neg_hamming_loss",
        "f1_micro",
        "f1_macro",
        "f1_samples",
        "roc_auc_micro",
        "average_precision",
        "average_precision_micro",
    ]

    def test_registered(self):
        assert set(self.NAMES) <= set(get_scorer_names())

    # Some rows have no positive cell: their samples-F1 warns (zero division).
    @pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
    def test_scorers_use_the_estimators_missing_label_and_classes(self, complete):
        Y, _, _, _ = complete
        rng = np.random.RandomState(2)
        X = Y + rng.normal(scale=0.8, size=Y.shape)
        Y_missing = Y.copy()
        Y_missing[rng.rand(*Y.shape) < 0.2] = -1
        clf = IndependentTaskClassifier(LogisticRegression(), missing_label=-1)
        clf.fit(X, Y_missing)
        pred, probas = clf.predict(X), clf.predict_proba(X)
        expected = {
            "neg_hamming_loss": -hamming_loss(Y_missing, pred, missing_label=-1),
            "f1_micro": multilabel_f1_score(Y_missing, pred, missing_label=-1),
            "f1_samples": multilabel_f1_score(
                Y_missing, pred, average="samples", missing_label=-1
            ),
            "roc_auc_micro": multilabel_roc_auc(
                Y_missing, probas, average="micro", missing_label=-1
            ),
            "average_precision": multilabel_average_precision(
                Y_missing, probas, missing_label=-1
            ),
        }
        for name, value in expected.items():
            assert get_scorer(name)(clf, X, Y_missing) == pytest.approx(value), name
        # The -1 cells are not scored: the complete truth gives another value.
        assert get_scorer("f1_micro")(clf, X, Y_missing) != pytest.approx(
            multilabel_f1_score(Y, pred)
        )

    def test_grid_search_and_multi_metric(self, complete):
        Y, _, _, _ = complete
        X = Y + np.random.RandomState(3).normal(scale=0.8, size=Y.shape)
        search = GridSearchCV(
            IndependentTaskClassifier(LogisticRegression()),
            {"estimator__C": [0.01, 1.0]},
            cv=KFold(2),
            scoring=get_scorers(["f1_micro", "neg_hamming_loss", "average_precision"]),
            refit="f1_micro",
        ).fit(X, Y)
        assert np.all(np.isfinite(search.cv_results_["mean_test_f1_micro"]))
        assert search.cv_results_["mean_test_neg_hamming_loss"].max() <= 0
