"""When training stops and which weights it keeps: :class:`BestWeights`,
:class:`ModuleEarlyStopping` and :class:`TrainingLossPlateau`."""

import copy

from skorch.callbacks import Callback, EarlyStopping

from .._state import bare_module, training_state
from ._sinks import print_sink

__all__ = ["BestWeights", "ModuleEarlyStopping", "TrainingLossPlateau"]


class BestWeights(Callback):
    """Keep an in-memory copy of the training state of the best epoch so far.

    Used by ``on_divergence="restore_best"``: when training diverges, the
    estimator loads ``state`` back: the weights, the weighting's state and the
    optimizer's state (so that diverged moments do not survive the restore).
    Copies happen only at improving epochs.

    Parameters
    ----------
    monitor : str, default="valid_loss"
        The ``history`` key to minimise.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> clf = MultiTaskNetClassifier(max_epochs=3, on_divergence="restore_best")
    >>> clf = clf.fit([[0.0], [1.0]], [0, 1])
    >>> dict(clf.net_.callbacks_)["best_weights"].epoch in (1, 2, 3)
    True
    """

    def __init__(self, monitor="valid_loss"):
        self.monitor = monitor

    def initialize(self):
        self.state = None
        self.epoch = None
        self.best_ = float("inf")
        return self

    def on_epoch_end(self, net, **kwargs):
        value = net.history[-1].get(self.monitor)
        if value is None or not value < self.best_:
            return
        self.best_ = value
        self.epoch = len(net.history)
        self.state = training_state(net)


class ModuleEarlyStopping(EarlyStopping):
    """skorch's :class:`~skorch.callbacks.EarlyStopping`, keeping the bare
    module's best weights.

    The estimators install it as ``"early_stopping"`` (``early_stopping=True``,
    ``load_best=True``). Under data-parallel training
    (:mod:`sklmtl.distributed`) the net's ``module_`` is wrapped in
    ``DistributedDataParallel`` while it trains, so its state-dict keys read
    ``module.trunk...``, and skorch unwraps it when training ends: skorch's
    callback copies the wrapper's state and then fails to load it into the
    unwrapped module. This one copies and loads the bare module's state
    (``sklmtl._state.bare_module``), wrapped or not.

    Parameters
    ----------
    monitor, patience, threshold, threshold_mode, lower_is_better, sink, \
load_best
        As in :class:`skorch.callbacks.EarlyStopping`; ``sink`` defaults to
        :func:`print_sink`.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> X, Y = [[0.0], [1.0], [2.0], [3.0]] * 10, [[0, 1], [1, 0], [1, 1], [0, 0]] * 10
    >>> clf = MultiTaskNetClassifier(early_stopping=True, random_state=0)
    >>> stopper = dict(clf.fit(X, Y).net_.callbacks_)["early_stopping"]
    >>> type(stopper).__name__, stopper.best_epoch_ <= clf.n_iter_
    ('ModuleEarlyStopping', True)
    """

    def __init__(
        self,
        monitor="valid_loss",
        patience=5,
        threshold=1e-4,
        threshold_mode="rel",
        lower_is_better=True,
        sink=print_sink,
        load_best=False,
    ):
        super().__init__(
            monitor=monitor,
            patience=patience,
            threshold=threshold,
            threshold_mode=threshold_mode,
            lower_is_better=lower_is_better,
            sink=sink,
            load_best=load_best,
        )

    def on_epoch_end(self, net, **kwargs):
        score = net.history[-1, self.monitor]
        if self._is_score_improved(score):
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(score)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                state = bare_module(net.module_).state_dict()
                self.best_model_weights_ = copy.deepcopy(state)
        else:
            self.misses_ += 1
        if self.misses_ == self.patience:
            if net.verbose:
                self._sink(
                    f"Stopping since {self.monitor} has not improved in the last "
                    f"{self.patience} epochs.",
                    verbose=net.verbose,
                )
            raise KeyboardInterrupt

    def on_train_end(self, net, **kwargs):
        if (
            self.load_best
            and self.best_model_weights_ is not None
            and self.best_epoch_ != net.history[-1, "epoch"]
        ):
            bare_module(net.module_).load_state_dict(self.best_model_weights_)
            self._sink(
                f"Restoring best model from epoch {self.best_epoch_}.",
                verbose=net.verbose,
            )

    def _sink(self, text, verbose):
        # skorch calls any sink but print whatever the verbosity; print_sink
        # stands for print and follows the net's verbosity as print does.
        if verbose or self.sink not in (print, print_sink):
            self.sink(text)


class TrainingLossPlateau(Callback):
    """Stop when the training loss has stopped improving by ``tol``.

    scikit-learn's stopping rule of ``MLPClassifier``/``MLPRegressor`` without
    early stopping (their ``tol`` and ``n_iter_no_change``): an epoch whose
    ``monitor`` value is not below the best value so far minus ``tol`` is a
    miss, an epoch that is resets the count, and after ``patience``
    consecutive misses training stops (skorch's ``KeyboardInterrupt``, which
    ends the fit normally). The best value follows every decrease, however
    small, so a loss that creeps down by less than ``tol`` an epoch stops it.
    The estimators install it as ``"train_loss_plateau"`` when early
    stopping is off and their ``tol`` is not None. The count starts afresh
    with each call to ``fit``/``partial_fit`` (the first epoch of a call is
    never a miss), so ``partial_fit``, one epoch per call, never stops on it.

    Parameters
    ----------
    tol : float, default=1e-3
        Least decrease of the best ``monitor`` value that counts as an
        improvement (absolute, in the loss's units).
    patience : int, default=20
        Consecutive epochs without such an improvement that stop training.
    monitor : str, default="train_loss"
        The ``history`` key to minimise (sklmtl's ``train_loss`` is the plain
        mean over tasks of each task's loss; see :class:`PerTaskScoring`).

    Attributes
    ----------
    best_ : float
        The lowest ``monitor`` value of this call so far.
    misses_ : int
        Consecutive epochs without an improvement by ``tol``.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> X, Y = [[0.0], [1.0]] * 10, [[0, 1], [1, 0]] * 10
    >>> clf = MultiTaskNetClassifier(tol=0.5, n_iter_no_change=2, random_state=0)
    >>> clf.fit(X, Y).n_iter_ < clf.max_epochs
    True
    """

    def __init__(self, tol=1e-3, patience=20, monitor="train_loss"):
        self.tol = tol
        self.patience = patience
        self.monitor = monitor

    def on_train_begin(self, net, **kwargs):
        self.best_ = float("inf")
        self.misses_ = 0

    def on_epoch_end(self, net, **kwargs):
        value = net.history[-1].get(self.monitor)
        if value is None:
            return
        # The same comparisons as MLP's _update_no_improvement_count.
        self.misses_ = self.misses_ + 1 if value > self.best_ - self.tol else 0
        self.best_ = min(self.best_, value)
        if self.misses_ >= self.patience:
            if net.verbose:
                print(
                    f"Stopping: {self.monitor} has not improved by at least "
                    f"tol={self.tol} for {self.patience} epochs."
                )
            raise KeyboardInterrupt
