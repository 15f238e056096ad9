"""The abstract task: what every kind of task answers, with the same methods.

A task object owns everything its kind changes: how a target column is
learned and encoded, which encoded cells carry a label, the width and loss of
its output in the network, how that output becomes predictions in the
column's own kind, and the plain state written to a saved file. Callers never
ask a task its kind; they call these methods.
"""

from abc import ABC, abstractmethod

import numpy as np

__all__ = ["BINARY", "CLASSIFICATION", "REGRESSION", "TASK_KINDS", "Task"]

CLASSIFICATION = "classification"
REGRESSION = "regression"
#: The kinds a user gives in ``task_types`` (and that saved files hold).
TASK_KINDS = (CLASSIFICATION, REGRESSION)
#: The loss kind of a binary task on the binary-label path (one sigmoid logit).
BINARY = "binary"


class Task(ABC):
    """One column of the target, described once for every consumer.

    Subclasses set the class attributes and implement the abstract methods;
    the estimators, the loss, the history, :mod:`sklmtl.io` and the ONNX
    export call them without testing which subclass they hold.

    Attributes
    ----------
    name : str
        The task's name.
    kind : {"classification", "regression"}
        The kind the user sees (``task_types_``) and saved files hold.
    loss_kind : {"classification", "regression", "binary"}
        What the loss and the per-task scoring make of the task's output.
    activation : {"softmax", "sigmoid", "identity"}
        What turns the network's raw output into the output that
        :meth:`predict` and :meth:`probabilities` read.
    classes : ndarray of shape (n_classes,) or None
        The classes of a classification task; None for regression.
    has_proba : bool
        Whether the task has class probabilities.
    target_dtype : numpy dtype
        The dtype of the task's encoded training target.
    output_prefix : {"proba", "value"}
        Prefix of the task's output name in an ONNX graph.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import ClassificationTask, RegressionTask
    >>> tasks = [ClassificationTask("colour", np.array(["blue", "red"])),
    ...          RegressionTask("mass", mean=10.0, scale=2.0)]
    >>> outputs = [np.array([[0.8, 0.2]]), np.array([[1.0]])]
    >>> [task.predict(out).tolist() for task, out in zip(tasks, outputs)]
    [['blue'], [12.0]]
    """

    kind = None
    loss_kind = None
    activation = None
    classes = None
    has_proba = False
    target_dtype = np.float64
    output_prefix = None
    output_width = None

    @classmethod
    @abstractmethod
    def learn(cls, name, column, *, missing_label=np.nan, classes=None, output_width=1):
        """The task ``column`` describes, and its encoded (unscaled) values.

        Parameters
        ----------
        name : str
            The task's name.
        column : ndarray of shape (n_samples,)
            The task's targets.
        missing_label : scalar, default=np.nan
            Extra sentinel for unknown classification cells.
        classes : array-like or None, default=None
            Known classes (classification, e.g. from ``partial_fit``).
        output_width : {1, 2}, default=1
            Output width of a regression task.

        Returns
        -------
        task : Task
        values : ndarray of shape (n_samples,)
        """

    @abstractmethod
    def encode(self, column, *, missing_label=np.nan, standardise=True):
        """The training target of ``column``, with the task's fitted encoding.

        Parameters
        ----------
        column : ndarray of shape (n_samples,)
            The task's targets.
        missing_label : scalar, default=np.nan
            Extra sentinel for unknown classification cells.
        standardise : bool, default=True
            Standardise regression values with the fitted scaling.

        Returns
        -------
        values : ndarray of shape (n_samples,)
        """

    @abstractmethod
    def labelled(self, values):
        """Which cells of the task's encoded target carry a label.

        Parameters
        ----------
        values : ndarray of shape (n_samples,)
            The task's column of the training target.

        Returns
        -------
        labelled : ndarray of shape (n_samples,), dtype=bool
        """

    def fit_scaling(self, values, weights=None):
        """Learn what standardises the target (nothing but regression does).

        Parameters
        ----------
        values : ndarray of shape (n_samples,)
            The task's unscaled training target.
        weights : ndarray of shape (n_samples,) or None, default=None
            Per-cell sample weights.

        Returns
        -------
        self : Task
        """
        return self

    def standardise(self, values):
        """The task's training target in the network's units (a copy).

        Parameters
        ----------
        values : ndarray of shape (n_samples,)
            The unscaled training target.

        Returns
        -------
        values : ndarray of shape (n_samples,)
        """
        return values.copy()

    @abstractmethod
    def decode(self, encoded):
        """Predictions in the column's own kind from encoded values.

        Parameters
        ----------
        encoded : array-like of shape (n_samples,)
            Class codes, or standardised values.

        Returns
        -------
        decoded : ndarray of shape (n_samples,)
        """

    @abstractmethod
    def predict(self, output):
        """Predictions from the task's activated network output.

        Parameters
        ----------
        output : ndarray of shape (n_samples, n_outputs)
            Class probabilities, or standardised values.

        Returns
        -------
        predictions : ndarray of shape (n_samples,)
        """

    def probabilities(self, output):
        """Class probabilities from the task's activated network output.

        Parameters
        ----------
        output : ndarray of shape (n_samples, n_classes)
            The activated output.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)

        Raises
        ------
        ValueError
            When the task has no class probabilities.
        """
        raise ValueError(
            f"Task {self.name!r} is a {self.kind} task: it has no class "
            "probabilities (use predict)."
        )

    def predict_std(self, output):
        """Predicted standard deviations in the target's units.

        Parameters
        ----------
        output : ndarray of shape (n_samples, 2)
            The task's standardised mean and raw variance output.

        Returns
        -------
        std : ndarray of shape (n_samples,)

        Raises
        ------
        ValueError
            When the task predicts no variance.
        """
        raise ValueError(f"Task {self.name!r} is a {self.kind} task: it has no std.")

    @abstractmethod
    def graph_output(self, raw, activate):
        """The task's output in an exported graph, from the network's output.

        Written with array operators only, so that the same method serves
        torch tensors (the ONNX export) without this module importing torch.

        Parameters
        ----------
        raw : Tensor of shape (batch, output_width)
            The network's raw output for the task.
        activate : callable
            ``activate(raw, activation)``, the torch activations by name
            (:func:`sklmtl.nn.heads.activate`).

        Returns
        -------
        output : Tensor
        """

    def graph_std(self, raw):
        """The predicted standard deviation in an exported graph, if any.

        Parameters
        ----------
        raw : Tensor of shape (batch, output_width)
            The network's raw output for the task.

        Returns
        -------
        std : Tensor of shape (batch,) or None
            None: only a regression task with a variance output (Gaussian
            NLL) predicts one.
        """
        return None

    @property
    def std_output_name(self):
        """The name of the standard-deviation output in an ONNX graph, or None."""
        return None

    @abstractmethod
    def choose(self, classifier, regressor):
        """The one of two per-kind things that fits the task.

        Parameters
        ----------
        classifier, regressor : object
            What a classification task and a regression task take.

        Returns
        -------
        chosen : object
        """

    @abstractmethod
    def estimator_target(self, values):
        """The target a scikit-learn estimator of the task is fitted on.

        Parameters
        ----------
        values : ndarray of shape (n_labelled,)
            The task's labelled, unscaled training target.

        Returns
        -------
        target : ndarray of shape (n_labelled,)
        """

    @abstractmethod
    def from_estimator(self, predictions):
        """A scikit-learn estimator's predictions in the column's own kind.

        Parameters
        ----------
        predictions : array-like of shape (n_samples,)
            What the task's estimator predicted.

        Returns
        -------
        predictions : ndarray of shape (n_samples,)
        """

    @classmethod
    @abstractmethod
    def missing_sentinel(cls, missing_label):
        """The extra sentinel of unknown cells when a column of this kind is
        scored.

        Parameters
        ----------
        missing_label : scalar
            The estimator's ``missing_label``.

        Returns
        -------
        sentinel : scalar
        """

    @classmethod
    @abstractmethod
    def score(cls, true, pred, weights, name):
        """The task's score on its labelled cells (NaN when undefined).

        Parameters
        ----------
        true, pred : ndarray of shape (n_labelled,)
            True and predicted values of the labelled cells.
        weights : ndarray of shape (n_labelled,) or None
            Sample weights.
        name : str
            The task's name, for error messages.

        Returns
        -------
        score : float
        """

    def with_one_logit(self):
        """The task on the binary-label path, or None when it cannot be.

        Returns
        -------
        task : Task or None
        """
        return None

    @abstractmethod
    def state(self):
        """Plain values that :func:`sklmtl._tasks.task_from_state` reads back.

        Returns
        -------
        state : dict
        """

    @classmethod
    @abstractmethod
    def from_state(cls, state):
        """The task :meth:`state` describes.

        Parameters
        ----------
        state : dict
            What :meth:`state` wrote.

        Returns
        -------
        task : Task
        """

    @property
    def output_name(self):
        """The name of the task's output in an ONNX graph."""
        return f"{self.output_prefix}_{self.name}"
