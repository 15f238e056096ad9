"""Helpers of the soft-sharing architectures: CGC/PLE and cross-stitch.

Hard parameter sharing makes every task read the same features; when tasks
pull those features in different directions, one task's gain is another's
loss (negative transfer). Soft sharing gives every task parameters of its
own and learns, per layer, how much each task reads from the others.

Both architectures work layer by layer. Each expert (PLE) or column
(cross-stitch) is a fresh trunk of the estimator's ``trunk`` kind, cut into
stages by the trunk's ``stages()``: one per hidden layer of an MLP, one per
convolution block plus the fully connected block of a CNN, and one for a
user's module (whose inside is not known).

As for the other architectures, the forward pass is split into ``encode``
(the parameters every task reads: what gradient aggregators and GradNorm
treat as shared) and ``decode`` (what only one task reads, and the heads).
"""

import numbers

from .heads import TaskHeads

__all__ = ["apply_heads", "check_count", "make_heads", "trunk_stages"]


def trunk_stages(trunk):
    """The trunk's stages; a module without ``stages()`` is one stage."""
    return list(trunk.stages()) if hasattr(trunk, "stages") else [trunk]


def make_heads(width, n_classes, head_hidden_size, activation, dropout):
    """Every task's head on features of ``width`` (the one place heads are built).

    One :class:`~sklmtl.nn.TaskHeads` for all tasks, as in the other
    architectures.
    """
    return TaskHeads(width, n_classes, head_hidden_size, activation, dropout)


def apply_heads(heads, task_features):
    """Every task's logits from its own features (the one place heads run).

    ``task_features`` holds one ``(batch, width)`` tensor per task; the heads
    run on all of them in one batched product.
    """
    return heads(list(task_features))


def check_count(owner, name, value, minimum):
    """``value`` as an int, or a ValueError naming ``owner``'s parameter ``name``."""
    if isinstance(value, bool) or not (
        isinstance(value, numbers.Integral) and value >= minimum
    ):
        raise ValueError(f"{owner}: {name} must be an int >= {minimum}; got {value!r}.")
    return int(value)
