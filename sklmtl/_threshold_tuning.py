"""The machinery behind TunedThresholdMultiTaskClassifier: plain numpy.

A binary task's decision is ``proba[:, 1] >= threshold`` (scikit-learn's
rule in ``TunedThresholdClassifierCV``). The named objectives are computed
from the confusion counts at every candidate threshold at once (one sort
per task and fold, then ``searchsorted``), so a grid of 100 thresholds over
a thousand labels costs a thousand sorts, not 100,000 metric calls. Each
named objective equals scikit-learn's metric with ``zero_division=0``; a
callable objective is called once per threshold. One split of the search
fits and predicts in :func:`fit_and_predict`; the parameters are checked in
:mod:`sklmtl._threshold_params`.
"""

import numpy as np
from sklearn.utils import _safe_indexing

from ._task_calibration import _base_probas, _is_flat

__all__ = [
    "DEFAULT_THRESHOLD",
    "JOINT_SCORINGS",
    "SCORINGS",
    "aligned_probas",
    "best_index",
    "candidates",
    "confusion_curve",
    "fit_and_predict",
    "held_out",
    "informative",
    "joint_micro_f1",
    "threshold_curve",
    "tune_jointly",
    "tune_one",
]

#: The decision of a binary classifier's argmax, kept by untunable tasks.
DEFAULT_THRESHOLD = 0.5


def _ratio(numerator, denominator):
    out = np.zeros_like(numerator, dtype=float)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _f1(tp, fp, fn, tn):
    return _ratio(2 * tp, 2 * tp + fp + fn)


def _precision(tp, fp, fn, tn):
    return _ratio(tp, tp + fp)


def _recall(tp, fp, fn, tn):
    return _ratio(tp, tp + fn)


def _accuracy(tp, fp, fn, tn):
    return _ratio(tp + tn, tp + fp + fn + tn)


def _balanced_accuracy(tp, fp, fn, tn):
    return (_ratio(tp, tp + fn) + _ratio(tn, tn + fp)) / 2


def _jaccard(tp, fp, fn, tn):
    return _ratio(tp, tp + fp + fn)


def _matthews(tp, fp, fn, tn):
    denominator = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return _ratio(tp * tn - fp * fn, denominator)


#: Named objectives: scikit-learn's metric of the same name (zero_division=0).
SCORINGS = {
    "f1": _f1,
    "precision": _precision,
    "recall": _recall,
    "accuracy": _accuracy,
    "balanced_accuracy": _balanced_accuracy,
    "jaccard": _jaccard,
    "matthews_corrcoef": _matthews,
}


#: Objectives of all tuned tasks together, their thresholds chosen jointly.
JOINT_SCORINGS = ("f1_micro",)


def held_out(task_codes, proba, weight=None):
    """``(true_pos, positive-class probability, weight)`` of the labelled cells.

    None when no cell is labelled; ``weight`` is None when ``weight`` was.
    A *part* of the search is such a triple (or the pair without weights).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import held_out
    >>> held_out(np.array([1, -1, 0]), np.array([[.2, .8], [.5, .5], [.6, .4]]))
    (array([ True, False]), array([0.8, 0.4]), None)
    """
    labelled = task_codes >= 0
    if not labelled.any():
        return None
    cell_weight = None if weight is None else weight[labelled]
    return task_codes[labelled] == 1, proba[labelled, 1], cell_weight


def candidates(grid, parts):
    """A task's candidate thresholds: ``grid``, or that many from min to max and 0.5.

    An int grid also holds :data:`DEFAULT_THRESHOLD`, the untuned decision:
    without it, a label whose probabilities all stay below 0.5 (a rare one)
    could not keep predicting no positive, and tuning could choose a
    threshold that scores below the untuned decision on the very splits
    it was tuned on.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import candidates
    >>> candidates(3, [(None, np.array([0.2, 0.4])), (None, np.array([0.6]))])
    array([0.2, 0.4, 0.5, 0.6])
    """
    if not isinstance(grid, int):
        return grid
    low = min(float(part[1].min()) for part in parts)
    high = max(float(part[1].max()) for part in parts)
    return np.union1d(np.linspace(low, high, num=grid), [DEFAULT_THRESHOLD])


def best_index(task_grid, curve):
    """The best candidate; on a tie, 0.5 (the untuned decision) when it is one.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import best_index
    >>> best_index(np.array([0.3, 0.5, 0.7]), np.array([0.9, 0.9, 0.8]))
    1
    """
    best = int(np.argmax(curve))
    default = np.flatnonzero(task_grid == DEFAULT_THRESHOLD)
    if len(default) and curve[default[0]] >= curve[best]:
        return int(default[0])
    return best


