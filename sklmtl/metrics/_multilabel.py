"""Multi-label metrics of predicted labels: Hamming loss and F1 averages.

A multi-label target is ``Y`` of shape ``(n_samples, n_labels)`` whose every
column is binary: a cell is positive when it holds ``pos_label`` (``1`` by
default, as in scikit-learn; ``True`` counts as ``1``) and negative when it
holds the column's other label. Missing cells (``None``, ``NaN``, ``pd.NA``
or ``missing_label``) and cells of weight 0 are left out of every count, so
on a fully labelled indicator matrix each value is the one scikit-learn's
:func:`~sklearn.metrics.f1_score` or :func:`~sklearn.metrics.hamming_loss`
gives. The counts are summed per label (one pass over each column), so a
thousand labels cost a thousand vector operations, not a thousand calls.
"""

import numbers
import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

from .._labels import (
    distinct_label_keys,
    label_key,
    label_key_mask,
    labels_equal,
)
from ._columns import as_labels, paired_columns
from ._proba_inputs import _check_classes

_F1_AVERAGES = ("micro", "macro", "samples", None)


def binary_indicators(true_values, pred_values, pos_label, name):
    """Positive cells of one binary task's true and predicted labels.

    Parameters
    ----------
    true_values, pred_values : ndarray of shape (n_scored,)
        The task's scored cells.
    pos_label : scalar
        The label of a positive cell.
    name : str
        The task's name, for messages.

    Returns
    -------
    true_pos, pred_pos : ndarray of shape (n_scored,), dtype=bool

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics._multilabel import binary_indicators
    >>> binary_indicators(np.array(["y", "n"]), np.array(["y", "y"]), "y", "t")
    (array([ True, False]), array([ True,  True]))
    """
    pos_key = label_key(pos_label)
    true_values, pred_values = as_labels(true_values), as_labels(pred_values)
    keys = distinct_label_keys(true_values) | distinct_label_keys(pred_values)
    if len(keys) > 2 or (len(keys) == 2 and pos_key not in keys):
        labels = sorted((value for _, value in keys), key=repr)
        problem = (
            "more than two labels"
            if len(keys) > 2
            else f"two labels, neither of which is pos_label={pos_label!r}"
        )
        raise ValueError(
            f"Task {name!r} has {problem} among its labelled cells of Y_true and "
            f"Y_pred: {labels}. Multi-label metrics need binary tasks whose "
            "positive cells hold pos_label; pass pos_label= the label of a "
            "positive cell, or score tasks with more classes with mean_macro_f1 "
            "or per_task_scores."
        )
    return label_key_mask(true_values, pos_key), label_key_mask(pred_values, pos_key)


def _check_zero_division(zero_division):
    if isinstance(zero_division, str) and zero_division == "warn":
        return zero_division
    if isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        if np.isnan(zero_division) or zero_division in (0, 1):
            return float(zero_division)
    raise ValueError(
        f'zero_division must be "warn", 0.0, 1.0 or np.nan; got {zero_division!r}.'
    )


