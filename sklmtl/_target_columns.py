"""Reading a target ``Y``: one array per task, and which of its cells are unknown.

Plain numpy: this module never imports torch. :func:`split_target_columns`
splits ``Y`` (array, list of rows, DataFrame, Series) into one 1-D array per
task, each keeping its own label kind (see :mod:`sklmtl._labels`);
:func:`missing_mask` marks a column's unknown cells. ``True`` is never the
missing label ``1`` (nor ``False`` the label ``0``): a cell matches
``missing_label`` only when it has the same kind (bool, number, str, ...)
and compares equal, in every container. Encoding the labels is
:mod:`sklmtl._targets`'s job.
"""

import numpy as np

from ._labels import (
    dtype_label_kind,
    is_missing_scalar,
    label_kind,
    object_missing_mask,
    pandas_column,
    same_class,
    tighten,
    type_kind,
)

__all__ = ["missing_mask", "split_target_columns"]


def missing_mask(column, missing_label=np.nan):
    """Boolean mask of the unknown cells of one target column.

    ``None``, ``NaN``, ``NaT`` and ``pd.NA`` are always unknown;
    ``missing_label`` adds a sentinel value (such as ``-1``) that is treated
    the same way. A cell matches the sentinel only when it is a label of the
    same kind and equal: ``True`` never matches ``missing_label=1`` and
    ``False`` never matches ``0``, in bool and object columns alike; ``-1``
    matches ``-1.0`` but not ``"-1"``.

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
    >>> from sklmtl._target_columns import missing_mask
    >>> missing_mask(np.array([1, -1, 0]), missing_label=-1)
    array([False,  True, False])
    >>> missing_mask(np.array([True, False]), missing_label=0)
    array([False, False])
    """
    column = np.asarray(column)
    kind = column.dtype.kind
    if kind == "f":
        mask = np.isnan(column)
    elif kind in "mM":
        mask = np.isnat(column)
    elif kind == "O":
        mask = object_missing_mask(column)
    else:
        mask = np.zeros(column.shape, dtype=bool)
    if is_missing_scalar(missing_label):
        return mask
    if kind == "O":
        sentinel_kind = label_kind(missing_label)
        if any(type_kind(cls) == sentinel_kind for cls in set(map(type, column))):
            mask |= np.fromiter(
                (not m and same_class(v, missing_label) for v, m in zip(column, mask)),
                dtype=bool,
                count=len(column),
            )
    elif dtype_label_kind(column.dtype) == label_kind(missing_label):
        with np.errstate(invalid="ignore"):
            mask |= np.asarray(column == missing_label, dtype=bool).reshape(mask.shape)
    return mask


def split_target_columns(Y):
    """Split ``Y`` into one 1-D array per task, each keeping its label kind.

    Each column is built on its own (a list of rows is never passed through
    one ``np.asarray``, which would turn an int column beside a str column
    into strings): a column with one kind of label and no missing cell gets
    a numpy dtype (``int64``, ``float64``, ``bool``, ``<U``, ...); one with
    missing cells is an ``object`` array of the labels as given, with
    ``None``/``NaN``/``pd.NA`` in the missing cells. A numpy array's columns
    keep its dtype; pandas columns keep theirs (nullable ``Int64`` stays
    int, ``boolean`` bool, ``string`` str, ``category`` the kind of its
    categories).

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
    >>> from sklmtl._target_columns import split_target_columns
    >>> columns, names, is_1d = split_target_columns([[0, "a"], [1, "b"]])
    >>> [c.dtype.kind for c in columns], names, is_1d
    (['i', 'U'], ['task_0', 'task_1'], False)
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
        columns = [pandas_column(Y.iloc[:, j]) for j in range(Y.shape[1])]
        if not columns:
            raise ValueError("Y has 0 columns; at least one task is required.")
        return columns, names, False
    if hasattr(Y, "iloc") and hasattr(Y, "name"):
        name = "task_0" if Y.name is None else str(Y.name)
        return [pandas_column(Y)], [name], True
    arr = _as_target_array(Y)
    if arr.ndim == 1:
        return [tighten(arr)], ["task_0"], True
    if arr.ndim != 2:
        raise ValueError(
            "Y must be 1-D of shape (n_samples,) or 2-D of shape (n_samples, "
            f"n_tasks); got an array with {arr.ndim} dimensions and shape {arr.shape}."
        )
    if arr.shape[1] == 0:
        raise ValueError("Y has 0 columns; at least one task is required.")
    return (
        [tighten(arr[:, t]) for t in range(arr.shape[1])],
        [f"task_{t}" for t in range(arr.shape[1])],
        False,
    )


def _as_target_array(Y):
    """``Y`` as an array; a list keeps every cell's own Python object."""
    try:
        if not isinstance(Y, (list, tuple)):
            return np.asarray(Y)
        arr = np.asarray(Y, dtype=object)
    except ValueError as exc:
        raise ValueError(
            f"Y could not be converted to an array of shape (n_samples, n_tasks): {exc}"
        ) from None
    if arr.ndim == 1 and any(isinstance(v, (list, np.ndarray)) for v in arr):
        lengths = sorted({len(v) for v in arr if isinstance(v, (list, np.ndarray))})
        raise ValueError(
            "Y could not be converted to an array of shape (n_samples, n_tasks): "
            f"its rows have different lengths ({lengths})."
        )
    return arr
