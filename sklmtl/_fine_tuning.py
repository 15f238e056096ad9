"""Helpers of the skorch net's fine-tuning options.

:func:`check_param_groups` checks skorch's ``optimizer__param_groups``,
:func:`inside_frozen` finds the BatchNorm layers of a frozen trunk, and
:func:`cast_floats` brings mixed-precision outputs back to the network's
dtype before the losses (:class:`~sklmtl._net.MultiTaskNeuralNet`).
"""

import torch

from .nn import TaskLogits

__all__ = ["cast_floats", "check_param_groups", "inside_frozen"]


def cast_floats(value, dtype):
    """``value`` (a tensor or nested tuples/lists of them), floats cast to ``dtype``.

    Examples
    --------
    >>> import torch
    >>> from sklmtl._fine_tuning import cast_floats
    >>> half = torch.ones(2, dtype=torch.bfloat16)
    >>> [t.dtype for t in cast_floats((half, torch.ones(2)), torch.float32)]
    [torch.float32, torch.float32]
    """
    if isinstance(value, torch.Tensor):
        return value.to(dtype) if value.is_floating_point() else value
    if isinstance(value, TaskLogits):
        # Same class and layout (an ensemble's member logits stay so).
        return value.with_flat(value.flat.to(dtype))
    if isinstance(value, (tuple, list)):
        return type(value)(cast_floats(v, dtype) for v in value)
    return value


def inside_frozen(module, norm, shared):
    """Whether ``norm`` lies in a submodule whose parameters are all ``shared``.

    Examples
    --------
    >>> from torch import nn
    >>> from sklmtl._fine_tuning import inside_frozen
    >>> net = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)),
    ...                     nn.Linear(2, 1))
    >>> inside_frozen(net, net[0][1], {id(p) for p in net[0].parameters()})
    True
    >>> inside_frozen(net, net[0][1], {id(p) for p in net[1].parameters()})
    False
    """
    for candidate in module.modules():
        params = [id(p) for p in candidate.parameters()]
        if (
            candidate is not module
            and params
            and set(params) <= shared
            and any(m is norm for m in candidate.modules())
        ):
            return True
    return False


def check_param_groups(optimizer, groups, accepted):
    """Check skorch's ``optimizer__param_groups``: ``[(pattern, {option: value})]``.

    Examples
    --------
    >>> import inspect, torch
    >>> from sklmtl._fine_tuning import check_param_groups
    >>> accepted = inspect.signature(torch.optim.SGD).parameters
    >>> check_param_groups(torch.optim.SGD, [("trunk.*", {"lr": 0.1})], accepted)
    >>> check_param_groups(torch.optim.SGD, {"trunk.*": 0.1}, accepted)
    Traceback (most recent call last):
    ...
    TypeError: optimizer__param_groups must be a list of (pattern, options) pairs, ...
    """
    example = "optimizer__param_groups=[('trunk.*', {'lr': 1e-4})]"
    if not isinstance(groups, (list, tuple)):
        raise TypeError(
            f"optimizer__param_groups must be a list of (pattern, options) pairs, "
            f"e.g. {example}; got {type(groups).__name__}."
        )
    for entry in groups:
        if (
            not isinstance(entry, (list, tuple))
            or len(entry) != 2
            or not isinstance(entry[0], str)
            or not isinstance(entry[1], dict)
        ):
            raise TypeError(
                "optimizer__param_groups must hold (pattern, options) pairs: a "
                f"str pattern over parameter names and a dict, e.g. {example}; "
                f"got {entry!r}."
            )
        unknown = sorted(set(entry[1]) - (set(accepted) - {"params"}))
        if unknown:
            raise TypeError(
                f"optimizer__param_groups: {unknown} for the pattern {entry[0]!r} "
                f"are not options of {optimizer.__name__}; its options are "
                f"{sorted(set(accepted) - {'params'})}."
            )
