"""Measure which tasks help each other while a network trains.

:class:`TaskAffinity` is a skorch callback that, every ``every`` training
steps, takes the step's batch (at most ``max_rows`` of its rows) and
computes two ``(n_tasks, n_tasks)`` matrices on the *shared* parameters
(``module_.shared_parameters()``):

- the inter-task affinity of Fifty et al., "Efficiently Identifying Task
  Groupings for Multi-Task Learning" (TAG, NeurIPS 2021):
  ``Z[i, j] = 1 - L_j(theta_s - lr * grad_s L_i) / L_j(theta_s)``, the relative
  change of task ``j``'s loss after an SGD lookahead step of the shared
  parameters along task ``i``'s gradient (positive: ``i`` helps ``j``);
- the cosine similarity of the per-task gradients on the shared parameters.

The lookahead runs through :func:`torch.func.functional_call` with the
stepped shared parameters, so the module, its optimizer and its batch-norm
statistics are never touched; the measurement runs in eval mode (no dropout
noise, batch-norm on its running statistics) so that the losses before and
after the lookahead differ only by the step.

Per epoch the mean matrices of the epoch's measurements are recorded in
``history`` (``task_affinity``, ``gradient_cosine``); the estimators read
them back as ``task_affinity_`` and ``gradient_cosine_`` (means over the
epochs), with :func:`fitted_affinity`.
"""

import numbers

import numpy as np
import torch
from skorch.callbacks import Callback
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from torch.func import functional_call, vmap

__all__ = ["TaskAffinity", "fitted_affinity", "normalized_affinity"]

# history keys and the fitted attributes read from them.
AFFINITY_KEYS = {
    "task_affinity": "task_affinity_",
    "gradient_cosine": "gradient_cosine_",
}


def _check_int(value, name, low):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < low
    ):
        raise ValueError(
            f"TaskAffinity: {name} must be an int >= {low}; got {value!r}."
        )


