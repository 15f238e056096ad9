"""Base classes of the two weighting families.

A strategy is a small ``nn.Module`` whose constructor arguments are its
hyperparameters. ``get_params``/``set_params`` expose them the scikit-learn
way, so ``clone`` works and ``GridSearchCV`` can search
``task_weighting__<param>``. The estimator clones the strategy it is given and
calls :meth:`setup` at fit time, so learned state never leaks between fits.
"""

import torch
from torch import nn

from .._params import ParamsMixin, fresh_copy
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

    def __init__(self):
        # A strategy without hyperparameters takes no arguments (not the
        # ``*args, **kwargs`` of ``nn.Module``): its signature is its API.
        super().__init__()

    def extra_repr(self):
        return self._params_repr()

    def setup(self, task_names):
        """Check the hyperparameters and prepare the state for ``task_names``.

        Called once per fit, before training.

        Parameters
        ----------
        task_names : list of str
            The tasks, in the order of the network's heads.

        Returns
        -------
        self : TaskWeighting
            The strategy, ready to train.
        """
        validate_params(
            self.get_params(), self._parameter_constraints, type(self).__name__
        )
        self.task_names = list(task_names)
        return self

    def for_tasks(self, task_names, tasks):
        """A fresh, unfitted copy for a network trained on some of the tasks.

        A strategy whose hyperparameters hold one value per task (or name
        tasks) maps them to the subset; the others are copied as they are.
        :class:`~sklmtl.grouping.TaskGroupingClassifier` calls it for every
        group of tasks.

        Parameters
        ----------
        task_names : list of str
            All the tasks this strategy was configured for.
        tasks : list of int
            The subset (indices into ``task_names``), in the order of the
            smaller network's heads.

        Returns
        -------
        strategy : TaskWeighting
            A new strategy for ``len(tasks)`` tasks.

        Examples
        --------
        >>> from sklmtl.weighting import DynamicWeightAverage
        >>> DynamicWeightAverage(temperature=3.0).for_tasks(["a", "b", "c"], [2])
        DynamicWeightAverage(temperature=3.0)
        """
        return fresh_copy(self)

    @property
    def n_tasks(self):
        """Number of tasks given to :meth:`setup`."""
        return len(self.task_names)

    def current_weights(self):
        """The weights in use now, one per task, for ``history`` (or None).

        Returns
        -------
        weights : Tensor of shape (n_tasks,) or None
            None when the strategy has no per-task weights to report.
        """
        return None

    def end_epoch(self, epoch_task_losses):
        """Receive the epoch's mean training loss per task.

        Parameters
        ----------
        epoch_task_losses : Tensor of shape (n_tasks,)
            Mean training loss of each task over the epoch.
        """

    def combine(self, task_losses):
        """Scalar loss reported for monitoring (and minimised by loss weightings).

        Parameters
        ----------
        task_losses : Tensor of shape (n_tasks,)
            Each task's loss on the batch.

        Returns
        -------
        loss : Tensor of shape ()
            The combined loss.
        """
        raise NotImplementedError

    def backward(self, task_losses, task_counts, net, features):
        """Compute gradients of every learnable parameter; return the loss.

        Parameters
        ----------
        task_losses : Tensor of shape (n_tasks,)
            Each task's loss on the batch.
        task_counts : Tensor of shape (n_tasks,)
            Labelled cells of each task in the batch (0: the task is absent).
        net : MultiTaskNet
            The skorch net being trained (its module and optimizer).
        features : Tensor
            The shared representation (the output of the module's
            ``encode``) that gradient aggregators differentiate through.

        Returns
        -------
        loss : Tensor of shape ()
            The combined loss, for ``history``.
        """
        raise NotImplementedError


class LossWeighting(TaskWeighting):
    """Combine per-task losses into one scalar ``sum_t w_t * L_t``.

    Subclasses implement :meth:`compute_weights`; a learnable strategy may also add a
    regulariser by overriding :meth:`combine`.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.weighting import EqualWeighting
    >>> EqualWeighting().setup(["a", "b"]).combine(torch.tensor([1.0, 2.0]))
    tensor(3.)
    """

    def compute_weights(self, task_losses):
        """Weights of shape ``(n_tasks,)`` for the current batch.

        Parameters
        ----------
        task_losses : Tensor of shape (n_tasks,) or None
            Each task's loss on the batch; None when the weights are only
            read for ``history`` (:meth:`current_weights`).

        Returns
        -------
        weights : Tensor of shape (n_tasks,)
            One non-negative weight per task.
        """
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
