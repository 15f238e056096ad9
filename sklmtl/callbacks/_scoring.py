"""Per-task scores in ``history``: :class:`PerTaskScoring` records each task's
loss and accuracy (or R²) per epoch, :class:`TaskWeightLogger` the task
weights in use."""

import torch
from skorch.callbacks import Callback

from .._tasks import OutputLayout
from ..nn.heads import flat_logits
from ..nn.losses import pad_task_logits, split_targets, unpack_targets

__all__ = ["PerTaskScoring", "TaskWeightLogger"]


def _task_argmax(logits):
    """Argmax of every task's logits, shape ``(batch, n_tasks)``."""
    if len(logits) <= 4:
        return torch.stack([t.argmax(dim=1) for t in logits], dim=1)
    return pad_task_logits(logits).argmax(dim=2)


def _prefix(training):
    return "train" if training else "valid"


class PerTaskScoring(Callback):
    """Record each task's loss and score per epoch, for train and valid.

    The training step hands every batch's per-task losses (``task_losses``)
    and labelled counts (``task_counts``) to ``on_batch_end``; the accuracies
    come from the logits the step already computed, so nothing is run twice.
    Values are averaged over the labelled cells of the epoch and written as
    ``train_loss_<task>``, ``train_acc_<task>``, ``valid_loss_<task>`` and
    ``valid_acc_<task>``. A regression task (``task_kinds``) is scored by its
    coefficient of determination R² instead (``train_r2_<task>``,
    ``valid_r2_<task>``), from the weighted sums of the epoch's squared errors
    and targets; on standardised targets it equals R² in the target's units.

    It also sets the epoch's ``train_loss`` and ``valid_loss`` to the plain
    mean over tasks of those per-task losses (tasks without a labelled cell
    in the epoch left out), ``train_acc``/``valid_acc`` to the mean accuracy
    of the classification tasks and ``train_r2``/``valid_r2`` to the mean R²
    of the regression tasks (and skorch's ``train_loss_best``/``valid_loss_best``
    flags to match those losses). With regression tasks the plain mean mixes
    cross-entropies and regression losses; the targets are standardised so
    that both start near 1. That is what early stopping and ``on_divergence`` monitor: a
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
    task_kinds : list of {"classification", "regression", "binary"} or None, \
default=None
        The kind of each task; None when all are classification tasks.
        ``"binary"`` for every task: each has one sigmoid logit (the
        binary-label path).

    Examples
    --------
    >>> from sklmtl.callbacks import PerTaskScoring
    >>> PerTaskScoring(["colour", "size"]).task_names
    ['colour', 'size']
    """

    def __init__(self, task_names, batch_scores=False, task_kinds=None):
        self.task_names = task_names
        self.batch_scores = batch_scores
        self.task_kinds = task_kinds

    def initialize(self):
        layout = OutputLayout(self.task_kinds)
        self._regression = layout.regression
        self._classification = layout.classification
        # The binary-label path: one sigmoid logit per task, class 1 when > 0.
        self._binary = layout.one_logit_per_task
        return self

    def on_train_begin(self, net, **kwargs):
        # The lowest recorded loss of each prefix so far (NaN once a NaN was
        # recorded: nothing compares below it), so that flagging the best
        # epoch costs the same at epoch 1 and at epoch 1,000.
        self._floor = {}
        for row in net.history:
            for prefix in ("train", "valid"):
                self._lower_floor(prefix, row.get(f"{prefix}_loss"))

    def _lower_floor(self, prefix, loss):
        if loss is None:
            return
        floor = self._floor.get(prefix)
        if floor is None or loss != loss or (floor == floor and loss < floor):
            self._floor[prefix] = loss

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
        if self._regression:
            self._mixed_batch_end(
                net, batch, training, y_pred, task_losses, task_counts
            )
            return
        codes, sample_weight = unpack_targets(batch[1].to(task_losses.device))
        # A missing cell (code -1) equals no prediction (a class index, or
        # the 0/1 of the binary path), so it is never a hit.
        if self._binary:
            hits = codes == (flat_logits(y_pred).detach() > 0)
        else:
            hits = _task_argmax(y_pred) == codes
        # Weighted by the sample weights when given (task_counts are then
        # the weight sums), so validation scores follow them too.
        dtype = task_losses.dtype
        if sample_weight is not None:
            correct = (hits.to(dtype) * sample_weight.to(dtype)).sum(dim=0)
        else:
            # An integer count is exact, and twice as fast to sum as floats;
            # its cast equals the float sum (counts are far below 2**24).
            correct = hits.sum(dim=0).to(dtype)
        stats = torch.stack([task_losses.detach() * task_counts, correct, task_counts])
        self._add(training, stats)
        if self.batch_scores:
            present = task_counts > 0
            accuracy = (correct[present] / task_counts[present]).mean()
            net.history.record_batch(f"{_prefix(training)}_acc", float(accuracy))

    def _mixed_batch_end(self, net, batch, training, y_pred, task_losses, counts):
        """Sums for accuracies (classification) and R² (regression)."""
        dtype, device = task_losses.dtype, task_losses.device
        values, sample_weight = split_targets(batch[1].to(device), len(self.task_names))
        n_tasks = len(self.task_names)
        weight = torch.ones_like(values, dtype=dtype)
        if sample_weight is not None:
            weight = sample_weight.to(dtype)
        # Rows: loss sum, hits (classification) or squared errors (regression),
        # weight, weighted target sum, weighted squared target sum.
        stats = torch.zeros((5, n_tasks), dtype=dtype, device=device)
        stats[0] = task_losses.detach() * counts
        stats[2] = counts
        for t in self._classification:
            codes = values[:, t].to(torch.long)
            hit = (y_pred[t].argmax(dim=1) == codes) & (codes >= 0)
            stats[1, t] = (hit.to(dtype) * weight[:, t]).sum()
        if self._regression:
            reg = torch.as_tensor(self._regression, device=device)
            target = values.index_select(1, reg)
            labelled = ~torch.isnan(target)
            w = weight.index_select(1, reg) * labelled.to(dtype)
            target = torch.where(labelled, target, 0.0).to(dtype)
            mean = torch.cat([y_pred[t][:, :1].detach() for t in self._regression], 1)
            stats[1, reg] = (w * (mean.to(dtype) - target) ** 2).sum(dim=0)
            stats[3, reg] = (w * target).sum(dim=0)
            stats[4, reg] = (w * target**2).sum(dim=0)
        self._add(training, stats)
        if self.batch_scores and self._classification:
            cls = torch.as_tensor(self._classification, device=device)
            present = counts[cls] > 0
            accuracy = (stats[1, cls][present] / counts[cls][present]).mean()
            net.history.record_batch(f"{_prefix(training)}_acc", float(accuracy))

    def _add(self, training, stats):
        """Add a batch's ``stats`` to the epoch's sums of its prefix, in place
        (the same float additions, in the same order, as summing them)."""
        prefix = _prefix(training)
        sums = self._sums.get(prefix)
        if sums is None:
            self._sums[prefix] = stats
        else:
            sums.add_(stats)

    def _task_scores(self, stats):
        """``(metric, value)`` of each task with labelled cells, else None."""
        rows = stats.tolist()
        loss_sum, scores, counts = rows[0], rows[1], rows[2]
        out = []
        for t in range(len(self.task_names)):
            if not counts[t]:
                out.append(None)
            elif t in self._regression:
                total = rows[4][t] - rows[3][t] ** 2 / counts[t]
                r2 = 1.0 - scores[t] / total if total > 1e-12 else float("nan")
                out.append((loss_sum[t] / counts[t], "r2", r2))
            else:
                out.append((loss_sum[t] / counts[t], "acc", scores[t] / counts[t]))
        return out

    def on_epoch_end(self, net, **kwargs):
        for prefix, stats in self._sums.items():
            if (
                torch.distributed.is_available()
                and torch.distributed.is_initialized()
                and torch.distributed.get_world_size() > 1
            ):
                # Data-parallel training: every rank records the global values.
                torch.distributed.all_reduce(stats)
            losses, scores = [], {"acc": [], "r2": []}
            for name, entry in zip(self.task_names, self._task_scores(stats.cpu())):
                if entry is None:
                    continue
                loss, metric, score = entry
                losses.append(loss)
                net.history.record(f"{prefix}_loss_{name}", loss)
                if score == score:  # R² is undefined on a constant target
                    scores[metric].append(score)
                    net.history.record(f"{prefix}_{metric}_{name}", score)
            if not losses:
                continue
            if prefix == "train" and "train_loss" in net.history[-1]:
                net.history.record("train_objective", net.history[-1]["train_loss"])
            loss = sum(losses) / len(losses)
            net.history.record(f"{prefix}_loss", loss)
            # skorch flagged the best epoch on the loss it computed (this
            # rank's alone under data parallel): flag it on the recorded one,
            # best when below every earlier epoch's.
            floor = self._floor.get(prefix)
            net.history.record(f"{prefix}_loss_best", floor is None or loss < floor)
            self._lower_floor(prefix, loss)
            for metric, values in scores.items():
                if values:
                    net.history.record(f"{prefix}_{metric}", sum(values) / len(values))


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
