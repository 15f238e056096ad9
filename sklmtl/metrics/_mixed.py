"""Scores of tasks of mixed kinds: accuracy for classification, R² for
regression (the ``score`` of the regressor and of the mixed estimator)."""

import numpy as np

from .._target_columns import missing_mask, split_target_columns
from .._tasks import task_class
from .._weights import cell_weights


def task_scores(
    Y_true, Y_pred, *, task_types, missing_label=np.nan, sample_weight=None
):
    """Each task's score: accuracy for a classification task, R² for regression.

    Each task is scored on its labelled cells only (``None``, ``NaN``,
    ``pd.NA`` and, for classification tasks, ``missing_label`` are unknown).
    R² is scikit-learn's ``r2_score`` (1 is perfect, 0 is the mean's score,
    it can be negative); accuracy compares labels as every metric does
    (``True`` is ``1``, ``"1"`` is not).

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True targets, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted targets.
    task_types : {"classification", "regression"} or sequence of them
        The kind of each task, in column order (an estimator's
        ``task_types_``); one string for every task.
    missing_label : scalar, default=np.nan
        Sentinel for unknown classification cells.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell (column ``t`` weighs task ``t``'s
        cells). A cell of weight 0 counts as unlabelled.

    Returns
    -------
    scores : ndarray of shape (n_tasks,)
        One score per task; NaN for a task with no labelled cell.

    See Also
    --------
    mean_task_score : their mean, the ``score`` of :class:`sklmtl.MultiTaskNet`.

    Examples
    --------
    >>> from sklmtl.metrics import task_scores
    >>> task_scores([["a", 1.0], ["b", 2.0], ["b", 3.0]],
    ...             [["a", 1.0], ["a", 2.0], ["b", 3.0]],
    ...             task_types=["classification", "regression"]).round(3).tolist()
    [0.667, 1.0]
    """
    true_cols, names, _ = split_target_columns(Y_true)
    pred_cols, _, _ = split_target_columns(Y_pred)
    # One string is every task's kind, not a sequence of characters.
    if isinstance(task_types, str):
        task_types = [task_types] * len(true_cols)
    task_types = list(task_types)
    if not len(true_cols) == len(pred_cols) == len(task_types):
        raise ValueError(
            f"Y_true has {len(true_cols)} task(s), Y_pred {len(pred_cols)} and "
            f"task_types {len(task_types)}; they must agree."
        )
    weights = None
    if sample_weight is not None:
        weights = cell_weights(
            sample_weight, len(true_cols[0]), len(true_cols), rows_of="Y_true"
        )
    scores = np.full(len(true_cols), np.nan)
    for t, (true_col, pred_col, kind) in enumerate(
        zip(true_cols, pred_cols, task_types)
    ):
        kind_class = task_class(kind, where=f"task_types[{t}]")
        mask = ~missing_mask(true_col, kind_class.missing_sentinel(missing_label))
        task_weights = None
        if weights is not None:
            mask &= weights[:, t] > 0
            task_weights = weights[mask, t]
        scores[t] = kind_class.score(
            true_col[mask], pred_col[mask], task_weights, names[t]
        )
    return scores


def mean_task_score(
    Y_true, Y_pred, *, task_types, missing_label=np.nan, sample_weight=None
):
    """Mean over tasks of accuracy (classification) and R² (regression).

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True targets, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted targets.
    task_types : {"classification", "regression"} or sequence of them
        The kind of each task, in column order; one string for every task.
    missing_label : scalar, default=np.nan
        Sentinel for unknown classification cells.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell; a cell of weight 0 counts as
        unlabelled.

    Returns
    -------
    score : float
        The unweighted mean of :func:`task_scores` over the tasks that have
        labelled cells. With only regression tasks it is the mean R² of
        ``MultiOutputRegressor.score``.

    Examples
    --------
    >>> from sklmtl.metrics import mean_task_score
    >>> mean_task_score([[0.0, 1.0], [1.0, 3.0]], [[0.0, 1.0], [1.0, 2.0]],
    ...                 task_types=["regression", "regression"])
    0.75
    """
    scores = task_scores(
        Y_true,
        Y_pred,
        task_types=task_types,
        missing_label=missing_label,
        sample_weight=sample_weight,
    )
    if np.all(np.isnan(scores)):
        raise ValueError("Y_true has no labelled cell; the score is undefined.")
    return float(np.nanmean(scores))
