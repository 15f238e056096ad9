"""Declared parameter constraints, checked at ``fit`` as scikit-learn does.

skorch defines its own ``_validate_params``, which shadows scikit-learn's, so
the estimators cannot use ``_fit_context``. Instead every estimator and every
weighting strategy declares one table, ``_parameter_constraints``, mapping a
parameter name to a list of constraints (the value must satisfy one of them),
in the spirit of ``sklearn.utils._param_validation``; :func:`validate_params`
checks it and raises messages that name the owner, the parameter, the value
and what was expected. A value of the wrong type raises ``TypeError``; a value
of the right type outside its range raises ``ValueError``.
"""

import numbers

import numpy as np

__all__ = [
    "FloatDtype",
    "Interval",
    "InstanceOf",
    "LayerSizes",
    "Options",
    "SubclassOf",
    "resolve_device",
    "validate_params",
]


class Interval:
    """A real (or integral) number in a range.

    Parameters
    ----------
    kind : {numbers.Real, numbers.Integral}
        The accepted number type (bools are never numbers here).
    low, high : float or None
        Bounds; None for no bound.
    closed : {"both", "left", "right", "neither"}, default="both"
        Which bounds belong to the range.

    Examples
    --------
    >>> import numbers
    >>> from sklmtl._validation import Interval
    >>> Interval(numbers.Real, 0, 1, closed="right").describe()
    'a float in the range (0, 1]'
    """

    def __init__(self, kind, low, high, closed="both"):
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    def type_ok(self, value):
        return isinstance(value, self.kind) and not isinstance(value, (bool, np.bool_))

    def is_satisfied_by(self, value):
        if not self.type_ok(value) or not np.isfinite(value):
            return False
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.low is not None and (
            value < self.low or (value == self.low and not left)
        ):
            return False
        return self.high is None or not (
            value > self.high or (value == self.high and not right)
        )

    def describe(self):
        name = "an int" if self.kind is numbers.Integral else "a float"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        return f"{name} in the range {left}{low}, {high}{right}"


class Options:
    """One of a fixed set of values (compared with ``==`` and type).

    Examples
    --------
    >>> from sklmtl._validation import Options
    >>> Options({"raise", "restore_best"}).is_satisfied_by("raise")
    True
    """

    def __init__(self, values):
        self.values = values

    def type_ok(self, value):
        return any(type(value) is type(v) for v in self.values)

    def is_satisfied_by(self, value):
        return any(type(value) is type(v) and value == v for v in self.values)

    def describe(self):
        return "one of " + ", ".join(repr(v) for v in sorted(self.values, key=repr))


_FLOAT_DTYPES = ("float32", "float64")


def float_dtype_name(value):
    """``"float32"``/``"float64"`` for a spelling of either dtype, else None.

    Accepts the strings, numpy's types and dtypes (``np.float64``,
    ``np.dtype("float32")``) and torch's (``torch.float64``); torch is not
    imported: its dtypes print as ``torch.float64``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._validation import float_dtype_name
    >>> float_dtype_name(np.float64), float_dtype_name("float32"), float_dtype_name(1)
    ('float64', 'float32', None)
    """
    if isinstance(value, (bool, numbers.Number)) or value is None:
        return None
    if type(value).__module__ == "torch":
        name = str(value).removeprefix("torch.")
        return name if name in _FLOAT_DTYPES else None
    try:
        name = np.dtype(value).name
    except TypeError:
        return None
    if isinstance(value, str) and value != name:
        return None  # "double", "f8": only the names themselves
    return name if name in _FLOAT_DTYPES else None


class FloatDtype:
    """float32 or float64, spelled as a string, a numpy or a torch dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._validation import FloatDtype
    >>> FloatDtype().is_satisfied_by(np.float32), FloatDtype().is_satisfied_by("f2")
    (True, False)
    """

    def type_ok(self, value):
        return isinstance(value, str) or float_dtype_name(value) is not None

    def is_satisfied_by(self, value):
        return float_dtype_name(value) is not None

    def describe(self):
        return "'float32' or 'float64' (or that numpy or torch dtype)"


