"""Per-task losses over the labelled cells of each task.

Classification tasks: cross-entropy, all tasks in one padded
``log_softmax`` (:class:`MaskedMultiTaskCrossEntropy`). Regression tasks:
MSE, Huber or Gaussian negative log-likelihood on standardised targets, all
tasks in one stacked computation (:class:`MaskedMultiTaskRegressionLoss`).
:class:`MultiTaskObjective` runs both on a target tensor that carries either
kind (see :mod:`sklmtl._tasks`) and returns one loss per task, in task order.
"""

import torch
import torch.nn.functional as F
from torch import nn

from .._tasks import MIN_VARIANCE as _MIN_VARIANCE
from .._tasks import OutputLayout
from ._logits import BINARY_LOGIT_SCALE, flat_logits

# The target and logits layouts live in _target_layout; public from here.
from ._target_layout import (
    pack_targets,
    pad_task_logits,
    split_targets,
    unpack_targets,
)

__all__ = [
    "MIN_VARIANCE",
    "REGRESSION_LOSSES",
    "MaskedMultiTaskCrossEntropy",
    "MaskedMultiTaskRegressionLoss",
    "MultiTaskObjective",
    "pack_targets",
    "pad_task_logits",
    "split_targets",
    "unpack_targets",
]

#: Losses of regression tasks, by name.
REGRESSION_LOSSES = ("mse", "huber", "gaussian_nll")
#: Smallest variance of the Gaussian NLL (standardised units): keeps the
#: loss finite when a prediction is exact. Defined by the task layer, whose
#: ``RegressionTask`` decodes the predicted variance with it.
MIN_VARIANCE = _MIN_VARIANCE


