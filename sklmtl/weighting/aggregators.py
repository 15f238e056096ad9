"""Gradient aggregators from torchjd (Jacobian descent).

Each task's loss is differentiated separately with respect to the shared
parameters (one Jacobian row per task), an aggregator combines the rows into
one update, and each head keeps its own task's gradient
(``torchjd.autojac.mtl_backward`` then ``jac_to_grad``). Needs the optional
extra: ``pip install "sklmtl[aggregators]"``. Tasks absent from a batch (no
labelled cell) are left out of that batch's Jacobian.
"""

import importlib
import numbers
import warnings

import torch

from .._validation import Interval, Options
from ._base import TaskWeighting

__all__ = [
    "CAGrad",
    "GradientAggregator",
    "IMTLG",
    "MGDA",
    "AlignedMTL",
    "NashMTL",
    "PCGrad",
    "UPGrad",
]


def _torchjd():
    try:
        aggregation = importlib.import_module("torchjd.aggregation")
        autojac = importlib.import_module("torchjd.autojac")
    except ImportError:
        raise ImportError(
            "Gradient aggregators need torchjd: install the extra with "
            '`pip install "sklmtl[aggregators]"`.'
        ) from None
    return aggregation, autojac


class GradientAggregator(TaskWeighting):
    """Base of the torchjd aggregators: per-task gradients, one combined step.

    Subclasses build the torchjd aggregator in :meth:`make_aggregator`.

    Examples
    --------
    >>> from sklmtl.weighting import UPGrad
    >>> UPGrad().setup(["a", "b"]).combine(torch.tensor([1.0, 2.0]))
    tensor(3.)
    """

    def setup(self, task_names):
        super().setup(task_names)
        _torchjd()  # fail at fit time, not mid-epoch, when the extra is missing
        self._aggregators = {}
        self.register_buffer("last_weights", torch.full((self.n_tasks,), float("nan")))
        return self

    def make_aggregator(self, n_tasks):
        """Return the torchjd aggregator for a Jacobian with ``n_tasks`` rows.

        Parameters
        ----------
        n_tasks : int
            Tasks present in the batch (rows of the Jacobian).

        Returns
        -------
        aggregator : torchjd.aggregation.Aggregator
            A fresh aggregator.
        """
        raise NotImplementedError

    def combine(self, task_losses):
        return task_losses.sum()

    def current_weights(self):
        return None if torch.isnan(self.last_weights).all() else self.last_weights

    def backward(self, task_losses, task_counts, net, features):
        _, autojac = _torchjd()
        present = torch.nonzero(task_counts > 0).flatten().tolist()
        if n := len(present):
            aggregator = self._aggregators.get(n)
            if aggregator is None:
                aggregator = self._aggregators[n] = self.make_aggregator(n)
            # The task losses share one stacked graph node: keep it for every task.
            losses = [task_losses[t] for t in present]
            autojac.mtl_backward(losses, features=features, retain_graph=True)
            shared = [p for p in net.module_.shared_parameters() if p.requires_grad]
            weights = autojac.jac_to_grad(shared, aggregator)
            if weights is not None:
                self.last_weights = torch.zeros_like(self.last_weights)
                self.last_weights[present] = weights.detach().to(self.last_weights)
        return self.combine(task_losses.detach())


class UPGrad(GradientAggregator):
    """Unconflicting projection of gradients (Quinton & Rey, 2024).

    "Jacobian Descent for Multi-Objective Optimization", arXiv:2406.16232.

    Examples
    --------
    >>> from sklmtl.weighting import UPGrad
    >>> UPGrad()
    UPGrad()
    """

    def make_aggregator(self, n_tasks):
        return _torchjd()[0].UPGrad()


class PCGrad(GradientAggregator):
    """Projecting conflicting gradients (Yu et al., NeurIPS 2020).

    "Gradient Surgery for Multi-Task Learning".

    Examples
    --------
    >>> from sklmtl.weighting import PCGrad
    >>> PCGrad()
    PCGrad()
    """

    def make_aggregator(self, n_tasks):
        return _torchjd()[0].PCGrad()


