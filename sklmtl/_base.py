"""What every sklmtl network estimator shares: parameters, fit, fitted state.

Design: the estimator *owns* a skorch net (``net_``, a
:class:`~sklmtl._net.MultiTaskNeuralNet`) instead of subclassing a skorch class.
The estimator keeps scikit-learn's contract (``__init__`` stores arguments
only, ``get_params`` lists exactly them, ``validate_data``, labels in and
labels out, ``random_state``), while the inner net keeps everything skorch
gives: the training loop, callbacks, ``history``, optimizer and device
handling. A ``NeuralNetClassifier`` subclass fails about half of
scikit-learn's common checks; this owner passes them.

One routine builds the network from the parameters and the fitted attributes
(:meth:`MultiTaskNetBase._initialize_net`), and one pair reads and restores
the whole fitted state (:meth:`~MultiTaskNetBase._get_fitted_state`,
:meth:`~MultiTaskNetBase._restore_fitted_state`). ``fit`` with
``warm_start=True``, ``partial_fit`` and :func:`sklmtl.io.load` all go
through them: a continued fit builds a new net from the *current* parameters
(so a changed ``lr``, ``max_epochs``, optimizer argument or callback takes
effect) and loads the previous weights, optimizer moments, history and RNG
stream into it.
"""

import numbers
import warnings
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data
from torch.utils.data import Dataset as TorchDataset

from ._batches import (
    LabelledDataset,
    as_tensor,
    dataset_sample_shape,
    feature_batches,
    torch_threads,
)
from ._binary import binary_outputs
from ._estimator._build import NetBuilderMixin
from ._estimator._parameters import SHARED_PARAMETERS, declare_parameters
from ._labels import label_kind
from ._sparse import SparseRows, issparse, validate_sparse_X
from ._state import load_training_state, training_state
from ._tabular import TabularEncoder, needs_tabular, reject_text
from ._task_affinity import fitted_affinity
from ._tasks import (
    CLASSIFICATION,
    OutputLayout,
    encode_tasks,
    fit_scaling,
    labelled_mask,
    learn_tasks,
    task_from_state,
)
from ._validation import float_dtype_name, resolve_device, validate_params
from ._weights import check_sample_weight
from .exceptions import TrainingDivergedError
from .nn.heads import activate
from .nn.losses import pack_targets
from .nn.tabular import DEFAULT_N_BINS

__all__ = ["MultiTaskNetBase"]

# early_stopping="auto" holds out a validation split from this many training
# rows on (10% of them, 50 rows, is then enough to pick an epoch); below it
# the net trains every epoch on every row. Chosen on the real-data suite.
AUTO_EARLY_STOPPING_MIN_SAMPLES = 500
# Rows per forward pass at prediction time: bounds memory by the batch.
PREDICT_BATCH_ROWS = 4096
# Work per batch (parameters x rows) under which one torch thread is fastest.
_SMALL_WORK = 2_000_000
# Parameters whose own hyperparameters are reachable as ``<prefix>__<param>``.
_NESTED = ("trunk", "architecture", "task_weighting", "numeric_embedding")
# Prefixes handed on as they are: the optimizer's arguments, DataLoader options.
_PASS_THROUGH = ("optimizer", "iterator_train", "iterator_valid")


def as_tensor_or_none(array):
    return None if array is None else torch.from_numpy(array)


def _label_set(labels):
    """Labels compared as the task layer compares them (kind and value)."""
    return {(label_kind(v), v) for v in np.asarray(labels, dtype=object).tolist()}


def _has_params(value):
    return hasattr(value, "get_params") and not isinstance(value, type)


def _comparable(value):
    """A value that compares equal when a parameter means the same network."""
    if _has_params(value):
        return (type(value), _comparable(value.get_params()))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _comparable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_comparable(v) for v in value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value


