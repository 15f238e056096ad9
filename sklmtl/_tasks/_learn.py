"""Learning task objects from a target and encoding targets with them.

The training target of a set of tasks is one matrix of shape ``(n_samples,
n_tasks)`` (:func:`encode_tasks`): ``int64`` class codes (``-1`` missing) when
every task is a classification task, else ``float64`` holding the codes of
classification tasks as exact floats (``-1.0`` missing) and the standardised
values of regression tasks (``NaN`` missing), so that both kinds travel in
one tensor through shuffling, batching and the validation split.
"""

import numbers

import numpy as np

from .._indicator import indicator_codes
from .._labels import tighten
from .._target_columns import missing_mask, split_target_columns
from ._base import CLASSIFICATION, REGRESSION, TASK_KINDS
from .classification import ClassificationTask
from .regression import RegressionTask

__all__ = [
    "check_task_types",
    "encode_tasks",
    "fit_scaling",
    "infer_kind",
    "labelled_mask",
    "learn_tasks",
    "task_class",
    "task_from_state",
]

_TASK_CLASSES = {CLASSIFICATION: ClassificationTask, REGRESSION: RegressionTask}


def task_class(kind, where="kind"):
    """The task class of a kind the user gave.

    Parameters
    ----------
    kind : {"classification", "regression"}
        The kind.
    where : str, default="kind"
        How the error message names the value.

    Returns
    -------
    cls : type
        :class:`ClassificationTask` or :class:`RegressionTask`.

    Examples
    --------
    >>> from sklmtl._tasks import task_class
    >>> task_class("regression").__name__
    'RegressionTask'
    """
    cls = _TASK_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValueError(
            f"{where} is {kind!r}; expected 'classification' or 'regression'."
        )
    return cls


def task_from_state(state):
    """The task object that a task's :meth:`~Task.state` describes.

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
    cls = _TASK_CLASSES.get(state["kind"])
    if cls is None:
        raise ValueError(f"Unknown task kind {state['kind']!r}; expected {TASK_KINDS}.")
    return cls.from_state(state)


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


def _kinds_for(task_types, task_names, columns, missing_label, classes=None):
    """Each task's kind: one kind for all, or inferred and overridden per name.

    A task given ``classes`` (``partial_fit``) is a classification task.
    """
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
    for name, task_classes in zip(task_names, classes or []):
        if task_classes is None:
            continue
        if given.get(name) == REGRESSION:
            raise ValueError(
                f"classes are given for task {name!r}, which task_types makes a "
                "regression task; give None for it in classes."
            )
        given[name] = CLASSIFICATION
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
            f"classes has {len(classes)} entries but Y has {len(columns)} task(s); "
            "give one entry per task."
        )
    kinds = _kinds_for(task_types, task_names, columns, missing_label, classes)
    if classes is None and all(kind == CLASSIFICATION for kind in kinds):
        indicator = indicator_codes(columns, missing_label, Y=Y)
        if indicator is not None:
            codes, task_classes = indicator
            tasks = [ClassificationTask(n, c) for n, c in zip(task_names, task_classes)]
            return tasks, codes, task_names, is_1d
    tasks, encoded = [], []
    for t, (column, name, kind) in enumerate(zip(columns, task_names, kinds)):
        task, values = task_class(kind).learn(
            name,
            column,
            missing_label=missing_label,
            classes=None if classes is None else classes[t],
            output_width=regression_width,
        )
        tasks.append(task)
        encoded.append(values)
    return tasks, _stack(encoded, tasks), task_names, is_1d


def encode_tasks(Y, tasks, *, missing_label=np.nan, standardise=False):
    """Encode ``Y`` with tasks already learned (a continued fit).

    Parameters
    ----------
    Y : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        The targets; as many columns as ``tasks``.
    tasks : list of Task
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
    columns, names, _ = split_target_columns(Y)
    if len(columns) != len(tasks):
        raise ValueError(
            f"Y has {len(columns)} task(s) but the estimator was fitted with "
            f"{len(tasks)}; the number of tasks cannot change."
        )
    fitted = [task.name for task in tasks]
    if _names_tasks(Y) and names != fitted:
        raise ValueError(
            f"Y names its tasks {names}, but the network was fitted on the tasks "
            f"{fitted}, in this order; each head learned its own task, so a "
            "continued fit (warm_start=True or partial_fit) cannot rename or "
            f"reorder them. Select the columns in the fitted order (Y[{fitted}]), "
            "or set warm_start=False to fit a new network."
        )
    known = [task.classes for task in tasks]
    if all(classes is not None for classes in known):
        indicator = indicator_codes(columns, missing_label, known, Y=Y)
        if indicator is not None:
            return indicator[0]
    encoded = [
        task.encode(column, missing_label=missing_label, standardise=standardise)
        for task, column in zip(tasks, columns)
    ]
    return _stack(encoded, tasks)


def _names_tasks(Y):
    """Whether ``Y`` carries task names (a DataFrame, or a named Series).

    A plain array's columns are matched by position, as before.
    """
    if hasattr(Y, "columns") and hasattr(Y, "iloc"):
        return True
    return hasattr(Y, "iloc") and getattr(Y, "name", None) is not None


def _stack(encoded, tasks):
    """One target matrix: ``int64`` when every task's target is, else float64."""
    dtype = np.result_type(*(task.target_dtype for task in tasks))
    return np.column_stack([np.asarray(v, dtype=dtype) for v in encoded])


def labelled_mask(values, tasks):
    """Which cells of a training target carry a label.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_tasks)
        From :func:`learn_tasks` or :func:`encode_tasks`.
    tasks : list of Task

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
        # Codes only: one whole-matrix comparison.
        return values >= 0
    labelled = np.empty(values.shape, dtype=bool)
    for t, task in enumerate(tasks):
        labelled[:, t] = task.labelled(values[:, t])
    return labelled


def fit_scaling(values, weights, tasks):
    """Learn each task's scaling (in place) and standardise a copy.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_tasks)
        Unscaled training target.
    weights : ndarray of shape (n_samples, n_tasks) or None
        Per-cell sample weights: the mean and scale are weighted, so that a
        weight of 2 means what a repeated row means.
    tasks : list of Task

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
    scaled = np.empty_like(values)
    for t, task in enumerate(tasks):
        task.fit_scaling(values[:, t], None if weights is None else weights[:, t])
        scaled[:, t] = task.standardise(values[:, t])
    return scaled


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
