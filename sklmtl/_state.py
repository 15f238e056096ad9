"""Copy the training state of a skorch net into a freshly built one.

Used by a continued ``fit`` (a new net with the new settings, the old
weights), by ``on_divergence="restore_best"`` and by :func:`sklmtl.io.load`.
"""

import copy

from torch import nn

__all__ = ["bare_module", "load_training_state", "training_state"]


def bare_module(module):
    """The module inside data-parallel wrappers (DDP, ``DataParallel``).

    ``accelerate`` wraps the module in ``DistributedDataParallel`` while it
    trains on several processes, which prefixes every state-dict key with
    ``module.``; skorch's mixin unwraps it when training ends. State copied
    from and loaded into the bare module fits either way.

    Parameters
    ----------
    module : torch.nn.Module
        A module, wrapped or not.

    Returns
    -------
    module : torch.nn.Module
        The innermost wrapped module (``module`` itself when not wrapped).

    Examples
    --------
    >>> from torch import nn
    >>> from sklmtl._state import bare_module
    >>> layer = nn.Linear(2, 1)
    >>> bare_module(nn.DataParallel(layer)) is layer
    True
    >>> bare_module(layer) is layer
    True
    """
    while isinstance(module, (nn.parallel.DistributedDataParallel, nn.DataParallel)):
        module = module.module
    return module


def training_state(net):
    """Copies of what continued training needs from a fitted net.

    Parameters
    ----------
    net : MultiTaskNeuralNet
        An initialised net.

    Returns
    -------
    state : dict
        ``module``, ``weighting`` and ``optimizer`` state dicts (deep copies)
        and the optimizer's class.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._state import training_state
    >>> clf = MultiTaskNetClassifier(max_epochs=1).fit([[0.0], [1.0]], [0, 1])
    >>> sorted(training_state(clf.net_))
    ['module', 'optimizer', 'optimizer_class', 'weighting']
    """
    optimizer = _unwrapped(net.optimizer_)
    return {
        "module": copy.deepcopy(bare_module(net.module_).state_dict()),
        "weighting": copy.deepcopy(net.criterion_.weighting.state_dict()),
        "optimizer": copy.deepcopy(optimizer.state_dict()),
        "optimizer_class": type(optimizer),
    }


def _unwrapped(optimizer):
    """The torch optimizer inside a wrapper (Accelerate's AcceleratedOptimizer)."""
    return getattr(optimizer, "optimizer", optimizer)


def load_training_state(net, state, keep_hyperparameters=True):
    """Load a :func:`training_state` into a net built for the same network.

    The optimizer's moments are restored only when the optimizer class is
    the same; its hyperparameters (``lr``, ``momentum``, ...) stay those of
    ``net`` when ``keep_hyperparameters`` (a continued fit with new settings),
    else they are the saved ones (restoring a snapshot).

    Parameters
    ----------
    net : MultiTaskNeuralNet
        An initialised net.
    state : dict
        From :func:`training_state`.
    keep_hyperparameters : bool, default=True
        Keep ``net``'s optimizer hyperparameters.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._state import load_training_state, training_state
    >>> clf = MultiTaskNetClassifier(max_epochs=1).fit([[0.0], [1.0]], [0, 1])
    >>> load_training_state(clf.net_, training_state(clf.net_))
    """
    bare_module(net.module_).load_state_dict(state["module"])
    net.criterion_.weighting.load_state_dict(state["weighting"])
    optimizer = _unwrapped(net.optimizer_)
    if state.get("optimizer_class", type(optimizer)) is not type(optimizer):
        return
    groups = [
        {k: v for k, v in group.items() if k != "params"}
        for group in optimizer.param_groups
    ]
    optimizer.load_state_dict(state["optimizer"])
    if keep_hyperparameters:
        for group, settings in zip(optimizer.param_groups, groups):
            group.update(settings)
