"""The network side of tabular input: embeddings in front of any trunk.

The estimators encode a table into ``[numeric | indicators | category codes]``
(:mod:`sklmtl._tabular`). :class:`TabularInput` reads that row and returns
the concatenation of

- the numeric features, as they are or through an embedding for numerical
  features (Gorishniy, Rubachev & Babenko, "On Embeddings for Numerical
  Features in Tabular Deep Learning", NeurIPS 2022):
  :class:`PeriodicEmbedding` (their PLR) or
  :class:`PiecewiseLinearEncoding` (their PLE with quantile bins);
- the missing-value indicators, as they are;
- one learned embedding per categorical column, whose row 0 is the reserved
  "unknown" level (missing values and categories unseen at fit). It starts
  at zero, so an unseen category contributes nothing until missing values
  at fit train it.

:class:`TabularTrunk` puts that input layer in front of the estimator's trunk
(``"mlp"`` or a user module), so the trunk reads a dense vector.
"""

import math

import numpy as np
import torch
from torch import nn

__all__ = [
    "PeriodicEmbedding",
    "PiecewiseLinearEncoding",
    "TabularInput",
    "TabularTrunk",
    "embedding_dim_for",
]


class PeriodicEmbedding(nn.Module):
    """Periodic embeddings of numeric features (PLR; Gorishniy et al., 2022).

    Each feature ``x_j`` becomes ``ReLU(W_j [cos(2 pi c_j x_j), sin(2 pi c_j
    x_j)] + b_j)`` with trainable frequencies ``c_j`` (initialised from
    ``N(0, sigma^2)``) and a per-feature linear layer.

    Parameters
    ----------
    n_features : int
        Number of numeric features.
    n_frequencies : int, default=16
        Frequencies per feature (``k`` in the paper).
    sigma : float, default=0.1
        Standard deviation of the initial frequencies, on standardised
        features; the paper's most influential hyperparameter.
    d_embedding : int, default=16
        Width of each feature's embedding.

    Attributes
    ----------
    out_features : int
        ``n_features * d_embedding``.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import PeriodicEmbedding
    >>> PeriodicEmbedding(3, d_embedding=4)(torch.zeros(2, 3)).shape
    torch.Size([2, 12])
    """

    def __init__(self, n_features, n_frequencies=16, sigma=0.1, d_embedding=16):
        super().__init__()
        _check_positive_int("n_frequencies", n_frequencies)
        _check_positive_int("d_embedding", d_embedding)
        if not (isinstance(sigma, (int, float)) and sigma > 0):
            raise ValueError(f"PeriodicEmbedding: sigma must be > 0; got {sigma!r}.")
        self.frequencies = nn.Parameter(torch.randn(n_features, n_frequencies) * sigma)
        bound = 1 / math.sqrt(2 * n_frequencies)
        self.weight = nn.Parameter(
            torch.empty(n_features, 2 * n_frequencies, d_embedding).uniform_(
                -bound, bound
            )
        )
        self.bias = nn.Parameter(
            torch.empty(n_features, d_embedding).uniform_(-bound, bound)
        )
        self.out_features = n_features * d_embedding

    def forward(self, X):
        angles = 2 * math.pi * X.unsqueeze(-1) * self.frequencies
        periodic = torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1)
        out = torch.einsum("bfk,fkd->bfd", periodic, self.weight) + self.bias
        return torch.relu(out).flatten(start_dim=1)


class PiecewiseLinearEncoding(nn.Module):
    """Piecewise-linear encoding with quantile bins (PLE; Gorishniy et al., 2022).

    With bin edges ``b_0 < ... < b_T`` of a feature, component ``t`` is 0
    below bin ``t``, 1 above it and linear inside it; the first bin is open
    below and the last open above, so extreme values stay distinguishable.
    Features with fewer bins than others are padded with zeros.

    Parameters
    ----------
    bin_edges : list of array-like
        Sorted edges of each feature (at least two each), e.g. training
        quantiles.

    Attributes
    ----------
    out_features : int
        ``n_features * max_bins``.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import PiecewiseLinearEncoding
    >>> ple = PiecewiseLinearEncoding([[0.0, 1.0, 2.0]])
    >>> ple(torch.tensor([[0.5], [1.5], [3.0]])).tolist()
    [[0.5, 0.0], [1.0, 0.5], [1.0, 2.0]]
    """

    def __init__(self, bin_edges):
        super().__init__()
        edges = [np.asarray(e, dtype=np.float64) for e in bin_edges]
        if any(len(e) < 2 or np.any(np.diff(e) <= 0) for e in edges):
            raise ValueError(
                "PiecewiseLinearEncoding: each feature needs at least two strictly "
                "increasing bin edges."
            )
        n_bins = max((len(e) - 1 for e in edges), default=1)
        left = np.zeros((len(edges), n_bins))
        width = np.ones((len(edges), n_bins))
        low = np.zeros((len(edges), n_bins))
        high = np.ones((len(edges), n_bins))
        mask = np.zeros((len(edges), n_bins))
        for j, e in enumerate(edges):
            t = len(e) - 1
            left[j, :t], width[j, :t], mask[j, :t] = e[:-1], np.diff(e), 1.0
            low[j, 0], high[j, t - 1] = -np.inf, np.inf
        for name, value in (
            ("left", left),
            ("width", width),
            ("low", low),
            ("high", high),
            ("mask", mask),
        ):
            self.register_buffer(name, torch.tensor(value, dtype=torch.float32))
        self.out_features = len(edges) * n_bins

    def forward(self, X):
        ratio = (X.unsqueeze(-1) - self.left) / self.width
        ratio = torch.minimum(torch.maximum(ratio, self.low), self.high)
        return (ratio * self.mask).flatten(start_dim=1)


