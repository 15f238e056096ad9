"""Building the skorch net from an estimator: one small hook per component.

As skorch builds each component of a ``NeuralNet`` in its own
``initialize_module``/``initialize_criterion``/``initialize_optimizer`` hook,
the estimator builds the network in small hooks that each read the
estimator's own parameters and fitted attributes: the module
(:meth:`~NetBuilderMixin._initialize_module`), the task weighting, the
criterion's, optimizer's and data iterators' arguments, and the callbacks.
:meth:`~NetBuilderMixin._initialize_net` joins them into the skorch net
(:class:`~sklmtl._net.MultiTaskNeuralNet`). A new fit, a continued fit and
:func:`sklmtl.io.load` all build the net here, so a setting changed with
``set_params`` takes effect at the next fit, and a subclass changes one
component by overriding its hook (the Accelerate estimator overrides the net
class, the iterator and the extra arguments).
"""

import copy
import inspect
import numbers

import numpy as np
import torch
from skorch.callbacks import ProgressBar
from skorch.dataset import ValidSplit
from torch.nn.modules.batchnorm import _BatchNorm

from .._batches import ArrayBatches
from .._images import ItemCollate
from .._net import MultiTaskNeuralNet, optimizer_arguments, print_log
from .._validation import float_dtype_name
from ..callbacks import (
    BestWeights,
    LastFinishedEpoch,
    ModuleEarlyStopping,
    PerTaskScoring,
    TaskWeightLogger,
    TrainingLossPlateau,
    print_sink,
    silent_sink,
)
from ..callbacks._finetune import LRSchedule, TrunkFreezer
from ..nn import (
    HPS,
    EnsembleSharing,
    MultiTaskObjective,
    make_trunk_factory,
    resolve_architecture,
)
from ..nn.tabular import tabular_trunk_factory
from ..weighting import LossWeighting, resolve_weighting

__all__ = ["NetBuilderMixin"]