class MultiTaskNetBase(NetBuilderMixin, BaseEstimator):
    """Parameters, training and fitted state shared by sklmtl's estimators.

    Subclasses define ``__init__`` (storing the parameters), the kind of
    their tasks (:meth:`_task_types`, :meth:`_regression_loss`) and the
    prediction methods. Targets go through the task layer
    (:mod:`sklmtl._tasks`): one object per task, kept in ``_tasks``, and
    the output layout they decide (``_layout``: the output widths and the
    loss of each output); the task objects decode the predictions.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._base import MultiTaskNetBase
    >>> issubclass(MultiTaskNetClassifier, MultiTaskNetBase)
    True
    """

    # The shared parameters (sklmtl._estimator._parameters); each estimator
    # adds its own with ``_own_parameters`` and gets ``__init__``, the
    # constraint table and its documented Parameters from them.
    _parameters = SHARED_PARAMETERS
    _parameter_constraints = {
        p.name: list(p.constraints) for p in SHARED_PARAMETERS if p.constraints
    }
    _network_parameter_names = tuple(p.name for p in SHARED_PARAMETERS if p.network)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_own_parameters" in vars(cls):
            declare_parameters(cls)

    # ------------------------------------------------------------ params
    def _store_extra_params(self, kwargs):
        # Extra keyword arguments are stored as given (checked at fit, as
        # scikit-learn validates parameters) and listed by get_params.
        self._extra_params = tuple(kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _nested_kwargs(self, prefix):
        start = prefix + "__"
        return {
            k[len(start) :]: getattr(self, k)
            for k in self._extra_params
            if k.startswith(start)
        }

    def _check_params(self):
        """Check the extra keyword arguments and the declared constraints."""
        for key in self._extra_params:
            prefix, sep, _ = key.partition("__")
            if not sep or prefix not in _NESTED + _PASS_THROUGH:
                raise TypeError(
                    f"{type(self).__name__} got an unexpected keyword argument "
                    f"{key!r}; extra arguments must look like "
                    f"<{'|'.join(_NESTED + _PASS_THROUGH)}>__<param>."
                )
        validate_params(
            self.get_params(deep=False),
            self._parameter_constraints,
            type(self).__name__,
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
        self : estimator
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
                    or prefix in _PASS_THROUGH
                )
            ):
                if key not in self._extra_params:
                    self._extra_params = (*self._extra_params, key)
                setattr(self, key, value)
            else:
                direct[key] = value
        return super().set_params(**direct)

    def _network_params(self):
        """The parameters that define the network's weights, comparable."""
        names = [
            *self._network_parameter_names,
            *(k for k in self._extra_params if k.partition("__")[0] in _NESTED),
        ]
        params = {name: _comparable(getattr(self, name)) for name in sorted(names)}
        # np.float64, torch.float64 and "float64" are one network.
        params["dtype"] = float_dtype_name(self.dtype)
        return params

    def _check_network_unchanged(self):
        fitted = self._fitted_network_params
        current = self._network_params()
        changed = sorted(
            name
            for name in set(fitted) | set(current)
            if fitted.get(name, "<unset>") != current.get(name, "<unset>")
        )
        if changed:
            raise ValueError(
                f"Cannot continue training: {', '.join(changed)} changed since the "
                "network was fitted, and these parameters define its weights. Set "
                "warm_start=False to fit a new network (partial_fit always "
                "continues: call fit first)."
            )

    # ------------------------------------------------------------------ fit
    def _fit(self, X, y, *, continuing, epochs, classes, sample_weight=None):
        self._check_params()
        device = resolve_device(self.device)
        if continuing:
            self._check_network_unchanged()
            previous = self._training_snapshot()
        elif hasattr(self, "net_"):
            # A refit that fails must not leave the old network behind new
            # classes_: the estimator is unfitted until the new net exists.
            del self.net_
            self._rng_state = None
        X = self._validate_X(X, reset=not continuing)
        values = self._encode_targets(y, continuing=continuing, classes=classes)
        if len(values) != _num_samples(X):
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{_num_samples(X)}, {len(values)}]"
            )
        if not (continuing and self.early_stopping == "auto"):
            # "auto" is decided by the first fit's size; a continued fit
            # (often on a small batch) keeps that decision.
            self.do_early_stopping_ = self._resolve_early_stopping(
                len(values), incremental=epochs is not None
            )
        labelled = labelled_mask(values, self._tasks)
        weights = check_sample_weight(sample_weight, labelled, self.task_names_)
        if not continuing and values.dtype.kind == "f":
            # Regression targets are standardised with the (weighted) mean
            # and scale of this fit; a continued fit keeps them.
            values = fit_scaling(values, weights, self._tasks)
        targets = pack_targets(torch.from_numpy(values), as_tensor_or_none(weights))
        if not continuing:
            self._next_seed = check_random_state(self.random_state).randint(2**31 - 1)
            self._fitted_network_params = self._network_params()
        with self._seeded_torch(device, resume=continuing):
            if continuing:
                with torch.random.fork_rng(devices=[]):
                    net = self._initialize_net(device)
                self._load_snapshot(net, previous)
            else:
                net = self._initialize_net(device)
            with torch_threads(self._threads_for(self.batch_size, net)):
                self._train(net, X, targets, previous if continuing else None, epochs)
        self._set_net(net)
        return self

    def _resolve_early_stopping(self, n_samples, incremental):
        """Whether this fit holds out a validation split and stops early.

        ``"auto"`` is off for ``partial_fit`` (streamed batches, one epoch per
        call: as ``MLPClassifier`` does there) and below
        ``AUTO_EARLY_STOPPING_MIN_SAMPLES`` rows.
        """
        if self.early_stopping == "auto":
            return not incremental and n_samples >= AUTO_EARLY_STOPPING_MIN_SAMPLES
        return bool(self.early_stopping)

    def _train(self, net, X, targets, previous, epochs):
        """Run skorch's loop; on divergence, raise or restore (``on_divergence``)."""
        dtype = self._network_dtype()
        if isinstance(X, TorchDataset):
            args = (LabelledDataset(X, targets, dtype=dtype), None)
        elif issparse(X):
            args = (SparseRows(X, dtype=dtype), targets)
        else:
            args = (as_tensor(X), targets)
        try:
            net.partial_fit(*args, epochs=epochs or self.max_epochs)
        except TrainingDivergedError as exc:
            best = dict(net.callbacks_).get("best_weights")
            if self.on_divergence == "restore_best" and best and best.state:
                load_training_state(net, best.state, keep_hyperparameters=False)
                warnings.warn(
                    f"{exc} Restored the weights and optimizer state of epoch "
                    f"{best.epoch}.",
                    ConvergenceWarning,
                    stacklevel=5,
                )
                return
            if previous is None:
                if hasattr(self, "net_"):
                    del self.net_
            else:
                self._load_snapshot(net, previous)
                self._set_net(net)
            raise

    @contextmanager
    def _seeded_torch(self, device, resume):
        """Run training on a private copy of torch's global RNG.

        A new fit seeds it from ``random_state``; a continued fit resumes the
        stream where the previous call left it, so ``N`` epochs then ``M``
        more draw the same batches as ``N + M`` epochs in one call.
        """
        devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
        with torch.random.fork_rng(devices=devices):
            state = getattr(self, "_rng_state", None)
            if resume and state is not None:
                torch.set_rng_state(state)
                if devices:
                    torch.cuda.manual_seed_all(int(torch.randint(2**31 - 1, ())))
            else:
                torch.manual_seed(self._next_seed)
            yield
            self._rng_state = torch.get_rng_state()

    # ------------------------------------------------------ fitted state
    def _training_snapshot(self):
        """Weights, weighting, optimizer, history and RNG stream of ``net_``."""
        return {
            **training_state(self.net_),
            "history": list(self.net_.history),
            "rng_state": getattr(self, "_rng_state", None),
        }

    def _load_snapshot(self, net, snapshot, keep_hyperparameters=True):
        load_training_state(net, snapshot, keep_hyperparameters)
        net.history.clear()
        net.history.extend(snapshot["history"])
        self._rng_state = snapshot["rng_state"]

    def _set_net(self, net):
        net.module_.eval()
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = sum("train_loss" in row for row in net.history)
        # task_affinity_ / gradient_cosine_ exist only when a TaskAffinity
        # callback measured them (in this fit or one it continued).
        for name, value in fitted_affinity(net.history).items():
            if value is not None:
                setattr(self, name, value)
            elif hasattr(self, name):
                delattr(self, name)

    def _get_fitted_state(self):
        """Everything a fitted estimator knows beyond its parameters.

        Returns
        -------
        state : dict
            ``attributes`` (plain values: classes, names, shapes, seeds) and
            ``training`` (state dicts, history and RNG stream); the inverse of
            :meth:`_restore_fitted_state`.
        """
        check_is_fitted(self)
        feature_names = getattr(self, "feature_names_in_", None)
        tabular = getattr(self, "_tabular", None)
        attributes = {
            "target": self._target_state(),
            "task_names": list(self.task_names_),
            "n_features_in": int(self.n_features_in_),
            "feature_names_in": None
            if feature_names is None
            else [str(n) for n in feature_names],
            "input_shape": [int(s) for s in self._input_shape],
            "raw_sample_shape": [int(s) for s in self._raw_sample_shape],
            "next_seed": int(self._next_seed),
            "do_early_stopping": bool(self.do_early_stopping_),
            "tabular": None if tabular is None else tabular.state(),
            # The network's dtype, which a later set_params(dtype=...) does
            # not change until the next new fit.
            "dtype": self._float_dtype().name,
        }
        return {"attributes": attributes, "training": self._training_snapshot()}

    def _restore_fitted_state(self, state, device=None):
        """Make this (unfitted) estimator the fitted one ``state`` describes."""
        self._check_params()
        attributes = state["attributes"]
        self._restore_target_state(attributes["target"])
        self.task_names_ = list(attributes["task_names"])
        self.n_tasks_ = len(self.task_names_)
        self.n_features_in_ = attributes["n_features_in"]
        if attributes["feature_names_in"] is not None:
            self.feature_names_in_ = np.asarray(
                attributes["feature_names_in"], dtype=object
            )
        self._input_shape = tuple(attributes["input_shape"])
        self._raw_sample_shape = tuple(attributes["raw_sample_shape"])
        self._next_seed = attributes["next_seed"]
        # Files written before early_stopping="auto" existed lack the key.
        self.do_early_stopping_ = attributes.get(
            "do_early_stopping", self.early_stopping is True
        )
        tabular = attributes.get("tabular")
        self._tabular = None if tabular is None else TabularEncoder.from_state(tabular)
        self._fitted_network_params = {
            **self._network_params(),
            # Files written before dtype existed hold float32 networks.
            "dtype": attributes.get("dtype", "float32"),
        }
        with torch.random.fork_rng(devices=[]):
            net = self._initialize_net(resolve_device(device or self.device))
        self._load_snapshot(net, state["training"])
        self._set_net(net)
        return self

    # ------------------------------------------------------------- targets
    def _encode_targets(self, y, *, continuing, classes):
        """Encode ``y`` with the task layer; a new fit learns the tasks.

        Returns the training target (:mod:`sklmtl._tasks`): unscaled on a new
        fit (``_fit`` standardises it once the sample weights are known),
        standardised with the fitted scaling on a continued one.
        """
        missing_label = getattr(self, "missing_label", np.nan)
        if continuing:
            return encode_tasks(
                y, self._tasks, missing_label=missing_label, standardise=True
            )
        tasks, values, task_names, is_1d = learn_tasks(
            y,
            self._task_types(),
            missing_label=missing_label,
            classes=classes,
            regression_width=2 if self._regression_loss() == "gaussian_nll" else 1,
        )
        self._set_tasks(tasks)
        self._y_is_1d = is_1d
        self.n_tasks_ = len(tasks)
        self.task_names_ = task_names
        return values

    def _partial_fit_classes(self, classes, y, continuing):
        """``partial_fit``'s ``classes`` as one entry per task (None: learned).

        A later call may repeat the first call's classes, never change them
        (as scikit-learn's ``partial_fit``); it then returns None.
        """
        if classes is None:
            return None
        if np.ndim(y) == 1 or (hasattr(y, "name") and not hasattr(y, "columns")):
            classes = [classes]
        elif (
            isinstance(classes, np.ndarray)
            and classes.ndim == 1
            and not isinstance(classes[0], (list, tuple, np.ndarray))
        ):
            raise ValueError(
                "For a 2-D y, classes must be a list with one array of classes "
                "per task (None to learn a task's classes from the batch)."
            )
        # The entries stay as given: the task layer turns each into an array
        # that keeps the task's label kind (np.asarray of the whole list would
        # turn [0, 1] beside strings, or True beside 1, into another kind).
        classes = list(classes)
        if not continuing:
            return classes
        if len(classes) != len(self._tasks):
            raise ValueError(
                f"classes has {len(classes)} entries but the estimator was fitted "
                f"with {len(self._tasks)} task(s)."
            )
        for given, task in zip(classes, self._tasks):
            fitted = getattr(task, "classes", None)
            if given is None:
                continue
            if fitted is None or _label_set(given) != _label_set(fitted):
                raise ValueError(
                    f"classes={list(given)!r} for task {task.name!r} is not the "
                    "same as on the first call to partial_fit, which fixed "
                    f"{None if fitted is None else fitted.tolist()!r}; the classes "
                    "cannot change between calls."
                )
        return None

    def _task_types(self):
        """The kind of every task, or ``{name: kind}`` overrides (a hook)."""
        return CLASSIFICATION

    def _regression_loss(self):
        """The loss of regression tasks (a hook): ``"mse"``, ..., or None."""
        return None

    def _set_tasks(self, tasks):
        """Keep the tasks and the output layout they decide (once per fit)."""
        self._layout = OutputLayout.for_tasks(tasks)
        self._tasks = self._layout.tasks

    def _output_sizes(self):
        return self._layout.widths

    def _target_state(self):
        return {
            "tasks": [task.state() for task in self._tasks],
            "y_is_1d": bool(self._y_is_1d),
        }

    def _restore_target_state(self, state):
        self._set_tasks([task_from_state(s) for s in state["tasks"]])
        self._y_is_1d = bool(state["y_is_1d"])

    # -------------------------------------------------------------- predict
    def _predict_outputs(self, X):
        """Each task's output for ``X``, as float64 arrays.

        Classification tasks give class probabilities ``(n, n_classes_t)``;
        regression tasks their standardised outputs ``(n, output_width)``
        (the task objects decode them).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        with torch_threads(self._threads_for(PREDICT_BATCH_ROWS)):
            return self._batched_outputs(X)

    def _batched_outputs(self, X):
        module = self.net_.module_
        module.eval()
        device = next(module.parameters()).device
        if self._layout.one_logit_per_task:
            # Every output one sigmoid logit: the whole logit matrix at once.
            return binary_outputs(
                module, X, PREDICT_BATCH_ROWS, device, "list", self._float_dtype()
            )
        n_rows = _num_samples(X)
        outputs = [np.empty((n_rows, width)) for width in self._layout.widths]
        activations = [task.activation for task in self._tasks]
        batches = feature_batches(
            X, PREDICT_BATCH_ROWS, pin=device.type == "cuda", dtype=self._float_dtype()
        )
        with torch.inference_mode():
            for start, batch in batches:
                stop = start + len(batch)
                batch = batch.to(device, non_blocking=True)
                for out, activation, raw in zip(outputs, activations, module(batch)):
                    out[start:stop] = activate(raw.double(), activation).cpu().numpy()
        return outputs

    # ---------------------------------------------------------------- data
    def _validate_X(self, X, reset):
        """``validate_data`` that keeps image batches ``(n, C, H, W)`` intact.

        A torch ``Dataset`` is checked on its first item only and never loaded
        as a whole. A table with categorical columns (or with the tabular
        options set) is encoded by :class:`~sklmtl._tabular.TabularEncoder`;
        a sparse ``X`` stays sparse (:mod:`sklmtl._sparse`).
        """
        if reset:
            self._tabular = None
            tabular = not isinstance(X, TorchDataset) and needs_tabular(
                X,
                self.categorical_features,
                self.missing_values,
                self.numeric_embedding,
            )
        else:
            tabular = getattr(self, "_tabular", None) is not None
        if issparse(X):
            X = validate_sparse_X(self, X, reset=reset, tabular=tabular)
            shape, n_dims = X.shape[1:], X.ndim
        elif tabular:
            return self._validate_table(X, reset)
        elif isinstance(X, TorchDataset):
            shape = dataset_sample_shape(X)
            n_dims = len(shape) + 1
            if reset:
                self.n_features_in_ = shape[0]
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
        else:
            reject_text(X)
            X = validate_data(
                self, X, reset=reset, dtype=self._float_dtype(reset), allow_nd=True
            )
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

    def _validate_table(self, X, reset):
        """Check a table's columns against the fit, and encode it (never in place)."""
        if not reset and not hasattr(X, "shape"):
            X = np.asarray(X, dtype=object)
        validate_data(self, X, reset=reset, skip_check_array=True)
        if not reset:
            return self._tabular.transform(X, dtype=self._float_dtype())
        n_bins = None
        if self.numeric_embedding == "piecewise_linear":
            params = self._nested_kwargs("numeric_embedding")
            n_bins = params.get("n_bins", DEFAULT_N_BINS)
        encoder = TabularEncoder(self.categorical_features, self.missing_values, n_bins)
        X = encoder.fit_transform(X, dtype=self._float_dtype(reset))
        self._tabular = encoder
        self._input_shape = (X.shape[1],)
        self._raw_sample_shape = (int(self.n_features_in_),)
        return X

    def _float_dtype(self, reset=False):
        """The numpy dtype the network computes in (``dtype``).

        A new fit reads the parameter; later calls read the fitted network,
        so ``set_params(dtype=...)`` takes effect at the next fit only.
        """
        if reset or not hasattr(self, "net_"):
            return np.dtype(float_dtype_name(self.dtype))
        return self._network_dtype()

    def _network_dtype(self):
        """The dtype the current network was built in (recorded at its fit)."""
        return np.dtype(self._fitted_network_params["dtype"])

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

    def _threads_for(self, batch_rows, net=None):
        """Torch threads for work on batches of ``batch_rows`` (``n_threads``)."""
        net = self.net_ if net is None else net
        if self.n_threads != "auto":
            return self.n_threads
        params = list(net.module_.parameters())
        # Where the weights are, not net.device: that is None when an
        # accelerator places the module (sklmtl.distributed).
        if torch.get_num_threads() == 1 or params[0].device.type != "cpu":
            return None
        n_params = sum(p.numel() for p in params)
        # Below ~2e6 multiply-adds per batch, thread start-up costs more than
        # it saves (benchmarks/speed.py, "threads"): one thread.
        return 1 if n_params * batch_rows < _SMALL_WORK else None

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # Categorical columns are encoded (categorical_features); NaN in X is
        # accepted only where the user opted in.
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = self.missing_values == "indicator"
        return tags
