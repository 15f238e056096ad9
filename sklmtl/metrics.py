"""Missing-label aware multi-task metrics and scorers.

scikit-learn's ``accuracy_score`` (and so ``ClassifierMixin.score``) raises on
multiclass-multioutput targets, and the ``"accuracy"`` scorer then yields NaN
scores with a warning per fold. These metrics accept ``Y`` of shape
``(n_samples, n_tasks)`` with unknown cells (``None``, ``NaN``, ``pd.NA`` or a
sentinel given as ``missing_label``), which are left out of every score.

The scorers read ``missing_label`` from the fitted estimator they score (the
last step of a ``Pipeline``), so a search over an estimator with
``missing_label=-1`` does not count the ``-1`` cells as errors.
"""

import numpy as np
from sklearn.metrics import accuracy_score

from ._label_kinds import labels_equal
from ._targets import missing_mask, split_target_columns

__all__ = [
    "MultiTaskScoreMixin",
    "make_multitask_scorer",
    "mean_task_accuracy",
    "mean_task_accuracy_scorer",
    "per_task_scores",
    "subset_accuracy",
    "subset_accuracy_scorer",
]


def _has_names(Y):
    # A DataFrame's columns or a named Series; plain arrays get task_0, ...
    return hasattr(Y, "iloc") and (hasattr(Y, "columns") or Y.name is not None)


def _paired_columns(Y_true, Y_pred, missing_label):
    true_cols, true_names, _ = split_target_columns(Y_true)
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
    labelled = [~missing_mask(col, missing_label) for col in true_cols]
    names = pred_names if _has_names(Y_pred) and not _has_names(Y_true) else true_names
    return true_cols, pred_cols, labelled, names


def _cell_equal(true_col, pred_col):
    # Same kind and equal: a prediction "1" or True is not the label 1.
    return labels_equal(true_col, pred_col)


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
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

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
    """
    true_cols, pred_cols, labelled, _ = _paired_columns(Y_true, Y_pred, missing_label)
    n_samples = len(true_cols[0])
    all_correct = np.ones(n_samples, dtype=bool)
    any_labelled = np.zeros(n_samples, dtype=bool)
    for true_col, pred_col, mask in zip(true_cols, pred_cols, labelled):
        correct = np.ones(n_samples, dtype=bool)
        correct[mask] = _cell_equal(true_col[mask], pred_col[mask])
        all_correct &= correct
        any_labelled |= mask
    if not any_labelled.any():
        raise ValueError("Y_true has no labelled cell; the score is undefined.")
    weights = None if sample_weight is None else np.asarray(sample_weight)[any_labelled]
    return float(np.average(all_correct[any_labelled], weights=weights))


def per_task_scores(Y_true, Y_pred, *, metric=accuracy_score, missing_label=np.nan):
    """Score each task on its labelled cells, keyed by task name.

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    metric : callable, default=accuracy_score
        ``metric(y_true, y_pred)`` for one task, e.g. ``accuracy_score`` or
        ``functools.partial(f1_score, average="macro")``.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.

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
    true_cols, pred_cols, labelled, names = _paired_columns(
        Y_true, Y_pred, missing_label
    )
    scores = {}
    for name, true_col, pred_col, mask in zip(names, true_cols, pred_cols, labelled):
        scores[name] = float("nan")
        if mask.any():
            true_t = _as_labels(true_col[mask])
            pred_t = _as_labels(pred_col[mask])
            scores[name] = float(metric(true_t, pred_t))
    return scores


def _as_labels(values):
    # Object columns (from a DataFrame with missing cells) regain a plain dtype
    # once the missing cells are gone, which scikit-learn's metrics expect.
    if values.dtype.kind == "O":
        try:
            return np.asarray(values.tolist())
        except (TypeError, ValueError):
            return values
    return values


