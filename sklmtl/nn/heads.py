"""All task heads in one module: one parameter tensor per layer, not per task.

A network with hundreds of tasks used to hold one ``nn.Linear`` (or a small
MLP) per task, so every step paid one optimizer update, one autograd node
and one loss term per task. :class:`TaskHeads` keeps every task's head in the
same few tensors:

- the output layer is one ``(sum_t n_classes_t, in_features)`` weight and
  one bias, task ``t`` owning a block of rows; on shared features it is a
  single matrix product;
- a hidden layer (``hidden_size``) is one ``(n_tasks, in_features,
  hidden_size)`` weight, applied to shared features as one matrix product
  and to per-task features (one mixture per task, as in MMoE) as one
  batched matrix product.

The output is a :class:`TaskLogits`: the concatenated logits of shape
``(batch, sum_t n_classes_t)`` (``flat``), which the losses and the
prediction read at once, and a sequence of per-task views made only when a
task's logits are asked for (making 1,000 views costs more per batch than
the whole output layer). Each task's parameters stay addressable as views
(:meth:`TaskHeads.task_parameters`) or as a standalone
:class:`~sklmtl.nn.TaskHead` copy (:meth:`TaskHeads.task_head`).

Initialisation is ``nn.Linear``'s, task by task in the order the per-task
heads drew it: one seed gives the same starting weights as before.
"""

import math

import torch
from torch import nn

# The heads' output type and its readers live in _logits; importable from
# here, as before (activate by io and the estimator's inputs).
from ._logits import (  # noqa: F401
    BINARY_LOGIT_SCALE,
    TaskLogits,
    activate,
    flat_logits,
    task_probabilities,
)
from .trunks import make_activation

__all__ = [
    "BINARY_LOGIT_SCALE",
    "TaskHead",
    "TaskHeads",
    "TaskLogits",
    "flat_logits",
    "task_probabilities",
]


