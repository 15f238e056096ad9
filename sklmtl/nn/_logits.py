"""The heads' output and how it is read: :class:`TaskLogits` (every task's
logits in one tensor), :func:`flat_logits`, :func:`task_probabilities` and
:func:`activate` (a task's raw output through its activation).

Public through :mod:`sklmtl.nn.heads` and :mod:`sklmtl.nn`.
"""

from collections.abc import Sequence

import torch

__all__ = [
    "BINARY_LOGIT_SCALE",
    "TaskLogits",
    "activate",
    "flat_logits",
    "task_probabilities",
]


#: On the binary-label path a task's single output ``u`` is read as the logit
#: ``z = 2 * u`` of its second class. ``z`` replaces the difference of two
#: softmax logits, which Adam (the default optimizer) moves by twice the
#: learning rate per step, since both logits move by it in opposite
#: directions; reading ``2 * u`` keeps that pace (Adam's step on ``u`` does
#: not depend on the scale of its gradient). With ``z = u`` the same
#: settings needed about twice the epochs.
BINARY_LOGIT_SCALE = 2.0


class TaskLogits(Sequence):
    """Every task's logits, concatenated, and read per task on demand.

    Parameters
    ----------
    flat : Tensor of shape (batch, sum of sizes)
        The logits of all tasks side by side, task 0 first.
    sizes : sequence of int
        The width of each task's logits.
    offsets : sequence of int or None, default=None
        Where each task starts in ``flat`` (and the total width last);
        computed from ``sizes`` when None.

    Attributes
    ----------
    flat : Tensor of shape (batch, sum of sizes)
        The concatenated logits.
    sizes : tuple of int
        Each task's width.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import TaskLogits
    >>> logits = TaskLogits(torch.arange(6.0).view(2, 3), (1, 2))
    >>> len(logits), logits[1].tolist()
    (2, [[1.0, 2.0], [4.0, 5.0]])
    """

    def __init__(self, flat, sizes, offsets=None):
        self.flat = flat
        self.sizes = tuple(sizes)
        if offsets is None:
            offsets = [0]
            for size in self.sizes:
                offsets.append(offsets[-1] + int(size))
        self._offsets = offsets

    def __len__(self):
        return len(self.sizes)

    def __getitem__(self, index):
        if type(index) is int and 0 <= index < len(self.sizes):
            # The per-step path (losses, scores): no range object per call.
            return self.flat[:, self._offsets[index] : self._offsets[index + 1]]
        if isinstance(index, slice):
            return tuple(self[t] for t in range(len(self))[index])
        t = range(len(self))[index]
        return self.flat[:, self._offsets[t] : self._offsets[t + 1]]

    def with_flat(self, flat):
        """The same layout around other logits (e.g. cast to another dtype).

        Parameters
        ----------
        flat : Tensor of shape (batch, sum of sizes)
            The new logits.

        Returns
        -------
        logits : TaskLogits
            Of the same class and layout.
        """
        return TaskLogits(flat, self.sizes, self._offsets)

    def __repr__(self):
        return f"TaskLogits(batch={len(self.flat)}, sizes={list(self.sizes)})"


def flat_logits(logits):
    """All tasks' logits side by side, shape ``(batch, sum of widths)``.

    Free for a :class:`TaskLogits` (its ``flat``) and for a tensor (taken
    as already flat); any other sequence of per-task tensors (a custom
    architecture's tuple) is concatenated.

    Parameters
    ----------
    logits : TaskLogits, Tensor or sequence of Tensor of shape (batch, \
n_logits_t)
        Every task's logits.

    Returns
    -------
    flat : Tensor of shape (batch, sum of n_logits_t)
        The concatenated logits.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn.heads import flat_logits
    >>> flat_logits((torch.zeros(3, 1), torch.ones(3, 2))).shape
    torch.Size([3, 3])
    """
    if torch.is_tensor(logits):
        return logits
    flat = getattr(logits, "flat", None)
    if flat is not None:
        return flat
    return torch.cat(list(logits), dim=1)


def task_probabilities(logits, binary=None):
    """Class probabilities of one classification task from its logits.

    A binary task trained with a sigmoid (the binary-label path) has one
    output ``u`` and the logit ``z = BINARY_LOGIT_SCALE * u``: its
    probabilities are ``[sigmoid(-z), sigmoid(z)]``, exactly the softmax of
    the logits ``(0, z)``. Other logits go through a softmax.

    Parameters
    ----------
    logits : Tensor of shape (batch, n_logits)
        One task's logits (for a binary task on that path, its output ``u``).
    binary : bool or None, default=None
        Whether ``logits`` is one sigmoid output; None means "when it has
        one column" (a one-class task, whose softmax is 1, needs False).

    Returns
    -------
    proba : Tensor of shape (batch, max(n_logits, 2))
        Probabilities, columns ordered as the task's classes.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import task_probabilities
    >>> task_probabilities(torch.tensor([[0.0]])).tolist()
    [[0.5, 0.5]]
    >>> task_probabilities(torch.tensor([[0.0, 0.0, 0.0]])).shape
    torch.Size([1, 3])
    """
    if binary is None:
        binary = logits.shape[1] == 1
    if binary:
        z = BINARY_LOGIT_SCALE * logits
        return torch.cat([torch.sigmoid(-z), torch.sigmoid(z)], dim=1)
    return torch.softmax(logits, dim=1)


_ACTIVATIONS = {
    "softmax": lambda raw: torch.softmax(raw, dim=1),
    "sigmoid": lambda raw: task_probabilities(raw, binary=True),
    "identity": lambda raw: raw,
}


def activate(raw, activation):
    """One task's raw network output through the activation its task names.

    The task objects (plain numpy, :mod:`sklmtl._tasks`) name their
    activation (``task.activation``); this is where the name meets torch.

    Parameters
    ----------
    raw : Tensor of shape (batch, output_width)
        The task's raw output.
    activation : {"softmax", "sigmoid", "identity"}
        ``"softmax"``: class probabilities from one logit per class.
        ``"sigmoid"``: the two class probabilities of one sigmoid output (see
        :func:`task_probabilities`). ``"identity"``: the output as it is.

    Returns
    -------
    output : Tensor

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn.heads import activate
    >>> activate(torch.tensor([[0.0]]), "sigmoid").tolist()
    [[0.5, 0.5]]
    """
    return _ACTIVATIONS[activation](raw)
