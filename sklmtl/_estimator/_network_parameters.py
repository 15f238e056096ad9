"""The shared parameters that define the network: architecture and inputs.

Each is declared once (:class:`~sklmtl._estimator._parameters.Parameter`);
``network=True`` marks those a continued fit cannot change.
"""

import numbers

import numpy as np

from .._validation import (
    InstanceOf,
    Interval,
    LayerSizes,
    Options,
)
from ..nn.tabular import NUMERIC_EMBEDDINGS
from ._declaration import Parameter

__all__ = ["NETWORK_PARAMETERS"]

_BOOL = InstanceOf(bool, np.bool_, name="bool")
_NONE = Options({None})

NETWORK_PARAMETERS = (
    Parameter(
        "hidden_layer_sizes",
        (256, 128),
        [LayerSizes()],
        """\
tuple of int, default=(256, 128)
    Widths of the shared MLP trunk's hidden layers.""",
        network=True,
    ),
    Parameter(
        "activation",
        "relu",
        (),
        """\
{"relu", "tanh", "logistic", "identity", "gelu", "elu", \
"leaky_relu"}, default="relu"
    Activation of the hidden layers.""",
    ),
    Parameter(
        "dropout",
        0.0,
        [Interval(numbers.Real, 0, 1, closed="left")],
        """\
float, default=0.0
    Dropout probability after each hidden layer (trunk and heads).""",
    ),
    Parameter(
        "batch_norm",
        False,
        [_BOOL],
        """\
bool, default=False
    Whether to add batch normalisation to the trunk.""",
        network=True,
    ),
    Parameter(
        "head_hidden_size",
        None,
        [_NONE, Interval(numbers.Integral, 1, None)],
        """\
int or None, default=None
    Width of a hidden layer of each task's own head; None for linear heads.""",
        network=True,
    ),
    Parameter(
        "ensemble_size",
        1,
        [Interval(numbers.Integral, 1, None)],
        """\
int, default=1
    Members of an efficient ensemble in the MLP trunk (TabM-mini,
    Gorishniy et al., ICLR 2025): each member scales the trunk's input
    features by its own vector (initialised with random signs), shares
    the trunk's layers and has its own heads. The members train together
    (the loss is the mean of their losses) and predict together
    (``predict_proba`` averages their probabilities, a regressor their
    outputs). 1 is the plain network. Needs ``trunk="mlp"`` and
    ``architecture="hps"``; an epoch costs about ``ensemble_size`` times
    the trunk's work (user guide, "Ensembles and a linear path").""",
        network=True,
    ),
    Parameter(
        "linear_path",
        False,
        [_BOOL],
        """\
bool, default=False
    Whether a linear map from the trunk's input features (the encoded
    row: standardised numbers, categorical embeddings) adds to every
    task's logits (or outputs), so that the network contains a linear
    model per task. It starts at zero. Needs ``trunk="mlp"`` and
    ``architecture="hps"``.""",
        network=True,
    ),
    Parameter(
        "trunk",
        "mlp",
        (),
        """\
{"mlp", "cnn"}, str, callable, nn.Module subclass or nn.Module \
instance, default="mlp"
    What extracts the shared features. ``"mlp"`` uses
    ``hidden_layer_sizes``; ``"cnn"`` is a LeNet-sized
    :class:`~sklmtl.nn.CNNTrunk` for images ``(n_samples, C, H, W)`` or
    flat rows with ``image_shape``. Any other name is an image backbone:
    a torchvision classification model (``"resnet18"``,
    ``"mobilenet_v3_small"``, ...) or ``"timm:<name>"``, built (as is a
    builder function such as ``torchvision.models.resnet18``) with the
    ``trunk__<param>`` arguments, ``trunk__weights`` its starting weights
    (a local state-dict file, whose SHA-256 digest is recorded as
    ``trunk_weights_sha256_``, or torchvision's weights by name), and its
    classifier removed (user guide, Images). A class is built with
    the ``trunk__<param>`` keyword arguments; an instance is copied; a
    torchvision or timm model given either way loses its classifier too.
    The feature width is found with a dry forward pass, so the heads
    attach automatically.""",
        network=True,
    ),
    Parameter(
        "architecture",
        "hps",
        (),
        """\
{"hps", "mmoe", "cgc", "ple", "cross_stitch"} or HPS, default="hps"
    How tasks share the trunk: hard parameter sharing, a multi-gate
    mixture of experts whose experts are trunks (``architecture__n_experts``),
    task-specific and shared experts (CGC, or PLE over ``n_levels``), or one
    trunk per task joined by cross-stitch units; an alias or a spec from
    :mod:`sklmtl.nn` (:class:`~sklmtl.nn.MMoE`, :class:`~sklmtl.nn.PLE`, ...).""",
        network=True,
    ),
    Parameter(
        "image_shape",
        None,
        [_NONE, InstanceOf(tuple, list)],
        """\
tuple of int or None, default=None
    ``(C, H, W)`` or ``(H, W)`` of flat image rows, for image trunks.""",
        network=True,
    ),
    Parameter(
        "categorical_features",
        "from_dtype",
        [
            Options({None, "from_dtype"}),
            InstanceOf(list, tuple, np.ndarray),
        ],
        """\
None, "from_dtype" or array-like, default="from_dtype"
    Which columns of ``X`` are categorical, as in
    ``HistGradientBoostingClassifier``: ``"from_dtype"`` takes a
    DataFrame's ``category``, ``object``, ``string`` and ``bool`` columns
    (a numeric array has none); column indices, names or a boolean mask
    select them explicitly; None makes every column numeric. Each
    categorical column is encoded at fit and gets a learned embedding;
    missing values and categories unseen at fit map to a reserved
    "unknown" embedding (see the user guide, "Tabular input").""",
        network=True,
    ),
    Parameter(
        "categorical_embedding_dim",
        "auto",
        [
            Options({"auto"}),
            Interval(numbers.Integral, 1, None),
        ],
        """\
"auto" or int, default="auto"
    Width of each categorical column's embedding; ``"auto"`` is
    ``min(16, round(1.6 * n_levels ** 0.56))``, where ``n_levels``
    counts the column's categories plus the reserved unknown level
    (3 categories: ``n_levels=4``, width 3).""",
        network=True,
    ),
    Parameter(
        "numeric_embedding",
        None,
        [Options({None, *NUMERIC_EMBEDDINGS})],
        """\
{None, "periodic", "piecewise_linear"}, default=None
    Embeddings for numerical features (Gorishniy et al., NeurIPS 2022):
    ``"periodic"`` (PLR; ``numeric_embedding__n_frequencies``,
    ``__sigma``, ``__d_embedding``) or ``"piecewise_linear"`` (PLE with
    ``numeric_embedding__n_bins`` training quantile bins, default 16).""",
        network=True,
    ),
    Parameter(
        "missing_values",
        "error",
        [Options({"error", "indicator"})],
        """\
{"error", "indicator"}, default="error"
    NaN in numeric columns of ``X``: ``"error"`` rejects them;
    ``"indicator"`` imputes the training median and adds an indicator
    column for each numeric column that had missing values at fit (with
    row weights, 1-D ``sample_weight``, the weighted median, and rows of
    weight 0 do not count: an integer weight fits as repeated rows).
    Whenever a table needs encoding (categorical columns, or either
    option above), its numeric columns are also scaled
    (``numeric_scaling``).""",
        network=True,
    ),
    Parameter(
        "numeric_scaling",
        "auto",
        [Options({"auto", "standard", "robust", None})],
        """\
{"auto", "standard", "robust", None}, default="auto"
    How the numeric columns of a table (a DataFrame or a dense 2-D array)
    are scaled before the network, with statistics of the training rows
    (kept in the fitted model, saved, and applied at prediction):
    ``"standard"`` subtracts the mean and divides by the standard
    deviation; ``"robust"`` is RealMLP's (Holzmüller et al. 2024):
    subtract the median, divide by the interquartile range (half the
    range where the quartiles coincide), then clip smoothly,
    ``z / sqrt(1 + (z / 3)**2)``, so outliers keep their order but stay
    within ``(-3, 3)``; None feeds the values as they are. ``"auto"``
    standardises when the table is encoded anyway (categorical columns,
    ``missing_values="indicator"``, ``numeric_embedding``) and feeds a
    numeric table as it is. Row weights (1-D ``sample_weight``) weigh the
    statistics. On the development tables ``"standard"`` and ``"robust"``
    lifted movies by 5.2/5.4 points and diamonds by 16.2/16.7 over
    ``"auto"`` (user guide, "Scaling numeric columns").
    Images (4-D arrays, or rows that ``image_shape`` makes images),
    torch ``Dataset`` objects and sparse matrices are never scaled
    (centring would make a sparse matrix dense; use ``MaxAbsScaler``).""",
        network=True,
    ),
    Parameter(
        "task_weighting",
        "equal",
        (),
        """\
str, list, dict or TaskWeighting, default="equal"
    How per-task losses (or gradients) are combined: an alias (see
    ``sklmtl.weighting.ALIASES``), fixed weights (a list or a
    ``{task_name: weight}`` dict) or a strategy instance from
    :mod:`sklmtl.weighting` (copied at fit). Its hyperparameters are
    ``task_weighting__<param>``.""",
        network=True,
    ),
)