class TaskAffinity(Callback):
    """Record TAG inter-task affinity and gradient cosines during training.

    Every ``every`` training steps, before the optimizer's step, the batch's
    per-task gradients on the shared parameters are computed; then

    - ``Z[i, j] = 1 - L_j(after) / L_j(before)``, where "after" is the loss
      of task ``j`` once the shared parameters took one SGD step of size
      ``lookahead_lr`` along task ``i``'s gradient (Fifty et al., TAG,
      NeurIPS 2021). The diagonal is each task's effect on itself;
    - ``C[i, j]``, the cosine similarity of tasks ``i`` and ``j``'s gradients.

    The epoch's mean matrices are written to ``history`` as
    ``task_affinity`` and ``gradient_cosine`` (nested lists; ``nan`` for a
    pair never measured, e.g. a task without a labelled cell in the measured
    batches). Fitted sklmtl estimators expose their means over the epochs as
    ``task_affinity_`` and ``gradient_cosine_``.

    The per-task losses are the plain ones (the task weighting is not
    applied), the task losses of the estimator's criterion. The ratio needs
    a positive loss before the step: where it is not (the Gaussian NLL of a
    regression task can be negative), the entry is ``nan``. The module is
    never modified: the lookahead evaluates the stepped shared parameters
    with :func:`torch.func.functional_call`, in eval mode. The cost of a
    measurement is about one forward pass, ``n_tasks`` backward passes and
    ``n_tasks`` forward passes on ``max_rows`` rows; ``every`` bounds how
    often it is paid.

    Parameters
    ----------
    every : int, default=50
        Measure on every ``every``-th training batch (the first one included).
        With the default network on the CPU one measurement costs about
        4 training steps with 4 tasks and 12 with 12 tasks
        (``benchmarks/affinity_overhead.py``): ``every=50`` keeps the fit
        within about 1.1x (4 tasks) and 1.2x (12 tasks) of its time. Epochs
        without a measurement (fewer than ``every`` batches) record nothing.
    max_rows : int, default=256
        Measure on at most this many rows of the batch (its first ones; the
        batches are shuffled).
    lookahead_lr : float or None, default=None
        Step size of the lookahead; None uses the optimizer's current
        learning rate. The affinities scale with it; the grouping of
        :class:`~sklmtl.grouping.TaskGroupingClassifier` normalises them.

    Raises
    ------
    ValueError
        At the start of training, when the module has no
        ``shared_parameters()`` or they are empty (nothing is shared, so
        there is no affinity to measure).

    See Also
    --------
    sklmtl.grouping.TaskGroupingClassifier : groups tasks by this affinity.
    sklmtl.display.TaskAffinityDisplay : plots the matrices.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.callbacks import TaskAffinity
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(64, 4))
    >>> Y = np.column_stack([X[:, 0] > 0, X[:, 0] > 0.1, X[:, 1] > 0])
    >>> clf = MultiTaskNetClassifier(
    ...     hidden_layer_sizes=(16,), max_epochs=2, random_state=0,
    ...     callbacks=[TaskAffinity(every=1)]).fit(X, Y)
    >>> clf.task_affinity_.shape, clf.gradient_cosine_.shape
    ((3, 3), (3, 3))
    >>> len(clf.history_[:, "task_affinity"])
    2
    """

    def __init__(self, every=50, max_rows=256, lookahead_lr=None):
        self.every = every
        self.max_rows = max_rows
        self.lookahead_lr = lookahead_lr

    def initialize(self):
        _check_int(self.every, "every", 1)
        _check_int(self.max_rows, "max_rows", 1)
        lr = self.lookahead_lr
        if lr is not None and (
            isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0
        ):
            raise ValueError(
                f"TaskAffinity: lookahead_lr must be a float > 0 or None; got {lr!r}."
            )
        self._step = 0
        self._sums = None
        self._vectorize = True
        return self

    def on_train_begin(self, net, **kwargs):
        module = net.module_
        shared = getattr(module, "shared_parameters", None)
        shared = list(shared()) if callable(shared) else []
        if not shared:
            raise ValueError(
                f"TaskAffinity needs a module with shared parameters; "
                f"{type(module).__name__} has no shared_parameters() or it returned "
                "none, so no task's step can change another task's loss through "
                "them. Use an architecture that shares parameters (e.g. 'hps' or "
                "'mmoe')."
            )
        names = {id(p): name for name, p in module.named_parameters()}
        self._shared_names = [names[id(p)] for p in shared]

    def on_epoch_begin(self, net, **kwargs):
        self._sums = None

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if not training:
            return
        self._step += 1
        if (self._step - 1) % self.every:
            return
        affinity, cosine = self._measure(net, batch)
        values = torch.stack([affinity, cosine])
        seen = ~torch.isnan(values)
        stats = torch.stack([torch.where(seen, values, 0.0), seen.to(values.dtype)])
        self._sums = stats if self._sums is None else self._sums + stats

    def on_epoch_end(self, net, **kwargs):
        if self._sums is None:
            return
        total, count = self._sums.double()
        mean = torch.where(count > 0, total / count.clamp(min=1), float("nan"))
        net.history.record("task_affinity", mean[0].tolist())
        net.history.record("gradient_cosine", mean[1].tolist())

    def _measure(self, net, batch):
        """Affinity and gradient cosine matrices of one batch."""
        module = net.module_
        X, y = unpack_data(batch)
        X, y = to_tensor(X, net.device), to_tensor(y, net.device)
        X, y = X[: self.max_rows], y[: self.max_rows]
        lr = self.lookahead_lr
        if lr is None:
            lr = net.optimizer_.param_groups[0]["lr"]
        params = dict(module.named_parameters())
        shared = [params[name].detach() for name in self._shared_names]
        was_training = module.training
        module.eval()
        try:
            with torch.enable_grad():
                leaves = [p.clone().requires_grad_(True) for p in shared]
                losses, counts = self._losses(net, leaves, X, y)
                grads = self._task_gradients(losses, counts, leaves)
            with torch.no_grad():
                affinity = self._lookahead(net, shared, grads, losses, lr, X, y)
        finally:
            module.train(was_training)
        flat = torch.stack([torch.cat([g.flatten() for g in row]) for row in grads])
        flat = flat.double()
        norms = flat.norm(dim=1)
        cosine = (flat @ flat.T) / torch.outer(norms, norms)
        labelled = counts > 0
        cosine[~labelled] = float("nan")
        cosine[:, ~labelled] = float("nan")
        return affinity, cosine.to(affinity.dtype)

    def _losses(self, net, shared_values, X, y):
        """Per-task losses with the shared parameters set to ``shared_values``."""
        override = dict(zip(self._shared_names, shared_values))
        outputs = functional_call(net.module_, override, (X,))
        return net.criterion_.task_losses(outputs, y)

    @staticmethod
    def _task_gradients(losses, counts, leaves):
        """Each task's gradient on the shared parameters (zeros when unlabelled)."""
        grads = []
        for t in range(len(losses)):
            if counts[t] > 0:
                row = torch.autograd.grad(
                    losses[t], leaves, retain_graph=True, allow_unused=True
                )
                row = [
                    torch.zeros_like(p) if g is None else g for p, g in zip(leaves, row)
                ]
            else:
                row = [torch.zeros_like(p) for p in leaves]
            grads.append(row)
        return grads

    def _lookahead(self, net, shared, grads, losses, lr, X, y):
        """``Z[i, j] = 1 - L_j(after a step along task i) / L_j(before)``."""
        before = losses.detach().double()
        n_tasks = len(before)
        stepped_rows = [i for i, row in enumerate(grads) if any(g.any() for g in row)]
        after = torch.full((n_tasks, n_tasks), float("nan"), dtype=torch.float64)
        if stepped_rows:
            stacked = [
                p - lr * torch.stack([grads[i][k] for i in stepped_rows])
                for k, p in enumerate(shared)
            ]
            after[stepped_rows] = self._stepped_losses(net, stacked, X, y).double()
        valid = before > 0
        ratio = 1.0 - after / torch.where(valid, before, 1.0)
        return torch.where(valid, ratio, float("nan")).to(torch.float32)

    def _stepped_losses(self, net, stacked, X, y):
        """Task losses for each stepped copy of the shared parameters."""
        if self._vectorize:
            try:
                # All lookaheads in one batched forward: 3x faster than a
                # loop over tasks for an MLP on the CPU.
                return vmap(lambda values: self._losses(net, values, X, y)[0])(stacked)
            except (RuntimeError, NotImplementedError):
                # An operation without a batching rule (a user's trunk): loop.
                self._vectorize = False
        rows = [
            self._losses(net, [values[i] for values in stacked], X, y)[0]
            for i in range(len(stacked[0]))
        ]
        return torch.stack(rows)


