"""The task layer: one object per task, describing it once for every consumer.

Plain numpy: this module never imports torch. A task object knows its name,
its kind (``"classification"`` or ``"regression"``), what it learned from the
targets (the classes, or the mean and scale of the target), the width of its
output in the network, its missing mask and how to encode labels into the
training target and decode the network's outputs back into labels of the
column's own kind. The estimators, the loss (through :func:`task_kinds`), the
history, :mod:`sklmtl.io` and the ONNX export read these objects instead of
assuming classification; the classifier is the case where every task is a
:class:`ClassificationTask`.

The training target of a set of tasks is one matrix of shape ``(n_samples,
n_tasks)`` (:func:`encode_tasks`): ``int64`` class codes (``-1`` missing) when
every task is a classification task, as before, else ``float64`` holding the
codes of classification tasks as exact floats (``-1.0`` missing) and the
standardised values of regression tasks (``NaN`` missing), so that both kinds
travel in one tensor through shuffling, batching and the validation split.
"""

import numbers

import numpy as np

from ._indicator import indicator_codes
from ._labels import object_missing_mask, tighten, type_kind
from ._targets import encode_column, missing_mask, split_target_columns

__all__ = [
    "CLASSIFICATION",
    "REGRESSION",
    "TASK_KINDS",
    "ClassificationTask",
    "RegressionTask",
    "check_task_types",
    "encode_tasks",
    "fit_scaling",
    "infer_kind",
    "labelled_mask",
    "learn_tasks",
    "network_outputs",
    "task_from_state",
    "task_kinds",
    "uses_binary_logits",
]

CLASSIFICATION = "classification"
REGRESSION = "regression"
TASK_KINDS = (CLASSIFICATION, REGRESSION)
#: The loss kind of a binary task on the binary-label path (one sigmoid logit).
BINARY = "binary"


class ClassificationTask:
    """A classification task: its classes, kept in the kind the user gave.

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
    """

    kind = CLASSIFICATION

    def __init__(self, name, classes):
        self.name = name
        self.classes = classes

    @property
    def output_width(self):
        """Number of logits in the network: one per class."""
        return len(self.classes)

    @classmethod
    def learn(cls, name, column, missing_label=np.nan, classes=None):
        """The task ``column`` describes, and its codes (``-1`` missing)."""
        codes, task_classes = encode_column(column, name, missing_label, classes)
        return cls(name, task_classes), codes

    def encode(self, column, missing_label=np.nan):
        """Codes of ``column``'s labels, which must be among ``classes``."""
        return encode_column(column, self.name, missing_label, self.classes)[0]

    def decode(self, codes):
        """Labels of the codes, in the column's kind."""
        return self.classes[np.asarray(codes)]

    def state(self):
        """Plain values that :func:`task_from_state` turns back into the task."""
        return {"kind": self.kind, "name": self.name, "classes": self.classes}

    def __repr__(self):
        return f"ClassificationTask({self.name!r}, n_classes={len(self.classes)})"


