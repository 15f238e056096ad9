"""Per-task probability calibration of a multi-task classifier.

:class:`CalibratedMultiTaskClassifier` is
:class:`sklearn.calibration.CalibratedClassifierCV` applied to every task of
a multi-task classifier at once: the base estimator is fitted once per
cross-validation fold (all tasks together, as it trains), and each task's
probabilities are calibrated on that task's labelled held-out rows. The
per-task calibration is scikit-learn's own (see ``_task_calibration``, which
holds the machinery; this module holds the estimator and its parameters).

Why not ``CalibratedClassifierCV`` per task: it needs a 1-D ``y``, its
``cv=<int>`` sorts the labels (a ``Y`` mixing label kinds or missing cells
breaks it), and it would fit one base model per task, losing the sharing.
Calibration is a meta-estimator over predictions, so it sits at the top of
the package and imports the estimators, never the reverse.
"""

import numbers

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils import indexable
from sklearn.utils.validation import _num_samples, check_is_fitted

from ._cv import resolve_cv
from ._meta._base import MultiTaskMetaEstimator
from ._meta._missing_label import clone_with_missing_label
from ._task_calibration import Fitter, check_class_counts
from ._validation import InstanceOf, Interval, Options, validate_params
from .classifier import MultiTaskNetClassifier

__all__ = ["CalibratedMultiTaskClassifier"]

_DEFAULT_N_SPLITS = 5


