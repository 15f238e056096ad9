"""Metrics of predicted probabilities: ROC-AUC, log-loss and Brier score.

Each takes the list of per-task probability arrays that ``predict_proba``
returns (columns in the order of ``classes_[t]``) and scores every task on
its labelled cells with scikit-learn's own metric, so a task's value is the
one scikit-learn gives for that task's labelled rows.
"""

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from ._columns import mean_over_tasks
from ._proba_inputs import _scored_tasks


def _per_task(score_task, Y_true, Y_proba, classes, missing_label, sample_weight):
    scores = {}
    tasks = _scored_tasks(Y_true, Y_proba, classes, missing_label, sample_weight)
    for name, task_classes, data in tasks:
        scores[name] = float("nan")
        if data is not None:
            scores[name] = float(score_task(name, task_classes, *data))
    return scores


def _roc_auc_task(name, task_classes, codes, proba, weights):
    n_classes = proba.shape[1]
    absent = sorted(set(range(n_classes)) - set(codes.tolist()))
    if absent:
        warnings.warn(
            f"ROC-AUC of task {name!r} is undefined (NaN): no labelled cell has "
            f"the class(es) {[task_classes[i] for i in absent]}, and one-vs-rest "
            "AUC needs positive and negative cells for every class of the task. "
            "It is left out of the mean.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
        return float("nan")
    if n_classes == 2:
        return roc_auc_score(codes, proba[:, 1], sample_weight=weights)
    return roc_auc_score(
        codes,
        proba,
        multi_class="ovr",
        average="macro",
        labels=np.arange(n_classes),
        sample_weight=weights,
    )


def _log_loss_task(name, task_classes, codes, proba, weights):
    return log_loss(
        codes, proba, labels=np.arange(proba.shape[1]), sample_weight=weights
    )


def _brier_task(name, task_classes, codes, proba, weights):
    if proba.shape[1] == 2:
        return brier_score_loss(codes, proba[:, 1], pos_label=1, sample_weight=weights)
    return brier_score_loss(
        codes, proba, labels=np.arange(proba.shape[1]), sample_weight=weights
    )


_COMMON_PARAMETERS = """\
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells; each task may have its own
        label kind.
    Y_proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
        One array per task, columns in the order of ``classes[t]``, as
        ``predict_proba`` returns them (one 2-D array for a single task).
    classes : list of array-like, or array-like, default=None
        Each task's classes in the order of its probability columns (a fitted
        estimator's ``classes_``). None: the sorted labels of the task's
        labelled cells, which must then number its columns.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
        Weights per sample, or per cell (column ``t`` weighs task ``t``'s
        cells). A cell of weight 0 counts as unlabelled."""


def _document(func):
    # The six probability metrics share these parameters: written once.
    func.__doc__ = func.__doc__.replace("    {parameters}", _COMMON_PARAMETERS)
    return func


@_document
def per_task_roc_auc(
    Y_true, Y_proba, *, classes=None, missing_label=np.nan, sample_weight=None
):
    """ROC-AUC of each task on its labelled cells, keyed by task name.

    A binary task scores the probability of its positive class,
    ``classes[t][1]``; a multiclass task gets the one-vs-rest macro average,
    as ``roc_auc_score(multi_class="ovr", average="macro")`` computes it.

    Parameters
    ----------
    {parameters}

    Returns
    -------
    scores : dict of str to float
        Keyed by the columns of a DataFrame ``Y_true`` (a Series' name), else
        ``"task_0"``, ``"task_1"``, ... NaN for a task with no labelled cell,
        and NaN with an ``UndefinedMetricWarning`` naming the task when one of
        its classes has no labelled cell (one class only, for a binary task):
        one-vs-rest AUC is then undefined, as in scikit-learn.

    See Also
    --------
    mean_roc_auc : their mean; mean_roc_auc_scorer : the scorer.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import per_task_roc_auc
    >>> Y_true = [["no", 0], ["yes", 1], [None, 2], ["yes", 2]]
    >>> Y_proba = [np.array([[.8, .2], [.3, .7], [.5, .5], [.6, .4]]),
    ...            np.array([[.6, .3, .1], [.2, .5, .3], [.1, .1, .8], [.3, .2, .5]])]
    >>> per_task_roc_auc(Y_true, Y_proba)
    {'task_0': 1.0, 'task_1': 1.0}
    """
    return _per_task(
        _roc_auc_task, Y_true, Y_proba, classes, missing_label, sample_weight
    )


@_document
def mean_roc_auc(
    Y_true, Y_proba, *, classes=None, missing_label=np.nan, sample_weight=None
):
    """Mean over tasks of each task's ROC-AUC on its labelled cells.

    Parameters
    ----------
    {parameters}

    Returns
    -------
    score : float
        The mean of :func:`per_task_roc_auc` over the tasks where it is
        defined (a task without labelled cells, or missing a class, is left
        out).

    See Also
    --------
    per_task_roc_auc : the value of each task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import mean_roc_auc
    >>> Y_true = [["no", 0], ["yes", 1], [None, 0], ["no", 1]]
    >>> Y_proba = [np.array([[.8, .2], [.3, .7], [.5, .5], [.6, .4]]),
    ...            np.array([[.6, .4], [.2, .8], [.3, .7], [.7, .3]])]
    >>> mean_roc_auc(Y_true, Y_proba)  # task_0: 1.0, task_1: 0.5
    0.75
    """
    scores = per_task_roc_auc(
        Y_true,
        Y_proba,
        classes=classes,
        missing_label=missing_label,
        sample_weight=sample_weight,
    )
    return mean_over_tasks(scores, "ROC-AUC")


@_document
def per_task_log_loss(
    Y_true, Y_proba, *, classes=None, missing_label=np.nan, sample_weight=None
):
    """Log-loss of each task on its labelled cells, keyed by task name.

    Each task's value is :func:`sklearn.metrics.log_loss` of its labelled
    cells, with all its classes as ``labels``.

    Parameters
    ----------
    {parameters}

    Returns
    -------
    scores : dict of str to float
        Keyed as in :func:`per_task_roc_auc`; NaN for a task with no
        labelled cell. Lower is better.

    See Also
    --------
    mean_log_loss : their mean; neg_mean_log_loss_scorer : the scorer.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import per_task_log_loss
    >>> Y_proba = [np.array([[.5, .5], [.2, .8], [.9, .1]])]
    >>> per_task_log_loss([["a"], ["b"], [None]], Y_proba)  # -(ln .5 + ln .8) / 2
    {'task_0': 0.458...}
    """
    return _per_task(
        _log_loss_task, Y_true, Y_proba, classes, missing_label, sample_weight
    )


@_document
def mean_log_loss(
    Y_true, Y_proba, *, classes=None, missing_label=np.nan, sample_weight=None
):
    """Mean over tasks of each task's log-loss on its labelled cells.

    Parameters
    ----------
    {parameters}

    Returns
    -------
    loss : float
        The mean of :func:`per_task_log_loss` over the tasks with a labelled
        cell. Lower is better.

    See Also
    --------
    per_task_log_loss : the value of each task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import mean_log_loss
    >>> Y_proba = [np.array([[.5, .5], [.2, .8]]), np.array([[.2, .8], [.5, .5]])]
    >>> mean_log_loss([[0, "x"], [1, None]], Y_proba, classes=[[0, 1], ["x", "y"]])
    1.033...
    """
    scores = per_task_log_loss(
        Y_true,
        Y_proba,
        classes=classes,
        missing_label=missing_label,
        sample_weight=sample_weight,
    )
    return mean_over_tasks(scores, "log-loss")


@_document
def per_task_brier_score(
    Y_true, Y_proba, *, classes=None, missing_label=np.nan, sample_weight=None
):
    """Brier score of each task on its labelled cells, keyed by task name.

    As :func:`sklearn.metrics.brier_score_loss` defines it: a binary task
    scores the probability of its positive class ``classes[t][1]``, the mean
    squared error in [0, 1]; a multiclass task gets the multiclass Brier
    score, the mean over cells of the squared distance between the
    probability row and the one-hot label, in [0, 2] (scikit-learn halves
    only the binary score).

    Parameters
    ----------
    {parameters}

    Returns
    -------
    scores : dict of str to float
        Keyed as in :func:`per_task_roc_auc`; NaN for a task with no
        labelled cell. Lower is better.

    See Also
    --------
    mean_brier_score : their mean; neg_mean_brier_score_scorer : the scorer.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import per_task_brier_score
    >>> Y_proba = [np.array([[.5, .5], [.2, .8]]),
    ...            np.array([[.5, .5, 0], [0, .5, .5]])]
    >>> per_task_brier_score([[0, "a"], [1, "c"]], Y_proba,
    ...                      classes=[[0, 1], ["a", "b", "c"]])
    {'task_0': 0.145, 'task_1': 0.5}
    """
    return _per_task(
        _brier_task, Y_true, Y_proba, classes, missing_label, sample_weight
    )


@_document
def mean_brier_score(
    Y_true, Y_proba, *, classes=None, missing_label=np.nan, sample_weight=None
):
    """Mean over tasks of each task's Brier score on its labelled cells.

    Parameters
    ----------
    {parameters}

    Returns
    -------
    loss : float
        The mean of :func:`per_task_brier_score` over the tasks with a
        labelled cell. Lower is better.

    See Also
    --------
    per_task_brier_score : the value of each task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import mean_brier_score
    >>> Y_proba = [np.array([[.5, .5], [.2, .8]]), np.array([[1., 0.], [.5, .5]])]
    >>> mean_brier_score([[0, 0], [1, None]], Y_proba, classes=[[0, 1], [0, 1]])
    0.0725
    """
    scores = per_task_brier_score(
        Y_true,
        Y_proba,
        classes=classes,
        missing_label=missing_label,
        sample_weight=sample_weight,
    )
    return mean_over_tasks(scores, "Brier score")
