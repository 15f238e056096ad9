"""The network's output layout: one record of every task's output, built once.

The loss, the per-task scoring, prediction, :mod:`sklmtl.io` and the ONNX
export read this record (the widths, the loss kinds, the index lists of
classification and regression outputs) instead of each deriving it again.
"""

from ._base import BINARY, REGRESSION

__all__ = ["OutputLayout"]


class OutputLayout:
    """Width and loss kind of each of the network's outputs, and index lists.

    Built from the tasks of a fit with :meth:`for_tasks`, which decides the
    binary-label path once for the whole network: when every task can take
    one sigmoid logit (every task a classification task with two classes),
    each becomes a :class:`~sklmtl._tasks.BinaryTask`; otherwise every task
    keeps its own output. The torch side (the loss and the scoring callback,
    which receive the loss kinds as their public ``task_kinds`` argument)
    builds the same record from the loss kinds alone.

    Parameters
    ----------
    loss_kinds : list of {"classification", "regression", "binary"} or None
        The loss kind of each output; None or empty when every task is a
        classification task and nothing else is known.
    widths : list of int or None, default=None
        The width of each output.
    tasks : list of Task or None, default=None
        The task objects, when the layout was built from them.

    Attributes
    ----------
    classification : list of int
        Outputs with class logits (softmax or sigmoid), in task order.
    regression : list of int
        Regression outputs, in task order.
    order : list of int
        Where each task's loss sits in ``[classification | regression]``.
    one_logit_per_task : bool
        The binary-label path: every output is one sigmoid logit, so that
        the loss, the scoring and prediction can work on the whole
        ``(batch, n_tasks)`` matrix at once.
    mixed : bool
        Some output is a regression output (the target is then ``float64``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import ClassificationTask, OutputLayout, RegressionTask
    >>> layout = OutputLayout.for_tasks([ClassificationTask("a", np.array(["n", "y"]))])
    >>> layout.widths, layout.loss_kinds, layout.one_logit_per_task
    ([1], ['binary'], True)
    >>> layout = OutputLayout.for_tasks(
    ...     [ClassificationTask("a", np.array([0, 1])), RegressionTask("b")])
    >>> layout.widths, layout.classification, layout.regression
    ([2, 1], [0], [1])
    """

    def __init__(self, loss_kinds, widths=None, tasks=None):
        self.loss_kinds = list(loss_kinds or [])
        self.widths = None if widths is None else list(widths)
        self.tasks = tasks
        kinds = self.loss_kinds
        self.regression = [t for t, kind in enumerate(kinds) if kind == REGRESSION]
        self.classification = [t for t, kind in enumerate(kinds) if kind != REGRESSION]
        self.one_logit_per_task = bool(kinds) and all(kind == BINARY for kind in kinds)
        self.mixed = bool(self.regression)
        position = {t: i for i, t in enumerate(self.classification + self.regression)}
        self.order = [position[t] for t in range(len(kinds))]

    @classmethod
    def for_tasks(cls, tasks):
        """The layout of a fit's tasks, deciding the binary-label path.

        Parameters
        ----------
        tasks : list of Task
            The learned (or restored) tasks.

        Returns
        -------
        layout : OutputLayout
            Its ``tasks`` are the tasks to keep: :class:`BinaryTask` objects
            on the binary-label path, else ``tasks`` themselves.
        """
        one_logit = [task.with_one_logit() for task in tasks]
        if tasks and all(task is not None for task in one_logit):
            tasks = one_logit
        tasks = list(tasks)
        return cls(
            [task.loss_kind for task in tasks],
            [task.output_width for task in tasks],
            tasks,
        )

    @property
    def n_outputs(self):
        """The number of outputs (tasks)."""
        return len(self.loss_kinds)

    def __repr__(self):
        return f"OutputLayout({self.loss_kinds!r}, widths={self.widths!r})"
