"""What a ``KeyboardInterrupt`` during training leaves: :class:`LastFinishedEpoch`."""

import torch
from skorch.callbacks import Callback

from .._state import load_training_state, training_state

__all__ = ["LastFinishedEpoch"]


class LastFinishedEpoch(Callback):
    """Roll an interrupted epoch back to the end of the last finished one.

    skorch ends ``fit`` quietly on a ``KeyboardInterrupt`` (Ctrl-C) and keeps
    whatever the interrupted epoch had done to the weights, with a
    half-written row in ``history``. The estimators install this callback
    first (as ``"last_finished_epoch"``): it keeps a copy of the training
    state (weights, task weighting, optimizer moments and settings, RNG
    stream) at the start of every epoch, and when training ends inside an
    epoch (its ``history`` row has no ``train_loss``) it loads that copy
    back and drops the row; the estimator then warns, naming the epoch kept
    (``message_``). The estimator then
    predicts with the weights of the last finished epoch and a continued
    fit (``warm_start``, :func:`sklmtl.io.resume`) goes on as if the
    interrupted epoch had never started. A stopping rule's
    ``KeyboardInterrupt`` (early stopping) ends a finished epoch and is left
    alone. When no epoch of a new fit finished, the ``KeyboardInterrupt`` is
    raised again and the estimator stays unfitted.

    Attributes
    ----------
    interrupted_ : bool
        Whether the last training run was interrupted inside an epoch.
    message_ : str
        What was kept, when ``interrupted_``.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> clf = MultiTaskNetClassifier(max_epochs=1).fit([[0.0], [1.0]], [0, 1])
    >>> type(dict(clf.net_.callbacks_)["last_finished_epoch"]).__name__
    'LastFinishedEpoch'
    """

    def initialize(self):
        self.interrupted_ = False
        self._state = None
        return self

    def on_train_begin(self, net, **kwargs):
        self.interrupted_ = False

    def on_epoch_begin(self, net, **kwargs):
        # skorch has already opened this epoch's history row. The copy of
        # the epoch before is overwritten (a memory copy per epoch, not a
        # deep copy: a fifth of a small table's fit went there).
        self._state = {
            **training_state(net, into=self._state),
            "rng_state": torch.get_rng_state(),
        }

    def on_train_end(self, net, **kwargs):
        # The copy must not stay in the fitted net (its size, its pickle).
        state, self._state = self._state, None
        if not net.history or "train_loss" in net.history[-1]:
            return
        self.interrupted_ = True
        interrupted = len(net.history)
        net.history.pop()
        if state is not None:
            load_training_state(net, state, keep_hyperparameters=False)
            torch.set_rng_state(state["rng_state"])
        if not net.history:
            raise KeyboardInterrupt(
                "Training was interrupted in its first epoch: no epoch finished, "
                "so nothing was fitted."
            )
        self.message_ = (
            f"Training was interrupted (KeyboardInterrupt) in epoch {interrupted}; "
            f"the estimator keeps the weights of epoch {interrupted - 1}, the last "
            "finished epoch."
        )
