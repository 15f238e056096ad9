"""Prediction on the binary-label path: every task one sigmoid logit.

When every task is binary (the output layout's ``one_logit_per_task``,
:class:`sklmtl._tasks.OutputLayout`), the network's output is one ``(batch,
n_tasks)`` logit matrix. This module turns it into probabilities without a
per-task loop: either the positive-class
probabilities as one ``(n_samples, n_tasks)`` array (what ``MLPClassifier``
returns for a label-indicator ``Y``), or ``predict_proba``'s list of
``(n_samples, 2)`` arrays, written straight into one ``(n_tasks, n_samples,
2)`` buffer whose slices are the list's (contiguous) arrays.
"""

import numpy as np
import torch

from .nn.heads import BINARY_LOGIT_SCALE, flat_logits

__all__ = ["binary_outputs"]

_LAYOUTS = ("list", "positive")


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
    layout : {"list", "positive"}
        ``"list"``: one ``(n_samples, 2)`` float64 array per task, columns
        ``[P(classes[0]), P(classes[1])]`` (the softmax of the logits
        ``(0, z)``, ``z = BINARY_LOGIT_SCALE * u``). ``"positive"``: one
        ``(n_samples, n_tasks)`` float64 array of ``P(classes[1])``.

    Returns
    -------
    proba : list of ndarray or ndarray
        As ``layout`` says.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklmtl._batches import as_tensor, row_batches
    >>> from sklmtl._binary import binary_outputs
    >>> module = torch.nn.Linear(2, 3)
    >>> X = as_tensor(np.zeros((4, 2), dtype=np.float32))
    >>> cpu = torch.device("cpu")
    >>> binary_outputs(module, row_batches(X, 2), 4, cpu, "positive").shape
    (4, 3)
    >>> [p.shape for p in binary_outputs(module, row_batches(X, 2), 4, cpu, "list")]
    [(4, 2), (4, 2), (4, 2)]
    """
    if layout not in _LAYOUTS:
        raise ValueError(f"layout must be one of {_LAYOUTS}; got {layout!r}.")
    out = dest = None
    with torch.inference_mode():
        for start, batch in batches:
            batch = batch.to(device, non_blocking=True)
            # Under autocast (precision="bf16"/"fp16") the logits come out in
            # half precision: the probabilities are computed in the batch's.
            output = flat_logits(module(batch)).to(batch.dtype)
            # Sigmoid in the network's dtype, stored as float64: a float64
            # sigmoid of a float32 network took twice as long, and float32
            # keeps ~7 significant digits.
            proba = torch.sigmoid(BINARY_LOGIT_SCALE * output).cpu()
            stop = start + len(proba)
            if out is None:
                n_tasks = proba.shape[1]
                positive = layout == "positive"
                out = np.empty((n_rows, n_tasks) if positive else (n_tasks, n_rows, 2))
                dest = torch.from_numpy(out)
            if layout == "positive":
                dest[start:stop].copy_(proba)
            else:
                # Transposed in the (small) batch, so that every write below
                # runs along one task's rows; column 0 from the float64
                # column 1, so that each row sums to 1 exactly.
                dest[:, start:stop, 1].copy_(proba.T.contiguous())
                torch.sub(1.0, dest[:, start:stop, 1], out=dest[:, start:stop, 0])
    if layout == "positive":
        return out
    return list(out)
