"""Soft sharing: task-specific and shared experts (CGC/PLE), cross-stitch units.

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

import torch
from torch import nn

from .architectures import HPS, TaskHead

__all__ = [
    "CGC",
    "PLE",
    "CrossStitch",
    "CrossStitchNetwork",
    "ProgressiveLayeredExtraction",
]


def _trunk_stages(trunk):
    """The trunk's stages; a module without ``stages()`` is one stage."""
    return list(trunk.stages()) if hasattr(trunk, "stages") else [trunk]


def _check_levels(owner, trunk, n_levels):
    n_stages = len(_trunk_stages(trunk))
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
    stages = _trunk_stages(trunk)
    first = len(stages) - n_levels + 1
    return [nn.Sequential(*stages[:first]), *stages[first:]]


def _mix(weights, candidates):
    """Per-sample convex combination: ``weights`` (batch, n) over the
    ``candidates`` (batch, n, ...)."""
    shape = (*weights.shape, *([1] * (candidates.ndim - 2)))
    return (weights.reshape(shape) * candidates).sum(dim=1)


def _apply_heads(heads, task_features):
    """Every task's logits from its own features (the one place heads run)."""
    return tuple(head(features) for head, features in zip(heads, task_features))


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
        width = widths.pop()
        self.heads = nn.ModuleList(
            TaskHead(width, k, head_hidden_size, activation, dropout) for k in n_classes
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
        return _apply_heads(self.heads, task_features)

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


class CrossStitchNetwork(nn.Module):
    """One column per task joined by cross-stitch units (Misra et al., CVPR 2016).

    "Cross-stitch Networks for Multi-task Learning". After each stage, the
    columns' activations are replaced by learned linear combinations of
    them: ``h_i <- sum_j alpha_ij h_j`` (one ``(n_tasks, n_tasks)`` matrix
    per stage); task ``t``'s head reads column ``t``.

    Parameters
    ----------
    columns : list of nn.Module
        One trunk per task, with the same stages and ``out_features``.
    n_classes : sequence of int
        Number of classes of each task.
    alpha_self : float, default=0.9
        Initial weight of a column on itself; the rest, ``1 - alpha_self``,
        is split evenly over the other columns (the paper's best start for
        two tasks was 0.9).
    head_hidden_size, activation, dropout
        As for :class:`HardParameterSharing`.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import CrossStitchNetwork, MLPTrunk
    >>> columns = [MLPTrunk(5, (8, 4)) for _ in range(2)]
    >>> net = CrossStitchNetwork(columns, n_classes=(2, 3))
    >>> [logits.shape for logits in net(torch.zeros(6, 5))]
    [torch.Size([6, 2]), torch.Size([6, 3])]
    >>> net.stitches[0]
    Parameter containing:
    tensor([[0.9000, 0.1000],
            [0.1000, 0.9000]], requires_grad=True)
    """

    def __init__(
        self,
        columns,
        n_classes,
        alpha_self=0.9,
        head_hidden_size=None,
        activation="relu",
        dropout=0.0,
    ):
        super().__init__()
        n_tasks = len(n_classes)
        if len(columns) != n_tasks:
            raise ValueError(
                f"CrossStitchNetwork needs one column per task; got {len(columns)} "
                f"columns for {n_tasks} tasks."
            )
        stages = [_trunk_stages(column) for column in columns]
        if len({len(s) for s in stages}) != 1 or not stages[0]:
            raise ValueError(
                "CrossStitchNetwork: the columns must have the same number of "
                f"stages, at least one; got {[len(s) for s in stages]} (an MLP "
                "trunk with hidden_layer_sizes=() has none)."
            )
        self.columns = nn.ModuleList(nn.ModuleList(s) for s in stages)
        start = torch.full((n_tasks, n_tasks), (1.0 - alpha_self) / max(n_tasks - 1, 1))
        start.fill_diagonal_(1.0 if n_tasks == 1 else float(alpha_self))
        self.stitches = nn.ParameterList(nn.Parameter(start.clone()) for _ in stages[0])
        self.heads = nn.ModuleList(
            TaskHead(columns[0].out_features, k, head_hidden_size, activation, dropout)
            for k in n_classes
        )

    def encode(self, X):
        """Every column's stages with a cross-stitch unit after each.

        Parameters
        ----------
        X : Tensor of shape (batch, ...)
            A batch of inputs, as the trunks read them.

        Returns
        -------
        features : Tensor of shape (batch, n_tasks, out_features)
            Each task's column after the last cross-stitch unit.
        """
        hidden = [X] * len(self.columns)
        for i, stitch in enumerate(self.stitches):
            out = torch.stack(
                [column[i](h) for column, h in zip(self.columns, hidden)], dim=1
            )
            mixed = torch.matmul(stitch, out.flatten(start_dim=2)).reshape(out.shape)
            hidden = mixed.unbind(dim=1)
        return mixed

    def decode(self, features, X):
        """Every task's head on its own column.

        Parameters
        ----------
        features : Tensor of shape (batch, n_tasks, out_features)
            The output of :meth:`encode`.
        X : Tensor of shape (batch, ...)
            The inputs (unused).

        Returns
        -------
        logits : tuple of Tensor of shape (batch, n_classes_t)
            One tensor per task.
        """
        return _apply_heads(self.heads, features.unbind(dim=1))

    def shared_parameters(self):
        """The columns and the cross-stitch units: every task reads them all.

        Returns
        -------
        parameters : list of Parameter
            What gradient aggregators and GradNorm treat as shared, the
            units first (GradNorm reads the last weight matrix: the last
            column's last layer).
        """
        return [*self.stitches.parameters(), *self.columns.parameters()]

    def forward(self, X):
        return self.decode(self.encode(X), X)


def _check_count(owner, name, value, minimum):
    if isinstance(value, bool) or not (
        isinstance(value, numbers.Integral) and value >= minimum
    ):
        raise ValueError(f"{owner}: {name} must be an int >= {minimum}; got {value!r}.")
    return int(value)


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

    def _n_levels(self):
        return 1

    def build(self, make_trunk, input_size, n_classes, **head_params):
        owner = type(self).__name__
        n_own = _check_count(owner, "n_task_experts", self.n_task_experts, 0)
        n_shared = _check_count(owner, "n_shared_experts", self.n_shared_experts, 1)
        n_levels = self._n_levels()
        shared = [make_trunk() for _ in range(n_shared)]
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
    n_levels : int, default=2
        Extraction levels, at most the trunk's stages (an MLP has one per
        hidden layer, a CNN one per convolution block plus the fully
        connected block); 1 is :class:`CGC`.

    Examples
    --------
    >>> from sklmtl.nn import PLE
    >>> PLE(n_levels=3)
    PLE(n_levels=3, n_shared_experts=1, n_task_experts=1)
    """

    def __init__(self, n_task_experts=1, n_shared_experts=1, n_levels=2):
        super().__init__(n_task_experts, n_shared_experts)
        self.n_levels = n_levels

    def _n_levels(self):
        return _check_count("PLE", "n_levels", self.n_levels, 1)


class CrossStitch(HPS):
    """Architecture spec: cross-stitch networks (``architecture="cross_stitch"``).

    Misra et al., CVPR 2016; see :class:`CrossStitchNetwork`. Each task has
    a column, a fresh trunk of the estimator's ``trunk`` kind; a learned
    ``(n_tasks, n_tasks)`` cross-stitch unit mixes the columns after each
    stage.

    Parameters
    ----------
    alpha_self : float, default=0.9
        Initial weight of each column on itself, in ``(0, 1]``; 1 starts
        from independent columns.

    Examples
    --------
    >>> from sklmtl.nn import CrossStitch
    >>> CrossStitch(alpha_self=0.8)
    CrossStitch(alpha_self=0.8)
    """

    def __init__(self, alpha_self=0.9):
        self.alpha_self = alpha_self

    def build(self, make_trunk, input_size, n_classes, **head_params):
        alpha = self.alpha_self
        if isinstance(alpha, bool) or not (
            isinstance(alpha, numbers.Real) and 0.0 < alpha <= 1.0
        ):
            raise ValueError(
                f"CrossStitch: alpha_self must be a float in (0, 1]; got {alpha!r}."
            )
        columns = [make_trunk() for _ in n_classes]
        if not _trunk_stages(columns[0]):
            raise ValueError(
                "CrossStitch needs a trunk with at least one layer to stitch; got "
                "an MLP trunk with hidden_layer_sizes=()."
            )
        return CrossStitchNetwork(columns, n_classes, float(alpha), **head_params)
