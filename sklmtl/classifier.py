"""MultiTaskNetClassifier: one shared network, one head per task.

Design: the estimator *owns* a skorch net (``net_``, a
:class:`~sklmtl._net.MultiTaskNet`) instead of subclassing
``NeuralNetClassifier``. The estimator keeps scikit-learn's contract
(``__init__`` stores arguments only, ``get_params`` lists exactly them,
``validate_data``, labels in and labels out, ``random_state``), while the inner
net keeps everything skorch gives: the training loop, callbacks, ``history``,
optimizer and device handling, checkpointing. A ``NeuralNetClassifier``
subclass fails about half of scikit-learn's common checks (attributes set in
``__init__``, ``prefix__`` parameters in ``get_params``, argmax indices instead
of labels, ``classes_`` over the whole 2-D target); this owner passes them.
"""

import copy
import inspect
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)
from skorch.callbacks import EarlyStopping, ProgressBar
from skorch.dataset import ValidSplit
from torch.utils.data import Dataset as TorchDataset

from ._batches import (
    ArrayBatches,
    LabelledDataset,
    as_tensor,
    dataset_sample_shape,
    feature_batches,
    torch_threads,
)
from ._net import MultiTaskNet
from ._targets import decode_predictions, encode_targets, task_class_weights
from ._validation import check_hyperparameters, resolve_device
from .callbacks import BestWeights, PerTaskScoring, TaskWeightLogger
from .exceptions import TrainingDivergedError
from .metrics import MultiTaskScoreMixin
from .nn import MultiTaskObjective, make_trunk_factory, resolve_architecture
from .weighting import resolve_weighting

__all__ = ["MultiTaskNetClassifier"]

# Rows per forward pass at prediction time: bounds memory by the batch.
_PREDICT_BATCH_ROWS = 4096
# Work per batch (parameters x rows) under which one torch thread is fastest.
_SMALL_WORK = 2_000_000
# Parameters whose own hyperparameters are reachable as ``<prefix>__<param>``.
_NESTED = ("trunk", "architecture", "task_weighting")
# Prefixes handed to the skorch net as they are (DataLoader options).
_SKORCH_PREFIXES = ("iterator_train", "iterator_valid")


def _has_params(value):
    return hasattr(value, "get_params") and not isinstance(value, type)