def fitted_affinity(history):
    """``task_affinity_`` and ``gradient_cosine_`` from a net's ``history``.

    Each is the mean over the epochs that recorded it (pairs never measured
    in an epoch left out of that epoch); None when no epoch recorded it.

    Parameters
    ----------
    history : skorch History or list of dict
        The epochs, as :class:`TaskAffinity` recorded them.

    Returns
    -------
    attributes : dict
        ``{"task_affinity_": ndarray or None, "gradient_cosine_": ndarray or
        None}``, arrays of shape ``(n_tasks, n_tasks)``.

    Examples
    --------
    >>> from sklmtl._task_affinity import fitted_affinity
    >>> rows = [{"task_affinity": [[1.0, 0.0], [0.5, 1.0]]},
    ...         {"task_affinity": [[1.0, 0.5], [float("nan"), 1.0]]}]
    >>> fitted_affinity(rows)["task_affinity_"].tolist()
    [[1.0, 0.25], [0.5, 1.0]]
    """
    attributes = {}
    for key, attribute in AFFINITY_KEYS.items():
        epochs = [np.asarray(row[key], dtype=float) for row in history if key in row]
        if not epochs:
            attributes[attribute] = None
            continue
        stacked = np.stack(epochs)
        seen = ~np.isnan(stacked)
        count = seen.sum(axis=0)
        total = np.where(seen, stacked, 0.0).sum(axis=0)
        attributes[attribute] = np.where(
            count > 0, total / np.maximum(count, 1), np.nan
        )
    return attributes


def normalized_affinity(affinity):
    """TAG affinity made scale-free: ``Z[i, j] / sqrt(Z[i, i] Z[j, j])``, symmetric.

    The lookahead affinity grows with the lookahead step; dividing by the
    tasks' self-affinities (the diagonal, positive for a small step) removes
    the scale, so that a ``threshold`` means the same at any learning rate.
    To first order it is the gradient cosine weighted by the loss ratio.

    Parameters
    ----------
    affinity : ndarray of shape (n_tasks, n_tasks)
        ``task_affinity_`` of a probe fit.

    Returns
    -------
    normalized : ndarray of shape (n_tasks, n_tasks)
        Symmetric, with ones on the diagonal; pairs that were not measured
        (or tasks whose self-affinity was not positive) are 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.callbacks import normalized_affinity
    >>> normalized_affinity(np.array([[0.04, 0.01], [0.03, 0.01]])).round(2).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    affinity = np.asarray(affinity, dtype=float)
    diagonal = np.diag(affinity).copy()
    usable = np.isfinite(diagonal) & (diagonal > 0)
    scale = np.sqrt(np.where(usable, diagonal, 1.0))
    normalized = affinity / np.outer(scale, scale)
    normalized = np.where(np.outer(usable, usable), normalized, np.nan)
    normalized = np.nan_to_num((normalized + normalized.T) / 2.0, nan=0.0)
    np.fill_diagonal(normalized, 1.0)
    return normalized
