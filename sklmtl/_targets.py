"""Per-task target validation, label encoding and decoding.

Plain numpy: this module never imports torch. Every message names the task
(by its name) and says what was expected, so a bad column of ``Y`` is found
without reading a stack trace.

A target matrix ``Y`` of shape ``(n_samples, n_tasks)`` is encoded into an
``int64`` code matrix of the same shape where ``-1`` marks a missing cell and
``0 .. n_classes_t - 1`` index ``classes_[t]``.

The columns of ``Y`` and their missing cells come from
:mod:`sklmtl._target_columns`; per-task class weights are
:mod:`sklmtl._class_weights`'s job.

Each column keeps its own label kind (see :mod:`sklmtl._labels`):
``classes_[t]`` is an array whose dtype (or, for ``object``, whose elements)
carry the kind the user gave, so decoding needs ``classes_`` only and
``predict`` returns ints for an int column, bools for a bool column and
strings for a str column, whatever the other columns hold. Two rules:

- ``True`` is never the missing label ``1`` (nor ``False`` the label ``0``):
  a cell matches ``missing_label`` only when it has the same kind (bool,
  number, str, ...) and compares equal, in every container.
- A string label that reads like a missing value written as text (``'nan'``,
  ``'None'``, ``'<NA>'``, ``'NA'``, ``'N/A'``, ``'null'``, ``'NaT'``, in any
  case) stays a class but raises a ``UserWarning`` naming the task: it is
  what ``np.nan`` or ``None`` becomes in a numpy string array. (In a ``<U1``
  array ``np.nan`` becomes ``'n'``, which cannot be told from a real label.)
"""

import warnings

import numpy as np
from sklearn.utils.multiclass import type_of_target

from ._labels import (
    class_key,
    missing_like,
    object_array,
    tighten,
    type_kind,
)
from ._target_columns import missing_mask, split_target_columns

MISSING_CODE = -1


def _normalise_labels(values, task_name):
    """Give an object array of labels a numpy dtype that keeps their kind."""
    if values.dtype.kind != "O":
        return values
    types = set(map(type, values))
    # Unhashable types, or containers that may hold unhashable items.
    if any(c.__hash__ is None or issubclass(c, (tuple, frozenset)) for c in types):
        for value in values:
            try:
                hash(value)
            except TypeError:
                raise TypeError(
                    f"Task {task_name!r} has an unhashable label {value!r} of type "
                    f"{type(value).__name__}; labels must be hashable (int, str, "
                    "bool)."
                ) from None
    kinds = {type_kind(cls) for cls in types}
    if len(kinds) > 1:
        raise TypeError(
            f"Task {task_name!r} mixes label types {sorted(kinds)}; the labels of "
            "one task must all be of one type (all str, all numbers or all bool)."
        )
    return tighten(values)


def _check_task_labels(values, task_name):
    if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
        raise ValueError(
            f"Input Y contains infinity in task {task_name!r}; labels must be "
            "finite class labels."
        )
    if values.dtype.kind == "c":
        raise ValueError(f"Unknown label type: 'complex' in task {task_name!r}.")
    if values.dtype.kind in "fiub":
        target_type = type_of_target(values)
        if target_type.startswith("continuous"):
            raise ValueError(
                f"Unknown label type: {target_type!r} in task {task_name!r}. "
                "A classifier expects discrete class labels, not continuous values."
            )


def _warn_missing_like(labels, task_name):
    found = missing_like(labels)
    if found:
        warnings.warn(
            f"Task {task_name!r} has the class label(s) {found}, which read like a "
            "missing value written as text (np.nan or None put in a numpy string "
            "array becomes 'nan' or 'None'). They are kept as classes. If these "
            "cells are unknown, give them as None or np.nan in an object array or "
            f"DataFrame, or pass missing_label={found[0]!r}.",
            UserWarning,
            stacklevel=3,
        )


