"""Architectures: how the task heads share the trunk's parameters.

Every architecture splits its forward pass in two, ``encode`` (shared
parameters) and ``decode`` (task-specific parameters), so that gradient
aggregation can act on the shared part only.
"""

import torch
from torch import nn

from .._params import ParamsMixin
from .heads import TaskHead, TaskHeads, _init_linear_

__all__ = [
    "HPS",
    "MMoE",
    "HardParameterSharing",
    "MultiGateMixtureOfExperts",
    "TaskHead",
]


class HardParameterSharing(nn.Module):
    """One shared trunk, one head per task (Caruana, 1997).

    The heads of all tasks live in one :class:`~sklmtl.nn.TaskHeads`
    (``heads``): one parameter tensor per layer for all tasks.

    Parameters
    ----------
    trunk : nn.Module
        Shared feature extractor with an ``out_features`` attribute.
    n_classes : sequence of int
        Number of classes of each task.
    head_hidden_size : int or None, default=None
        Width of each head's own hidden layer; None for linear heads.
    activation : str, default="relu"
        Activation of the heads' hidden layers.
    dropout : float, default=0.0
        Dropout in the heads' hidden layers.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import HardParameterSharing, MLPTrunk
    >>> net = HardParameterSharing(MLPTrunk(5, (8,)), n_classes=(2, 3))
    >>> [logits.shape[1] for logits in net(torch.zeros(4, 5))]
    [2, 3]
    """

    def __init__(
        self, trunk, n_classes, head_hidden_size=None, activation="relu", dropout=0.0
    ):
        super().__init__()
        self.trunk = trunk
        self.heads = TaskHeads(
            trunk.out_features, n_classes, head_hidden_size, activation, dropout
        )

    def encode(self, X):
        """Shared features of ``X``.

        Parameters
        ----------
        X : Tensor of shape (batch, ...)
            A batch of inputs, as the trunk reads them.

        Returns
        -------
        features : Tensor of shape (batch, trunk.out_features)
            The trunk's output.
        """
        return self.trunk(X)

    def decode(self, features, X):
        """Per-task logits from the shared features.

        All heads run at once (:class:`~sklmtl.nn.TaskHeads`): one matrix
        product per layer, whatever the number of tasks.

        Parameters
        ----------
        features : Tensor of shape (batch, trunk.out_features)
            The output of :meth:`encode`.
        X : Tensor of shape (batch, ...)
            The inputs (unused here; architectures with gates read them).

        Returns
        -------
        logits : TaskLogits
            A sequence of one ``(batch, n_classes_t)`` tensor per task,
            with all of them side by side in ``logits.flat``.
        """
        return self.heads(features)

    def input_readers(self):
        """The modules that read the raw input ``X`` (the trunk).

        Returns
        -------
        readers : list of nn.Module
            What decides whether sparse batches reach the network as they
            are (``sklmtl.nn._sparse_input.accepts_sparse``).
        """
        return [self.trunk]

    def shared_parameters(self):
        """Parameters read by every task (the trunk's).

        Returns
        -------
        parameters : list of Parameter
            What gradient aggregators and GradNorm treat as shared.
        """
        return list(self.trunk.parameters())

    def forward(self, X):
        return self.decode(self.encode(X), X)