def mean_task_accuracy(Y_true, Y_pred, *, missing_label=np.nan):
    """Mean over tasks of each task's accuracy on its labelled cells.

    Parameters
    ----------
    Y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True labels, possibly with missing cells.
    Y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Predicted labels.
    missing_label : scalar, default=np.nan
        Sentinel for unknown cells, in addition to ``None``/``NaN``/``pd.NA``.

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
    by_task = per_task_scores(Y_true, Y_pred, missing_label=missing_label)
    scores = np.array(list(by_task.values()), dtype=float)
    if np.all(np.isnan(scores)):
        raise ValueError("Y_true has no labelled cell; the score is undefined.")
    return float(np.nanmean(scores))


def _missing_label_of(estimator):
    """The ``missing_label`` of a fitted estimator, a Pipeline or a search."""
    while True:
        if hasattr(estimator, "missing_label"):
            return estimator.missing_label
        if hasattr(estimator, "steps"):  # Pipeline: its last step predicts
            estimator = estimator.steps[-1][1]
        elif hasattr(estimator, "best_estimator_"):  # a fitted search
            estimator = estimator.best_estimator_
        else:
            return np.nan


class _MissingAwareScorer:
    """``scorer(estimator, X, Y)``: a metric of ``Y`` and ``estimator.predict(X)``.

    The metric gets the estimator's own ``missing_label``. A plain class (no
    closure), so that scorers pickle and travel to joblib, Dask or Ray workers.
    """

    def __init__(self, score_func, sign, kwargs):
        self._score_func = score_func
        self._sign = sign
        self._kwargs = kwargs

    def __call__(self, estimator, X, y_true, sample_weight=None):
        kwargs = dict(self._kwargs)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        score = self._score_func(
            y_true,
            estimator.predict(X),
            missing_label=_missing_label_of(estimator),
            **kwargs,
        )
        return self._sign * score

    def __repr__(self):
        args = [getattr(self._score_func, "__name__", repr(self._score_func))]
        if self._sign < 0:
            args.append("greater_is_better=False")
        args += [f"{k}={v!r}" for k, v in self._kwargs.items()]
        return f"make_multitask_scorer({', '.join(args)})"


def make_multitask_scorer(score_func, *, greater_is_better=True, **kwargs):
    """Make a scorer that honours the scored estimator's ``missing_label``.

    The multi-task counterpart of :func:`sklearn.metrics.make_scorer`: the
    scorer calls ``score_func(Y, estimator.predict(X),
    missing_label=<the estimator's missing_label>, **kwargs)``, so cells that
    the estimator treats as unknown (``-1`` with ``missing_label=-1``) are left
    out of the score instead of counting as errors. The estimator may be a
    ``Pipeline`` (its last step's ``missing_label`` is used); one without a
    ``missing_label`` gets ``np.nan``.

    Parameters
    ----------
    score_func : callable
        ``score_func(Y_true, Y_pred, *, missing_label, **kwargs)``, such as
        :func:`mean_task_accuracy` or :func:`subset_accuracy`.
    greater_is_better : bool, default=True
        False for a loss: the scorer then returns its negative, as
        scikit-learn's scorers do.
    **kwargs
        Further keyword arguments for ``score_func``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, Y, sample_weight=None)``, usable as
        ``scoring=`` in ``GridSearchCV`` and ``cross_validate`` (alone or in a
        dict), picklable.

    See Also
    --------
    mean_task_accuracy_scorer, subset_accuracy_scorer : the ready-made ones.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> from sklmtl.metrics import make_multitask_scorer, mean_task_accuracy
    >>> X, Y = [[0], [1], [2], [3]], [[0, 1], [0, 1], [1, 0], [1, -1]]
    >>> clf = IndependentTaskClassifier(DecisionTreeClassifier(), missing_label=-1)
    >>> scorer = make_multitask_scorer(mean_task_accuracy)
    >>> scorer(clf.fit(X, Y), X, Y)  # the -1 cell is not an error
    1.0
    """
    return _MissingAwareScorer(score_func, 1 if greater_is_better else -1, kwargs)


#: Scorer for ``GridSearchCV(scoring=...)`` / ``cross_validate``: subset
#: accuracy with the scored estimator's ``missing_label``.
subset_accuracy_scorer = make_multitask_scorer(subset_accuracy)
#: Scorer for ``GridSearchCV(scoring=...)`` / ``cross_validate``: mean task
#: accuracy with the scored estimator's ``missing_label``.
mean_task_accuracy_scorer = make_multitask_scorer(mean_task_accuracy)


class MultiTaskScoreMixin:
    """``score`` as missing-aware subset accuracy, and multi-output tags.

    Mixed into sklmtl's estimators before ``ClassifierMixin`` (whose
    ``accuracy_score`` rejects multi-output targets). The estimator provides
    ``predict`` and a ``missing_label`` parameter.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> X, Y = [[0], [1], [2], [3]], [[0, 1], [0, 1], [1, 0], [1, None]]
    >>> IndependentTaskClassifier(DecisionTreeClassifier()).fit(X, Y).score(X, Y)
    1.0
    """

    def score(self, X, y, sample_weight=None):
        """Subset accuracy on ``X``, ignoring the missing cells of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test data.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True labels; missing cells are ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Share of samples whose labelled cells are all predicted correctly.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> X, Y = [[0], [1], [2], [3]], [[0, 1], [0, 1], [1, 0], [1, 0]]
        >>> IndependentTaskClassifier(DecisionTreeClassifier()).fit(X, Y).score(X, Y)
        1.0
        """
        return subset_accuracy(
            y,
            self.predict(X),
            missing_label=self.missing_label,
            sample_weight=sample_weight,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.classifier_tags.multi_label = True
        return tags


# ---------------------------------------------------------- regression, mixed
def _labelled_floats(true_col, pred_col, task_name):
    """The labelled cells of a regression column and its predictions, as floats."""
    labelled = ~missing_mask(true_col)
    try:
        true_t = np.asarray(true_col[labelled].tolist(), dtype=np.float64)
        pred_t = np.asarray(pred_col[labelled].tolist(), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"Task {task_name!r} is scored as a regression task but holds values "
            "that are not numbers."
        ) from None
    return labelled, true_t, pred_t


def _cell_weights(sample_weight, mask):
    return None if sample_weight is None else np.asarray(sample_weight)[mask]


def task_scores(
    Y_true, Y_pred, *, task_types, missing_label=np.nan, sample_weight=None
):
    """Each task's score: accuracy for a classification task, R² for regression.

    Each task is scored on its labelled cells only (``None``, ``NaN``,
    ``pd.NA`` and, for classification tasks, ``missing_label`` are unknown).
    R² is scikit-learn's ``r2_score`` (1 is perfect, 0 is the mean's score,
    it can be negative); accuracy compares labels of the same kind.

    Parameters
    ----------
    Y_true : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        True targets, possibly with missing cells.
    Y_pred : array-like or DataFrame of shape (n_samples,) or (n_samples, n_tasks)
        Predicted targets.
    task_types : sequence of {"classification", "regression"}
        The kind of each task, in column order (an estimator's
        ``task_types_``).
    missing_label : scalar, default=np.nan
        Sentinel for unknown classification cells.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

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
    from sklearn.metrics import r2_score

    true_cols, names, _ = split_target_columns(Y_true)
    pred_cols, _, _ = split_target_columns(Y_pred)
    task_types = list(task_types)
    if not len(true_cols) == len(pred_cols) == len(task_types):
        raise ValueError(
            f"Y_true has {len(true_cols)} task(s), Y_pred {len(pred_cols)} and "
            f"task_types {len(task_types)}; they must agree."
        )
    scores = np.full(len(true_cols), np.nan)
    for t, (true_col, pred_col, kind) in enumerate(
        zip(true_cols, pred_cols, task_types)
    ):
        if kind == "regression":
            mask, true_t, pred_t = _labelled_floats(true_col, pred_col, names[t])
            if mask.sum() >= 2:
                weights = _cell_weights(sample_weight, mask)
                scores[t] = r2_score(true_t, pred_t, sample_weight=weights)
        elif kind == "classification":
            mask = ~missing_mask(true_col, missing_label)
            if mask.any():
                hits = _cell_equal(true_col[mask], pred_col[mask])
                weights = _cell_weights(sample_weight, mask)
                scores[t] = np.average(hits, weights=weights)
        else:
            raise ValueError(
                f"task_types[{t}] is {kind!r}; expected 'classification' or "
                "'regression'."
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
    task_types : sequence of {"classification", "regression"}
        The kind of each task, in column order.
    missing_label : scalar, default=np.nan
        Sentinel for unknown classification cells.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

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


__all__ += ["mean_task_score", "task_scores"]
