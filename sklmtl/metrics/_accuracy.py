"""Metrics of predicted labels: subset and per-task accuracy, balanced
accuracy, macro-F1, each on the labelled cells of every task."""

from functools import partial

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from .._labels import comparable_columns, labels_equal
from ._columns import as_labels, mean_over_tasks, paired_columns, subset_weights


def subset_accuracy(Y_true, Y_pred, *, missing_label=np.nan, sample_weight=None):
    """Fraction of samples whose labelled cells are all predicted correctly.

    Missing cells of ``Y_true`` are ignored; a sample with no labelled cell
    is left out.

    Parameters
    ----------
    Y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell. A cell of weight 0 counts as
        unlabelled. With per-cell weights a sample weighs the mean weight of
        its labelled cells of positive weight (per-sample weights are
        unchanged by this rule).

    Returns
    -------
    score : float
        Subset accuracy in [0, 1].

    See Also
    --------
    mean_task_accuracy : the average of per-task accuracies.

    Examples
    --------
    >>> from sklmtl.metrics import subset_accuracy
    >>> subset_accuracy([[0, 1], [1, None], [1, 1]], [[0, 1], [1, 0], [0, 1]])
    0.666...
    >>> subset_accuracy([[0, 1], [1, 1]], [[0, 1], [1, 0]],
    ...                 sample_weight=[[1, 1], [3, 0]])  # row 1: task 1 unscored
    1.0
    """
    true_cols, pred_cols, scored, weights, _ = paired_columns(
        Y_true, Y_pred, missing_label, sample_weight
    )
    n_samples = len(true_cols[0])
    all_correct = np.ones(n_samples, dtype=bool)
    n_scored = np.zeros(n_samples)
    weight_sum = np.zeros(n_samples)
    for true_col, pred_col, mask, task_weights in zip(
        true_cols, pred_cols, scored, weights
    ):
        correct = np.ones(n_samples, dtype=bool)
        correct[mask] = labels_equal(true_col[mask], pred_col[mask])
        all_correct &= correct
        n_scored += mask
        if task_weights is not None:
            weight_sum += np.where(mask, task_weights, 0.0)
    rows = n_scored > 0
    if not rows.any():
        raise ValueError(
            "Y_true has no labelled cell (of positive weight); the score is undefined."
        )
    row_weights = None if sample_weight is None else weight_sum[rows] / n_scored[rows]
    return float(np.average(all_correct[rows], weights=row_weights))


def per_task_scores(
    Y_true, Y_pred, *, metric=accuracy_score, missing_label=np.nan, sample_weight=None
):
    """Score each task on its labelled cells, keyed by task name.

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    metric : callable, default=accuracy_score
        ``metric(y_true, y_pred)`` for one task, e.g. ``accuracy_score`` or
        ``functools.partial(f1_score, average="macro")``; called with
        ``sample_weight=`` (that task's weights) when weights are given.
        Labels are compared as every sklmtl metric compares them (``True``
        is ``1`` and ``1.0``, ``"1"`` is not ``1``): a task whose true and
        predicted labels are of kinds scikit-learn does not compare (str
        against numbers) reaches ``metric`` as integer codes of its labels.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell (column ``t`` weighs task ``t``'s
        cells). A cell of weight 0 counts as unlabelled.

    Returns
    -------
    scores : dict of str to float
        One score per task, in column order, keyed by the task's name: the
        columns of ``Y_true`` when it is a DataFrame (the name of a named
        Series), else those of ``Y_pred`` when it is one, else ``"task_0"``,
        ``"task_1"``, ... (the names ``task_names_`` of a fitted sklmtl
        estimator also uses). NaN for a task with no labelled cell.

    See Also
    --------
    mean_task_accuracy : the mean of the per-task accuracies.

    Examples
    --------
    >>> from sklmtl.metrics import per_task_scores
    >>> per_task_scores([[0, "a"], [1, "b"]], [[0, "b"], [1, "b"]])
    {'task_0': 1.0, 'task_1': 0.5}
    >>> import pandas as pd
    >>> Y = pd.DataFrame({"digit": [3, 5, None], "parity": ["odd", "odd", "even"]})
    >>> Y_pred = pd.DataFrame({"digit": [3, 4, 2], "parity": ["odd", "even", "even"]})
    >>> per_task_scores(Y, Y_pred)
    {'digit': 0.5, 'parity': 0.666...}
    """
    true_cols, pred_cols, scored, weights, names = paired_columns(
        Y_true, Y_pred, missing_label, sample_weight
    )
    scores = {}
    for name, true_col, pred_col, mask, task_weights in zip(
        names, true_cols, pred_cols, scored, weights
    ):
        scores[name] = float("nan")
        if mask.any():
            kwargs = {}
            if task_weights is not None:
                kwargs["sample_weight"] = subset_weights(task_weights, mask)
            true_t, pred_t = comparable_columns(
                as_labels(true_col[mask]), as_labels(pred_col[mask])
            )
            scores[name] = float(metric(true_t, pred_t, **kwargs))
    return scores


