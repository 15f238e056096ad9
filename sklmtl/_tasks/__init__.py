"""The task layer: one object per task, describing it once for every consumer.

Plain numpy: this package never imports torch. Every kind of task is a
:class:`Task` with the same methods (learn, encode, labelled mask, output
width, loss kind, decode, probabilities, state); the estimators, the loss,
the history, :mod:`sklmtl.io` and the ONNX export call them and read the
:class:`OutputLayout` built once per fit, and never ask a task its kind.

- :class:`ClassificationTask`: classes in the kind the user gave, one
  softmax logit per class.
- :class:`BinaryTask`: a two-class task on the binary-label path (one
  sigmoid logit), chosen for the whole network by
  :meth:`OutputLayout.for_tasks`.
- :class:`RegressionTask`: a standardised target, decoded to its units.
"""

from ._base import BINARY, CLASSIFICATION, REGRESSION, TASK_KINDS, Task
from ._learn import (
    check_task_types,
    encode_tasks,
    fit_scaling,
    infer_kind,
    labelled_mask,
    learn_tasks,
    task_class,
    task_from_state,
)
from .classification import BinaryTask, ClassificationTask
from .layout import OutputLayout
from .regression import MIN_VARIANCE, RegressionTask

__all__ = [
    "BINARY",
    "CLASSIFICATION",
    "MIN_VARIANCE",
    "REGRESSION",
    "TASK_KINDS",
    "BinaryTask",
    "ClassificationTask",
    "OutputLayout",
    "RegressionTask",
    "Task",
    "check_task_types",
    "encode_tasks",
    "fit_scaling",
    "infer_kind",
    "labelled_mask",
    "learn_tasks",
    "task_class",
    "task_from_state",
]
