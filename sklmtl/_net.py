"""The skorch ``NeuralNet`` that trains one multi-task module, and its builder.

:class:`MultiTaskNet` overrides only the step hooks (``train_step_single``,
``validation_step``, ``get_loss``). The module returns a tuple of per-task
logits; the criterion (a :class:`~sklmtl.nn.MultiTaskObjective`) returns
per-task losses over labelled cells and holds the task weighting, which turns
them into gradients. Each step also hands ``task_losses``/``task_counts`` to
the callbacks: that is how per-task values reach ``history``.

:func:`build_net` turns an estimator's settings (given as plain arguments:
this module never imports an estimator) into an initialised net, and
:mod:`sklmtl._state` copies what continued training needs from one net into
a freshly built one. The estimators build a
new net for every ``fit`` (a continued one included) so that changed settings
always take effect.
"""

import copy
import inspect

import torch
from skorch import NeuralNet
from skorch.callbacks import PrintLog, ProgressBar
from skorch.dataset import ValidSplit, unpack_data
from skorch.utils import to_tensor

from .callbacks import (
    BestWeights,
    ModuleEarlyStopping,
    PerTaskScoring,
    TaskWeightLogger,
    TrainingLossPlateau,
    print_sink,
    silent_sink,
)
from .exceptions import TrainingDivergedError
from .nn import MultiTaskObjective

__all__ = ["MultiTaskNet", "build_net"]

# Optimizer arguments the estimator owns through its own parameters.
_OWNED_OPTIMIZER_ARGS = {"lr": "lr", "params": None}


class MultiTaskNet(NeuralNet):
    """skorch net for a module that returns a tuple of per-task outputs.

    Parameters are those of :class:`skorch.NeuralNet`; the criterion must be
    a :class:`~sklmtl.nn.MultiTaskObjective` (its ``weighting`` decides how
    gradients are formed).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> clf = MultiTaskNetClassifier(max_epochs=1).fit([[0.0], [1.0]], [[0, 1], [1, 0]])
    >>> type(clf.net_).__name__
    'MultiTaskNet'
    """

    def _set_training(self, training=True):
        # skorch calls this every batch, and module.train() walks every
        # submodule (one head per task): skip it when nothing changes.
        if self.module_.training == training and self.criterion_.training == training:
            return
        super()._set_training(training)

    def _task_losses(self, y_pred, y_true):
        y_true = _to_device(y_true, self.device)
        return self.criterion_.task_losses(y_pred, y_true)

    def _check_finite(self, task_losses, stage):
        """Stop with a clear error as soon as a task's loss is NaN or infinite."""
        task_losses = task_losses.detach()
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
        Xi = _to_device(Xi, self.device)
        # encode/decode instead of forward: aggregators need the shared features.
        features = self.module_.encode(Xi)
        y_pred = self.module_.decode(features, Xi)
        task_losses, task_counts = self._task_losses(y_pred, yi)
        self._check_finite(task_losses, "training")
        weighting = self.criterion_.weighting
        loss = weighting.backward(task_losses, task_counts, self, features)
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


def _to_device(value, device):
    """``to_tensor``, with an asynchronous copy for pinned tensors."""
    if isinstance(value, torch.Tensor):
        return value.to(device, non_blocking=value.is_pinned())
    return to_tensor(value, device=device)


def _optimizer_kwargs(optimizer, lr, weight_decay, user_kwargs):
    """``optimizer__<name>`` arguments for skorch, checked against the class."""
    accepted = inspect.signature(optimizer).parameters
    for name in user_kwargs:
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


def _print_log(task_names, constant_weights, sink):
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