class MultiTaskNetClassifier(
    MultiTaskScoreMixin, ClassifierMixin, MultiOutputMixin, BaseEstimator
):
    """Multi-task neural network classifier: a shared trunk, one head per task.

    Trains one PyTorch network (through skorch) whose trunk is shared by all
    tasks and whose heads each predict one column of ``y``. Each column may
    have its own label type, and unknown cells are skipped: they add nothing to
    their task's loss, while the sample still trains the trunk through its
    other tasks. A drop-in replacement for
    ``MultiOutputClassifier(MLPClassifier())``.

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
    architecture : {"hps", "mmoe"} or HPS or MMoE, default="hps"
        How tasks share the trunk: hard parameter sharing, or a multi-gate
        mixture of experts whose experts are trunks (``architecture__n_experts``).
    image_shape : tuple of int or None, default=None
        ``(C, H, W)`` or ``(H, W)`` of flat image rows, for image trunks.
    task_weighting : str, list, dict or TaskWeighting, default="equal"
        How per-task losses (or gradients) are combined: an alias (see
        ``sklmtl.weighting.ALIASES``), fixed weights (a list or a
        ``{task_name: weight}`` dict) or a strategy instance from
        :mod:`sklmtl.weighting` (copied at fit). Its hyperparameters are
        ``task_weighting__<param>``.
    class_weight : None, "balanced", dict or list, default=None
        Class weights in each task's cross-entropy: ``"balanced"`` for every
        task, or a list with one entry per task (``None``, ``"balanced"`` or
        ``{label: weight}``); a dict for a single task.
    missing_label : scalar, default=np.nan
        Marks unknown cells of ``y`` in addition to ``None``, ``NaN`` and
        ``pd.NA`` (e.g. ``-1``).
    optimizer : torch.optim.Optimizer subclass, default=torch.optim.Adam
        The optimizer class.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty handed to the optimizer (omitted when 0).
    batch_size : int, default=128
        Training mini-batch size. Batches are shuffled every epoch.
    max_epochs : int, default=50
        Number of passes over the training data (an upper bound with early
        stopping).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when the
        validation loss has not improved for ``n_iter_no_change`` epochs and
        restore the best weights.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (or ``(name, callback)`` pairs); they are
        copied, never modified.
    progress_bar : bool, default=False
        Show skorch's per-batch progress bar.
    warm_start : bool, default=False
        When True, a new ``fit`` continues training the fitted network.
    verbose : int, default=0
        1 prints skorch's table of per-epoch losses.
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
        ``task_weighting__<param>`` arguments for string aliases and classes
        (visible to ``get_params``, so ``GridSearchCV`` can search them).

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
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` had string column names.
    net_ : MultiTaskNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch records: ``train_loss``, ``train_loss_<task>``,
        ``train_acc_<task>`` and their ``valid_`` counterparts.
    n_iter_ : int
        Number of epochs trained.

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
        task_weighting="equal",
        class_weight=None,
        missing_label=np.nan,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        weight_decay=0.0,
        batch_size=128,
        max_epochs=50,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="cpu",
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
        self.task_weighting = task_weighting
        self.class_weight = class_weight
        self.missing_label = missing_label
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.callbacks = callbacks
        self.progress_bar = progress_bar
        self.warm_start = warm_start
        self.verbose = verbose
        self.on_divergence = on_divergence
        self.n_threads = n_threads
        self.random_state = random_state
        # Extra keyword arguments are stored as given (checked at fit, as
        # scikit-learn validates parameters) and listed by get_params.
        self._extra_params = tuple(kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    # ------------------------------------------------------------ params
    def _nested_kwargs(self, prefix):
        start = prefix + "__"
        return {
            k[len(start) :]: getattr(self, k)
            for k in self._extra_params
            if k.startswith(start)
        }

    def _check_extra_params(self):
        for key in self._extra_params:
            prefix, sep, _ = key.partition("__")
            if not sep or prefix not in _NESTED + _SKORCH_PREFIXES:
                raise TypeError(
                    f"MultiTaskNetClassifier got an unexpected keyword argument "
                    f"{key!r}; extra arguments must look like "
                    f"<{'|'.join(_NESTED + _SKORCH_PREFIXES)}>__<param>."
                )

    def get_params(self, deep=True):
        """Get parameters, including ``<prefix>__<param>`` keyword arguments.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of strategy instances.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(
        ...     task_weighting="dwa", task_weighting__temperature=1.0)
        >>> clf.get_params()["task_weighting__temperature"]
        1.0
        """
        params = super().get_params(deep=deep)
        params.update({key: getattr(self, key) for key in self._extra_params})
        return params

    def set_params(self, **params):
        """Set parameters, including ``<prefix>__<param>`` keyword arguments.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        self : MultiTaskNetClassifier
            The estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(trunk="cnn").set_params(trunk__fc_size=32)
        >>> clf.trunk__fc_size
        32
        """
        direct = {}
        for key, value in params.items():
            prefix, sep, _ = key.partition("__")
            owner = params.get(prefix, getattr(self, prefix, None))
            if key in self._extra_params or (
                sep
                and (
                    (prefix in _NESTED and not _has_params(owner))
                    or prefix in _SKORCH_PREFIXES
                )
            ):
                if key not in self._extra_params:
                    self._extra_params = (*self._extra_params, key)
                setattr(self, key, value)
            else:
                direct[key] = value
        return super().set_params(**direct)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y):
        """Fit the network to ``X`` and the task labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, one column per task; unknown cells are ``None``, ``NaN``,
            ``pd.NA`` or equal to ``missing_label``.

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
        return self._fit(X, y, continuing=continuing, epochs=None, classes=None)

    def partial_fit(self, X, y, classes=None):
        """Train one epoch on a batch of data, keeping what was learned so far.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, as for :meth:`fit`.
        classes : list of array-like, or array-like, default=None
            The classes of each task (one array for 1-D ``y``). Needed only on
            the first call when that batch does not show every class; later
            batches must use these classes.

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
        continuing = hasattr(self, "net_")
        if not continuing and classes is not None:
            classes = _classes_as_list(classes, y)
        return self._fit(X, y, continuing=continuing, epochs=1, classes=classes)

    def _fit(self, X, y, *, continuing, epochs, classes):
        if not continuing and hasattr(self, "net_"):
            # A refit that fails must not leave the old network behind new
            # classes_: the estimator is unfitted until the new net exists.
            del self.net_
            self._rng_state = None
        self._check_extra_params()
        hidden = check_hyperparameters(self)
        device = resolve_device(self.device)
        strategy = resolve_weighting(
            self.task_weighting, self._nested_kwargs("task_weighting")
        )
        X = self._validate_X(X, reset=not continuing)
        if continuing:
            classes = self._classes_list()
        codes, classes, task_names, is_1d = encode_targets(
            y, self.missing_label, classes
        )
        check_consistent_length(X, codes)
        if continuing and len(classes) != self.n_tasks_:
            raise ValueError(f"y has {len(classes)} tasks; expected {self.n_tasks_}.")
        if not continuing:
            self._y_is_1d = is_1d
            self.classes_ = classes[0] if is_1d else classes
            self.n_tasks_ = len(classes)
            self.task_names_ = task_names
            self._class_weights = task_class_weights(
                self.class_weight, codes, classes, task_names
            )
            self._next_seed = check_random_state(self.random_state).randint(2**31 - 1)

        with self._seeded_torch(device) as seed:
            if not continuing:
                self.net_ = self._build_net(hidden, strategy, device, seed)
                self.net_.initialize()
            with torch_threads(self._threads_for(self.batch_size)):
                if isinstance(X, TorchDataset):
                    self._train(LabelledDataset(X, codes), None, continuing, epochs)
                else:
                    X_tensor = as_tensor(X)
                    self._train(X_tensor, torch.from_numpy(codes), continuing, epochs)
        self.net_.module_.eval()
        self.history_ = self.net_.history
        self.n_iter_ = sum("train_loss" in row for row in self.net_.history)
        return self

    def _train(self, X_tensor, codes_tensor, continuing, epochs):
        """Run skorch's loop; on divergence, raise or restore (``on_divergence``)."""
        start_state = _training_state(self.net_) if continuing else None
        try:
            if continuing or epochs is not None:
                self.net_.partial_fit(X_tensor, codes_tensor, epochs=epochs)
            else:
                self.net_.fit(X_tensor, codes_tensor)
        except TrainingDivergedError as exc:
            best = dict(self.net_.callbacks_).get("best_weights")
            if self.on_divergence == "restore_best" and best and best.state:
                _load_training_state(self.net_, best.state)
                warnings.warn(
                    f"{exc} Restored the weights of epoch {best.epoch}.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
                return
            if start_state is None:
                del self.net_
            else:
                _load_training_state(self.net_, start_state)
            raise

    @contextmanager
    def _seeded_torch(self, device):
        """Run training on a private copy of torch's global RNG.

        A new fit seeds it from ``random_state``; a continued fit resumes the
        stream where the previous call left it, so ``N`` epochs then ``M``
        more draw the same batches as ``N + M`` epochs in one call.
        """
        devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices):
            state = getattr(self, "_rng_state", None)
            if state is not None and hasattr(self, "net_"):
                torch.set_rng_state(state)
                if devices:
                    torch.cuda.manual_seed_all(int(torch.randint(2**31 - 1, ())))
            else:
                torch.manual_seed(self._next_seed)
            yield self._next_seed
            self._rng_state = torch.get_rng_state()

    def _build_net(self, hidden, strategy, device, seed):
        mlp_params = {
            "hidden_layer_sizes": hidden,
            "activation": self.activation,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
        }
        make_trunk = make_trunk_factory(
            self.trunk, self._input_shape, self._nested_kwargs("trunk"), mlp_params
        )
        spec = resolve_architecture(self.architecture).set_params(
            **self._nested_kwargs("architecture")
        )
        module = spec.build(
            make_trunk,
            int(np.prod(self._input_shape)),
            [len(c) for c in self._classes_list()],
            head_hidden_size=self.head_hidden_size,
            activation=self.activation,
            dropout=self.dropout,
        )
        strategy.setup(self.task_names_)
        class_weights = None
        if self._class_weights is not None:
            class_weights = [
                None if w is None else torch.as_tensor(w, dtype=torch.float32)
                for w in self._class_weights
            ]
        callbacks = [
            ("per_task", PerTaskScoring(self.task_names_)),
            ("task_weights", TaskWeightLogger(self.task_names_)),
        ]
        train_split = None
        if self.early_stopping:
            train_split = ValidSplit(
                self.validation_fraction, stratified=False, random_state=seed
            )
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_loss",
                        patience=self.n_iter_no_change,
                        load_best=True,
                    ),
                )
            )
        if self.on_divergence == "restore_best":
            monitor = "valid_loss" if self.early_stopping else "train_loss"
            callbacks.append(("best_weights", BestWeights(monitor)))
        if self.progress_bar:
            callbacks.append(("progress_bar", ProgressBar()))
        callbacks += copy.deepcopy(list(self.callbacks or []))
        optimizer_kwargs = {}
        if self.weight_decay:
            optimizer_kwargs["optimizer__weight_decay"] = self.weight_decay
        accepted = inspect.signature(self.optimizer).parameters
        if "fused" in accepted:
            # One fused kernel updates every parameter (Adam, AdamW, SGD, ...):
            # 4x faster than the default per-parameter loop for an MLP with 32
            # heads on the CPU (benchmarks/speed.py).
            optimizer_kwargs["optimizer__fused"] = True
        elif "foreach" in accepted:
            optimizer_kwargs["optimizer__foreach"] = True
        on_gpu = device.startswith("cuda")
        net_kwargs = {
            "iterator_train": self._iterator_class(),
            "iterator_train__shuffle": True,
            "iterator_train__pin_memory": on_gpu,
            "iterator_valid": self._iterator_class(),
            "iterator_valid__pin_memory": on_gpu,
            **{
                key: getattr(self, key)
                for key in self._extra_params
                if key.partition("__")[0] in _SKORCH_PREFIXES
            },
        }
        net_kwargs.update(
            module=module,
            criterion=MultiTaskObjective,
            criterion__weighting=strategy,
            criterion__class_weights=class_weights,
            optimizer=self.optimizer,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            train_split=train_split,
            callbacks=callbacks,
            predict_nonlinearity=None,
            verbose=self.verbose,
            device=device,
            **optimizer_kwargs,
        )
        return self._net_class()(**self._adapt_net_kwargs(net_kwargs))

    def _net_class(self):
        """The skorch net class (a hook for the Accelerate variant)."""
        return MultiTaskNet

    def _adapt_net_kwargs(self, net_kwargs):
        """Last say over the skorch net's arguments (a hook for subclasses)."""
        return net_kwargs

    def _iterator_class(self):
        """Batches straight from tensors (a hook: Accelerate needs DataLoaders)."""
        return ArrayBatches

    def _validate_X(self, X, reset):
        """``validate_data`` that keeps image batches ``(n, C, H, W)`` intact.

        A torch ``Dataset`` is checked on its first item only and never loaded
        as a whole.
        """
        if isinstance(X, TorchDataset):
            shape = dataset_sample_shape(X)
            n_dims = len(shape) + 1
            if reset:
                self.n_features_in_ = shape[0]
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
        else:
            X = validate_data(self, X, reset=reset, dtype=np.float32, allow_nd=True)
            shape, n_dims = X.shape[1:], X.ndim
        if n_dims not in (2, 4):
            raise ValueError(
                f"X must be 2-D (n_samples, n_features) or 4-D images (n_samples, C, "
                f"H, W); got {n_dims} dimensions (samples of shape {shape})."
            )
        if reset:
            self._input_shape = self._sample_shape(shape)
            self._raw_sample_shape = tuple(shape)
        elif tuple(shape) != tuple(self._raw_sample_shape):
            raise ValueError(
                f"X has samples of shape {tuple(shape)}, but {type(self).__name__} "
                f"was fitted on samples of shape {tuple(self._raw_sample_shape)}."
            )
        return X

    def _sample_shape(self, raw_shape):
        if self.image_shape is None:
            return tuple(raw_shape)
        shape = tuple(int(s) for s in self.image_shape)
        if len(shape) == 2:
            shape = (1, *shape)
        if (
            len(shape) != 3
            or len(raw_shape) != 1
            or int(np.prod(shape)) != raw_shape[0]
        ):
            raise ValueError(
                f"image_shape={self.image_shape!r} does not fit samples of shape "
                f"{tuple(raw_shape)}; give (C, H, W) or (H, W) with C * H * W equal "
                "to n_features."
            )
        return shape

    # -------------------------------------------------------------- predict
    def _classes_list(self):
        return [self.classes_] if self._y_is_1d else list(self.classes_)

    def _predict_proba_list(self, X):
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        with torch_threads(self._threads_for(_PREDICT_BATCH_ROWS)):
            return self._batched_proba(X)

    def _threads_for(self, batch_rows):
        """Torch threads for work on batches of ``batch_rows`` (``n_threads``)."""
        if self.n_threads != "auto":
            return self.n_threads
        if torch.get_num_threads() == 1 or self.net_.device != "cpu":
            return None
        n_params = sum(p.numel() for p in self.net_.module_.parameters())
        # Below ~2e6 multiply-adds per batch, thread start-up costs more than
        # it saves (benchmarks/speed.py, "threads"): one thread.
        return 1 if n_params * batch_rows < _SMALL_WORK else None

    def _batched_proba(self, X):
        module = self.net_.module_
        module.eval()
        device = next(module.parameters()).device
        probas = [np.empty((len(X), len(c))) for c in self._classes_list()]
        batches = feature_batches(X, _PREDICT_BATCH_ROWS, pin=device.type == "cuda")
        with torch.inference_mode():
            for start, batch in batches:
                stop = start + len(batch)
                batch = batch.to(device, non_blocking=True)
                for out, logits in zip(probas, module(batch)):
                    out[start:stop] = (
                        torch.softmax(logits.double(), dim=1).cpu().numpy()
                    )
        return probas

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
        probas = self._predict_proba_list(X)
        return probas[0] if self._y_is_1d else probas

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
        probas = self._predict_proba_list(X)
        codes = np.column_stack([p.argmax(axis=1) for p in probas])
        return decode_predictions(codes, self._classes_list(), self._y_is_1d)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")


