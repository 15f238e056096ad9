"""Equal weighting: the plain sum of the task losses."""

import torch

from ._base import LossWeighting

__all__ = ["EqualWeighting"]


class EqualWeighting(LossWeighting):
    """Sum the task losses with weight 1 each (the usual multi-task baseline).

    Examples
    --------
    >>> import torch
    >>> from sklmtl.weighting import EqualWeighting
    >>> EqualWeighting().setup(["a", "b"]).compute_weights(torch.tensor([3.0, 1.0]))
    tensor([1., 1.])
    """

    constant_weights = True

    def compute_weights(self, task_losses):
        return torch.ones(self.n_tasks)

    def combine(self, task_losses):
        return task_losses.sum()
