"""Binary tasks on the binary-label path: one sigmoid logit per task."""

from ._base import BINARY
from .classification import ClassificationTask

__all__ = ["BinaryTask"]


class BinaryTask(ClassificationTask):
    """A two-class task given one sigmoid logit instead of two softmax logits.

    When every task is a classification task with exactly two classes (a
    label-indicator ``Y``, 0/1 or bool, missing cells allowed), the output
    layout (:class:`~sklmtl._tasks.OutputLayout`) gives each task one output
    ``u``, the logit ``z = BINARY_LOGIT_SCALE * u`` trained with a binary
    cross-entropy, and ``P(classes[1]) = sigmoid(z)``. Both give the same
    model family; one logit halves the output layer and the loss is one
    elementwise op over ``(batch, n_tasks)``. The task is still a
    classification task for the user (``kind``, ``task_types_`` and saved
    files): only its output and loss differ.

    Parameters
    ----------
    name : str
        The task's name.
    classes : ndarray of shape (2,)
        The sorted classes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import BinaryTask
    >>> task = BinaryTask("spam", np.array([False, True]))
    >>> task.output_width, task.loss_kind, task.kind
    (1, 'binary', 'classification')
    >>> task.predict(np.array([[0.2, 0.8]])).tolist()
    [True]
    """

    loss_kind = BINARY
    activation = "sigmoid"

    def __init__(self, name, classes):
        if len(classes) != 2:
            raise ValueError(
                f"A binary task has two classes; task {name!r} has {len(classes)}."
            )
        super().__init__(name, classes)

    @property
    def output_width(self):
        """One logit: the probability of ``classes[1]`` is its sigmoid."""
        return 1

    def with_one_logit(self):
        """The task itself."""
        return self
