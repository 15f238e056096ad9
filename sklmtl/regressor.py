"""MultiTaskNetRegressor: one shared network for several regression targets.

The training machinery lives in :class:`sklmtl._estimator._base.MultiTaskNetBase` and
the targets in the task layer (:mod:`sklmtl._tasks`): every column is a
:class:`~sklmtl._tasks.RegressionTask`, standardised with its (sample
weighted) mean and standard deviation for training and de-standardised at
prediction.
"""

import numpy as np
from sklearn.base import MultiOutputMixin, RegressorMixin

from ._estimator._base import MultiTaskNetBase
from ._estimator._parameters import Parameter
from ._tasks import REGRESSION
from ._validation import Options
from .metrics import mean_task_score
from .nn.losses import REGRESSION_LOSSES

__all__ = ["MultiTaskNetRegressor"]


class MultiTaskNetRegressor(RegressorMixin, MultiOutputMixin, MultiTaskNetBase):
    """Multi-task neural network regressor: a shared trunk, one head per target.

    Trains one PyTorch network (through skorch) whose trunk is shared by all
    targets and whose heads each predict one column of ``y``. Missing cells
    (``NaN``, ``None``, ``pd.NA``) are skipped: they add nothing to their
    task's loss, while the sample still trains the trunk through its other
    targets (``MLPRegressor`` cannot train on such data at all). Each target
    is standardised for training, so that the task losses are on one scale,
    and predictions come back in the target's units. A drop-in replacement
    for ``MultiOutputRegressor(MLPRegressor())`` or ``MLPRegressor`` on a 2-D
    ``y``.

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    n_tasks_ : int
        Number of targets.
    task_names_ : list of str
        ``y``'s column names when it was a DataFrame, else ``task_0``, ...
    task_types_ : list of str
        ``"regression"`` for every task.
    target_mean_ : ndarray of shape (n_tasks,)
        Mean of each target at fit (weighted by ``sample_weight``).
    target_scale_ : ndarray of shape (n_tasks,)
        Standard deviation of each target at fit (weighted).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` had string column names.
    net_ : MultiTaskNeuralNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch records: ``train_loss`` (plain mean of the task losses on
        the standardised targets), ``train_objective`` (the weighted loss the
        optimizer minimised), ``train_r2`` (mean task R²),
        ``train_loss_<task>``, ``train_r2_<task>`` and the ``valid_``
        counterparts.
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
    sklearn.multioutput.MultiOutputRegressor : one independent model per target.
    sklmtl.MultiTaskNetClassifier : the same network for class labels.
    sklmtl.MultiTaskNet : classification and regression tasks in one network.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4)).astype(np.float32)
    >>> Y = np.column_stack([X[:, 0] + X[:, 1], 100 * X[:, 2] + 50])
    >>> Y[::10, 1] = np.nan  # unknown cells
    >>> reg = MultiTaskNetRegressor(hidden_layer_sizes=(32,), max_epochs=60,
    ...                             lr=0.01, random_state=0).fit(X, Y)
    >>> reg.predict(X[:2]).shape
    (2, 2)
    >>> reg.score(X, Y) > 0.9
    True
    """

    _own_parameters = (
        Parameter(
            "loss",
            "mse",
            [Options(set(REGRESSION_LOSSES))],
            """\
{"mse", "huber", "gaussian_nll"}, default="mse"
    The loss of every task, on the standardised target: squared error,
    Huber (``delta`` = one standard deviation of the target), or the
    Gaussian negative log-likelihood of a mean and a variance output per
    task (then ``predict(X, return_std=True)`` also returns the standard
    deviations).""",
        ),
    )
    _doc_vars = {
        "progress": "",
        "training_setting": "``loss``, ",
        "epoch_scores": "the mean task R² ``train_r2``/``valid_r2``",
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
            Targets, one column per task; unknown cells are ``NaN``, ``None``
            or ``pd.NA``. None when ``X`` is a torch ``Dataset`` whose items
            (or ``targets`` attribute) hold the labels.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Non-negative weights per row or per cell. Each task's loss is the
            weighted mean over its labelled cells, and its standardisation
            uses the weighted mean and standard deviation.

        Returns
        -------
        self : MultiTaskNetRegressor
            The fitted estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetRegressor
        >>> reg = MultiTaskNetRegressor(max_epochs=2).fit(
        ...     [[0.0], [1.0], [2.0]], [[1.0, 10.0], [2.0, None], [3.0, 30.0]])
        >>> reg.target_mean_.tolist()
        [2.0, 20.0]
        """
        continuing = self.warm_start and hasattr(self, "net_")
        self._fit(
            X,
            y,
            continuing=continuing,
            epochs=None,
            classes=None,
            sample_weight=sample_weight,
        )
        return self

    def partial_fit(self, X, y=None, sample_weight=None):
        """Train one epoch on a batch of data, keeping what was learned so far.

        The first call fixes each target's standardisation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,), \
default=None
            Targets, as for :meth:`fit`.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row or per cell, as for :meth:`fit`.

        Returns
        -------
        self : MultiTaskNetRegressor
            The updated estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetRegressor
        >>> reg = MultiTaskNetRegressor(hidden_layer_sizes=(8,))
        >>> reg = reg.partial_fit([[0.0], [1.0]], [0.0, 1.0])
        >>> reg = reg.partial_fit([[2.0], [3.0]], [2.0, 3.0])
        >>> reg.n_iter_
        2
        """
        return self._fit(
            X,
            y,
            continuing=hasattr(self, "net_"),
            epochs=1,
            classes=None,
            sample_weight=sample_weight,
        )

    # ------------------------------------------------------------- targets
    def _task_types(self):
        return REGRESSION

    def _regression_loss(self):
        return self.loss

    def _set_estimator_attributes(self, state):
        self.task_types_ = [task.kind for task in state.tasks]
        self.target_mean_ = np.array([task.mean for task in state.tasks])
        self.target_scale_ = np.array([task.scale for task in state.tasks])

    # -------------------------------------------------------------- predict
    def predict(self, X, return_std=False):
        """Predict every target, in its own units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        return_std : bool, default=False
            Also return the predicted standard deviation of each target;
            only with ``loss="gaussian_nll"``.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_tasks), or (n_samples,)
            Predictions (float64); 1-D when the estimator was fitted on a 1-D
            ``y``.
        Y_std : ndarray of the same shape
            The predicted standard deviations, when ``return_std=True``.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetRegressor
        >>> reg = MultiTaskNetRegressor(max_epochs=2, loss="gaussian_nll").fit(
        ...     [[0.0], [1.0], [2.0]], [[1.0, 5.0], [2.0, 6.0], [3.0, 9.0]])
        >>> mean, std = reg.predict([[0.5]], return_std=True)
        >>> mean.shape, bool((std > 0).all())
        ((1, 2), True)
        """
        if return_std and self.loss != "gaussian_nll":
            raise ValueError(
                "return_std=True needs a variance output: fit with "
                f"loss='gaussian_nll' (this estimator has loss={self.loss!r})."
            )
        outputs = self._predict_outputs(X)
        mean = np.column_stack(
            [task.predict(out) for task, out in zip(self._tasks, outputs)]
        )
        if self._y_is_1d:
            mean = mean[:, 0]
        if not return_std:
            return mean
        std = np.column_stack(
            [task.predict_std(out) for task, out in zip(self._tasks, outputs)]
        )
        return mean, std[:, 0] if self._y_is_1d else std

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of R² on each task's labelled cells.

        As ``MultiOutputRegressor.score`` (``r2_score`` with
        ``multioutput="uniform_average"``) when ``y`` has no missing cell;
        missing cells are left out of their task's R².

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test data.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True targets; ``NaN``/``None`` cells are ignored.
        sample_weight : array-like of shape (n_samples,) or \
(n_samples, n_tasks), default=None
            Weights per sample, or per cell as ``fit`` takes them; a cell of
            weight 0 counts as unlabelled.

        Returns
        -------
        score : float
            The mean task R².

        Examples
        --------
        >>> import numpy as np
        >>> from sklmtl import MultiTaskNetRegressor
        >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
        >>> reg = MultiTaskNetRegressor(max_epochs=100, lr=0.01, random_state=0)
        >>> reg.fit(X, np.hstack([X, -X])).score(X, np.hstack([X, -X])) > 0.9
        True
        """
        return mean_task_score(
            y,
            self.predict(X),
            task_types=self.task_types_,
            sample_weight=sample_weight,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