class MaskedMultiTaskCrossEntropy(nn.Module):
    """Cross-entropy of each task, averaged over that task's labelled cells.

    A cell whose code is ``-1`` is unknown and contributes nothing. Each task's
    loss is divided by the number (or the total class weight) of its labelled
    cells in the batch, not by the batch size, so that a sparsely labelled task
    is not starved; a task with no labelled cell in the batch has loss 0.

    With ``binary=True`` every task is binary and has one output ``u`` (the
    binary-label path): its loss is the binary cross-entropy of
    ``sigmoid(z)`` against code 1, where ``z`` is
    ``BINARY_LOGIT_SCALE * u`` (2, see :class:`~sklmtl.nn.TaskHeads`), computed for all
    tasks at once on the ``(batch, n_tasks)`` outputs. It equals the
    two-class cross-entropy of the logits ``(0, z)``.

    Parameters
    ----------
    class_weights : list of (Tensor or None) or None, default=None
        Per-task class weights of shape ``(n_classes_t,)``.
    binary : bool, default=False
        Every task is binary with one sigmoid logit.
    label_smoothing : float, default=0.0
        The share ``eps`` of each target spread evenly over the task's
        classes, as in ``torch.nn.functional.cross_entropy``: a cell's
        loss is ``(1 - eps) * (-log p_y) + eps * mean_k(-log p_k)`` over the
        task's own ``K`` classes (on the binary path, the target is
        ``y * (1 - eps) + eps / 2``).

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MaskedMultiTaskCrossEntropy
    >>> loss = MaskedMultiTaskCrossEntropy()
    >>> logits = (torch.zeros(2, 2), torch.zeros(2, 4))
    >>> losses, counts = loss(logits, torch.tensor([[0, -1], [1, -1]]))
    >>> losses, counts
    (tensor([0.6931, 0.0000]), tensor([2., 0.]))
    >>> bce = MaskedMultiTaskCrossEntropy(binary=True)
    >>> bce((torch.zeros(2, 1), torch.zeros(2, 1)), torch.tensor([[0, -1], [1, -1]]))
    (tensor([0.6931, 0.0000]), tensor([2., 0.]))
    """

    #: Set (by the net, for an epoch) when no batch has a missing cell or a
    #: sample weight: the loss then skips its mask, with the same values.
    complete_codes = False

    def __init__(self, class_weights=None, binary=False, label_smoothing=0.0):
        super().__init__()
        self.binary = bool(binary)
        self.label_smoothing = float(label_smoothing)
        # Buffers move to the net's device with the criterion, once.
        self._weighted = []
        for t, weight in enumerate(class_weights or []):
            self._weighted.append(weight is not None)
            if weight is not None:
                self.register_buffer(f"class_weight_{t}", torch.as_tensor(weight))
        self._tables = {}

    @property
    def class_weights(self):
        """Per-task class weight tensors (None for unweighted tasks), or None."""
        if not any(self._weighted):
            return None
        return [
            getattr(self, f"class_weight_{t}") if weighted else None
            for t, weighted in enumerate(self._weighted)
        ]

    def _weight_table(self, sizes, device, dtype):
        """``(n_tasks, max_classes)`` class weights (1 where unweighted), cached."""
        if not any(self._weighted):
            return None
        key = (tuple(sizes), str(device), dtype)
        if key not in self._tables:
            table = torch.ones(len(sizes), max(sizes), dtype=dtype)
            for t, size in enumerate(sizes):
                if t < len(self._weighted) and self._weighted[t]:
                    table[t, :size] = getattr(self, f"class_weight_{t}").to(dtype)
            self._tables[key] = table.to(device)
        return self._tables[key]

    def forward(self, logits, targets):
        """Return per-task losses and labelled counts, each of shape ``(n_tasks,)``."""
        codes, sample_weight = unpack_targets(targets)
        return self.masked(logits, codes, sample_weight)

    def masked(self, logits, codes, sample_weight=None):
        """Per-task losses and counts from codes (``-1`` missing) and weights.

        Parameters
        ----------
        logits : sequence of Tensor of shape (batch, n_classes_t)
            One tensor per classification task.
        codes : Tensor of shape (batch, n_tasks), dtype=int64
            Class codes, ``-1`` for a missing cell.
        sample_weight : Tensor of shape (batch, n_tasks) or None, default=None
            Per-cell weights.

        Returns
        -------
        task_losses : Tensor of shape (n_tasks,)
            Each task's (weighted) mean cross-entropy over its labelled cells.
        task_counts : Tensor of shape (n_tasks,)
            Labelled cells (or their total weight) of each task.
        """
        unmasked = (
            self.complete_codes and sample_weight is None and not any(self._weighted)
        )
        if self.binary:
            return self._binary_masked(logits, codes, sample_weight, unmasked)
        first = logits[0]
        sizes = getattr(logits, "sizes", None) or [t.shape[1] for t in logits]
        if unmasked:
            # Every cell labelled with weight 1: the masked sums below, with
            # the multiplications by 1 left out (same values and gradients).
            log_proba = torch.log_softmax(pad_task_logits(logits), dim=2)
            picked = log_proba.gather(2, codes.unsqueeze(2)).squeeze(2)
            return _mean_over_rows(
                self._smoothed(picked, log_proba, sizes), first.dtype
            )
        labelled = codes >= 0
        target = codes.clamp(min=0)
        log_proba = torch.log_softmax(pad_task_logits(logits), dim=2)
        picked = -self._smoothed(
            log_proba.gather(2, target.unsqueeze(2)).squeeze(2), log_proba, sizes
        )
        cell_weight = labelled.to(first.dtype)
        if sample_weight is not None:
            cell_weight = cell_weight * sample_weight.to(first.dtype)
            counts = cell_weight.sum(dim=0)
        else:
            counts = labelled.sum(dim=0).to(first.dtype)
        table = self._weight_table(sizes, first.device, first.dtype)
        if table is not None:
            tasks = torch.arange(len(sizes), device=first.device)
            cell_weight = cell_weight * table[tasks, target]
        total = (-picked * cell_weight).sum(dim=0)
        denom = cell_weight.sum(dim=0).clamp(min=torch.finfo(first.dtype).tiny)
        return total / denom, counts

    def _smoothed(self, picked, log_proba, sizes):
        """Each cell's loss: ``-log p_y``, with ``label_smoothing`` mixed in."""
        eps = self.label_smoothing
        if not eps:
            return -picked
        n_classes = torch.as_tensor(sizes, device=picked.device)
        real = (
            torch.arange(log_proba.shape[2], device=picked.device) < n_classes[:, None]
        )
        # The -inf of padded slots is no class of the task: left out.
        uniform = -log_proba.masked_fill(~real, 0.0).sum(dim=2) / n_classes
        return (1.0 - eps) * -picked + eps * uniform

    def _binary_target(self, positive, dtype):
        eps = self.label_smoothing
        target = positive.to(dtype)
        return target * (1.0 - eps) + eps / 2 if eps else target

    def _binary_masked(self, logits, codes, sample_weight, unmasked=False):
        """:meth:`masked` for one sigmoid logit per task, in a few whole ops."""
        flat = flat_logits(logits)
        if flat.shape[1] != codes.shape[1]:
            raise ValueError(
                "The binary-label loss needs one logit per task; got "
                f"{flat.shape[1]} logits for {codes.shape[1]} tasks."
            )
        dtype = flat.dtype
        if unmasked:
            # Codes are 0/1 and every cell weighs 1: no mask, no weight.
            cell = F.binary_cross_entropy_with_logits(
                BINARY_LOGIT_SCALE * flat,
                self._binary_target(codes, dtype),
                reduction="none",
            )
            return _mean_over_rows(cell, dtype)
        labelled = codes >= 0
        positive = codes > 0
        cell_weight = labelled.to(dtype)
        if sample_weight is not None:
            cell_weight = cell_weight * sample_weight.to(dtype)
            counts = cell_weight.sum(dim=0)
        else:
            counts = labelled.sum(dim=0).to(dtype)
        denom = counts
        table = self._weight_table([2] * codes.shape[1], flat.device, dtype)
        if table is not None:
            # Class weights are indexed by the code: a table of 2 columns.
            negative, positive_weight = table[:, 0], table[:, 1]
            cell_weight = cell_weight * torch.where(positive, positive_weight, negative)
            denom = cell_weight.sum(dim=0)
        # The weight argument fuses the mask into the loss (and its backward).
        cell = F.binary_cross_entropy_with_logits(
            BINARY_LOGIT_SCALE * flat,
            self._binary_target(positive, dtype),
            weight=cell_weight,
            reduction="none",
        )
        total = cell.sum(dim=0)
        return total / denom.clamp(min=torch.finfo(dtype).tiny), counts


