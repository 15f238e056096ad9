"""Cross-stitch networks (Misra et al., CVPR 2016).

The module (:class:`CrossStitchNetwork`) and its spec
(``architecture="cross_stitch"``); the layer-by-layer design it shares with
PLE is described in ``sklmtl.nn._soft_sharing`` and the user guide.
"""

import numbers

import torch
from torch import nn

from ._soft_sharing import apply_heads, make_heads, trunk_stages
from .architectures import HPS

__all__ = ["CrossStitch", "CrossStitchNetwork"]


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
        stages = [trunk_stages(column) for column in columns]
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
        self.heads = make_heads(
            columns[0].out_features, n_classes, head_hidden_size, activation, dropout
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
        return apply_heads(self.heads, features.unbind(dim=1))

    def input_readers(self):
        """The modules that read the raw input ``X``: each column's first stage.

        Returns
        -------
        readers : list of nn.Module
            What decides whether sparse batches reach the network as they
            are (``sklmtl.nn._sparse_input.accepts_sparse``).
        """
        return [column[0] for column in self.columns]

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
        if not trunk_stages(columns[0]):
            raise ValueError(
                "CrossStitch needs a trunk with at least one layer to stitch; got "
                "an MLP trunk with hidden_layer_sizes=()."
            )
        return CrossStitchNetwork(columns, n_classes, float(alpha), **head_params)