def encode_targets(Y, missing_label=np.nan, classes=None):
    """Validate ``Y`` and encode each task's labels to integer codes.

    Parameters
    ----------
    Y : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Targets; any hashable label type per task, missing cells allowed.
    missing_label : scalar, default=np.nan
        Extra sentinel for unknown cells (``None``/``NaN``/``pd.NA`` always are).
    classes : list of array-like or None, default=None
        Known classes per task (e.g. from an earlier ``partial_fit``). When
        given, every label must belong to them; when None they are learned.
        Each task's classes keep their kind, as the labels of ``Y`` do.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_tasks), dtype=int64
        Index into ``classes[t]``, or ``-1`` for a missing cell.
    classes : list of ndarray
        The sorted classes of each task, in an array that keeps the task's
        label kind (its dtype, or ``object`` holding the labels as given).
    task_names : list of str
        Task names.
    is_1d : bool
        Whether ``Y`` was one-dimensional.

    Warns
    -----
    UserWarning
        When a task's labels include a string that reads like a missing value
        (``'nan'``, ``'None'``, ``'<NA>'``, ...); the message names the task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._targets import encode_targets
    >>> codes, classes, names, is_1d = encode_targets(
    ...     np.array([["a", 1], ["b", None], ["a", 0]], dtype=object))
    >>> codes.tolist()
    [[0, 1], [1, -1], [0, 0]]
    >>> [c.tolist() for c in classes]
    [['a', 'b'], [0, 1]]
    """
    columns, task_names, is_1d = split_target_columns(Y)
    if classes is not None and len(classes) != len(columns):
        raise ValueError(
            f"Y has {len(columns)} task(s) but the estimator was fitted with "
            f"{len(classes)}; the number of tasks cannot change."
        )
    n_samples = len(columns[0])
    codes = np.full((n_samples, len(columns)), MISSING_CODE, dtype=np.int64)
    learned = []
    for t, (column, name) in enumerate(zip(columns, task_names)):
        codes[:, t], task_classes = encode_column(
            column, name, missing_label, None if classes is None else classes[t]
        )
        learned.append(task_classes)
    return codes, learned, task_names, is_1d


def encode_column(
    column, task_name, missing_label=np.nan, classes=None, classes_given=False
):
    """Encode one task's labels to integer codes (``-1`` for a missing cell).

    Parameters
    ----------
    column : ndarray of shape (n_samples,)
        One task's labels (a column from :func:`split_target_columns`).
    task_name : str
        For messages.
    missing_label : scalar, default=np.nan
        Extra sentinel for unknown cells.
    classes : array-like or None, default=None
        The task's known classes; learned from the labels when None.
    classes_given : bool, default=False
        Whether ``classes`` are the user's ``partial_fit(classes=...)``
        rather than the fitted ones (for the message about a label outside
        them).

    Returns
    -------
    codes : ndarray of shape (n_samples,), dtype=int64
        Index into ``classes``, or ``-1`` for a missing cell.
    classes : ndarray
        The sorted classes, in an array that keeps the label kind.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._targets import encode_column
    >>> codes, classes = encode_column(np.array(["b", None, "a"], dtype=object), "t")
    >>> codes.tolist(), classes.tolist()
    ([1, -1, 0], ['a', 'b'])
    """
    codes = np.full(len(column), MISSING_CODE, dtype=np.int64)
    mask = missing_mask(column, missing_label)
    labelled = np.flatnonzero(~mask)
    values = _normalise_labels(column[labelled], task_name)
    _check_task_labels(values, task_name)
    if classes is None:
        if len(values) == 0:
            raise ValueError(
                f"Task {task_name!r} has no labelled sample (every cell is missing); "
                "each task needs labels from at least two classes."
            )
        task_classes, inverse = np.unique(values, return_inverse=True)
        if len(task_classes) < 2:
            raise ValueError(
                f"Task {task_name!r} has one class only ({task_classes[0]!r}); a "
                "classifier needs at least 2 classes in each task."
            )
    else:
        task_classes = _given_classes(classes, task_name)
        inverse = _encode_known(values, task_classes, task_name, classes_given)
    inverse = inverse.reshape(-1)
    if task_classes.dtype.kind in "UO":
        seen = task_classes if classes is None else task_classes[np.unique(inverse)]
        _warn_missing_like(seen, task_name)
    codes[labelled] = inverse
    return codes, task_classes


def _given_classes(given, task_name):
    """One task's known classes as a sorted array that keeps their kind."""
    if isinstance(given, np.ndarray):
        given_array = given
    elif np.ndim(given) == 1 or isinstance(given, (list, tuple)):
        given_array = object_array(given)
    else:
        given_array = np.asarray(given)
    if given_array.ndim != 1 or len(given_array) == 0:
        raise ValueError(
            f"The classes of task {task_name!r} must be a non-empty 1-D list of "
            f"labels; got {given!r}."
        )
    if missing_mask(given_array).any():
        raise ValueError(
            f"The classes of task {task_name!r} include a missing value (None, "
            f"NaN or pd.NA): {list(given_array)!r}; list the known labels only."
        )
    return np.unique(_normalise_labels(given_array, task_name))