class MultiGateMixtureOfExperts(nn.Module):
    """Multi-gate mixture of experts (Ma et al., KDD 2018).

    "Modeling Task Relationships in Multi-task Learning with Multi-gate
    Mixture-of-Experts". ``n_experts`` trunks (the experts) read the input;
    each task has a softmax gate over the experts, computed from the
    flattened input, and a head reading its gated mixture of expert features.
    The gates are one linear layer (``n_tasks * n_experts`` outputs) and the
    heads one :class:`~sklmtl.nn.TaskHeads` fed with the ``(n_tasks, batch,
    out_features)`` mixtures, so a step costs a few batched products
    whatever the number of tasks.

    Parameters
    ----------
    experts : list of nn.Module
        Trunks with equal ``out_features``.
    input_size : int
        Width of the flattened input the gates read.
    n_classes : sequence of int
        Number of classes of each task.
    head_hidden_size, activation, dropout
        As for :class:`HardParameterSharing`.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MLPTrunk, MultiGateMixtureOfExperts
    >>> experts = [MLPTrunk(5, (8,)) for _ in range(3)]
    >>> net = MultiGateMixtureOfExperts(experts, 5, n_classes=(2, 4))
    >>> [logits.shape for logits in net(torch.zeros(6, 5))]
    [torch.Size([6, 2]), torch.Size([6, 4])]
    """

    def __init__(
        self,
        experts,
        input_size,
        n_classes,
        head_hidden_size=None,
        activation="relu",
        dropout=0.0,
    ):
        super().__init__()
        self.experts = nn.ModuleList(experts)
        width = self.experts[0].out_features
        self.n_tasks = len(n_classes)
        n_experts = len(self.experts)
        # One layer for all gates, initialised gate by gate as the per-task
        # nn.Linear gates were (same seed, same starting weights).
        self.gates = nn.utils.skip_init(nn.Linear, input_size, self.n_tasks * n_experts)
        for t in range(self.n_tasks):
            rows = slice(t * n_experts, (t + 1) * n_experts)
            _init_linear_(self.gates.weight[rows], self.gates.bias[rows])
        self.heads = TaskHeads(width, n_classes, head_hidden_size, activation, dropout)

    def encode(self, X):
        """Every expert's features.

        Parameters
        ----------
        X : Tensor of shape (batch, ...)
            A batch of inputs, as the experts read them.

        Returns
        -------
        features : Tensor of shape (batch, n_experts, out_features)
            The experts' outputs, stacked.
        """
        return torch.stack([expert(X) for expert in self.experts], dim=1)

    def decode(self, features, X):
        """Per-task logits from each task's gated mixture of the experts.

        Parameters
        ----------
        features : Tensor of shape (batch, n_experts, out_features)
            The output of :meth:`encode`.
        X : Tensor of shape (batch, ...)
            The inputs, read by the gates (flattened).

        Returns
        -------
        logits : TaskLogits
            A sequence of one ``(batch, n_classes_t)`` tensor per task.
        """
        gates = self.gates(X.flatten(start_dim=1))
        gates = torch.softmax(gates.unflatten(1, (self.n_tasks, -1)), dim=2)
        # (n_tasks, batch, out_features): each task's own mixture.
        mixtures = torch.einsum("bte,bef->tbf", gates, features)
        return self.heads(mixtures)

    def input_readers(self):
        """The modules that read the raw input ``X`` (the experts and the gates).

        Returns
        -------
        readers : list of nn.Module
            What decides whether sparse batches reach the network as they
            are (``sklmtl.nn._sparse_input.accepts_sparse``).
        """
        return [*self.experts, self.gates]

    def shared_parameters(self):
        """Parameters read by every task (the experts').

        Returns
        -------
        parameters : list of Parameter
            What gradient aggregators and GradNorm treat as shared.
        """
        return list(self.experts.parameters())

    def forward(self, X):
        return self.decode(self.encode(X), X)


class HPS(ParamsMixin):
    """Architecture spec: hard parameter sharing (``architecture="hps"``).

    One trunk shared by all tasks, one head per task; see
    :class:`HardParameterSharing`.

    Examples
    --------
    >>> from sklmtl.nn import HPS
    >>> HPS()
    HPS()
    """

    def build(self, make_trunk, input_size, n_classes, **head_params):
        """Build the torch module of this architecture.

        Parameters
        ----------
        make_trunk : callable
            Returns a fresh trunk on each call (one per expert for MMoE).
        input_size : int
            Number of input features (after flattening images).
        n_classes : sequence of int
            Number of classes of each task.
        **head_params : dict
            ``head_hidden_size``, ``activation`` and ``dropout`` of the heads.

        Returns
        -------
        module : nn.Module
            The network: :class:`HardParameterSharing` for ``HPS``,
            :class:`MultiGateMixtureOfExperts` for ``MMoE``.
        """
        return HardParameterSharing(make_trunk(), n_classes, **head_params)

    def __repr__(self):
        return f"{type(self).__name__}({self._params_repr()})"


class MMoE(HPS):
    """Architecture spec: multi-gate mixture of experts (``architecture="mmoe"``).

    Ma et al., KDD 2018; see :class:`MultiGateMixtureOfExperts`. Each expert
    is a fresh trunk of the estimator's ``trunk`` kind.

    Parameters
    ----------
    n_experts : int, default=4
        Number of expert trunks.

    Examples
    --------
    >>> from sklmtl.nn import MMoE
    >>> MMoE(n_experts=3)
    MMoE(n_experts=3)
    """

    def __init__(self, n_experts=4):
        self.n_experts = n_experts

    def build(self, make_trunk, input_size, n_classes, **head_params):
        if isinstance(self.n_experts, bool) or not (
            isinstance(self.n_experts, int) and self.n_experts >= 1
        ):
            raise ValueError(
                f"MMoE: n_experts must be an int >= 1; got {self.n_experts!r}."
            )
        experts = [make_trunk() for _ in range(self.n_experts)]
        return MultiGateMixtureOfExperts(experts, input_size, n_classes, **head_params)
