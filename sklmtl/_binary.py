"""Prediction on the binary-label path: every task one sigmoid logit.

When every task is binary (the output layout's ``one_logit_per_task``,
:class:`sklmtl._tasks.OutputLayout`), the network's output is one ``(batch,
n_tasks)`` logit matrix. This module turns it into probabilities without a
per-task loop, written batch by batch into one preallocated array: either
the positive-class probabilities as one ``(n_samples, n_tasks)`` array in
the network's dtype (what ``MLPClassifier`` returns for a label-indicator
``Y``), or both classes' probabilities as one ``(n_samples, n_tasks, 2)``
float64 array, whose ``[:, t, :]`` views are ``predict_proba``'s list.

The row-major ``(n_samples, n_tasks, 2)`` layout is written in the order
the batches come: a task-major buffer (one contiguous array per task)
needs a transposed write of every batch.
"""

import numpy as np
import torch

from .nn.heads import BINARY_LOGIT_SCALE, flat_logits

__all__ = ["binary_outputs"]

_LAYOUTS = ("pairs", "positive")

# Values written per step of the "pairs" layout: the float32 source and the
# float64 destination of that many values stay in the CPU's L2 cache.
_CHUNK_VALUES = 2**16


def binary_outputs(module, batches, n_rows, device, layout):
    """Class probabilities of every binary task, batch by batch.

    Parameters
    ----------
    module : nn.Module
        The network (in eval mode); its output has one value ``u`` per task,
        the logit being ``BINARY_LOGIT_SCALE * u``.
    batches : iterable of (int, Tensor)
        ``(start, batch)`` pairs over the rows in order, in the network's
        dtype (the input's :meth:`~sklmtl._estimator._input_kinds.InputKind.batches`).
    n_rows : int
        Rows in all.
    device : torch.device
        Where the module lives.
    layout : {"pairs", "positive"}
        ``"pairs"``: one ``(n_samples, n_tasks, 2)`` float64 array,
        ``[:, t, 0]`` and ``[:, t, 1]`` the probabilities of task ``t``'s
        ``classes[0]`` and ``classes[1]`` (the softmax of the logits ``(0,
        z)``, ``z = BINARY_LOGIT_SCALE * u``; each pair sums to 1 exactly).
        ``"positive"``: one ``(n_samples, n_tasks)`` array of
        ``P(classes[1])`` in the network's dtype (float32 by default).

    Returns
    -------
    proba : ndarray
        As ``layout`` says.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklmtl._batches import as_tensor, row_batches
    >>> from sklmtl._binary import binary_outputs
    >>> module = torch.nn.Linear(2, 3)
    >>> X = as_tensor(np.zeros((4, 2), dtype=np.float32))
    >>> cpu = torch.device("cpu")
    >>> positive = binary_outputs(module, row_batches(X, 2), 4, cpu, "positive")
    >>> positive.shape, positive.dtype
    ((4, 3), dtype('float32'))
    >>> binary_outputs(module, row_batches(X, 2), 4, cpu, "pairs").shape
    (4, 3, 2)
    """
    if layout not in _LAYOUTS:
        raise ValueError(f"layout must be one of {_LAYOUTS}; got {layout!r}.")
    out = dest = None
    with torch.inference_mode():
        for start, batch in batches:
            batch = batch.to(device, non_blocking=True)
            # Under autocast (precision="bf16"/"fp16") the logits come out in
            # half precision: the probabilities are computed in the batch's.
            logits = flat_logits(module(batch)).to(batch.dtype)
            if out is None:
                out = _allocate(logits, n_rows, layout)
                dest = torch.from_numpy(out)
            rows = dest[start : start + len(logits)]
            if layout == "positive":
                _write_positive(logits, rows)
            else:
                _write_pairs(logits, rows)
    return out


def _allocate(logits, n_rows, layout):
    """The output array, shaped from the first batch's logits."""
    n_tasks = logits.shape[1]
    if layout == "positive":
        dtype = torch.empty(0, dtype=logits.dtype).numpy().dtype
        return np.empty((n_rows, n_tasks), dtype=dtype)
    return np.empty((n_rows, n_tasks, 2))


def _write_positive(logits, rows):
    """``rows = sigmoid(BINARY_LOGIT_SCALE * logits)``, in the network's dtype."""
    if logits.device.type != "cpu":
        rows.copy_(torch.sigmoid(BINARY_LOGIT_SCALE * logits))
        return
    # Straight into the output: no temporary the size of the batch, and the
    # network's output is left as it is.
    torch.mul(logits, BINARY_LOGIT_SCALE, out=rows)
    rows.sigmoid_()


def _write_pairs(logits, rows):
    """Both classes' float64 probabilities of a batch, a few rows at a time.

    The sigmoid runs in the network's dtype and is stored as float64 (a
    float64 sigmoid of a float32 network took twice as long, and float32
    keeps ~7 significant digits); column 0 is computed from the float64
    column 1, so that each pair sums to 1 exactly.
    """
    proba = torch.sigmoid(BINARY_LOGIT_SCALE * logits).cpu()
    step = max(1, _CHUNK_VALUES // max(proba.shape[1], 1))
    for first in range(0, len(proba), step):
        pairs = rows[first : first + step]
        pairs[..., 1].copy_(proba[first : first + step])
        torch.sub(1.0, pairs[..., 1], out=pairs[..., 0])
