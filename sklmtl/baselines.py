"""Baselines for multi-task problems: label powerset and independent per-task models.

:class:`IndependentTaskEstimator` (a classifier or a regressor per task, for
targets that mix both kinds, with :class:`~sklmtl.MultiTaskNet`'s conventions)
lives in :mod:`sklmtl._mixed_baseline` and is re-exported here.

The two classifiers are scikit-learn meta-estimators around any single-output
classifier, with the output conventions of :class:`~sklmtl.MultiTaskNetClassifier`
(labels in and out, ``classes_`` per task, ``predict_proba`` as a list, 1-D
``y`` gives 1-D outputs) and the same missing-label handling (``None``,
``NaN``, ``pd.NA`` or ``missing_label``). Plain numpy and scikit-learn: no torch.
"""

import numpy as np
from sklearn.utils import _safe_indexing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from ._meta._base import MultiTaskMetaEstimator
from ._meta._missing_label import clone_with_missing_label
from ._mixed_baseline import IndependentTaskEstimator
from ._weights import check_sample_weight

__all__ = [
    "IndependentTaskClassifier",
    "IndependentTaskEstimator",
    "LabelPowersetClassifier",
]


def _estimator_has(attr):
    def check(self):
        estimator = self.estimators_[0] if hasattr(self, "estimators_") else None
        if estimator is None:
            estimator = getattr(self, "estimator_", self.estimator)
        return hasattr(estimator, attr)

    return check


class IndependentTaskClassifier(MultiTaskMetaEstimator):
    """One independent clone of ``estimator`` per task, on that task's labelled rows.

    Unlike :class:`sklearn.multioutput.MultiOutputClassifier`, which needs
    every cell of ``y``, each task's model is fitted on the rows where that task
    is labelled, so missing cells cost only their own task. With
    ``estimator=MultiTaskNetClassifier(...)`` each task gets the same network
    (trunk, width, epochs) with no sharing: the baseline that isolates what
    sharing buys.

    Parameters
    ----------
    estimator : classifier
        A single-output classifier; cloned once per task and fitted on the
        task's original labels (1-D).
    missing_label : scalar, default=np.nan
        Marks unknown cells of ``y`` in addition to ``None``, ``NaN`` and
        ``pd.NA``. Left at NaN, the ``missing_label`` of ``estimator`` (when
        it has one) is used, so its sentinel never becomes a class; a
        different value from the estimator's raises a ``ValueError``. Each
        clone that has a ``missing_label`` gets the value in effect.

    Attributes
    ----------
    estimators_ : list of estimator
        The fitted clone of each task.
    classes_ : list of ndarray of shape (n_classes_t,), or ndarray
        Class labels of each task (a single array when ``y`` was 1-D).
    n_tasks_ : int
        Number of tasks.
    task_names_ : list of str
        ``y``'s column names when it was a DataFrame, else ``task_0``, ...
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` had string column names.

    See Also
    --------
    sklearn.multioutput.MultiOutputClassifier : needs every label cell.
    LabelPowersetClassifier : one model over label combinations.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> Y = np.array([[0, "a"], [0, None], [1, "b"], [1, "b"]], dtype=object)
    >>> clf = IndependentTaskClassifier(LogisticRegression()).fit(X, Y)
    >>> clf.predict([[0.0], [3.0]]).tolist()
    [[0, 'a'], [1, 'b']]
    >>> len(clf.estimators_[1].classes_)
    2
    """

    _allow_nd = True  # image batches (n_samples, C, H, W) for image nets

    def __init__(self, estimator, *, missing_label=np.nan):
        self.estimator = estimator
        self.missing_label = missing_label

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit one clone of ``estimator`` per task on the task's labelled rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Training data (passed to each clone as given, row-subset); images
            for an image network such as ``MultiTaskNetClassifier(trunk="cnn")``.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, one column per task, with missing cells.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row or per label cell; each clone gets its task's
            column on its labelled rows (the estimator must accept
            ``sample_weight``).
        **fit_params : dict
            Passed to every clone's ``fit``.

        Returns
        -------
        self : IndependentTaskClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> clf = IndependentTaskClassifier(DecisionTreeClassifier()).fit(
        ...     [[0], [1], [2]], [[0, "x"], [1, None], [1, "y"]])
        >>> clf.n_tasks_
        2
        """
        X = self._validate_X(X, reset=True)
        codes, classes = self._encode(y)
        check_consistent_length(X, codes)
        weights = check_sample_weight(sample_weight, codes >= 0, self.task_names_)
        missing_label = self._missing_label()
        self.estimators_ = []
        for t, task_classes in enumerate(classes):
            rows = np.flatnonzero(codes[:, t] >= 0)
            task_params = dict(fit_params)
            if weights is not None:
                task_params["sample_weight"] = weights[rows, t]
            estimator = clone_with_missing_label(self.estimator, missing_label)
            estimator.fit(
                _safe_indexing(X, rows), task_classes[codes[rows, t]], **task_params
            )
            self.estimators_.append(estimator)
        return self

    def _task_codes(self, t, labels):
        task_classes = self._classes_list()[t]
        codes = np.searchsorted(task_classes, labels)
        return np.clip(codes, 0, len(task_classes) - 1)

    def predict(self, X):
        """Predict every task with its own model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_tasks), or (n_samples,)
            Labels from ``classes_``; object dtype only when tasks mix label
            kinds.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> clf = IndependentTaskClassifier(DecisionTreeClassifier()).fit(
        ...     [[0], [1]], [[0, "x"], [1, "y"]])
        >>> clf.predict([[1]]).tolist()  # each task keeps its label kind
        [[1, 'y']]
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        codes = np.column_stack(
            [
                self._task_codes(t, np.asarray(est.predict(X)))
                for t, est in enumerate(self.estimators_)
            ]
        )
        return self._decode(codes)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of each task from its own model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
            One array per task, columns ordered as ``classes_[t]``.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> clf = IndependentTaskClassifier(DecisionTreeClassifier()).fit(
        ...     [[0], [1]], [[0, "x"], [1, "y"]])
        >>> [p.tolist() for p in clf.predict_proba([[1]])]
        [[[0.0, 1.0]], [[0.0, 1.0]]]
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._shape_proba([est.predict_proba(X) for est in self.estimators_])


