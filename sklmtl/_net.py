"""The skorch ``NeuralNet`` that trains one multi-task module.

:class:`MultiTaskNeuralNet` overrides only the step hooks (``train_step_single``,
``validation_step``, ``get_loss``). The module returns a tuple of per-task
logits; the criterion (a :class:`~sklmtl.nn.MultiTaskObjective`) returns
per-task losses over labelled cells and holds the task weighting, which turns
them into gradients. Each step also hands ``task_losses``/``task_counts`` to
the callbacks: that is how per-task values reach ``history``.

The estimators build it in small hooks (:mod:`sklmtl._estimator._build`),
with this module's checked optimizer arguments and epoch table, and
:mod:`sklmtl._state` copies what continued training needs from one net into
a freshly built one. The estimators build a new net for every ``fit`` (a
continued one included) so that changed settings always take effect. (The
public estimator :class:`sklmtl.MultiTaskNet` is another class: this one is
the skorch net it owns, in ``net_``.)
"""

import contextlib
import fnmatch
import functools
import inspect
import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, PassthroughScoring, PrintLog
from skorch.dataset import get_len, unpack_data
from skorch.utils import to_tensor

from ._fine_tuning import cast_floats, check_param_groups, inside_frozen
from ._state import bare_module
from .callbacks import PerTaskScoring
from .callbacks._finetune import LRSchedule
from .exceptions import TrainingDivergedError

__all__ = ["MultiTaskNeuralNet", "optimizer_arguments", "print_log"]

# The per-batch hooks of skorch's loop, and the ones the lean loop honours.
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")
# (The estimator's own LR schedule steps after each training batch: it is
# called there, in the callbacks' order, as skorch's loop would.)
_LEAN_HOOKS = {PerTaskScoring.on_batch_end, LRSchedule.on_batch_end}

# Optimizer arguments the estimator owns through its own parameters.
_OWNED_OPTIMIZER_ARGS = {"lr": "lr", "params": None}
# What torch.autocast computes in for each ``precision`` ("32": no autocast).
AUTOCAST_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