def threshold_curve(scoring, grid, true_pos, scores, weight=None):
    """The objective at every threshold of ``grid`` (predict ``scores >= t``).

    Parameters
    ----------
    scoring : callable
        A count function from :data:`SCORINGS`, or a user metric
        ``metric(y_true, y_pred)`` of 0/1 arrays.
    grid : ndarray of shape (n_thresholds,)
    true_pos : ndarray of shape (n_cells,), dtype=bool
        Which labelled cells are positive.
    scores : ndarray of shape (n_cells,)
        The positive-class probability of each cell.
    weight : ndarray of shape (n_cells,) or None, default=None
        Cell weights: the named objectives count weights instead of cells; a
        user metric gets them as ``sample_weight``.

    Returns
    -------
    curve : ndarray of shape (n_thresholds,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import SCORINGS, threshold_curve
    >>> threshold_curve(SCORINGS["f1"], np.array([0.2, 0.5, 0.9]),
    ...                 np.array([True, False, True]), np.array([0.6, 0.3, 0.4]))
    array([0.8       , 0.66666667, 0.        ])
    """
    if scoring not in SCORINGS.values():
        y_true = true_pos.astype(int)
        extra = {} if weight is None else {"sample_weight": weight}
        return np.array(
            [float(scoring(y_true, (scores >= t).astype(int), **extra)) for t in grid]
        )
    return scoring(*confusion_curve(grid, true_pos, scores, weight))


def confusion_curve(grid, true_pos, scores, weight=None):
    """``tp, fp, fn, tn`` (float arrays over ``grid``) of predicting ``scores >= t``.

    With ``weight``, each cell counts its weight.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import confusion_curve
    >>> tp, fp, fn, tn = confusion_curve(
    ...     np.array([0.5]), np.array([True, False]), np.array([0.6, 0.7]))
    >>> tp.tolist(), fp.tolist(), fn.tolist(), tn.tolist()
    ([1.0], [1.0], [0.0], [0.0])
    >>> confusion_curve(np.array([0.5]), np.array([True, False]),
    ...                 np.array([0.6, 0.7]), np.array([2.0, 0.5]))[:2]
    (array([2.]), array([0.5]))
    """
    weight = np.ones(len(scores)) if weight is None else np.asarray(weight, float)
    positive_above, positive_total = _weight_at_or_above(
        grid, scores[true_pos], weight[true_pos]
    )
    negative_above, negative_total = _weight_at_or_above(
        grid, scores[~true_pos], weight[~true_pos]
    )
    return (
        positive_above,
        negative_above,
        positive_total - positive_above,
        negative_total - negative_above,
    )


def _weight_at_or_above(grid, scores, weight):
    """The total weight of cells scoring ``>= t`` for each ``t``, and of all."""
    order = np.argsort(scores, kind="stable")
    # below[i]: the weight of the i lowest-scoring cells.
    below = np.concatenate([[0.0], np.cumsum(weight[order])])
    strictly_below = below[np.searchsorted(scores[order], grid, side="left")]
    return below[-1] - strictly_below, below[-1]


def joint_micro_f1(counts, start, max_sweeps=20):
    """Thresholds of all tasks at once maximising the mean over splits of micro-F1.

    Coordinate ascent: each task in turn moves to the candidate that
    maximises the micro-F1 of every task's cells pooled, the others fixed,
    until a sweep moves none (or ``max_sweeps``). Micro-F1 only grows, so
    it stops; it finds a local optimum, started from ``start``.

    Parameters
    ----------
    counts : list of ndarray of shape (3, n_splits, n_thresholds_t)
        Per task, its ``tp``, ``fp`` and ``fn`` in each split (zeros where
        the split holds out no labelled cell of the task) at each candidate.
    start : list of int
        Per task, the index of its starting candidate.
    max_sweeps : int, default=20

    Returns
    -------
    best : list of int
        Per task, the index of its chosen candidate.
    curves : list of ndarray of shape (n_thresholds_t,)
        Per task, the mean micro-F1 at each of its candidates, the other
        tasks at their chosen ones.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import joint_micro_f1
    >>> counts = [np.array([[[2, 1]], [[3, 0]], [[0, 1]]], dtype=float)]
    >>> best, curves = joint_micro_f1(counts, start=[0])
    >>> best, curves[0].tolist()
    ([1], [0.571..., 0.666...])
    """
    best = list(start)
    total = sum(c[:, :, i] for c, i in zip(counts, best))

    def curve(t):
        candidates = (total - counts[t][:, :, best[t]])[:, :, None] + counts[t]
        tp, fp, fn = candidates
        return _ratio(2 * tp, 2 * tp + fp + fn).mean(axis=0)

    for _ in range(max_sweeps):
        moved = False
        for t in range(len(counts)):
            values = curve(t)
            choice = int(np.argmax(values))
            if values[choice] > values[best[t]] + 1e-12:
                total += counts[t][:, :, choice] - counts[t][:, :, best[t]]
                best[t], moved = choice, True
        if not moved:
            break
    return best, [curve(t) for t in range(len(counts))]


