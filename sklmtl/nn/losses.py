"""Per-task cross-entropy over the labelled cells of each task."""

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["MaskedMultiTaskCrossEntropy", "MultiTaskObjective"]


class MaskedMultiTaskCrossEntropy(nn.Module):
    """Cross-entropy of each task, averaged over that task's labelled cells.

    A cell whose code is ``-1`` is unknown and contributes nothing. Each task's
    loss is divided by the number (or the total class weight) of its labelled
    cells in the batch, not by the batch size, so that a sparsely labelled task
    is not starved; a task with no labelled cell in the batch has loss 0.

    Parameters
    ----------
    class_weights : list of (Tensor or None) or None, default=None
        Per-task class weights of shape ``(n_classes_t,)``.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MaskedMultiTaskCrossEntropy
    >>> loss = MaskedMultiTaskCrossEntropy()
    >>> logits = (torch.zeros(2, 2), torch.zeros(2, 4))
    >>> losses, counts = loss(logits, torch.tensor([[0, -1], [1, -1]]))
    >>> losses, counts
    (tensor([0.6931, 0.0000]), tensor([2., 0.]))
    """

    def __init__(self, class_weights=None):
        super().__init__()
        # Buffers move to the net's device with the criterion, once.
        self._weighted = []
        for t, weight in enumerate(class_weights or []):
            self._weighted.append(weight is not None)
            if weight is not None:
                self.register_buffer(f"class_weight_{t}", torch.as_tensor(weight))

    @property
    def class_weights(self):
        """Per-task class weight tensors (None for unweighted tasks), or None."""
        if not any(self._weighted):
            return None
        return [
            getattr(self, f"class_weight_{t}") if weighted else None
            for t, weighted in enumerate(self._weighted)
        ]

    def forward(self, logits, codes):
        """Return per-task losses and labelled counts, each of shape ``(n_tasks,)``."""
        losses, counts = [], []
        for t, task_logits in enumerate(logits):
            target = codes[:, t]
            labelled = target >= 0
            weighted = t < len(self._weighted) and self._weighted[t]
            weight = getattr(self, f"class_weight_{t}") if weighted else None
            total = F.cross_entropy(
                task_logits, target, weight=weight, ignore_index=-1, reduction="sum"
            )
            if weight is None:
                denom = labelled.sum().to(task_logits.dtype)
            else:
                denom = torch.where(labelled, weight[target.clamp(min=0)], 0).sum()
            losses.append(total / denom.clamp(min=torch.finfo(total.dtype).tiny))
            counts.append(labelled.sum())
        return torch.stack(losses), torch.stack(counts).to(losses[0].dtype)


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
        Per-task class weights, see :class:`MaskedMultiTaskCrossEntropy`.

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
    """

    def __init__(self, weighting, class_weights=None):
        super().__init__()
        self.weighting = weighting
        self.cross_entropy = MaskedMultiTaskCrossEntropy(class_weights)

    def task_losses(self, logits, codes):
        """Per-task losses and labelled counts, each of shape ``(n_tasks,)``."""
        return self.cross_entropy(logits, codes)

    def forward(self, logits, codes):
        task_losses, _ = self.task_losses(logits, codes)
        return self.weighting.combine(task_losses)
