"""The kind of a label, and which cells are missing.

A *kind* is one of ``"bool"``, ``"number"`` (int or float, Python or numpy),
``"str"``, ``"bytes"``, or the type name of any other hashable label
(``"Timestamp"``, ``"tuple"``, ...). A cell is missing when it is ``None``,
a float NaN, ``pd.NA`` or ``NaT``, whatever ``missing_label`` says.
"""

import functools
import numbers

import numpy as np

__all__ = [
    "MISSING_LIKE_STRINGS",
    "PLAIN_KINDS",
    "dtype_label_kind",
    "is_missing_scalar",
    "label_kind",
    "missing_like",
    "object_missing_mask",
    "type_kind",
]

#: Strings that read like a missing value written as text, compared after
#: ``strip().lower()``: ``np.nan`` stored in a numpy string array becomes
#: ``'nan'``, ``None`` becomes ``'None'``, ``pd.NA`` becomes ``'<NA>'``.
MISSING_LIKE_STRINGS = frozenset({"nan", "none", "<na>", "na", "n/a", "null", "nat"})

_DTYPE_KINDS = {
    "b": "bool",
    "i": "number",
    "u": "number",
    "f": "number",
    "U": "str",
    "S": "bytes",
    "M": "datetime64",
    "m": "timedelta64",
}
#: The kinds a column of a numpy dtype (not object) may hold.
PLAIN_KINDS = frozenset({"bool", "number", "str", "bytes"})


def label_kind(value):
    """The kind of one label: bool, number, str, bytes or its type name.

    Parameters
    ----------
    value : object
        One label.

    Returns
    -------
    kind : str
        ``"bool"`` for Python and numpy booleans, ``"number"`` for other
        numbers, ``"str"``, ``"bytes"``, else the name of the value's type.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import label_kind
    >>> [label_kind(v) for v in (True, np.int32(1), 1.5, "1", b"1")]
    ['bool', 'number', 'number', 'str', 'bytes']
    """
    return type_kind(type(value))


@functools.lru_cache(maxsize=512)
def type_kind(cls):
    """The kind of every label of type ``cls`` (see :func:`label_kind`).

    Parameters
    ----------
    cls : type
        The type of a label.

    Returns
    -------
    kind : str

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import type_kind
    >>> type_kind(np.bool_), type_kind(np.float32), type_kind(tuple)
    ('bool', 'number', 'tuple')
    """
    if issubclass(cls, (bool, np.bool_)):
        return "bool"
    if issubclass(cls, numbers.Number):
        return "number"
    if issubclass(cls, (str, np.str_)):
        return "str"
    if issubclass(cls, (bytes, np.bytes_)):
        return "bytes"
    if issubclass(cls, np.datetime64):
        return "datetime64"
    if issubclass(cls, np.timedelta64):
        return "timedelta64"
    return cls.__name__


def _may_be_missing(cls):
    return (
        cls is type(None)
        or issubclass(cls, (float, np.floating, np.datetime64, np.timedelta64))
        or cls.__name__ in ("NAType", "NaTType")
    )


def object_missing_mask(column):
    """``is_missing_scalar`` of every cell of a 1-D object array.

    Parameters
    ----------
    column : ndarray of shape (n_samples,), dtype=object
        One task's labels.

    Returns
    -------
    mask : ndarray of shape (n_samples,), dtype=bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import object_missing_mask
    >>> object_missing_mask(np.array(["a", None, np.nan], dtype=object))
    array([False,  True,  True])
    """
    if not any(_may_be_missing(cls) for cls in set(map(type, column))):
        return np.zeros(len(column), dtype=bool)
    return _MISSING_UFUNC(column).astype(bool).reshape(len(column))


def dtype_label_kind(dtype):
    """The kind shared by every label of a non-object dtype, or None for object.

    Parameters
    ----------
    dtype : numpy dtype
        The dtype of a column.

    Returns
    -------
    kind : str or None
        As :func:`label_kind` would say of each element; None for ``object``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import dtype_label_kind
    >>> dtype_label_kind(np.dtype(bool)), dtype_label_kind(np.dtype("<U3"))
    ('bool', 'str')
    """
    return _DTYPE_KINDS.get(np.dtype(dtype).kind)


def is_missing_scalar(value):
    """True for ``None``, a float NaN, ``pd.NA`` or ``pd.NaT``.

    Parameters
    ----------
    value : object
        One cell.

    Returns
    -------
    missing : bool
        Whether the cell is unknown whatever ``missing_label`` says.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import is_missing_scalar
    >>> is_missing_scalar(np.nan), is_missing_scalar("nan"), is_missing_scalar(0)
    (True, False, False)
    """
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    # pd.NA / pd.NaT without importing pandas.
    return type(value).__name__ in ("NAType", "NaTType")


_MISSING_UFUNC = np.frompyfunc(is_missing_scalar, 1, 1)


def missing_like(labels):
    """The string labels that read like a missing value written as text.

    Parameters
    ----------
    labels : ndarray
        Labels (e.g. one task's classes).

    Returns
    -------
    found : list of str
        Labels whose ``strip().lower()`` is in :data:`MISSING_LIKE_STRINGS`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._labels import missing_like
    >>> missing_like(np.array(["a", "nan", "None"]))
    ['nan', 'None']
    """
    if labels.dtype.kind not in "UO":
        return []
    return [
        str(label)
        for label in labels.tolist()
        if isinstance(label, str) and label.strip().lower() in MISSING_LIKE_STRINGS
    ]