def _make_periodic(n_numeric, bin_edges, **params):
    unknown = set(params) - {"n_frequencies", "sigma", "d_embedding"}
    if unknown:
        raise ValueError(
            "numeric_embedding='periodic' takes numeric_embedding__n_frequencies, "
            f"__sigma and __d_embedding; got {sorted(unknown)}."
        )
    return PeriodicEmbedding(n_numeric, **params)


def _make_piecewise(n_numeric, bin_edges, **params):
    if params:
        raise ValueError(
            "numeric_embedding='piecewise_linear' takes only numeric_embedding__"
            f"n_bins; got {sorted(params)}."
        )
    return PiecewiseLinearEncoding(bin_edges)


#: ``numeric_embedding`` aliases -> builders ``(n_numeric, bin_edges, **params)``.
NUMERIC_EMBEDDINGS = {"periodic": _make_periodic, "piecewise_linear": _make_piecewise}
#: Default number of quantile bins of ``"piecewise_linear"``.
DEFAULT_N_BINS = 16


def embedding_dim_for(cardinality, embedding_dim="auto"):
    """Width of a categorical column's embedding.

    Parameters
    ----------
    cardinality : int
        Rows of the embedding table (categories + the unknown level).
    embedding_dim : "auto" or int, default="auto"
        ``"auto"``: ``min(16, round(1.6 * cardinality ** 0.56))`` (the rule
        of thumb of fast.ai's tabular models, capped); an int is used as is.

    Returns
    -------
    int

    Examples
    --------
    >>> from sklmtl.nn import embedding_dim_for
    >>> embedding_dim_for(3), embedding_dim_for(1000), embedding_dim_for(5, 8)
    (3, 16, 8)
    """
    if embedding_dim == "auto":
        return int(min(16, max(1, round(1.6 * cardinality**0.56))))
    return int(embedding_dim)


class TabularInput(nn.Module):
    """Embed an encoded row ``[numeric | indicators | category codes]``.

    Parameters
    ----------
    n_numeric : int
        Numeric columns (standardised).
    n_indicators : int
        Missing-value indicator columns.
    cardinalities : sequence of int
        Embedding rows of each categorical column (row 0 is "unknown").
    numeric_embedding : None or nn.Module, default=None
        A module mapping ``(batch, n_numeric)`` to ``(batch, out_features)``
        (:class:`PeriodicEmbedding`, :class:`PiecewiseLinearEncoding`); None
        passes the numeric features through.
    categorical_embedding_dim : "auto" or int, default="auto"
        Width of each categorical embedding (:func:`embedding_dim_for`).

    Attributes
    ----------
    out_features : int
        Width of the vector handed to the trunk.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import TabularInput
    >>> inputs = TabularInput(2, 0, [4], categorical_embedding_dim=3)
    >>> inputs(torch.tensor([[0.1, -0.2, 3.0]])).shape
    torch.Size([1, 5])
    """

    def __init__(
        self,
        n_numeric,
        n_indicators,
        cardinalities,
        numeric_embedding=None,
        categorical_embedding_dim="auto",
    ):
        super().__init__()
        if not (
            categorical_embedding_dim == "auto"
            or (
                isinstance(categorical_embedding_dim, (int, np.integer))
                and not isinstance(categorical_embedding_dim, bool)
                and categorical_embedding_dim >= 1
            )
        ):
            raise ValueError(
                "categorical_embedding_dim must be 'auto' or an int >= 1; got "
                f"{categorical_embedding_dim!r}."
            )
        self.n_numeric, self.n_indicators = int(n_numeric), int(n_indicators)
        self.numeric_embedding = numeric_embedding
        self.embeddings = nn.ModuleList()
        for cardinality in cardinalities:
            table = nn.Embedding(
                int(cardinality),
                embedding_dim_for(cardinality, categorical_embedding_dim),
            )
            with torch.no_grad():
                table.weight[0].zero_()
            self.embeddings.append(table)
        numeric_width = (
            self.n_numeric
            if numeric_embedding is None
            else numeric_embedding.out_features
        )
        self.out_features = (
            numeric_width
            + self.n_indicators
            + sum(t.embedding_dim for t in self.embeddings)
        )

    def forward(self, X):
        n_dense = self.n_numeric + self.n_indicators
        numeric = X[:, : self.n_numeric]
        if self.numeric_embedding is not None:
            numeric = self.numeric_embedding(numeric)
        parts = [numeric, X[:, self.n_numeric : n_dense]]
        codes = X[:, n_dense:].long()
        parts += [table(codes[:, i]) for i, table in enumerate(self.embeddings)]
        return torch.cat(parts, dim=1)


