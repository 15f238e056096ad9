"""What every sklmtl network estimator shares: parameters, fit, fitted state.

Design: the estimator *owns* a skorch net (``net_``, a
:class:`~sklmtl._net.MultiTaskNeuralNet`) instead of subclassing a skorch class.
The estimator keeps scikit-learn's contract (``__init__`` stores arguments
only, ``get_params`` lists exactly them, ``validate_data``, labels in and
labels out, ``random_state``), while the inner net keeps everything skorch
gives: the training loop, callbacks, ``history``, optimizer and device
handling. A ``NeuralNetClassifier`` subclass fails about half of
scikit-learn's common checks; this owner passes them.

One routine builds the network from the parameters and the fitted state
(:meth:`MultiTaskNetBase._initialize_net`). What a fit learns is one record
(:class:`~sklmtl._estimator._record.FittedState`) that a new fit, a
continued one (``warm_start=True``, ``partial_fit``) and
:func:`sklmtl.io.load` hand to one setter before the network is built
(:meth:`~MultiTaskNetBase._set_fitted_state`). A continued fit builds a new
net from the *current* parameters (so a changed ``lr``, ``max_epochs``,
optimizer argument or callback takes effect) and loads the previous
weights, optimizer moments, history and RNG stream into it.
"""

import copy
import dataclasses
import inspect
import numbers
import warnings
from contextlib import contextmanager
from functools import partial

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.utils import check_random_state
from skorch.dataset import Dataset as SkorchDataset
from skorch.helper import _make_split
from torch.utils.data import Dataset as TorchDataset

from .._batches import dataset_labels, torch_threads
from .._state import load_training_state
from .._tasks import (
    encode_tasks,
    fit_scaling,
    labelled_mask,
)
from .._validation import float_dtype_name, resolve_device, validate_params
from .._weights import check_sample_weight
from ..exceptions import TrainingDivergedError
from ..nn._backbones import trunk_weights_sha256
from ..nn._sparse_input import accepts_sparse
from ..nn.losses import pack_targets
from ._build import NetBuilderMixin
from ._fitted import FittedStateMixin
from ._inputs import InputMixin
from ._parameters import SHARED_PARAMETERS, declare_parameters

__all__ = ["MultiTaskNetBase"]

# early_stopping="auto" holds out a validation split from this many training
# rows on (10% of them, 50 rows, is then enough to pick an epoch); below it
# the net trains every epoch on every row. Chosen on the real-data suite.
AUTO_EARLY_STOPPING_MIN_SAMPLES = 500
# weight_decay="auto": decoupled weight decay (AdamW's) of this strength for
# a first fit with Adam or AdamW below this many rows (where no validation
# split stops training early), and none from it on, so that larger fits
# train exactly as before the rule. Chosen, with the value, by
# cross-validation inside the training rows of the small development tables
# (benchmarks/dev_select.py); checked once on the held-out tables.
AUTO_WEIGHT_DECAY_MAX_SAMPLES = AUTO_EARLY_STOPPING_MIN_SAMPLES
AUTO_WEIGHT_DECAY = 1.0
# early_stopping="cv": folds of the internal cross-validation that picks the
# number of epochs (LogisticRegressionCV's default number of folds is 5; 3
# keeps the cost at four fits).
CV_FOLDS = 3
# Parameters whose own hyperparameters are reachable as ``<prefix>__<param>``.
_NESTED = ("trunk", "architecture", "task_weighting", "numeric_embedding")
# Prefixes handed on as they are: the optimizer's arguments, DataLoader options.
_PASS_THROUGH = ("optimizer", "iterator_train", "iterator_valid")


def as_tensor_or_none(array):
    return None if array is None else torch.from_numpy(array)


def _has_params(value):
    """Whether ``value`` has scikit-learn's ``get_params(deep=...)``.

    scikit-learn takes any object with a ``get_params`` for an estimator;
    torchvision's random transforms (``RandomResizedCrop``, ``ColorJitter``,
    ...) have a static ``get_params`` that draws one call's random
    parameters, which ``clone`` and ``get_params(deep=True)`` must not call.
    """
    if isinstance(value, type) or not callable(getattr(value, "get_params", None)):
        return False
    try:
        return "deep" in inspect.signature(value.get_params).parameters
    except (TypeError, ValueError):
        return False


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


