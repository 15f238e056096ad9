"""MultiTaskNet: classification and regression tasks in one shared network.

"Predict the species, the body mass and the sex" is one model here. Each
column of ``Y`` is a task of its own kind (:mod:`sklmtl._tasks`): a
classification task (cross-entropy, labels of the column's kind, class
probabilities) or a regression task (MSE, Huber or Gaussian NLL on the
standardised target, values in the target's units).

Why neither a classifier nor a regressor: scikit-learn reads
``ClassifierMixin``/``RegressorMixin`` (``is_classifier``/``is_regressor``)
to choose stratified folds, the default scorer (accuracy or R²) and the
common checks to run; none of these is right for a target that mixes label
columns with numeric columns. ``MultiTaskNet`` therefore declares no
estimator type: ``cross_val_score`` and ``GridSearchCV`` use plain
``KFold`` and :meth:`MultiTaskNet.score` (the mean over tasks of accuracy
and R²), and it is named after the network, like ``MLPClassifier``'s
family would name a model that is both.
"""

from sklearn.base import MultiOutputMixin

from ._estimator._base import MultiTaskNetBase
from ._estimator._parameters import MISSING_LABEL, Parameter
from ._estimator._record import MixedState
from ._meta._mixed_outputs import check_proba_task, mixed_predictions
from ._tasks import check_task_types
from ._validation import InstanceOf, Options
from .metrics import mean_task_score
from .nn.losses import REGRESSION_LOSSES

__all__ = ["MultiTaskNet"]