class LabelPowersetClassifier(MultiTaskMetaEstimator):
    """Single-label baseline: each distinct row of labels is one class.

    The tasks' labels of a training row are joined into one combination, and
    ``estimator`` learns an ordinary multiclass problem over the combinations
    seen in training. Predictions are decoded back to one label per task, and
    ``predict_proba`` marginalises the combination probabilities per task:
    ``P(task t = c) = sum of P(combination)`` over the combinations whose
    task ``t`` is ``c``.

    Label combinations never seen in training can never be predicted (the
    known weakness of the method: with many tasks most combinations are
    unseen), although each task's marginal ``predict_proba`` still covers
    every class that appears in some training combination. ``predict``
    returns the most probable *combination* (what subset accuracy rewards), so
    a task's predicted label can differ from the argmax of its marginal
    probabilities. Rows with a missing
    cell have no complete combination and are left out of training; a class
    that appears only in such rows stays in ``classes_`` with probability 0.

    Parameters
    ----------
    estimator : classifier
        A multiclass classifier fitted on the combination indices.
    missing_label : scalar, default=np.nan
        Marks unknown cells of ``y`` in addition to ``None``, ``NaN`` and
        ``pd.NA``. Left at NaN, the ``missing_label`` of ``estimator`` (when
        it has one) is used, so its sentinel never becomes a class; a
        different value from the estimator's raises a ``ValueError``. The
        fitted clone learns combination indices, none of them missing.

    Attributes
    ----------
    estimator_ : estimator
        The fitted clone of ``estimator``.
    combinations_ : ndarray of shape (n_combinations, n_tasks)
        The class index of each task in each label combination seen in
        training; the fitted estimator's classes index its rows.
    classes_ : list of ndarray of shape (n_classes_t,), or ndarray
        Class labels of each task (a single array when ``y`` was 1-D).
    n_tasks_ : int
        Number of tasks.
    task_names_ : list of str
        ``y``'s column names when it was a DataFrame, else ``task_0``, ...
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` had string column names.

    See Also
    --------
    IndependentTaskClassifier : one model per task.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklmtl.baselines import LabelPowersetClassifier
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> Y = [[0, "a"], [0, "a"], [1, "b"], [1, "b"]]
    >>> clf = LabelPowersetClassifier(LogisticRegression()).fit(X, Y)
    >>> clf.combinations_.tolist()
    [[0, 0], [1, 1]]
    >>> clf.predict([[3.0]]).tolist()
    [[1, 'b']]
    """

    _allow_nd = True  # image batches (n_samples, C, H, W) for image nets

    def __init__(self, estimator, *, missing_label=np.nan):
        self.estimator = estimator
        self.missing_label = missing_label

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit ``estimator`` on the label combinations of the fully labelled rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, one column per task; rows with a missing cell are skipped.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row, or per label cell; a row's weight is then the
            mean of its cells' weights (the powerset has one label per row).
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : LabelPowersetClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import LabelPowersetClassifier
        >>> clf = LabelPowersetClassifier(DecisionTreeClassifier()).fit(
        ...     [[0], [1], [2]], [[0, 0], [1, None], [1, 1]])
        >>> len(clf.combinations_)
        2
        """
        X = self._validate_X(X, reset=True)
        codes, _ = self._encode(y)
        check_consistent_length(X, codes)
        weights = check_sample_weight(sample_weight, codes >= 0, self.task_names_)
        complete = np.flatnonzero((codes >= 0).all(axis=1))
        if len(complete) == 0:
            raise ValueError(
                "LabelPowersetClassifier needs rows with every task labelled; "
                "every row of y has a missing cell."
            )
        combinations, combo_index = np.unique(
            codes[complete], axis=0, return_inverse=True
        )
        if len(combinations) < 2:
            raise ValueError(
                "The fully labelled rows of y show a single label combination; "
                "LabelPowersetClassifier needs at least 2."
            )
        self.combinations_ = combinations
        if weights is not None:
            fit_params = {**fit_params, "sample_weight": weights[complete].mean(axis=1)}
        # The estimator learns combination indices: none of them is missing.
        estimator = clone_with_missing_label(self.estimator, np.nan)
        self.estimator_ = estimator.fit(
            _safe_indexing(X, complete), combo_index.reshape(-1), **fit_params
        )
        return self

    def predict(self, X):
        """Predict the most likely label combination and split it into tasks.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_tasks), or (n_samples,)
            Labels from ``classes_``; object dtype only when tasks mix label
            kinds.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import LabelPowersetClassifier
        >>> clf = LabelPowersetClassifier(DecisionTreeClassifier()).fit(
        ...     [[0], [1]], [[0, 5], [1, 7]])
        >>> clf.predict([[1]]).tolist()
        [[1, 7]]
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        combo = np.asarray(self.estimator_.predict(X), dtype=np.int64)
        return self._decode(self.combinations_[combo])

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Per-task class probabilities, marginalised over label combinations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
            One array per task, columns ordered as ``classes_[t]``.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import LabelPowersetClassifier
        >>> clf = LabelPowersetClassifier(DecisionTreeClassifier()).fit(
        ...     [[0], [1]], [[0, 5], [1, 7]])
        >>> [p.tolist() for p in clf.predict_proba([[1]])]
        [[[0.0, 1.0]], [[0.0, 1.0]]]
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        combo_proba = self.estimator_.predict_proba(X)
        # Columns follow the fitted estimator's classes_, indices of combinations_.
        rows = self.combinations_[np.asarray(self.estimator_.classes_, dtype=np.int64)]
        probas = []
        for t, task_classes in enumerate(self._classes_list()):
            indicator = np.zeros((len(rows), len(task_classes)))
            indicator[np.arange(len(rows)), rows[:, t]] = 1.0
            probas.append(combo_proba @ indicator)
        return self._shape_proba(probas)
