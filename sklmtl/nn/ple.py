"""CGC and PLE: task-specific and shared experts (Tang et al., RecSys 2020).

The module (:class:`ProgressiveLayeredExtraction`) and its two specs
(``architecture="cgc"``, ``architecture="ple"``); the layer-by-layer design
they share with cross-stitch networks is described in
``sklmtl.nn._soft_sharing`` and the user guide.
"""

import numbers

import torch
from torch import nn

from ._soft_sharing import apply_heads, check_count, make_heads, trunk_stages
from .architectures import HPS

__all__ = ["CGC", "PLE", "ProgressiveLayeredExtraction"]


def _check_levels(owner, trunk, n_levels):
    n_stages = len(trunk_stages(trunk))
    if n_stages == 0:
        raise ValueError(
            f"{owner} needs a trunk with at least one layer for its experts; got "
            f"{type(trunk).__name__} with none (hidden_layer_sizes=())."
        )
    if n_stages < n_levels:
        raise ValueError(
            f"{owner}: n_levels={n_levels} needs a trunk with at least {n_levels} "
            f"stages; {type(trunk).__name__} has {n_stages} (an MLP has one per "
            "hidden layer, a CNN one per convolution block plus the fully connected "
            "block, a user's module one). Lower n_levels or deepen the trunk."
        )


def _levels_of(trunk, n_levels):
    """Cut a trunk into ``n_levels`` blocks: the last ``n_levels - 1`` stages
    alone (where gating is cheap: the features are small), the rest first."""
    _check_levels("ProgressiveLayeredExtraction", trunk, n_levels)
    stages = trunk_stages(trunk)
    first = len(stages) - n_levels + 1
    return [nn.Sequential(*stages[:first]), *stages[first:]]


def _mix(weights, candidates):
    """Per-sample convex combination: ``weights`` (batch, n) over the
    ``candidates`` (batch, n, ...)."""
    shape = (*weights.shape, *([1] * (candidates.ndim - 2)))
    return (weights.reshape(shape) * candidates).sum(dim=1)


