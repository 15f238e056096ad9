"""Labels: their kinds, the one rule comparing them, columns that keep them.

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

The rules live in three modules: ``_kinds`` (label kinds and missing
cells), ``_equality`` (:func:`label_key`, :func:`class_key` and the column
comparisons built on them) and ``_columns`` (:func:`object_array`,
:func:`tighten`, :func:`pandas_column`); import the names from here.
"""

from ._columns import object_array, pandas_column, tighten
from ._equality import (
    MISSING_KEY,
    class_key,
    comparable_columns,
    distinct_label_keys,
    label_key,
    label_key_mask,
    labels_equal,
    same_class,
    same_label,
)
from ._kinds import (
    MISSING_LIKE_STRINGS,
    dtype_label_kind,
    is_missing_scalar,
    label_kind,
    missing_like,
    object_missing_mask,
    type_kind,
)

__all__ = [
    "MISSING_KEY",
    "MISSING_LIKE_STRINGS",
    "class_key",
    "comparable_columns",
    "distinct_label_keys",
    "dtype_label_kind",
    "is_missing_scalar",
    "label_key",
    "label_key_mask",
    "label_kind",
    "labels_equal",
    "missing_like",
    "object_array",
    "object_missing_mask",
    "pandas_column",
    "same_class",
    "same_label",
    "tighten",
    "type_kind",
]
