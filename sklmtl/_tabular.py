"""Tabular input as users have it: categorical columns, missing numbers, bins.

:class:`TabularEncoder` turns a table (a pandas ``DataFrame``, or a 2-D
array with ``categorical_features`` given) into one float matrix that the
network reads, laid out as ``[numeric | missing indicators | category codes]``:

- **numeric** columns are imputed (``missing_values="indicator"``: the
  training median) and scaled (``numeric_scaling``): standardised with the
  training mean and standard deviation, or RealMLP's robust scaling with
  smooth clipping (:func:`robust_center_scale`, :func:`smooth_clip`), so
  that embeddings and the MLP see comparable scales whatever the units;
- **indicators** (one per numeric column that had a missing value at fit,
  as ``SimpleImputer(add_indicator=True)``) are 1 where the value was missing;
- **category codes** are ``1..K`` for the ``K`` categories seen at fit and
  ``0`` for the reserved "unknown" level: missing values and categories
  unseen at fit. The network looks the codes up in one embedding table per
  column (:class:`sklmtl.nn.TabularInput`).

Categorical columns are found as
``HistGradientBoostingClassifier(categorical_features="from_dtype")`` finds
them, widened to what users have: ``category``, ``object``, ``string`` and
``bool`` columns are categorical, every other column is numeric. An
explicit list (indices, names or a boolean mask) selects them instead.

The encoder is plain numpy (pandas only when ``X`` is a DataFrame), holds
its fitted plan in plain values (:meth:`TabularEncoder.state`), and never
modifies the caller's data. The estimators use it only when a table needs
it (:func:`needs_tabular`): with ``numeric_scaling="auto"`` or None a
numeric array goes through the plain path.
"""

import numbers
import os
import sys
import warnings

import numpy as np

from ._labels import label_key

__all__ = [
    "TabularEncoder",
    "needs_tabular",
    "robust_center_scale",
    "smooth_clip",
    "weighted_median",
]

from ._table_columns import (
    _MISSING_OPTIONS,
    _SCALING_OPTIONS,
    _as_table,
    _column,
    _column_names,
    _fit_categories,
    _isna,
    _numeric_values,
    categorical_mask,
    needs_tabular,
)