class ProgressiveLayeredExtraction(nn.Module):
    """Progressive layered extraction (Tang et al., RecSys 2020).

    "Progressive Layered Extraction (PLE): A Novel Multi-Task Learning (MTL)
    Model for Personalized Recommendations". Every level has experts of each
    task and shared experts. At each level, task ``t``'s softmax gate mixes
    task ``t``'s experts and the shared experts; below the last level a
    shared gate mixes all experts into the input of the next level's shared
    experts. Gates read the (flattened) input of their level. One level is
    the customized gate control (CGC) of the same paper.

    Parameters
    ----------
    task_experts : list of list of nn.Module
        For each task, its expert trunks (possibly none).
    shared_experts : list of nn.Module
        Shared expert trunks (at least one). Every trunk must give the same
        ``out_features``.
    input_size : int
        Width of the flattened input.
    n_classes : sequence of int
        Number of classes of each task.
    n_levels : int, default=1
        Extraction levels; each trunk is cut into that many blocks (its
        last ``n_levels - 1`` stages alone, the rest in the first level).
    head_hidden_size, activation, dropout
        As for :class:`HardParameterSharing`.

    Notes
    -----
    :meth:`encode` runs every level but the last, and the last level's
    shared experts; :meth:`decode` runs the last level's task experts and
    gates, then the heads. With two levels or more, the task gates of the
    level before the last are in the shared part although each is read by
    one task only: the last level's task experts read their output.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MLPTrunk, ProgressiveLayeredExtraction
    >>> def trunk():
    ...     return MLPTrunk(5, (8, 4))
    >>> net = ProgressiveLayeredExtraction(
    ...     [[trunk()], [trunk()]], [trunk()], 5, n_classes=(2, 3), n_levels=2
    ... )
    >>> [logits.shape for logits in net(torch.zeros(6, 5))]
    [torch.Size([6, 2]), torch.Size([6, 3])]
    """

    def __init__(
        self,
        task_experts,
        shared_experts,
        input_size,
        n_classes,
        n_levels=1,
        head_hidden_size=None,
        activation="relu",
        dropout=0.0,
    ):
        super().__init__()
        if len(task_experts) != len(n_classes):
            raise ValueError(
                f"ProgressiveLayeredExtraction: task_experts has {len(task_experts)} "
                f"lists for {len(n_classes)} tasks."
            )
        if not shared_experts:
            raise ValueError(
                "ProgressiveLayeredExtraction needs at least one shared expert."
            )
        widths = {e.out_features for e in [*shared_experts, *sum(task_experts, [])]}
        if len(widths) != 1:
            raise ValueError(
                "ProgressiveLayeredExtraction: every expert must give the same "
                f"out_features; got {sorted(widths)}."
            )
        self.n_levels = n_levels
        self.n_tasks = len(n_classes)
        cut = [_levels_of(e, n_levels) for e in shared_experts]
        self.shared_experts = nn.ModuleList(
            nn.ModuleList(levels[i] for levels in cut) for i in range(n_levels)
        )
        cut = [[_levels_of(e, n_levels) for e in own] for own in task_experts]
        self.task_experts = nn.ModuleList(
            nn.ModuleList(nn.ModuleList(levels[i] for levels in own) for own in cut)
            for i in range(n_levels)
        )
        n_shared, n_own = len(shared_experts), [len(own) for own in task_experts]
        gate_inputs = self._gate_input_sizes(input_size)
        self.task_gates = nn.ModuleList(
            nn.ModuleList(nn.Linear(size, n + n_shared) for n in n_own)
            for size in gate_inputs
        )
        self.shared_gates = nn.ModuleList(
            nn.Linear(size, sum(n_own) + n_shared) for size in gate_inputs[:-1]
        )
        self.heads = make_heads(
            widths.pop(), n_classes, head_hidden_size, activation, dropout
        )

    def _gate_input_sizes(self, input_size):
        """Width each level's gates read: the input, then each level's output
        (found with one dry run of the first shared expert, as FlatFeatures
        finds its width)."""
        sizes = [int(input_size)]
        if self.n_levels == 1:
            return sizes
        levels = [level[0] for level in self.shared_experts[:-1]]
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                out = torch.zeros(2, int(input_size))
                for level in levels:
                    out = level(out)
                    sizes.append(int(out[0].numel()))
        finally:
            self.train(was_training)
        return sizes

    def _level(self, i, task_inputs, shared_input):
        """Level ``i`` below the last: every task's mix and the shared mix."""
        shared = [expert(shared_input) for expert in self.shared_experts[i]]
        own = [
            [expert(x) for expert in experts]
            for experts, x in zip(self.task_experts[i], task_inputs)
        ]
        task_outputs = [
            _mix(
                torch.softmax(gate(x.flatten(start_dim=1)), dim=1),
                torch.stack([*outputs, *shared], dim=1),
            )
            for gate, x, outputs in zip(self.task_gates[i], task_inputs, own)
        ]
        weights = torch.softmax(
            self.shared_gates[i](shared_input.flatten(start_dim=1)), dim=1
        )
        candidates = torch.stack([*sum(own, []), *shared], dim=1)
        return task_outputs, _mix(weights, candidates)

    def encode(self, X):
        """Every level but the last, then the last level's shared experts.

        Parameters
        ----------
        X : Tensor of shape (batch, ...)
            A batch of inputs, as the trunks read them.

        Returns
        -------
        features : tuple of Tensor
            First the last level's shared experts' outputs, stacked:
            ``(batch, n_shared_experts, out_features)``; then, with two
            levels or more, each task's input to the last level.
        """
        task_inputs, shared_input = [X] * self.n_tasks, X
        for i in range(self.n_levels - 1):
            task_inputs, shared_input = self._level(i, task_inputs, shared_input)
        shared = torch.stack(
            [expert(shared_input) for expert in self.shared_experts[-1]], dim=1
        )
        return (shared, *task_inputs) if self.n_levels > 1 else (shared,)

    def decode(self, features, X):
        """The last level's task experts and gates, then every task's head.

        Parameters
        ----------
        features : tuple of Tensor
            The output of :meth:`encode`.
        X : Tensor of shape (batch, ...)
            The inputs (each task's input to a single level).

        Returns
        -------
        logits : tuple of Tensor of shape (batch, n_classes_t)
            One tensor per task.
        """
        shared, *task_inputs = features
        task_inputs = task_inputs or [X] * self.n_tasks
        task_features = []
        for gate, experts, x in zip(
            self.task_gates[-1], self.task_experts[-1], task_inputs
        ):
            own = [expert(x) for expert in experts]
            candidates = (
                torch.cat([torch.stack(own, dim=1), shared], dim=1) if own else shared
            )
            weights = torch.softmax(gate(x.flatten(start_dim=1)), dim=1)
            task_features.append(_mix(weights, candidates))
        return apply_heads(self.heads, task_features)

    def input_readers(self):
        """The modules that read the raw input ``X``: the first level's
        experts and gates.

        Returns
        -------
        readers : list of nn.Module
            What decides whether sparse batches reach the network as they
            are (``sklmtl.nn._sparse_input.accepts_sparse``).
        """
        own = [expert for experts in self.task_experts[0] for expert in experts]
        return [
            *own,
            *self.shared_experts[0],
            *self.task_gates[0],
            *self.shared_gates[:1],
        ]

    def shared_parameters(self):
        """Parameters of :meth:`encode`, the last shared experts' last.

        Returns
        -------
        parameters : list of Parameter
            What gradient aggregators and GradNorm treat as shared (GradNorm
            reads the last weight matrix: the last shared expert's).
        """
        lower = [
            *self.task_experts[:-1].parameters(),
            *self.task_gates[:-1].parameters(),
            *self.shared_gates.parameters(),
            *self.shared_experts[:-1].parameters(),
        ]
        return [*lower, *self.shared_experts[-1].parameters()]

    def forward(self, X):
        return self.decode(self.encode(X), X)


