"""Per-task target validation, label encoding and missing-label masks.

Plain numpy: this module never imports torch. Every message names the task
(by its name) and says what was expected, so a bad column of ``Y`` is found
without reading a stack trace.

A target matrix ``Y`` of shape ``(n_samples, n_tasks)`` is encoded into an
``int64`` code matrix of the same shape where ``-1`` marks a missing cell and
``0 .. n_classes_t - 1`` index ``classes_[t]``.
"""

import numbers

import numpy as np
from sklearn.utils.multiclass import type_of_target

MISSING_CODE = -1


def _is_missing_scalar(value):
    """Return True for ``None``, a float NaN, ``pd.NA`` or ``pd.NaT``."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    # pd.NA / pd.NaT without importing pandas.
    return type(value).__name__ in ("NAType", "NaTType")


def _same_label(value, sentinel):
    """Equality that never raises and never equates ``True`` with ``1``."""
    if _label_kind(value) != _label_kind(sentinel):
        return False
    try:
        return bool(value == sentinel)
    except (TypeError, ValueError):
        return False


def missing_mask(column, missing_label=np.nan):
    """Boolean mask of the unknown cells of one target column.

    ``None``, ``NaN`` and ``pd.NA`` are always unknown; ``missing_label``
    adds a sentinel value (such as ``-1``) that is treated the same way.

    Parameters
    ----------
    column : ndarray of shape (n_samples,)
        One task's labels.
    missing_label : scalar, default=np.nan
        The value that marks an unknown label, in addition to ``None``,
        ``NaN`` and ``pd.NA``.

    Returns
    -------
    mask : ndarray of shape (n_samples,), dtype=bool
        True where the label is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._targets import missing_mask
    >>> missing_mask(np.array([1, -1, 0]), missing_label=-1)
    array([False,  True, False])
    """
    column = np.asarray(column)
    if column.dtype.kind == "f":
        mask = np.isnan(column)
    elif column.dtype.kind == "O":
        mask = np.fromiter(
            (_is_missing_scalar(v) for v in column), dtype=bool, count=len(column)
        )
    else:
        mask = np.zeros(column.shape, dtype=bool)
    if not _is_missing_scalar(missing_label):
        if column.dtype.kind == "O":
            mask |= np.fromiter(
                (not m and _same_label(v, missing_label) for v, m in zip(column, mask)),
                dtype=bool,
                count=len(column),
            )
        else:
            with np.errstate(invalid="ignore"):
                try:
                    equal = np.asarray(column == missing_label)
                except (TypeError, ValueError):
                    equal = np.zeros(column.shape, dtype=bool)
            if equal.shape == column.shape:
                mask |= equal.astype(bool)
    return mask


def split_target_columns(Y):
    """Split ``Y`` into one 1-D array per task.

    Parameters
    ----------
    Y : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        The targets.

    Returns
    -------
    columns : list of ndarray of shape (n_samples,)
        One array per task.
    task_names : list of str
        The DataFrame's column names (or a Series' name), else ``task_0``, ...
    is_1d : bool
        Whether ``Y`` was one-dimensional (a single task).

    Examples
    --------
    >>> from sklmtl._targets import split_target_columns
    >>> columns, names, is_1d = split_target_columns([[0, "a"], [1, "b"]])
    >>> names, is_1d
    (['task_0', 'task_1'], False)
    """
    if Y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None."
        )
    if hasattr(Y, "toarray") or hasattr(Y, "tocsr"):
        raise TypeError(
            "A sparse target Y was passed; Y must be a dense array-like of shape "
            "(n_samples, n_tasks). Convert it with Y.toarray()."
        )
    if hasattr(Y, "columns") and hasattr(Y, "iloc"):
        names = [str(c) for c in Y.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"Y has duplicate column names: {names}.")
        columns = [_column_to_numpy(Y.iloc[:, j]) for j in range(Y.shape[1])]
        if not columns:
            raise ValueError("Y has 0 columns; at least one task is required.")
        return columns, names, False
    if hasattr(Y, "iloc") and hasattr(Y, "name"):
        name = "task_0" if Y.name is None else str(Y.name)
        return [_column_to_numpy(Y)], [name], True
    try:
        arr = np.asarray(Y)
    except ValueError as exc:
        raise ValueError(
            f"Y could not be converted to an array of shape (n_samples, n_tasks): {exc}"
        ) from None
    if arr.ndim == 1:
        return [arr], ["task_0"], True
    if arr.ndim != 2:
        raise ValueError(
            "Y must be 1-D of shape (n_samples,) or 2-D of shape (n_samples, "
            f"n_tasks); got an array with {arr.ndim} dimensions and shape {arr.shape}."
        )
    if arr.shape[1] == 0:
        raise ValueError("Y has 0 columns; at least one task is required.")
    return (
        [arr[:, t] for t in range(arr.shape[1])],
        [f"task_{t}" for t in range(arr.shape[1])],
        False,
    )


def _column_to_numpy(series):
    values = series.to_numpy()
    if values.dtype.kind not in "biufUSO":
        # Extension dtypes (nullable Int64, string, category) become objects.
        values = series.astype(object).to_numpy()
    return values


def _label_kind(value):
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Number):
        return "number"
    if isinstance(value, (str, np.str_)):
        return "str"
    return type(value).__name__


def _normalise_labels(values, task_name):
    """Give an object array of labels a proper dtype, or keep it object."""
    if values.dtype.kind != "O":
        return values
    kinds = set()
    for value in values:
        try:
            hash(value)
        except TypeError:
            raise TypeError(
                f"Task {task_name!r} has an unhashable label {value!r} of type "
                f"{type(value).__name__}; labels must be hashable (int, str, bool)."
            ) from None
        kinds.add(_label_kind(value))
    if len(kinds) > 1:
        raise TypeError(
            f"Task {task_name!r} mixes label types {sorted(kinds)}; the labels of "
            "one task must all be of one type (all str, all numbers or all bool)."
        )
    if kinds <= {"bool", "number", "str"} and len(values):
        return np.asarray(values.tolist())
    return values


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


def encode_targets(Y, missing_label=np.nan, classes=None):
    """Validate ``Y`` and encode each task's labels to integer codes.

    Parameters
    ----------
    Y : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Targets; any hashable label type per task, missing cells allowed.
    missing_label : scalar, default=np.nan
        Extra sentinel for unknown cells (``None``/``NaN``/``pd.NA`` always are).
    classes : list of ndarray or None, default=None
        Known classes per task (e.g. from an earlier ``partial_fit``). When
        given, every label must belong to them; when None they are learned.

    Returns
    -------
    codes : ndarray of shape (n_samples, n_tasks), dtype=int64
        Index into ``classes[t]``, or ``-1`` for a missing cell.
    classes : list of ndarray
        The sorted classes of each task.
    task_names : list of str
        Task names.
    is_1d : bool
        Whether ``Y`` was one-dimensional.

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
        mask = missing_mask(column, missing_label)
        labelled = np.flatnonzero(~mask)
        values = _normalise_labels(column[labelled], name)
        _check_task_labels(values, name)
        if classes is None:
            if len(values) == 0:
                raise ValueError(
                    f"Task {name!r} has no labelled sample (every cell is missing); "
                    "each task needs labels from at least two classes."
                )
            task_classes, inverse = np.unique(values, return_inverse=True)
            if len(task_classes) < 2:
                raise ValueError(
                    f"Task {name!r} has one class only ({task_classes[0]!r}); a "
                    "classifier needs at least 2 classes in each task."
                )
        else:
            task_classes = np.asarray(classes[t])
            inverse = _encode_known(values, task_classes, name)
        codes[labelled, t] = inverse.reshape(-1)
        learned.append(task_classes)
    return codes, learned, task_names, is_1d


