"""Target columns that keep the kind of labels their user gave.

A column is held in the tightest array that keeps every label as given: a
numpy dtype (``int64``, ``float64``, ``bool``, ``<U``, ...) when it has one
kind and no missing cell, else an ``object`` array of the original values.
Columns are built one by one, never through one ``np.asarray`` of the whole
``Y`` (which would turn an int column beside a str column into strings).
"""

import numpy as np

from ._kinds import PLAIN_KINDS, type_kind

__all__ = ["object_array", "pandas_column", "tighten"]


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
    >>> from sklmtl._labels import object_array
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
    >>> from sklmtl._labels import tighten
    >>> tighten(np.array([True, False], dtype=object)).dtype
    dtype('bool')
    >>> tighten(np.array([1, None], dtype=object)).dtype
    dtype('O')
    """
    if column.dtype.kind != "O" or column.ndim != 1 or len(column) == 0:
        return column
    # One pass over the cells' types (fast); the kinds follow from the types.
    kinds = {type_kind(cls) for cls in set(map(type, column))}
    if len(kinds) != 1 or not kinds <= PLAIN_KINDS:
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
    >>> from sklmtl._labels import pandas_column
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
