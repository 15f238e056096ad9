"""Trunks: the shared feature extractors that every task head reads.

A trunk is an ``nn.Module`` mapping a batch of inputs to a batch of feature
vectors ``(batch, out_features)`` and exposing ``out_features``.
"""

from torch import nn

__all__ = ["MLPTrunk", "make_activation"]

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "identity": nn.Identity,
    "gelu": nn.GELU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
}


def make_activation(name):
    """Build the activation module for a scikit-learn style name.

    Parameters
    ----------
    name : {"relu", "tanh", "logistic", "identity", "gelu", "elu", "leaky_relu"}
        The activation (``"logistic"`` is the sigmoid, as in ``MLPClassifier``).

    Returns
    -------
    module : nn.Module
        A fresh activation module.

    Examples
    --------
    >>> from sklmtl.nn import make_activation
    >>> make_activation("relu")
    ReLU()
    """
    try:
        return _ACTIVATIONS[name]()
    except (KeyError, TypeError):
        raise ValueError(
            f"activation must be one of {sorted(_ACTIVATIONS)}; got {name!r}."
        ) from None


class MLPTrunk(nn.Module):
    """Fully connected trunk: ``Linear -> [BatchNorm] -> activation -> [Dropout]``.

    Parameters
    ----------
    n_features : int
        Input width.
    hidden_layer_sizes : tuple of int, default=(256, 128)
        Width of each hidden layer; ``()`` passes the input through.
    activation : str, default="relu"
        Activation name, see :func:`make_activation`.
    dropout : float, default=0.0
        Dropout probability after each hidden layer.
    batch_norm : bool, default=False
        Whether to add batch normalisation before each activation.

    Attributes
    ----------
    out_features : int
        Width of the feature vector the trunk returns.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MLPTrunk
    >>> trunk = MLPTrunk(8, hidden_layer_sizes=(16, 4))
    >>> trunk(torch.zeros(3, 8)).shape
    torch.Size([3, 4])
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        layers = []
        width = n_features
        for size in hidden_layer_sizes:
            layers.append(nn.Linear(width, size))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(make_activation(activation))
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        self.layers = nn.Sequential(*layers)
        self.out_features = width

    def forward(self, X):
        return self.layers(X)