class TabularEncoder:
    """Encode a table into ``[numeric | indicators | category codes]`` (floats).

    Parameters
    ----------
    categorical_features : None, "from_dtype" or array-like, default="from_dtype"
        Which columns are categorical (see :func:`categorical_mask`).
    missing_values : {"error", "indicator"}, default="error"
        ``"error"`` rejects NaN in numeric columns; ``"indicator"`` imputes the
        training median and adds an indicator column per numeric column that
        had a missing value at fit. Categorical columns always map missing
        values to the reserved unknown code 0.
    n_bins : int or None, default=None
        When set, also learn quantile bin edges of each scaled numeric
        column (for piecewise-linear encoding), at most ``n_bins`` bins.
    numeric_scaling : {"standard", "robust", None}, default="standard"
        How numeric columns are scaled: ``"standard"`` subtracts the training
        mean and divides by the training standard deviation; ``"robust"``
        subtracts the training median, divides by the interquartile range
        and clips smoothly to ``(-3, 3)`` (RealMLP's, Holzmüller et al.
        2024; :func:`robust_center_scale`, :func:`smooth_clip`); None leaves
        them as they are (imputed only).

    Attributes
    ----------
    is_categorical_ : ndarray of bool of shape (n_features,)
        Column roles.
    categories_ : list of ndarray
        Categories of each categorical column (code ``i + 1`` is
        ``categories_[i]``; code 0 is unknown or missing).
    cardinalities_ : list of int
        Embedding rows per categorical column: its categories plus unknown.
    bin_edges_ : list of ndarray or None
        Quantile bin edges of each numeric column, when ``n_bins`` is set.
    mean_, scale_ : ndarray of shape (n_numeric,)
        What is subtracted from each numeric column and what it is then
        divided by (the mean and standard deviation; the median and robust
        scale; 0 and 1 without scaling).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklmtl._tabular import TabularEncoder
    >>> X = pd.DataFrame({"size": [1.0, 3.0], "colour": ["red", "blue"]})
    >>> enc = TabularEncoder()
    >>> enc.fit_transform(X).tolist()
    [[-1.0, 2.0], [1.0, 1.0]]
    >>> new = pd.DataFrame({"size": [2.0, 2.0], "colour": ["green", "red"]})
    >>> enc.transform(new).tolist()  # "green" is unknown: code 0
    [[0.0, 0.0], [0.0, 2.0]]
    """

    def __init__(
        self,
        categorical_features="from_dtype",
        missing_values="error",
        n_bins=None,
        numeric_scaling="standard",
    ):
        self.categorical_features = categorical_features
        self.missing_values = missing_values
        self.n_bins = n_bins
        self.numeric_scaling = numeric_scaling

    # ---------------------------------------------------------------- fit
    def fit_transform(self, X, dtype=np.float32, sample_weight=None):
        """Learn the plan from ``X`` and return its encoding.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The training table (never modified).
        dtype : numpy dtype, default=np.float32
            The dtype of the encoding (the network's).
        sample_weight : ndarray of shape (n_samples,) or None, default=None
            Non-negative row weights of the fitted statistics, so that an
            integer weight fits as that many copies of the row: imputation
            uses the weighted median (:func:`weighted_median`), and rows of
            weight 0 neither add categories nor indicator columns;
            ``"standard"`` uses the weighted mean and standard deviation (as
            ``StandardScaler``). The quantiles of ``"robust"`` and of the bin
            edges leave out rows of weight 0 and are otherwise unweighted
            (no weighted quantile of numpy's ``"linear"`` method both
            equals repeated rows and ignores the weights' scale). All
            weights 0: the rows count as unweighted. The estimators pass
            row weights (1-D ``sample_weight``) only.

        Returns
        -------
        encoded : ndarray of shape (n_samples, n_encoded)
            ``[numeric | indicators | codes]``.
        """
        self._check_settings()
        X = _as_table(X)
        if X.shape[0] == 0:
            raise ValueError("Found array with 0 sample(s); fit needs at least one.")
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
            if not np.any(sample_weight > 0):
                sample_weight = None  # nothing weighs: the rows as they are
        # A row of weight 0 is a row repeated zero times: it adds nothing.
        counted = slice(None) if sample_weight is None else sample_weight > 0
        self.names_ = _column_names(X)
        self.is_categorical_ = categorical_mask(X, self.categorical_features)
        self.categories_ = [
            _fit_categories(
                np.asarray(_column(X, j), dtype=object)[counted], self.names_[j]
            )
            for j in np.flatnonzero(self.is_categorical_)
        ]
        numeric = self._raw_numeric(X)
        missing = np.isnan(numeric)
        self._fit_imputation(numeric, missing, sample_weight)
        filled = np.where(missing, self.medians_, numeric)
        self.mean_, self.scale_ = _center_scale(
            filled, self.numeric_scaling, sample_weight
        )
        self.bin_edges_ = None
        if self.n_bins is not None:
            scaled = self._scale(filled)
            if sample_weight is not None:
                scaled = scaled[sample_weight > 0]
            self.bin_edges_ = [_quantile_edges(col, self.n_bins) for col in scaled.T]
        return self._encode(X, numeric, missing, dtype)

    def _scale(self, filled):
        """The numeric columns scaled as ``numeric_scaling`` says."""
        scaled = (filled - self.mean_) / self.scale_
        return smooth_clip(scaled) if self.numeric_scaling == "robust" else scaled

    def _check_settings(self):
        if self.missing_values not in _MISSING_OPTIONS:
            raise ValueError(
                f"missing_values must be one of {_MISSING_OPTIONS}; got "
                f"{self.missing_values!r}."
            )
        if self.numeric_scaling not in _SCALING_OPTIONS:
            raise ValueError(
                f"numeric_scaling must be one of {_SCALING_OPTIONS}; got "
                f"{self.numeric_scaling!r}."
            )
        if self.n_bins is not None and (
            isinstance(self.n_bins, bool)
            or not isinstance(self.n_bins, numbers.Integral)
            or self.n_bins < 1
        ):
            raise ValueError(
                f"numeric_embedding__n_bins must be an int >= 1; got {self.n_bins!r}."
            )

    def _fit_imputation(self, numeric, missing, sample_weight=None):
        """Training medians and indicator columns (``missing_values``).

        With row weights, the weighted medians and the columns missing in a
        row of positive weight: what the rows repeated by their (integer)
        weights give.
        """
        if self.missing_values != "indicator":
            self._reject_missing(missing)
            self.medians_ = np.zeros(numeric.shape[1])
            self.indicator_columns_ = np.zeros(0, dtype=int)
            return
        if sample_weight is not None:
            numeric, missing = numeric[sample_weight > 0], missing[sample_weight > 0]
            sample_weight = sample_weight[sample_weight > 0]
        empty = missing.all(axis=0)
        if empty.any():
            names = [self._numeric_names()[j] for j in np.flatnonzero(empty)]
            where = "training data" if sample_weight is None else "rows of weight > 0"
            raise ValueError(
                f"Numeric column(s) {names} have no non-missing value in the "
                f"{where}: there is nothing to impute from; drop them."
            )
        self.medians_ = np.array(
            [
                weighted_median(
                    col[~m], None if sample_weight is None else sample_weight[~m]
                )
                for col, m in zip(numeric.T, missing.T)
            ]
        )
        self.indicator_columns_ = np.flatnonzero(missing.any(axis=0))

    def layout(self):
        """What the network needs to know of the encoding.

        Returns
        -------
        layout : dict
            ``n_numeric``, ``n_indicators``, ``cardinalities`` and
            ``bin_edges`` (see :func:`sklmtl.nn.tabular.tabular_trunk_factory`).
        """
        return {
            "n_numeric": self.n_numeric_,
            "n_indicators": self.n_indicators_,
            "cardinalities": self.cardinalities_,
            "bin_edges": self.bin_edges_,
        }

    @property
    def cardinalities_(self):
        return [len(c) + 1 for c in self.categories_]

    @property
    def n_numeric_(self):
        return int((~self.is_categorical_).sum())

    @property
    def n_indicators_(self):
        return len(self.indicator_columns_)

    def _numeric_names(self):
        return [n for n, c in zip(self.names_, self.is_categorical_) if not c]

    def _raw_numeric(self, X):
        if isinstance(X, np.ndarray) and X.dtype.kind in "biuf":
            # A numeric array: its numeric columns at once (no text to check).
            numeric = X[:, ~self.is_categorical_].astype(np.float64)
            self._reject_infinity(numeric)
            return numeric
        columns = [
            _numeric_values(_column(X, j), self.names_[j])
            for j in np.flatnonzero(~self.is_categorical_)
        ]
        numeric = (
            np.column_stack(columns) if columns else np.zeros((X.shape[0], 0))
        ).astype(np.float64, copy=False)
        self._reject_infinity(numeric)
        return numeric

    def _reject_infinity(self, numeric):
        if np.isinf(numeric).any():
            bad = self._numeric_names()[
                int(np.flatnonzero(np.isinf(numeric).any(0))[0])
            ]
            raise ValueError(f"Numeric column {bad!r} contains infinity.")

    def _reject_missing(self, missing):
        if missing.any():
            bad = self._numeric_names()[int(np.flatnonzero(missing.any(axis=0))[0])]
            raise ValueError(
                f"Input X contains NaN in the numeric column {bad!r}. Pass "
                "missing_values='indicator' to impute the training median and add "
                "a missing-value indicator, or impute it yourself."
            )

    # ---------------------------------------------------------- transform
    def transform(self, X, dtype=np.float32):
        """Encode ``X`` with the fitted plan.

        Categories unseen at fit and missing categories get the code 0 (the
        reserved unknown embedding).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            A table with the training columns (never modified).
        dtype : numpy dtype, default=np.float32
            The dtype of the encoding (the network's).

        Returns
        -------
        encoded : ndarray of shape (n_samples, n_encoded)
        """
        X = _as_table(X)
        if X.shape[1] != len(self.names_):
            raise ValueError(
                f"X has {X.shape[1]} features, but the model was fitted on "
                f"{len(self.names_)}."
            )
        numeric = self._raw_numeric(X)
        missing = np.isnan(numeric)
        if self.missing_values != "indicator":
            self._reject_missing(missing)
        return self._encode(X, numeric, missing, dtype, warn_unseen=True)

    def _encode(self, X, numeric, missing, dtype, warn_unseen=False):
        filled = np.where(missing, self.medians_, numeric)
        standard = self._scale(filled)
        indicators = missing[:, self.indicator_columns_].astype(np.float64)
        codes = []
        for j, cats in zip(np.flatnonzero(self.is_categorical_), self.categories_):
            values = np.asarray(_column(X, j), dtype=object)
            column, all_unseen = _codes(values, cats)
            if all_unseen and warn_unseen:
                _warn_unseen(self.names_[j], values, cats)
            codes.append(column)
        codes = np.column_stack(codes) if codes else np.zeros((len(standard), 0))
        return np.hstack([standard, indicators, codes]).astype(dtype)

    # ------------------------------------------------------------- state
    def state(self):
        """The fitted plan as plain values (lists, arrays, str), for saving.

        Returns
        -------
        state : dict
            The inverse of :meth:`from_state`.
        """
        return {
            "missing_values": self.missing_values,
            "numeric_scaling": self.numeric_scaling,
            "names": list(self.names_),
            "is_categorical": self.is_categorical_.copy(),
            "categories": [c.copy() for c in self.categories_],
            "medians": self.medians_.copy(),
            "indicator_columns": np.asarray(self.indicator_columns_, dtype=np.int64),
            "mean": self.mean_.copy(),
            "scale": self.scale_.copy(),
            "bin_edges": None
            if self.bin_edges_ is None
            else [e.copy() for e in self.bin_edges_],
        }

    @classmethod
    def from_state(cls, state):
        """Rebuild a fitted encoder from :meth:`state`.

        Parameters
        ----------
        state : dict
            What :meth:`state` returned.

        Returns
        -------
        encoder : TabularEncoder
        """
        # Files written before numeric_scaling existed standardised.
        enc = cls(
            missing_values=state["missing_values"],
            numeric_scaling=state.get("numeric_scaling", "standard"),
        )
        enc.names_ = list(state["names"])
        enc.is_categorical_ = np.asarray(state["is_categorical"], dtype=bool)
        enc.categories_ = [np.asarray(c, dtype=object) for c in state["categories"]]
        enc.medians_ = np.asarray(state["medians"], dtype=np.float64)
        enc.indicator_columns_ = np.asarray(state["indicator_columns"], dtype=np.int64)
        enc.mean_ = np.asarray(state["mean"], dtype=np.float64)
        enc.scale_ = np.asarray(state["scale"], dtype=np.float64)
        edges = state["bin_edges"]
        enc.bin_edges_ = None if edges is None else [np.asarray(e) for e in edges]
        return enc


