"""Reading a table's columns: which are categorical, their categories, text.

What :class:`~sklmtl._tabular.TabularEncoder` and the estimators ask of a
table before encoding it: which columns are categorical
(:func:`categorical_mask`), whether a table needs encoding at all
(:func:`needs_tabular`), a categorical column's categories (matched by the
one label rule, :func:`~sklmtl._labels.label_key`), and text where numbers
are expected (:func:`reject_text`). Plain numpy; pandas objects are read
through their public methods.
"""

import numbers

import numpy as np

__all__ = ["categorical_mask", "needs_tabular", "reject_text", "text_error"]

_MISSING_OPTIONS = ("error", "indicator")
_SCALING_OPTIONS = ("standard", "robust", None)


def _is_frame(X):
    return hasattr(X, "columns") and hasattr(X, "iloc") and hasattr(X, "dtypes")


def _isna(values):
    """Missing cells of a 1-D array: None, NaN, pd.NA, NaT."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas ships with most stacks
        return np.array([v is None or v != v for v in values], dtype=bool)
    return np.asarray(pd.isna(values), dtype=bool)


def _dtype_is_categorical(dtype):
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    if getattr(dtype, "name", None) == "category" or is_bool_dtype(dtype):
        return True
    return not is_numeric_dtype(dtype) and getattr(dtype, "kind", "O") in "OUSV"


def _column_names(X):
    if _is_frame(X):
        return [str(c) for c in X.columns]
    return [str(j) for j in range(X.shape[1])]


def _as_table(X):
    """A DataFrame as it is, anything else as a 2-D numpy array."""
    if _is_frame(X):
        return X
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(
            "categorical_features, missing_values='indicator' and "
            "numeric_embedding need a dense table (a DataFrame or a 2-D array); "
            "got a sparse matrix."
        )
    X = np.asarray(X)
    if X.dtype.kind not in "biufOUS":
        X = X.astype(object)
    if X.ndim != 2:
        raise ValueError(
            "Tabular input must be 2-D (n_samples, n_features); got an array of "
            f"shape {X.shape}."
        )
    return X


def _column(X, j):
    return X.iloc[:, j] if _is_frame(X) else X[:, j]


def categorical_mask(X, categorical_features):
    """Which columns of ``X`` are categorical, as HGB's ``categorical_features``.

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_samples, n_features)
        The table.
    categorical_features : None, "from_dtype", array-like of int, str or bool
        None: no column; ``"from_dtype"``: the DataFrame's ``category``,
        ``object``, ``string`` and ``bool`` columns (none for an array);
        indices, column names or a boolean mask otherwise.

    Returns
    -------
    mask : ndarray of bool of shape (n_features,)
        True for categorical columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklmtl._table_columns import categorical_mask
    >>> X = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"], "c": [True, False]})
    >>> categorical_mask(X, "from_dtype").tolist()
    [False, True, True]
    >>> categorical_mask(X, ["a"]).tolist()
    [True, False, False]
    """
    n_features = X.shape[1]
    if categorical_features is None:
        return np.zeros(n_features, dtype=bool)
    if isinstance(categorical_features, str):
        if categorical_features != "from_dtype":
            raise ValueError(
                "categorical_features must be None, 'from_dtype', or an array-like "
                f"of indices, column names or booleans; got {categorical_features!r}."
            )
        if not _is_frame(X):
            return np.zeros(n_features, dtype=bool)
        return np.array([_dtype_is_categorical(d) for d in X.dtypes], dtype=bool)
    spec = np.asarray(categorical_features)
    if spec.ndim != 1:
        raise ValueError("categorical_features must be 1-D.")
    if spec.dtype.kind == "b":
        if len(spec) != n_features:
            raise ValueError(
                f"categorical_features is a boolean mask of length {len(spec)}; X "
                f"has {n_features} features."
            )
        return spec.copy()
    mask = np.zeros(n_features, dtype=bool)
    names = _column_names(X)
    for item in spec.tolist():
        if isinstance(item, str):
            if not _is_frame(X) or item not in names:
                shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
                raise ValueError(
                    f"categorical_features names the column {item!r}, which X does "
                    f"not have (columns: {shown})."
                )
            mask[names.index(item)] = True
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
            if not 0 <= item < n_features:
                raise ValueError(
                    f"categorical_features holds the index {item}; X has "
                    f"{n_features} features (0 to {n_features - 1})."
                )
            mask[item] = True
        else:
            raise TypeError(
                "categorical_features must hold column indices, column names or "
                f"booleans; got {item!r} ({type(item).__name__})."
            )
    return mask


def needs_tabular(
    X,
    categorical_features,
    missing_values,
    numeric_embedding,
    numeric_scaling="auto",
    image_shape=None,
):
    """Whether ``X`` and these settings need the :class:`TabularEncoder`.

    True when ``missing_values="indicator"``, a numeric embedding is asked for,
    ``X`` has a categorical column, or ``numeric_scaling`` is ``"standard"``
    or ``"robust"`` and ``X`` is a dense 2-D table (a DataFrame or a 2-D
    array, not rows that ``image_shape`` makes images). With
    ``numeric_scaling="auto"`` (or None) a numeric table with the other
    defaults keeps the plain path (no scaling, NaN rejected). A sparse
    matrix never needs it for scaling: centring would make it dense.

    Parameters
    ----------
    X : DataFrame, array-like or other
        The input of ``fit``.
    categorical_features, missing_values, numeric_embedding, numeric_scaling, \
