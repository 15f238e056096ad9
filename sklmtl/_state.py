"""Copy the training state of a skorch net into a freshly built one.

Used by a continued ``fit`` (a new net with the new settings, the old
weights), by ``on_divergence="restore_best"`` and by :func:`sklmtl.io.load`.
"""

import copy
from collections import OrderedDict

import torch
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


def training_state(net, into=None):
    """Copies of what continued training needs from a fitted net.

    Parameters
    ----------
    net : MultiTaskNeuralNet
        An initialised net.
    into : dict or None, default=None
        An earlier result of this function for the same net, that nothing
        else holds: its tensors are overwritten with the current values
        where shapes, dtypes and layouts match (no allocation, no deep copy;
        a per-epoch snapshot costs a memory copy), and fresh copies are made
        elsewhere. The result equals the one without ``into``.

    Returns
    -------
    state : dict
        ``module``, ``weighting`` and ``optimizer`` state dicts (deep copies),
        the optimizer's class, ``optimizer_param_names`` (the name of each
        parameter the optimizer's state numbers, in its order, so that a
        net with other parameter groups can take the moments over by name),
        and the states of the gradient scaler (``precision="fp16"``) and of
        the learning-rate schedule (None without them).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._state import training_state
    >>> clf = MultiTaskNetClassifier(max_epochs=1).fit([[0.0], [1.0]], [0, 1])
    >>> sorted(training_state(clf.net_))  # doctest: +NORMALIZE_WHITESPACE
    ['grad_scaler', 'lr_schedule', 'module', 'optimizer', 'optimizer_class',
     'optimizer_param_names', 'weighting']
    """
    optimizer = _unwrapped(net.optimizer_)
    scaler = getattr(net, "grad_scaler_", None)
    schedule = dict(getattr(net, "callbacks_", [])).get("lr_schedule")
    into = into or {}
    copies = []
    state = {
        "module": _copied(
            bare_module(net.module_).state_dict(), into.get("module"), copies
        ),
        "weighting": _copied(
            net.criterion_.weighting.state_dict(), into.get("weighting"), copies
        ),
        "optimizer": _copied(optimizer.state_dict(), into.get("optimizer"), copies),
        "optimizer_class": type(optimizer),
        "optimizer_param_names": optimizer_param_names(net),
        "grad_scaler": None if scaler is None else scaler.state_dict(),
        "lr_schedule": None if schedule is None else schedule.state_dict(),
    }
    _copy_all(copies)
    return state


def _copied(value, old, copies):
    """A deep copy of ``value``, reusing ``old``'s matching tensors.

    Dicts and lists are rebuilt (their keys and scalars can change, an
    optimizer's ``lr`` under a schedule). A tensor of ``old`` at the same
    place with the same shape, dtype and device (both contiguous) is reused:
    the pair ``(old tensor, tensor)`` goes to ``copies``, for the caller to
    copy at once; other tensors are deep-copied. A state dict's
    ``_metadata`` (module versions, fixed for a module) is carried over.
    """
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is torch.Tensor:
        if (
            type(old) is torch.Tensor
            and old.shape == value.shape
            and old.dtype == value.dtype
            and old.device == value.device
            and value.layout == torch.strided
            and old.is_contiguous()
            and value.is_contiguous()
            and not value.requires_grad
        ):
            copies.append((old, value))
            return old
        return copy.deepcopy(value)
    if kind is tuple and all(type(v) in _IMMUTABLE for v in value):
        return value
    if kind in (dict, OrderedDict):
        old = old if type(old) is kind else {}
        out = kind((k, _copied(v, old.get(k), copies)) for k, v in value.items())
        metadata = getattr(value, "_metadata", None)
        if metadata is not None:
            kept = getattr(old, "_metadata", None)
            out._metadata = kept if kept == metadata else copy.deepcopy(metadata)
        return out
    if kind is list:
        if type(old) is not list or len(old) != len(value):
            old = [None] * len(value)
        return [_copied(v, o, copies) for v, o in zip(value, old)]
    return copy.deepcopy(value)


