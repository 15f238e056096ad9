"""The kind of a label, and target columns that keep it.

Plain numpy (pandas objects are read through their public methods, never
imported). A target column keeps the kind of labels its user gave:

- a *kind* is one of ``"bool"``, ``"number"`` (int or float, Python or
  numpy), ``"str"``, ``"bytes"``, or the type name of any other hashable
  label (``"Timestamp"``, ``"tuple"``, ...);
- two labels are *compared* (a prediction against a truth in every metric
  and scorer, rows grouped by label in a splitter, a cell against
  ``pos_label``) under one rule, :func:`label_key`, the numeric one of
  numpy and scikit-learn: ``True == 1 == 1.0`` and ``False == 0 == 0.0``;
  a str is never equal to a number (``"1" != 1``), nor are bytes; other
  kinds (``Timestamp``, ``tuple``, ...) compare equal within their type;
  a missing cell (``None``, ``NaN``, ``pd.NA``, ``NaT``) equals nothing;
- a label the user *names* to identify a task's class is kind-strict,
  :func:`class_key`: the ``missing_label`` sentinel (``missing_label=0``
  never hides the ``False`` cells of a bool column) and the keys of a
  ``class_weight`` dict (``{1: 5.0}`` does not name a bool task's ``True``);
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
    >>> from sklmtl._label_kinds import label_key
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
    >>> from sklmtl._label_kinds import class_key
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
    >>> from sklmtl._label_kinds import same_label
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
    >>> from sklmtl._label_kinds import same_class
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
    >>> from sklmtl._label_kinds import labels_equal
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
    >>> from sklmtl._label_kinds import distinct_label_keys
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
    >>> from sklmtl._label_kinds import label_key, label_key_mask
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
    >>> from sklmtl._label_kinds import comparable_columns
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
