"""Where the estimators' messages go: :func:`print_sink` and :func:`silent_sink`.

Kept apart from the callbacks so that :mod:`sklmtl.distributed` and the
estimator's build hook name a sink without importing any callback.
"""

import builtins

__all__ = ["print_sink", "silent_sink"]


def print_sink(*args, **kwargs):
    """Print through whatever ``builtins.print`` is when called.

    The sink of the epoch table and of early stopping's messages. skorch's
    default sink is ``print`` itself, stored in the fitted net, and pickle
    saves a builtin by its name only if ``builtins.print`` is still that very
    object: after Ray (its progress bars) or a notebook tool replaces
    ``print``, such a net no longer pickles. This function pickles by its own
    name, whatever ``print`` is.

    Parameters
    ----------
    *args, **kwargs
        Passed to ``print``.

    Examples
    --------
    >>> from sklmtl.callbacks import print_sink
    >>> print_sink("epoch 1")
    epoch 1
    """
    builtins.print(*args, **kwargs)


def silent_sink(*args, **kwargs):
    """A sink that prints nothing (the estimators' sink when ``verbose=0``).

    skorch calls a sink other than ``print`` whatever the net's verbosity,
    so a quiet net gets this one.

    Parameters
    ----------
    *args, **kwargs
        Ignored.

    Examples
    --------
    >>> from sklmtl.callbacks import silent_sink
    >>> silent_sink("epoch 1")
    """