def _f_scores(tp, fp, fn, zero_division, what):
    """``2 tp / (2 tp + fp + fn)``, ``zero_division`` where nothing is positive."""
    tp, fp, fn = (np.asarray(a, dtype=float) for a in (tp, fp, fn))
    denominator = 2 * tp + fp + fn
    undefined = denominator == 0
    fill = 0.0 if zero_division == "warn" else zero_division
    scores = np.full(tp.shape, fill)
    np.divide(2 * tp, denominator, out=scores, where=~undefined)
    if zero_division == "warn" and undefined.any():
        warnings.warn(
            f"F1 is ill-defined and set to 0.0 for {what}: no positive cell among "
            "the true or predicted labels. Use zero_division to control this.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    return scores, undefined


def _check_known(true_values, pred_values, task_classes, name):
    """Raise when a labelled cell holds none of the task's given classes."""
    known = {label_key(c) for c in task_classes}
    for what, values in (("Y_true", true_values), ("Y_pred", pred_values)):
        values = as_labels(values)
        unknown = distinct_label_keys(values) - known
        if unknown:
            label = sorted(unknown, key=repr)[0][1]
            raise ValueError(
                f"Task {name!r} has the label {label!r} in {what}, which is not "
                f"one of its classes {list(task_classes)}."
            )


def _positive_labels(classes, pos_label, names):
    """Each task's positive label, and its two classes when given (else None)."""
    if classes is None:
        return [(pos_label, None)] * len(names)
    positives = []
    for name, task_classes in zip(names, _check_classes(classes, names)):
        task_classes = np.asarray(task_classes, dtype=object).tolist()
        if len(task_classes) != 2:
            raise ValueError(
                f"Task {name!r} has {len(task_classes)} classes {task_classes}; "
                "multi-label metrics score binary tasks only (use mean_macro_f1 "
                "or per_task_scores for tasks with more classes)."
            )
        positives.append((task_classes[1], task_classes))
    return positives


def _label_counts(Y_true, Y_pred, pos_label, missing_label, sample_weight, classes):
    """Per-label weighted tp, fp, fn and per-row sums of the same, and names."""
    true_cols, pred_cols, scored, weights, names = paired_columns(
        Y_true, Y_pred, missing_label, sample_weight
    )
    positives = _positive_labels(classes, pos_label, names)
    n_samples, n_labels = len(true_cols[0]), len(true_cols)
    per_label = np.zeros((3, n_labels))
    per_row = np.zeros((4, n_samples))  # tp, fp, fn, weight of scored cells
    n_scored = np.zeros(n_samples)
    for t in range(n_labels):
        mask = scored[t]
        if not mask.any():
            per_label[:, t] = np.nan
            continue
        positive, task_classes = positives[t]
        if task_classes is not None:
            _check_known(true_cols[t][mask], pred_cols[t][mask], task_classes, names[t])
        true_pos, pred_pos = binary_indicators(
            true_cols[t][mask], pred_cols[t][mask], positive, names[t]
        )
        w = np.ones(mask.sum()) if weights[t] is None else weights[t][mask]
        cells = (
            np.stack([true_pos & pred_pos, ~true_pos & pred_pos, true_pos & ~pred_pos])
            * w
        )
        per_label[:, t] = cells.sum(axis=1)
        per_row[:3, mask] += cells
        per_row[3, mask] += w
        n_scored += mask
    return per_label, per_row, n_scored, names


def hamming_loss(Y_true, Y_pred, *, missing_label=np.nan, sample_weight=None):
    """Fraction of labelled cells predicted wrongly.

    scikit-learn's :func:`~sklearn.metrics.hamming_loss` for multi-label
    targets, on the labelled cells only: each labelled cell (of positive
    weight) counts once, whatever the task; a cell is wrong when its
    prediction is not the same label (``True`` is ``1`` and ``1.0``, ``"1"``
    is not ``1``). Tasks need not
    be binary.

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
        Weights per sample, or per cell. A cell of weight 0 counts as
        unlabelled; the loss is the weighted mean over the scored cells.

    Returns
    -------
    loss : float
        In [0, 1]; lower is better.

    See Also
    --------
    subset_accuracy : every labelled cell of a sample right at once.
    neg_hamming_loss_scorer : the scorer.

    Examples
    --------
    >>> from sklmtl.metrics import hamming_loss
    >>> hamming_loss([[0, 1], [1, None], [1, 1]], [[0, 1], [0, 0], [1, 0]])
    0.4
    """
    true_cols, pred_cols, scored, weights, _ = paired_columns(
        Y_true, Y_pred, missing_label, sample_weight
    )
    errors, total = 0.0, 0.0
    for true_col, pred_col, mask, task_weights in zip(
        true_cols, pred_cols, scored, weights
    ):
        wrong = ~labels_equal(true_col[mask], pred_col[mask])
        w = np.ones(mask.sum()) if task_weights is None else task_weights[mask]
        errors += float(np.dot(wrong, w))
        total += float(w.sum())
    if total == 0:
        raise ValueError(
            "Y_true has no labelled cell (of positive weight); the Hamming loss "
            "is undefined."
        )
    return errors / total


def multilabel_f1_score(
    Y_true,
    Y_pred,
    *,
    average="micro",
    pos_label=1,
    classes=None,
    missing_label=np.nan,
    sample_weight=None,
    zero_division="warn",
):
    """F1 of the positive cells of binary labels, averaged as scikit-learn does.

    :func:`sklearn.metrics.f1_score` for a multi-label indicator target,
    counting true positives, false positives and false negatives on the
    labelled cells only. Unlike :func:`mean_macro_f1` (per task, the mean F1
    of *both* classes), only the positive class of each label is scored.

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples, n_labels)
        True labels, two per column (one is ``pos_label``), possibly with
        missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples, n_labels)
        Predicted labels.
    average : {"micro", "macro", "samples"} or None, default="micro"
        ``"micro"``: F1 of the counts summed over every scored cell;
        ``"macro"``: the unweighted mean of the per-label F1 over the labels
        with a scored cell; ``"samples"``: the (weighted) mean over samples
        of each sample's F1 on its scored cells, samples without one left
        out; None: the F1 of each label, keyed by task name.
    pos_label : scalar, default=1
        The label of a positive cell (``True`` and ``1.0`` count as ``1``;
        ``"1"`` does not). Each task's labelled cells may hold ``pos_label``
        and one other label; more is a ``ValueError`` naming the task.
    classes : list of array-like, default=None
        Each task's two classes (a fitted estimator's ``classes_``, which the
        ``f1_*`` scorers pass): the positive label of task ``t`` is then
        ``classes[t][1]``, as in :func:`multilabel_roc_auc`, and
        ``pos_label`` is not used. None: ``pos_label`` for every task.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.
    sample_weight : array-like of shape (n_samples,) or (n_samples, n_labels), \
default=None
        Weights per sample, or per cell; the counts are sums of cell
        weights. A cell of weight 0 counts as unlabelled. With ``"samples"``
        a sample weighs the mean weight of its scored cells.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The F1 where there is no true and no predicted positive (of a label,
        a sample, or of everything for ``"micro"``), as in scikit-learn:
        ``"warn"`` gives 0.0 with an ``UndefinedMetricWarning``; NaN values
        are left out of the ``"macro"`` and ``"samples"`` means.

    Returns
    -------
    score : float or dict of str to float
        The average; with ``average=None`` one value per label, NaN for a
        label without a scored cell.

    See Also
    --------
    hamming_loss : the share of wrong cells.
    mean_macro_f1 : per-task macro-F1 over each task's classes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.metrics import multilabel_f1_score
    >>> Y_true = [[1, 0, 1], [0, np.nan, 1], [1, 1, 0]]
    >>> Y_pred = [[1, 1, 1], [0, 1, 0], [0, 1, 0]]
    >>> multilabel_f1_score(Y_true, Y_pred)  # tp 3, fp 1, fn 2: 6 / 9
    0.666...
    >>> multilabel_f1_score(Y_true, Y_pred, average=None)
    {'task_0': 0.666..., 'task_1': 0.666..., 'task_2': 0.666...}
    """
    if average not in _F1_AVERAGES:
        raise ValueError(
            f"average must be one of {list(_F1_AVERAGES)}; got {average!r}."
        )
    zero_division = _check_zero_division(zero_division)
    per_label, per_row, n_scored, names = _label_counts(
        Y_true, Y_pred, pos_label, missing_label, sample_weight, classes
    )
    has_cells = ~np.isnan(per_label[0])
    if not has_cells.any():
        raise ValueError(
            "Y_true has no labelled cell (of positive weight); F1 is undefined."
        )
    if average == "micro":
        tp, fp, fn = per_label[:, has_cells].sum(axis=1)
        return float(_f_scores(tp, fp, fn, zero_division, "the pooled cells")[0])
    if average == "samples":
        rows = n_scored > 0
        scores, _ = _f_scores(*per_row[:3, rows], zero_division, "some samples")
        row_weights = per_row[3, rows] / n_scored[rows]
        keep = ~np.isnan(scores)
        if not keep.any():
            return float("nan")
        return float(np.average(scores[keep], weights=row_weights[keep]))
    scores = np.full(len(names), np.nan)
    undefined_names = [
        names[t] for t in np.flatnonzero(has_cells) if per_label[:, t].sum() == 0
    ]
    scores[has_cells], _ = _f_scores(
        *per_label[:, has_cells],
        zero_division,
        f"the label(s) {undefined_names[:10]}",
    )
    if average is None:
        return {name: float(s) for name, s in zip(names, scores)}
    if np.all(np.isnan(scores)):
        return float("nan")
    return float(np.nanmean(scores))
