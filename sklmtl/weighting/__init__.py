"""Task weighting strategies and the one place that resolves their aliases.

Two families: loss weightings combine per-task losses into one scalar;
gradient aggregators (torchjd) combine per-task gradients of the shared
parameters.
"""

from .._params import fresh_copy
from ._base import LossWeighting, TaskWeighting
from .aggregators import (
    IMTLG,
    MGDA,
    AlignedMTL,
    CAGrad,
    GradientAggregator,
    NashMTL,
    PCGrad,
    UPGrad,
)
from .dwa import DynamicWeightAverage
from .equal import EqualWeighting
from .fixed import FixedWeighting
from .gradnorm import GradNorm
from .rlw import RandomLossWeighting
from .uncertainty import UncertaintyWeighting

__all__ = [
    "ALIASES",
    "AlignedMTL",
    "CAGrad",
    "DynamicWeightAverage",
    "EqualWeighting",
    "FixedWeighting",
    "GradNorm",
    "GradientAggregator",
    "IMTLG",
    "LossWeighting",
    "MGDA",
    "NashMTL",
    "PCGrad",
    "RandomLossWeighting",
    "TaskWeighting",
    "UPGrad",
    "UncertaintyWeighting",
    "resolve_weighting",
]

#: Alias -> strategy class, for ``task_weighting="<alias>"``.
ALIASES = {
    "equal": EqualWeighting,
    "uncertainty": UncertaintyWeighting,
    "dwa": DynamicWeightAverage,
    "gradnorm": GradNorm,
    "rlw": RandomLossWeighting,
    "pcgrad": PCGrad,
    "mgda": MGDA,
    "cagrad": CAGrad,
    "upgrad": UPGrad,
    "imtl_g": IMTLG,
    "aligned_mtl": AlignedMTL,
    "nash_mtl": NashMTL,
}


def resolve_weighting(task_weighting, params=None):
    """Return a fresh, unfitted strategy for an alias, weights or an instance.

    Parameters
    ----------
    task_weighting : str, sequence of float, dict or TaskWeighting
        An alias from ``ALIASES``, fixed weights (a list, or a
        ``{task_name: weight}`` dict), or a strategy instance, which is copied
        so that the caller's object is never trained.
    params : dict or None, default=None
        ``task_weighting__<param>`` arguments for an alias.

    Returns
    -------
    strategy : TaskWeighting
        A new strategy object.

    Examples
    --------
    >>> from sklmtl.weighting import resolve_weighting
    >>> resolve_weighting("dwa", {"temperature": 1.0})
    DynamicWeightAverage(temperature=1.0)
    >>> resolve_weighting([1.0, 2.0])
    FixedWeighting(weights=[1.0, 2.0])
    """
    params = dict(params or {})
    if isinstance(task_weighting, str):
        try:
            cls = ALIASES[task_weighting]
        except KeyError:
            raise ValueError(
                f"task_weighting={task_weighting!r} is not a known alias; use one of "
                f"{sorted(ALIASES)}, a list or dict of weights, or a TaskWeighting "
                "instance."
            ) from None
        try:
            return cls(**params)
        except TypeError:
            raise ValueError(
                f"task_weighting__ parameters {sorted(params)} are not accepted by "
                f"{cls.__name__}; its parameters are {cls._get_param_names()}."
            ) from None
    if params:
        raise ValueError(
            f"task_weighting__ parameters {sorted(params)} need task_weighting to be "
            "an alias string; set them on the instance instead."
        )
    if isinstance(task_weighting, TaskWeighting):
        return fresh_copy(task_weighting)
    if isinstance(task_weighting, (list, tuple, dict)):
        return FixedWeighting(task_weighting)
    raise TypeError(
        "task_weighting must be an alias string, a list or dict of weights, or a "
        f"sklmtl.weighting.TaskWeighting instance; got {type(task_weighting).__name__}."
    )