def _center_scale(filled, numeric_scaling, sample_weight=None):
    """What each column is centred on and divided by, for ``numeric_scaling``."""
    if numeric_scaling is None or filled.shape[1] == 0:
        return np.zeros(filled.shape[1]), np.ones(filled.shape[1])
    if sample_weight is not None and not np.any(sample_weight > 0):
        sample_weight = None  # nothing weighs: the rows as they are
    if numeric_scaling == "robust":
        if sample_weight is not None:
            filled = filled[sample_weight > 0]
        return robust_center_scale(filled)
    mean = np.average(filled, axis=0, weights=sample_weight)
    variance = np.average((filled - mean) ** 2, axis=0, weights=sample_weight)
    # A constant column's variance is rounding error (as StandardScaler's
    # _is_constant_feature bounds it): left unscaled, not blown up to noise.
    n = len(filled) if sample_weight is None else sample_weight.sum()
    eps = np.finfo(np.float64).eps
    constant = variance <= n * eps * variance + (n * mean * eps) ** 2
    return mean, np.where(constant, 1.0, np.sqrt(variance))


def weighted_median(values, weights=None):
    """The median of ``values`` with each counted ``weights`` times.

    The midpoint of the lower and the upper weighted median: the smallest
    value whose cumulative weight reaches half the total, and the smallest
    whose cumulative weight exceeds it. Without weights (or with equal
    ones) this is ``np.median``; with integer weights it is ``np.median``
    of the values repeated by their weights; and it does not change (up to
    rounding) when every weight is multiplied by the same positive number.
    Values of weight 0 are left out.

    Parameters
    ----------
    values : array-like of shape (n,)
        Finite numbers (at least one of positive weight).
    weights : array-like of shape (n,) or None, default=None
        Non-negative weights; None weighs every value 1.

    Returns
    -------
    median : float

    Examples
    --------
    >>> from sklmtl._tabular import weighted_median
    >>> weighted_median([1.0, 2.0, 10.0, 20.0])
    6.0
    >>> weighted_median([1.0, 2.0, 10.0, 20.0], weights=[3, 0, 1, 1])
    1.0
    >>> weighted_median([1.0, 2.0, 10.0, 20.0], weights=[2, 0, 1, 1])
    5.5
    """
    values = np.asarray(values, dtype=np.float64)
    if weights is None:
        return float(np.median(values))
    weights = np.asarray(weights, dtype=np.float64)
    counted = weights > 0
    values, weights = values[counted], weights[counted]
    if values.size == 0:
        raise ValueError("weighted_median needs a value of positive weight.")
    order = np.argsort(values, kind="stable")
    values, cumulative = values[order], np.cumsum(weights[order])
    half = cumulative[-1] / 2
    # The rounding of a running sum (weights 0.1 reach 2.0 as 2.0000000000000004):
    # a cumulative weight this close to half the total is half the total.
    slack = 4 * len(values) * np.finfo(np.float64).eps * cumulative[-1]
    lower = values[np.searchsorted(cumulative, half - slack, side="left")]
    upper = values[
        min(np.searchsorted(cumulative, half + slack, side="right"), len(values) - 1)
    ]
    return float((lower + upper) / 2)


