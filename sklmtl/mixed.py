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

import numpy as np
import torch
from sklearn.base import MultiOutputMixin

from ._base import MultiTaskNetBase
from ._targets import decode_predictions
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
    hidden_layer_sizes : tuple of int, default=(256, 128)
        Widths of the shared MLP trunk's hidden layers.
    activation : {"relu", "tanh", "logistic", "identity", "gelu", "elu", \
"leaky_relu"}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout probability after each hidden layer (trunk and heads).
    batch_norm : bool, default=False
        Whether to add batch normalisation to the trunk.
    head_hidden_size : int or None, default=None
        Width of a hidden layer of each task's own head; None for linear heads.
    trunk : {"mlp", "cnn"}, nn.Module subclass or nn.Module instance, \
default="mlp"
        What extracts the shared features. ``"mlp"`` uses
        ``hidden_layer_sizes``; ``"cnn"`` is a LeNet-sized
        :class:`~sklmtl.nn.CNNTrunk` for images ``(n_samples, C, H, W)`` or
        flat rows with ``image_shape``. A class is built with the
        ``trunk__<param>`` keyword arguments; an instance (e.g. a torchvision
        backbone) is copied. The feature width is found with a dry forward
        pass, so the heads attach automatically.
    architecture : {"hps", "mmoe", "cgc", "ple", "cross_stitch"} or HPS, default="hps"
        How tasks share the trunk: hard parameter sharing, a multi-gate
        mixture of experts whose experts are trunks (``architecture__n_experts``),
        task-specific and shared experts (CGC, or PLE over ``n_levels``), or one
        trunk per task joined by cross-stitch units; an alias or a spec from
        :mod:`sklmtl.nn` (:class:`~sklmtl.nn.MMoE`, :class:`~sklmtl.nn.PLE`, ...).
    image_shape : tuple of int or None, default=None
        ``(C, H, W)`` or ``(H, W)`` of flat image rows, for image trunks.
    categorical_features : None, "from_dtype" or array-like, default="from_dtype"
        Which columns of ``X`` are categorical, as in
        ``HistGradientBoostingClassifier``: ``"from_dtype"`` takes a
        DataFrame's ``category``, ``object``, ``string`` and ``bool`` columns
        (a numeric array has none); column indices, names or a boolean mask
        select them explicitly; None makes every column numeric. Each
        categorical column is encoded at fit and gets a learned embedding;
        missing values and categories unseen at fit map to a reserved
        "unknown" embedding (see the user guide, "Tabular input").
    categorical_embedding_dim : "auto" or int, default="auto"
        Width of each categorical column's embedding; ``"auto"`` is
        ``min(16, round(1.6 * n_levels ** 0.56))``.
    numeric_embedding : {None, "periodic", "piecewise_linear"}, default=None
        Embeddings for numerical features (Gorishniy et al., NeurIPS 2022):
        ``"periodic"`` (PLR; ``numeric_embedding__n_frequencies``,
        ``__sigma``, ``__d_embedding``) or ``"piecewise_linear"`` (PLE with
        ``numeric_embedding__n_bins`` training quantile bins, default 16).
    missing_values : {"error", "indicator"}, default="error"
        NaN in numeric columns of ``X``: ``"error"`` rejects them;
        ``"indicator"`` imputes the training median and adds an indicator
        column for each numeric column that had missing values at fit.
        Whenever a table needs encoding (categorical columns, or either
        option above), numeric columns are also standardised with the
        training mean and standard deviation.
    task_weighting : str, list, dict or TaskWeighting, default="equal"
        How per-task losses (or gradients) are combined: an alias (see
        ``sklmtl.weighting.ALIASES``), fixed weights (a list or a
        ``{task_name: weight}`` dict) or a strategy instance from
        :mod:`sklmtl.weighting` (copied at fit). Its hyperparameters are
        ``task_weighting__<param>``.
    task_types : dict or None, default=None
        ``{task_name: "classification" | "regression"}`` for the tasks whose
        kind should not be inferred. Inferred kinds: a column of floats with
        a non-integral value is a regression task, every other column (ints,
        integral floats, strings, bools, ...) a classification task. Name a
        column of integral floats (ages, counts) here to regress it.
    regression_loss : {"mse", "huber", "gaussian_nll"}, default="mse"
        The loss of the regression tasks, on their standardised targets (see
        :class:`~sklmtl.MultiTaskNetRegressor`'s ``loss``). Classification
        tasks use the cross-entropy.
    missing_label : scalar, default=np.nan
        Marks unknown cells of classification tasks in addition to ``None``,
        ``NaN`` and ``pd.NA`` (e.g. ``-1``); regression cells are unknown
        when ``NaN``, ``None`` or ``pd.NA``.
    optimizer : torch.optim.Optimizer subclass, default=torch.optim.Adam
        The optimizer class.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty handed to the optimizer (omitted when 0).
    batch_size : int, default=128
        Training mini-batch size. Batches are shuffled every epoch.
    max_epochs : int, default=200
        Number of passes over the training data (an upper bound with early
        stopping).
    early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the training data, stop when the
        validation loss has not improved for ``n_iter_no_change`` epochs and
        restore the best weights. ``"auto"`` turns it on when the first fit
        has at least 500 rows (so the validation split has 50) and off below,
        where every row and every epoch is needed (``benchmarks/defaults_sweep.py``
        on the real-data suite's tables: it lifted five of the six of 800 rows
        and more and cost the two under 300 up to 8 points), and off for
        ``partial_fit`` (streamed batches); a continued fit keeps the first
        fit's choice, which is in ``do_early_stopping_``. The monitored
        ``valid_loss`` is the plain mean over tasks of each task's validation
        loss (averaged over its labelled cells), whatever the
        ``task_weighting``: a weighted objective can go negative (uncertainty
        weighting) or be redrawn (``"rlw"``).
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=20
        Patience of early stopping, in epochs. The best weights are restored,
        so a long patience costs time, not accuracy: in
        ``benchmarks/defaults_sweep.py`` 20 instead of 10 changed no table but
        diamonds, whose validation loss improves slowly (+0.6 and +1.5
        points).
    tol : float or None, default=1e-3
        When early stopping is off (``early_stopping=False``, or ``"auto"``
        below 500 rows), training stops once ``train_loss`` (the plain mean
        over tasks of each task's loss) has not improved by at least ``tol``
        for ``n_iter_no_change`` consecutive epochs: the stopping rule of
        ``MLPClassifier``/``MLPRegressor`` (their ``tol``;
        :class:`~sklmtl.callbacks.TrainingLossPlateau`). ``None`` trains all
        ``max_epochs``. Unused with early stopping on, where the validation
        loss decides; ``partial_fit`` (one epoch per call) never stops on it.
        ``1e-3`` rather than scikit-learn's ``1e-4``: this network's loss
        falls faster than a one-layer MLP's, and ``1e-4`` changed no
        penguins or mpg score of the mixed suite; ``1e-3`` stopped penguins
        after 76 to 147 epochs and lifted its scores (user guide, *Early
        stopping and the monitored loss*).
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
    dtype : {"float32", "float64"}, default="float32"
        The floating-point type the network trains and predicts in (numpy's
        and torch's float32/float64 dtypes are accepted too); inputs are
        converted to it. float64 doubles the memory of weights and
        batches and is slower (1.4x the fit time of a (256, 128) MLP on one
        CPU thread, ``benchmarks/dtype_cost.py``; much more on most GPUs),
        and gives results exact to ~1e-15 instead of ~1e-7: e.g. a fit with
        integer sample weights and one on repeated rows then agree to
        scikit-learn's tolerance. Fixed by the first fit (a continued fit
        cannot change it).
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (or ``(name, callback)`` pairs); they are
        copied, never modified.
    progress_bar : bool, default=False
        Show skorch's per-batch progress bar with the running loss and mean
        accuracy of the classification tasks.
    warm_start : bool, default=False
        When True, a new ``fit`` continues training the fitted network for
        ``max_epochs`` more epochs. Every training setting changed with
        ``set_params`` in between takes effect (``lr``, ``max_epochs``,
        ``batch_size``, ``optimizer`` and ``optimizer__<name>``, ``callbacks``,
        ``early_stopping``, ``regression_loss``, ``dropout``); the optimizer's
        moments carry over when the optimizer class is unchanged. Parameters
        that define the weights (``hidden_layer_sizes``, ``batch_norm``,
        ``head_hidden_size``, ``trunk``, ``architecture``, ``image_shape``,
        ``task_weighting``, the four tabular options above and their
        ``<prefix>__`` arguments) cannot change on a continued fit: that
        raises a ``ValueError`` naming them.
    verbose : int or bool, default=0
        1 (or True) prints the per-epoch table: the plain-mean ``train_loss`` and
        ``valid_loss``, the mean accuracies ``train_acc``/``valid_acc`` and
        mean R² ``train_r2``/``valid_r2``,
        and task weights when they change and there are at most 4 tasks.
        Per-task values are in ``history_``.
    on_divergence : {"raise", "restore_best"}, default="raise"
        What happens when a task's loss becomes NaN or infinite: ``"raise"``
        stops with :class:`~sklmtl.exceptions.TrainingDivergedError` naming the
        epoch and the task (a new fit leaves the estimator unfitted; a
        continued fit restores the weights it started from);
        ``"restore_best"`` stops training, restores the weights of the best
        completed epoch (lowest validation loss with early stopping, else
        training loss) and warns with a ``ConvergenceWarning``.
    n_threads : "auto", int or None, default="auto"
        Torch intra-op threads used by ``fit`` and ``predict``; the caller's
        setting is restored afterwards. ``"auto"`` uses one thread for small
        networks on the CPU (parameters x batch rows below 2e6, where more
        threads only add overhead) and torch's setting otherwise; None always
        keeps torch's setting. Parallel searches need nothing more: joblib's
        workers (and Dask's and Ray's) already start torch with one thread
        each. Float sums depend on the thread count: for results identical
        across processes and machines, fix it (e.g. ``n_threads=1``).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. An int gives identical predictions across fits. The caller's
        global torch RNG is left untouched.
    **kwargs : dict
        ``trunk__<param>``, ``architecture__<param>`` and
        ``task_weighting__<param>`` arguments for string aliases and classes,
        ``optimizer__<name>`` arguments of the optimizer (e.g.
        ``optimizer__momentum=0.9`` for SGD, ``optimizer__betas`` for Adam;
        ``lr`` and ``weight_decay`` have their own parameters), and
        ``iterator_train__<name>``/``iterator_valid__<name>`` DataLoader
        options. All are visible to ``get_params``, so ``GridSearchCV`` can
        search them, and saved by :func:`sklmtl.io.save`.

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
    net_ : MultiTaskNet
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

    _parameter_constraints = {
        **MultiTaskNetBase._parameter_constraints,
        "task_types": [Options({None}), InstanceOf(dict)],
        "regression_loss": [Options(set(REGRESSION_LOSSES))],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        head_hidden_size=None,
        trunk="mlp",
        architecture="hps",
        image_shape=None,
        categorical_features="from_dtype",
        categorical_embedding_dim="auto",
        numeric_embedding=None,
        missing_values="error",
        task_weighting="equal",
        task_types=None,
        regression_loss="mse",
        missing_label=np.nan,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        weight_decay=0.0,
        batch_size=128,
        max_epochs=200,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=20,
        tol=1e-3,
        device="cpu",
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        warm_start=False,
        verbose=0,
        on_divergence="raise",
        n_threads="auto",
        random_state=None,
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.head_hidden_size = head_hidden_size
        self.trunk = trunk
        self.architecture = architecture
        self.image_shape = image_shape
        self.categorical_features = categorical_features
        self.categorical_embedding_dim = categorical_embedding_dim
        self.numeric_embedding = numeric_embedding
        self.missing_values = missing_values
        self.task_weighting = task_weighting
        self.task_types = task_types
        self.regression_loss = regression_loss
        self.missing_label = missing_label
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.dtype = dtype
        self.callbacks = callbacks
        self.progress_bar = progress_bar
        self.warm_start = warm_start
        self.verbose = verbose
        self.on_divergence = on_divergence
        self.n_threads = n_threads
        self.random_state = random_state
        self._store_extra_params(kwargs)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and the targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            One column per task: labels or numbers. Unknown cells are
            ``None``, ``NaN``, ``pd.NA`` (or ``missing_label`` in a label
            column). A list of rows keeps each column's kind.
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

    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on a batch of data, keeping what was learned so far.

        The first call fixes the tasks: their kinds, classes and scaling.
        Later batches must use the same classes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Targets, as for :meth:`fit`.
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
        check_task_types(self.task_types)
        return self.task_types

    def _regression_loss(self):
        return self.regression_loss

    def _encode_targets(self, y, *, continuing, classes):
        values = super()._encode_targets(y, continuing=continuing, classes=classes)
        if not continuing:
            self._y_is_frame = hasattr(y, "columns") and hasattr(y, "iloc")
            self._set_task_attributes()
        return values

    def _set_task_attributes(self):
        self.task_types_ = [task.kind for task in self._tasks]
        self.classes_ = [task.classes for task in self._tasks]

    def _target_state(self):
        return {**super()._target_state(), "y_is_frame": bool(self._y_is_frame)}

    def _restore_target_state(self, state):
        super()._restore_target_state(state)
        self._y_is_frame = bool(state["y_is_frame"])
        self._set_task_attributes()

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
        if self._y_is_frame:
            import pandas as pd

            index = X.index if hasattr(X, "index") and hasattr(X, "iloc") else None
            return pd.DataFrame(dict(zip(self.task_names_, columns)), index=index)
        # decode_predictions keeps each column's kind (its codes index ``columns``).
        identity = np.tile(np.arange(len(columns[0]))[:, None], (1, len(columns)))
        return decode_predictions(identity, columns, self._y_is_1d)

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
        if not hasattr(self, "_tasks"):
            return  # check_is_fitted raises in _predict_outputs
        names = [t.name for t in self._tasks if t.has_proba]
        if task is None:
            if not names:
                raise ValueError(
                    "predict_proba is for classification tasks, and every task "
                    f"is a regression task ({self.task_names_}); use predict."
                )
            return
        if task not in self.task_names_:
            raise ValueError(
                f"predict_proba got task={task!r}, which is not a task; the tasks "
                f"are {self.task_names_}."
            )
        if task not in names:
            raise ValueError(
                f"Task {task!r} is a regression task: it has no class "
                f"probabilities (use predict). The classification tasks are "
                f"{names}."
            )

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