class MultiTaskNeuralNet(NeuralNet):
    """skorch net for a module that returns a tuple of per-task outputs.

    Parameters are those of :class:`skorch.NeuralNet`; the criterion must be
    a :class:`~sklmtl.nn.MultiTaskObjective` (its ``weighting`` decides how
    gradients are formed). ``optimizer__param_groups`` is skorch's
    ``[(pattern, {option: value}), ...]``; a pattern that matches no
    parameter is refused.

    Parameters
    ----------
    *args : tuple
        The arguments of :class:`skorch.NeuralNet`.
    precision : {"32", "bf16", "fp16"}, default="32"
        ``"bf16"``/``"fp16"`` run the module's forward passes under
        :func:`torch.autocast` on its device; losses are computed in the
        module's own dtype from outputs cast back to it, and ``"fp16"``
        scales the loss with a :class:`torch.amp.GradScaler`.
    channels_last : bool, default=False
        Feed 4-D inputs in ``torch.channels_last`` memory format.
    **kwargs : dict
        The keyword arguments of :class:`skorch.NeuralNet`.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> clf = MultiTaskNetClassifier(max_epochs=1).fit([[0.0], [1.0]], [[0, 1], [1, 0]])
    >>> type(clf.net_).__name__
    'MultiTaskNeuralNet'
    """

    #: Called with the net once every callback has run ``on_train_begin``,
    #: then cleared: :func:`sklmtl.io.resume` restores there what the
    #: callbacks reset when training begins (a stopping rule's counts, a
    #: learning-rate schedule) and the optimizer's scheduled settings.
    restore_on_train_begin_ = None

    def __init__(self, *args, precision="32", channels_last=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.precision = precision
        self.channels_last = channels_last

    def notify(self, method_name, **cb_kwargs):
        super().notify(method_name, **cb_kwargs)
        if method_name == "on_train_begin" and self.restore_on_train_begin_:
            restore, self.restore_on_train_begin_ = self.restore_on_train_begin_, None
            restore(self)

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch, without its per-batch work when nothing hooks it.

        skorch notifies every callback before and after every batch, reads
        each batch's loss with ``.item()`` and writes two history cells per
        batch. When no callback (and no subclass) overrides a per-batch hook,
        the steps run alone, each step goes to
        :class:`~sklmtl.callbacks.PerTaskScoring` (which only adds tensors)
        and to the estimator's ``lr_schedule`` (which steps the scheduler),
        and the same per-batch history rows are written once the epoch's
        batches are done, from one read of the stacked losses. Any other
        per-batch hook gets skorch's own loop, unchanged.

        Parameters
        ----------
        iterator : iterable of (Tensor, Tensor) or None
            The epoch's batches; None skips the epoch (no validation data).
        training : bool
            Whether the batches train the network.
        prefix : {"train", "valid"}
            Prefix of the history keys.
        step_fn : callable
            skorch's step for one batch (its ``validation_step``; training
            batches run ``_lean_train_step`` on the lean path).
        **fit_params : dict
            Passed to the step.

        Returns
        -------
        None
        """
        self._batches_done = None
        if iterator is None or not self._lean_epoch():
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        # Batches sliced from a code matrix without a missing cell (decided
        # once per fit by the iterator): the loss skips its mask while they
        # run (no callback computes a loss on other data in a lean epoch).
        cross_entropy = getattr(self.criterion_, "cross_entropy", None)
        if cross_entropy is None or not getattr(iterator, "complete_codes", False):
            return self._lean_run(iterator, training, prefix, step_fn, **fit_params)
        cross_entropy.complete_codes = True
        try:
            return self._lean_run(iterator, training, prefix, step_fn, **fit_params)
        finally:
            del cross_entropy.complete_codes

    def _lean_run(self, iterator, training, prefix, step_fn, **fit_params):
        """The lean epoch of :meth:`run_single_epoch`."""
        if training:
            step_fn = functools.partial(self._lean_train_step, **fit_params)
        else:
            step_fn = functools.partial(step_fn, **fit_params)
        scorers = [
            cb
            for _, cb in self.callbacks_
            if type(cb).on_batch_end is not Callback.on_batch_end
        ]
        losses, sizes = [], []
        self._batches_done = 0
        for batch in iterator:
            step = step_fn(batch)
            losses.append(step["loss"].detach())
            features = batch[0]
            sizes.append(
                len(features)
                if isinstance(features, torch.Tensor)
                else get_len(features)
            )
            for scorer in scorers:
                scorer.on_batch_end(self, batch=batch, training=training, **step)
            self._batches_done += 1
        self._batches_done = None
        loss_name, size_name = f"{prefix}_loss", f"{prefix}_batch_size"
        values = torch.stack(losses).tolist() if losses else []
        self.history[-1]["batches"].extend(
            {loss_name: value, size_name: size} for value, size in zip(values, sizes)
        )
        self.history.record(f"{prefix}_batch_count", len(losses))

    def _lean_epoch(self):
        """Whether no per-batch hook needs skorch's own epoch loop."""
        # callbacks_ is rebuilt by initialize_callbacks: checked once per list.
        cached = getattr(self, "_lean_for", None)
        if cached is not None and cached[0] is self.callbacks_:
            return cached[1]
        lean = self._no_batch_hooks()
        self._lean_for = (self.callbacks_, lean)
        return lean

    def _no_batch_hooks(self):
        net_class = type(self)
        for name in _BATCH_HOOKS:
            if getattr(net_class, name) is not getattr(NeuralNet, name):
                return False
        if net_class.train_step is not NeuralNet.train_step:
            return False
        for _, callback in self.callbacks_:
            for name in _BATCH_HOOKS:
                hook = getattr(type(callback), name)
                if hook is not getattr(Callback, name) and hook not in _LEAN_HOOKS:
                    return False
            if getattr(callback, "batch_scores", False):
                return False
        return True

    def _lean_train_step(self, batch, **fit_params):
        """skorch's ``train_step`` without ``on_grad_computed`` (nobody hooks it)."""
        steps = []

        def closure():
            self._zero_grad_optimizer()
            step = self.train_step_single(batch, **fit_params)
            steps.append(step)
            return step["loss"]

        self._step_optimizer(closure)
        # As skorch's default step accumulator: the first evaluation's step.
        return steps[0]

    def get_default_callbacks(self):
        """skorch's default callbacks, the epoch losses read more cheaply.

        Returns
        -------
        callbacks : list of (str, Callback)
            skorch's defaults, with ``train_loss`` and ``valid_loss`` computed
            by a :class:`~skorch.callbacks.PassthroughScoring` that reads the
            epoch's batch rows once (same values).
        """
        return [
            (name, _BatchMeanLoss(name=name, on_train=name == "train_loss"))
            if name in ("train_loss", "valid_loss")
            else (name, callback)
            for name, callback in super().get_default_callbacks()
        ]

    def _set_training(self, training=True):
        # skorch calls this every batch, and module.train() walks every
        # submodule (one head per task): skip it when nothing changes.
        if self.module_.training == training and self.criterion_.training == training:
            return
        super()._set_training(training)
        if training:
            # BatchNorm of a frozen trunk keeps its running statistics.
            for norm in getattr(self, "frozen_norms_", ()):
                norm.eval()

    # ------------------------------------------------------------ fine-tuning
    def get_params_for_optimizer(self, prefix, named_parameters):
        """skorch's parameter groups, refusing a pattern that matches nothing.

        skorch silently drops a ``param_groups`` pattern that matches no
        parameter (a typo such as ``"backbone.*"`` would train the trunk
        at the default learning rate).

        Parameters
        ----------
        prefix : str
            The optimizer's name (``"optimizer"``).
        named_parameters : iterable of (str, Parameter)
            The parameters to optimise, with their names.

        Returns
        -------
        args : tuple
            The parameter groups (skorch's).
        kwargs : dict
            The optimizer's other arguments.
        """
        named_parameters = list(named_parameters)
        names = [name for name, _ in named_parameters]
        for pattern, _ in self.get_params_for(prefix).get("param_groups", []):
            matched = [name for name in names if fnmatch.fnmatch(name, pattern)]
            if not matched:
                roots = sorted({name.split(".")[0] for name, _ in named_parameters})
                raise ValueError(
                    f"{prefix}__param_groups: the pattern {pattern!r} matches no "
                    "parameter (or only parameters an earlier pattern took). "
                    f"Parameter names start with {roots}, e.g. "
                    f"{names[0]!r}; 'trunk.*' selects the shared trunk."
                )
            names = [name for name in names if name not in matched]
        return super().get_params_for_optimizer(prefix, named_parameters)

    def initialize_optimizer(self, *args, **kwargs):
        super().initialize_optimizer(*args, **kwargs)
        self.grad_scaler_ = None
        if self.precision == "fp16":
            device = next(bare_module(self.module_).parameters()).device.type
            self.grad_scaler_ = torch.amp.GradScaler(device)
        return self

    def set_trunk_frozen(self, frozen):
        """Freeze (or unfreeze) the shared trunk: its parameters and BatchNorm.

        A frozen trunk's parameters get no gradient (``requires_grad`` off),
        hence no update and no optimizer moments, and its BatchNorm layers
        normalise with their running statistics, which stay as they are.

        Parameters
        ----------
        frozen : bool
            Whether the trunk trains.
        """
        module = bare_module(self.module_)
        shared = {id(p) for p in module.shared_parameters()}
        for param in module.parameters():
            if id(param) in shared:
                param.requires_grad_(not frozen)
        norms = []
        if frozen:
            norms = [
                m
                for m in module.modules()
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
                and inside_frozen(module, m, shared)
            ]
            for norm in norms:
                norm.eval()
        else:
            for norm in getattr(self, "frozen_norms_", ()):
                norm.train(self.module_.training)
        self.frozen_norms_ = norms

    # ------------------------------------------------------- mixed precision
    def autocast(self):
        """The autocast context of ``precision`` (none for ``"32"``).

        Returns
        -------
        context : context manager
            :func:`torch.autocast` on the module's device, or a null context.
        """
        if self.precision not in AUTOCAST_DTYPES:
            return contextlib.nullcontext()
        device = next(bare_module(self.module_).parameters()).device.type
        return torch.autocast(device, dtype=AUTOCAST_DTYPES[self.precision])

    def as_input(self, X):
        """A batch on the net's device, channels-last when asked and 4-D.

        Parameters
        ----------
        X : Tensor, array or dict
            A batch of inputs.

        Returns
        -------
        X : Tensor or dict
            On the net's device; a 4-D tensor in ``torch.channels_last``
            memory format when ``channels_last``.
        """
        X = _to_device(X, self.device)
        if self.channels_last and isinstance(X, torch.Tensor) and X.dim() == 4:
            X = X.contiguous(memory_format=torch.channels_last)
        return X

    def _full_precision(self, y_pred):
        """Outputs in the module's dtype: losses never see bf16/fp16 values."""
        if self.precision not in AUTOCAST_DTYPES:
            return y_pred
        dtype = next(bare_module(self.module_).parameters()).dtype
        return cast_floats(y_pred, dtype)

    def infer(self, x, **fit_params):
        x = self.as_input(x)
        with self.autocast():
            y_pred = super().infer(x, **fit_params)
        return self._full_precision(y_pred)

    def _step_optimizer(self, step_fn):
        scaler = getattr(self, "grad_scaler_", None)
        if scaler is None:
            return super()._step_optimizer(step_fn)
        # GradScaler.step takes no closure: compute the (unscaled) gradients,
        # then let the scaler skip the step when any is not finite.
        step_fn()
        scaler.step(self.optimizer_)
        scaler.update()
        return None

    def _task_losses(self, y_pred, y_true):
        y_true = _to_device(y_true, self.device)
        return self.criterion_.task_losses(y_pred, y_true)

    def _check_finite(self, task_losses, stage):
        """Stop with a clear error as soon as a task's loss is NaN or infinite."""
        task_losses = task_losses.detach()
        # A finite sum proves every loss finite (a NaN or an infinity makes
        # it NaN or infinite) in one small op and one read; only a sum that
        # is not finite (a divergence, or finite losses overflowing) is
        # checked loss by loss.
        if math.isfinite(task_losses.sum().item()):
            return
        finite = torch.isfinite(task_losses)
        if bool(finite.all()):
            return
        names = getattr(self.criterion_.weighting, "task_names", None) or [
            f"task_{t}" for t in range(len(task_losses))
        ]
        bad = [names[t] for t in torch.nonzero(~finite).flatten().tolist()]
        values = [
            float(task_losses[t]) for t in torch.nonzero(~finite).flatten().tolist()
        ]
        epoch = len(self.history)
        batch = len(self.history[-1]["batches"]) if epoch else 1
        if getattr(self, "_batches_done", None) is not None:
            # The lean epoch writes its batch rows at the end of the epoch.
            batch += self._batches_done + 1
        raise TrainingDivergedError(
            f"Training diverged in epoch {epoch} ({stage} batch {batch}): the loss "
            f"of task(s) {bad} became {values}. The learning rate "
            f"(lr={self.lr}) is likely too high for this data; lower it, "
            "standardise X, or set on_divergence='restore_best' to keep the best "
            "epoch's weights.",
            epoch=epoch,
            tasks=bad,
        )

    def get_loss(self, y_pred, y_true, X=None, training=False):
        task_losses, _ = self._task_losses(y_pred, y_true)
        if training:
            return self.criterion_.weighting.combine(task_losses)
        return task_losses.mean()

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        Xi = self.as_input(Xi)
        # encode/decode instead of forward: aggregators need the shared features.
        with self.autocast():
            features = self.module_.encode(Xi)
            y_pred = self.module_.decode(features, Xi)
        y_pred = self._full_precision(y_pred)
        task_losses, task_counts = self._task_losses(y_pred, yi)
        self._check_finite(task_losses, "training")
        weighting = self.criterion_.weighting
        scaler = getattr(self, "grad_scaler_", None)
        if scaler is None:
            loss = weighting.backward(task_losses, task_counts, self, features)
        else:
            # A loss weighting's backward is combine + backward (checked when
            # the estimator builds the net): scale the combined loss, then
            # unscale the gradients at once, so callbacks see true ones.
            loss = weighting.combine(task_losses)
            scaler.scale(loss).backward()
            scaler.unscale_(self.optimizer_)
        pooled = getattr(y_pred, "pooled", None)
        if pooled is not None:
            # An ensemble's members (sklmtl.nn.MemberLogits): callbacks score
            # the ensemble's prediction, one row per sample.
            with torch.no_grad():
                y_pred = pooled()
        return {
            "loss": loss,
            "y_pred": y_pred,
            "task_losses": task_losses.detach(),
            "task_counts": task_counts,
        }

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = unpack_data(batch)
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            task_losses, task_counts = self._task_losses(y_pred, yi)
            self._check_finite(task_losses, "validation")
            # The monitored validation loss is never the weighted objective:
            # it goes negative under uncertainty weighting and is redrawn by
            # random weighting. PerTaskScoring records the exact plain mean
            # of the per-task losses as ``valid_loss`` at the end of the epoch.
            loss = task_losses.mean()
        return {
            "loss": loss,
            "y_pred": y_pred,
            "task_losses": task_losses,
            "task_counts": task_counts,
        }


