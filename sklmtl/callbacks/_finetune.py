"""Fine-tuning callbacks: a frozen trunk for the first epochs, an LR schedule.

The estimators install them from their parameters (``freeze_trunk_epochs``,
``lr_schedule`` and ``warmup_epochs``); both keep what a continued fit and
:func:`sklmtl.io.save` need in the history or in a small state dict.
"""

import math
import warnings

import torch
from skorch.callbacks import Callback

__all__ = ["LRSchedule", "TrunkFreezer"]

SCHEDULES = ("constant", "cosine", "linear", "onecycle")


class TrunkFreezer(Callback):
    """Keep the shared trunk frozen for the first ``epochs`` epochs.

    The epochs are counted in the net's ``history``, so over a fit and the
    fits that continue it (``warm_start``, ``partial_fit``, a loaded model).
    While frozen, the trunk's parameters (the module's
    ``shared_parameters()``) get no gradient, so no update and no optimizer
    moments, and its BatchNorm layers normalise with their running
    statistics and leave them unchanged (see
    :meth:`~sklmtl._net.MultiTaskNeuralNet.set_trunk_frozen`). The trunk is
    unfrozen when training ends.

    Parameters
    ----------
    epochs : int
        Epochs, from the first of the first fit, with the trunk frozen.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> clf = MultiTaskNetClassifier(freeze_trunk_epochs=1, max_epochs=2)
    >>> dict(clf.fit([[0.0], [1.0]], [0, 1]).net_.callbacks_)["freeze_trunk"]
    TrunkFreezer(epochs=1)
    """

    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_begin(self, net, **kwargs):
        net.set_trunk_frozen(len(net.history) <= self.epochs)

    def on_train_end(self, net, **kwargs):
        net.set_trunk_frozen(False)

    def __repr__(self):
        return f"TrunkFreezer(epochs={self.epochs})"


class _Factor:
    """The learning-rate factor of step ``s`` (picklable, for ``LambdaLR``)."""

    def __init__(self, kind, warmup_steps, total_steps):
        self.kind = kind
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps

    def __call__(self, step):
        if step < self.warmup_steps:
            return (step + 1) / self.warmup_steps
        if self.kind == "constant":
            return 1.0
        span = max(1, self.total_steps - self.warmup_steps)
        progress = min(1.0, (step - self.warmup_steps) / span)
        if self.kind == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * progress))
        return 1.0 - progress


class LRSchedule(Callback):
    """A per-batch learning-rate schedule with linear warm-up.

    Built on :mod:`torch.optim.lr_scheduler` when training starts, over
    ``max_epochs`` epochs of the batches the training data gives: a
    :class:`~torch.optim.lr_scheduler.LambdaLR` for ``"constant"``,
    ``"cosine"`` (to zero) and ``"linear"`` (to zero) after a linear warm-up
    from ``lr / warmup_steps``, and
    :class:`~torch.optim.lr_scheduler.OneCycleLR` for ``"onecycle"`` (its
    warm-up share ``pct_start`` is ``warmup_epochs / max_epochs``, 0.3 when
    ``warmup_epochs=0``; the momentum is not cycled). Each parameter group
    follows it from its own ``lr`` (``optimizer__param_groups``). It steps
    after every training batch and stays at its last value once it has run
    its course.

    Parameters
    ----------
    schedule : {"constant", "cosine", "linear", "onecycle"}
        Its shape after the warm-up.
    warmup_epochs : float
        Epochs of linear warm-up (a fraction of an epoch allowed).
    max_epochs : int
        Epochs the schedule spans.
    resume : bool, default=False
        Continue the schedule a :meth:`load_state_dict` handed over (a
        ``partial_fit`` that continues) instead of starting a new one.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> clf = MultiTaskNetClassifier(lr_schedule="cosine", warmup_epochs=1,
    ...                              max_epochs=3, batch_size=1)
    >>> clf = clf.fit([[0.0], [1.0]], [0, 1])
    >>> dict(clf.net_.callbacks_)["lr_schedule"].state_dict()
    {'schedule': 'cosine', 'step': 5, 'total_steps': 6, 'warmup_steps': 2}
    """

    def __init__(self, schedule, warmup_epochs, max_epochs, resume=False):
        self.schedule = schedule
        self.warmup_epochs = warmup_epochs
        self.max_epochs = max_epochs
        self.resume = resume

    def initialize(self):
        self.scheduler_ = None
        self.total_steps_ = self.warmup_steps_ = None
        self._handed_over = None
        return self

    def state_dict(self):
        """Where the schedule stands: its kind, step and length, or None.

        Returns
        -------
        state : dict or None
            ``schedule``, ``step``, ``total_steps`` and ``warmup_steps``;
            None before it started (and nothing was handed over).
        """
        if self.scheduler_ is None:
            return self._handed_over
        return {
            "schedule": self.schedule,
            "step": int(self.scheduler_.last_epoch),
            "total_steps": self.total_steps_,
            "warmup_steps": self.warmup_steps_,
        }

    def load_state_dict(self, state):
        """Hand over a previous schedule's :meth:`state_dict` (or None).

        Parameters
        ----------
        state : dict or None
            Resumed at the next training start when ``resume`` and the
            schedule kind is the same. A running schedule is dropped: its
            position is the handed-over one from now on (an interrupted
            epoch rolled back, the best epoch's weights restored).
        """
        self._handed_over = state
        self.scheduler_ = None

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        if self.scheduler_ is not None:
            return
        optimizer = getattr(net.optimizer_, "optimizer", net.optimizer_)
        state = self._handed_over
        step = 0
        if self.resume and state and state.get("schedule") == self.schedule:
            step = state["step"]
            self.total_steps_ = state["total_steps"]
            self.warmup_steps_ = state["warmup_steps"]
        else:
            per_epoch = max(1, len(net.get_iterator(dataset_train, training=True)))
            self.total_steps_ = per_epoch * self.max_epochs
            self.warmup_steps_ = min(
                self.total_steps_, round(self.warmup_epochs * per_epoch)
            )
        for group in optimizer.param_groups:
            # The schedule scales each group's current lr; a stale
            # initial_lr from a loaded optimizer state must not win.
            group["initial_lr"] = group["lr"]
        self.scheduler_ = self._scheduler(optimizer)
        with warnings.catch_warnings():
            # Replaying the steps taken before: this optimizer has not
            # stepped yet, which torch would warn about.
            warnings.filterwarnings("ignore", message="Detected call of")
            for _ in range(min(step, self.total_steps_ - 1)):
                self.scheduler_.step()

    def _scheduler(self, optimizer):
        if self.schedule == "onecycle":
            pct_start = (
                self.warmup_steps_ / self.total_steps_ if self.warmup_steps_ else 0.3
            )
            return torch.optim.lr_scheduler.OneCycleLR(
                optimizer,
                max_lr=[group["lr"] for group in optimizer.param_groups],
                total_steps=self.total_steps_,
                pct_start=pct_start,
                cycle_momentum=False,
            )
        factor = _Factor(self.schedule, self.warmup_steps_, self.total_steps_)
        return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)

    def on_batch_end(self, net, training=False, **kwargs):
        if training and self.scheduler_.last_epoch < self.total_steps_ - 1:
            self.scheduler_.step()

    def __repr__(self):
        return (
            f"LRSchedule(schedule={self.schedule!r}, warmup_epochs="
            f"{self.warmup_epochs!r}, max_epochs={self.max_epochs!r})"
        )
