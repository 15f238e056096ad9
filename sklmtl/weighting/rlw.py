"""Random loss weighting (Lin et al., 2022)."""

import torch

from ._base import LossWeighting

__all__ = ["RandomLossWeighting"]


class RandomLossWeighting(LossWeighting):
    """Draw fresh weights ``softmax(z)``, ``z ~ N(0, I)``, at every step.

    Lin, Ye, Xu, Shi & Zhang, "Reasonable Effectiveness of Random Weighting:
    A Litmus Test for Multi-Task Learning", TMLR 2022. The draws come from the
    torch RNG that the estimator seeds with ``random_state``.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.weighting import RandomLossWeighting
    >>> _ = torch.manual_seed(0)
    >>> weights = RandomLossWeighting().setup(["a", "b", "c"]).compute_weights(None)
    >>> round(float(weights.sum()), 6)
    1.0
    """

    def setup(self, task_names):
        super().setup(task_names)
        self.register_buffer("last", torch.full((self.n_tasks,), 1.0 / self.n_tasks))
        return self

    def compute_weights(self, task_losses):
        if task_losses is None:
            return self.last
        self.last = torch.softmax(torch.randn(self.n_tasks), dim=0).to(task_losses)
        return self.last