class RegressionTask:
    """A regression task: the mean and scale that standardise its target.

    The network learns the standardised target ``(y - mean) / scale``: every
    task's loss is then on the same scale (a regression loss near 1 at the
    start, like a cross-entropy), which keeps the plain mean of per-task
    losses (``train_loss``/``valid_loss``) and loss weightings meaningful.

    Parameters
    ----------
    name : str
        The task's name.
    mean : float, default=0.0
        Mean of the target (weighted by the sample weights).
    scale : float, default=1.0
        Standard deviation of the target (1 when it is 0 under the weights).
    output_width : {1, 2}, default=1
        1 for a point prediction, 2 for a mean and a variance (Gaussian NLL).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import RegressionTask
    >>> task = RegressionTask("mass", mean=10.0, scale=2.0)
    >>> task.decode(np.array([0.0, 1.0])).tolist()
    [10.0, 12.0]
    """

    kind = REGRESSION

    def __init__(self, name, mean=0.0, scale=1.0, output_width=1):
        self.name = name
        self.mean = mean
        self.scale = scale
        self.output_width = output_width

    @classmethod
    def learn(cls, name, column, output_width=1):
        """The task ``column`` describes (unscaled), and its float values."""
        task = cls(name, output_width=output_width)
        values = task.encode(column, standardise=False)
        labelled = values[~np.isnan(values)]
        if len(labelled) == 0:
            raise ValueError(
                f"Task {name!r} has no labelled sample (every cell is missing); "
                "a regression task needs at least two different values."
            )
        if np.all(labelled == labelled[0]):
            raise ValueError(
                f"Task {name!r} has one repeated value only "
                f"({float(labelled[0])!r} in {len(labelled)} sample(s) with a value); "
                "a regression task needs at least two different values. Drop the "
                "column."
            )
        return task, values

    def encode(self, column, standardise=True):
        """``column`` as float64 (``NaN`` missing), standardised by default."""
        column = np.asarray(column)
        if column.dtype.kind == "O":
            mask = object_missing_mask(column)
            values = tighten(column[~mask])
            if values.dtype.kind == "O":
                kinds = sorted({type_kind(type(v)) for v in values})
                raise TypeError(
                    f"Task {self.name!r} is a regression task but holds values of "
                    f"kind {kinds}; a regression target must hold numbers (missing "
                    "cells as NaN or None)."
                )
        else:
            mask = missing_mask(column)
            values = column[~mask]
        if values.dtype.kind not in "biuf":
            raise TypeError(
                f"Task {self.name!r} is a regression task but holds values of dtype "
                f"{values.dtype} (e.g. {values[0]!r}); a regression target must "
                "hold numbers (missing cells as NaN or None)."
            )
        out = np.full(len(column), np.nan)
        out[~mask] = values.astype(np.float64)
        if not np.all(np.isfinite(out[~mask])):
            raise ValueError(
                f"Input Y contains infinity in regression task {self.name!r}; "
                "targets must be finite (missing cells as NaN)."
            )
        return (out - self.mean) / self.scale if standardise else out

    def fit_scaling(self, values, weights=None):
        """Learn ``mean`` and ``scale`` from unscaled values (and cell weights)."""
        labelled = ~np.isnan(values)
        w = np.ones(len(values)) if weights is None else weights
        w = w[labelled]
        if not np.any(w > 0):
            w = np.ones(int(labelled.sum()))
        mean = float(np.average(values[labelled], weights=w))
        scale = float(np.sqrt(np.average((values[labelled] - mean) ** 2, weights=w)))
        self.mean = mean
        self.scale = scale if scale > 0 else 1.0
        return self

    def decode(self, outputs):
        """Values in the target's units from standardised predictions."""
        return np.asarray(outputs, dtype=np.float64) * self.scale + self.mean

    def state(self):
        """Plain values that :func:`task_from_state` turns back into the task."""
        return {
            "kind": self.kind,
            "name": self.name,
            "mean": float(self.mean),
            "scale": float(self.scale),
            "output_width": int(self.output_width),
        }

    def __repr__(self):
        return (
            f"RegressionTask({self.name!r}, mean={self.mean:.4g}, "
            f"scale={self.scale:.4g})"
        )


def task_from_state(state):
    """The task object that :meth:`ClassificationTask.state` (or
    :meth:`RegressionTask.state`) describes.

    Parameters
    ----------
    state : dict
        A task's plain description.

    Returns
    -------
    task : ClassificationTask or RegressionTask

    Examples
    --------
    >>> from sklmtl._tasks import RegressionTask, task_from_state
    >>> task_from_state(RegressionTask("y", 1.0, 2.0).state())
    RegressionTask('y', mean=1, scale=2)
    """
    if state["kind"] == CLASSIFICATION:
        return ClassificationTask(state["name"], state["classes"])
    if state["kind"] == REGRESSION:
        return RegressionTask(
            state["name"], state["mean"], state["scale"], state["output_width"]
        )
    raise ValueError(f"Unknown task kind {state['kind']!r}; expected {TASK_KINDS}.")


def infer_kind(column, missing_label=np.nan):
    """``"regression"`` for floats with a non-integral value, else classification.

    Parameters
    ----------
    column : ndarray of shape (n_samples,)
        One task's labels.
    missing_label : scalar, default=np.nan
        Extra sentinel for unknown cells.

    Returns
    -------
    kind : {"classification", "regression"}

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import infer_kind
    >>> infer_kind(np.array([1.5, 2.0])), infer_kind(np.array([1.0, 2.0, np.nan]))
    ('regression', 'classification')
    """
    values = tighten(np.asarray(column)[~missing_mask(column, missing_label)])
    if values.dtype.kind != "f" or not len(values):
        return CLASSIFICATION
    finite = values[np.isfinite(values)]
    return REGRESSION if np.any(finite != np.round(finite)) else CLASSIFICATION


def _kinds_for(task_types, task_names, columns, missing_label):
    """Each task's kind: one kind for all, or inferred and overridden per name."""
    if isinstance(task_types, str):
        return [task_types] * len(columns)
    given = {} if task_types is None else dict(task_types)
    unknown = sorted(set(map(str, given)) - set(task_names))
    if unknown:
        raise ValueError(
            f"task_types names unknown task(s) {unknown}; the tasks are {task_names}."
        )
    for name, kind in given.items():
        if kind not in TASK_KINDS:
            raise ValueError(
                f"task_types[{name!r}] is {kind!r}; expected 'classification' or "
                "'regression'."
            )
    given = {str(k): v for k, v in given.items()}
    return [
        given.get(name) or infer_kind(column, missing_label)
        for name, column in zip(task_names, columns)
    ]


