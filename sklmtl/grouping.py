"""Task grouping from measured affinity: one shared network per group of tasks.

:class:`TaskGroupingClassifier` follows TAG (Fifty et al., "Efficiently
Identifying Task Groupings for Multi-Task Learning", NeurIPS 2021): a short
*probe* fit of one shared network measures the inter-task affinity
(:class:`~sklmtl.callbacks.TaskAffinity`), the partition of the tasks with
the highest total within-group affinity is chosen (:mod:`sklmtl._partition`),
and one clone of the base estimator is fitted per group on that group's
tasks. Between one shared network (``n_groups=1``) and one network per task
(``n_groups=n_tasks``, like
:class:`~sklmtl.baselines.IndependentTaskClassifier`), the number of groups
is a hyperparameter that ``GridSearchCV`` can search.

Groups are a partition (each task is served by exactly one network), not
TAG's overlapping groups, so that the cost stays one network per group.
"""

import numbers

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from ._meta._base import MultiTaskMetaEstimator
from ._meta._group_params import GroupParams
from ._meta._missing_label import clone_with_missing_label
from ._partition import best_partition
from ._targets import MISSING_CODE
from ._task_affinity import TaskAffinity, normalized_affinity
from ._weights import check_sample_weight
from .classifier import MultiTaskNetClassifier

__all__ = ["TaskGroupingClassifier"]

_AFFINITIES = ("lookahead", "cosine")


