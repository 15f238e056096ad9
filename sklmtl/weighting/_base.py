"""Base classes of the two weighting families.

A strategy is a small ``nn.Module`` whose constructor arguments are its
hyperparameters. ``get_params``/``set_params`` expose them the scikit-learn
way, so ``clone`` works and ``GridSearchCV`` can search
``task_weighting__<param>``. The estimator clones the strategy it is given and
calls :meth:`setup` at fit time, so learned state never leaks between fits.
"""

import torch
from torch import nn

from .._params import ParamsMixin
from .._validation import validate_params

__all__ = ["LossWeighting", "TaskWeighting"]


class TaskWeighting(ParamsMixin, nn.Module):
    """Common base: scikit-learn style parameters and the training hooks.

    Examples
    --------
    >>> from sklmtl.weighting import EqualWeighting
    >>> EqualWeighting().get_params()
    {}
    """

    #: Whether the strategy reads the per-epoch loss history (``end_epoch``).
    uses_epoch_losses = False
    #: Whether the weights never change during training (not worth printing).
    constant_weights = False
    #: Parameter name -> accepted constraints (see ``sklmtl._validation``).
    _parameter_constraints = {}

    def extra_repr(self):
        return self._params_repr()

    def setup(self, task_names):
        """Check the hyperparameters and prepare the state for ``task_names``.

        Called once per fit, before training.
        """
        validate_params(
            self.get_params(), self._parameter_constraints, type(self).__name__
        )
        self.task_names = list(task_names)
        return self

    @property
    def n_tasks(self):
        return len(self.task_names)

    def current_weights(self):
        """The weights in use now, one per task, for ``history`` (or None)."""
        return None

    def end_epoch(self, epoch_task_losses):
        """Receive the epoch's mean training loss per task (shape ``(n_tasks,)``)."""

    def combine(self, task_losses):
        """Scalar loss reported for monitoring (and minimised by loss weightings)."""
        raise NotImplementedError

    def backward(self, task_losses, task_counts, net, features):
        """Compute gradients of every learnable parameter; return the loss.

        ``features`` is the shared representation (the output of the module's
        ``encode``) that gradient aggregators differentiate through.
        """
        raise NotImplementedError


class LossWeighting(TaskWeighting):
    """Combine per-task losses into one scalar ``sum_t w_t * L_t``.

    Subclasses implement :meth:`weights`; a learnable strategy may also add a
    regulariser by overriding :meth:`combine`.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.weighting import EqualWeighting
    >>> EqualWeighting().setup(["a", "b"]).combine(torch.tensor([1.0, 2.0]))
    tensor(3.)
    """

    def compute_weights(self, task_losses):
        """Weights of shape ``(n_tasks,)`` for the current batch."""
        raise NotImplementedError

    def combine(self, task_losses):
        return (self.compute_weights(task_losses) * task_losses).sum()

    def backward(self, task_losses, task_counts, net, features):
        loss = self.combine(task_losses)
        loss.backward()
        return loss

    def current_weights(self):
        with torch.no_grad():
            return self.compute_weights(None)
