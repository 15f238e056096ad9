"""What every metric shares: target columns, labelled masks, cell weights.

A cell takes part in a task's score when it is labelled (not ``None``,
``NaN``, ``pd.NA`` or ``missing_label``) and, when ``sample_weight`` is
given, its weight is positive: a cell of weight 0 counts as unlabelled, so
that it neither adds a class to a task nor makes a task's score defined.
"""

import numpy as np

from .._target_columns import missing_mask, split_target_columns
from .._weights import cell_weights


def has_names(Y):
    """Whether ``Y`` names its tasks (a DataFrame, or a named Series)."""
    return hasattr(Y, "iloc") and (hasattr(Y, "columns") or Y.name is not None)


def as_labels(values):
    """Labelled cells of one task with a plain dtype where possible.

    Object columns (from a DataFrame with missing cells) regain a plain dtype
    once the missing cells are gone, which scikit-learn's metrics expect.
    """
    if values.dtype.kind == "O":
        try:
            return np.asarray(values.tolist())
        except (TypeError, ValueError):
            return values
    return values


def true_columns(Y_true, missing_label, sample_weight=None, *, task_names=None):
    """Each task's labels, its scored-cell mask, its weights, and the names.

    The metrics and the displays read ``Y_true`` through this one function.

    Parameters
    ----------
    Y_true : array-like of shape (n_samples, n_tasks) or (n_samples,)
        True labels.
    missing_label : object
        The label of an unknown cell, beside ``None``, ``NaN`` and ``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or \
(n_samples, n_tasks), default=None
        Weights per sample or per cell; a cell of weight 0 is not scored.
    task_names : list of str or None, default=None
        Names to use instead of the DataFrame's columns (or ``task_0``, ...).

    Returns
    -------
    columns : list of ndarray of shape (n_samples,)
    scored : list of ndarray of shape (n_samples,), dtype=bool
        Labelled cells, less those of weight 0.
    weights : list of (ndarray of shape (n_samples,) or None)
        Each task's column of the per-cell weights; None without weights.
    names : list of str
    is_1d : bool
    """
    columns, names, is_1d = split_target_columns(Y_true)
    if task_names is not None:
        if len(task_names) != len(columns):
            raise ValueError(
                f"task_names has {len(task_names)} name(s) but Y_true has "
                f"{len(columns)} task(s)."
            )
        names = [str(n) for n in task_names]
    scored = [~missing_mask(column, missing_label) for column in columns]
    if sample_weight is None:
        return columns, scored, [None] * len(columns), names, is_1d
    weights = cell_weights(
        sample_weight, len(columns[0]), len(columns), rows_of="Y_true"
    )
    scored = [mask & (weights[:, t] > 0) for t, mask in enumerate(scored)]
    return columns, scored, list(weights.T), names, is_1d


def paired_columns(Y_true, Y_pred, missing_label, sample_weight=None):
    """Columns of ``Y_true`` and ``Y_pred`` side by side, checked to match.

    Names are those of ``Y_true`` when it has them, else those of ``Y_pred``
    when it has them, else ``task_0``, ``task_1``, ...
    """
    true_cols, scored, weights, true_names, _ = true_columns(
        Y_true, missing_label, sample_weight
    )
    pred_cols, pred_names, _ = split_target_columns(Y_pred)
    if len(true_cols) != len(pred_cols):
        raise ValueError(
            f"Y_true has {len(true_cols)} task(s) but Y_pred has {len(pred_cols)}."
        )
    if len(true_cols[0]) != len(pred_cols[0]):
        raise ValueError(
            f"Y_true has {len(true_cols[0])} samples but Y_pred has "
            f"{len(pred_cols[0])}."
        )
    names = pred_names if has_names(Y_pred) and not has_names(Y_true) else true_names
    return true_cols, pred_cols, scored, weights, names


def subset_weights(weights, mask):
    """One task's weights on its scored cells (None stays None)."""
    return None if weights is None else weights[mask]


def mean_over_tasks(scores, metric_name):
    """The mean of the defined per-task scores; an error when none is."""
    values = np.array(list(scores.values()), dtype=float)
    if np.all(np.isnan(values)):
        raise ValueError(
            f"No task has a defined {metric_name}: every task has no labelled "
            f"cell (of positive weight) or an undefined score. Per task: {scores}."
        )
    return float(np.nanmean(values))
