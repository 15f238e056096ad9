"""Vectorised encoding of a label-indicator ``Y`` (0/1 or bool, missing allowed).

The general encoder (:func:`sklmtl._targets.encode_column`) handles every
label kind one column at a time: about 7 ms per column of 10,000 rows, so
7 s before training starts for 1,000 labels. A numeric or bool ``Y`` whose
labelled cells are all 0 or 1 is encoded here in a few whole-matrix
operations with the same result: codes equal to the labels (``-1``
missing) and ``classes_[t]`` equal to ``[0, 1]`` in the column's own dtype
(``[False, True]`` for bools, ``[0., 1.]`` for floats). Anything else (a
column with one class only, another label, given classes) returns None and
goes through the general encoder, which raises its usual errors.

Plain numpy, no torch.
"""

import numpy as np

from ._target_columns import missing_mask

__all__ = ["indicator_codes"]


def indicator_codes(columns, missing_label=np.nan, known_classes=None, Y=None):
    """Codes and classes of 0/1 columns, or None when one is not such a column.

    Parameters
    ----------
    columns : list of ndarray of shape (n_samples,)
        One array per task (from
        :func:`sklmtl._target_columns.split_target_columns`).
    missing_label : scalar, default=np.nan
        Extra sentinel for unknown cells, as
        :func:`~sklmtl._target_columns.missing_mask` reads it.
    known_classes : list of ndarray or None, default=None
        Fitted classes of each task (a continued fit): the fast path then
        needs each to be ``[0, 1]`` of the column's dtype kind.
    Y : object or None, default=None
        The target ``columns`` came from: a 2-D numpy array is read as a
        whole instead of stacking the columns again (the columns of a
        row-major array are strided: stacking 1,000 of them costs more than
        the rest of the encoding).

    Returns
    -------
    result : tuple (codes, classes) or None
        ``codes`` of shape ``(n_samples, n_tasks)``, int64, ``-1`` missing;
        ``classes``, one ``[0, 1]`` array per task in its column's dtype.
        None when a column is not numeric or bool, holds a label other than
        0 and 1, or (on a new fit) lacks one of the two classes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._indicator import indicator_codes
    >>> codes, classes = indicator_codes(
    ...     [np.array([0.0, 1.0, np.nan]), np.array([True, False, True])])
    >>> codes.tolist(), [c.tolist() for c in classes]
    ([[0, 1], [1, 0], [-1, 1]], [[0.0, 1.0], [False, True]])
    >>> indicator_codes([np.array([0, 2, 1])]) is None
    True
    """
    if not columns or any(c.ndim != 1 or c.dtype.kind not in "biuf" for c in columns):
        return None
    if known_classes is not None and not all(
        _is_zero_one(classes, column.dtype.kind)
        for classes, column in zip(known_classes, columns)
    ):
        return None
    if isinstance(Y, np.ndarray) and Y.ndim == 2 and Y.shape[1] == len(columns):
        values = Y
    else:
        values = np.column_stack(columns)
    # Elementwise for numeric and bool arrays: one call for the whole matrix.
    missing = missing_mask(values, missing_label)
    any_missing = bool(missing.any())
    if values.dtype.kind == "b":
        ones = values
    else:
        ones = values == 1
        valid = ones | (values == 0)
        if any_missing:
            valid |= missing
        if not valid.all():
            return None
    if any_missing:
        ones = ones & ~missing
    if known_classes is None:
        n_labelled = len(values) - missing.sum(axis=0) if any_missing else len(values)
        n_ones = ones.sum(axis=0)
        if not ((n_ones > 0) & (n_ones < n_labelled)).all():
            return None
    codes = ones.astype(np.int64)
    if any_missing:
        codes[missing] = -1
    classes = [
        np.asarray(known_classes[t])
        if known_classes is not None
        else np.array([0, 1], dtype=column.dtype)
        for t, column in enumerate(columns)
    ]
    return codes, classes


def _is_zero_one(classes, column_kind):
    """Whether fitted classes are exactly ``[0, 1]`` of the column's kind."""
    classes = np.asarray(classes)
    same_kind = classes.dtype.kind == column_kind or (
        classes.dtype.kind in "iu" and column_kind in "iu"
    )
    return same_kind and len(classes) == 2 and classes[0] == 0 and classes[1] == 1
