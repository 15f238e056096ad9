"""GradNorm (Chen, Badrinarayanan, Lee & Rabinovich, 2018)."""

import numbers

import torch
from torch import nn

from .._validation import Interval
from ._base import LossWeighting

__all__ = ["GradNorm"]


class GradNorm(LossWeighting):
    """Learn task weights that balance gradient norms at the last shared layer.

    Chen, Badrinarayanan, Lee & Rabinovich, "GradNorm: Gradient Normalization
    for Adaptive Loss Balancing in Deep Multitask Networks", ICML 2018. With
    ``G_t = ||d(w_t L_t)/dW||`` on the last shared weight matrix ``W`` and the
    relative inverse training rate ``r_t = (L_t / L_t(0)) / mean(L / L(0))``,
    the weights minimise ``sum_t |G_t - mean(G) * r_t ** alpha|`` (the target
    held constant) while the network minimises ``sum_t w_t L_t``. The weights
    are renormalised to sum to the number of tasks before each step. Tasks
    absent from a batch are left out of the balancing for that batch.

    Parameters
    ----------
    alpha : float, default=1.5
        Restoring force: larger values pull lagging tasks harder.

    Examples
    --------
    >>> from sklmtl.weighting import GradNorm
    >>> GradNorm(alpha=1.0).setup(["a", "b"]).compute_weights(None)
    tensor([1., 1.])
    """

    _parameter_constraints = {"alpha": [Interval(numbers.Real, 0, None)]}

    def __init__(self, alpha=1.5):
        super().__init__()
        self.alpha = alpha

    def setup(self, task_names):
        super().setup(task_names)
        self.raw_weights = nn.Parameter(torch.ones(self.n_tasks))
        self.register_buffer(
            "initial_losses", torch.full((self.n_tasks,), float("nan"))
        )
        return self

    def compute_weights(self, task_losses):
        return self.raw_weights.detach()

    @staticmethod
    def _last_shared_weight(net):
        candidates = [p for p in net.module_.shared_parameters() if p.ndim >= 2]
        if not candidates:
            raise ValueError(
                "GradNorm needs a shared weight matrix; the trunk has none "
                "(e.g. hidden_layer_sizes=()). Use another task_weighting."
            )
        return candidates[-1]

    def backward(self, task_losses, task_counts, net, features):
        with torch.no_grad():
            self.raw_weights.clamp_(min=1e-6)
            self.raw_weights.mul_(self.n_tasks / self.raw_weights.sum())
        present = task_counts > 0
        with torch.no_grad():
            unset = present & torch.isnan(self.initial_losses)
            self.initial_losses[unset] = task_losses.detach()[unset]
        shared = self._last_shared_weight(net)
        norms = []
        for t in torch.nonzero(present).flatten().tolist():
            (grad,) = torch.autograd.grad(
                task_losses[t], shared, retain_graph=True, create_graph=True
            )
            norms.append(self.raw_weights[t] * grad.norm())
        if len(norms) > 1:
            norms = torch.stack(norms)
            ratio = task_losses.detach()[present] / self.initial_losses[present]
            target = (norms.mean() * (ratio / ratio.mean()) ** self.alpha).detach()
            balance = (norms - target).abs().sum()
            (self.raw_weights.grad,) = torch.autograd.grad(
                balance, self.raw_weights, retain_graph=True
            )
        loss = (self.raw_weights.detach() * task_losses).sum()
        loss.backward()
        return loss
