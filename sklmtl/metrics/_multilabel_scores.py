"""Multi-label metrics of scores: ROC-AUC and average precision per label.

Each label is a binary task; its score is the probability (or any
real-valued score) of its positive class. Scores come either as the list
``predict_proba`` returns (one ``(n_samples, 2)`` array per task, the
positive class in column 1, i.e. ``classes_[t][1]``) or as one ``(n_samples,
n_labels)`` array of positive-class scores (what ``MLPClassifier`` returns
for a multi-label target). Missing cells are left out; a label's value is
scikit-learn's metric on its labelled cells.
"""

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import average_precision_score, roc_auc_score

from ._columns import as_labels, true_columns
from ._multilabel import binary_indicators
from ._proba_inputs import _check_classes, _encode, _scored_tasks

_AVERAGES = ("micro", "macro", None)


def _is_score_array(Y_score, n_labels):
    if not isinstance(Y_score, np.ndarray) or Y_score.ndim != 2:
        return False
    return Y_score.shape[1] == n_labels and not (
        n_labels == 1 and Y_score.shape[1] == 2
    )


def _from_score_array(Y_true, Y_score, classes, pos_label, missing_label, weights_in):
    """Per label: (name, (true_pos, scores, weights) or None), from (n, L) scores."""
    columns, scored, weights, names, _ = true_columns(Y_true, missing_label, weights_in)
    if Y_score.shape[0] != len(columns[0]):
        raise ValueError(
            f"Y_score has {Y_score.shape[0]} rows but Y_true has {len(columns[0])}."
        )
    if Y_score.dtype.kind not in "biuf" or not np.all(np.isfinite(Y_score)):
        raise ValueError("Y_score must hold finite numbers (no NaN or infinity).")
    given = _check_classes(classes, names)
    labels = []
    for t, (name, column, mask) in enumerate(zip(names, columns, scored)):
        if not mask.any():
            labels.append((name, None))
            continue
        values = as_labels(column[mask])
        if given[t] is None:
            true_pos, _ = binary_indicators(values, values, pos_label, name)
        else:
            task_classes = np.asarray(given[t], dtype=object).tolist()
            _check_binary(name, task_classes)
            true_pos = _encode(values, task_classes, name) == 1
        w = None if weights[t] is None else weights[t][mask]
        labels.append((name, (true_pos, Y_score[mask, t].astype(float), w)))
    return labels


def _check_binary(name, task_classes):
    if len(task_classes) != 2:
        raise ValueError(
            f"Task {name!r} has {len(task_classes)} classes {task_classes}; "
            "multi-label metrics score binary tasks only (use per_task_roc_auc "
            "or mean_roc_auc for tasks with more classes)."
        )


def _labels(Y_true, Y_score, classes, pos_label, missing_label, sample_weight):
    n_labels = 1 if np.ndim(Y_true) == 1 else np.shape(Y_true)[1]
    if _is_score_array(Y_score, n_labels):
        return _from_score_array(
            Y_true, Y_score, classes, pos_label, missing_label, sample_weight
        )
    labels = []
    for name, task_classes, data in _scored_tasks(
        Y_true, Y_score, classes, missing_label, sample_weight
    ):
        _check_binary(name, task_classes)
        if data is None:
            labels.append((name, None))
            continue
        codes, proba, w = data
        labels.append((name, (codes == 1, proba[:, 1], w)))
    return labels


def _score(metric, metric_name, Y_true, Y_score, average, **kwargs):
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {list(_AVERAGES)}; got {average!r}.")
    labels = _labels(Y_true, Y_score, **kwargs)
    if all(data is None for _, data in labels):
        raise ValueError(
            f"Y_true has no labelled cell (of positive weight); {metric_name} is "
            "undefined."
        )
    if average == "micro":
        parts = [data for _, data in labels if data is not None]
        true_pos = np.concatenate([p[0] for p in parts])
        scores = np.concatenate([p[1] for p in parts])
        weights = None
        if parts[0][2] is not None:
            weights = np.concatenate([p[2] for p in parts])
        if true_pos.all() or not true_pos.any():
            _warn_undefined(metric_name, ["all labels pooled"])
            return float("nan")
        return float(metric(true_pos, scores, sample_weight=weights))
    values, undefined = {}, []
    for name, data in labels:
        values[name] = float("nan")
        if data is None:
            continue
        true_pos, scores, weights = data
        if true_pos.all() or not true_pos.any():
            undefined.append(name)
            continue
        values[name] = float(metric(true_pos, scores, sample_weight=weights))
    if undefined:
        _warn_undefined(metric_name, undefined)
    if average is None:
        return values
    defined = [v for v in values.values() if not np.isnan(v)]
    if not defined:
        raise ValueError(
            f"No label has a defined {metric_name}: each needs labelled positive "
            f"and negative cells. Per label: {values}."
        )
    return float(np.mean(defined))