def learn_tasks(
    Y, task_types, *, missing_label=np.nan, classes=None, regression_width=1
):
    """Describe each column of ``Y`` as a task and encode it (unscaled).

    Parameters
    ----------
    Y : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        The targets.
    task_types : {"classification", "regression"}, dict or None
        One kind for every task, or ``{task_name: kind}`` overriding the
        inferred kinds (floats with a non-integral value are regression).
    missing_label : scalar, default=np.nan
        Extra sentinel for unknown classification cells.
    classes : list of array-like or None, default=None
        Known classes of each task (all classification), e.g. from
        ``partial_fit``.
    regression_width : {1, 2}, default=1
        Output width of regression tasks.

    Returns
    -------
    tasks : list of ClassificationTask or RegressionTask
        One per column; regression tasks are not scaled yet
        (:func:`fit_scaling`).
    values : ndarray of shape (n_samples, n_tasks)
        The unscaled training target (see the module docstring).
    task_names : list of str
    is_1d : bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import learn_tasks
    >>> Y = np.array([["a", 1.5], ["b", np.nan], ["a", 2.5]], dtype=object)
    >>> tasks, values, names, is_1d = learn_tasks(Y, None)
    >>> [t.kind for t in tasks], values.tolist()
    (['classification', 'regression'], [[0.0, 1.5], [1.0, nan], [0.0, 2.5]])
    """
    columns, task_names, is_1d = split_target_columns(Y)
    if classes is not None and len(classes) != len(columns):
        raise ValueError(
            f"Y has {len(columns)} task(s) but the estimator was fitted with "
            f"{len(classes)}; the number of tasks cannot change."
        )
    kinds = _kinds_for(task_types, task_names, columns, missing_label)
    if classes is None and all(kind == CLASSIFICATION for kind in kinds):
        indicator = indicator_codes(columns, missing_label, Y=Y)
        if indicator is not None:
            codes, task_classes = indicator
            tasks = [ClassificationTask(n, c) for n, c in zip(task_names, task_classes)]
            return tasks, codes, task_names, is_1d
    tasks, encoded = [], []
    for t, (column, name, kind) in enumerate(zip(columns, task_names, kinds)):
        if kind == REGRESSION:
            task, values = RegressionTask.learn(name, column, regression_width)
        else:
            given = None if classes is None else classes[t]
            task, values = ClassificationTask.learn(name, column, missing_label, given)
        tasks.append(task)
        encoded.append(values)
    return tasks, _stack(encoded, tasks), task_names, is_1d


def encode_tasks(Y, tasks, *, missing_label=np.nan, standardise=False):
    """Encode ``Y`` with tasks already learned (a continued fit).

    Parameters
    ----------
    Y : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        The targets; as many columns as ``tasks``.
    tasks : list of ClassificationTask or RegressionTask
        The fitted tasks.
    missing_label : scalar, default=np.nan
        Extra sentinel for unknown classification cells.
    standardise : bool, default=False
        Standardise regression values with the tasks' scaling.

    Returns
    -------
    values : ndarray of shape (n_samples, n_tasks)
        The training target (see the module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import RegressionTask, encode_tasks
    >>> encode_tasks([[3.0], [5.0]], [RegressionTask("y", 4.0, 1.0)],
    ...              standardise=True).tolist()
    [[-1.0], [1.0]]
    """
    columns, _, _ = split_target_columns(Y)
    if len(columns) != len(tasks):
        raise ValueError(
            f"Y has {len(columns)} task(s) but the estimator was fitted with "
            f"{len(tasks)}; the number of tasks cannot change."
        )
    if all(task.kind == CLASSIFICATION for task in tasks):
        known = [task.classes for task in tasks]
        indicator = indicator_codes(columns, missing_label, known, Y=Y)
        if indicator is not None:
            return indicator[0]
    encoded = [
        task.encode(column, missing_label)
        if task.kind == CLASSIFICATION
        else task.encode(column, standardise=standardise)
        for task, column in zip(tasks, columns)
    ]
    return _stack(encoded, tasks)


def _stack(encoded, tasks):
    if all(task.kind == CLASSIFICATION for task in tasks):
        return np.column_stack(encoded).astype(np.int64, copy=False)
    return np.column_stack([np.asarray(v, dtype=np.float64) for v in encoded])


