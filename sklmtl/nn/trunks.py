"""Trunks: the shared feature extractors that every task head reads.

A trunk is an ``nn.Module`` mapping a batch of inputs to a batch of feature
vectors ``(batch, out_features)`` and exposing ``out_features``.
"""

from torch import nn

__all__ = ["CNNTrunk", "FlatFeatures", "MLPTrunk", "make_activation"]

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

    def stages(self):
        """The trunk cut after each hidden layer, for layer-wise soft sharing.

        Returns
        -------
        stages : list of nn.Sequential
            One block per hidden layer (``Linear`` up to its activation and
            dropout), sharing this trunk's modules; running them in order
            is the trunk's forward pass. Empty when the trunk has no layer.

        Examples
        --------
        >>> from sklmtl.nn import MLPTrunk
        >>> len(MLPTrunk(8, hidden_layer_sizes=(16, 4)).stages())
        2
        """
        return _split_before(self.layers, nn.Linear)


class CNNTrunk(nn.Module):
    """Small convolutional trunk: ``[conv -> pool -> activation]`` blocks, then a
    fully connected layer.

    The defaults are LeNet-sized, as in the MultiMNIST literature:
    conv(10, 5) - pool - conv(20, 5) - pool - fc(50). Flat input is reshaped
    to ``input_shape`` first.

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, height, width)`` of one image.
    conv_channels : tuple of int, default=(10, 20)
        Output channels of each convolution block.
    kernel_size : int, default=5
        Convolution kernel size.
    padding : int, default=0
        Zero padding of each convolution (use ``kernel_size // 2`` for small
        images such as 8x8 digits).
    pool_size : int, default=2
        Max-pooling window after each convolution.
    fc_size : int, default=50
        Width of the final fully connected layer (the feature width).
    activation : str, default="relu"
        Activation name, see :func:`make_activation`.
    dropout : float, default=0.0
        Dropout before the fully connected layer and after it.

    Attributes
    ----------
    out_features : int
        ``fc_size``.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import CNNTrunk
    >>> trunk = CNNTrunk((1, 28, 28))
    >>> trunk(torch.zeros(2, 784)).shape
    torch.Size([2, 50])
    """

    def __init__(
        self,
        input_shape,
        conv_channels=(10, 20),
        kernel_size=5,
        padding=0,
        pool_size=2,
        fc_size=50,
        activation="relu",
        dropout=0.0,
    ):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        channels, height, width = self.input_shape
        layers = []
        for out_channels in conv_channels:
            height = (height + 2 * padding - kernel_size + 1) // pool_size
            width = (width + 2 * padding - kernel_size + 1) // pool_size
            if height < 1 or width < 1:
                raise ValueError(
                    f"CNNTrunk: images of shape {self.input_shape} are too small for "
                    f"{len(conv_channels)} blocks with kernel_size={kernel_size}, "
                    f"padding={padding} and pool_size={pool_size}; lower kernel_size "
                    "or the number of conv_channels, or raise padding."
                )
            layers += [
                nn.Conv2d(channels, out_channels, kernel_size, padding=padding),
                nn.MaxPool2d(pool_size),
                make_activation(activation),
            ]
            channels = out_channels
        layers.append(nn.Flatten())
        if dropout:
            layers.append(nn.Dropout(dropout))
        layers += [nn.Linear(channels * height * width, fc_size)]
        layers.append(make_activation(activation))
        if dropout:
            layers.append(nn.Dropout(dropout))
        self.layers = nn.Sequential(*layers)
        self.out_features = fc_size

    def forward(self, X):
        return self.layers(X.reshape(-1, *self.input_shape))

    def stages(self):
        """The trunk cut after each convolution block and before the fc layer.

        Returns
        -------
        stages : list of nn.Sequential
            One block per convolution (the first also reshapes flat input
            to images), then the fully connected block; they share this
            trunk's modules, and running them in order is its forward pass.

        Examples
        --------
        >>> from sklmtl.nn import CNNTrunk
        >>> len(CNNTrunk((1, 28, 28)).stages())
        3
        """
        stages = _split_before(self.layers, (nn.Conv2d, nn.Flatten))
        stages[0] = nn.Sequential(_Reshape(self.input_shape), *stages[0])
        return stages


class FlatFeatures(nn.Module):
    """Wrap any feature extractor so that it returns ``(batch, out_features)``.

    ``out_features`` is found with one dry forward pass on zeros.

    Parameters
    ----------
    module : nn.Module
        The user's trunk (e.g. a torchvision backbone without its classifier).
    input_shape : tuple of int
        Shape of one input sample.

    Examples
    --------
    >>> from torch import nn
    >>> from sklmtl.nn import FlatFeatures
    >>> FlatFeatures(nn.Conv2d(1, 4, 3), (1, 8, 8)).out_features
    144
    """

    def __init__(self, module, input_shape):
        super().__init__()
        self.module = module
        self.out_features = _dry_run_width(module, input_shape)

    def forward(self, X):
        return self.module(X).flatten(start_dim=1)

    def stages(self):
        """The wrapped module as one stage (its inside is not known).

        Returns
        -------
        stages : list of nn.Module
            ``[self]``.

        Examples
        --------
        >>> from torch import nn
        >>> from sklmtl.nn import FlatFeatures
        >>> len(FlatFeatures(nn.Conv2d(1, 4, 3), (1, 8, 8)).stages())
        1
        """
        return [self]


class _Reshape(nn.Module):
    """Reshape each sample to ``shape`` (flat rows to images)."""

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, X):
        return X.reshape(-1, *self.shape)


def _split_before(layers, kinds):
    """Cut a Sequential into blocks that each start with a module of ``kinds``."""
    blocks = []
    for layer in layers:
        if isinstance(layer, kinds) or not blocks:
            blocks.append([])
        blocks[-1].append(layer)
    return [nn.Sequential(*block) for block in blocks]


def _dry_run_width(module, input_shape):
    import torch

    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = module(torch.zeros(2, *input_shape))
    except Exception as exc:  # any failure here is a shape mismatch to report
        raise ValueError(
            f"The trunk {type(module).__name__} failed on input of shape "
            f"(2, {', '.join(map(str, input_shape))}): {exc}"
        ) from exc
    finally:
        module.train(was_training)
    if not hasattr(out, "flatten") or out.ndim < 2 or out.shape[0] != 2:
        raise ValueError(
            f"The trunk {type(module).__name__} must return a tensor of shape "
            "(batch, ...) with one row per sample."
        )
    return int(out[0].numel())
