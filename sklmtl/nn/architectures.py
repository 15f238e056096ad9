"""Architectures: how the task heads share the trunk's parameters.

Every architecture splits its forward pass in two, ``encode`` (shared
parameters) and ``decode`` (task-specific parameters), so that gradient
aggregation can act on the shared part only.
"""

from torch import nn

from .trunks import make_activation

__all__ = ["HardParameterSharing", "TaskHead"]


class TaskHead(nn.Module):
    """One task's classifier: an optional hidden layer, then logits.

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


class HardParameterSharing(nn.Module):
    """One shared trunk, one head per task (Caruana, 1997).

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
        self.heads = nn.ModuleList(
            TaskHead(trunk.out_features, k, head_hidden_size, activation, dropout)
            for k in n_classes
        )

    def encode(self, X):
        """Shared features of ``X``, of shape ``(batch, trunk.out_features)``."""
        return self.trunk(X)

    def decode(self, features):
        """Tuple of per-task logits, each of shape ``(batch, n_classes_t)``."""
        return tuple(head(features) for head in self.heads)

    def shared_parameters(self):
        """Parameters read by every task (the trunk's)."""
        return list(self.trunk.parameters())

    def forward(self, X):
        return self.decode(self.encode(X))