def robust_center_scale(X):
    """RealMLP's robust centre and scale of each column (Holzmüller et al. 2024).

    The centre is the median; the scale the interquartile range, or half
    the range where the quartiles coincide (a column that is mostly one
    value), or 1 for a constant column (as ``StandardScaler`` leaves a
    zero variance). Divided by it, half the training values lie in
    ``[-0.5, 0.5]`` whatever the outliers.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Numeric columns without missing values.

    Returns
    -------
    center, scale : ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tabular import robust_center_scale
    >>> X = np.array([[1.0, 0.0, 5.0], [2.0, 0.0, 5.0], [3.0, 0.0, 5.0],
    ...               [4.0, 0.0, 5.0], [1000.0, 8.0, 5.0]])
    >>> center, scale = robust_center_scale(X)
    >>> center.tolist(), scale.tolist()
    ([3.0, 0.0, 5.0], [2.0, 4.0, 1.0])
    """
    X = np.asarray(X, dtype=np.float64)
    if X.shape[0] == 0:
        return np.zeros(X.shape[1]), np.ones(X.shape[1])
    low, center, high = np.quantile(X, [0.25, 0.5, 0.75], axis=0)
    scale = high - low
    half_range = 0.5 * (X.max(axis=0) - X.min(axis=0))
    scale = np.where(scale > 0, scale, half_range)
    return center, np.where(scale > 0, scale, 1.0)


