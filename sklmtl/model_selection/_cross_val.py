"""``check_cv`` and ``cross_val_predict`` for multi-task targets (see the package)."""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import KFold
from sklearn.model_selection import check_cv as _sklearn_check_cv

# scikit-learn's own checks and messages for test_size / train_size.
from sklearn.utils import _safe_indexing, indexable
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples

from .._labels import label_key
from .._target_columns import missing_mask, split_target_columns
from ..metrics import _missing_label_of
from ._split import MultiTaskStratifiedKFold
from ._stratify import (
    check_class_labels,
)


# ------------------------------------------------------------------ check_cv
def _has_continuous_task(Y, missing_label):
    columns, names, _ = split_target_columns(Y)
    for column, name in zip(columns, names):
        values = np.asarray(column)[~missing_mask(column, missing_label)]
        try:
            check_class_labels(values, name)
        except ValueError:
            return True
    return False


def check_cv(cv=5, Y=None, *, classifier=True, missing_label=np.nan):
    """Turn a ``cv`` argument into a splitter that works on multi-task targets.

    scikit-learn's :func:`~sklearn.model_selection.check_cv`, which
    ``GridSearchCV``, ``cross_validate`` and ``cross_val_predict`` call on
    their ``cv``, turns an int into ``StratifiedKFold`` for a classifier and
    first runs ``type_of_target`` on ``Y``, which raises a ``TypeError`` when a
    column mixes strings with ``None``/``NaN`` or columns hold different
    label kinds. Pass ``cv=check_cv(5)`` instead of ``cv=5``: an int becomes
    a :class:`MultiTaskStratifiedKFold`, which reads any ``Y`` the
    estimators accept.

    Parameters
    ----------
    cv : int, splitter, iterable or None, default=5
        None or an int: the number of folds. A splitter object or an iterable
        of (train, test) pairs is returned as scikit-learn's ``check_cv``
        returns it.
    Y : array-like or DataFrame of shape (n_samples, n_tasks), default=None
        The targets, when known: with a continuous (non-integer float) task
        an int ``cv`` gives :class:`~sklearn.model_selection.KFold`, as
        scikit-learn does for a continuous ``y``.
    classifier : bool, default=True
        Whether the estimator is a classifier; when False an int gives
        ``KFold``.
    missing_label : scalar, default=np.nan
        The estimator's ``missing_label``, passed on to the splitter.

    Returns
    -------
    checked_cv : cross-validator
        An object with ``split`` and ``get_n_splits``; ``shuffle`` is False
        as in scikit-learn's ``check_cv``, so the folds depend on ``Y`` only.

    See Also
    --------
    MultiTaskStratifiedKFold : the splitter an int becomes.

    Examples
    --------
    >>> from sklmtl.model_selection import check_cv
    >>> check_cv(3)
    MultiTaskStratifiedKFold(missing_label=nan, n_splits=3, random_state=None,
                             shuffle=False)
    >>> check_cv(3, [[0.5, 1], [2.5, 0]])
    KFold(n_splits=3, random_state=None, shuffle=False)

    In a search (estimator and grid elided)::

        GridSearchCV(MultiTaskNetClassifier(missing_label=-1), grid,
                     cv=check_cv(5, missing_label=-1))
    """
    cv = 5 if cv is None else cv
    if isinstance(cv, numbers.Integral):
        if classifier and (Y is None or not _has_continuous_task(Y, missing_label)):
            return MultiTaskStratifiedKFold(cv, missing_label=missing_label)
        return KFold(cv)
    return _sklearn_check_cv(cv)


# --------------------------------------------------------- cross_val_predict
_METHODS = ("predict", "predict_proba")


def _fit_and_predict(estimator, X, Y, train, test, method):
    fitted = clone(estimator).fit(_safe_indexing(X, train), _safe_indexing(Y, train))
    output = getattr(fitted, method)(_safe_indexing(X, test))
    classes = fitted.classes_ if method == "predict_proba" else None
    return output, classes


def _sorted_union(class_lists):
    by_key = {}
    for classes in class_lists:
        for c in classes:
            by_key.setdefault(label_key(c), c)
    union = list(by_key.values())
    try:
        return sorted(union)
    except TypeError:  # labels of different kinds in one column: keep first seen
        return union


def _merge_probabilities(fold_outputs, fold_tests, n_samples):
    """One array per task over all rows; columns: the union of the folds' classes."""
    single = not isinstance(fold_outputs[0][0], list)
    if single:
        fold_outputs = [([proba], [classes]) for proba, classes in fold_outputs]
    n_tasks = len(fold_outputs[0][0])
    merged = []
    for t in range(n_tasks):
        classes = _sorted_union([out[1][t] for out in fold_outputs])
        column_of = {label_key(c): j for j, c in enumerate(classes)}
        proba = np.zeros((n_samples, len(classes)))
        for (fold_proba, fold_classes), test in zip(fold_outputs, fold_tests):
            columns = [column_of[label_key(c)] for c in fold_classes[t]]
            proba[np.ix_(test, columns)] = fold_proba[t]
        merged.append(proba)
    return merged[0] if single else merged