class MultiTaskNetBase(InputMixin, FittedStateMixin, NetBuilderMixin, BaseEstimator):
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
    >>> from sklmtl._estimator._base import MultiTaskNetBase
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
        if len(self.item_keys) != 2:
            raise ValueError(
                "item_keys must be a pair (image key, labels key); got "
                f"{self.item_keys!r}."
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
        params = super().get_params(deep=False)
        if deep:
            # As BaseEstimator's, but only into values with scikit-learn's
            # get_params (see _has_params: not a torchvision transform's).
            for key, value in list(params.items()):
                if _has_params(value):
                    nested = value.get_params(deep=True)
                    params.update({f"{key}__{k}": v for k, v in nested.items()})
        params.update({key: getattr(self, key) for key in self._extra_params})
        return params

    def __sklearn_clone__(self):
        """An unfitted copy with cloned parameters, for ``sklearn.base.clone``.

        As scikit-learn's, except that a parameter whose ``get_params`` is
        not scikit-learn's (a torchvision random transform's) is deep-copied
        instead of being cloned as an estimator, which fails.

        Returns
        -------
        clone : estimator
            A new estimator of the same class with the same parameters.
        """
        params = {
            key: clone(value, safe=False)
            if _has_params(value) or not hasattr(value, "get_params")
            else copy.deepcopy(value)
            for key, value in self.get_params(deep=False).items()
        }
        new = type(self)(**params)
        if hasattr(self, "_metadata_request"):
            new._metadata_request = copy.deepcopy(self._metadata_request)
        return new

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
    def _fit(
        self, X, y, *, continuing, epochs, classes, sample_weight=None, resume=None
    ):
        """Fit or continue; ``resume`` (from :func:`sklmtl.io.resume`) finishes
        an interrupted fit: its ``plan`` (history length when that fit began,
        epochs it asked for) and ``restore`` (called once the callbacks have
        begun training)."""
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
        learned = {}
        y = self._labels(X, y)
        kind, X = self._validate_input(
            X, reset=not continuing, learned=learned, sample_weight=sample_weight
        )
        values, fields = self._encode_targets(y, continuing=continuing, classes=classes)
        if len(values) != kind.n_rows(X):
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{kind.n_rows(X)}, {len(values)}]"
            )
        if self.early_stopping == "cv" and continuing:
            pass  # a continued fit trains max_epochs more, without the CV
        elif not (continuing and self.early_stopping == "auto"):
            # "auto" is decided by the first fit's size; a continued fit
            # (often on a small batch) keeps that decision.
            fields["do_early_stopping"] = self._resolve_early_stopping(
                len(values), incremental=epochs is not None
            )
        if not (continuing and self.weight_decay == "auto"):
            # Like "auto" early stopping, decided by the first fit's size.
            fields["weight_decay"] = self._resolve_weight_decay(
                len(values), incremental=epochs is not None
            )
        layout = fields["layout"] if not continuing else self._layout
        task_names = fields["task_names"] if not continuing else self.task_names_
        weights = check_sample_weight(
            sample_weight, labelled_mask(values, layout.tasks), task_names
        )
        if not continuing and values.dtype.kind == "f":
            # Regression targets are standardised with the (weighted) mean
            # and scale of this fit (learned in the tasks, in place); a
            # continued fit keeps them.
            values = fit_scaling(values, weights, layout.tasks)
        targets = pack_targets(torch.from_numpy(values), as_tensor_or_none(weights))
        self._set_fitted_state(self._next_fitted_state(continuing, fields, learned))
        split = self._validation_split()
        cv = self.early_stopping == "cv" and not continuing and epochs is None
        if cv and split is not None:
            raise ValueError(
                "early_stopping='cv' chooses the number of epochs by "
                "cross-validation inside the training rows; it cannot be combined "
                "with validation_data or train_split (use early_stopping=True "
                "with those)."
            )
        with self._seeded_torch(device, resume=continuing):
            if continuing:
                with torch.random.fork_rng(devices=[]):
                    net = self._initialize_net(
                        device, load_weights=False, incremental=epochs is not None
                    )
                self._load_snapshot(net, previous)
            else:
                net = self._initialize_net(device)
            data = kind.training_data(
                X, targets, self._network_dtype(), accepts_sparse(net.module_)
            )
            if split is not None:
                net.train_split = split
            plan = None
            if resume is not None:
                net.restore_on_train_begin_ = resume.restore
                plan = resume.plan
            with torch_threads(self._threads_for(self.batch_size, net)):
                if cv:
                    epochs, net = self._cross_validated_epochs(
                        net, data, device, kind.n_rows(X)
                    )
                self._train(net, data, previous if continuing else None, epochs, plan)
        self._set_net(net)
        return self

    def _cross_validated_epochs(self, net, data, device, n_rows):
        """``early_stopping="cv"``: the epoch count of the best mean CV loss.

        The training rows are cut into ``CV_FOLDS`` shuffled folds (seeded
        by the fit's seed); on each, a new network trains ``max_epochs``
        epochs on the other folds (no plateau rule) and records the plain
        mean over tasks of the validation loss after every epoch. The
        epoch count with the lowest mean over folds is recorded in the
        fitted state (``n_epochs_cv_``, with the curve ``cv_valid_loss_``);
        returns it and the network ``net`` (unchanged but for the plateau
        rule) that then trains that many epochs on every row.
        """
        # Target validation has made sure of 2 rows at least.
        folds = KFold(min(CV_FOLDS, n_rows), shuffle=True, random_state=self._next_seed)
        curves = []
        for train_rows, valid_rows in folds.split(np.zeros((n_rows, 1))):
            fold_net = _without_plateau(self._initialize_net(device))
            fold_net.train_split = _RowSplit(train_rows, valid_rows)
            self._train(fold_net, data, None, self.max_epochs)
            curve = np.full(self.max_epochs, np.inf)
            losses = [row.get("valid_loss", np.inf) for row in fold_net.history]
            curve[: len(losses)] = losses
            curves.append(curve)
        with warnings.catch_warnings():
            # An epoch whose loss is NaN in every fold (a task without a
            # labelled validation cell) is never chosen.
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(np.where(np.isfinite(curves), curves, np.nan), axis=0)
        finite = np.isfinite(mean)
        best = int(np.argmin(np.where(finite, mean, np.inf))) + 1 if finite.any() else 0
        n_epochs = best or self.max_epochs
        self._set_fitted_state(
            dataclasses.replace(
                self._fitted_state, n_epochs_cv=n_epochs, cv_valid_loss=mean.tolist()
            )
        )
        return n_epochs, _without_plateau(net)

    def _next_fitted_state(self, continuing, fields, learned):
        """The record of this fit: the previous one updated, or a new one.

        ``fields`` are what this fit learned from ``y`` (and the early
        stopping decision), ``learned`` what validating ``X`` learned of
        the inputs on a new fit.
        """
        if continuing:
            return dataclasses.replace(self._fitted_state, **fields)
        return self._fitted_state_class(
            **fields,
            **learned,
            n_features_in=self.n_features_in_,
            feature_names_in=getattr(self, "feature_names_in_", None),
            next_seed=check_random_state(self.random_state).randint(2**31 - 1),
            network_params=self._network_params(),
            trunk_weights_sha256=trunk_weights_sha256(
                self.trunk, self._nested_kwargs("trunk")
            ),
        )

    def _resolve_early_stopping(self, n_samples, incremental):
        """Whether this fit holds out a validation split and stops early.

        ``"auto"`` is off for ``partial_fit`` (streamed batches, one epoch per
        call: as ``MLPClassifier`` does there) and below
        ``AUTO_EARLY_STOPPING_MIN_SAMPLES`` rows, and on with a validation
        set of one's own (``validation_data``, ``train_split``).
        """
        if self.early_stopping == "auto":
            if self.validation_data is not None or self.train_split is not None:
                return True
            return not incremental and n_samples >= AUTO_EARLY_STOPPING_MIN_SAMPLES
        if self.early_stopping == "cv":
            return False  # the final fit trains on every row
        return bool(self.early_stopping)

    def _resolve_weight_decay(self, n_samples, incremental):
        """The weight decay of this fit: ``weight_decay``, or what ``"auto"`` gives.

        ``"auto"``: ``AUTO_WEIGHT_DECAY`` (decoupled, see
        ``_optimizer_arguments``) for a fit of fewer than
        ``AUTO_WEIGHT_DECAY_MAX_SAMPLES`` rows with Adam or AdamW whose
        decay the ``optimizer__`` arguments leave alone; 0 otherwise, and
        for ``partial_fit`` (one streamed batch says nothing of the data's
        size).
        """
        if self.weight_decay != "auto":
            return float(self.weight_decay)
        own = {"weight_decay", "decoupled_weight_decay"}
        if (
            incremental
            or n_samples >= AUTO_WEIGHT_DECAY_MAX_SAMPLES
            or not issubclass(self.optimizer, torch.optim.Adam)
            or own & set(self._nested_kwargs("optimizer"))
        ):
            return 0.0
        return AUTO_WEIGHT_DECAY

    # ---------------------------------------------------- labels, validation
    def _labels(self, X, y):
        """``y``, or the labels a ``Dataset`` ``X`` holds when ``y`` is None."""
        if y is not None:
            return y
        if isinstance(X, TorchDataset):
            return dataset_labels(X, self.item_keys[1])
        raise ValueError(
            f"{type(self).__name__} requires y to be passed, but the target y is "
            "None (only a torch Dataset whose items hold the labels can stand in "
            "for y)."
        )

    def _validation_split(self):
        """skorch's ``train_split`` for ``validation_data``/``train_split``, or None.

        A validation set of one's own (``validation_data``, or the dataset of
        ``skorch.helper.predefined_split``) is validated against the fit and
        encoded with the fitted tasks, so that it is called after the fitted
        state is set; another ``train_split`` callable is returned as it is.
        """
        data, split = self.validation_data, self.train_split
        if data is not None and split is not None:
            raise ValueError(
                "validation_data and train_split are both set; use one of them."
            )
        if isinstance(split, partial) and split.func is _make_split:
            data = split.keywords.get("valid_ds")
        elif split is not None:
            return split
        if data is None:
            return None
        if isinstance(data, SkorchDataset) and data.y is not None:
            data = (data.X, data.y)
        if isinstance(data, TorchDataset):
            X_val, y_val = data, None
        elif isinstance(data, (tuple, list)) and len(data) == 2:
            X_val, y_val = data
        else:
            raise TypeError(
                "validation_data must be a tuple (X_val, Y_val) or a torch Dataset "
                f"whose items hold the labels; got {type(data).__name__}."
            )
        try:
            y_val = self._labels(X_val, y_val)
            kind, X_val = self._validate_input(X_val, reset=False)
            values = encode_tasks(
                y_val,
                self._tasks,
                missing_label=getattr(self, "missing_label", np.nan),
                standardise=True,
            )
        except (TypeError, ValueError) as exc:
            # The checks speak of X and Y: say these are the validation data.
            kind_of = TypeError if isinstance(exc, TypeError) else ValueError
            raise kind_of(f"validation_data: {exc}") from exc
        if len(values) != kind.n_rows(X_val):
            raise ValueError(
                "validation_data has inconsistent numbers of samples: "
                f"[{kind.n_rows(X_val)}, {len(values)}]"
            )
        X_val, y_val = kind.training_data(
            X_val, pack_targets(torch.from_numpy(values)), self._network_dtype()
        )
        valid = X_val if y_val is None else SkorchDataset(X_val, y_val)
        return partial(_make_split, valid_ds=valid)

    def _train(self, net, data, previous, epochs, plan=None):
        """Run skorch's loop; on divergence, raise or restore (``on_divergence``).

        ``data`` is ``(X, y)`` as the input's adapter gives them to skorch
        (:meth:`~sklmtl._estimator._input_kinds.InputKind.training_data`).
        ``plan`` is ``(history length when the fit began, epochs it asks
        for)``, told to callbacks that write checkpoints (``bind_estimator``);
        None: this call's own.
        """
        epochs = epochs or self.max_epochs
        plan = plan or (len(net.history), epochs)
        bound = [cb for _, cb in net.callbacks_ if hasattr(cb, "bind_estimator")]
        for callback in bound:
            callback.bind_estimator(self, *plan)
        try:
            net.partial_fit(*data, epochs=epochs)
            rollback = dict(net.callbacks_).get("last_finished_epoch")
            if getattr(rollback, "interrupted_", False):
                warnings.warn(rollback.message_, UserWarning, stacklevel=4)
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
        finally:
            # The fitted net must not hold the estimator (pickles, clones).
            for callback in bound:
                callback.bind_estimator(None)

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


class _RowSplit:
    """skorch's ``train_split`` of one fold: these rows train, those validate."""

    def __init__(self, train_rows, valid_rows):
        self.train_rows = train_rows
        self.valid_rows = valid_rows

    def __call__(self, dataset, y=None, **fit_params):
        return (
            torch.utils.data.Subset(dataset, self.train_rows),
            torch.utils.data.Subset(dataset, self.valid_rows),
        )


def _without_plateau(net):
    """``net`` without the training-loss plateau rule (it runs every epoch)."""
    if "train_loss_plateau" in dict(net.callbacks_):
        net.set_params(callbacks__train_loss_plateau=None)
        net.initialize_callbacks()
    return net
