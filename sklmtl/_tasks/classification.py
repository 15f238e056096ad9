"""Classification tasks: classes kept in the kind the user gave.

:class:`ClassificationTask` has one softmax logit per class;
:class:`BinaryTask`, the same task on the binary-label path, one sigmoid
logit (the output layout decides, :meth:`ClassificationTask.with_one_logit`).
"""

import numpy as np

from .._labels import labels_equal
from .._targets import encode_column
from ._base import BINARY, CLASSIFICATION, Task

__all__ = ["BinaryTask", "ClassificationTask"]


class ClassificationTask(Task):
    """A classification task: its classes, kept in the kind the user gave.

    The network gives it one logit per class (a softmax); its training target
    is the class code (``-1`` for a missing cell).

    Parameters
    ----------
    name : str
        The task's name.
    classes : ndarray of shape (n_classes,)
        The sorted classes (see :func:`sklmtl._targets.encode_column`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import ClassificationTask
    >>> task = ClassificationTask("colour", np.array(["blue", "red"]))
    >>> task.output_width, task.decode(np.array([1, 0])).tolist()
    (2, ['red', 'blue'])
    >>> task.predict(np.array([[0.3, 0.7]])).tolist()
    ['red']
    """

    kind = CLASSIFICATION
    loss_kind = CLASSIFICATION
    activation = "softmax"
    has_proba = True
    target_dtype = np.int64
    output_prefix = "proba"

    def __init__(self, name, classes):
        self.name = name
        self.classes = classes

    @property
    def output_width(self):
        """Number of logits in the network: one per class."""
        return len(self.classes)

    @classmethod
    def learn(cls, name, column, *, missing_label=np.nan, classes=None, output_width=1):
        """The task ``column`` describes, and its codes (``-1`` missing)."""
        codes, task_classes = encode_column(
            column, name, missing_label, classes, classes_given=classes is not None
        )
        return cls(name, task_classes), codes

    def encode(self, column, *, missing_label=np.nan, standardise=True):
        """Codes of ``column``'s labels, which must be among ``classes``."""
        return encode_column(column, self.name, missing_label, self.classes)[0]

    def labelled(self, values):
        """Cells with a class code (``-1`` is missing)."""
        return values >= 0

    def decode(self, encoded):
        """Labels of the codes, in the column's kind."""
        return self.classes[np.asarray(encoded)]

    def predict(self, output):
        """The most probable class of each row."""
        return self.decode(output.argmax(axis=1))

    def probabilities(self, output):
        """The activated output: columns ordered as ``classes``."""
        return output

    def graph_output(self, raw, activate):
        """Class probabilities (the task's activation of its logits)."""
        return activate(raw, self.activation)

    def with_one_logit(self):
        """A :class:`~sklmtl._tasks.BinaryTask` when the task has two classes."""
        return BinaryTask(self.name, self.classes) if len(self.classes) == 2 else None

    def choose(self, classifier, regressor):
        """``classifier``."""
        return classifier

    def estimator_target(self, values):
        """The labels of the codes."""
        return self.decode(values.astype(np.int64))

    def from_estimator(self, predictions):
        """Back to the task's own classes array, so the column keeps its kind."""
        pred = np.asarray(predictions)
        codes = np.clip(np.searchsorted(self.classes, pred), 0, len(self.classes) - 1)
        return self.decode(codes)

    @classmethod
    def missing_sentinel(cls, missing_label):
        """``missing_label``: it marks unknown classification cells."""
        return missing_label

    @classmethod
    def score(cls, true, pred, weights, name):
        """Accuracy (labels compared within their kind); NaN without cells."""
        if not len(true):
            return np.nan
        return np.average(labels_equal(true, pred), weights=weights)

    def state(self):
        """Plain values that :func:`task_from_state` turns back into the task."""
        return {"kind": self.kind, "name": self.name, "classes": self.classes}

    @classmethod
    def from_state(cls, state):
        """The task :meth:`state` describes."""
        return cls(state["name"], state["classes"])

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r}, n_classes={len(self.classes)})"


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