class TaskHead(nn.Module):
    """One task's classifier: an optional hidden layer, then logits.

    The networks hold all tasks' heads in one :class:`TaskHeads`; this is
    one task's head on its own (what :meth:`TaskHeads.task_head` returns).

    Parameters
    ----------
    in_features : int
        Width of the shared features.
    n_classes : int
        Number of classes of the task (the logit width).
    hidden_size : int or None, default=None
        Width of a task-specific hidden layer; None for a linear head.
    activation : str, default="relu"
        Activation of the hidden layer.
    dropout : float, default=0.0
        Dropout after the hidden layer.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import TaskHead
    >>> TaskHead(4, n_classes=3, hidden_size=8)(torch.zeros(2, 4)).shape
    torch.Size([2, 3])
    """

    def __init__(
        self, in_features, n_classes, hidden_size=None, activation="relu", dropout=0.0
    ):
        super().__init__()
        layers = []
        if hidden_size:
            layers += [nn.Linear(in_features, hidden_size), make_activation(activation)]
            if dropout:
                layers.append(nn.Dropout(dropout))
            in_features = hidden_size
        layers.append(nn.Linear(in_features, n_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, features):
        return self.layers(features)


def _init_linear_(weight, bias):
    """``nn.Linear``'s initialisation, in place, on one task's views.

    Same calls in the same order as ``nn.Linear.reset_parameters``: a net
    built from one seed starts from exactly the weights of the per-task
    ``nn.Linear`` heads it replaces.
    """
    with torch.no_grad():
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
        fan_in = weight.shape[1]
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        nn.init.uniform_(bias, -bound, bound)


class TaskHeads(nn.Module):
    """The heads of all tasks, held in one tensor per layer.

    Task ``t``'s head is an optional hidden layer (``hidden_size`` units,
    ``activation``, ``dropout``) and then ``n_classes[t]`` logits, as
    :class:`~sklmtl.nn.TaskHead`; the parameters of all tasks are stacked
    so that the cost of a step hardly grows with the number of tasks.

    Parameters
    ----------
    in_features : int
        Width of the features each head reads.
    n_classes : sequence of int
        Logit width of each task (1 for a binary task trained with a
        sigmoid).
    hidden_size : int or None, default=None
        Width of each task's own hidden layer; None for linear heads.
    activation : str, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout after the hidden layers.

    Attributes
    ----------
    weight : Parameter of shape (sum(n_classes), width)
        The output layers, task ``t`` in rows ``offsets[t]:offsets[t + 1]``
        (``width`` is ``hidden_size`` or ``in_features``).
    bias : Parameter of shape (sum(n_classes),)
        Their biases.
    hidden_weight : Parameter of shape (n_tasks, hidden_size, in_features)
        The hidden layers (only with ``hidden_size``).
    hidden_bias : Parameter of shape (n_tasks, hidden_size)
        Their biases (only with ``hidden_size``).
    sizes : tuple of int
        ``n_classes``.
    offsets : tuple of int
        Where each task's rows start in ``weight``; ``offsets[-1]`` is the
        total width.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import TaskHeads
    >>> heads = TaskHeads(4, n_classes=(2, 3), hidden_size=8)
    >>> logits = heads(torch.zeros(5, 4))
    >>> logits.flat.shape, [t.shape[1] for t in logits]
    (torch.Size([5, 5]), [2, 3])
    >>> per_task = heads(torch.zeros(2, 5, 4))  # one feature set per task
    >>> per_task.flat.shape
    torch.Size([5, 5])
    >>> heads.task_parameters(1)["weight"].shape
    torch.Size([3, 8])
    """

    def __init__(
        self, in_features, n_classes, hidden_size=None, activation="relu", dropout=0.0
    ):
        super().__init__()
        sizes = tuple(int(k) for k in n_classes)
        if not sizes or min(sizes) < 1:
            raise ValueError(
                f"TaskHeads needs at least one task and widths >= 1; got n_classes="
                f"{list(sizes)}."
            )
        self.sizes = sizes
        self.in_features = int(in_features)
        self.hidden_size = int(hidden_size) if hidden_size else None
        self.activation_name = activation
        self.dropout_rate = float(dropout)
        offsets = [0]
        for size in sizes:
            offsets.append(offsets[-1] + size)
        self.offsets = tuple(offsets)
        n_tasks = len(sizes)
        width = self.in_features
        if self.hidden_size:
            # nn.Linear's layout: (hidden_size, in_features) per task.
            self.hidden_weight = nn.Parameter(
                torch.empty(n_tasks, self.hidden_size, self.in_features)
            )
            self.hidden_bias = nn.Parameter(torch.empty(n_tasks, self.hidden_size))
            self.activation = make_activation(activation)
            self.dropout = nn.Dropout(dropout) if dropout else nn.Identity()
            width = self.hidden_size
        self.weight = nn.Parameter(torch.empty(offsets[-1], width))
        self.bias = nn.Parameter(torch.empty(offsets[-1]))
        # Task by task, hidden layer first, as the per-task heads drew them.
        for t in range(n_tasks):
            if self.hidden_size:
                _init_linear_(self.hidden_weight[t], self.hidden_bias[t])
            rows = slice(offsets[t], offsets[t + 1])
            _init_linear_(self.weight[rows], self.bias[rows])
        self._equal = len(set(sizes)) == 1
        if not self._equal:
            # Padded (n_tasks, max_width) layout for per-task features: slot
            # (t, k) reads row pad_rows[t, k] of [weight; 0] (the zero row past
            # the end for unused slots); real_slots picks the real ones back.
            k_max = max(sizes)
            pad_rows = torch.full((n_tasks, k_max), offsets[-1], dtype=torch.long)
            for t, size in enumerate(sizes):
                pad_rows[t, :size] = torch.arange(offsets[t], offsets[t] + size)
            real = (torch.arange(k_max) < torch.tensor(sizes)[:, None]).flatten()
            # Not in the state dict: derived from n_classes.
            self.register_buffer("_pad_rows", pad_rows.flatten(), persistent=False)
            self.register_buffer(
                "_real_slots", torch.nonzero(real).flatten(), persistent=False
            )

    @property
    def n_tasks(self):
        """Number of tasks."""
        return len(self.sizes)

    def _padded_output(self):
        """Output weight ``(n_tasks, k_max, width)`` and bias ``(n_tasks, k_max)``."""
        n_tasks = self.n_tasks
        if self._equal:
            k = self.sizes[0]
            return self.weight.view(n_tasks, k, -1), self.bias.view(n_tasks, k)
        zero_row = self.weight.new_zeros(1, self.weight.shape[1])
        weight = torch.cat([self.weight, zero_row])
        bias = torch.cat([self.bias, self.bias.new_zeros(1)])
        k_max = max(self.sizes)
        return (
            weight[self._pad_rows].view(n_tasks, k_max, -1),
            bias[self._pad_rows].view(n_tasks, k_max),
        )

    def _flat_from_padded(self, padded):
        """``(batch, n_tasks, k_max)`` logits to ``(batch, sum(n_classes))``."""
        flat = padded.flatten(start_dim=1)
        return flat if self._equal else flat[:, self._real_slots]

    def _per_task_output(self, hidden):
        """Logits from per-task features ``(n_tasks, batch, width)``."""
        weight, bias = self._padded_output()
        out = torch.baddbmm(bias.unsqueeze(1), hidden, weight.transpose(1, 2))
        return self._flat_from_padded(out.transpose(0, 1))

    def forward(self, features):
        """Every task's logits.

        Parameters
        ----------
        features : Tensor of shape (batch, in_features) or (n_tasks, batch, \
in_features), or sequence of n_tasks Tensors of shape (batch, in_features)
            Features shared by all heads, or one feature set per task.

        Returns
        -------
        logits : TaskLogits
            ``logits.flat`` has shape ``(batch, sum(n_classes))``;
            ``logits[t]`` is task ``t``'s ``(batch, n_classes[t])``.
        """
        if not torch.is_tensor(features):
            features = torch.stack(list(features))
        if features.dim() == 3 and features.shape[0] != self.n_tasks:
            raise ValueError(
                f"Per-task features must have shape (n_tasks={self.n_tasks}, batch, "
                f"{self.in_features}); got {tuple(features.shape)}."
            )
        if not self.hidden_size:
            if features.dim() == 2:
                flat = nn.functional.linear(features, self.weight, self.bias)
            else:
                flat = self._per_task_output(features)
            return TaskLogits(flat, self.sizes, self.offsets)
        if features.dim() == 2:
            # One product for every task's hidden layer: (batch, n_tasks * hidden).
            hidden = nn.functional.linear(
                features,
                self.hidden_weight.flatten(end_dim=1),
                self.hidden_bias.flatten(),
            )
            hidden = hidden.unflatten(1, (self.n_tasks, -1)).transpose(0, 1)
        else:
            hidden = torch.baddbmm(
                self.hidden_bias.unsqueeze(1),
                features,
                self.hidden_weight.transpose(1, 2),
            )
        hidden = self.dropout(self.activation(hidden))
        return TaskLogits(self._per_task_output(hidden), self.sizes, self.offsets)

    def task_parameters(self, t):
        """Task ``t``'s parameters, as views into the stacked tensors.

        The views share storage (and gradients) with the module: editing one
        in place, under ``torch.no_grad()``, edits the head.

        Parameters
        ----------
        t : int
            The task's index.

        Returns
        -------
        parameters : dict of str to Tensor
            ``weight`` ``(n_classes[t], width)`` and ``bias``
            ``(n_classes[t],)`` of the output layer, and with a hidden layer
            ``hidden_weight`` ``(hidden_size, in_features)`` and
            ``hidden_bias`` ``(hidden_size,)``, laid out as ``nn.Linear``'s.

        Examples
        --------
        >>> from sklmtl.nn import TaskHeads
        >>> heads = TaskHeads(4, n_classes=(2, 3))
        >>> {k: tuple(v.shape) for k, v in heads.task_parameters(1).items()}
        {'weight': (3, 4), 'bias': (3,)}
        """
        t = range(self.n_tasks)[t]
        rows = slice(self.offsets[t], self.offsets[t + 1])
        params = {"weight": self.weight[rows], "bias": self.bias[rows]}
        if self.hidden_size:
            params["hidden_weight"] = self.hidden_weight[t]
            params["hidden_bias"] = self.hidden_bias[t]
        return params

    def task_head(self, t):
        """A standalone :class:`~sklmtl.nn.TaskHead` copy of task ``t``'s head.

        Parameters
        ----------
        t : int
            The task's index.

        Returns
        -------
        head : TaskHead
            Computes task ``t``'s logits from shared features (copied
            weights: training it leaves this module unchanged).

        Examples
        --------
        >>> import torch
        >>> from sklmtl.nn import TaskHeads
        >>> heads = TaskHeads(4, n_classes=(2, 3), hidden_size=8)
        >>> x = torch.randn(5, 4)
        >>> torch.allclose(heads.task_head(1)(x), heads(x)[1], atol=1e-6)
        True
        """
        params = self.task_parameters(t)
        head = TaskHead(
            self.in_features,
            self.sizes[t],
            self.hidden_size,
            self.activation_name,
            self.dropout_rate,
        )
        linears = [m for m in head.layers if isinstance(m, nn.Linear)]
        pairs = [(params["weight"], params["bias"])]
        if self.hidden_size:
            pairs.insert(0, (params["hidden_weight"], params["hidden_bias"]))
        with torch.no_grad():
            for linear, (weight, bias) in zip(linears, pairs):
                linear.weight.copy_(weight)
                linear.bias.copy_(bias)
        return head.to(self.weight.device).train(self.training)

    def extra_repr(self):
        hidden = f", hidden_size={self.hidden_size}" if self.hidden_size else ""
        return (
            f"in_features={self.in_features}, n_tasks={self.n_tasks}, "
            f"total_width={self.offsets[-1]}{hidden}"
        )