class MGDA(GradientAggregator):
    """Multiple-gradient descent: the min-norm point of the gradients' hull.

    Désidéri, 2012; as multi-task learning: Sener & Koltun, "Multi-Task
    Learning as Multi-Objective Optimization", NeurIPS 2018.

    Parameters
    ----------
    epsilon : float, default=0.001
        Stopping tolerance of the Frank-Wolfe solver.
    max_iters : int, default=100
        Maximum solver iterations.

    Examples
    --------
    >>> from sklmtl.weighting import MGDA
    >>> MGDA(max_iters=50)
    MGDA(epsilon=0.001, max_iters=50)
    """

    _parameter_constraints = {
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iters": [Interval(numbers.Integral, 1, None)],
    }

    def __init__(self, epsilon=0.001, max_iters=100):
        super().__init__()
        self.epsilon = epsilon
        self.max_iters = max_iters

    def make_aggregator(self, n_tasks):
        return _torchjd()[0].MGDA(epsilon=self.epsilon, max_iters=self.max_iters)


class CAGrad(GradientAggregator):
    """Conflict-averse gradient descent (Liu et al., NeurIPS 2021).

    "Conflict-Averse Gradient Descent for Multi-task Learning".

    Parameters
    ----------
    c : float, default=0.5
        Radius of the ball around the mean gradient that the update may leave.

    Examples
    --------
    >>> from sklmtl.weighting import CAGrad
    >>> CAGrad(c=0.4)
    CAGrad(c=0.4)
    """

    _parameter_constraints = {"c": [Interval(numbers.Real, 0, None)]}

    def __init__(self, c=0.5):
        super().__init__()
        self.c = c

    def make_aggregator(self, n_tasks):
        return _torchjd()[0].CAGrad(c=self.c)


class IMTLG(GradientAggregator):
    """Impartial multi-task learning, gradient part (Liu et al., ICLR 2021).

    "Towards Impartial Multi-task Learning".

    Examples
    --------
    >>> from sklmtl.weighting import IMTLG
    >>> IMTLG()
    IMTLG()
    """

    def make_aggregator(self, n_tasks):
        return _torchjd()[0].IMTLG()


class AlignedMTL(GradientAggregator):
    """Aligned-MTL: align the principal components of the gradients.

    Senushkin et al., "Independent Component Alignment for Multi-Task
    Learning", CVPR 2023.

    Parameters
    ----------
    scale_mode : {"min", "median", "rmse"}, default="min"
        Eigenvalue used to scale the balanced gradients.

    Examples
    --------
    >>> from sklmtl.weighting import AlignedMTL
    >>> AlignedMTL()
    AlignedMTL(scale_mode='min')
    """

    _parameter_constraints = {"scale_mode": [Options({"min", "median", "rmse"})]}

    def __init__(self, scale_mode="min"):
        super().__init__()
        self.scale_mode = scale_mode

    def make_aggregator(self, n_tasks):
        return _torchjd()[0].AlignedMTL(scale_mode=self.scale_mode)


class NashMTL(GradientAggregator):
    """Nash bargaining over task gradients (Navon et al., ICML 2022).

    "Multi-Task Learning as a Bargaining Game". Solved with cvxpy (installed by
    the ``aggregators`` extra). One solver state is kept per number of tasks
    present in a batch.

    Parameters
    ----------
    max_norm : float, default=1.0
        Clip of the update's norm.
    update_weights_every : int, default=1
        Solve for new weights every this many steps.
    optim_niter : int, default=20
        Iterations of the concave-convex procedure.

    Examples
    --------
    >>> from sklmtl.weighting import NashMTL
    >>> NashMTL(update_weights_every=2)
    NashMTL(max_norm=1.0, optim_niter=20, update_weights_every=2)
    """

    _parameter_constraints = {
        "max_norm": [Interval(numbers.Real, 0, None)],
        "update_weights_every": [Interval(numbers.Integral, 1, None)],
        "optim_niter": [Interval(numbers.Integral, 1, None)],
    }

    def __init__(self, max_norm=1.0, update_weights_every=1, optim_niter=20):
        super().__init__()
        self.max_norm = max_norm
        self.update_weights_every = update_weights_every
        self.optim_niter = optim_niter

    def backward(self, task_losses, task_counts, net, features):
        with warnings.catch_warnings():
            # cvxpy's note that the problem is re-canonicalised at every solve
            # (not "DPP"): a speed remark about torchjd's formulation, raised
            # on every fit, that users cannot act on.
            warnings.filterwarnings(
                "ignore", message="You are solving a parameterized problem"
            )
            return super().backward(task_losses, task_counts, net, features)

    def make_aggregator(self, n_tasks):
        return _torchjd()[0].NashMTL(
            n_tasks=n_tasks,
            max_norm=self.max_norm,
            update_weights_every=self.update_weights_every,
            optim_niter=self.optim_niter,
        )