class CGC(HPS):
    """Architecture spec: customized gate control (``architecture="cgc"``).

    Tang et al., RecSys 2020: every task has ``n_task_experts`` experts of
    its own, all tasks share ``n_shared_experts``, and each task's softmax
    gate mixes its own and the shared experts' features. The one-level case
    of :class:`PLE`; see :class:`ProgressiveLayeredExtraction`. Each expert
    is a fresh trunk of the estimator's ``trunk`` kind.

    Parameters
    ----------
    n_task_experts : int, default=1
        Experts of each task (0 gives a mixture of the shared experts, as
        :class:`MMoE`).
    n_shared_experts : int, default=1
        Experts every task reads.

    Examples
    --------
    >>> from sklmtl.nn import CGC
    >>> CGC(n_shared_experts=2)
    CGC(n_shared_experts=2, n_task_experts=1)
    """

    def __init__(self, n_task_experts=1, n_shared_experts=1):
        self.n_task_experts = n_task_experts
        self.n_shared_experts = n_shared_experts

    def _n_levels(self, trunk):
        return 1

    def build(self, make_trunk, input_size, n_classes, **head_params):
        owner = type(self).__name__
        n_own = check_count(owner, "n_task_experts", self.n_task_experts, 0)
        n_shared = check_count(owner, "n_shared_experts", self.n_shared_experts, 1)
        shared = [make_trunk() for _ in range(n_shared)]
        n_levels = self._n_levels(shared[0])
        _check_levels(owner, shared[0], n_levels)
        own = [[make_trunk() for _ in range(n_own)] for _ in n_classes]
        return ProgressiveLayeredExtraction(
            own, shared, input_size, n_classes, n_levels, **head_params
        )


class PLE(CGC):
    """Architecture spec: progressive layered extraction (``architecture="ple"``).

    Tang et al., RecSys 2020; see :class:`ProgressiveLayeredExtraction`.
    Every expert is a fresh trunk of the estimator's ``trunk`` kind, cut into
    ``n_levels`` levels: between levels, task gates and a shared gate mix
    the experts, so tasks separate progressively.

    Parameters
    ----------
    n_task_experts : int, default=1
        Experts of each task, at every level.
    n_shared_experts : int, default=1
        Shared experts, at every level.
    n_levels : int or None, default=None
        Extraction levels, at most the trunk's stages (an MLP has one per
        hidden layer, a CNN one per convolution block plus the fully
        connected block, a user's module one); None for one level per stage,
        as in the paper, where each level's experts are one layer deep; 1 is
        :class:`CGC`. Fewer levels than stages put the lower stages together
        in the first level.

    Examples
    --------
    >>> from sklmtl.nn import PLE
    >>> PLE(n_levels=2)
    PLE(n_levels=2, n_shared_experts=1, n_task_experts=1)
    """

    def __init__(self, n_task_experts=1, n_shared_experts=1, n_levels=None):
        super().__init__(n_task_experts, n_shared_experts)
        self.n_levels = n_levels

    def _n_levels(self, trunk):
        n_levels = self.n_levels
        if n_levels is None:
            return max(len(trunk_stages(trunk)), 1)
        if isinstance(n_levels, bool) or not (
            isinstance(n_levels, numbers.Integral) and n_levels >= 1
        ):
            raise ValueError(
                f"PLE: n_levels must be None or an int >= 1; got {n_levels!r}."
            )
        return int(n_levels)
