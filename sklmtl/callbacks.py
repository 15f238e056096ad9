"""skorch callbacks: per-task losses and accuracies in ``history``, best weights."""

import torch
from skorch.callbacks import Callback

from ._state import training_state
from .nn.losses import pad_task_logits, unpack_targets

__all__ = ["BestWeights", "PerTaskScoring", "TaskWeightLogger"]


def _task_argmax(logits):
    """Argmax of every task's logits, shape ``(batch, n_tasks)``."""
    if len(logits) <= 4:
        return torch.stack([t.argmax(dim=1) for t in logits], dim=1)
    return pad_task_logits(logits).argmax(dim=2)


class PerTaskScoring(Callback):
    """Record each task's loss and accuracy per epoch, for train and valid.

    The training step hands every batch's per-task losses (``task_losses``)
    and labelled counts (``task_counts``) to ``on_batch_end``; the accuracies
    come from the logits the step already computed, so nothing is run twice.
    Values are averaged over the labelled cells of the epoch and written as
    ``train_loss_<task>``, ``train_acc_<task>``, ``valid_loss_<task>`` and
    ``valid_acc_<task>``.

    It also sets the epoch's ``train_loss`` and ``valid_loss`` to the plain
    mean over tasks of those per-task losses (tasks without a labelled cell
    in the epoch left out), and ``train_acc``/``valid_acc`` to the mean task
    accuracy. That is what early stopping and ``on_divergence`` monitor: a
    weighted objective can go negative (uncertainty weighting) or change with
    random weights (``"rlw"``). The objective the optimizer minimised is kept
    as ``train_objective``. skorch writes ``train_loss``/``valid_loss`` before
    the ``on_epoch_end`` callbacks run, and this callback comes first.

    Parameters
    ----------
    task_names : list of str
        The tasks, in the order of the module's outputs.
    batch_scores : bool, default=False
        Also record each batch's mean task accuracy (``train_acc`` /
        ``valid_acc`` in the batch rows), for the progress bar.

    Examples
    --------
    >>> from sklmtl.callbacks import PerTaskScoring
    >>> PerTaskScoring(["colour", "size"]).task_names
    ['colour', 'size']
    """

    def __init__(self, task_names, batch_scores=False):
        self.task_names = task_names
        self.batch_scores = batch_scores

    def on_epoch_begin(self, net, **kwargs):
        self._sums = {}

    def on_batch_end(
        self,
        net,
        batch=None,
        training=False,
        y_pred=None,
        task_losses=None,
        task_counts=None,
        **kwargs,
    ):
        if task_losses is None:
            return
        codes, sample_weight = unpack_targets(batch[1].to(task_losses.device))
        hits = ((_task_argmax(y_pred) == codes) & (codes >= 0)).to(task_losses.dtype)
        if sample_weight is not None:
            hits = hits * sample_weight.to(task_losses.dtype)
        # Weighted by the sample weights when given (task_counts are then
        # the weight sums), so validation scores follow them too.
        correct = hits.sum(dim=0)
        stats = torch.stack([task_losses.detach() * task_counts, correct, task_counts])
        prefix = "train" if training else "valid"
        self._sums[prefix] = self._sums.get(prefix, 0) + stats
        if self.batch_scores:
            present = task_counts > 0
            accuracy = (correct[present] / task_counts[present]).mean()
            net.history.record_batch(f"{prefix}_acc", float(accuracy))

    def on_epoch_end(self, net, **kwargs):
        for prefix, stats in self._sums.items():
            if (
                torch.distributed.is_available()
                and torch.distributed.is_initialized()
                and torch.distributed.get_world_size() > 1
            ):
                # Data-parallel training: every rank records the global values.
                torch.distributed.all_reduce(stats)
            loss_sum, correct, counts = stats.cpu().tolist()
            losses, accuracies = [], []
            for name, loss, hits, count in zip(
                self.task_names, loss_sum, correct, counts
            ):
                if count:
                    losses.append(loss / count)
                    accuracies.append(hits / count)
                    net.history.record(f"{prefix}_loss_{name}", losses[-1])
                    net.history.record(f"{prefix}_acc_{name}", accuracies[-1])
            if not losses:
                continue
            if prefix == "train" and "train_loss" in net.history[-1]:
                net.history.record("train_objective", net.history[-1]["train_loss"])
            net.history.record(f"{prefix}_loss", sum(losses) / len(losses))
            net.history.record(f"{prefix}_acc", sum(accuracies) / len(accuracies))


class TaskWeightLogger(Callback):
    """Record the task weights in use (``task_weight_<task>``) every epoch.

    Runs after :class:`PerTaskScoring`: it first records the weights used
    during the epoch, then hands the epoch's mean training loss per task to
    strategies that need it (Dynamic Weight Average).

    Parameters
    ----------
    task_names : list of str
        The tasks, in the order of the module's outputs.

    Examples
    --------
    >>> from sklmtl.callbacks import TaskWeightLogger
    >>> TaskWeightLogger(["a"]).task_names
    ['a']
    """

    def __init__(self, task_names):
        self.task_names = task_names

    def on_epoch_end(self, net, **kwargs):
        weighting = net.criterion_.weighting
        weights = weighting.current_weights()
        if weights is not None:
            for name, weight in zip(self.task_names, weights.detach().cpu().tolist()):
                net.history.record(f"task_weight_{name}", weight)
        if weighting.uses_epoch_losses:
            row = net.history[-1]
            losses = [
                row.get(f"train_loss_{name}", float("nan")) for name in self.task_names
            ]
            weighting.end_epoch(torch.tensor(losses))


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