def _encode_known(values, task_classes, task_name, classes_given=False):
    lookup = {class_key(label): i for i, label in enumerate(task_classes.tolist())}
    try:
        inverse = np.fromiter(
            (lookup[class_key(v)] for v in values.tolist()),
            dtype=np.int64,
            count=len(values),
        )
    except KeyError as exc:
        where = (
            "given to partial_fit (classes=...)"
            if classes_given
            else "fixed by the first fit or partial_fit call (a continued fit "
            "cannot add a class; list every class in partial_fit's classes= on "
            "the first call)"
        )
        raise ValueError(
            f"Task {task_name!r} has label {exc.args[0][1]!r}, which is not one of "
            f"the classes {where}: {task_classes.tolist()}."
        ) from None
    return inverse


# Cells decoded per step by :func:`_decode_one_kind`.
_DECODE_CELLS = 2**15


def _decode_one_kind(codes, classes):
    """Labels of tasks of one dtype kind: one lookup for every cell.

    Every task's classes sit in one row of a table of the tasks' common
    dtype (as an assignment into that dtype would cast them), so that a
    thousand tasks cost one gather rather than a column copy per task.
    """
    widths = [len(c) for c in classes]
    table = np.empty(
        (len(classes), max(widths)), dtype=np.result_type(*[c.dtype for c in classes])
    )
    for row, task_classes in zip(table, classes):
        row[: len(task_classes)] = task_classes
        # Padding that no code points at (a code is below its task's width).
        row[len(task_classes) :] = task_classes[0]
    offsets = np.arange(len(classes), dtype=np.intp) * table.shape[1]
    flat = table.ravel()
    out = np.empty(codes.shape, dtype=table.dtype)
    # A few rows at a time: the flat indices of a step stay in cache rather
    # than making an int64 copy of every code. mode="clip" lets take write
    # straight into ``out`` (mode="raise" buffers); every code is below its
    # task's width, so nothing is clipped.
    step = max(1, _DECODE_CELLS // max(len(classes), 1))
    for first in range(0, len(codes), step):
        rows = slice(first, first + step)
        np.take(flat, codes[rows] + offsets, out=out[rows], mode="clip")
    return out


def decode_predictions(codes, classes, is_1d):
    """Map integer codes back to the original labels.

    Every cell is a value of its task's ``classes[t]``, of that task's kind.
    All tasks of one dtype kind (all ints, all bools, all strings, ...) give
    an array of that kind; tasks of different kinds give an ``object`` array
    whose cells are the Python values (``int``, ``bool``, ``str``, ...), so
    that no task's labels are cast to another task's kind.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_tasks)
        Class indices per task.
    classes : list of ndarray
        The classes of each task.
    is_1d : bool
        Return shape ``(n_samples,)`` for a single task given as 1-D ``y``.

    Returns
    -------
    Y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
        Labels; object dtype only when tasks mix label kinds.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._targets import decode_predictions
    >>> decode_predictions(np.array([[1, 0]]), [np.array([3, 7]), np.array([0, 1])],
    ...                    is_1d=False)
    array([[7, 0]])
    >>> decode_predictions(np.array([[1, 0]]),
    ...                    [np.array([3, 7]), np.array([False, True])], is_1d=False)
    array([[7, False]], dtype=object)
    """
    codes = np.asarray(codes)
    if codes.dtype == bool:
        codes = codes.view(np.uint8)
    if is_1d:
        return classes[0][codes[:, 0]]
    kinds = {np.dtype(c.dtype).kind for c in classes}
    if len(kinds) == 1 and kinds <= set("biufUSmM"):
        return _decode_one_kind(codes, classes)
    columns = [task_classes[codes[:, t]] for t, task_classes in enumerate(classes)]
    out = np.empty((codes.shape[0], len(classes)), dtype=object)
    for t, column in enumerate(columns):
        if column.dtype.kind in "mM":
            # Assigned as an array, nanosecond datetimes would become ints.
            out[:, t] = object_array(column)
        else:
            out[:, t] = column
    return out