class NetBuilderMixin:
    """The hooks that build an estimator's skorch net (a mixin of the base).

    Reads the parameters of :class:`~sklmtl._estimator._base.MultiTaskNetBase` and the
    fitted-state record a fit (or :func:`sklmtl.io.load`) sets before building
    (:class:`~sklmtl._estimator._fitted.FittedState`, through ``task_names_``,
    ``_tasks``, ``_input_shape``, ``_tabular``, ``_next_seed``,
    ``do_early_stopping_``).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._build import NetBuilderMixin
    >>> issubclass(MultiTaskNetClassifier, NetBuilderMixin)
    True
    """

    def _initialize_net(self, device, load_weights=True, incremental=False):
        """Build and initialise the skorch net from the parameters and fit state.

        The one routine that builds the network: used by a new fit, a
        continued fit and :func:`sklmtl.io.load`. ``load_weights=False``
        (the last two, whose weights are loaded next) builds a backbone
        without reading or downloading its ``trunk__weights``.
        ``incremental``: a ``partial_fit`` that continues (the LR schedule
        resumes).
        """
        dtype = getattr(torch, self._network_dtype().name)
        module = self._initialize_module(load_weights)
        weighting = self._initialize_weighting()
        self._check_training_options(weighting, dtype)
        kwargs = {
            **self._iterator_arguments(device),
            **self._optimizer_arguments(),
            **self._criterion_arguments(weighting),
            "module": module,
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "predict_nonlinearity": None,
            "verbose": self.verbose,
            "device": device,
            "precision": self.precision,
            "channels_last": self.channels_last,
        }
        extra = dict(self._net_kwargs())
        kwargs["callbacks"] = [
            *self._callbacks(weighting, extra.pop("callbacks", [])),
            *self._fine_tuning_callbacks(incremental),
        ]
        kwargs["callbacks__print_log"] = (
            # skorch's PrintLog builds its epoch table even when verbose=0
            # (0.18 s of a 2.0 s profiled fit on penguins): installed only
            # when something prints.
            print_log(self.task_names_, weighting.constant_weights, self._sink())
            if self.verbose
            or any(k.startswith("callbacks__print_log__") for k in extra)
            else None
        )
        if _has_batch_norm(module) and issubclass(self._iterator_class(), ArrayBatches):
            # BatchNorm cannot normalise a one-row batch in training mode (129
            # rows with batch_size=128): that row joins the batch before it.
            kwargs["iterator_train__merge_single_row"] = True
        kwargs.update(extra)
        module.to(dtype)
        if self.channels_last:
            module.to(memory_format=torch.channels_last)
        net = self._net_class()(**kwargs).initialize()
        # The weighting's parameters (uncertainty's log-variances, ...) live in
        # the criterion, built by initialize(). Module.to converts parameters
        # in place, so the optimizer created there keeps pointing at them.
        net.criterion_.to(dtype)
        return net

    # ------------------------------------------------------------ components
    def _initialize_module(self, load_weights=True):
        """The multi-task torch module: trunk(s), sharing architecture, heads."""
        hidden = self.hidden_layer_sizes
        hidden = (hidden,) if isinstance(hidden, numbers.Integral) else tuple(hidden)
        mlp_params = {
            "hidden_layer_sizes": hidden,
            "activation": self.activation,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
        }

        def trunk_for(shape):
            return make_trunk_factory(
                self.trunk,
                shape,
                self._nested_kwargs("trunk"),
                mlp_params,
                load_weights=load_weights,
            )

        tabular = getattr(self, "_tabular", None)
        make_trunk = (
            trunk_for(self._input_shape)
            if tabular is None
            else tabular_trunk_factory(
                trunk_for,
                tabular.layout(),
                self.numeric_embedding,
                self._nested_kwargs("numeric_embedding"),
                self.categorical_embedding_dim,
            )
        )
        spec = resolve_architecture(self.architecture).set_params(
            **self._nested_kwargs("architecture")
        )
        head_params = {
            "head_hidden_size": self.head_hidden_size,
            "activation": self.activation,
            "dropout": self.dropout,
        }
        input_size = int(np.prod(self._input_shape))
        if self.ensemble_size > 1 or self.linear_path:
            self._check_ensemble_options(spec)
            return EnsembleSharing(
                make_trunk(),
                input_size,
                self._output_sizes(),
                [task.activation for task in self._tasks],
                n_members=int(self.ensemble_size),
                linear_path=bool(self.linear_path),
                **head_params,
            )
        return spec.build(make_trunk, input_size, self._output_sizes(), **head_params)

    def _check_ensemble_options(self, spec):
        """``ensemble_size`` and ``linear_path`` need the MLP trunk and HPS."""
        asked = []
        if self.ensemble_size > 1:
            asked.append(f"ensemble_size={self.ensemble_size}")
        if self.linear_path:
            asked.append("linear_path=True")
        asked = " and ".join(asked)
        if not (isinstance(self.trunk, str) and self.trunk == "mlp"):
            raise ValueError(
                f"{asked} need trunk='mlp' (the members scale, and the linear path "
                f"reads, the MLP's input rows); got trunk={self.trunk!r}. Use "
                "trunk='mlp', or ensemble_size=1 and linear_path=False."
            )
        if type(spec) is not HPS:
            raise ValueError(
                f"{asked} need architecture='hps' (one shared trunk); got "
                f"architecture={spec!r}. Use architecture='hps', or "
                "ensemble_size=1 and linear_path=False."
            )

    def _initialize_weighting(self):
        """A fresh task weighting, set up for this fit's tasks."""
        strategy = resolve_weighting(
            self.task_weighting, self._nested_kwargs("task_weighting")
        )
        strategy = self._check_weighting(strategy)
        strategy.setup(self.task_names_)
        return strategy

    def _criterion_arguments(self, weighting):
        """The :class:`~sklmtl.nn.MultiTaskObjective` and its arguments."""
        class_weights = getattr(self, "_class_weights", None)
        if class_weights is not None:
            class_weights = [
                None if w is None else torch.as_tensor(w, dtype=torch.float32)
                for w in class_weights
            ]
        return {
            "criterion": MultiTaskObjective,
            "criterion__weighting": weighting,
            "criterion__class_weights": class_weights,
            "criterion__task_kinds": self._layout.loss_kinds,
            "criterion__regression_loss": self._regression_loss() or "mse",
            # A classifier's own parameter; other estimators have none.
            "criterion__label_smoothing": getattr(self, "label_smoothing", 0.0),
        }

    def _optimizer_arguments(self):
        """The optimizer class, ``lr`` and the checked ``optimizer__`` arguments."""
        weight_decay = self._fitted_state.weight_decay
        kwargs = self._nested_kwargs("optimizer")
        accepted = inspect.signature(self.optimizer).parameters
        if self.weight_decay == "auto" and weight_decay:
            if "decoupled_weight_decay" in accepted:
                # "auto" decays as AdamW does: Adam becomes AdamW, step for step.
                kwargs = {**kwargs, "decoupled_weight_decay": True}
        return {
            "optimizer": self.optimizer,
            "lr": self.lr,
            **optimizer_arguments(self.optimizer, self.lr, weight_decay, kwargs),
        }

    def _iterator_arguments(self, device):
        """Batches (``_iterator_class``) and the validation split of early stopping."""
        iterator = self._iterator_class()
        pin = device.startswith("cuda")
        train_split = None
        if self.do_early_stopping_:
            train_split = ValidSplit(
                self.validation_fraction, stratified=False, random_state=self._next_seed
            )
        return {
            "iterator_train": iterator,
            "iterator_train__shuffle": True,
            "iterator_train__pin_memory": pin,
            "iterator_valid": iterator,
            "iterator_valid__pin_memory": pin,
            "train_split": train_split,
            **self._transform_arguments(),
        }

    def _transform_arguments(self):
        """``train_transform`` in the training batches, ``valid_transform`` in the
        validation batches: each a ``collate_fn`` that calls it per image."""
        dtype = self._network_dtype()
        kwargs = {}
        for prefix, transform in (
            ("iterator_train", self.train_transform),
            ("iterator_valid", self.valid_transform),
        ):
            if transform is None:
                continue
            if f"{prefix}__collate_fn" in self._extra_params:
                name = (
                    "train_transform"
                    if prefix == "iterator_train"
                    else "valid_transform"
                )
                raise ValueError(
                    f"{prefix}__collate_fn and {name} are both set; the transform "
                    "is applied by a collate_fn of its own. Apply it in your "
                    "collate_fn, or drop the collate_fn."
                )
            kwargs[f"{prefix}__collate_fn"] = ItemCollate(transform, dtype)
        return kwargs

    def _sink(self):
        """Where messages go: not ``builtins.print`` itself (skorch's default).

        A fitted net holding ``builtins.print`` pickles only while it is that
        object, and Ray replaces it (:func:`~sklmtl.callbacks.print_sink`
        looks it up when called).
        """
        return print_sink if self.verbose else silent_sink

    def _callbacks(self, weighting, net_callbacks=()):
        """Per-task scoring and weights, the net class's own, the stopping
        rules, then the user's.

        The net class's own callbacks (the global objective under data
        parallel) run before early stopping, which ends an epoch's callbacks
        by raising.
        """
        task_names = self.task_names_
        callbacks = [
            # First: its on_train_end rolls an interrupted epoch back before
            # early stopping restores its best weights.
            ("last_finished_epoch", LastFinishedEpoch()),
            (
                "per_task",
                PerTaskScoring(
                    task_names,
                    batch_scores=self.progress_bar,
                    task_kinds=self._layout.loss_kinds,
                ),
            ),
            ("task_weights", TaskWeightLogger(task_names)),
            *net_callbacks,
        ]
        early_stopping = self.do_early_stopping_
        if early_stopping:
            stopper = ModuleEarlyStopping(
                monitor="valid_loss",
                patience=self.n_iter_no_change,
                load_best=True,
                sink=self._sink(),
            )
            callbacks.append(("early_stopping", stopper))
        elif self.tol is not None:
            plateau = TrainingLossPlateau(tol=self.tol, patience=self.n_iter_no_change)
            callbacks.append(("train_loss_plateau", plateau))
        if self.on_divergence == "restore_best":
            monitor = "valid_loss" if early_stopping else "train_loss"
            callbacks.append(("best_weights", BestWeights(monitor)))
        if self.progress_bar:
            keys = ["train_loss", "train_acc", "valid_loss", "valid_acc"]
            keys += ["train_r2", "valid_r2"]
            callbacks.append(("progress_bar", ProgressBar(postfix_keys=keys)))
        user = copy.deepcopy(list(self.callbacks or []))
        # A checkpoint (sklmtl.io.TrainingCheckpoint) records the state the
        # other callbacks leave at the end of an epoch: it runs after them.
        user.sort(key=_runs_last)
        return [*callbacks, *user]

    def _fine_tuning_callbacks(self, incremental):
        """The frozen trunk's and the LR schedule's callbacks, when asked for.

        After the user's callbacks, so that a user's skorch ``LRScheduler``
        or ``Freezer`` sees the state these leave.
        """
        callbacks = []
        if self.freeze_trunk_epochs:
            callbacks.append(("freeze_trunk", TrunkFreezer(self.freeze_trunk_epochs)))
        if self.lr_schedule is not None or self.warmup_epochs:
            schedule = LRSchedule(
                self.lr_schedule or "constant",
                self.warmup_epochs,
                self.max_epochs,
                resume=incremental,
            )
            callbacks.append(("lr_schedule", schedule))
        return callbacks

    def _check_training_options(self, weighting, dtype):
        """Refuse combinations of the training options that cannot work."""
        loss_weighting = isinstance(weighting, LossWeighting) and (
            type(weighting).backward is LossWeighting.backward
        )
        name = type(weighting).__name__
        if self.freeze_trunk_epochs and not loss_weighting:
            raise ValueError(
                f"freeze_trunk_epochs={self.freeze_trunk_epochs} needs a loss "
                f"weighting; task_weighting={name} works on the trunk's gradients, "
                "which a frozen trunk does not have. Use 'equal', fixed weights, "
                "'uncertainty', 'dwa' or 'rlw', or freeze_trunk_epochs=0."
            )
        if self.precision == "fp16" and not loss_weighting:
            raise ValueError(
                f"precision='fp16' needs a loss weighting: its gradient scaler "
                f"scales the combined loss, and task_weighting={name} forms "
                "gradients of its own. Use precision='bf16' (no scaler) or a loss "
                "weighting ('equal', fixed weights, 'uncertainty', 'dwa', 'rlw')."
            )
        if self.precision != "32" and dtype != torch.float32:
            raise ValueError(
                f"precision={self.precision!r} mixes {self.precision} with float32 "
                f"weights; dtype={float_dtype_name(self.dtype)!r} is not float32. "
                "Use dtype='float32', or precision='32'."
            )

    # ----------------------------------------------------------------- hooks
    def _check_weighting(self, strategy):
        """Last say over the resolved weighting (a hook for subclasses)."""
        return strategy

    def _net_class(self):
        """The skorch net class (a hook for the Accelerate variant)."""
        return MultiTaskNeuralNet

    def _net_kwargs(self):
        """Further skorch arguments (DataLoader options; a hook for subclasses).

        They win over the ones the other hooks build, except ``callbacks``,
        which are appended.
        """
        return {
            key: getattr(self, key)
            for key in self._extra_params
            if key.partition("__")[0] in ("iterator_train", "iterator_valid")
        }

    def _iterator_class(self):
        """Batches straight from tensors (a hook: Accelerate needs DataLoaders)."""
        return ArrayBatches


def _runs_last(callback):
    """Whether a user callback (or a ``(name, callback)`` pair) runs last."""
    callback = callback[1] if isinstance(callback, tuple) else callback
    return bool(getattr(callback, "runs_last", False))


def _has_batch_norm(module):
    """Whether ``module`` has a BatchNorm layer (normalises over the batch)."""
    return any(isinstance(m, _BatchNorm) for m in module.modules())
