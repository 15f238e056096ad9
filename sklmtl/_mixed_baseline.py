"""IndependentTaskEstimator: a classifier or a regressor per task, no sharing.

The mixed-task counterpart of :class:`~sklmtl.baselines.IndependentTaskClassifier`,
with the conventions of :class:`~sklmtl.MultiTaskNet` (kinds inferred by the
task layer, each column predicted in its own kind, ``predict_proba`` for the
classification tasks, ``score`` the mean of accuracy and R²). Kept in its own
module so that :mod:`sklmtl.baselines` stays short; it is re-exported there.
Plain numpy and scikit-learn: no torch.
"""

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, MultiOutputMixin
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._meta._missing_label import clone_with_missing_label, missing_label_in_effect
from ._meta._mixed_outputs import check_proba_task, mixed_predictions
from ._tasks import check_task_types, labelled_mask, learn_tasks
from ._weights import check_sample_weight
from .metrics import mean_task_score

__all__ = ["IndependentTaskEstimator"]


def _classifier_has_proba(self):
    return hasattr(self._classifier(), "predict_proba")


class IndependentTaskEstimator(MetaEstimatorMixin, MultiOutputMixin, BaseEstimator):
    """A clone of ``classifier`` per classification task, of ``regressor`` per
    regression task, each fitted on its task's labelled rows.

    The no-sharing baseline of :class:`~sklmtl.MultiTaskNet`: task kinds are
    inferred from ``y``'s columns in the same way (floats with a non-integral
    value are regression, every other column classification) or set with
    ``task_types``, and each task gets a model of its own kind, fitted on the
    rows where that task is labelled (missing cells cost only their own task,
    where :class:`sklearn.multioutput.MultiOutputRegressor` needs every cell).
    Like ``MultiTaskNet`` it is neither a classifier nor a regressor (see
    :mod:`sklmtl.mixed` for why).

    Parameters
    ----------
    classifier : classifier or None, default=None
        Cloned for every classification task and fitted on the task's
        original labels; None for ``HistGradientBoostingClassifier()``.
    regressor : regressor or None, default=None
        Cloned for every regression task and fitted on the task's values (in
        their units: no standardisation); None for
        ``HistGradientBoostingRegressor()``.
    task_types : dict or None, default=None
        ``{task_name: "classification" | "regression"}`` for the tasks whose
        kind should not be inferred, as in :class:`~sklmtl.MultiTaskNet`.
    missing_label : scalar, default=np.nan
        Marks unknown cells of classification tasks in addition to ``None``,
        ``NaN`` and ``pd.NA``; regression cells are unknown when ``NaN``,
        ``None`` or ``pd.NA``. Left at NaN, the ``missing_label`` of
        ``classifier`` or ``regressor`` (when they have one) is used, so
        their sentinel never becomes a class; two different values raise a
        ``ValueError``. Each clone that has a ``missing_label`` gets the
        value in effect.

    Attributes
    ----------
    estimators_ : list of estimator
        The fitted clone of each task, in column order.
    task_types_ : list of {"classification", "regression"}
        The kind of each task.
    classes_ : list of (ndarray or None)
        The classes of each classification task, in the kind of its labels;
        None for a regression task.
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
    sklmtl.MultiTaskNet : one shared network for the same targets.
    IndependentTaskClassifier : every task a classification task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression, LogisticRegression
    >>> from sklmtl.baselines import IndependentTaskEstimator
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> Y = np.array([["a", 0.5], ["a", 1.5], ["b", None], ["b", 3.5]], dtype=object)
    >>> est = IndependentTaskEstimator(LogisticRegression(), LinearRegression())
    >>> est = est.fit(X, Y)
    >>> est.task_types_
    ['classification', 'regression']
    >>> pred = est.predict([[0.0], [3.0]])
    >>> pred[:, 0].tolist(), pred[:, 1].astype(float).round(6).tolist()
    (['a', 'b'], [0.5, 3.5])
    """

    def __init__(
        self, classifier=None, regressor=None, *, task_types=None, missing_label=np.nan
    ):
        self.classifier = classifier
        self.regressor = regressor
        self.task_types = task_types
        self.missing_label = missing_label

    def _classifier(self):
        if self.classifier is None:
            return HistGradientBoostingClassifier()
        return self.classifier

    def _regressor(self):
        if self.regressor is None:
            return HistGradientBoostingRegressor()
        return self.regressor

    def _wrapped_estimators(self):
        return [self._classifier(), self._regressor()]

    def _validate_X(self, X, reset):
        """Check ``X`` as both wrapped estimators would accept it.

        DataFrames pass through unchanged (column names may matter to a
        pipeline inside); anything else is checked with the sparse and NaN
        tags both estimators share, and no dtype conversion.
        """
        inner = [
            get_tags(e).input_tags for e in (self._classifier(), self._regressor())
        ]
        return validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=["csr", "csc"] if all(t.sparse for t in inner) else False,
            ensure_all_finite=not all(t.allow_nan for t in inner),
            dtype=None,
            skip_check_array=hasattr(X, "iloc"),
        )

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit one clone per task, of the task's kind, on its labelled rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (passed to each clone as given, row-subset).
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            One column per task: labels or numbers, with missing cells.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row or per cell; each clone gets its task's column on
            its labelled rows (the estimators must accept ``sample_weight``).
        **fit_params : dict
            Passed to every clone's ``fit``.

        Returns
        -------
        self : IndependentTaskEstimator
            The fitted estimator.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
        >>> from sklmtl.baselines import IndependentTaskEstimator
        >>> est = IndependentTaskEstimator(
        ...     DecisionTreeClassifier(), DecisionTreeRegressor()
        ... ).fit([[0], [1], [2]], [["x", 0.5], ["y", None], ["y", 2.5]])
        >>> [type(e).__name__ for e in est.estimators_]
        ['DecisionTreeClassifier', 'DecisionTreeRegressor']
        """
        check_task_types(self.task_types)
        X = self._validate_X(X, reset=True)
        missing_label = missing_label_in_effect(self)
        tasks, values, task_names, is_1d = learn_tasks(
            y, self.task_types, missing_label=missing_label
        )
        check_consistent_length(X, values)
        labelled = labelled_mask(values, tasks)
        weights = check_sample_weight(sample_weight, labelled, task_names)
        self.estimators_ = []
        for t, task in enumerate(tasks):
            rows = np.flatnonzero(labelled[:, t])
            params = dict(fit_params)
            if weights is not None:
                params["sample_weight"] = weights[rows, t]
            estimator = clone_with_missing_label(
                task.choose(self._classifier, self._regressor)(), missing_label
            )
            target = task.estimator_target(values[rows, t])
            self.estimators_.append(
                estimator.fit(_safe_indexing(X, rows), target, **params)
            )
        self._tasks = tasks
        self._y_is_1d = is_1d
        self._y_is_frame = hasattr(y, "columns") and hasattr(y, "iloc")
        self.task_names_ = task_names
        self.n_tasks_ = len(tasks)
        self.task_types_ = [task.kind for task in tasks]
        self.classes_ = [task.classes for task in tasks]
        return self

    def predict(self, X):
        """Predict every task with its own model, each column in its own kind.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Y_pred : ndarray or DataFrame of shape (n_samples, n_tasks), or \
