"""The task layer: every kind of task answers the same methods, and one output
layout decides the binary-label path for the whole network."""

import inspect

import numpy as np
import pytest
import torch

from sklmtl._tasks import (
    BinaryTask,
    ClassificationTask,
    OutputLayout,
    RegressionTask,
    Task,
    labelled_mask,
    task_from_state,
)
from sklmtl.nn.heads import activate

TASKS = {
    "classification": lambda: ClassificationTask("colour", np.array(["b", "g", "r"])),
    "binary": lambda: BinaryTask("spam", np.array([False, True])),
    "regression": lambda: RegressionTask("mass", mean=10.0, scale=2.0),
    "gaussian": lambda: RegressionTask("mass", mean=-3.0, scale=0.5, output_width=2),
}


def _public(cls):
    return {name for name in dir(cls) if not name.startswith("_")}


@pytest.fixture(params=sorted(TASKS))
def task(request):
    return TASKS[request.param]()


def test_every_kind_has_the_methods_of_task(task):
    assert not inspect.isabstract(type(task))
    assert _public(Task) <= _public(type(task))


def test_state_round_trips(task):
    restored = task_from_state(task.state())
    assert type(restored).__name__ != "Task"
    assert restored.state().keys() == task.state().keys()
    assert repr(restored.state()) == repr(task.state())


def test_binary_task_saves_what_a_classification_task_saves():
    classes = np.array([0, 1])
    binary, plain = BinaryTask("y", classes), ClassificationTask("y", classes)
    assert repr(binary.state()) == repr(plain.state())
    assert binary.kind == plain.kind == "classification"
    assert (binary.output_width, plain.output_width) == (1, 2)


def test_activated_output_gives_predictions_of_the_column_kind(task):
    rng = np.random.default_rng(0)
    raw = torch.from_numpy(rng.normal(size=(5, task.output_width)))
    output = activate(raw, task.activation).numpy()
    predictions = task.predict(output)
    assert predictions.shape == (5,)
    if task.has_proba:
        assert set(predictions.tolist()) <= set(task.classes.tolist())
        np.testing.assert_allclose(task.probabilities(output).sum(axis=1), 1.0)
    else:
        np.testing.assert_array_equal(predictions, task.decode(output[:, 0]))


def test_graph_output_is_what_prediction_reads(task):
    # The ONNX graph and predict decode through the same task method.
    rng = np.random.default_rng(1)
    raw = torch.from_numpy(rng.normal(size=(4, task.output_width)))
    graph = task.graph_output(raw, activate).numpy()
    output = activate(raw, task.activation).numpy()
    if task.has_proba:
        np.testing.assert_array_equal(graph, task.probabilities(output))
    else:
        np.testing.assert_array_equal(graph, task.predict(output))


def test_methods_a_kind_lacks_raise_naming_the_task(task):
    output = np.zeros((2, max(task.output_width, 2)))
    missing = "predict_std" if task.has_proba else "probabilities"
    if task.output_width == 2 and not task.has_proba:
        assert task.predict_std(output).shape == (2,)
        return
    with pytest.raises(ValueError, match=repr(task.name)):
        getattr(task, missing)(output)


def test_labelled_mask_asks_each_task():
    tasks = [TASKS["classification"](), TASKS["regression"]()]
    values = np.array([[-1.0, 0.5], [2.0, np.nan], [0.0, -1.0]])
    expected = [[False, True], [True, False], [True, True]]
    assert labelled_mask(values, tasks).tolist() == expected


@pytest.mark.parametrize(
    "n_classes, one_logit",
    [((2,), True), ((2, 2, 2), True), ((2, 3), False), ((3,), False)],
)
def test_layout_decides_the_binary_path_once(n_classes, one_logit):
    tasks = [ClassificationTask(f"t{i}", np.arange(n)) for i, n in enumerate(n_classes)]
    layout = OutputLayout.for_tasks(tasks)
    assert layout.one_logit_per_task is one_logit
    assert all(isinstance(t, BinaryTask) is one_logit for t in layout.tasks)
    assert layout.widths == ([1] * len(tasks) if one_logit else list(n_classes))
    assert [t.kind for t in layout.tasks] == ["classification"] * len(tasks)
    # Built again from its own tasks (a reload), the layout is the same.
    again = OutputLayout.for_tasks(layout.tasks)
    assert (again.widths, again.loss_kinds) == (layout.widths, layout.loss_kinds)


def test_regression_task_keeps_every_task_on_its_own_output():
    tasks = [
        ClassificationTask("a", np.array([0, 1])),
        RegressionTask("b", output_width=2),
        ClassificationTask("c", np.array([0, 1])),
    ]
    layout = OutputLayout.for_tasks(tasks)
    assert not layout.one_logit_per_task and layout.mixed
    assert layout.widths == [2, 2, 2]
    assert (layout.classification, layout.regression) == ([0, 2], [1])
    # Each task's loss sits at layout.order in [classification | regression].
    assert layout.order == [0, 2, 1]


@pytest.mark.parametrize(
    "kinds",
    [None, ["binary"] * 3, ["classification", "regression", "classification"]],
)
def test_layout_from_loss_kinds_matches_the_tasks_layout(kinds):
    # The loss and the scoring callback rebuild the layout from the loss
    # kinds they are given (their public task_kinds argument).
    layout = OutputLayout(kinds)
    rebuilt = OutputLayout(layout.loss_kinds)
    for name in ("classification", "regression", "order", "one_logit_per_task"):
        assert getattr(rebuilt, name) == getattr(layout, name)
    assert layout.n_outputs == len(kinds or [])