def aligned_probas(estimator, X, classes, task_names):
    """``estimator.predict_proba(X)`` with each task's columns in ``classes[t]``.

    A class the fitted estimator never saw (a training fold without it) gets
    probability 0, as in ``cross_val_predict``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklmtl._threshold_tuning import aligned_probas
    >>> dummy = DummyClassifier().fit([[0], [1]], ["b", "b"])
    >>> aligned_probas(dummy, [[0]], [np.array(["a", "b"])], ["t"])[0].tolist()
    [[0.0, 1.0]]
    """
    probas = _base_probas(estimator, X, len(classes))
    fitted = estimator.classes_
    if len(classes) == 1 and _is_flat(np.asarray(fitted, dtype=object)):
        fitted = [fitted]
    aligned = []
    for name, task_classes, own, proba in zip(task_names, classes, fitted, probas):
        lookup = {label: i for i, label in enumerate(task_classes.tolist())}
        out = np.zeros((len(proba), len(task_classes)))
        for column, label in enumerate(np.asarray(own).tolist()):
            if label not in lookup:
                raise ValueError(
                    f"Task {name!r}: the estimator predicts class {label!r}, which "
                    f"is not one of the labels in y {task_classes.tolist()}."
                )
            out[:, lookup[label]] = proba[:, column]
        aligned.append(out)
    return aligned


def informative(part):
    """Whether held-out cells of positive weight show both classes.

    Cells of one class only say nothing of F1 (nor of most objectives).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import informative
    >>> informative((np.array([True, True]), np.array([0.2, 0.9])))
    False
    """
    true_pos = part[0]
    if len(part) > 2 and part[2] is not None:
        true_pos = true_pos[part[2] > 0]
    return bool(true_pos.any() and not true_pos.all())


def tune_one(scoring, task_grid, parts):
    """The best candidate of one task and its curve, averaged over the splits.

    ``parts`` holds, per split, ``(true_pos, scores[, weight])`` of the
    task's labelled held-out cells, or None; uninformative splits are left
    out.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import SCORINGS, tune_one
    >>> part = (np.array([True, False, True]), np.array([0.6, 0.3, 0.4]))
    >>> best, curve = tune_one(SCORINGS["f1"], np.array([0.2, 0.5]), [part, None])
    >>> best, curve.round(3).tolist()
    (0, [0.8, 0.667])
    """
    curves = [
        threshold_curve(scoring, task_grid, *p)
        for p in parts
        if p is not None and informative(p)
    ]
    curve = np.mean(curves, axis=0)
    return best_index(task_grid, curve), curve


def tune_jointly(tasks):
    """Micro-F1 over the tuned tasks, all thresholds chosen together.

    ``tasks`` maps a task index to ``(candidates, parts)`` as
    :func:`tune_one` takes them; the result maps it to ``(best index,
    curve)``, starting from the candidate nearest 0.5.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_tuning import tune_jointly
    >>> part = (np.array([True, False, True]), np.array([0.6, 0.3, 0.4]))
    >>> best, curve = tune_jointly({0: (np.array([0.2, 0.5]), [part])})[0]
    >>> best
    0
    """
    order = sorted(tasks)
    counts, start = [], []
    for t in order:
        task_grid, parts = tasks[t]
        empty = np.zeros((3, len(task_grid)))
        counts.append(
            np.stack(
                [
                    empty if p is None else np.array(confusion_curve(task_grid, *p)[:3])
                    for p in parts
                ],
                axis=1,
            )
        )
        start.append(int(np.argmin(np.abs(task_grid - DEFAULT_THRESHOLD))))
    best, curves = joint_micro_f1(counts, start)
    return {t: (b, c) for t, b, c in zip(order, best, curves)}


def fit_and_predict(
    estimator, X, y, train, test, classes, task_names, codes, sample_weight=None
):
    """Fit on ``train`` (None: frozen), then the aligned probabilities of ``test``.

    One cross-validation split of the threshold search, run under joblib.
    ``codes`` are the class codes of all rows (``-1`` missing): when the
    estimator refuses training rows that hold one class only of some task
    (every sklmtl classifier does), the error says which split and task, as
    the whole ``y`` holds both classes. ``sample_weight`` (the user's, per
    row or per cell) reaches the estimator's ``fit`` on the training rows.
    """
    if train is not None:
        weights = {}
        if sample_weight is not None:
            weights["sample_weight"] = _safe_indexing(sample_weight, train)
        try:
            estimator.fit(_safe_indexing(X, train), _safe_indexing(y, train), **weights)
        except ValueError as error:
            single = [
                name
                for name, column in zip(task_names, codes[train].T)
                if len(np.unique(column[column >= 0])) < 2
            ]
            if not single:
                raise
            raise ValueError(
                f"The training rows of a cross-validation split ({len(train)} "
                f"rows) hold labelled cells of one class only (or none) for "
                f"task(s) {single}, and the estimator refused them: use fewer "
                "folds, or a splitter that keeps both classes of rare labels in "
                "every training split."
            ) from error
    probas = aligned_probas(estimator, _safe_indexing(X, test), classes, task_names)
    return estimator, probas