def _classes_as_list(classes, y):
    """``classes`` of ``partial_fit`` as one entry per task.

    The entries stay as given: ``encode_targets`` turns each into an array
    that keeps the task's label kind (``np.unique`` or ``np.asarray`` of a
    list would turn ``[0, 1]`` beside strings, or ``True`` beside ``1``,
    into another kind).
    """
    if np.ndim(y) == 1 or (hasattr(y, "name") and not hasattr(y, "columns")):
        return [classes]
    if (
        isinstance(classes, np.ndarray)
        and classes.ndim == 1
        and not isinstance(classes[0], (list, tuple, np.ndarray))
    ):
        raise ValueError(
            "For a 2-D y, classes must be a list with one array of classes per task."
        )
    return list(classes)


def _training_state(net):
    """Copies of the module's, criterion's and optimizer's state."""
    return {
        "module": copy.deepcopy(net.module_.state_dict()),
        "criterion": copy.deepcopy(net.criterion_.state_dict()),
        "optimizer": copy.deepcopy(net.optimizer_.state_dict()),
    }


def _load_training_state(net, state):
    net.module_.load_state_dict(state["module"])
    net.criterion_.load_state_dict(state["criterion"])
    if "optimizer" in state:
        net.optimizer_.load_state_dict(state["optimizer"])