def labelled_mask(values, tasks):
    """Which cells of a training target carry a label.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_tasks)
        From :func:`learn_tasks` or :func:`encode_tasks`.
    tasks : list of ClassificationTask or RegressionTask

    Returns
    -------
    labelled : ndarray of shape (n_samples, n_tasks), dtype=bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import ClassificationTask, RegressionTask, labelled_mask
    >>> tasks = [ClassificationTask("a", np.array([0, 1])), RegressionTask("b")]
    >>> labelled_mask(np.array([[-1.0, 0.5], [1.0, np.nan]]), tasks).tolist()
    [[False, True], [True, False]]
    """
    if values.dtype.kind in "iu":
        return values >= 0
    labelled = np.empty(values.shape, dtype=bool)
    for t, task in enumerate(tasks):
        if task.kind == CLASSIFICATION:
            labelled[:, t] = values[:, t] >= 0
        else:
            labelled[:, t] = ~np.isnan(values[:, t])
    return labelled


def fit_scaling(values, weights, tasks):
    """Learn each regression task's scaling (in place) and standardise a copy.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_tasks)
        Unscaled training target.
    weights : ndarray of shape (n_samples, n_tasks) or None
        Per-cell sample weights: the mean and scale are weighted, so that a
        weight of 2 means what a repeated row means.
    tasks : list of ClassificationTask or RegressionTask

    Returns
    -------
    values : ndarray of shape (n_samples, n_tasks)
        The target with regression columns standardised.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import RegressionTask, fit_scaling
    >>> tasks = [RegressionTask("y")]
    >>> fit_scaling(np.array([[1.0], [3.0]]), None, tasks).tolist(), tasks[0].mean
    ([[-1.0], [1.0]], 2.0)
    """
    scaled = values.copy()
    for t, task in enumerate(tasks):
        if task.kind == REGRESSION:
            task.fit_scaling(values[:, t], None if weights is None else weights[:, t])
            scaled[:, t] = (values[:, t] - task.mean) / task.scale
    return scaled


def task_kinds(tasks):
    """The kind of each task, in order.

    Parameters
    ----------
    tasks : list of ClassificationTask or RegressionTask

    Returns
    -------
    kinds : list of str

    Examples
    --------
    >>> from sklmtl._tasks import RegressionTask, task_kinds
    >>> task_kinds([RegressionTask("y")])
    ['regression']
    """
    return [task.kind for task in tasks]


def check_task_types(task_types):
    """Validate the ``task_types`` parameter's form (names are checked at fit).

    Parameters
    ----------
    task_types : dict or None
        ``{task_name: "classification" | "regression"}``.

    Examples
    --------
    >>> from sklmtl._tasks import check_task_types
    >>> check_task_types({"mass": "regression"})
    """
    if task_types is None:
        return
    if not isinstance(task_types, dict):
        raise TypeError(
            "task_types must be None or a dict {task_name: 'classification' | "
            f"'regression'}}; got {type(task_types).__name__}."
        )
    for name, kind in task_types.items():
        if not isinstance(name, (str, numbers.Integral)) or kind not in TASK_KINDS:
            raise ValueError(
                f"task_types[{name!r}] is {kind!r}; expected 'classification' or "
                "'regression'."
            )


def uses_binary_logits(tasks):
    """Whether the network gives every task one sigmoid logit.

    The binary-label path: when every task is a classification task with
    exactly two classes (a label-indicator ``Y``, 0/1 or bool, missing
    cells allowed), each task has one logit ``z`` trained with a binary
    cross-entropy, and ``P(classes[1]) = sigmoid(z)``, instead of two
    softmax logits. Both give the same model family; one logit halves the
    output layer and the loss is one elementwise op over ``(batch,
    n_tasks)``. Any task with another number of classes, or any regression
    task, keeps the softmax path for all tasks.

    Parameters
    ----------
    tasks : list of ClassificationTask or RegressionTask

    Returns
    -------
    binary : bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import ClassificationTask, uses_binary_logits
    >>> uses_binary_logits([ClassificationTask("a", np.array([0, 1]))])
    True
    >>> uses_binary_logits([ClassificationTask("a", np.array([0, 1, 2]))])
    False
    """
    return bool(tasks) and all(
        task.kind == CLASSIFICATION and len(task.classes) == 2 for task in tasks
    )


def network_outputs(tasks):
    """The width and the loss kind of each of the network's outputs.

    Parameters
    ----------
    tasks : list of ClassificationTask or RegressionTask

    Returns
    -------
    widths : list of int
        Logits (or regression outputs) of each task: 1 per binary task on
        the binary-label path (:func:`uses_binary_logits`).
    kinds : list of {"classification", "regression", "binary"}
        What the loss and the scoring make of each output.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import ClassificationTask, network_outputs
    >>> network_outputs([ClassificationTask("a", np.array(["n", "y"]))])
    ([1], ['binary'])
    """
    if uses_binary_logits(tasks):
        return [1] * len(tasks), [BINARY] * len(tasks)
    return [task.output_width for task in tasks], task_kinds(tasks)
