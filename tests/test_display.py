"""Multi-task displays: per-task learning curves, confusion matrices, ROC and
reliability curves, drawn with matplotlib's Agg backend."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, roc_auc_score

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.datasets import make_multitask_classification
from sklmtl.display import (
    MultiTaskCalibrationDisplay,
    MultiTaskConfusionMatrixDisplay,
    MultiTaskRocCurveDisplay,
    TaskLearningCurveDisplay,
)

from .conftest import make_problem

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

NET = dict(hidden_layer_sizes=(8,), max_epochs=6, lr=0.05, random_state=0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def mixed():
    """Three tasks of three label kinds, missing cells, a fitted net."""
    X, Y = make_problem(n_samples=90)
    Y[::6, 0] = None
    Y[1::9, 2] = np.nan
    Y = pd.DataFrame(Y, columns=["sign", "trend", "flag"])
    net = MultiTaskNetClassifier(
        early_stopping=True, validation_fraction=0.2, **NET
    ).fit(X, Y)
    return X, Y, net


@pytest.fixture(scope="module")
def multiclass():
    """A binary and a 3-class task with missing cells, a logistic baseline."""
    X, Y = make_multitask_classification(
        n_samples=150,
        n_features=5,
        n_tasks=2,
        n_classes=[2, 3],
        noise=0.1,
        missing_rate=0.2,
        random_state=0,
    )
    clf = IndependentTaskClassifier(LogisticRegression()).fit(X, Y)
    return X, Y, clf


def _saved(display, tmp_path):
    path = tmp_path / "display.png"
    display.figure_.savefig(path)
    return path.stat().st_size > 1000


class TestLearningCurves:
    @pytest.mark.parametrize("metric, label", [("loss", "Loss"), ("acc", "Accuracy")])
    def test_one_subplot_per_task_with_history_values(
        self, mixed, tmp_path, metric, label
    ):
        _, _, net = mixed
        display = TaskLearningCurveDisplay.from_estimator(net, metric=metric)
        assert len(display.ax_) == 3 and len(display.figure_.axes) == 3
        assert [ax.get_title() for ax in display.ax_] == ["sign", "trend", "flag"]
        for ax, name, lines in zip(display.ax_, net.task_names_, display.lines_):
            assert (ax.get_xlabel(), ax.get_ylabel()) == ("Epoch", label)
            train, valid = lines
            np.testing.assert_allclose(
                train.get_ydata(), net.history_[:, f"train_{metric}_{name}"]
            )
            np.testing.assert_allclose(
                valid.get_ydata(), net.history_[:, f"valid_{metric}_{name}"]
            )
            np.testing.assert_array_equal(train.get_xdata(), net.history_[:, "epoch"])
        assert _saved(display, tmp_path)

    def test_mean_panel_is_the_plain_task_mean(self, mixed):
        _, _, net = mixed
        display = TaskLearningCurveDisplay.from_estimator(
            net, tasks=["trend", 0], include_mean=True, n_cols=1
        )
        assert display.task_names == ["trend", "sign", "mean over tasks"]
        per_task = np.array(
            [net.history_[:, f"train_loss_{n}"] for n in net.task_names_]
        )
        np.testing.assert_allclose(display.train_scores[-1], per_task.mean(axis=0))
        assert display.ax_[-1].get_title() == "mean over tasks"

    def test_without_validation_only_train_curves(self, mixed):
        X, Y, _ = mixed
        net = MultiTaskNetClassifier(**NET).fit(X, Y)
        display = TaskLearningCurveDisplay.from_estimator(net)
        assert display.valid_scores is None
        assert [len(lines) for lines in display.lines_] == [1, 1, 1]

    def test_from_history_reads_the_task_names(self):
        history = [
            {"epoch": 1, "train_loss_a": 0.9, "train_loss_best": True},
            {"epoch": 2, "train_loss_a": 0.5, "train_loss_b": 0.7},
        ]
        display = TaskLearningCurveDisplay.from_history(history)
        assert display.task_names == ["a", "b"]
        # Task b had no labelled cell in epoch 1: a gap, not a zero.
        assert np.isnan(display.train_scores[1][0])

    def test_given_axes_are_used(self, mixed):
        _, _, net = mixed
        figure, axes = plt.subplots(1, 2)
        display = TaskLearningCurveDisplay.from_estimator(
            net, tasks=["sign", "flag"], ax=axes
        )
        assert display.figure_ is figure
        assert list(display.ax_) == list(axes)

    def test_bad_input(self, mixed, multiclass):
        _, _, net = mixed
        with pytest.raises(ValueError, match="metric must be 'loss' or 'acc'"):
            TaskLearningCurveDisplay.from_estimator(net, metric="f1")
        with pytest.raises(ValueError, match="Unknown task 'colour'.*'sign'"):
            TaskLearningCurveDisplay.from_estimator(net, tasks=["colour"])
        with pytest.raises(ValueError, match="ax holds 1 Axes but 3 task"):
            TaskLearningCurveDisplay.from_estimator(net, ax=plt.gca())
        with pytest.raises(TypeError, match="has no history_"):
            TaskLearningCurveDisplay.from_estimator(multiclass[2])
        with pytest.raises(ValueError, match="no per-task keys"):
            TaskLearningCurveDisplay.from_history([{"epoch": 1, "train_loss": 1.0}])


class TestConfusionMatrices:
    def test_matrices_on_labelled_cells_with_task_classes(self, mixed, tmp_path):
        X, Y, net = mixed
        display = MultiTaskConfusionMatrixDisplay.from_estimator(net, X, Y)
        pred = net.predict(X)
        for t, name in enumerate(net.task_names_):
            labelled = Y[name].notna().to_numpy()
            expected = confusion_matrix(
                Y[name][labelled].tolist(),
                pred[labelled, t].tolist(),
                labels=net.classes_[t].tolist(),
            )
            np.testing.assert_array_equal(display.confusion_matrices[t], expected)
            assert display.confusion_matrices[t].sum() == labelled.sum()
            ax = display.ax_[t]
            assert ax.get_title() == name
            assert (ax.get_xlabel(), ax.get_ylabel()) == (
                "Predicted label",
                "True label",
            )
            ticks = [tick.get_text() for tick in ax.get_xticklabels()]
            assert ticks == [str(c) for c in net.classes_[t].tolist()]
        assert _saved(display, tmp_path)

    def test_from_predictions_normalised_and_named(self):
        Y_true = np.array([[0, "x"], [1, "y"], [1, None], [0, "y"]], dtype=object)
        Y_pred = np.array([[0, "x"], [0, "y"], [1, "x"], [0, "y"]], dtype=object)
        display = MultiTaskConfusionMatrixDisplay.from_predictions(
            Y_true, Y_pred, normalize="true", task_names=["a", "b"], tasks=["b"]
        )
        np.testing.assert_allclose(display.confusion_matrices[0], [[1, 0], [0, 1]])
        assert [ax.get_title() for ax in display.ax_] == ["b"]

    def test_bad_input(self):
        Y_true = np.array([[0, "x"], [1, "y"]], dtype=object)
        with pytest.raises(ValueError, match="Y_pred has missing cells in task"):
            MultiTaskConfusionMatrixDisplay.from_predictions(
                Y_true, np.array([[0, None], [1, "y"]], dtype=object)
            )
        with pytest.raises(ValueError, match="shape"):
            MultiTaskConfusionMatrixDisplay.from_predictions(Y_true, [[0], [1]])
        with pytest.raises(ValueError, match="different kinds"):
            MultiTaskConfusionMatrixDisplay.from_predictions(
                [[0], [1]], np.array([["0"], ["1"]])
            )


class TestRocCurves:
    def test_binary_and_one_vs_rest_curves(self, multiclass, tmp_path):
        X, Y, clf = multiclass
        display = MultiTaskRocCurveDisplay.from_estimator(clf, X, Y)
        probas = clf.predict_proba(X)
        assert [len(lines) for lines in display.lines_] == [1, 3]
        binary = ~np.isnan(Y[:, 0])
        assert display.roc_auc[0][0] == pytest.approx(
            roc_auc_score(Y[binary, 0], probas[0][binary, 1])
        )
        labelled = ~np.isnan(Y[:, 1])
        assert np.mean(display.roc_auc[1]) == pytest.approx(
            roc_auc_score(Y[labelled, 1], probas[1][labelled], multi_class="ovr")
        )
        assert display.curve_labels == [[1.0], [0.0, 1.0, 2.0]]
        first, second = display.ax_
        assert first.get_xlabel() == "False Positive Rate (Positive label: 1.0)"
        assert second.get_ylabel() == "True Positive Rate"
        assert first.get_title() == "task_0"
        assert second.get_title() == "task_1"
        assert second.get_legend().get_title().get_text() == "IndependentTaskClassifier"
        legend = [text.get_text() for text in second.get_legend().get_texts()]
        assert legend[0].startswith("0.0 vs rest (AUC = ")
        assert all(line is not None for line in display.chance_level_)
        assert _saved(display, tmp_path)

    def test_from_predictions_with_positive_scores(self):
        Y_true = np.array([["no"], ["yes"], [None], ["yes"], ["no"]], dtype=object)
        display = MultiTaskRocCurveDisplay.from_predictions(
            Y_true, [np.array([0.2, 0.9, 0.5, 0.3, 0.4])], plot_chance_level=False
        )
        assert display.roc_auc == [[0.75]]
        assert display.chance_level_ == [None]

    def test_bad_input(self):
        with pytest.raises(
            ValueError, match="Task 'task_0' has labelled samples of one"
        ):
            MultiTaskRocCurveDisplay.from_predictions(
                [[1, 0], [1, 1]],
                [np.array([0.3, 0.6]), np.array([0.2, 0.7])],
                classes=[[0, 1], [0, 1]],
            )
        with pytest.raises(ValueError, match="Y_score has 1 array"):
            MultiTaskRocCurveDisplay.from_predictions(
                [[1, 0], [0, 1]], [np.array([0.3, 0.6])]
            )
        with pytest.raises(ValueError, match=r"task 'task_1' have shape \(2, 3\)"):
            MultiTaskRocCurveDisplay.from_predictions(
                [[1, 0], [0, 1]], [np.array([0.3, 0.6]), np.ones((2, 3))]
            )


class TestCalibrationCurves:
    def test_positive_class_and_top_label_curves(self, multiclass, tmp_path):
        X, Y, clf = multiclass
        display = MultiTaskCalibrationDisplay.from_estimator(
            clf, X, Y, n_bins=4, strategy="quantile"
        )
        probas = clf.predict_proba(X)
        binary = ~np.isnan(Y[:, 0])
        expected = calibration_curve(
            Y[binary, 0], probas[0][binary, 1], n_bins=4, strategy="quantile"
        )
        np.testing.assert_allclose(display.prob_true[0], expected[0])
        np.testing.assert_allclose(display.prob_pred[0], expected[1])
        labelled = ~np.isnan(Y[:, 1])
        proba = probas[1][labelled]
        correct = proba.argmax(axis=1) == Y[labelled, 1]
        expected = calibration_curve(
            correct, proba.max(axis=1), n_bins=4, strategy="quantile"
        )
        np.testing.assert_allclose(display.prob_true[1], expected[0])
        assert display.pos_labels == [1.0, None]
        first, second = display.ax_
        assert first.get_ylabel() == "Fraction of positives (Positive class: 1.0)"
        assert (second.get_xlabel(), second.get_ylabel()) == (
            "Mean top-label confidence",
            "Top-label accuracy",
        )
        assert [ax.get_title() for ax in display.ax_] == ["task_0", "task_1"]
        assert display.line_[0].get_label() == "IndependentTaskClassifier"
        assert _saved(display, tmp_path)

    def test_two_models_on_the_same_axes(self, multiclass):
        X, Y, clf = multiclass
        first = MultiTaskCalibrationDisplay.from_estimator(clf, X, Y, name="a")
        second = MultiTaskCalibrationDisplay.from_estimator(
            clf, X, Y, name="b", ax=first.ax_, ref_line=False
        )
        assert second.figure_ is first.figure_
        labels = [line.get_label() for line in first.ax_[0].get_lines()]
        assert labels == ["Perfectly calibrated", "a", "b"]

    def test_bad_input(self):
        with pytest.raises(ValueError, match="must lie in"):
            MultiTaskCalibrationDisplay.from_predictions(
                [[0], [1]], [np.array([-1, 2])]
            )


class TestLayout:
    def test_grid_has_one_axes_per_task(self, mixed):
        X, Y, net = mixed
        display = MultiTaskConfusionMatrixDisplay.from_estimator(net, X, Y, n_cols=2)
        assert len(display.figure_.axes) == 3
        assert display.ax_.shape == (3,)

    def test_single_axes_for_a_single_task(self, mixed):
        X, Y, net = mixed
        ax = plt.figure().gca()
        display = MultiTaskConfusionMatrixDisplay.from_estimator(
            net, X, Y, tasks="trend", ax=ax
        )
        assert display.ax_[0] is ax

    def test_inputs_are_not_mutated(self, multiclass):
        X, Y, clf = multiclass
        Y_copy = Y.copy()
        scores = clf.predict_proba(X)
        copies = [s.copy() for s in scores]
        MultiTaskRocCurveDisplay.from_predictions(Y, scores)
        MultiTaskCalibrationDisplay.from_predictions(Y, scores)
        np.testing.assert_array_equal(Y, Y_copy)
        for s, c in zip(scores, copies):
            np.testing.assert_array_equal(s, c)

    def test_without_matplotlib_the_error_says_how_to_install(self, mixed, monkeypatch):
        _, _, net = mixed
        monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
        with pytest.raises(ImportError, match=r"sklmtl\[plot\]"):
            TaskLearningCurveDisplay.from_estimator(net)