def _warn_undefined(metric_name, names):
    shown = names[:10] + (["..."] if len(names) > 10 else [])
    warnings.warn(
        f"{metric_name} is undefined (NaN) for {shown}: their labelled cells are "
        "all positive or all negative. They are left out of the mean.",
        UndefinedMetricWarning,
        stacklevel=4,
    )


_PARAMETERS = """\
    Y_true : array-like or DataFrame of shape (n_samples, n_labels)
        True labels, two per column, possibly with missing cells.
    Y_score : list of ndarray of shape (n_samples, 2), or ndarray of shape \
(n_samples, n_labels)
        The list ``predict_proba`` returns (the positive class in column 1,
        which is ``classes[t][1]``), or one array of positive-class scores,
        column ``t`` for label ``t``.
    average : {"micro", "macro"} or None, default="macro"
        ``"macro"``: the unweighted mean over the labels where the metric is
        defined; ``"micro"``: the metric of every scored cell pooled; None:
        the value of each label, keyed by task name.
    classes : list of array-like, default=None
        Each label's two classes in the order of its probability columns (a
        fitted estimator's ``classes_``); the positive one is
        ``classes[t][1]``. None: for the list, the sorted labels of the
        label's labelled cells; for the array, see ``pos_label``.
    pos_label : scalar, default=1
        The label of a positive cell, used with the array of scores when
        ``classes`` is None (``True`` and ``1.0`` count as ``1``).
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_labels), \
default=None
        Weights per sample, or per cell. A cell of weight 0 counts as
        unlabelled."""


def _document(func):
    func.__doc__ = func.__doc__.replace("    {parameters}", _PARAMETERS)
    return func


@_document
def multilabel_roc_auc(
    Y_true,
    Y_score,
    *,
    average="macro",
    classes=None,
    pos_label=1,
    missing_label=np.nan,
    sample_weight=None,
):
    """ROC-AUC of binary labels on their labelled cells, per label or averaged.

    :func:`sklearn.metrics.roc_auc_score` for a multi-label target, each
    label scored on its labelled cells. A label whose labelled cells are all
    positive or all negative has no ROC-AUC: it is NaN, with an
    ``UndefinedMetricWarning`` naming it, and left out of the macro mean
    (scikit-learn raises instead).

    Parameters
    ----------
    {parameters}

    Returns
    -------
    score : float or dict of str to float
        The average, or one value per label (``average=None``), NaN for a
        label without a scored cell or with one class only.

    See Also
    --------
    multilabel_average_precision : the area under the precision-recall curve.
    mean_roc_auc : per task, for tasks of any number of classes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import multilabel_roc_auc
    >>> Y_true = [[1, 0], [0, 1], [1, np.nan], [0, 0]]
    >>> Y_score = np.array([[.9, .2], [.3, .7], [.4, .9], [.5, .6]])
    >>> multilabel_roc_auc(Y_true, Y_score, average=None)
    {'task_0': 0.75, 'task_1': 1.0}
    >>> multilabel_roc_auc(Y_true, Y_score, average="micro")  # 10 of 12 pairs
    0.833...
    """
    return _score(
        roc_auc_score,
        "ROC-AUC",
        Y_true,
        Y_score,
        average,
        classes=classes,
        pos_label=pos_label,
        missing_label=missing_label,
        sample_weight=sample_weight,
    )


@_document
def multilabel_average_precision(
    Y_true,
    Y_score,
    *,
    average="macro",
    classes=None,
    pos_label=1,
    missing_label=np.nan,
    sample_weight=None,
):
    """Average precision of binary labels on their labelled cells.

    :func:`sklearn.metrics.average_precision_score` for a multi-label
    target, each label scored on its labelled cells. A label whose labelled
    cells are all positive or all negative is NaN, with an
    ``UndefinedMetricWarning`` naming it, and left out of the macro mean
    (scikit-learn counts a label without positives as 0).

    Parameters
    ----------
    {parameters}

    Returns
    -------
    score : float or dict of str to float
        The average, or one value per label (``average=None``), NaN for a
        label without a scored cell or with one class only.

    See Also
    --------
    multilabel_roc_auc : the area under the ROC curve.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import multilabel_average_precision
    >>> Y_true = [[1, 0], [0, 1], [1, None], [0, 0]]
    >>> Y_proba = [np.array([[.1, .9], [.7, .3], [.6, .4], [.5, .5]]),
    ...            np.array([[.8, .2], [.3, .7], [.1, .9], [.4, .6]])]
    >>> multilabel_average_precision(Y_true, Y_proba, average=None)
    {'task_0': 0.833..., 'task_1': 1.0}
    """
    return _score(
        average_precision_score,
        "Average precision",
        Y_true,
        Y_score,
        average,
        classes=classes,
        pos_label=pos_label,
        missing_label=missing_label,
        sample_weight=sample_weight,
    )
