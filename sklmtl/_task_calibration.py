"""The per-task calibration machinery behind CalibratedMultiTaskClassifier.

Plain numpy and scikit-learn. Per task, scikit-learn's own recipe: one
calibrator on the positive class of a binary task, one-vs-rest calibrators
renormalised for a multiclass task, each ``_SigmoidCalibration`` (Platt
scaling, the private class that ``CalibratedClassifierCV`` uses; its
``fit``/``predict`` interface is unchanged since scikit-learn 0.16) or
``IsotonicRegression(out_of_bounds="clip")``.
"""

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.calibration import _SigmoidCalibration
from sklearn.isotonic import IsotonicRegression
from sklearn.utils import _safe_indexing

__all__ = ["CalibratedPair", "Fitter", "TaskCalibration", "check_class_counts"]


class TaskCalibration:
    """The calibrators of one task, for one fitted base estimator.

    ``calibrators[j]`` maps the base estimator's probability column
    ``columns[j]`` to the calibrated probability of class
    ``classes_[t][class_indices[j]]``. A binary task has a single
    calibrator, for the positive class (``classes_[t][1]``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._task_calibration import TaskCalibration
    >>> scores = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    >>> codes = np.array([0, 1, 0, 1])
    >>> calibration = TaskCalibration.fit(
    ...     scores, np.array([0, 1]), codes, n_classes=2, method="isotonic")
    >>> calibration.predict_proba(scores)[:, 1].tolist()
    [0.0, 0.5, 0.5, 1.0]
    """

    def __init__(self, columns, class_indices, calibrators, n_classes):
        self.columns = columns
        self.class_indices = class_indices
        self.calibrators = calibrators
        self.n_classes = n_classes

    @classmethod
    def fit(cls, scores, class_indices, codes, n_classes, method):
        """Fit on ``scores`` (base probability columns) against class ``codes``.

        ``class_indices[j]`` is the position in the task's classes of the
        class whose probability is ``scores[:, j]``.
        """
        columns = np.arange(len(class_indices))
        if n_classes == 2:
            columns = np.flatnonzero(class_indices == 1)
        calibrators = []
        for column in columns:
            if method == "isotonic":
                calibrator = IsotonicRegression(out_of_bounds="clip")
            else:
                calibrator = _SigmoidCalibration()
            target = (codes == class_indices[column]).astype(float)
            calibrators.append(calibrator.fit(scores[:, column], target))
        return cls(columns, class_indices[columns], calibrators, n_classes)

    def predict_proba(self, scores):
        """Calibrated probabilities, columns in the order of the task's classes."""
        proba = np.zeros((len(scores), self.n_classes))
        for column, index, calibrator in zip(
            self.columns, self.class_indices, self.calibrators
        ):
            proba[:, index] = calibrator.predict(scores[:, column])
        if self.n_classes == 2:
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            total = proba.sum(axis=1, keepdims=True)
            # Every calibrator may say 0 for a sample: fall back to uniform,
            # as scikit-learn does.
            uniform = np.full_like(proba, 1.0 / self.n_classes)
            proba = np.divide(proba, total, out=uniform, where=total != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba


class CalibratedPair:
    """A fitted base estimator and one :class:`TaskCalibration` per task.

    Examples
    --------
    >>> from sklmtl._task_calibration import CalibratedPair
    >>> CalibratedPair(estimator=None, tasks=[]).tasks
    []
    """

    def __init__(self, estimator, tasks):
        self.estimator = estimator
        self.tasks = tasks

    def predict_proba(self, X, n_tasks):
        scores = _base_probas(self.estimator, X, n_tasks)
        return [task.predict_proba(s) for task, s in zip(self.tasks, scores)]


class Fitter:
    """Fits the calibrations of every task for one calibration method.

    Parameters
    ----------
    method : {"sigmoid", "isotonic"}
        The calibrator of each class.
    classes : list of ndarray
        Each task's classes, learned from the whole ``y``.
    task_names : list of str
        For messages.
    codes : ndarray of shape (n_samples, n_tasks)
        ``y`` encoded against ``classes`` (``-1`` for a missing cell).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklmtl._task_calibration import Fitter
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> codes = np.array([[0], [0], [1], [0], [1], [1]])
    >>> fitter = Fitter("sigmoid", [np.array(["a", "b"])], ["t"], codes)
    >>> y = np.array(["a", "a", "b", "a", "b", "b"])
    >>> pair = fitter.fit_pair(GaussianNB(), X, y, np.arange(4), np.arange(2, 6),
    ...                        fold=0)
    >>> pair.predict_proba(X[:1], n_tasks=1)[0].shape
    (1, 2)
    """

    def __init__(self, method, classes, task_names, codes):
        self.method = method
        self.classes = classes
        self.task_names = task_names
        self.codes = codes

    def class_indices(self, estimator):
        """Where each of the fitted estimator's classes sits in ``classes_[t]``."""
        fitted = estimator.classes_
        fitted = [fitted] if len(self.classes) == 1 and _is_flat(fitted) else fitted
        if len(fitted) != len(self.classes):
            raise ValueError(
                f"The base estimator has {len(fitted)} task(s) in classes_ but y "
                f"has {len(self.classes)}."
            )
        indices = []
        for name, task_classes, own in zip(self.task_names, self.classes, fitted):
            lookup = {label: i for i, label in enumerate(task_classes.tolist())}
            try:
                idx = np.array([lookup[c] for c in np.asarray(own).tolist()], dtype=int)
            except KeyError as exc:
                raise ValueError(
                    f"Task {name!r}: the base estimator predicts class "
                    f"{exc.args[0]!r}, which is not one of the labels in y "
                    f"{task_classes.tolist()}."
                ) from None
            if len(task_classes) == 2 and len(idx) != 2:
                raise ValueError(
                    f"Task {name!r}: the base estimator was fitted on one class "
                    f"only ({np.asarray(own).tolist()}); a training fold must "
                    "show both classes of a binary task. Use fewer folds or a "
                    "stratified splitter."
                )
            indices.append(idx)
        return indices

    def calibrate(self, estimator, scores, rows, fold):
        """One calibration per task, on the labelled cells among ``rows``."""
        tasks = []
        for t, (idx, name) in enumerate(
            zip(self.class_indices(estimator), self.task_names)
        ):
            task_codes = self.codes[rows, t]
            labelled = task_codes >= 0
            if not labelled.any():
                where = "the data" if fold is None else f"held-out fold {fold}"
                raise ValueError(
                    f"Task {name!r} has no labelled sample in {where}, so it cannot "
                    "be calibrated; use fewer folds or a stratified splitter."
                )
            tasks.append(
                TaskCalibration.fit(
                    scores[t][labelled],
                    idx,
                    task_codes[labelled],
                    len(self.classes[t]),
                    self.method,
                )
            )
        return CalibratedPair(estimator, tasks)

    def fit_pair(self, estimator, X, y, train, test, fold):
        """Fit on ``train``, calibrate on ``test`` (``ensemble=True``)."""
        estimator.fit(_safe_indexing(X, train), _safe_indexing(y, train))
        scores = _base_probas(estimator, _safe_indexing(X, test), len(self.classes))
        return self.calibrate(estimator, scores, test, fold)

    def fit_on_out_of_fold(self, estimator, X, y, splits, n_jobs):
        """Calibrate on out-of-fold probabilities, then fit on all rows."""
        n_samples = len(self.codes)
        if splits is None:
            final = estimator
            scores = _base_probas(final, X, len(self.classes))
        else:
            held_out = np.bincount(
                np.concatenate([test for _, test in splits]), minlength=n_samples
            )
            if np.any(held_out != 1):
                raise ValueError(
                    "ensemble=False needs out-of-fold probabilities for every row: "
                    "the test sets of cv must partition the rows (each row held "
                    f"out exactly once); {int(np.sum(held_out != 1))} row(s) are "
                    "not. Use a KFold-like splitter or ensemble=True."
                )
            scores = [np.zeros((n_samples, len(c))) for c in self.classes]
            folds = Parallel(n_jobs=n_jobs)(
                delayed(self.out_of_fold)(clone(estimator), X, y, train, test)
                for train, test in splits
            )
            for test, fold_scores in folds:
                for out, fold_score in zip(scores, fold_scores):
                    out[test] = fold_score
            final = clone(estimator).fit(X, y)
            # Out-of-fold columns follow the task classes; give the calibrators
            # the final estimator's columns, as cross_val_predict does.
            scores = [s[:, idx] for s, idx in zip(scores, self.class_indices(final))]
        return self.calibrate(final, scores, np.arange(n_samples), None)

    def out_of_fold(self, estimator, X, y, train, test):
        estimator.fit(_safe_indexing(X, train), _safe_indexing(y, train))
        fold = _base_probas(estimator, _safe_indexing(X, test), len(self.classes))
        full = []
        for task_classes, idx, proba in zip(
            self.classes, self.class_indices(estimator), fold
        ):
            out = np.zeros((len(proba), len(task_classes)))
            out[:, idx] = proba
            full.append(out)
        return test, full


def _is_flat(classes):
    """Whether ``classes_`` is one task's labels rather than a list per task."""
    return (
        isinstance(classes, np.ndarray)
        and classes.ndim == 1
        and not any(isinstance(c, (list, tuple, np.ndarray)) for c in classes)
    )


def _base_probas(estimator, X, n_tasks):
    """The base estimator's ``predict_proba`` as one 2-D array per task."""
    probas = estimator.predict_proba(X)
    if isinstance(probas, np.ndarray) and n_tasks == 1 and probas.ndim == 2:
        probas = [probas]
    if not isinstance(probas, (list, tuple)) or len(probas) != n_tasks:
        raise TypeError(
            f"{type(estimator).__name__}.predict_proba must return a list with one "
            f"(n_samples, n_classes_t) array per task ({n_tasks}); got "
            f"{type(probas).__name__}."
        )
    return [np.asarray(p, dtype=float) for p in probas]


def check_class_counts(codes, classes, task_names, n_folds):
    """Each class of each task needs a labelled sample per fold at least.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._task_calibration import check_class_counts
    >>> check_class_counts(np.array([[0], [1], [1]]), [np.array(["x", "y"])],
    ...                    ["t"], n_folds=2)
    Traceback (most recent call last):
    ...
    ValueError: Requesting 2-fold cross-validation but task 't' has only 1 ...
    """
    for t, (name, task_classes) in enumerate(zip(task_names, classes)):
        counts = np.bincount(codes[:, t][codes[:, t] >= 0], minlength=len(task_classes))
        if counts.min() < n_folds:
            label = task_classes.tolist()[int(counts.argmin())]
            raise ValueError(
                f"Requesting {n_folds}-fold cross-validation but task {name!r} has "
                f"only {int(counts.min())} labelled sample(s) of class {label!r}; "
                f"each class of each task needs at least {n_folds}."
            )
