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

from .._labels import label_key
from ._columns import as_labels, mean_over_tasks, subset_weights, true_columns

# float32 probabilities may overshoot [0, 1] by a rounding error.
_PROBA_TOLERANCE = 1e-6


def _check_probas(Y_proba, names, n_samples):
    if isinstance(Y_proba, np.ndarray) and Y_proba.ndim == 2 and len(names) > 1:
        raise ValueError(
            f"Y_proba is one array of shape {Y_proba.shape} but Y_true has "
            f"{len(names)} tasks; pass the list predict_proba returns, one array "
            "of shape (n_samples, n_classes_t) per task."
        )
    if isinstance(Y_proba, np.ndarray) and Y_proba.ndim == 2:
        probas = [Y_proba]
    elif isinstance(Y_proba, (list, tuple)) or (
        isinstance(Y_proba, np.ndarray) and Y_proba.ndim == 3
    ):
        probas = list(Y_proba)
    else:
        raise TypeError(
            "Y_proba must be a list with one array of shape (n_samples, "
            "n_classes_t) per task (what predict_proba returns), or one 2-D array "
            f"for a single task; got {type(Y_proba).__name__}."
        )
    if len(probas) != len(names):
        raise ValueError(
            f"Y_proba has {len(probas)} array(s) but Y_true has {len(names)} "
            f"task(s) {names}; pass one array per task."
        )
    checked = []
    for proba, name in zip(probas, names):
        proba = np.asarray(proba)
        if proba.dtype.kind not in "biuf":
            raise TypeError(
                f"Y_proba for task {name!r} must hold numbers; got dtype {proba.dtype}."
            )
        proba = proba.astype(np.float64)
        if proba.ndim != 2 or proba.shape[0] != n_samples or proba.shape[1] < 2:
            raise ValueError(
                f"Y_proba for task {name!r} has shape {proba.shape}; expected "
                f"({n_samples}, n_classes) with n_classes >= 2: one row per sample "
                "of Y_true, one column per class of the task."
            )
        if not np.all(np.isfinite(proba)):
            raise ValueError(f"Y_proba for task {name!r} contains NaN or infinity.")
        if proba.min() < -_PROBA_TOLERANCE or proba.max() > 1 + _PROBA_TOLERANCE:
            raise ValueError(
                f"Y_proba for task {name!r} has values outside [0, 1] (from "
                f"{proba.min():.3g} to {proba.max():.3g}); pass probabilities."
            )
        checked.append(proba)
    return checked


def _check_classes(classes, names):
    if classes is None:
        return [None] * len(names)
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__len__"):
        raise TypeError(
            "classes must be a list with one array of labels per task (the "
            f"estimator's classes_); got {classes!r}."
        )
    if not any(isinstance(c, (list, tuple, np.ndarray)) for c in classes):
        if len(names) > 1:
            raise ValueError(
                f"classes is one list of labels but Y_true has {len(names)} tasks "
                f"{names}; give one array of classes per task (classes_)."
            )
        classes = [classes]  # one task's classes, as a 1-D y's classes_ is
    classes = list(classes)
    if len(classes) != len(names):
        raise ValueError(
            f"classes has {len(classes)} entries but Y_true has {len(names)} "
            f"task(s) {names}; give one array of classes per task (classes_)."
        )
    return classes


def _encode(values, task_classes, name):
    """Indices into ``task_classes`` of ``values``, matched by ``label_key``.

    A truth of ``1`` is the class ``True`` of an estimator fitted on bools,
    as every metric compares labels; ``"1"`` is never ``1``.
    """
    lookup = {label_key(c): i for i, c in enumerate(task_classes)}
    codes = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values.tolist()):
        code = lookup.get(label_key(value))
        if code is None:
            raise ValueError(
                f"Task {name!r} has the label {value!r} in Y_true, which is not one "
                f"of its classes {list(task_classes)} (the columns of its "
                "probabilities, in order)."
            )
        codes[i] = code
    return codes


def _task_classes(given, values, n_columns, name):
    """One task's classes in column order: given, or its sorted labels."""
    if given is None:
        task_classes = np.unique(values).tolist()
        if len(values) and len(task_classes) != n_columns:
            raise ValueError(
                f"Y_proba for task {name!r} has {n_columns} columns but its labelled "
                f"cells hold {len(task_classes)} classes {task_classes}; pass "
                "classes= (the estimator's classes_) to say which class each "
                "column is."
            )
        return task_classes
    task_classes = np.asarray(given, dtype=object).tolist()
    if len(task_classes) != n_columns:
        raise ValueError(
            f"Y_proba for task {name!r} has {n_columns} columns but classes names "
            f"{len(task_classes)} classes {task_classes}."
        )
    if len({label_key(c) for c in task_classes}) != len(task_classes):
        raise ValueError(
            f"The classes of task {name!r} repeat a label: {task_classes}."
        )
    return task_classes


def _scored_tasks(Y_true, Y_proba, classes, missing_label, sample_weight):
    """Per task: name, classes and, when it has a scored cell, its data.

    The data are ``(codes, proba, weights)`` of the scored cells only, with
    ``codes`` indexing the columns of ``proba``; None without a scored cell.
    """
    columns, scored, weights, names, _ = true_columns(
        Y_true, missing_label, sample_weight
    )
    probas = _check_probas(Y_proba, names, len(columns[0]))
    given = _check_classes(classes, names)
    tasks = []
    for t, (name, column, mask, proba) in enumerate(
        zip(names, columns, scored, probas)
    ):
        values = as_labels(column[mask])
        task_classes = _task_classes(given[t], values, proba.shape[1], name)
        data = None
        if mask.any():
            codes = _encode(values, task_classes, name)
            data = (codes, proba[mask], subset_weights(weights[t], mask))
        tasks.append((name, task_classes, data))
    return tasks


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