class InstanceOf:
    """An instance of one of the given types.

    Examples
    --------
    >>> from sklmtl._validation import InstanceOf
    >>> InstanceOf(bool).describe()
    'an instance of bool'
    """

    def __init__(self, *types, name=None):
        self.types, self.name = types, name

    def type_ok(self, value):
        return self.is_satisfied_by(value)

    def is_satisfied_by(self, value):
        return isinstance(value, self.types)

    def describe(self):
        names = self.name or " or ".join(t.__name__ for t in self.types)
        return f"an instance of {names}"


class SubclassOf:
    """A class that derives from ``base``.

    Examples
    --------
    >>> import torch
    >>> from sklmtl._validation import SubclassOf
    >>> SubclassOf(torch.optim.Optimizer, "Adam").is_satisfied_by(torch.optim.SGD)
    True
    """

    def __init__(self, base, example):
        self.base, self.example = base, example

    def type_ok(self, value):
        return self.is_satisfied_by(value)

    def is_satisfied_by(self, value):
        return isinstance(value, type) and issubclass(value, self.base)

    def describe(self):
        base = f"{self.base.__module__}.{self.base.__name__}"
        return f"a {base} subclass such as {self.example}"


class LayerSizes:
    """A tuple (or list) of positive ints, or one positive int.

    Examples
    --------
    >>> from sklmtl._validation import LayerSizes
    >>> LayerSizes().is_satisfied_by((64, 32))
    True
    """

    def type_ok(self, value):
        return isinstance(value, (tuple, list, numbers.Integral)) and not isinstance(
            value, bool
        )

    def is_satisfied_by(self, value):
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            value = (value,)
        return isinstance(value, (tuple, list)) and all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
            for s in value
        )

    def describe(self):
        return "a tuple of positive ints"


def validate_params(params, constraints, owner):
    """Check ``params`` against a declared constraint table.

    Parameters
    ----------
    params : dict
        Parameter name -> value (only names present in ``constraints`` are
        checked).
    constraints : dict
        Parameter name -> list of constraint objects, or ``"no_validation"``.
    owner : str
        The estimator or strategy name used in messages.

    Raises
    ------
    TypeError
        When the value has none of the accepted types.
    ValueError
        When it has an accepted type but is out of range or not an option.

    Examples
    --------
    >>> import numbers
    >>> from sklmtl._validation import Interval, validate_params
    >>> table = {"lr": [Interval(numbers.Real, 0, None, closed="neither")]}
    >>> validate_params({"lr": -1.0}, table, "Net")
    Traceback (most recent call last):
    ...
    ValueError: The 'lr' parameter of Net must be a float in the range (0, inf); ...
    """
    for name, value in params.items():
        options = constraints.get(name)
        if options is None or options == "no_validation":
            continue
        if any(c.is_satisfied_by(value) for c in options):
            continue
        expected = " or ".join(c.describe() for c in options)
        message = (
            f"The {name!r} parameter of {owner} must be {expected}; got {value!r}."
        )
        if any(c.type_ok(value) for c in options):
            raise ValueError(message)
        raise TypeError(message)


def resolve_device(device):
    """Turn ``"auto"``/``"cpu"``/``"cuda"``/``"cuda:N"`` into a checked device string.

    Parameters
    ----------
    device : str or torch.device
        The requested device; ``"auto"`` picks CUDA when available.

    Returns
    -------
    device : str
        A device torch accepts and that exists on this machine.

    Examples
    --------
    >>> import torch
    >>> from sklmtl._validation import resolve_device
    >>> resolve_device("cpu")
    'cpu'
    >>> resolve_device(torch.device("cpu"))
    'cpu'
    """
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise TypeError(
            "device must be a str such as 'cpu', 'cuda' or 'auto', or a "
            f"torch.device; got {device!r}."
        )
    try:
        parsed = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto'; got {device!r}."
        ) from None
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available "
            "on this machine; use device='cpu' or 'auto'."
        )
    return device