class MultiTaskNet(MultiOutputMixin, MultiTaskNetBase):
    """One network for classification and regression tasks together.

    A shared trunk and one head per column of ``Y``: a classification head
    (one logit per class) for a column of labels, a regression head for a
    column of numbers. Every task's loss is computed on its labelled cells
    only, and the targets of regression tasks are standardised, so that the
    plain mean of the task losses (what early stopping watches) and the task
    weightings (``task_weighting="uncertainty"`` was designed for this mix,
    Kendall, Gal & Cipolla, CVPR 2018) compare like with like.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    task_types_ : list of {"classification", "regression"}
        The kind of each task, in column order.
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
    net_ : MultiTaskNeuralNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch records: ``train_loss`` (plain mean of the task losses),
        ``train_objective``, ``train_acc`` (mean accuracy of the
        classification tasks), ``train_r2`` (mean R² of the regression
        tasks), ``train_loss_<task>``, ``train_acc_<task>`` or
        ``train_r2_<task>``, and the ``valid_`` counterparts.
    n_iter_ : int
        Number of epochs trained.
    do_early_stopping_ : bool
        Whether this fit held out a validation split and stopped early (see
        ``early_stopping``).
    weight_decay_ : float
        The weight decay the optimizer got: ``weight_decay``, or what
        ``"auto"`` chose by the first fit's rows (decoupled, as AdamW's,
        when it chose one).
    trunk_weights_sha256_ : str
        SHA-256 digest of the local file the backbone's starting weights
        were read from (``trunk__weights``); only set when there was one.

    See Also
    --------
    sklmtl.MultiTaskNetClassifier : every task a classification task.
    sklmtl.MultiTaskNetRegressor : every task a regression task.
    sklmtl.metrics.task_scores : the per-task scores behind :meth:`score`.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklmtl import MultiTaskNet
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4)).astype(np.float32)
    >>> Y = pd.DataFrame({
    ...     "species": np.where(X[:, 0] > 0, "adelie", "gentoo"),
    ...     "mass": 4000 + 500 * X[:, 1] + 10 * rng.normal(size=200),
    ... })
    >>> net = MultiTaskNet(hidden_layer_sizes=(32,), max_epochs=60, lr=0.01,
    ...                    random_state=0).fit(X, Y)
    >>> net.task_types_
    ['classification', 'regression']
    >>> pred = net.predict(X[:2])
    >>> list(pred.columns), pred["species"].tolist()
    (['species', 'mass'], ['adelie', 'adelie'])
    >>> net.score(X, Y) > 0.9
    True
    """

    _own_parameters = (
        Parameter(
            "task_types",
            None,
            [Options({None}), InstanceOf(dict)],
            """\
dict or None, default=None
    ``{task_name: "classification" | "regression"}`` for the tasks whose
    kind should not be inferred. Inferred kinds: a column of floats with
    a non-integral value is a regression task, every other column (ints,
    integral floats, strings, bools, ...) a classification task. Name a
    column of integral floats (ages, counts) here to regress it.""",
        ),
        Parameter(
            "regression_loss",
            "mse",
            [Options(set(REGRESSION_LOSSES))],
            """\
{"mse", "huber", "gaussian_nll"}, default="mse"
    The loss of the regression tasks, on their standardised targets (see
    :class:`~sklmtl.MultiTaskNetRegressor`'s ``loss``). Classification
    tasks use the cross-entropy.""",
        ),
        MISSING_LABEL,
    )
    _doc_vars = {
        "labelled_cells": "classification tasks",
        "regression_missing": (
            "; regression cells are unknown\n    when ``NaN``, ``None`` or ``pd.NA``"
        ),
        "progress": " and mean\n    accuracy of the classification tasks",
        "training_setting": "``regression_loss``, ",
        "epoch_scores": (
            "the mean accuracies ``train_acc``/``valid_acc`` and\n"
            "    mean R² ``train_r2``/``valid_r2``"
        ),
    }

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, sample_weight=None):
        """Fit the network to ``X`` and the targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            One column per task: labels or numbers. Unknown cells are
            ``None``, ``NaN``, ``pd.NA`` (or ``missing_label`` in a label
            column). A list of rows keeps each column's kind. None when
            ``X`` is a torch ``Dataset`` whose items (or ``targets``
            attribute) hold the labels.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Non-negative weights per row or per cell, as for
            :class:`~sklmtl.MultiTaskNetClassifier`.

        Returns
        -------
        self : MultiTaskNet
            The fitted estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNet
        >>> net = MultiTaskNet(max_epochs=2).fit(
        ...     [[0.0], [1.0], [2.0]], [["a", 1.5], ["b", 2.5], ["a", None]])
        >>> net.task_types_, net.classes_[0].tolist()
        (['classification', 'regression'], ['a', 'b'])
        """
        continuing = self.warm_start and hasattr(self, "net_")
        return self._fit(
            X,
            y,
            continuing=continuing,
            epochs=None,
            classes=None,
            sample_weight=sample_weight,
        )

    def partial_fit(self, X, y=None, classes=None, sample_weight=None):
        """Train one epoch on a batch of data, keeping what was learned so far.

        The first call fixes the tasks: their kinds, classes and scaling.
        Later batches must use the same classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Targets, as for :meth:`fit`.
        classes : list of (array-like or None), or array-like, default=None
            The classes of each classification task (None for a regression
            task, or to learn a task's classes from this batch; one array
            for 1-D ``y``). A task given classes is a classification task.
            Needed only on the first call when that batch does not show
            every class; later calls may repeat them, not change them.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row or per cell, as for :meth:`fit`.

        Returns
        -------
        self : MultiTaskNet
            The updated estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNet
        >>> net = MultiTaskNet(hidden_layer_sizes=(8,))
        >>> net = net.partial_fit([[0.0], [1.0]], [[0, 0.5], [1, 1.5]])
        >>> net = net.partial_fit([[2.0], [3.0]], [[1, 2.5], [0, 0.1]])
        >>> net.n_iter_
        2
        >>> net = MultiTaskNet(hidden_layer_sizes=(8,)).partial_fit(
        ...     [[0.0], [1.0]], [["a", 0.5], ["a", 1.5]], classes=[["a", "b"], None])
        >>> net.classes_[0].tolist(), net.task_types_
        (['a', 'b'], ['classification', 'regression'])
        """
        y = self._labels(X, y)
        continuing = hasattr(self, "net_")
        return self._fit(
            X,
            y,
            continuing=continuing,
            epochs=1,
            classes=self._partial_fit_classes(classes, y, continuing),
            sample_weight=sample_weight,
        )

    # ------------------------------------------------------------- targets
    def _task_types(self):
        check_task_types(self.task_types)
        return self.task_types

    def _regression_loss(self):
        return self.regression_loss

    _fitted_state_class = MixedState
    _y_is_frame = property(lambda self: self._fitted_state.y_is_frame)

    def _encode_targets(self, y, *, continuing, classes):
        values, fields = super()._encode_targets(
            y, continuing=continuing, classes=classes
        )
        if not continuing:
            fields["y_is_frame"] = hasattr(y, "columns") and hasattr(y, "iloc")
        return values, fields

    def _set_estimator_attributes(self, state):
        self.task_types_ = [task.kind for task in state.tasks]
        self.classes_ = [task.classes for task in state.tasks]

    # -------------------------------------------------------------- predict
    def predict(self, X):
        """Predict every task, each column in its own kind.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Y_pred : ndarray or DataFrame of shape (n_samples, n_tasks), or \
(n_samples,)
            Labels from ``classes_[t]`` for classification tasks, floats in
            the target's units for regression tasks. A DataFrame (one column
            per task, each with its own dtype) when ``y`` was one, else an
            ``object`` array (a plain dtype when all tasks share one kind).

        Examples
        --------
        >>> from sklmtl import MultiTaskNet
        >>> net = MultiTaskNet(max_epochs=2).fit(
        ...     [[0.0], [1.0], [2.0]], [["a", 1.5], ["b", 2.5], ["a", 0.5]])
        >>> pred = net.predict([[0.5]])
        >>> type(pred[0, 0]).__name__, type(pred[0, 1]).__name__
        ('str', 'float')
        """
        outputs = self._predict_outputs(X)
        columns = [task.predict(out) for task, out in zip(self._tasks, outputs)]
        return mixed_predictions(
            columns,
            self.task_names_,
            y_is_frame=self._y_is_frame,
            y_is_1d=self._y_is_1d,
            index=X.index if hasattr(X, "index") and hasattr(X, "iloc") else None,
        )

    def predict_proba(self, X, task=None):
        """Class probabilities of the classification tasks.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        task : str or None, default=None
            One classification task's name; None for all of them.

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
            One array per classification task, in task order, columns
            ordered as ``classes_[t]``; a single array when ``task`` is given.

        Raises
        ------
        ValueError
            When ``task`` names a regression task or no task, or when there
            is no classification task.

        Examples
        --------
        >>> from sklmtl import MultiTaskNet
        >>> net = MultiTaskNet(max_epochs=2).fit(
        ...     [[0.0], [1.0], [2.0]], [["a", 1.5], ["b", 2.5], ["a", 0.5]])
        >>> net.predict_proba([[0.5]], task="task_0").shape
        (1, 2)
        """
        self._check_proba_task(task)
        outputs = self._predict_outputs(X)
        if task is not None:
            t = self.task_names_.index(task)
            return self._tasks[t].probabilities(outputs[t])
        return [
            t.probabilities(out) for t, out in zip(self._tasks, outputs) if t.has_proba
        ]

    def _check_proba_task(self, task):
        if hasattr(self, "_tasks"):  # else check_is_fitted raises in _predict_outputs
            check_proba_task(self._tasks, task)

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of accuracy (classification) and R² (regression).

        Each task is scored on its labelled cells: accuracy for a
        classification task, scikit-learn's ``r2_score`` for a regression
        task; the score is their unweighted mean (see
        :func:`sklmtl.metrics.task_scores` for the per-task values). Both are
        1 for a perfect prediction; R² can be negative.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            True targets; missing cells are ignored.
        sample_weight : array-like of shape (n_samples,) or \
(n_samples, n_tasks), default=None
            Weights per sample, or per cell as ``fit`` takes them; a cell of
            weight 0 counts as unlabelled.

        Returns
        -------
        score : float
            The mean task score.

        Examples
        --------
        >>> from sklmtl import MultiTaskNet
        >>> X, Y = [[0.0], [1.0], [2.0]], [["a", 1.5], ["b", 2.5], ["a", 0.5]]
        >>> -10 < MultiTaskNet(max_epochs=2).fit(X, Y).score(X, Y) <= 1
        True
        """
        return mean_task_score(
            y,
            self.predict(X),
            task_types=self.task_types_,
            missing_label=self.missing_label,
            sample_weight=sample_weight,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