def _copy_all(copies):
    """Copy each ``(destination, source)`` pair, in one call where torch can."""
    if not copies:
        return
    destinations, sources = zip(*copies)
    with torch.no_grad():
        torch._foreach_copy_(list(destinations), list(sources))


_IMMUTABLE = (int, float, bool, str, type(None))


def optimizer_param_names(net):
    """The name of every parameter the optimizer holds, in its state's order.

    Parameters
    ----------
    net : MultiTaskNeuralNet
        An initialised net.

    Returns
    -------
    names : list of str
        ``"module.<name>"`` or ``"criterion.<name>"`` for each parameter, in
        the order of the optimizer's parameter groups (the indices of its
        ``state_dict``).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._state import optimizer_param_names
    >>> clf = MultiTaskNetClassifier(hidden_layer_sizes=(), max_epochs=1)
    >>> optimizer_param_names(clf.fit([[0.0], [1.0]], [0, 1]).net_)
    ['module.heads.weight', 'module.heads.bias']
    """
    names = {}
    for prefix in ("module", "criterion"):
        component = bare_module(getattr(net, prefix + "_"))
        for name, param in component.named_parameters():
            names.setdefault(id(param), f"{prefix}.{name}")
    optimizer = _unwrapped(net.optimizer_)
    return [names[id(p)] for group in optimizer.param_groups for p in group["params"]]


def _unwrapped(optimizer):
    """The torch optimizer inside a wrapper (Accelerate's AcceleratedOptimizer)."""
    return getattr(optimizer, "optimizer", optimizer)


def load_training_state(net, state, keep_hyperparameters=True):
    """Load a :func:`training_state` into a net built for the same network.

    The optimizer's moments are restored only when the optimizer class is
    the same; its hyperparameters (``lr``, ``momentum``, ...) stay those of
    ``net`` when ``keep_hyperparameters`` (a continued fit with new settings),
    else they are the saved ones (restoring a snapshot). When ``net``'s
    optimizer groups its parameters otherwise (``optimizer__param_groups``
    changed), each parameter's moments are taken over by its name and the
    groups' hyperparameters stay ``net``'s.

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
    scaler = getattr(net, "grad_scaler_", None)
    if scaler is not None and state.get("grad_scaler"):
        scaler.load_state_dict(state["grad_scaler"])
    schedule = dict(getattr(net, "callbacks_", [])).get("lr_schedule")
    if schedule is not None:
        schedule.load_state_dict(state.get("lr_schedule"))
    if state.get("optimizer_class", type(optimizer)) is not type(optimizer):
        return
    saved_names = state.get("optimizer_param_names")
    names = optimizer_param_names(net)
    saved_sizes = [len(g["params"]) for g in state["optimizer"]["param_groups"]]
    if saved_names is not None and (
        saved_names != names
        or saved_sizes != [len(g["params"]) for g in optimizer.param_groups]
    ):
        _load_moments_by_name(optimizer, state["optimizer"], saved_names, names)
        return
    groups = [
        {k: v for k, v in group.items() if k != "params"}
        for group in optimizer.param_groups
    ]
    optimizer.load_state_dict(state["optimizer"])
    if keep_hyperparameters:
        for group, settings in zip(optimizer.param_groups, groups):
            group.update(settings)


def _load_moments_by_name(optimizer, saved, saved_names, names):
    """Each parameter's saved moments, found by name, into ``optimizer``."""
    by_name = dict(zip(saved_names, range(len(saved_names))))
    state = {}
    for index, name in enumerate(names):
        old = by_name.get(name)
        if old is not None and old in saved["state"]:
            state[index] = saved["state"][old]
    current = optimizer.state_dict()
    optimizer.load_state_dict({"state": state, "param_groups": current["param_groups"]})