def smooth_clip(z, bound=3.0):
    """``z / sqrt(1 + (z / bound)**2)``: identity near 0, bounded by ``bound``.

    RealMLP's smooth clipping (Holzmüller et al. 2024): an outlier keeps its
    order but cannot dominate a layer's input.

    Parameters
    ----------
    z : ndarray
        Scaled values.
    bound : float, default=3.0
        The limit of the output's magnitude.

    Returns
    -------
    clipped : ndarray of the shape of ``z``

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tabular import smooth_clip
    >>> np.round(smooth_clip(np.array([0.0, 1.0, 1e6])), 3).tolist()
    [0.0, 0.949, 3.0]
    """
    return z / np.sqrt(1.0 + (z / bound) ** 2)


def _quantile_edges(column, n_bins):
    edges = np.unique(np.quantile(column, np.linspace(0.0, 1.0, n_bins + 1)))
    if len(edges) < 2:  # a constant column: one bin around its value
        edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
    return edges


def _codes(values, categories):
    """Codes ``1..K`` of ``values`` among ``categories``; 0 for unknown/missing.

    Also returns whether some value was given and none of them is a category
    (the whole column is unseen: usually a changed type, not new levels).
    """
    lookup = {
        label_key(cat): code for code, cat in enumerate(categories.tolist(), start=1)
    }
    out = np.zeros(len(values), dtype=np.float64)
    missing = _isna(values)
    for i, value in enumerate(values.tolist()):
        if not missing[i]:
            out[i] = lookup.get(label_key(value), 0)
    all_unseen = bool((~missing).any()) and not out.any()
    return out, all_unseen


def _user_stacklevel():
    """The ``stacklevel`` of the first frame outside sklmtl (the user's call)."""
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _warn_unseen(name, values, categories):
    observed = values[~_isna(values)].tolist()
    given = sorted({type(v).__name__ for v in observed})
    observed = list({label_key(v): v for v in observed}.values())
    fitted = sorted({type(c).__name__ for c in categories.tolist()})
    shown = categories.tolist()[:5] + (["..."] if len(categories) > 5 else [])
    warnings.warn(
        f"Every value of the categorical column {name!r} is a category unseen at "
        f"fit (given {observed[:3]!r}{'...' if len(observed) > 3 else ''} of "
        f"type {given}; fitted categories {shown} of type {fitted}): every row "
        "gets the 'unknown' embedding. Numbers match numbers of any type (True == "
        "1 == 1.0) but never text ('1' != 1); convert the column to the type it "
        "had at fit.",
        UserWarning,
        stacklevel=_user_stacklevel(),
    )