class TaskGroupingClassifier(MultiTaskMetaEstimator):
    """Group tasks by measured affinity and fit one shared network per group.

    ``fit`` runs three steps (TAG, Fifty et al., NeurIPS 2021):

    1. a probe fit: a clone of ``estimator`` trained on all tasks and all
       rows (early stopping off) for ``probe_epochs`` epochs with a
       :class:`~sklmtl.callbacks.TaskAffinity`
       callback measuring the affinity every ``affinity_every`` steps;
    2. the partition of the tasks that maximises the total within-group
       affinity: ``n_groups`` groups, or, with ``n_groups=None``, as many as
       pairs above ``threshold`` justify (groups of one task allowed).
       With up to 8 tasks every partition is scored, beyond that a greedy
       merge refined by single-task moves;
    3. one clone of ``estimator`` per group, fitted on the group's tasks
       (rows where all of them are missing left out).

    Every network is fitted on ``y`` encoded per task (codes ``0 ..
    n_classes_t - 1``, ``-1`` for a missing cell, tasks named ``task_0``,
    ``task_1``, ... in the group's order). The estimator's per-task
    parameters follow: a ``class_weight`` list keeps each group's entries
    (``{label: weight}`` becoming ``{code: weight}``), and fixed
    ``task_weighting`` weights (a list, a ``{task_name: weight}`` dict or a
    :class:`~sklmtl.weighting.FixedWeighting`) become each group's list.

    Parameters
    ----------
    estimator : MultiTaskNetClassifier or None, default=None
        The network cloned for the probe and for every group; None means
        ``MultiTaskNetClassifier()``. It needs a ``callbacks`` parameter and
        an architecture with shared parameters (``"hps"``, ``"mmoe"``).
        Its ``missing_label`` is the one used, unless this estimator's own is
        set (see ``missing_label``).
    n_groups : int or None, default=None
        Number of groups. None chooses it from ``threshold``. Must not
        exceed the number of tasks.
    threshold : float, default=0.05
        With ``n_groups=None``: two tasks gain from sharing a network when
        their normalised affinity exceeds it; a task joins a group when its
        summed gain there is positive. The normalised affinity is
        cosine-like (1 on the diagonal, about 0 for unrelated tasks, with
        noise of a few hundredths); raise the threshold for more, smaller
        groups.
    affinity : {"lookahead", "cosine"}, default="lookahead"
        What the grouping maximises: TAG's lookahead affinity normalised by
        the tasks' self-affinities
        (:func:`~sklmtl.callbacks.normalized_affinity`), or the cosine
        similarity of the task gradients.
    probe_epochs : int, default=5
        Epochs of the probe fit, all of them on every row (its
        ``early_stopping`` and ``tol`` are turned off).
    affinity_every : int, default=1
        The probe measures the affinity every this many training steps. The
        probe is short, and every measurement makes the grouping less noisy
        (chosen on ``benchmarks/grouping.py``'s seeds, where measuring every
        step recovered the true groups on 5 of 5).
    missing_label : scalar, default=np.nan
        Marks unknown cells of ``y`` in addition to ``None``, ``NaN`` and
        ``pd.NA``. Left at NaN, the ``missing_label`` of ``estimator`` is
        used, so its sentinel never becomes a class; a different value from
        the estimator's raises a ``ValueError``.
    random_state : int, RandomState instance or None, default=None
        Seeds the probe and every group's network (their ``random_state``);
        None keeps the estimator's own.

    Attributes
    ----------
    groups_ : list of list of int
        The tasks (indices into ``task_names_``) of each group.
    group_labels_ : ndarray of shape (n_tasks,)
        The group of each task.
    affinity_ : ndarray of shape (n_tasks, n_tasks) or None
        The symmetric affinity the grouping maximised; None with one task.
    probe_ : estimator or None
        The fitted probe (``task_affinity_``, ``gradient_cosine_``,
        ``history_``); None with one task, where there is nothing to group
        and no probe is fitted.
    estimators_ : list of estimator
        The fitted network of each group, in the order of ``groups_``.
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
    sklmtl.callbacks.TaskAffinity : the affinity measurement.
    sklmtl.baselines.IndependentTaskClassifier : one network per task.
    sklmtl.display.TaskAffinityDisplay : plots the probe's affinity.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.grouping import TaskGroupingClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 0] > 0.2, X[:, 1] > 0])
    >>> net = MultiTaskNetClassifier(hidden_layer_sizes=(16,), max_epochs=5)
    >>> clf = TaskGroupingClassifier(net, n_groups=2, random_state=0).fit(X, Y)
    >>> clf.groups_
    [[0, 1], [2]]
    >>> clf.predict(X[:2]).shape
    (2, 3)
    """

    def __init__(
        self,
        estimator=None,
        *,
        n_groups=None,
        threshold=0.05,
        affinity="lookahead",
        probe_epochs=5,
        affinity_every=1,
        missing_label=np.nan,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_groups = n_groups
        self.threshold = threshold
        self.affinity = affinity
        self.probe_epochs = probe_epochs
        self.affinity_every = affinity_every
        self.missing_label = missing_label
        self.random_state = random_state

    def _inner_estimator(self):
        if self.estimator is None:
            return MultiTaskNetClassifier()
        return self.estimator

    def _check_params(self, n_tasks):
        for name in ("probe_epochs", "affinity_every", "n_groups"):
            value = getattr(self, name)
            if name == "n_groups" and value is None:
                continue
            expected = "an int >= 1" + (" or None" if name == "n_groups" else "")
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                # A wrong type is a TypeError, as in scikit-learn.
                raise TypeError(f"{name} must be {expected}; got {value!r}.")
            if value < 1:
                raise ValueError(f"{name} must be {expected}; got {value!r}.")
        if self.n_groups is not None:
            if self.n_groups > n_tasks:
                raise ValueError(
                    f"n_groups={self.n_groups} exceeds the number of tasks "
                    f"({n_tasks}); use at most {n_tasks} groups (one per task)."
                )
        if isinstance(self.threshold, bool) or not isinstance(
            self.threshold, numbers.Real
        ):
            raise TypeError(f"threshold must be a float; got {self.threshold!r}.")
        if self.affinity not in _AFFINITIES:
            raise ValueError(
                f"affinity must be one of {list(_AFFINITIES)}; got {self.affinity!r}."
            )
        inner = self._inner_estimator()
        if not is_classifier(inner) or "callbacks" not in inner.get_params(deep=False):
            raise TypeError(
                "TaskGroupingClassifier needs a sklmtl network classifier (with a "
                "callbacks parameter, e.g. MultiTaskNetClassifier) to measure task "
                f"affinity; got {type(inner).__name__}."
            )

    def _clone(self, seed, group_params, tasks, **params):
        """A network for ``tasks``, fitted on their codes (``-1`` missing)."""
        inner = self._inner_estimator()
        if seed is not None and "random_state" in inner.get_params(deep=False):
            params["random_state"] = seed
        params.update(group_params.for_tasks(tasks))
        return clone_with_missing_label(inner, MISSING_CODE, **params)

    def fit(self, X, y, sample_weight=None):
        """Probe the affinity, group the tasks, fit one network per group.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, one column per task, with missing cells.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row or per label cell, handed to the probe and to
            each group's network (its columns).

        Returns
        -------
        self : TaskGroupingClassifier
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from sklmtl import MultiTaskNetClassifier
        >>> from sklmtl.grouping import TaskGroupingClassifier
        >>> X = np.random.RandomState(0).normal(size=(40, 2))
        >>> clf = TaskGroupingClassifier(
        ...     MultiTaskNetClassifier(max_epochs=2), n_groups=1, probe_epochs=1)
        >>> clf.fit(X, np.column_stack([X[:, 0] > 0, X[:, 1] > 0])).groups_
        [[0, 1]]
        """
        X = self._validate_X(X, reset=True)
        codes, classes = self._encode(y)
        check_consistent_length(X, codes)
        n_tasks = codes.shape[1]
        self._check_params(n_tasks)
        group_params = GroupParams(
            self._inner_estimator().get_params(deep=False),
            codes,
            classes,
            self.task_names_,
        )
        # Per cell, validated once; every group gets its columns.
        weights = check_sample_weight(sample_weight, codes >= 0, self.task_names_)
        rng = check_random_state(self.random_state)
        seeds = rng.randint(2**31 - 1, size=n_tasks + 1)
        if self.random_state is None:
            seeds = [None] * (n_tasks + 1)
        if n_tasks == 1:
            self.probe_, self.affinity_ = None, None
            labels = np.zeros(1, dtype=np.int64)
        else:
            labels = self._probe_and_group(X, codes, weights, seeds[0], group_params)
        self.group_labels_ = labels
        self.groups_ = [
            np.flatnonzero(labels == g).tolist() for g in range(labels.max() + 1)
        ]
        self.estimators_ = [
            self._fit_group(X, codes, weights, group, seed, group_params)
            for group, seed in zip(self.groups_, seeds[1:])
        ]
        return self

    def _probe_and_group(self, X, codes, weights, seed, group_params):
        all_tasks = range(codes.shape[1])
        probe = self._clone(seed, group_params, all_tasks, max_epochs=self.probe_epochs)
        params = probe.get_params(deep=False)
        if "early_stopping" in params:
            # A probe of fixed length measures on every row: no hold-out.
            probe.set_params(early_stopping=False)
        if "tol" in params:
            # ... and runs all its epochs.
            probe.set_params(tol=None)
        callbacks = list(params["callbacks"] or [])
        callbacks.append(("task_affinity", TaskAffinity(every=self.affinity_every)))
        probe.set_params(callbacks=callbacks)
        probe.fit(X, codes, **({} if weights is None else {"sample_weight": weights}))
        self.probe_ = probe
        if self.affinity == "cosine":
            affinity = np.nan_to_num(probe.gradient_cosine_, nan=0.0)
            np.fill_diagonal(affinity, 1.0)
        else:
            affinity = normalized_affinity(probe.task_affinity_)
        self.affinity_ = (affinity + affinity.T) / 2.0
        return best_partition(self.affinity_, self.n_groups, self.threshold)

    def _fit_group(self, X, codes, weights, group, seed, group_params):
        rows = np.flatnonzero((codes[:, group] >= 0).any(axis=1))
        kwargs = {}
        if weights is not None:
            kwargs["sample_weight"] = weights[np.ix_(rows, group)]
        estimator = self._clone(seed, group_params, group)
        return estimator.fit(
            _safe_indexing(X, rows), codes[np.ix_(rows, group)], **kwargs
        )

    def _group_outputs(self, X, method):
        """``method``'s output of every task, in task order."""
        outputs = [None] * self.n_tasks_
        for group, estimator in zip(self.groups_, self.estimators_):
            result = getattr(estimator, method)(X)
            if method == "predict":
                result = np.asarray(result).reshape(X.shape[0], len(group)).T
            for task, value in zip(group, result):
                outputs[task] = value
        return outputs

    def predict(self, X):
        """Predict every task with its group's network.

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
        >>> import numpy as np
        >>> from sklmtl import MultiTaskNetClassifier
        >>> from sklmtl.grouping import TaskGroupingClassifier
        >>> X = np.random.RandomState(0).normal(size=(40, 2))
        >>> Y = np.column_stack([np.where(X[:, 0] > 0, "a", "b"), X[:, 1] > 0])
        >>> clf = TaskGroupingClassifier(
        ...     MultiTaskNetClassifier(max_epochs=2), n_groups=2, probe_epochs=1)
        >>> clf.fit(X, Y).predict(X[:1]).shape
        (1, 2)
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        codes = np.column_stack(self._group_outputs(X, "predict")).astype(np.int64)
        return self._decode(codes)

    def predict_proba(self, X):
        """Class probabilities of each task from its group's network.

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
        >>> import numpy as np
        >>> from sklmtl import MultiTaskNetClassifier
        >>> from sklmtl.grouping import TaskGroupingClassifier
        >>> X = np.random.RandomState(0).normal(size=(40, 2))
        >>> clf = TaskGroupingClassifier(
        ...     MultiTaskNetClassifier(max_epochs=2), n_groups=2, probe_epochs=1)
        >>> clf = clf.fit(X, np.column_stack([X[:, 0] > 0, X[:, 1] > 0]))
        >>> [p.shape for p in clf.predict_proba(X[:3])]
        [(3, 2), (3, 2)]
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        probas = []
        for proba in self._group_outputs(X, "predict_proba"):
            probas.append(np.asarray(proba, dtype=float))
        return self._shape_proba(probas)
