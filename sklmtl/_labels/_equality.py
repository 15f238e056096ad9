"""The one rule for comparing labels, and the kind-strict rule for naming one.

Two labels are *compared* (a prediction against a truth in every metric and
scorer, rows grouped by label in a splitter, a cell against ``pos_label``)
under :func:`label_key`, the numeric rule of numpy and scikit-learn: ``True
== 1 == 1.0``; a str is never equal to a number (``"1" != 1``), nor are
bytes; other kinds compare equal within their type; a missing cell equals
nothing. A label the user *names* to identify a task's class
(``missing_label``, a ``class_weight`` key) is kind-strict:
:func:`class_key`.
"""

import numpy as np

from ._kinds import dtype_label_kind, is_missing_scalar, label_kind

__all__ = [
    "MISSING_KEY",
    "class_key",
    "comparable_columns",
    "distinct_label_keys",
    "label_key",
    "label_key_mask",
    "labels_equal",
    "same_class",
    "same_label",
]


#: The key of every missing cell: :func:`label_key` gives it, and
#: :func:`same_label` / :func:`labels_equal` never match it.
MISSING_KEY = ("missing",)


def label_key(value):
    """The key under which labels are compared: ``True == 1 == 1.0``, ``"1" != 1``.

    The one rule for comparing two labels (a prediction against a truth, a
    cell against ``pos_label``, rows grouped by label): numbers and bools
    compare as numbers, as numpy and scikit-learn compare them; a str is
    never equal to a number, nor are bytes; other labels compare equal within
    their type (``Timestamp``, ``tuple``, ...).

    Parameters
    ----------
    value : object
        One hashable label.

    Returns
    -------
    key : tuple
        Hashable; two labels are the same when their keys are equal.
        :data:`MISSING_KEY` for a missing cell (``None``, ``NaN``, ``pd.NA``,
        ``NaT``), which :func:`same_label` never matches.

    Raises
    ------
    TypeError
        For an unhashable label.

    See Also
    --------
    class_key : the kind-strict key of a label the user names.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import label_key
    >>> label_key(True) == label_key(np.int64(1)) == label_key(1.0)
    True
    >>> label_key("1") == label_key(1), label_key(b"1") == label_key("1")
    (False, False)
    """
    if is_missing_scalar(value):
        return MISSING_KEY
    kind = label_kind(value)
    if kind in ("bool", "number"):
        # Python numbers hash and compare exactly across bool, int and float.
        return ("number", value.item() if isinstance(value, np.generic) else value)
    if kind == "str":
        return ("str", str(value))
    if kind == "bytes":
        return ("bytes", bytes(value))
    hash(value)  # an unhashable label fails here, not later in a dict
    return (kind, value)


def class_key(value):
    """The kind-strict key of a label the user names to identify a class.

    ``missing_label`` and the keys of a ``class_weight`` dict name one of a
    task's classes by kind and value: ``True`` is never the class ``1``
    (``missing_label=0`` keeps the ``False`` cells of a bool column), while
    ``1`` and ``1.0`` are the same number.

    Parameters
    ----------
    value : object
        One hashable label.

    Returns
    -------
    key : tuple
        ``(kind, value)``, kind as :func:`label_kind` says.

    See Also
    --------
    label_key : the key under which labels are compared.

    Examples
    --------
    >>> from sklmtl._labels import class_key
    >>> class_key(True) == class_key(1), class_key(1) == class_key(1.0)
    (False, True)
    """
    return (label_kind(value), value)


def same_label(value, other):
    """Whether two labels are the same under :func:`label_key`, never raising.

    Parameters
    ----------
    value, other : object
        Two labels.

    Returns
    -------
    same : bool
        ``True`` is ``1`` and ``1.0``; ``1`` is not ``"1"``; a missing cell
        is no label, not even another missing cell.

    Examples
    --------
    >>> from sklmtl._labels import same_label
    >>> same_label(1, 1.0), same_label(True, 1), same_label(1, "1")
    (True, True, False)
    >>> same_label(None, None)
    False
    """
    try:
        key = label_key(value)
        return key != MISSING_KEY and key == label_key(other)
    except (TypeError, ValueError):
        return False


def same_class(value, other):
    """Whether two labels name the same class under :func:`class_key`.

    Parameters
    ----------
    value, other : object
        Two labels.

    Returns
    -------
    same : bool
        False across kinds (``True`` vs ``1``, ``1`` vs ``"1"``); never
        raises.

    Examples
    --------
    >>> from sklmtl._labels import same_class
    >>> same_class(1, 1.0), same_class(True, 1), same_class(1, "1")
    (True, False, False)
    """
    if label_kind(value) != label_kind(other):
        return False
    try:
        return bool(value == other)
    except (TypeError, ValueError):
        return False


