"""Whether a network can read a sparse batch of rows as it is.

``torch.nn.functional.linear`` multiplies a sparse COO batch by its dense
weight (``torch.sparse.mm``) and gives the weight and bias their dense
gradients, the same ones as the densified batch (within float rounding). A
network whose every module that reads the raw input starts with an
``nn.Linear`` (the MLP trunks and experts, the gates of MMoE and PLE/CGC,
the first stage of cross-stitch columns) therefore trains and predicts on
sparse batches without densifying them. Each architecture names the
modules that read its input (``input_readers()``); anything else (a CNN, the
tabular trunk, a user's trunk, an MLP trunk without hidden layers, whose
input goes straight to the heads) reads dense batches.
"""

from torch import nn

from .trunks import MLPTrunk

__all__ = ["accepts_sparse"]


def _starts_with_linear(module):
    """Whether ``module``'s forward pass applies an ``nn.Linear`` to its input first.

    Exact types only: a subclass may override ``forward``.
    """
    while True:
        if type(module) is nn.Linear:
            return True
        if type(module) is MLPTrunk:
            module = module.layers
        elif type(module) is nn.Sequential and len(module):
            module = module[0]
        else:
            return False


def accepts_sparse(module):
    """Whether ``module`` reads sparse COO batches without densifying them.

    Parameters
    ----------
    module : nn.Module
        A multi-task network. Its ``input_readers()`` (defined by the
        architectures of :mod:`sklmtl.nn`) lists the modules that read the
        raw input; a module without it reads dense batches.

    Returns
    -------
    accepts : bool
        True when every input reader applies an ``nn.Linear`` first.

    Examples
    --------
    >>> from sklmtl.nn import HardParameterSharing, MLPTrunk
    >>> from sklmtl.nn._sparse_input import accepts_sparse
    >>> accepts_sparse(HardParameterSharing(MLPTrunk(5, (8,)), n_classes=(2,)))
    True
    >>> accepts_sparse(HardParameterSharing(MLPTrunk(5, ()), n_classes=(2,)))
    False
    """
    readers = getattr(module, "input_readers", None)
    if readers is None:
        return False
    readers = list(readers())
    return bool(readers) and all(_starts_with_linear(m) for m in readers)