def build_net(
    net_class,
    *,
    module,
    weighting,
    task_names,
    class_weights,
    optimizer,
    optimizer_kwargs,
    lr,
    weight_decay,
    batch_size,
    max_epochs,
    early_stopping,
    validation_fraction,
    n_iter_no_change,
    on_divergence,
    progress_bar,
    verbose,
    callbacks,
    device,
    seed,
    iterator,
    net_kwargs=None,
    task_kinds=None,
    regression_loss=None,
    tol=None,
    dtype=torch.float32,
):
    """Build and initialise the skorch net that trains ``module``.

    Parameters
    ----------
    net_class : type
        :class:`MultiTaskNet` or a subclass.
    module : torch.nn.Module
        The multi-task module (returns one logit tensor per task).
    weighting : TaskWeighting
        A fresh strategy; it is set up here for ``task_names``.
    task_names : list of str
        The tasks, in the order of the module's outputs.
    class_weights : list of (ndarray or None) or None
        Class weights of each classification task (in the order of the
        classification tasks) for the cross-entropy.
    optimizer : type
        A ``torch.optim.Optimizer`` subclass.
    optimizer_kwargs : dict
        The estimator's ``optimizer__<name>`` arguments (without the prefix).
    lr, weight_decay : float
        Learning rate and L2 penalty.
    batch_size, max_epochs : int
        Training batch size and epochs per ``fit``.
    early_stopping : bool
        Hold out ``validation_fraction`` and stop after ``n_iter_no_change``
        epochs without improvement of ``valid_loss``, restoring the best weights.
    validation_fraction : float
        Share of the rows held out for early stopping.
    n_iter_no_change : int
        Patience of early stopping.
    on_divergence : {"raise", "restore_best"}
        With ``"restore_best"`` a :class:`~sklmtl.callbacks.BestWeights`
        callback keeps the best epoch's state.
    progress_bar : bool
        Show skorch's progress bar (with losses and mean accuracies).
    verbose : int
        Print the epoch table when positive.
    callbacks : list or None
        Extra skorch callbacks; deep-copied.
    device : str
        Where the module trains.
    seed : int
        Seeds the validation split.
    iterator : type
        The batch iterator for training and validation.
    net_kwargs : dict or None, default=None
        Further skorch arguments (``iterator_train__shuffle``, ...); they win
        over the ones built here, except ``callbacks``, which run after the
        per-task scoring and before the callbacks that may stop training.
    task_kinds : list of {"classification", "regression"} or None, default=None
        The kind of each task; None when all are classification.
    regression_loss : {"mse", "huber", "gaussian_nll"} or None, default=None
        The loss of regression tasks (None means ``"mse"``).
    tol : float or None, default=None
        Without early stopping, stop after ``n_iter_no_change`` epochs in
        which ``train_loss`` has not improved by ``tol``
        (:class:`~sklmtl.callbacks.TrainingLossPlateau`); None trains every
        epoch.
    dtype : torch.dtype, default=torch.float32
        The dtype of the module's and the weighting's parameters (the inputs
        must have it too).

    Returns
    -------
    net : MultiTaskNet
        The initialised net.

    Examples
    --------
    >>> import torch
    >>> from sklmtl._batches import ArrayBatches
    >>> from sklmtl._net import MultiTaskNet, build_net
    >>> from sklmtl.nn import HPS, MLPTrunk
    >>> from sklmtl.weighting import EqualWeighting
    >>> module = HPS().build(lambda: MLPTrunk(3, (8,)), 3, [2, 3])
    >>> net = build_net(
    ...     MultiTaskNet, module=module, weighting=EqualWeighting(),
    ...     task_names=["a", "b"], class_weights=None, optimizer=torch.optim.SGD,
    ...     optimizer_kwargs={"momentum": 0.9}, lr=0.1, weight_decay=0.0,
    ...     batch_size=32, max_epochs=5, early_stopping=False,
    ...     validation_fraction=0.1, n_iter_no_change=10, on_divergence="raise",
    ...     progress_bar=False, verbose=0, callbacks=None, device="cpu", seed=0,
    ...     iterator=ArrayBatches)
    >>> net.optimizer_.param_groups[0]["momentum"]
    0.9
    """
    weighting.setup(task_names)
    net_kwargs = dict(net_kwargs or {})
    if class_weights is not None:
        class_weights = [
            None if w is None else torch.as_tensor(w, dtype=torch.float32)
            for w in class_weights
        ]
    scoring = PerTaskScoring(
        task_names, batch_scores=progress_bar, task_kinds=task_kinds
    )
    # Not builtins.print (skorch's default): a fitted net holding it pickles
    # only while builtins.print is that object (Ray replaces it).
    sink = print_sink if verbose else silent_sink
    net_callbacks = [
        ("per_task", scoring),
        ("task_weights", TaskWeightLogger(task_names)),
        # The net class's own (the global objective under data parallel):
        # before early stopping, which ends an epoch's callbacks by raising.
        *net_kwargs.pop("callbacks", []),
    ]
    train_split = None
    if early_stopping:
        train_split = ValidSplit(
            validation_fraction, stratified=False, random_state=seed
        )
        stopper = ModuleEarlyStopping(
            monitor="valid_loss", patience=n_iter_no_change, load_best=True, sink=sink
        )
        net_callbacks.append(("early_stopping", stopper))
    elif tol is not None:
        plateau = TrainingLossPlateau(tol=tol, patience=n_iter_no_change)
        net_callbacks.append(("train_loss_plateau", plateau))
    if on_divergence == "restore_best":
        monitor = "valid_loss" if early_stopping else "train_loss"
        net_callbacks.append(("best_weights", BestWeights(monitor)))
    if progress_bar:
        keys = ["train_loss", "train_acc", "valid_loss", "valid_acc"]
        keys += ["train_r2", "valid_r2"]
        net_callbacks.append(("progress_bar", ProgressBar(postfix_keys=keys)))
    net_callbacks += copy.deepcopy(list(callbacks or []))
    # skorch's PrintLog builds its epoch table even when verbose=0 (0.18 s of
    # a 2.0 s profiled fit on penguins): installed only when something prints.
    print_log = None
    if verbose or any(k.startswith("callbacks__print_log__") for k in net_kwargs):
        print_log = _print_log(task_names, weighting.constant_weights, sink)
    kwargs = {
        "iterator_train": iterator,
        "iterator_train__shuffle": True,
        "iterator_train__pin_memory": device.startswith("cuda"),
        "iterator_valid": iterator,
        "iterator_valid__pin_memory": device.startswith("cuda"),
        "callbacks__print_log": print_log,
        **_optimizer_kwargs(optimizer, lr, weight_decay, optimizer_kwargs),
    }
    kwargs.update(
        module=module,
        criterion=MultiTaskObjective,
        criterion__weighting=weighting,
        criterion__class_weights=class_weights,
        criterion__task_kinds=task_kinds,
        criterion__regression_loss=regression_loss or "mse",
        optimizer=optimizer,
        lr=lr,
        max_epochs=max_epochs,
        batch_size=batch_size,
        train_split=train_split,
        callbacks=net_callbacks,
        predict_nonlinearity=None,
        verbose=verbose,
        device=device,
    )
    kwargs.update(net_kwargs)
    module.to(dtype)
    net = net_class(**kwargs).initialize()
    # The weighting's parameters (uncertainty's log-variances, ...) live in
    # the criterion, built by initialize(). Module.to converts parameters in
    # place, so the optimizer created there keeps pointing at them.
    net.criterion_.to(dtype)
    return net