image_shape
        The estimator's parameters.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._table_columns import needs_tabular
    >>> needs_tabular(np.zeros((2, 2)), "from_dtype", "error", None)
    False
    >>> needs_tabular(np.zeros((2, 2)), [0], "error", None)
    True
    >>> needs_tabular(np.zeros((2, 2)), "from_dtype", "error", None, "robust")
    True
    >>> needs_tabular(np.zeros((2, 1, 2, 2)), "from_dtype", "error", None, "robust")
    False
    """
    if missing_values == "indicator" or numeric_embedding is not None:
        return True
    if numeric_scaling in ("standard", "robust") and _is_dense_table(X, image_shape):
        return True
    if categorical_features is None:
        return False
    if isinstance(categorical_features, str):
        if not _is_frame(X):
            return False
        return bool(categorical_mask(X, categorical_features).any())
    # An explicit selection needs the encoder for arrays and frames alike.
    spec = np.asarray(categorical_features)
    return bool(spec.any()) if spec.dtype.kind == "b" else spec.size > 0


def _is_dense_table(X, image_shape):
    """A DataFrame or a dense 2-D array (or list of rows) of table rows."""
    if image_shape is not None:
        return False
    if _is_frame(X):
        return True
    if isinstance(X, np.ndarray):
        return X.ndim == 2
    if isinstance(X, (list, tuple)):
        try:
            return np.ndim(X) == 2
        except ValueError:  # ragged rows: validate_data says what is wrong
            return False
    return False


def _value_kind(value):
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (str, np.str_)):
        return "str"
    if isinstance(value, (bytes, np.bytes_)):
        return "bytes"
    if isinstance(value, numbers.Number):
        return "number"
    return type(value).__name__


def _fit_categories(values, name):
    observed = values[~_isna(values)]
    kinds = {_value_kind(v) for v in observed.tolist()}
    # bool and numbers are one kind: True and 1 are the same category.
    if len(kinds - {"bool"} | ({"number"} if "bool" in kinds else set())) > 1:
        raise TypeError(
            f"Categorical column {name!r} mixes value types {sorted(kinds)}; give "
            f"it one type (e.g. X[{name!r}].astype(str)) so that equal categories "
            "compare equal."
        )
    if len(observed) == 0:
        raise ValueError(
            f"Categorical column {name!r} has no non-missing value in the "
            "training data; drop it."
        )
    if "number" in kinds:
        return np.unique(observed.astype(np.float64)).astype(object)
    return np.asarray(sorted(set(observed.tolist())), dtype=object)


def _text_cell(values):
    """The first str or bytes cell of a 1-D column, or None."""
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    values = np.asarray(values)
    if values.dtype.kind in "US":
        return values[0].item() if len(values) else None
    if values.dtype.kind != "O":
        return None
    for value in values.tolist():
        if isinstance(value, (str, bytes)):
            return value
    return None


def text_error(name, value, all_text=False):
    """The ``ValueError`` for text in the numeric column ``name``.

    Parameters
    ----------
    name : str
        The column.
    value : str or bytes
        One of its text cells, shown in the message.
    all_text : bool, default=False
        Whether ``X`` is a numpy string array (every cell is text).

    Returns
    -------
    error : ValueError

    Examples
    --------
    >>> from sklmtl._table_columns import text_error
    >>> print(text_error("age", "41"))  # doctest: +ELLIPSIS
    Column 'age' is numeric ... but holds text ('41', a str)...
    """
    hint = (
        " X is a numpy string array (np.array of rows that mix numbers and "
        "strings stores every cell as text): use a DataFrame or an object array."
        if all_text
        else ""
    )
    return ValueError(
        f"Column {name!r} is numeric (it was at fit, or categorical_features "
        f"does not select it) but holds text ({value!r}, a "
        f"{type(value).__name__}); text is never parsed as a number. Convert it "
        "to numbers (e.g. with .astype(float)) or list it in categorical_features."
        + hint
    )


def reject_text(X):
    """Raise :func:`text_error` for the first column of ``X`` that holds text.

    The plain (numeric) path's check: scikit-learn's ``check_array`` with a
    float dtype would parse ``"1.5"`` silently.

    Parameters
    ----------
    X : DataFrame, ndarray or other
        The input of ``fit`` or ``predict``; other types (lists are read as
        numpy reads them) are left to ``validate_data``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._table_columns import reject_text
    >>> reject_text(np.array([[1.0, 2.0]]))
    >>> reject_text(np.array([[1.0, "2"]], dtype=object))
    Traceback (most recent call last):
    ...
    ValueError: Column '1' is numeric ...
    """
    if _is_frame(X):
        for j, name in enumerate(_column_names(X)):
            if getattr(X.dtypes.iloc[j], "kind", "O") in "OUS":
                text = _text_cell(X.iloc[:, j])
                if text is not None:
                    raise text_error(name, text)
        return
    if isinstance(X, (list, tuple)):
        try:
            X = np.asarray(X)
        except (TypeError, ValueError):
            return  # ragged or odd: validate_data says what is wrong
    kind = getattr(getattr(X, "dtype", None), "kind", None)
    if kind not in ("O", "U", "S") or getattr(X, "ndim", 0) != 2:
        return
    for j in range(X.shape[1]):
        text = _text_cell(X[:, j])
        if text is not None:
            raise text_error(str(j), text, all_text=kind in "US")


def _numeric_values(values, name):
    text = _text_cell(values)
    if text is not None:
        raise text_error(name, text, all_text=np.asarray(values).dtype.kind in "US")
    try:
        if hasattr(values, "to_numpy"):
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Column {name!r} is numeric (it was at fit, or categorical_features "
            f"does not select it) but holds non-numeric values ({exc}). List it "
            "in categorical_features, or convert it."
        ) from None