def cross_val_predict(
    estimator, X, Y, *, groups=None, cv=5, n_jobs=None, method="predict"
):
    """Cross-validated predictions that keep missing cells missing.

    A drop-in for :func:`sklearn.model_selection.cross_val_predict` for
    multi-task classifiers. Each fold's clone is fitted on the rows of ``Y``
    as given, so unknown cells stay unknown and every column keeps its labels
    and their kind. scikit-learn's version re-encodes ``Y`` with
    ``LabelEncoder`` for ``method="predict_proba"``, which turns each missing
    cell into an extra class; and with an integer ``cv`` it fails on ``Y``
    with ``NaN``/``None`` cells or with columns of different label kinds.

    Parameters
    ----------
    estimator : estimator
        A multi-task classifier (or a ``Pipeline`` ending in one); cloned and
        fitted once per fold.
    X : array-like of shape (n_samples, n_features)
        The data.
    Y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
        The labels, possibly with missing cells and different label kinds
        per column.
    groups : array-like of shape (n_samples,), default=None
        Group labels for a group splitter such as ``GroupKFold``.
    cv : int, cross-validation generator or iterable, default=5
        Resolved by :func:`check_cv` with the estimator's ``missing_label``
        (its last step's, for a ``Pipeline``): an int gives a
        :class:`MultiTaskStratifiedKFold` without shuffling (``KFold`` for a
        continuous task), whatever label kinds and missing cells ``Y`` holds;
        a splitter object or an iterable of splits is used as given. The test
        folds must partition the samples.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib).
    method : {"predict", "predict_proba"}, default="predict"
        What to predict on each test fold.

    Returns
    -------
    predictions : ndarray of shape (n_samples, n_tasks) or list of ndarray
        For ``"predict"``, the labels as the estimator's ``predict`` returns
        them. For ``"predict_proba"``, one array of shape
        ``(n_samples, n_classes_t)`` per task (a single array for 1-D ``Y``),
        whose columns are the sorted union of the folds' ``classes_[t]``:
        the estimator's ``classes_[t]`` after fitting on all of ``Y``, since
        with two or more folds every labelled class is in some training fold.
        A class missing from one fold's training rows gets probability 0 in
        that fold's rows.

    Raises
    ------
    ValueError
        If ``method`` is not one of the above, or the test folds of ``cv``
        do not partition the samples.

    See Also
    --------
    check_cv : how an int ``cv`` becomes a splitter.
    sklmtl.metrics.per_task_scores : score the predictions per task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> from sklmtl.model_selection import cross_val_predict
    >>> X = np.arange(12).reshape(-1, 1)
    >>> Y = np.array([[i % 2, "ab"[i // 6]] for i in range(12)], dtype=object)
    >>> Y[::4, 1] = None  # unknown cells stay unknown: still two classes
    >>> proba = cross_val_predict(
    ...     IndependentTaskClassifier(DecisionTreeClassifier(random_state=0)),
    ...     X, Y, cv=KFold(3, shuffle=True, random_state=0), method="predict_proba")
    >>> [p.shape for p in proba]
    [(12, 2), (12, 2)]
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}; got {method!r}.")
    X, Y, groups = indexable(X, Y, groups)
    n_samples = _num_samples(X)
    splitter = check_cv(cv, Y, missing_label=_missing_label_of(estimator))
    splits = list(splitter.split(X, Y, groups))
    tests = [np.asarray(test) for _, test in splits]
    order = np.concatenate(tests)
    if len(order) != n_samples or not np.array_equal(
        np.sort(order), np.arange(n_samples)
    ):
        raise ValueError(
            f"cross_val_predict needs test folds that partition the samples, each "
            f"sample in exactly one; the folds of {splitter!r} cover "
            f"{len(np.unique(order))} of {n_samples} samples in {len(order)} slots. "
            "Use a splitter such as KFold or GroupKFold."
        )
    outputs = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_predict)(estimator, X, Y, train, test, method)
        for train, test in splits
    )
    if method == "predict_proba":
        return _merge_probabilities(outputs, tests, n_samples)
    predictions = np.concatenate([np.asarray(out) for out, _ in outputs])
    inverse = np.empty(n_samples, dtype=int)
    inverse[order] = np.arange(n_samples)
    return predictions[inverse]
