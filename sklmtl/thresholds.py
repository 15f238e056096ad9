"""Per-task decision thresholds of a multi-task classifier, tuned by validation.

:class:`TunedThresholdMultiTaskClassifier` is
:class:`sklearn.model_selection.TunedThresholdClassifierCV` applied to every
binary task of a multi-task classifier at once: the base estimator is fitted
once per cross-validation split (all tasks together, as it trains), and each
binary task's threshold on the probability of its positive class is chosen
to maximise an objective (F1 by default) on that task's *labelled* held-out
cells, or jointly for the micro-averaged F1 of all of them. On multi-label
targets the argmax decision (0.5) predicts too few positives of rare labels:
per-label thresholds raise the macro-F1, joint ones the micro-F1.

Why not ``TunedThresholdClassifierCV`` per task: it takes a 1-D ``y`` and
would fit one base model per task, losing the sharing, and its
``cv=<int>`` stratifies on one column. Like calibration, this is a
meta-estimator over predictions: it sits at the top of the package and
imports the estimators, never the reverse.
"""

import numbers
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils import indexable
from sklearn.utils.validation import _num_samples, check_is_fitted

from ._cv import resolve_cv
from ._meta._base import MultiTaskMetaEstimator
from ._meta._missing_label import clone_with_missing_label
from ._threshold_params import check_scoring, check_tasks, check_thresholds
from ._threshold_tuning import (
    DEFAULT_THRESHOLD,
    aligned_probas,
    candidates,
    fit_and_predict,
    held_out,
    informative,
    tune_jointly,
    tune_one,
)
from ._validation import InstanceOf, Interval, Options, validate_params
from ._weights import check_sample_weight
from .classifier import MultiTaskNetClassifier

__all__ = ["TunedThresholdMultiTaskClassifier"]