class _BatchMeanLoss(PassthroughScoring):
    """skorch's ``PassthroughScoring``, reading the epoch's batch rows once.

    skorch's reads them through ``History`` indexing, twice per epoch and
    loss (a fifth of a small table's fit went there); the value, its weights
    and the ``_best`` flag are the same.
    """

    def on_epoch_end(self, net, **kwargs):
        size_key = "train_batch_size" if self.on_train else "valid_batch_size"
        pairs = [
            (row[size_key], row[self.name])
            for row in net.history[-1]["batches"]
            if self.name in row and size_key in row
        ]
        if not pairs:
            return
        sizes, scores = zip(*pairs)
        score = np.average(scores, weights=sizes)
        is_best = self._is_best_score(score)
        if is_best:
            self.best_score_ = score
        net.history.record(self.name, score)
        if is_best is not None:
            net.history.record(self.name + "_best", bool(is_best))


def _to_device(value, device):
    """``to_tensor``, with an asynchronous copy for pinned tensors."""
    if isinstance(value, torch.Tensor):
        return value.to(device, non_blocking=value.is_pinned())
    return to_tensor(value, device=device)


def optimizer_arguments(optimizer, lr, weight_decay, user_kwargs):
    """``optimizer__<name>`` arguments for skorch, checked against the class.

    ``param_groups`` is skorch's: ``[(pattern, {option: value}), ...]``, where
    ``pattern`` is an ``fnmatch`` pattern over the module's parameter names
    (``"trunk.*"``) and the options override the optimizer's for those
    parameters (``{"lr": 1e-4}``).

    Examples
    --------
    >>> import torch
    >>> from sklmtl._net import optimizer_arguments
    >>> optimizer_arguments(torch.optim.SGD, 0.1, 0.0,
    ...     {"param_groups": [("trunk.*", {"lr": 0.01})], "momentum": 0.9})
    {'optimizer__param_groups': [('trunk.*', {'lr': 0.01})], \
'optimizer__momentum': 0.9, 'optimizer__fused': True}
    """
    accepted = inspect.signature(optimizer).parameters
    for name in user_kwargs:
        if name == "param_groups":
            check_param_groups(optimizer, user_kwargs[name], accepted)
            continue
        if name in _OWNED_OPTIMIZER_ARGS:
            raise ValueError(
                f"optimizer__{name} is set through the estimator's own parameter "
                f"{_OWNED_OPTIMIZER_ARGS[name] or 'data'!r}; remove optimizer__{name}."
            )
        if name not in accepted:
            raise TypeError(
                f"optimizer__{name} is not an argument of {optimizer.__name__}; its "
                f"arguments are {sorted(set(accepted) - {'params'})}."
            )
    if "weight_decay" in user_kwargs and weight_decay:
        raise ValueError(
            "weight_decay and optimizer__weight_decay are both set; use one of them."
        )
    kwargs = dict(user_kwargs)
    if weight_decay:
        kwargs["weight_decay"] = weight_decay
    if not {"fused", "foreach"} & set(kwargs):
        if "fused" in accepted:
            # One fused kernel updates every parameter (Adam, AdamW, SGD, ...):
            # 4x faster than the default per-parameter loop for an MLP with 32
            # heads on the CPU (benchmarks/speed.py).
            kwargs["fused"] = True
        elif "foreach" in accepted:
            kwargs["foreach"] = True
    return {f"optimizer__{k}": v for k, v in kwargs.items()}


def print_log(task_names, constant_weights, sink):
    """skorch's epoch table, narrow enough for a terminal.

    Per-task values stay in ``history``; the table shows their means
    (``train_acc``/``valid_acc``), and per-task weights only when they change
    and there are at most four tasks.
    """
    # TaskAffinity's matrices stay in history (tasks x tasks per epoch).
    ignored = {"train_objective", "task_affinity", "gradient_cosine"}
    for name in task_names:
        ignored |= {
            f"{p}_{m}_{name}" for p in ("train", "valid") for m in ("loss", "acc", "r2")
        }
        if constant_weights or len(task_names) > 4:
            ignored.add(f"task_weight_{name}")
    return PrintLog(keys_ignored=sorted(ignored), sink=sink)
