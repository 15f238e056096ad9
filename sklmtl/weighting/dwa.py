"""Dynamic Weight Average (Liu, Johns & Davison, 2019)."""

import numbers

import torch

from .._validation import Interval
from ._base import LossWeighting

__all__ = ["DynamicWeightAverage"]


class DynamicWeightAverage(LossWeighting):
    """Weight tasks by how slowly their loss falls from epoch to epoch.

    Liu, Johns & Davison, "End-to-End Multi-Task Learning with Attention",
    CVPR 2019. With ``r_t = L_t(e-1) / L_t(e-2)`` the mean training losses of
    the two previous epochs, ``w_t(e) = T * softmax(r / temperature)_t``; the
    first two epochs use weight 1 for every task.

    Parameters
    ----------
    temperature : float, default=2.0
        Softness of the weights; large values approach equal weighting.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.weighting import DynamicWeightAverage
    >>> strategy = DynamicWeightAverage().setup(["a", "b"])
    >>> strategy.end_epoch(torch.tensor([1.0, 1.0]))
    >>> strategy.end_epoch(torch.tensor([0.5, 1.0]))  # task "a" learns faster
    >>> strategy.compute_weights(None)
    tensor([0.8756, 1.1244])
    """

    uses_epoch_losses = True
    _parameter_constraints = {
        "temperature": [Interval(numbers.Real, 0, None, closed="neither")]
    }

    def __init__(self, temperature=2.0):
        super().__init__()
        self.temperature = temperature

    def setup(self, task_names):
        super().setup(task_names)
        self.register_buffer("history", torch.full((2, self.n_tasks), float("nan")))
        self.register_buffer("current", torch.ones(self.n_tasks))
        return self

    def end_epoch(self, epoch_task_losses):
        losses = epoch_task_losses.to(self.history)
        # A task unseen this epoch keeps its previous loss.
        losses = torch.where(torch.isnan(losses), self.history[1], losses)
        self.history = torch.stack([self.history[1], losses])
        if not torch.isnan(self.history).any():
            ratio = self.history[1] / self.history[0].clamp(min=1e-12)
            self.current = self.n_tasks * torch.softmax(ratio / self.temperature, dim=0)

    def compute_weights(self, task_losses):
        return self.current
