"""Task weighting strategies and the one place that resolves their aliases."""

from ._base import LossWeighting, TaskWeighting
from .equal import EqualWeighting

__all__ = ["EqualWeighting", "LossWeighting", "TaskWeighting", "resolve_weighting"]

_ALIASES = {
    "equal": EqualWeighting,
}


def resolve_weighting(task_weighting):
    """Return a fresh, unfitted strategy for an alias or an instance.

    Parameters
    ----------
    task_weighting : str or TaskWeighting
        An alias (see ``sklmtl.weighting.ALIASES``) or a strategy instance,
        which is cloned so that the caller's object is never trained.

    Returns
    -------
    strategy : TaskWeighting
        A new strategy object.

    Examples
    --------
    >>> from sklmtl.weighting import resolve_weighting
    >>> resolve_weighting("equal")
    EqualWeighting()
    """
    if isinstance(task_weighting, str):
        try:
            return _ALIASES[task_weighting]()
        except KeyError:
            raise ValueError(
                f"task_weighting={task_weighting!r} is not a known alias; use one of "
                f"{sorted(_ALIASES)} or a TaskWeighting instance."
            ) from None
    if isinstance(task_weighting, TaskWeighting):
        return type(task_weighting)(**task_weighting.get_params())
    raise TypeError(
        "task_weighting must be an alias string or a sklmtl.weighting.TaskWeighting "
        f"instance; got {type(task_weighting).__name__}."
    )
