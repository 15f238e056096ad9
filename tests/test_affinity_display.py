"""TaskAffinityDisplay: the affinity heatmap and its evolution over epochs."""

import matplotlib
import numpy as np
import pytest

from sklmtl import MultiTaskNetClassifier
from sklmtl.callbacks import TaskAffinity
from sklmtl.display import TaskAffinityDisplay
from sklmtl.grouping import TaskGroupingClassifier

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, X[:, 2] > 0, X[:, 0] > 0.2]).astype(int)
    return X, Y


NET = dict(hidden_layer_sizes=(16,), max_epochs=4, lr=0.02, random_state=0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def measured():
    X, Y = _data()
    clf = MultiTaskNetClassifier(callbacks=[TaskAffinity(every=1)], **NET)
    return clf.fit(X, Y)


def _tick_names(ax):
    return [t.get_text() for t in ax.get_xticklabels()]


class TestTaskAffinityDisplay:
    def test_from_estimator_orders_related_tasks_together(self, measured):
        display = TaskAffinityDisplay.from_estimator(measured, colorbar=False)
        names = _tick_names(display.ax_)
        assert sorted(names) == ["task_0", "task_1", "task_2"]
        # Tasks 0 and 2 read the same feature: clustering puts them side by side.
        assert abs(names.index("task_0") - names.index("task_2")) == 1
        shown = display.im_.get_array()
        np.testing.assert_allclose(np.diag(shown), 1.0)

    def test_raw_and_cosine_kinds(self, measured):
        raw = TaskAffinityDisplay.from_estimator(
            measured, normalize=False, order=None, colorbar=False
        )
        np.testing.assert_allclose(raw.affinity, measured.task_affinity_)
        cosine = TaskAffinityDisplay.from_estimator(
            measured, kind="gradient_cosine", order=None, colorbar=False
        )
        np.testing.assert_allclose(cosine.affinity, measured.gradient_cosine_)

    def test_evolution_over_epochs(self, measured):
        display = TaskAffinityDisplay.from_estimator(measured, colorbar=False)
        assert display.epochs == [1, 2, 3, 4]
        display.plot_evolution(epochs=[1, 4])
        assert [ax.get_title() for ax in display.evolution_ax_] == [
            "epoch 1",
            "epoch 4",
        ]
        with pytest.raises(ValueError, match=r"Epoch\(s\) \[9\] were not recorded"):
            display.plot_evolution(epochs=[9])

    def test_from_grouping_outlines_groups(self):
        X, Y = _data()
        grouping = TaskGroupingClassifier(
            MultiTaskNetClassifier(**NET), n_groups=2, probe_epochs=3, random_state=0
        ).fit(X, Y)
        display = TaskAffinityDisplay.from_estimator(grouping, colorbar=False)
        assert display.groups == grouping.groups_
        assert display.order == [t for g in grouping.groups_ for t in g]
        assert len(display.ax_.patches) == 2

    def test_estimator_without_affinity(self):
        X, Y = _data()
        clf = MultiTaskNetClassifier(**NET).fit(X, Y)
        with pytest.raises(ValueError, match="recorded no 'task_affinity'"):
            TaskAffinityDisplay.from_estimator(clf)
        display = TaskAffinityDisplay(np.eye(2), task_names=["a", "b"])
        with pytest.raises(ValueError, match="no per-epoch matrices"):
            display.plot_evolution()

    @pytest.mark.parametrize(
        "kwargs, match",
        [
            ({"affinity": np.ones((2, 3))}, "square matrix"),
            ({"affinity": np.eye(2), "task_names": ["a"]}, "1 name"),
            ({"affinity": np.eye(2), "order": "alpha"}, "order must be"),
        ],
    )
    def test_bad_matrix_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            TaskAffinityDisplay.from_matrix(**kwargs)

    def test_bad_order(self):
        display = TaskAffinityDisplay(np.eye(2), task_names=["a", "b"], order=[0, 0])
        with pytest.raises(ValueError, match="every task index"):
            display.plot()