(n_samples,)
            Labels from ``classes_[t]`` for classification tasks, floats for
            regression tasks: a DataFrame when ``y`` was one, else an
            ``object`` array (a plain dtype when all tasks share one kind).

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
        >>> from sklmtl.baselines import IndependentTaskEstimator
        >>> est = IndependentTaskEstimator(
        ...     DecisionTreeClassifier(), DecisionTreeRegressor()
        ... ).fit([[0], [1]], [[0, 0.5], [1, 1.5]])
        >>> est.predict([[1]]).tolist()
        [[1, 1.5]]
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        columns = [
            task.from_estimator(est.predict(X))
            for task, est in zip(self._tasks, self.estimators_)
        ]
        return mixed_predictions(
            columns,
            self.task_names_,
            y_is_frame=self._y_is_frame,
            y_is_1d=self._y_is_1d,
            index=X.index if hasattr(X, "iloc") else None,
        )

    @available_if(_classifier_has_proba)
    def predict_proba(self, X, task=None):
        """Class probabilities of the classification tasks from their models.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        task : str or None, default=None
            One classification task's name; None for all of them.

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
            One array per classification task, in task order, columns ordered
            as ``classes_[t]``; a single array when ``task`` is given.

        Raises
        ------
        ValueError
            When ``task`` names a regression task or no task, or when there
            is no classification task.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
        >>> from sklmtl.baselines import IndependentTaskEstimator
        >>> est = IndependentTaskEstimator(
        ...     DecisionTreeClassifier(), DecisionTreeRegressor()
        ... ).fit([[0], [1]], [["x", 0.5], ["y", 1.5]])
        >>> est.predict_proba([[1]], task="task_0").tolist()
        [[0.0, 1.0]]
        """
        check_is_fitted(self)
        check_proba_task(self._tasks, task)
        X = self._validate_X(X, reset=False)
        if task is not None:
            return self.estimators_[self.task_names_.index(task)].predict_proba(X)
        return [
            est.predict_proba(X)
            for t, est in zip(self._tasks, self.estimators_)
            if t.has_proba
        ]

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of accuracy (classification) and R² (regression).

        The same score as :meth:`sklmtl.MultiTaskNet.score`: each task on its
        labelled cells, then the unweighted mean
        (:func:`sklmtl.metrics.task_scores` gives the per-task values).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            True targets; missing cells are ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The mean task score.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
        >>> from sklmtl.baselines import IndependentTaskEstimator
        >>> X, Y = [[0], [1], [2]], [["x", 0.5], ["y", 1.5], ["y", 2.5]]
        >>> IndependentTaskEstimator(
        ...     DecisionTreeClassifier(), DecisionTreeRegressor()
        ... ).fit(X, Y).score(X, Y)
        1.0
        """
        return mean_task_score(
            y,
            self.predict(X),
            task_types=self.task_types_,
            missing_label=missing_label_in_effect(self),
            sample_weight=sample_weight,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = [
            get_tags(e).input_tags for e in (self._classifier(), self._regressor())
        ]
        tags.input_tags.sparse = all(t.sparse for t in inner)
        tags.input_tags.allow_nan = all(t.allow_nan for t in inner)
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
