"""Validation of per-row and per-cell sample weights (plain numpy).

``fit(X, Y, sample_weight=...)`` accepts weights of shape ``(n_samples,)``
(one per row, as scikit-learn's estimators take them) or ``(n_samples,
n_tasks)`` (one per label cell: label confidence, cost per task). Both become
one ``(n_samples, n_tasks)`` float64 matrix; a cell's weight scales its term in
its task's loss, and each task's loss is the weighted mean over its labelled
cells, so weights are relative within a task.
"""

import numbers

import numpy as np

__all__ = ["cell_weights", "check_sample_weight"]


def check_sample_weight(sample_weight, labelled, task_names):
    """Validate ``sample_weight`` and return it per cell.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
or None
        Non-negative, finite weights (a list, ndarray, pandas Series or
        DataFrame).
    labelled : ndarray of shape (n_samples, n_tasks), dtype=bool
        Which cells of ``Y`` carry a label.
    task_names : list of str
        For messages.

    Returns
    -------
    weights : ndarray of shape (n_samples, n_tasks), dtype=float64, or None
        None when ``sample_weight`` is None.

    Raises
    ------
    ValueError
        On a wrong shape, NaN or infinite values, negative values, weights
        that are all zero, or a task whose labelled cells all weigh zero.
    TypeError
        On non-numeric weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._weights import check_sample_weight
    >>> labelled = np.array([[True, True], [True, False]])
    >>> check_sample_weight([1.0, 2.0], labelled, ["a", "b"]).tolist()
    [[1.0, 1.0], [2.0, 2.0]]
    """
    if sample_weight is None:
        return None
    n_samples, n_tasks = labelled.shape
    values = cell_weights(sample_weight, n_samples, n_tasks)
    for t, name in enumerate(task_names):
        if labelled[:, t].any() and not np.any(values[labelled[:, t], t] > 0):
            raise ValueError(
                f"Task {name!r} has zero sample_weight on every labelled cell; it "
                "would learn nothing. Give it positive weights or drop the task."
            )
    return values


def cell_weights(sample_weight, n_samples, n_tasks, *, rows_of="X"):
    """``sample_weight`` as one non-negative weight per cell.

    The checks every consumer of weights shares (``fit`` and the metrics):
    numbers, one of the two shapes, finite, non-negative, not all zero.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Weights per row (repeated for every task) or per cell.
    n_samples, n_tasks : int
        The expected shape.
    rows_of : str, default="X"
        What the rows belong to, for messages (``"X"``, ``"Y_true"``).

    Returns
    -------
    weights : ndarray of shape (n_samples, n_tasks), dtype=float64
        A new array: the caller's weights are never modified.

    Examples
    --------
    >>> from sklmtl._weights import cell_weights
    >>> cell_weights([1, 0.5], 2, 3).tolist()
    [[1.0, 1.0, 1.0], [0.5, 0.5, 0.5]]
    """
    if isinstance(sample_weight, numbers.Number):
        raise TypeError(
            "sample_weight must be an array-like of shape (n_samples,) or "
            f"(n_samples, n_tasks); got the scalar {sample_weight!r}."
        )
    values = sample_weight
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    values = np.asarray(values)
    if values.dtype.kind not in "biuf":
        raise TypeError(
            f"sample_weight must hold numbers; got an array of dtype {values.dtype}."
        )
    values = values.astype(np.float64)
    if values.ndim == 1:
        if len(values) != n_samples:
            raise ValueError(
                f"sample_weight has {len(values)} entries but {rows_of} has "
                f"{n_samples} samples; give one weight per row, or an (n_samples, "
                "n_tasks) array."
            )
        values = np.repeat(values[:, None], n_tasks, axis=1)
    elif values.ndim != 2 or values.shape != (n_samples, n_tasks):
        raise ValueError(
            f"sample_weight has shape {values.shape}; expected ({n_samples},) or "
            f"({n_samples}, {n_tasks}) (one weight per row, or per label cell)."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(
            "sample_weight contains NaN or infinity; weights must be finite."
        )
    if np.any(values < 0):
        raise ValueError(
            "sample_weight contains negative values; weights must be >= 0."
        )
    if not np.any(values > 0):
        raise ValueError(
            "sample_weight is zero everywhere; at least one weight must be > 0."
        )
    return values