def _encode_known(values, task_classes, task_name):
    lookup = {label: i for i, label in enumerate(task_classes.tolist())}
    try:
        inverse = np.fromiter(
            (lookup[v] for v in values.tolist()), dtype=np.int64, count=len(values)
        )
    except KeyError as exc:
        raise ValueError(
            f"Task {task_name!r} has label {exc.args[0]!r}, which is not one of the "
            f"classes seen at the first fit: {task_classes.tolist()}."
        ) from None
    return inverse


def decode_predictions(codes, classes, is_1d):
    """Map integer codes back to the original labels.

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
    """
    columns = [task_classes[codes[:, t]] for t, task_classes in enumerate(classes)]
    if is_1d:
        return columns[0]
    kinds = {c.dtype.kind for c in classes}
    if kinds <= set("biuf") or kinds <= set("U"):
        dtype = np.result_type(*[c.dtype for c in classes])
    else:
        dtype = object
    out = np.empty((codes.shape[0], len(classes)), dtype=dtype)
    for t, column in enumerate(columns):
        out[:, t] = column
    return out


def task_class_weights(class_weight, codes, classes, task_names):
    """Per-task class weight arrays from a ``class_weight`` parameter.

    Parameters
    ----------
    class_weight : None, "balanced", dict or list
        ``None``/``"balanced"`` for every task, or a list with one entry per
        task (``None``, ``"balanced"`` or ``{label: weight}``). A single dict
        is accepted for a single task. Labels missing from a dict get weight 1.
    codes : ndarray of shape (n_samples, n_tasks)
        Encoded labels (``-1`` for missing cells).
    classes : list of ndarray
        The classes of each task.
    task_names : list of str
        Task names, for messages.

    Returns
    -------
    weights : list of (ndarray of shape (n_classes_t,) or None) or None
        None when no task is weighted.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._targets import task_class_weights
    >>> codes = np.array([[0], [0], [0], [1]])
    >>> task_class_weights("balanced", codes, [np.array(["a", "b"])], ["t"])
    [array([0.66666667, 2.        ])]
    """
    from sklearn.utils.class_weight import compute_class_weight

    if class_weight is None:
        return None
    n_tasks = len(classes)
    if isinstance(class_weight, (str, dict)):
        if isinstance(class_weight, dict) and n_tasks > 1:
            raise ValueError(
                "class_weight as one dict is only for a single task; for "
                f"{n_tasks} tasks give a list with one entry per task."
            )
        per_task = [class_weight] * n_tasks
    elif isinstance(class_weight, (list, tuple)):
        per_task = list(class_weight)
        if len(per_task) != n_tasks:
            raise ValueError(
                f"class_weight has {len(per_task)} entries for {n_tasks} tasks."
            )
    else:
        raise TypeError(
            "class_weight must be None, 'balanced', or a list with one entry per task; "
            f"got {type(class_weight).__name__}."
        )
    weights = []
    for t, (entry, task_classes, name) in enumerate(zip(per_task, classes, task_names)):
        if entry is None:
            weights.append(None)
        elif isinstance(entry, str) and entry == "balanced":
            labelled = codes[:, t][codes[:, t] >= 0]
            present = np.unique(labelled)
            w = np.ones(len(task_classes))
            w[present] = compute_class_weight("balanced", classes=present, y=labelled)
            weights.append(w)
        elif isinstance(entry, dict):
            lookup = {label: i for i, label in enumerate(task_classes.tolist())}
            w = np.ones(len(task_classes))
            for label, value in entry.items():
                if label not in lookup:
                    raise ValueError(
                        f"class_weight for task {name!r} names label {label!r}, which "
                        f"is not one of its classes {task_classes.tolist()}."
                    )
                w[lookup[label]] = value
            weights.append(w)
        else:
            raise ValueError(
                f"class_weight for task {name!r} must be None, 'balanced' or a dict; "
                f"got {entry!r}."
            )
    return None if all(w is None for w in weights) else weights