def mean_task_accuracy(Y_true, Y_pred, *, missing_label=np.nan, sample_weight=None):
    """Mean over tasks of each task's accuracy on its labelled cells.

    Parameters
    ----------
    Y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell; a cell of weight 0 counts as
        unlabelled.

    Returns
    -------
    score : float
        Mean task accuracy in [0, 1] (tasks without labels are skipped).

    See Also
    --------
    subset_accuracy : all tasks of a sample right at once.

    Examples
    --------
    >>> from sklmtl.metrics import mean_task_accuracy
    >>> mean_task_accuracy([[0, 1], [1, 1]], [[0, 0], [1, 1]])
    0.75
    """
    by_task = per_task_scores(
        Y_true, Y_pred, missing_label=missing_label, sample_weight=sample_weight
    )
    return mean_over_tasks(by_task, "accuracy")


def per_task_balanced_accuracy(
    Y_true, Y_pred, *, missing_label=np.nan, sample_weight=None
):
    """Balanced accuracy of each task on its labelled cells, keyed by task name.

    Each task's value is :func:`sklearn.metrics.balanced_accuracy_score` of
    its labelled cells: the mean recall over the classes present among them.

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell; a cell of weight 0 counts as
        unlabelled.

    Returns
    -------
    scores : dict of str to float
        Keyed as :func:`per_task_scores` keys them; NaN for a task with no
        labelled cell.

    See Also
    --------
    mean_balanced_accuracy : their mean.

    Examples
    --------
    >>> from sklmtl.metrics import per_task_balanced_accuracy
    >>> Y_true = [[0, "a"], [0, "b"], [0, None], [1, "b"]]
    >>> Y_pred = [[0, "a"], [1, "b"], [1, "b"], [1, "a"]]
    >>> per_task_balanced_accuracy(Y_true, Y_pred)
    {'task_0': 0.666..., 'task_1': 0.75}
    """
    return per_task_scores(
        Y_true,
        Y_pred,
        metric=balanced_accuracy_score,
        missing_label=missing_label,
        sample_weight=sample_weight,
    )


def mean_balanced_accuracy(Y_true, Y_pred, *, missing_label=np.nan, sample_weight=None):
    """Mean over tasks of each task's balanced accuracy on its labelled cells.

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell; a cell of weight 0 counts as
        unlabelled.

    Returns
    -------
    score : float
        The mean of :func:`per_task_balanced_accuracy` over the tasks that
        have a labelled cell.

    See Also
    --------
    per_task_balanced_accuracy : the value of each task.

    Examples
    --------
    >>> from sklmtl.metrics import mean_balanced_accuracy
    >>> mean_balanced_accuracy([[0, "a"], [0, "b"], [1, "b"]],
    ...                        [[0, "a"], [1, "b"], [1, "a"]])  # (3/4 + 3/4) / 2
    0.75
    """
    by_task = per_task_balanced_accuracy(
        Y_true, Y_pred, missing_label=missing_label, sample_weight=sample_weight
    )
    return mean_over_tasks(by_task, "balanced accuracy")


def per_task_macro_f1(
    Y_true, Y_pred, *, missing_label=np.nan, sample_weight=None, zero_division="warn"
):
    """Macro-averaged F1 of each task on its labelled cells, keyed by task name.

    Each task's value is ``f1_score(average="macro")`` of its labelled
    cells: the unweighted mean F1 over the classes found among those cells'
    true or predicted labels (scikit-learn's rule).

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell; a cell of weight 0 counts as
        unlabelled.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Passed to :func:`sklearn.metrics.f1_score`: the F1 of a class that
        is neither a true nor a predicted label of any scored cell.

    Returns
    -------
    scores : dict of str to float
        Keyed as :func:`per_task_scores` keys them; NaN for a task with no
        labelled cell.

    See Also
    --------
    mean_macro_f1 : their mean.

    Examples
    --------
    >>> from sklmtl.metrics import per_task_macro_f1
    >>> per_task_macro_f1([[0, "a"], [1, "b"], [1, None]],
    ...                   [[0, "a"], [1, "a"], [0, "b"]])
    {'task_0': 0.666..., 'task_1': 0.333...}
    """
    return per_task_scores(
        Y_true,
        Y_pred,
        metric=partial(f1_score, average="macro", zero_division=zero_division),
        missing_label=missing_label,
        sample_weight=sample_weight,
    )


def mean_macro_f1(
    Y_true, Y_pred, *, missing_label=np.nan, sample_weight=None, zero_division="warn"
):
    """Mean over tasks of each task's macro-F1 on its labelled cells.

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell; a cell of weight 0 counts as
        unlabelled.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Passed to :func:`sklearn.metrics.f1_score`.

    Returns
    -------
    score : float
        The mean of :func:`per_task_macro_f1` over the tasks that have a
        labelled cell.

    See Also
    --------
    per_task_macro_f1 : the value of each task.

    Examples
    --------
    >>> from sklmtl.metrics import mean_macro_f1
    >>> mean_macro_f1([[0, "a"], [1, "b"], [1, None]], [[0, "a"], [1, "a"], [0, "b"]])
    0.5
    """
    by_task = per_task_macro_f1(
        Y_true,
        Y_pred,
        missing_label=missing_label,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return mean_over_tasks(by_task, "macro-F1")