def _mean_over_rows(cell, dtype):
    """Per-column mean of ``cell`` and the row count, as the masked losses give.

    The sum divided by the count (not ``mean``): the masked path's arithmetic.
    """
    counts = torch.full(
        (cell.shape[1],), cell.shape[0], dtype=dtype, device=cell.device
    )
    total = cell.sum(dim=0)
    if cell.shape[0]:
        # The masked path's clamp leaves a count of 1 or more as it is.
        return total / counts, counts
    return total / counts.clamp(min=torch.finfo(dtype).tiny), counts


class MaskedMultiTaskRegressionLoss(nn.Module):
    """Regression loss of each task, averaged over that task's labelled cells.

    All regression tasks are computed at once on the stacked outputs. A cell
    whose target is ``NaN`` is unknown and contributes nothing; each task's
    loss is the (sample-weighted) mean over its labelled cells.

    Parameters
    ----------
    loss : {"mse", "huber", "gaussian_nll"}, default="mse"
        ``"mse"``: squared error. ``"huber"``: Huber loss with ``delta=1``
        (in standardised units: one standard deviation of the target).
        ``"gaussian_nll"``: the negative log-likelihood of a Gaussian whose
        mean is the output's first column and whose variance is
        ``softplus`` of its second column (plus 1e-6), without the constant
        ``0.5 * log(2 * pi)``; it can be negative.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MaskedMultiTaskRegressionLoss
    >>> loss = MaskedMultiTaskRegressionLoss("mse")
    >>> outputs = (torch.zeros(2, 1), torch.ones(2, 1))
    >>> loss(outputs, torch.tensor([[1.0, float("nan")], [3.0, 3.0]]))
    (tensor([5., 4.]), tensor([2., 1.]))
    """

    def __init__(self, loss="mse"):
        super().__init__()
        if loss not in REGRESSION_LOSSES:
            raise ValueError(
                f"Unknown regression loss {loss!r}; expected one of "
                f"{list(REGRESSION_LOSSES)}."
            )
        self.loss = loss

    def forward(self, outputs, values, sample_weight=None):
        """Per-task losses and labelled counts, each of shape ``(n_tasks,)``."""
        first = outputs[0]
        mean = torch.cat([o[:, :1] for o in outputs], dim=1)
        labelled = ~torch.isnan(values)
        target = torch.where(labelled, values, 0.0).to(first.dtype)
        if self.loss == "mse":
            cell = (mean - target) ** 2
        elif self.loss == "huber":
            cell = F.huber_loss(mean, target, reduction="none", delta=1.0)
        else:
            raw = torch.cat([o[:, 1:2] for o in outputs], dim=1)
            variance = F.softplus(raw) + MIN_VARIANCE
            cell = 0.5 * (torch.log(variance) + (mean - target) ** 2 / variance)
        weight = labelled.to(first.dtype)
        if sample_weight is not None:
            weight = weight * sample_weight.to(first.dtype)
        counts = weight.sum(dim=0)
        total = (cell * weight).sum(dim=0)
        return total / counts.clamp(min=torch.finfo(first.dtype).tiny), counts


