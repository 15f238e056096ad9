"""Base classes of the two weighting families.

A strategy is a small ``nn.Module`` whose constructor arguments are its
hyperparameters. ``get_params``/``set_params`` expose them the scikit-learn
way, so ``clone`` works and ``GridSearchCV`` can search
``task_weighting__<param>``. The estimator clones the strategy it is given and
calls :meth:`setup` at fit time, so learned state never leaks between fits.
"""

import inspect

import torch
from torch import nn

__all__ = ["LossWeighting", "TaskWeighting"]


class TaskWeighting(nn.Module):
    """Common base: scikit-learn style parameters and the training hooks.

    Examples
    --------
    >>> from sklmtl.weighting import EqualWeighting
    >>> EqualWeighting().get_params()
    {}
    """

    #: Whether the strategy reads the per-epoch loss history (``on_epoch_end``).
    uses_epoch_losses = False

    @classmethod
    def _get_param_names(cls):
        signature = inspect.signature(cls.__init__)
        return sorted(
            name
            for name, p in signature.parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep=True):
        """Hyperparameters as a dict, as ``BaseEstimator.get_params`` returns."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set hyperparameters; unknown names raise ``ValueError``."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters are {valid}."
                )
            setattr(self, name, value)
        return self

    def extra_repr(self):
        return ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())

    def setup(self, task_names):
        """Prepare the state for ``len(task_names)`` tasks (called once per fit)."""
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

    def backward(self, task_losses, task_counts, net):
        """Compute gradients of every learnable parameter; return the loss."""
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

    def weights(self, task_losses):
        """Weights of shape ``(n_tasks,)`` for the current batch."""
        raise NotImplementedError

    def combine(self, task_losses):
        return (self.weights(task_losses) * task_losses).sum()

    def backward(self, task_losses, task_counts, net):
        loss = self.combine(task_losses)
        loss.backward()
        return loss

    def current_weights(self):
        with torch.no_grad():
            return self.weights(None)
