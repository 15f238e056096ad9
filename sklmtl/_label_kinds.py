"""The kind of a label, and target columns that keep it.

Plain numpy (pandas objects are read through their public methods, never
imported). A target column keeps the kind of labels its user gave:

- a *kind* is one of ``"bool"``, ``"number"`` (int or float, Python or
  numpy), ``"str"``, ``"bytes"``, or the type name of any other hashable
  label (``"Timestamp"``, ``"tuple"``, ...);
- ``True`` is never the same label as ``1`` (nor ``False`` as ``0``), and
  ``1`` is never ``"1"``: two labels are the same only when they have the same
  kind and compare equal. This holds for ``missing_label`` in every container
  (a ``missing_label=0`` never hides the ``False`` cells of a bool column) and
  for the metrics;
- a column is held in the tightest array that keeps every label as given: a
  numpy dtype (``int64``, ``float64``, ``bool``, ``<U``, ...) when it has one
  kind and no missing cell, else an ``object`` array of the original values.
  Columns are built one by one, never through one ``np.asarray`` of the whole
  ``Y`` (which would turn an int column beside a str column into strings).
"""

import functools
import numbers

import numpy as np

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
_PLAIN_KINDS = frozenset({"bool", "number", "str", "bytes"})


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
    >>> from sklmtl._label_kinds import label_kind
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
    >>> from sklmtl._label_kinds import type_kind
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
    >>> from sklmtl._label_kinds import object_missing_mask
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
    >>> from sklmtl._label_kinds import dtype_label_kind
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
    >>> from sklmtl._label_kinds import is_missing_scalar
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


def same_label(value, other):
    """Whether two labels are the same: same kind and equal, never raising.

    Parameters
    ----------
    value, other : object
        Two labels.

    Returns
    -------
    same : bool
        False across kinds (``True`` vs ``1``, ``1`` vs ``"1"``).

    Examples
    --------
    >>> from sklmtl._label_kinds import same_label
    >>> same_label(1, 1.0), same_label(True, 1), same_label(1, "1")
    (True, False, False)
    """
    if label_kind(value) != label_kind(other):
        return False
    try:
        return bool(value == other)
    except (TypeError, ValueError):
        return False


def labels_equal(first, second):
    """Cell-wise :func:`same_label` of two columns of the same length.

    Parameters
    ----------
    first, second : ndarray of shape (n_samples,)
        Two label columns.

    Returns
    -------
    equal : ndarray of shape (n_samples,), dtype=bool
        True where the cells hold the same label (same kind, equal).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._label_kinds import labels_equal
    >>> labels_equal(np.array([1, 0]), np.array([True, False]))
    array([False, False])
    >>> labels_equal(np.array([1, 2]), np.array([1, "2"], dtype=object))
    array([ True, False])
    """
    first, second = np.asarray(first), np.asarray(second)
    n = len(first)
    kind_1, kind_2 = dtype_label_kind(first.dtype), dtype_label_kind(second.dtype)
    if kind_1 is not None and kind_2 is not None:
        if kind_1 != kind_2:
            return np.zeros(n, dtype=bool)
        return np.asarray(first == second, dtype=bool).reshape(n)
    return np.fromiter(
        (same_label(a, b) for a, b in zip(first.tolist(), second.tolist())),
        dtype=bool,
        count=n,
    )


def object_array(values):
    """A 1-D object array holding ``values`` as they are (tuples stay cells).

    Parameters
    ----------
    values : sequence
        Labels.

    Returns
    -------
    array : ndarray of shape (len(values),), dtype=object

    Examples
    --------
    >>> from sklmtl._label_kinds import object_array
    >>> object_array([(1, 2), "a"]).shape
    (2,)
    """
    values = list(values)
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out


def tighten(column):
    """The tightest array that keeps every label of ``column`` as given.

    An object column with one plain kind (bool, number, str, bytes) and no
    missing cell becomes an array of a numpy dtype (numpy scalars keep their
    own dtype: ``np.int32`` cells give ``int32``); any other column is
    returned as it is.

    Parameters
    ----------
    column : ndarray of shape (n_samples,)
        One task's labels.

    Returns
    -------
    column : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._label_kinds import tighten
    >>> tighten(np.array([True, False], dtype=object)).dtype
    dtype('bool')
    >>> tighten(np.array([1, None], dtype=object)).dtype
    dtype('O')
    """
    if column.dtype.kind != "O" or column.ndim != 1 or len(column) == 0:
        return column
    # One pass over the cells' types (fast); the kinds follow from the types.
    kinds = {type_kind(cls) for cls in set(map(type, column))}
    if len(kinds) != 1 or not kinds <= _PLAIN_KINDS:
        return column  # mixed kinds, other kinds, or None/pd.NA cells
    tight = np.asarray(list(column))
    if tight.shape != column.shape or tight.dtype.kind not in "biufUS":
        return column
    if tight.dtype.kind == "f" and np.isnan(tight).any():
        return column  # NaN cells are missing: the labels stay as given
    return tight


def pandas_column(values):
    """A pandas Series (or Index) as a numpy column that keeps its label kind.

    Numpy dtypes are kept. Extension dtypes keep their labels' kind too: a
    nullable ``Int64``/``boolean``/``Float64`` column becomes ``int64``/
    ``bool``/``float64`` (object with ``None`` in the missing cells when it
    has any), ``string``/``str`` becomes ``<U`` (or object), and a
    ``category`` column takes the kind of its categories. (``to_numpy``
    alone would turn a nullable ``Int64`` column with missing cells into
    floats.)

    Parameters
    ----------
    values : pandas.Series or pandas.Index
        One task's labels.

    Returns
    -------
    column : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import pandas as pd
    >>> from sklmtl._label_kinds import pandas_column
    >>> pandas_column(pd.Series([1, None, 3], dtype="Int64")).tolist()
    [1, None, 3]
    """
    dtype = values.dtype
    if isinstance(dtype, np.dtype):
        return tighten(values.to_numpy())
    mask = np.asarray(values.isna(), dtype=bool)
    if hasattr(dtype, "categories"):
        categories = pandas_column(dtype.categories)
        labelled = categories[np.asarray(values.array.codes)[~mask]]
    else:
        numpy_dtype = getattr(dtype, "numpy_dtype", None)
        kept = values[~mask]
        if numpy_dtype is not None and np.dtype(numpy_dtype).kind in "biuf":
            labelled = kept.to_numpy(dtype=numpy_dtype)
        else:
            labelled = kept.to_numpy(dtype=object)
    if not mask.any():
        return tighten(labelled)
    out = np.empty(len(mask), dtype=object)
    out[np.flatnonzero(~mask)] = _cells(labelled)
    return out


def _cells(labels):
    """Labels to store in an object array so that they read back as given."""
    if labels.dtype == object:
        return labels
    if labels.dtype.kind in "US" or labels.dtype in (np.int64, np.float64, np.bool_):
        # Python scalars: np.asarray of them gives this kind back.
        return labels.tolist()
    # Numpy scalars keep a narrower dtype (an Int32 column's np.int32 labels).
    return list(labels)


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
    >>> from sklmtl._label_kinds import missing_like
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