class TunedThresholdMultiTaskClassifier(MultiTaskMetaEstimator):
    """Tune the decision threshold of each binary task by cross-validation.

    :class:`sklearn.model_selection.TunedThresholdClassifierCV` for
    multi-task classifiers. For each cross-validation split a clone of
    ``estimator`` is fitted on the training rows (every task at once); for
    each tuned task, the objective ``scoring`` of the decision
    ``proba[:, 1] >= threshold`` is computed at every candidate threshold on
    that task's labelled held-out cells, averaged over the splits, and the
    best threshold kept. ``predict`` applies it to the probability of the
    task's positive class ``classes_[t][1]``; tasks that are not tuned
    (tasks with more than two classes) keep the most probable class.
    ``predict_proba`` is the base estimator's, unchanged.

    A task whose labelled held-out cells in a split are all of one class
    gives no information about its threshold there: that split is left out
    of the task's average (with ``scoring="f1_micro"`` it still counts: its
    false positives lower the pooled F1). When no split is left (a very rare label), the
    task keeps the threshold 0.5 (the most probable class), its
    ``best_scores_`` entry is NaN, and a ``UserWarning`` names it. A task
    that has one class only in the whole training ``y`` (a label always 0,
    or always 1) is refused with a ``ValueError`` naming it, as every sklmtl
    classifier refuses it; so is a split whose *training* rows hold one
    class only of some task, when the estimator refuses them (the error
    names the task: use fewer folds or a splitter that stratifies it).

    Parameters
    ----------
    estimator : classifier, default=None
        The multi-task classifier; its ``predict_proba`` returns one
        ``(n_samples, n_classes_t)`` array per task, columns ordered as its
        ``classes_[t]`` (sklmtl's estimators and baselines,
        :class:`sklearn.multioutput.MultiOutputClassifier`). None means
        ``MultiTaskNetClassifier()``. Fix its own ``random_state`` for
        reproducible fits. A fitted estimator wrapped in
        :class:`sklearn.frozen.FrozenEstimator` is tuned on all the data
        given to ``fit`` without being refitted (``cv`` and ``refit`` are
        then ignored); keep that data apart from its training data.
    scoring : str or callable, default="f1"
        The objective to maximise per task: one of ``"f1"``,
        ``"balanced_accuracy"``, ``"accuracy"``, ``"precision"``,
        ``"recall"``, ``"jaccard"``, ``"matthews_corrcoef"`` (scikit-learn's
        metric of that name, ``zero_division=0``), or a callable
        ``metric(y_true, y_pred) -> float``, greater is better, on 0/1
        arrays where 1 is the task's positive class ``classes_[t][1]``.
        ``"f1_micro"`` instead maximises the micro-averaged F1 of all tuned
        tasks together (every labelled held-out cell pooled, as
        :func:`~sklmtl.metrics.multilabel_f1_score` computes it): the
        thresholds are chosen jointly, by coordinate ascent from 0.5, one
        task at a time until none moves (a local optimum). Per-task F1
        favours rare labels (it lowers their thresholds, raising macro-F1);
        micro-F1 weighs every cell alike, so frequent labels dominate it.
        ``"accuracy"`` minimises the Hamming loss of the tuned tasks (the
        mean of their error rates, each label's threshold chosen for its
        own); for calibrated probabilities 0.5 already does.
    thresholds : int or array-like of shape (n_thresholds,), default=100
        Candidate thresholds: an int ``n`` gives ``n`` evenly spaced values
        between the smallest and the largest held-out positive-class
        probability of the task (as scikit-learn does) and 0.5, the untuned
        decision, which is kept on a tie (so tuning never scores below the
        untuned decision on its own splits, and a rare label whose
        probabilities stay below 0.5 can keep predicting no positive); an
        array is used as given for every task.
    cv : int, float, cross-validation generator, iterable or None, \
default=None
        How the rows are split: None means 5 folds; an int ``k`` means
        ``KFold(k, shuffle=True, random_state=random_state)``; a float in
        (0, 1) means one shuffled validation split holding out that share
        of the rows; any splitter object (e.g. a multi-task stratified
        splitter) or an iterable of ``(train, test)`` index arrays is used
        as given.
    refit : bool, default=True
        Whether the estimator that predicts is refitted on all the rows.
        False keeps the one fitted on the training rows of the single split
        (``cv`` must then give one split).
    tasks : "binary" or list of str or int, default="binary"
        The tasks to tune: ``"binary"`` tunes every task with two classes;
        a list names tasks (by ``task_names_`` entry or column index), each
        of which must be binary.
    n_jobs : int or None, default=None
        Splits fitted in parallel (joblib); None means 1.
    random_state : int, RandomState instance or None, default=None
        Shuffles the rows of the default, int and float ``cv``.
    store_cv_results : bool, default=False
        Whether to keep every tuned task's candidate thresholds and mean
        objective in ``cv_results_``.
    missing_label : scalar, default=np.nan
        Marks unknown cells of ``y`` in addition to ``None``, ``NaN`` and
        ``pd.NA``; they are left out of the tuning and of :meth:`score`.
        Left at NaN, the ``missing_label`` of ``estimator`` is used, so its
        sentinel never becomes a class (a binary task stays binary and is
        tuned); a different value from the estimator's raises a
        ``ValueError``. The clones fitted per split get the value in effect.

    Attributes
    ----------
    estimator_ : estimator
        The fitted estimator that predicts.
    best_thresholds_ : dict of str to float
        The chosen threshold of each tuned task, keyed by task name.
    best_scores_ : dict of str to float
        The mean held-out objective at that threshold (NaN for a task that
        could not be tuned); with ``scoring="f1_micro"`` the micro-F1 of all
        tuned tasks, the same for each.
    cv_results_ : dict of str to dict
        Only with ``store_cv_results=True``: per tuned task,
        ``{"thresholds": ndarray, "scores": ndarray}``.
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
    sklearn.model_selection.TunedThresholdClassifierCV : the single-output
        original.
    sklmtl.calibration.CalibratedMultiTaskClassifier : per-task calibration.
    sklmtl.metrics.multilabel_f1_score : micro, macro and samples F1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> from sklmtl.thresholds import TunedThresholdMultiTaskClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 4))
    >>> Y = (X[:, :3] + rng.normal(size=(300, 3)) > 1.5).astype(float)  # rare
    >>> Y[rng.rand(300, 3) < 0.2] = np.nan  # unknown cells
    >>> base = IndependentTaskClassifier(LogisticRegression())
    >>> clf = TunedThresholdMultiTaskClassifier(base, cv=3, random_state=0)
    >>> clf = clf.fit(X, Y)
    >>> {task: round(t, 2) for task, t in clf.best_thresholds_.items()}
    {'task_0': 0.21, 'task_1': 0.17, 'task_2': 0.38}
    >>> clf.predict(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints = {
        "refit": [InstanceOf(bool, np.bool_, name="bool")],
        "n_jobs": [Options({None}), Interval(numbers.Integral, None, None)],
        "store_cv_results": [InstanceOf(bool, np.bool_, name="bool")],
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
        scoring="f1",
        thresholds=100,
        cv=None,
        refit=True,
        tasks="binary",
        n_jobs=None,
        random_state=None,
        store_cv_results=False,
        missing_label=np.nan,
    ):
        self.estimator = estimator
        self.scoring = scoring
        self.thresholds = thresholds
        self.cv = cv
        self.refit = refit
        self.tasks = tasks
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.store_cv_results = store_cv_results
        self.missing_label = missing_label

    def fit(self, X, y, sample_weight=None):
        """Fit the base estimator per split and tune each binary task's threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, as the base estimator accepts it.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, one column per task (each column keeps its own label kind),
            with missing cells.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row or per label cell. The base estimator's ``fit``
            gets them (its training rows of each split, and all rows for the
            refit; it must accept ``sample_weight``), and each task's objective
            weighs its held-out cells by them (a callable ``scoring`` gets
            them as ``sample_weight``). A weight of 2 counts a cell twice, a
            weight of 0 leaves it out.

        Returns
        -------
        self : TunedThresholdMultiTaskClassifier
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.naive_bayes import GaussianNB
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.thresholds import TunedThresholdMultiTaskClassifier
        >>> rng = np.random.RandomState(0)
        >>> X = rng.normal(size=(80, 2))
        >>> Y = np.column_stack([X[:, 0] > 0.5, np.digitize(X[:, 1], [-1, 1])])
        >>> clf = TunedThresholdMultiTaskClassifier(
        ...     IndependentTaskClassifier(GaussianNB()), cv=0.5, random_state=0)
        >>> list(clf.fit(X, Y).best_thresholds_)  # task_1 has 3 classes
        ['task_0']
        """
        validate_params(
            self.get_params(deep=False),
            self._parameter_constraints,
            "TunedThresholdMultiTaskClassifier",
        )
        scoring = check_scoring(self.scoring)
        grid = check_thresholds(self.thresholds)
        for attribute in (
            "estimator_",
            "best_thresholds_",
            "best_scores_",
            "cv_results_",
        ):
            if hasattr(self, attribute):  # a failed refit leaves it unfitted
                delattr(self, attribute)
        # Every clone reads the cells this estimator reads as missing.
        estimator = clone_with_missing_label(
            self._inner_estimator(), self._missing_label()
        )
        X = self._validate_X(X, reset=True)
        (y,) = indexable(y)
        codes, classes = self._encode(y)
        if _num_samples(X) != len(codes):
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{_num_samples(X)}, {len(codes)}]"
            )
        weights = check_sample_weight(sample_weight, codes >= 0, self.task_names_)
        if sample_weight is not None:  # the estimator gets the shape given
            sample_weight = np.asarray(sample_weight, dtype=float)
        tuned = check_tasks(self.tasks, self.task_names_, classes)
        frozen = isinstance(estimator, FrozenEstimator)
        splits = [(None, np.arange(len(codes)))]
        if not frozen:
            cv = resolve_cv(self.cv, self.random_state, allow_float=True)
            splits = list(cv.split(X, y))
            if not self.refit and len(splits) != 1:
                raise ValueError(
                    f"refit=False needs cv to give one split; it gives "
                    f"{len(splits)}. Use a float cv (one validation split) or "
                    "refit=True."
                )
        folds = Parallel(n_jobs=self.n_jobs)(
            delayed(fit_and_predict)(
                estimator if frozen else clone(estimator),
                X,
                y,
                train,
                test,
                classes,
                self.task_names_,
                codes,
                sample_weight,
            )
            for train, test in splits
        )
        self._tune(scoring, grid, tuned, codes, weights, splits, folds)
        if frozen:
            self.estimator_ = estimator
        elif self.refit:
            fit_weights = (
                {} if sample_weight is None else {"sample_weight": sample_weight}
            )
            self.estimator_ = clone(estimator).fit(X, y, **fit_weights)
        else:
            self.estimator_ = folds[0][0]
        return self

    def _inner_estimator(self):
        return MultiTaskNetClassifier() if self.estimator is None else self.estimator

    def _tune(self, scoring, grid, tuned, codes, weights, splits, folds):
        joint = isinstance(scoring, str)  # "f1_micro": all tasks at once
        tasks = {}  # task index -> (candidates, held-out parts per split)
        chosen = {}  # task index -> (threshold, score)
        for t in tuned:
            parts = [
                held_out(
                    codes[test, t], p[t], None if weights is None else weights[test, t]
                )
                for (_, test), (_, p) in zip(splits, folds)
            ]
            useful = [p for p in parts if p is not None and (joint or informative(p))]
            if useful:
                tasks[t] = (candidates(grid, useful), parts)
                continue
            warnings.warn(
                f"Task {self.task_names_[t]!r} cannot be tuned: no split holds out "
                f"labelled cells{'' if joint else ' of both its classes'}. It keeps "
                "the threshold 0.5 (the most probable class); use fewer folds or "
                "a stratified splitter.",
                UserWarning,
                stacklevel=3,
            )
            chosen[t] = (DEFAULT_THRESHOLD, float("nan"))
        if joint and tasks:
            results = tune_jointly(tasks)
        else:
            results = {
                t: tune_one(scoring, task_grid, parts)
                for t, (task_grid, parts) in tasks.items()
            }
        for t, (best, curve) in results.items():
            chosen[t] = (float(tasks[t][0][best]), float(curve[best]))
        names = [self.task_names_[t] for t in sorted(chosen)]
        self.best_thresholds_ = {n: chosen[t][0] for n, t in zip(names, sorted(chosen))}
        self.best_scores_ = {n: chosen[t][1] for n, t in zip(names, sorted(chosen))}
        if self.store_cv_results:
            self.cv_results_ = {
                self.task_names_[t]: {"thresholds": tasks[t][0], "scores": curve}
                for t, (_, curve) in sorted(results.items())
            }

    def _probas(self, X):
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return aligned_probas(
            self.estimator_, X, self._classes_list(), self.task_names_
        )

    def predict_proba(self, X):
        """The base estimator's class probabilities of each task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
            One array per task, columns ordered as ``classes_[t]``; a single
            array when ``y`` was 1-D. The thresholds do not change them.

        Examples
        --------
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.thresholds import TunedThresholdMultiTaskClassifier
        >>> X = [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]
        >>> Y = [[0, "a"], [0, "a"], [0, "b"], [1, "b"], [1, "b"], [1, "c"]]
        >>> clf = TunedThresholdMultiTaskClassifier(
        ...     IndependentTaskClassifier(LogisticRegression()), cv=0.5,
        ...     random_state=0).fit(X, Y)
        >>> [p.shape for p in clf.predict_proba(X[:2])]
        [(2, 2), (2, 3)]
        """
        return self._shape_proba(self._probas(X))

    def predict(self, X):
        """Labels: each tuned task by its threshold, the others by argmax.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_tasks), or (n_samples,)
            Labels from ``classes_``: a tuned task predicts ``classes_[t][1]``
            where the probability of that class is at least its threshold.

        Examples
        --------
        >>> from sklearn.frozen import FrozenEstimator
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.thresholds import TunedThresholdMultiTaskClassifier
        >>> X = [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]
        >>> Y = [["no"], ["no"], ["no"], ["yes"], ["no"], ["yes"]]
        >>> base = IndependentTaskClassifier(LogisticRegression()).fit(X, Y)
        >>> clf = TunedThresholdMultiTaskClassifier(
        ...     FrozenEstimator(base), thresholds=[0.3, 0.5]).fit(X, Y)
        >>> clf.best_thresholds_
        {'task_0': 0.3}
        >>> base.predict_proba([[3.0]])[0].round(2).tolist()  # [P(no), P(yes)]
        [[0.64, 0.36]]
        >>> base.predict([[3.0]]).tolist(), clf.predict([[3.0]]).tolist()
        ([['no']], [['yes']])
        """
        probas = self._probas(X)
        codes = np.column_stack([p.argmax(axis=1) for p in probas])
        for t, name in enumerate(self.task_names_):
            if name in self.best_thresholds_:
                codes[:, t] = probas[t][:, 1] >= self.best_thresholds_[name]
        return self._decode(codes)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "estimator_")