class MultiTaskObjective(nn.Module):
    """The net's criterion: masked per-task losses plus the task weighting.

    Holding the weighting as a submodule hands its parameters (e.g. the
    log-variances of uncertainty weighting) to skorch's optimizer and moves
    them to the net's device with the criterion.

    Parameters
    ----------
    weighting : TaskWeighting
        A set-up weighting strategy from :mod:`sklmtl.weighting`.
    class_weights : list of (Tensor or None) or None, default=None
        Class weights of the classification tasks (in their order), see
        :class:`MaskedMultiTaskCrossEntropy`.
    task_kinds : list of {"classification", "regression", "binary"} or None, \
default=None
        The kind of each output; None when every task is a classification
        task (the target is then the ``int64`` code matrix). ``"binary"`` for
        every task selects the binary-label path: one sigmoid logit and a
        binary cross-entropy per task (see
        :class:`MaskedMultiTaskCrossEntropy`).
    regression_loss : {"mse", "huber", "gaussian_nll"}, default="mse"
        The loss of regression tasks, see
        :class:`MaskedMultiTaskRegressionLoss`.
    label_smoothing : float, default=0.0
        Of the classification tasks, see :class:`MaskedMultiTaskCrossEntropy`.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MultiTaskObjective
    >>> from sklmtl.weighting import EqualWeighting
    >>> objective = MultiTaskObjective(EqualWeighting().setup(["a", "b"]))
    >>> logits = (torch.zeros(2, 2), torch.zeros(2, 3))
    >>> losses, counts = objective.task_losses(logits, torch.tensor([[0, 1], [1, 2]]))
    >>> objective.weighting.combine(losses)
    tensor(1.7918)
    >>> mixed = MultiTaskObjective(
    ...     EqualWeighting().setup(["a", "b"]), task_kinds=["classification",
    ...     "regression"])
    >>> losses, counts = mixed.task_losses(
    ...     (torch.zeros(2, 2), torch.zeros(2, 1)),
    ...     torch.tensor([[0.0, 1.0], [1.0, float("nan")]], dtype=torch.float64))
    >>> losses, counts
    (tensor([0.6931, 1.0000]), tensor([2., 1.]))
    """

    def __init__(
        self,
        weighting,
        class_weights=None,
        task_kinds=None,
        regression_loss="mse",
        label_smoothing=0.0,
    ):
        super().__init__()
        self.weighting = weighting
        layout = OutputLayout(task_kinds)
        self.cross_entropy = MaskedMultiTaskCrossEntropy(
            class_weights,
            binary=layout.one_logit_per_task,
            label_smoothing=label_smoothing,
        )
        self.regression = MaskedMultiTaskRegressionLoss(regression_loss)
        self._mixed = layout.mixed
        self._n_tasks = layout.n_outputs
        self._classification = layout.classification
        self._regression = layout.regression
        # Where each task's loss sits in [classification losses | regression].
        self._order = layout.order
        self._index = {}

    def _indices(self, device):
        key = str(device)
        if key not in self._index:
            self._index[key] = tuple(
                torch.as_tensor(i, dtype=torch.long, device=device)
                for i in (self._classification, self._regression, self._order)
            )
        return self._index[key]

    def task_losses(self, outputs, targets):
        """Per-task losses and labelled counts.

        Parameters
        ----------
        outputs : sequence of Tensor
            The network's output, one tensor per task: logits of shape
            ``(batch, n_classes_t)`` for a classification task, predictions
            for a regression task.
        targets : Tensor
            The packed targets of the batch (see
            :func:`~sklmtl.nn.losses.pack_targets`).

        Returns
        -------
        task_losses : Tensor of shape (n_tasks,)
            Each task's (weighted) mean loss over its labelled cells.
        task_counts : Tensor of shape (n_tasks,)
            Labelled cells of each task in the batch.
        """
        n_members = getattr(outputs, "n_members", 1)
        if n_members > 1:
            # Every member's logits, member by member (an ensemble in
            # training, sklmtl.nn.MemberLogits): the targets repeat for each,
            # so each task's loss is the mean of the members' losses (every
            # member has the same labelled cells and weights); the counts
            # stay those of the batch.
            targets = targets.repeat(n_members, *[1] * (targets.dim() - 1))
            losses, counts = self._task_losses(outputs, targets)
            return losses, counts / n_members
        return self._task_losses(outputs, targets)

    def _task_losses(self, outputs, targets):
        if not self._mixed:
            return self.cross_entropy(outputs, targets)
        values, weights = split_targets(targets, self._n_tasks)
        cls_index, reg_index, order = self._indices(values.device)
        losses, counts = [], []
        if self._classification:
            codes = values.index_select(1, cls_index).to(torch.long)
            w = None if weights is None else weights.index_select(1, cls_index)
            loss, count = self.cross_entropy.masked(
                [outputs[t] for t in self._classification], codes, w
            )
            losses.append(loss)
            counts.append(count)
        w = None if weights is None else weights.index_select(1, reg_index)
        loss, count = self.regression(
            [outputs[t] for t in self._regression],
            values.index_select(1, reg_index),
            w,
        )
        losses.append(loss)
        counts.append(count)
        return torch.cat(losses)[order], torch.cat(counts)[order]

    def forward(self, outputs, targets):
        task_losses, _ = self.task_losses(outputs, targets)
        return self.weighting.combine(task_losses)
