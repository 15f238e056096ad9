"""MultiTaskNetClassifier: one shared network, one head per task.

The training machinery, the parameters and the fitted state live in
:class:`sklmtl._estimator._base.MultiTaskNetBase`; this module adds what is specific to
classification: labels encoded per task (each column keeps its own label
kind), class weights, ``classes_``, ``predict_proba`` and ``predict``.
"""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin, MultiOutputMixin
from sklearn.utils.validation import check_is_fitted

from ._batches import torch_threads
from ._binary import binary_outputs
from ._class_weights import task_class_weights
from ._estimator._base import MultiTaskNetBase
from ._estimator._inputs import PREDICT_BATCH_ROWS
from ._estimator._parameters import MISSING_LABEL, Parameter
from ._estimator._record import ClassifierState
from ._targets import decode_predictions
from ._validation import Interval
from .metrics import MultiTaskScoreMixin

__all__ = ["MultiTaskNetClassifier"]


class MultiTaskNetClassifier(
    MultiTaskScoreMixin, ClassifierMixin, MultiOutputMixin, MultiTaskNetBase
):
    """Multi-task neural network classifier: a shared trunk, one head per task.

    Trains one PyTorch network (through skorch) whose trunk is shared by all
    tasks and whose heads each predict one column of ``y``. Each column may
    have its own label type, and unknown cells are skipped: they add nothing to
    their task's loss, while the sample still trains the trunk through its
    other tasks. A drop-in replacement for
    ``MultiOutputClassifier(MLPClassifier())``.

    When every task is binary (a label-indicator ``Y`` of 0/1 or bools,
    missing cells allowed, or any two labels per column), the network has
    one sigmoid logit per task trained with a binary cross-entropy instead
    of two softmax logits (the same model family, a smaller output layer
    and one loss op for all tasks): ``classes_``, ``predict_proba``'s list
    and ``predict`` are unchanged, and :meth:`predict_positive_proba` gives
    the positive-class probabilities as one ``(n_samples, n_tasks)`` array.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
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
    net_ : MultiTaskNeuralNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch records: ``train_loss`` (plain mean of the task losses),
        ``train_objective`` (the weighted loss the optimizer minimised),
        ``train_acc`` (mean task accuracy), ``train_loss_<task>``,
        ``train_acc_<task>``, ``task_weight_<task>`` and the ``valid_``
        counterparts. A continued fit appends to it.
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
    sklearn.multioutput.MultiOutputClassifier : one independent model per task.
    sklmtl.metrics.subset_accuracy : the metric of :meth:`score`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4)).astype(np.float32)
    >>> Y = np.column_stack([X[:, 0] > 0, np.where(X[:, 1] > 0, "up", "down")])
    >>> clf = MultiTaskNetClassifier(hidden_layer_sizes=(16,), max_epochs=30,
    ...                              lr=0.01, random_state=0).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 2)
    >>> [p.shape for p in clf.predict_proba(X[:2])]
    [(2, 2), (2, 2)]
    >>> clf.score(X, Y) > 0.9
    True
    """

    _own_parameters = (
        Parameter(
            "class_weight",
            None,
            (),
            """\
None, "balanced", dict or list, default=None
    Class weights in each task's cross-entropy: ``"balanced"`` for every
    task, or a list with one entry per task (``None``, ``"balanced"`` or
    ``{label: weight}``); a dict for a single task. A dict key names
    one of the task's classes by kind and value (``True`` for a bool
    task, never ``1``); another key raises a ``ValueError`` naming the
    task. ``partial_fit`` refuses ``"balanced"``, as scikit-learn's
    ``SGDClassifier`` does (one batch's class counts are not the data's):
    compute the weights once with ``compute_class_weight`` and pass them
    as dicts.""",
        ),
        Parameter(
            "label_smoothing",
            0.0,
            [Interval(numbers.Real, 0, 1, closed="left")],
            """\
float, default=0.0
    Label smoothing of every task's cross-entropy (RealMLP's default is
    0.1, Holzmüller et al. 2024): the target puts ``1 - label_smoothing``
    on the labelled class and spreads ``label_smoothing`` evenly over the
    task's classes, as ``torch.nn.CrossEntropyLoss(label_smoothing=...)``;
    the monitored validation loss is smoothed too. Predicted
    probabilities are then less extreme, so calibrate them
    (:mod:`sklmtl.calibration`) where they must be probabilities. 0 by
    default: 0.1 moved the development tables by +0.12 points on average
    (none by more than 0.5; ``benchmarks/dev_select.py``, seeds 0-2), within
    their noise.""",
        ),
        MISSING_LABEL,
    )
    _doc_vars = {
        "labelled_cells": "``y``",
        "regression_missing": "",
        "progress": " and mean\n    task accuracy",
        "training_setting": "``class_weight``, ``label_smoothing``, ",
        "epoch_scores": "the mean task accuracies ``train_acc``/``valid_acc``",
    }

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, sample_weight=None):
        """Fit the network to ``X`` and the task labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Labels, one column per task; unknown cells are ``None``, ``NaN``,
            ``pd.NA`` or equal to ``missing_label``. None when ``X`` is a torch
            ``Dataset`` whose items (or ``targets`` attribute) hold the labels.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Non-negative weights per row, or per label cell (label confidence,
            cost per task). Each task's loss is the weighted mean over its
            labelled cells; the weights follow shuffling, batching and the
            validation split, so early stopping monitors the weighted
            validation loss. A cell of weight 0 counts as missing.

        Returns
        -------
        self : MultiTaskNetClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(max_epochs=2).fit(
        ...     [[0.0], [1.0], [2.0]], [["a", 0], ["b", None], ["a", 1]])
        >>> clf.classes_[0].tolist(), clf.task_names_
        (['a', 'b'], ['task_0', 'task_1'])
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

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Labels, as for :meth:`fit`.
        classes : list of array-like, or array-like, default=None
            The classes of each task (one array for 1-D ``y``). Needed only on
            the first call when that batch does not show every class; later
            batches must use these classes.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row or per label cell, as for :meth:`fit`.

        Returns
        -------
        self : MultiTaskNetClassifier
            The updated estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(hidden_layer_sizes=(8,))
        >>> clf = clf.partial_fit([[0.0], [1.0]], [0, 0], classes=[0, 1])
        >>> clf = clf.partial_fit([[2.0], [3.0]], [1, 1])
        >>> clf.n_iter_
        2
        """
        _refuse_balanced_partial_fit(self.class_weight)
        y = self._labels(X, y)
        continuing = hasattr(self, "net_")
        classes = self._partial_fit_classes(classes, y, continuing)
        return self._fit(
            X,
            y,
            continuing=continuing,
            epochs=1,
            classes=classes,
            sample_weight=sample_weight,
        )

    # ------------------------------------------------------------- targets
    _fitted_state_class = ClassifierState
    _class_weights = property(lambda self: self._fitted_state.class_weights)

    def _encode_targets(self, y, *, continuing, classes):
        """Encode ``y`` per task; the class weights follow every fit's labels."""
        codes, fields = super()._encode_targets(
            y, continuing=continuing, classes=classes
        )
        layout = fields["layout"] if not continuing else self._layout
        task_names = fields["task_names"] if not continuing else self.task_names_
        # Class weights follow each fit's labels (and a changed class_weight).
        fields["class_weights"] = task_class_weights(
            self.class_weight,
            codes,
            [task.classes for task in layout.tasks],
            task_names,
        )
        return codes, fields

    def _set_estimator_attributes(self, state):
        classes = [task.classes for task in state.tasks]
        self.classes_ = classes[0] if state.y_is_1d else classes

    def _classes_list(self):
        return [task.classes for task in self._tasks]

    # -------------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities of each task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
            One array per task, columns ordered as ``classes_[t]``; a single
            array when the estimator was fitted on a 1-D ``y``.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(max_epochs=2).fit(
        ...     [[0.0], [1.0]], [[0, "x"], [1, "y"]])
        >>> [p.shape for p in clf.predict_proba([[0.5]])]
        [(1, 2), (1, 2)]
        """
        probas = self._predict_outputs(X)
        return probas[0] if self._y_is_1d else probas

    def predict_positive_proba(self, X):
        """Probability of each task's positive class, as one array.

        For binary tasks (a label-indicator ``Y``), the probability of
        ``classes_[t][1]`` (the larger label: 1, ``True``, ...) for every
        task, in one ``(n_samples, n_tasks)`` array: what ``MLPClassifier``'s
        ``predict_proba`` returns for multi-label targets, and column 1 of
        each of :meth:`predict_proba`'s arrays.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_tasks), or (n_samples,)
            ``proba[:, t]`` is the probability of ``classes_[t][1]``; 1-D
            when the estimator was fitted on a 1-D ``y``. In the network's
            dtype (float32 unless ``dtype="float64"``): the sigmoid's own
            values, written into one array with no per-task loop, half the
            memory of :meth:`predict_proba`'s float64 arrays (whose column 1
            holds the same values).

        Raises
        ------
        ValueError
            When a task does not have exactly two classes.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> Y = [[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 0]]
        >>> clf = MultiTaskNetClassifier(max_epochs=2, random_state=0).fit(
        ...     [[0.0], [1.0], [2.0], [3.0]], Y)
        >>> clf.predict_positive_proba([[0.5], [1.5]]).shape
        (2, 3)
        """
        check_is_fitted(self)
        if not self._layout.one_logit_per_task:
            not_binary = [t.name for t in self._tasks if len(t.classes) != 2]
            raise ValueError(
                "predict_positive_proba needs binary tasks (exactly two classes "
                f"each); task(s) {not_binary} have "
                f"{[len(t.classes) for t in self._tasks if t.name in not_binary]} "
                "classes. Use predict_proba."
            )
        proba = self._positive_proba(X)
        return proba[:, 0] if self._y_is_1d else proba

    def _positive_proba(self, X):
        """``P(classes[1])`` of every task, one array (all tasks binary).

        Every task binary: the network has one sigmoid logit per task.
        """
        kind, X = self._validate_input(X, reset=False)
        module = self.net_.module_.eval()
        device = next(module.parameters()).device
        batches = self._prediction_batches(kind, X, device)
        with (
            torch_threads(self._threads_for(PREDICT_BATCH_ROWS)),
            self.net_.autocast(),
            self._other_size_refused(kind),
        ):
            return binary_outputs(module, batches, kind.n_rows(X), device, "positive")

    def predict(self, X):
        """Predict the label of every task.

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
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(max_epochs=2).fit(
        ...     [[0.0], [1.0]], [[0, "x"], [1, "y"]])
        >>> clf.predict([[0.5]]).shape
        (1, 2)
        """
        check_is_fitted(self)
        if self._layout.one_logit_per_task:
            # predict_proba's argmax of (1 - p, p) is class 1 exactly when
            # p > 0.5 (1 - p is exact in float64 for p >= 0.5; a tie or NaN
            # gives class 0 both ways): one comparison over one array.
            codes = self._positive_proba(X) > 0.5
        else:
            probas = self._predict_outputs(X)
            codes = np.empty((len(probas), len(probas[0])), dtype=np.intp)
            for task_codes, proba in zip(codes, probas):
                proba.argmax(axis=1, out=task_codes)
            codes = codes.T
        return decode_predictions(codes, self._classes_list(), self._y_is_1d)


def _refuse_balanced_partial_fit(class_weight):
    """scikit-learn's rule: ``"balanced"`` needs the whole data's class counts."""
    entries = class_weight if isinstance(class_weight, (list, tuple)) else []
    if not (
        (isinstance(class_weight, str) and class_weight == "balanced")
        or any(isinstance(e, str) and e == "balanced" for e in entries)
    ):
        return
    raise ValueError(
        "class_weight 'balanced' is not supported for partial_fit: each call "
        "sees one batch, whose class counts are not the data's. In order to use "
        "'balanced' weights, use compute_class_weight('balanced', classes=classes, "
        "y=y) for each task, with a large enough sample of the full training "
        "set's labels in place of y to estimate the class frequencies, and pass "
        "the resulting {label: weight} dicts as the class_weight parameter."
    )
