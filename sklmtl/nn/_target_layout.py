"""The tensor layouts the losses and the per-task scoring share.

The training target (:func:`pack_targets`, :func:`unpack_targets`,
:func:`split_targets`: codes or values, optionally followed by per-cell
sample weights) and every task's logits side by side, padded
(:func:`pad_task_logits`). Public through :mod:`sklmtl.nn.losses`.
"""

import torch

from ._logits import flat_logits

__all__ = ["pack_targets", "pad_task_logits", "split_targets", "unpack_targets"]

_SLOT_INDEX = {}


def _slot_index(sizes, device):
    """Column of each (task, class) slot in the concatenated logits, cached.

    Unused slots of tasks with fewer classes point one past the last column.
    """
    key = (tuple(sizes), str(device))
    if key not in _SLOT_INDEX:
        width, total = max(sizes), sum(sizes)
        index = torch.full((len(sizes), width), total, dtype=torch.long)
        offset = 0
        for t, size in enumerate(sizes):
            index[t, :size] = torch.arange(offset, offset + size)
            offset += size
        _SLOT_INDEX[key] = index.view(-1).to(device)
    return _SLOT_INDEX[key]


def pad_task_logits(logits):
    """Lay per-task logits side by side, padded with ``-inf``.

    One ``log_softmax``/``argmax`` over the last axis then serves every task,
    so the cost does not grow with one call per task; a padded slot never
    wins an ``argmax`` and has probability 0.

    Parameters
    ----------
    logits : sequence of Tensor of shape (batch, n_classes_t)
        One tensor per task.

    Returns
    -------
    padded : Tensor of shape (batch, n_tasks, max_classes)
        The logits, ``-inf`` where a task has fewer classes.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn.losses import pad_task_logits
    >>> pad_task_logits((torch.zeros(1, 2), torch.ones(1, 3))).tolist()
    [[[0.0, 0.0, -inf], [1.0, 1.0, 1.0]]]
    """
    sizes = getattr(logits, "sizes", None) or [t.shape[1] for t in logits]
    flat = flat_logits(logits)
    if len(set(sizes)) == 1:
        return flat.view(len(flat), len(sizes), sizes[0])
    pad = flat.new_full((flat.shape[0], 1), float("-inf"))
    flat = torch.cat([flat, pad], dim=1)
    return flat[:, _slot_index(sizes, flat.device)].view(len(flat), len(sizes), -1)


def pack_targets(codes, weights=None):
    """The training target tensor: codes, or codes and per-cell sample weights.

    Without weights the target is the ``int64`` code matrix. With weights it is
    one ``float64`` matrix ``[codes | weights]`` of shape ``(n, 2 * n_tasks)``
    (codes are exact in float64), so that one tensor follows shuffling,
    batching and the validation split.

    Parameters
    ----------
    codes : Tensor of shape (n_samples, n_tasks)
        Class codes, ``-1`` for missing cells.
    weights : Tensor of shape (n_samples, n_tasks) or None, default=None
        Per-cell sample weights.

    Returns
    -------
    targets : Tensor
        What :func:`unpack_targets` reads back.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn.losses import pack_targets, unpack_targets
    >>> y = pack_targets(torch.tensor([[1, -1]]), torch.tensor([[2.0, 1.0]]))
    >>> codes, weights = unpack_targets(y)
    >>> codes.tolist(), weights.tolist()
    ([[1, -1]], [[2.0, 1.0]])
    """
    if weights is None:
        return codes
    return torch.cat([codes.to(torch.float64), weights.to(torch.float64)], dim=1)


def unpack_targets(targets):
    """Split a training target into codes and per-cell weights (or None).

    Parameters
    ----------
    targets : Tensor
        From :func:`pack_targets`.

    Returns
    -------
    codes : Tensor of shape (n_samples, n_tasks), dtype=int64
        Class codes.
    weights : Tensor of shape (n_samples, n_tasks) or None
        Sample weights, when the target carries them.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn.losses import unpack_targets
    >>> unpack_targets(torch.tensor([[0, 1]]))[1] is None
    True
    """
    if not targets.is_floating_point():
        return targets, None
    n_tasks = targets.shape[1] // 2
    return targets[:, :n_tasks].to(torch.long), targets[:, n_tasks:]


def split_targets(targets, n_tasks):
    """Split a training target that may carry regression values.

    Parameters
    ----------
    targets : Tensor of shape (n_samples, n_tasks) or (n_samples, 2 * n_tasks)
        From :func:`pack_targets`: codes (int64), or float64 values (codes of
        classification tasks as floats, standardised regression values with
        ``NaN`` missing), optionally followed by per-cell weights.
    n_tasks : int
        The number of tasks.

    Returns
    -------
    values : Tensor of shape (n_samples, n_tasks)
        The targets, in their stored dtype.
    weights : Tensor of shape (n_samples, n_tasks) or None
        Per-cell sample weights, when the target carries them.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn.losses import split_targets
    >>> values, weights = split_targets(torch.tensor([[0.5, 1.0]]), 2)
    >>> values.tolist(), weights
    ([[0.5, 1.0]], None)
    """
    if targets.shape[1] == 2 * n_tasks:
        return targets[:, :n_tasks], targets[:, n_tasks:]
    return targets, None
