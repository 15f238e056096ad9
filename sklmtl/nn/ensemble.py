"""Efficient ensembles in the shared trunk (TabM-mini) and a linear path.

:class:`EnsembleSharing` is hard parameter sharing with two additions, each
optional:

- ``n_members`` members that share the trunk (TabM-mini, Gorishniy et al.,
  "TabM: Advancing Tabular Deep Learning with Parameter-Efficient
  Ensembling", ICLR 2025). Member ``i`` multiplies the trunk's input
  features by its own vector ``r_i`` (initialised with random signs, so that
  the members differ from the first step), runs the shared trunk and its own
  heads. A batch is run for all members at once, stacked member by member
  along the batch axis. In training mode the output is a
  :class:`MemberLogits` (every member's logits) and the loss is the mean of
  the members' losses; in evaluation mode the output is the members' pooled
  logits, whose activation is the mean of the members' probabilities (or
  outputs): every reader of the network (``predict_proba``, the binary-label
  path, the validation loss, the ONNX graph) gets the ensemble's average.
- a linear path: a linear map from the trunk's input features (the encoded
  row: standardised numbers, categorical embeddings) straight to every
  task's logits, added to the heads' output, so that the network contains a
  linear model per task. It starts at zero (the network starts as it would
  without it) and is shared by the members.

Why TabM-mini rather than full TabM (an adapter at every layer): the trunk's
modules stay as they are (``MLPTrunk``, the tabular embeddings), so freezing,
parameter groups and the trunk's saved layout keep working; the paper reports
TabM-mini close to full TabM and pairs it with numeric embeddings (its
TabM-mini with piecewise-linear embeddings), at the lowest cost in parameters
(``n_members`` input scalings and heads).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from .._tasks import MIN_VARIANCE
from ._logits import BINARY_LOGIT_SCALE, TaskLogits
from .heads import TaskHeads
from .tabular import TabularTrunk

__all__ = ["EnsembleSharing", "MemberLogits", "pool_members"]


class MemberLogits(TaskLogits):
    """Every member's logits, stacked member by member along the batch axis.

    What :class:`EnsembleSharing` returns in training mode: ``flat`` holds
    ``n_members * batch`` rows, member ``i`` in rows ``i * batch`` to
    ``(i + 1) * batch``. The loss repeats the batch's targets for every
    member (:class:`~sklmtl.nn.MultiTaskObjective`), so each task's loss is
    the mean of the members' losses; :meth:`pooled` gives the ensemble's
    prediction.

    Parameters
    ----------
    flat : Tensor of shape (n_members * batch, sum of sizes)
        The members' logits.
    sizes : sequence of int
        The width of each task's logits.
    offsets : sequence of int or None
        Where each task starts in ``flat`` (None: from ``sizes``).
    n_members : int
        The number of members.
    activations : sequence of {"softmax", "sigmoid", "identity"}
        Each task's activation (what :meth:`pooled` averages).

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import MemberLogits
    >>> logits = MemberLogits(torch.tensor([[0.0], [2.0]]), (1,), None, 2,
    ...                       ["identity"])
    >>> logits.pooled().flat.tolist()
    [[1.0]]
    """

    def __init__(self, flat, sizes, offsets, n_members, activations):
        super().__init__(flat, sizes, offsets)
        self.n_members = int(n_members)
        self.activations = tuple(activations)

    def with_flat(self, flat):
        """The same members and layout around other logits (another dtype).

        Parameters
        ----------
        flat : Tensor of shape (n_members * batch, sum of sizes)
            The new logits.

        Returns
        -------
        logits : MemberLogits
        """
        return MemberLogits(
            flat, self.sizes, self._offsets, self.n_members, self.activations
        )

    def pooled(self):
        """The ensemble's logits: their activation is the members' mean.

        Returns
        -------
        logits : TaskLogits
            One row per sample (see :func:`pool_members`).
        """
        flat = pool_members(
            self.flat, self.n_members, self.sizes, self.activations, self._offsets
        )
        return TaskLogits(flat, self.sizes, self._offsets)


def pool_members(flat, n_members, sizes, activations, offsets=None):
    """Logits whose activation is the mean of the members' activations.

    - ``"softmax"``: ``log(mean_i softmax(z_i))``, computed as a
      ``logsumexp`` of log-probabilities (its softmax is the mean of the
      members' probabilities);
    - ``"sigmoid"`` (one logit ``u``, probability ``sigmoid(2 u)``): the
      ``u`` whose probability is the members' mean;
    - ``"identity"``: the mean of the outputs; with a second (variance)
      column, that of the members' Gaussian mixture, mean of the variances
      plus variance of the means, written back through ``softplus``'s
      inverse.

    Parameters
    ----------
    flat : Tensor of shape (n_members * batch, sum of sizes)
        The members' logits, member by member.
    n_members : int
        The number of members.
    sizes : sequence of int
        The width of each task's logits.
    activations : sequence of {"softmax", "sigmoid", "identity"}
        Each task's activation.
    offsets : sequence of int or None, default=None
        Where each task starts (None: from ``sizes``).

    Returns
    -------
    pooled : Tensor of shape (batch, sum of sizes)

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn.ensemble import pool_members
    >>> members = torch.tensor([[0.0, 0.0], [1.0, -1.0]])  # 2 members, 1 row
    >>> pooled = pool_members(members, 2, (2,), ["softmax"])
    >>> torch.softmax(pooled, dim=1).tolist() == torch.softmax(
    ...     members, dim=1).mean(0, keepdim=True).tolist()
    True
    """
    if offsets is None:
        offsets = [0]
        for size in sizes:
            offsets.append(offsets[-1] + int(size))
    stacked = flat.unflatten(0, (n_members, -1))
    if all(a == "sigmoid" for a in activations):
        return _pool_sigmoid(stacked)
    log_k = math.log(n_members)
    parts = []
    for t, activation in enumerate(activations):
        members = stacked[..., offsets[t] : offsets[t + 1]]
        if activation == "sigmoid":
            parts.append(_pool_sigmoid(members))
        elif activation == "softmax":
            log_proba = torch.log_softmax(members, dim=2)
            parts.append(torch.logsumexp(log_proba, dim=0) - log_k)
        elif members.shape[2] == 1:
            parts.append(members.mean(dim=0))
        else:
            parts.append(_pool_gaussian(members))
    return torch.cat(parts, dim=1)


def _pool_sigmoid(members):
    """``u`` with ``sigmoid(2 u)`` the mean of the members' ``sigmoid(2 u_i)``."""
    z = BINARY_LOGIT_SCALE * members
    positive = torch.logsumexp(F.logsigmoid(z), dim=0)
    negative = torch.logsumexp(F.logsigmoid(-z), dim=0)
    return (positive - negative) / BINARY_LOGIT_SCALE


def _pool_gaussian(members):
    """Mean and variance column of the members' equally weighted mixture."""
    mean = members[..., :1]
    variance = F.softplus(members[..., 1:2]) + MIN_VARIANCE
    pooled_mean = mean.mean(dim=0)
    pooled_variance = variance.mean(dim=0) + ((mean - pooled_mean) ** 2).mean(dim=0)
    excess = (pooled_variance - MIN_VARIANCE).clamp(min=torch.finfo(mean.dtype).tiny)
    # softplus's inverse: y + log(1 - exp(-y)).
    raw = excess + torch.log(-torch.expm1(-excess))
    return torch.cat([pooled_mean, raw, members[..., 2:].mean(dim=0)], dim=1)


class EnsembleSharing(nn.Module):
    """Hard parameter sharing with TabM-mini members and a linear path.

    See the module's documentation (``sklmtl.nn.ensemble``) for what the
    members and the linear path do. With ``n_members=1`` and
    ``linear_path=False`` use :class:`~sklmtl.nn.HardParameterSharing`
    (what the estimators do).

    Parameters
    ----------
    trunk : nn.Module
        The shared trunk: an :class:`~sklmtl.nn.MLPTrunk` reading flat rows,
        or a :class:`~sklmtl.nn.TabularTrunk` (whose input layer encodes the
        row; the members scale and the linear path reads its output).
    input_size : int
        Width of the flat rows the trunk reads (for a tabular trunk, the
        width of its input layer's output is used instead).
    n_classes : sequence of int
        Output width of each task.
    activations : sequence of {"softmax", "sigmoid", "identity"}
        Each task's activation: how the members' outputs are averaged.
    n_members : int, default=1
        Members of the ensemble.
    linear_path : bool, default=False
        Whether a linear map from the trunk's input features adds to the
        logits.
    head_hidden_size : int or None, default=None
        Width of each head's own hidden layer; None for linear heads.
    activation : str, default="relu"
        Activation of the heads' hidden layers.
    dropout : float, default=0.0
        Dropout in the heads' hidden layers.

    Attributes
    ----------
    member_scaling : Parameter of shape (n_members, in_features)
        Each member's scaling of the trunk's input (only with
        ``n_members > 1``), initialised with random signs.
    heads : TaskHeads or nn.ModuleList of TaskHeads
        The heads: one :class:`~sklmtl.nn.TaskHeads` per member.
    linear_weight : Parameter of shape (sum(n_classes), in_features)
        The linear path (only with ``linear_path``), initialised at zero.

    Examples
    --------
    >>> import torch
    >>> from sklmtl.nn import EnsembleSharing, MLPTrunk
    >>> net = EnsembleSharing(MLPTrunk(5, (8,)), 5, n_classes=(3, 1),
    ...                       activations=["softmax", "identity"], n_members=4,
    ...                       linear_path=True)
    >>> net(torch.zeros(6, 5)).flat.shape  # training: 4 members x 6 rows
    torch.Size([24, 4])
    >>> net.eval()(torch.zeros(6, 5)).flat.shape  # evaluation: pooled
    torch.Size([6, 4])
    """

    def __init__(
        self,
        trunk,
        input_size,
        n_classes,
        activations,
        n_members=1,
        linear_path=False,
        head_hidden_size=None,
        activation="relu",
        dropout=0.0,
    ):
        super().__init__()
        if isinstance(n_members, bool) or not (
            isinstance(n_members, int) and n_members >= 1
        ):
            raise ValueError(
                f"EnsembleSharing: n_members must be an int >= 1; got {n_members!r}."
            )
        sizes = tuple(int(k) for k in n_classes)
        if len(activations) != len(sizes):
            raise ValueError(
                f"EnsembleSharing: {len(activations)} activations for {len(sizes)} "
                "tasks; give one per task."
            )
        self.trunk = trunk
        self.n_members = n_members
        self.activations = tuple(activations)
        self._tabular = isinstance(trunk, TabularTrunk)
        in_features = trunk.inputs.out_features if self._tabular else int(input_size)
        self.in_features = in_features
        self.trunk_width = trunk.out_features
        if n_members > 1:
            # TabM's "random-signs" initialisation of the first adapter.
            signs = torch.bernoulli(torch.full((n_members, in_features), 0.5))
            self.member_scaling = nn.Parameter(2 * signs - 1)
            self.heads = nn.ModuleList(
                TaskHeads(
                    trunk.out_features, sizes, head_hidden_size, activation, dropout
                )
                for _ in range(n_members)
            )
        else:
            self.member_scaling = None
            self.heads = TaskHeads(
                trunk.out_features, sizes, head_hidden_size, activation, dropout
            )
        self.sizes = sizes
        heads = self.heads[0] if n_members > 1 else self.heads
        self.offsets = heads.offsets
        self.linear_weight = (
            nn.Parameter(torch.zeros(self.offsets[-1], in_features))
            if linear_path
            else None
        )

    def encode(self, X):
        """Shared features of every member (and the encoded row for the linear path).

        Parameters
        ----------
        X : Tensor of shape (batch, n_features)
            A batch of rows, as the trunk reads them.

        Returns
        -------
        features : Tensor of shape (n_members * batch, width)
            The trunk's output for each member, member by member; with the
            linear path, the encoded row follows in the last
            ``in_features`` columns.
        """
        if self._tabular:
            encoded, body = self.trunk.inputs(X), self.trunk.trunk
        else:
            encoded, body = X.flatten(start_dim=1), self.trunk
        k = self.n_members
        if k > 1:
            scaled = encoded.unsqueeze(0) * self.member_scaling.unsqueeze(1)
            features = body(scaled.flatten(end_dim=1))
        else:
            features = body(encoded)
        if self.linear_weight is None:
            return features
        rows = encoded.repeat(k, 1) if k > 1 else encoded
        return torch.cat([features, rows], dim=1)

    def decode(self, features, X):
        """The members' logits (training) or their pooled logits (evaluation).

        Parameters
        ----------
        features : Tensor of shape (n_members * batch, width)
            The output of :meth:`encode`.
        X : Tensor of shape (batch, n_features)
            The inputs (unused).

        Returns
        -------
        logits : MemberLogits or TaskLogits
            In training mode with several members, every member's logits;
            otherwise one row per sample.
        """
        hidden = features[:, : self.trunk_width]
        k = self.n_members
        if k > 1:
            per_member = hidden.unflatten(0, (k, -1))
            flat = torch.cat(
                [head(part).flat for head, part in zip(self.heads, per_member)]
            )
        else:
            flat = self.heads(hidden).flat
        if self.linear_weight is not None:
            flat = flat + F.linear(features[:, self.trunk_width :], self.linear_weight)
        if k == 1:
            return TaskLogits(flat, self.sizes, self.offsets)
        logits = MemberLogits(flat, self.sizes, self.offsets, k, self.activations)
        return logits if self.training else logits.pooled()

    def input_readers(self):
        """The modules that read the raw input (this network: dense batches).

        Returns
        -------
        readers : list of nn.Module
            ``[self]``: the members' scaling and the linear path read dense
            rows (``sklmtl.nn._sparse_input.accepts_sparse``).
        """
        return [self]

    def shared_parameters(self):
        """Parameters read by every task: the trunk's and the members' scalings.

        Returns
        -------
        parameters : list of Parameter
            What gradient aggregators and GradNorm treat as shared.
        """
        shared = list(self.trunk.parameters())
        if self.member_scaling is not None:
            shared.append(self.member_scaling)
        return shared

    def forward(self, X):
        return self.decode(self.encode(X), X)

    def extra_repr(self):
        return (
            f"n_members={self.n_members}, linear_path={self.linear_weight is not None}"
        )
