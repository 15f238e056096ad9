"""Homoscedastic uncertainty weighting (Kendall, Gal & Cipolla, 2018)."""

import numbers

import torch
from torch import nn

from .._validation import Interval
from ._base import LossWeighting

__all__ = ["UncertaintyWeighting"]


class UncertaintyWeighting(LossWeighting):
    """Learn one log-variance ``s_t`` per task: ``sum_t 0.5 exp(-s_t) L_t + 0.5 s_t``.

    Kendall, Gal & Cipolla, "Multi-Task Learning Using Uncertainty to Weigh
    Losses for Scene Geometry and Semantics", CVPR 2018. The log-variances are
    parameters of the criterion, so skorch's optimizer trains them with the
    network; a noisy task gets a large ``s_t`` and so a small weight.

    Parameters
    ----------
    init_log_var : float, default=0.0
        Initial value of every ``s_t`` (all weights start at 0.5).

    Examples
    --------
    >>> import torch
    >>> from sklmtl.weighting import UncertaintyWeighting
    >>> strategy = UncertaintyWeighting().setup(["a", "b"])
    >>> strategy.compute_weights(None)
    tensor([0.5000, 0.5000], grad_fn=<MulBackward0>)
    """

    _parameter_constraints = {"init_log_var": [Interval(numbers.Real, None, None)]}

    def __init__(self, init_log_var=0.0):
        super().__init__()
        self.init_log_var = init_log_var

    def setup(self, task_names):
        super().setup(task_names)
        self.log_vars = nn.Parameter(
            torch.full((self.n_tasks,), float(self.init_log_var))
        )
        return self

    def compute_weights(self, task_losses):
        return 0.5 * torch.exp(-self.log_vars)

    def combine(self, task_losses):
        return (
            self.compute_weights(task_losses) * task_losses + 0.5 * self.log_vars
        ).sum()