class TabularTrunk(nn.Module):
    """A :class:`TabularInput` followed by a trunk that reads its output.

    Parameters
    ----------
    inputs : TabularInput
        The input layer.
    trunk : nn.Module
        A trunk with ``out_features`` whose input width is
        ``inputs.out_features``.

    Attributes
    ----------
    out_features : int
        ``trunk.out_features``.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MLPTrunk, TabularInput, TabularTrunk
    >>> inputs = TabularInput(1, 0, [3], categorical_embedding_dim=2)
    >>> trunk = TabularTrunk(inputs, MLPTrunk(inputs.out_features, (8,)))
    >>> trunk(torch.tensor([[0.5, 2.0]])).shape
    torch.Size([1, 8])
    """

    def __init__(self, inputs, trunk):
        super().__init__()
        self.inputs = inputs
        self.trunk = trunk
        self.out_features = trunk.out_features

    def forward(self, X):
        return self.trunk(self.inputs(X))


def tabular_trunk_factory(
    trunk_factory_for,
    layout,
    numeric_embedding=None,
    numeric_embedding_params=None,
    categorical_embedding_dim="auto",
):
    """Return a function that builds a fresh :class:`TabularTrunk` on each call.

    Parameters
    ----------
    trunk_factory_for : callable
        ``trunk_factory_for(input_shape)`` returns a trunk factory for rows
        of that shape (:func:`sklmtl.nn.make_trunk_factory` with the
        estimator's trunk parameters).
    layout : dict
        ``n_numeric``, ``n_indicators``, ``cardinalities`` and ``bin_edges``
        of the fitted encoder.
    numeric_embedding : None or {"periodic", "piecewise_linear"}, default=None
        The embedding of the numeric features.
    numeric_embedding_params : dict or None, default=None
        ``numeric_embedding__<param>`` arguments (for ``"piecewise_linear"``,
        ``n_bins`` is the encoder's and is left out here).
    categorical_embedding_dim : "auto" or int, default="auto"
        Width of each categorical embedding.

    Returns
    -------
    factory : callable
        ``factory()`` returns a new :class:`TabularTrunk`.

    Examples
    --------
    >>> from sklmtl.nn import make_trunk_factory
    >>> from sklmtl.nn.tabular import tabular_trunk_factory
    >>> layout = {"n_numeric": 2, "n_indicators": 0, "cardinalities": [3],
    ...           "bin_edges": None}
    >>> factory = tabular_trunk_factory(
    ...     lambda shape: make_trunk_factory("mlp", shape, {}, {}), layout,
    ...     numeric_embedding="periodic")
    >>> factory().inputs.out_features
    35
    """
    params = dict(numeric_embedding_params or {})
    if numeric_embedding == "piecewise_linear":
        params.pop("n_bins", None)
    if numeric_embedding is not None and numeric_embedding not in NUMERIC_EMBEDDINGS:
        raise ValueError(
            f"numeric_embedding={numeric_embedding!r} is not known; use None or "
            f"one of {sorted(NUMERIC_EMBEDDINGS)}."
        )

    def make():
        embed = None
        if numeric_embedding is not None and layout["n_numeric"]:
            embed = NUMERIC_EMBEDDINGS[numeric_embedding](
                layout["n_numeric"], layout["bin_edges"], **params
            )
        inputs = TabularInput(
            layout["n_numeric"],
            layout["n_indicators"],
            layout["cardinalities"],
            numeric_embedding=embed,
            categorical_embedding_dim=categorical_embedding_dim,
        )
        return TabularTrunk(inputs, trunk_factory_for((inputs.out_features,))())

    return make


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"PeriodicEmbedding: {name} must be an int >= 1; got {value!r}."
        )