def _compared_kind(dtype):
    """The :func:`label_key` kind of every element of a non-object dtype."""
    kind = dtype_label_kind(dtype)
    return "number" if kind == "bool" else kind


def labels_equal(first, second):
    """Cell-wise :func:`same_label` of two columns of the same length.

    Parameters
    ----------
    first, second : ndarray of shape (n_samples,)
        Two label columns.

    Returns
    -------
    equal : ndarray of shape (n_samples,), dtype=bool
        True where the cells hold the same label under :func:`label_key`;
        False where either cell is missing.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import labels_equal
    >>> labels_equal(np.array([1, 0]), np.array([True, True]))
    array([ True, False])
    >>> labels_equal(np.array([1, 2]), np.array([1, "2"], dtype=object))
    array([ True, False])
    """
    first, second = np.asarray(first), np.asarray(second)
    n = len(first)
    kind_1, kind_2 = _compared_kind(first.dtype), _compared_kind(second.dtype)
    if kind_1 is not None and kind_2 is not None:
        if kind_1 != kind_2:
            return np.zeros(n, dtype=bool)
        # NaN and NaT compare unequal to everything, themselves included.
        with np.errstate(invalid="ignore"):
            return np.asarray(first == second, dtype=bool).reshape(n)
    return np.fromiter(
        (same_label(a, b) for a, b in zip(first.tolist(), second.tolist())),
        dtype=bool,
        count=n,
    )


def distinct_label_keys(column):
    """The set of :func:`label_key` of a column's labelled cells.

    Parameters
    ----------
    column : ndarray of shape (n_samples,)
        Labels, without missing cells.

    Returns
    -------
    keys : set of tuple

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import distinct_label_keys
    >>> sorted(distinct_label_keys(np.array([True, False, True])))
    [('number', False), ('number', True)]
    """
    column = np.asarray(column)
    if _compared_kind(column.dtype) == "number":
        return {("number", v) for v in np.unique(column).tolist()}
    return {label_key(v) for v in column.tolist()}


def label_key_mask(column, key):
    """Where a column holds the label of ``key`` (a :func:`label_key`).

    Parameters
    ----------
    column : ndarray of shape (n_samples,)
        Labels.
    key : tuple
        A key from :func:`label_key`.

    Returns
    -------
    mask : ndarray of shape (n_samples,), dtype=bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import label_key, label_key_mask
    >>> label_key_mask(np.array([0.0, 1.0]), label_key(True))
    array([False,  True])
    """
    column = np.asarray(column)
    n = len(column)
    if key == MISSING_KEY:
        return np.zeros(n, dtype=bool)
    kind = _compared_kind(column.dtype)
    if kind is not None:
        if kind != key[0]:
            return np.zeros(n, dtype=bool)
        with np.errstate(invalid="ignore"):
            return np.asarray(column == key[1], dtype=bool).reshape(n)
    return np.fromiter((same_label(v, key[1]) for v in column.tolist()), bool, n)


def comparable_columns(first, second):
    """Two label columns as scikit-learn compares them under :func:`label_key`.

    Columns of plain dtypes that scikit-learn compares as :func:`label_key`
    does (both numbers or bools, both str, ...) are returned as they are;
    otherwise (a str column against a number column, object columns of
    other kinds) both become integer codes of their labels under
    :func:`label_key`, shared by the two columns, so that ``"1"`` and ``1``
    are two labels rather than an error.

    Parameters
    ----------
    first, second : ndarray of shape (n_samples,)
        Labels without missing cells.

    Returns
    -------
    first, second : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import comparable_columns
    >>> comparable_columns(np.array([True, False]), np.array([1, 1]))[0]
    array([ True, False])
    >>> [c.tolist() for c in comparable_columns(np.array(["1", "0"]), np.array([1, 1]))]
    [[0, 1], [2, 2]]
    """
    kind_1, kind_2 = _compared_kind(first.dtype), _compared_kind(second.dtype)
    if kind_1 is not None and kind_1 == kind_2:
        return first, second
    lookup = {}
    coded = [
        np.fromiter(
            (lookup.setdefault(label_key(v), len(lookup)) for v in column.tolist()),
            dtype=np.int64,
            count=len(column),
        )
        for column in (first, second)
    ]
    return coded[0], coded[1]