class CalibratedMultiTaskClassifier(MultiTaskMetaEstimator):
    """Calibrate each task's probabilities with cross-validation.

    :class:`sklearn.calibration.CalibratedClassifierCV` for multi-task
    classifiers. With ``ensemble=True``, for each cross-validation split a
    clone of ``estimator`` is fitted on the training rows (every task at
    once), and every task's probabilities are calibrated on that task's
    *labelled* held-out rows; predictions average the calibrated
    probabilities of the folds. With ``ensemble=False``, out-of-fold
    probabilities calibrate each task once and a clone fitted on all the
    data predicts. A fitted estimator wrapped in
    :class:`sklearn.frozen.FrozenEstimator` is calibrated on all the data
    given to ``fit`` without being refitted (scikit-learn's replacement for
    the removed ``cv="prefit"``); keep that data apart from its training data.

    Calibration per task follows scikit-learn exactly: for a binary task one
    calibrator maps the probability of ``classes_[t][1]``; for a multiclass
    task one calibrator per class maps that class's probability
    (one-vs-rest) and the results are renormalised to sum to 1.

    Parameters
    ----------
    estimator : classifier, default=None
        The multi-task classifier to calibrate; its ``predict_proba`` returns
        one ``(n_samples, n_classes_t)`` array per task, columns ordered as
        its ``classes_[t]`` (sklmtl's estimators and baselines,
        :class:`sklearn.multioutput.MultiOutputClassifier`). None means
        ``MultiTaskNetClassifier()``. Fix its own ``random_state`` for
        reproducible fits. Its ``missing_label`` (when it has one) is the
        one used, unless this estimator's own is set (see ``missing_label``).
    method : {"sigmoid", "isotonic"}, default="sigmoid"
        ``"sigmoid"`` is Platt scaling (a logistic regression on the
        probability); ``"isotonic"`` is a non-parametric monotone fit that
        needs more held-out labels per task (about 1000) not to overfit.
    cv : int, cross-validation generator, iterable or None, default=None
        How the rows are split. None means 5 folds; an int ``k`` means
        ``KFold(k, shuffle=True, random_state=random_state)`` (never
        ``StratifiedKFold``, which cannot stratify several tasks and sorts
        their labels). Any splitter object (e.g. a multi-task stratified
        splitter, called as ``cv.split(X, y)``) or an iterable of
        ``(train, test)`` index arrays is used as given. Ignored for a
        :class:`~sklearn.frozen.FrozenEstimator` with ``ensemble=False``.
    n_jobs : int or None, default=None
        Folds fitted in parallel (joblib); None means 1.
    ensemble : bool or "auto", default="auto"
        See above; ``"auto"`` is False for a
        :class:`~sklearn.frozen.FrozenEstimator` and True otherwise.
    missing_label : scalar, default=np.nan
        Marks unknown cells of ``y`` in addition to ``None``, ``NaN`` and
        ``pd.NA``; such cells are left out of their task's calibration and
        of :meth:`score`. Left at NaN, the ``missing_label`` of ``estimator``
        is used, so its sentinel never becomes a class nor a calibration
        negative; a different value from the estimator's raises a
        ``ValueError``. The clones fitted per fold get the value in effect.
    random_state : int, RandomState instance or None, default=None
        Shuffles the rows of the default and the int ``cv``.

    Attributes
    ----------
    calibrated_classifiers_ : list of objects
        One per fold (one in all with ``ensemble=False``): each has
        ``estimator`` (the fitted base estimator) and ``tasks`` (one
        calibration per task, with ``calibrators``, the fitted
        ``_SigmoidCalibration`` or ``IsotonicRegression`` objects).
    classes_ : list of ndarray of shape (n_classes_t,), or ndarray
        Class labels of each task (one array when ``y`` was 1-D).
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
    sklearn.calibration.CalibratedClassifierCV : the single-output original.
    sklmtl.display.MultiTaskCalibrationDisplay : reliability curves per task.

    References
    ----------
    .. [1] J. Platt, "Probabilistic outputs for support vector machines and
       comparisons to regularized likelihood methods", 1999.
    .. [2] B. Zadrozny and C. Elkan, "Transforming classifier scores into
       accurate multiclass probability estimates", KDD 2002.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.calibration import CalibratedMultiTaskClassifier
    >>> from sklmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_samples=90, n_features=5, n_tasks=2, n_classes=[2, 3],
    ...     missing_rate=0.2, random_state=0)
    >>> net = MultiTaskNetClassifier(hidden_layer_sizes=(8,), max_epochs=5,
    ...                              random_state=0)
    >>> clf = CalibratedMultiTaskClassifier(net, cv=3, random_state=0).fit(X, Y)
    >>> [p.shape for p in clf.predict_proba(X[:4])]
    [(4, 2), (4, 3)]
    >>> len(clf.calibrated_classifiers_)
    3
    """

    _parameter_constraints = {
        "method": [Options({"sigmoid", "isotonic"})],
        "ensemble": [Options({"auto"}), InstanceOf(bool, np.bool_, name="bool")],
        "n_jobs": [Options({None}), Interval(numbers.Integral, None, None)],
        "random_state": [
            Options({None}),
            Interval(numbers.Integral, 0, 2**32 - 1),
            InstanceOf(np.random.RandomState),
        ],
    }
    _allow_nd = True  # image batches

    def __init__(
        self,
        estimator=None,
        *,
        method="sigmoid",
        cv=None,
        n_jobs=None,
        ensemble="auto",
        missing_label=np.nan,
        random_state=None,
    ):
        self.estimator = estimator
        self.method = method
        self.cv = cv
        self.n_jobs = n_jobs
        self.ensemble = ensemble
        self.missing_label = missing_label
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the base estimator per fold and calibrate each task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, as the base estimator accepts it.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, one column per task (each column keeps its own label kind),
            with missing cells.

        Returns
        -------
        self : CalibratedMultiTaskClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.calibration import CalibratedMultiTaskClassifier
        >>> from sklmtl.datasets import make_multitask_classification
        >>> X, Y = make_multitask_classification(
        ...     n_samples=60, n_features=4, n_tasks=2, random_state=0)
        >>> base = IndependentTaskClassifier(LogisticRegression())
        >>> clf = CalibratedMultiTaskClassifier(base, method="isotonic", cv=3)
        >>> clf.fit(X, Y).task_names_
        ['task_0', 'task_1']
        """
        validate_params(
            self.get_params(deep=False),
            self._parameter_constraints,
            "CalibratedMultiTaskClassifier",
        )
        if hasattr(self, "calibrated_classifiers_"):
            # A refit that fails leaves the estimator unfitted, not stale.
            del self.calibrated_classifiers_
        frozen = isinstance(self._inner_estimator(), FrozenEstimator)
        ensemble = not frozen if self.ensemble == "auto" else self.ensemble
        X = self._validate_X(X, reset=True)
        (y,) = indexable(y)
        codes, classes = self._encode(y)
        if _num_samples(X) != len(codes):
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{_num_samples(X)}, {len(codes)}]"
            )
        # Every clone reads the cells this estimator reads as missing.
        estimator = clone_with_missing_label(
            self._inner_estimator(), self._missing_label()
        )
        splits = None
        if ensemble or not frozen:
            splits = self._splits(X, y, codes, classes)
        fitter = Fitter(self.method, classes, self.task_names_, codes)
        if ensemble:
            pairs = Parallel(n_jobs=self.n_jobs)(
                delayed(fitter.fit_pair)(clone(estimator), X, y, train, test, fold)
                for fold, (train, test) in enumerate(splits)
            )
        else:
            pairs = [fitter.fit_on_out_of_fold(estimator, X, y, splits, self.n_jobs)]
        self.calibrated_classifiers_ = pairs
        return self

    def _inner_estimator(self):
        return MultiTaskNetClassifier() if self.estimator is None else self.estimator

    def _splits(self, X, y, codes, classes):
        """The (train, test) index pairs, checked against each task's classes."""
        cv = resolve_cv(self.cv, self.random_state, default_n_splits=_DEFAULT_N_SPLITS)
        n_folds = getattr(cv, "n_splits", None)
        if isinstance(n_folds, numbers.Integral):
            check_class_counts(codes, classes, self.task_names_, n_folds)
        return list(cv.split(X, y))

    def _mean_proba(self, X):
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        pairs = self.calibrated_classifiers_
        mean = pairs[0].predict_proba(X, self.n_tasks_)
        for pair in pairs[1:]:
            for total, proba in zip(mean, pair.predict_proba(X, self.n_tasks_)):
                total += proba
        return [total / len(pairs) for total in mean]

    def predict_proba(self, X):
        """Calibrated class probabilities of each task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
            One array per task, columns ordered as ``classes_[t]``, rows
            summing to 1; a single array when ``y`` was 1-D.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.calibration import CalibratedMultiTaskClassifier
        >>> from sklmtl.datasets import make_multitask_classification
        >>> X, Y = make_multitask_classification(
        ...     n_samples=60, n_features=4, n_tasks=2, random_state=0)
        >>> clf = CalibratedMultiTaskClassifier(
        ...     IndependentTaskClassifier(LogisticRegression()), cv=3).fit(X, Y)
        >>> [round(float(p.sum()), 6) for p in clf.predict_proba(X[:1])]
        [1.0, 1.0]
        """
        return self._shape_proba(self._mean_proba(X))

    def predict(self, X):
        """The most probable calibrated label of each task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_tasks), or (n_samples,)
            Labels from ``classes_``, each column in its task's label kind
            (object dtype only when tasks mix kinds).

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.calibration import CalibratedMultiTaskClassifier
        >>> X = [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]
        >>> Y = [["a", 0], ["a", 0], ["a", 0], ["b", 1], ["b", 1], ["b", 1]]
        >>> clf = CalibratedMultiTaskClassifier(
        ...     IndependentTaskClassifier(LogisticRegression()), cv=3,
        ...     random_state=0).fit(X, Y)
        >>> clf.predict([[0.0], [5.0]]).tolist()
        [['a', 0], ['b', 1]]
        """
        probas = self._mean_proba(X)
        return self._decode(np.column_stack([p.argmax(axis=1) for p in probas]))

    def __sklearn_is_fitted__(self):
        return hasattr(self, "calibrated_classifiers_")
