"""The typed JSON of parameters and fitted attributes, and the allow-list.

:func:`encode` turns a parameter value (or a fitted attribute: the task
descriptions, the table encoding) into JSON-safe data whose every non-JSON
value is tagged with its type (``{"__tuple__": [...]}``, ``{"__class__":
"sklmtl.weighting.MGDA"}``, ...); :class:`Decoder` reads it back. Labels
use the tags of :mod:`sklmtl.io._label_codec`. A class is written by its
public name and read back only through the allow-list
(:func:`public_classes`: sklmtl's weightings and ``nn`` components and the
``torch.optim`` optimizers) or the caller's ``custom_objects``: nothing
read from a file is ever imported.
"""

import math
import numbers

import numpy as np
import torch

from .. import nn, weighting
from ._label_codec import (
    LABEL_TAGS,
    decode_array,
    decode_label,
    encode_array,
    encode_label,
)

__all__ = ["Decoder", "class_name", "encode", "public_classes"]


def public_classes():
    """Public name -> class for everything a file may name.

    Returns
    -------
    allowed : dict of str to type
        sklmtl's weightings and ``nn`` components by their public path, and
        every ``torch.optim`` optimizer.

    Examples
    --------
    >>> from sklmtl.io._codec import public_classes
    >>> allowed = public_classes()
    >>> allowed["sklmtl.weighting.MGDA"].__name__, "torch.optim.Adam" in allowed
    ('MGDA', True)
    """
    allowed = {}
    for module, prefix in ((weighting, "sklmtl.weighting"), (nn, "sklmtl.nn")):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type):
                allowed[f"{prefix}.{name}"] = obj
    for name in dir(torch.optim):
        obj = getattr(torch.optim, name)
        if (
            isinstance(obj, type)
            and issubclass(obj, torch.optim.Optimizer)
            and obj is not torch.optim.Optimizer
        ):
            allowed[f"torch.optim.{name}"] = obj
    return allowed


def class_name(cls, allowed_by_class, path):
    """The name a file holds for the class ``cls``.

    Parameters
    ----------
    cls : type
        A class given as a parameter (a weighting, a trunk, an optimizer).
    allowed_by_class : dict of type to str
        :func:`public_classes`, inverted.
    path : str
        The parameter's name, for the error message.

    Returns
    -------
    name : str
        Its public name, or ``"custom:<module>.<qualname>"`` for a user's
        ``torch.nn.Module`` subclass (loaded only through ``custom_objects``).

    Raises
    ------
    TypeError
        For any other class.
    """
    name = allowed_by_class.get(cls)
    if name is not None:
        return name
    if isinstance(cls, type) and issubclass(cls, torch.nn.Module):
        return f"custom:{cls.__module__}.{cls.__qualname__}"
    raise TypeError(
        f"Cannot save {path}={cls!r}: only sklmtl components, torch.optim "
        "optimizers and torch.nn.Module subclasses (as trunks) can be saved."
    )


def encode(value, path, allowed_by_class):
    """JSON-safe, typed form of a parameter value.

    Parameters
    ----------
    value : object
        A parameter value or a fitted attribute: plain values, tuples, lists,
        dicts, arrays, labels, allowed classes and sklmtl components.
    path : str
        Where the value sits (``"task_weighting"``, ``"target"``), for the
        error message.
    allowed_by_class : dict of type to str
        :func:`public_classes`, inverted.

    Returns
    -------
    data : object
        JSON-safe data that :meth:`Decoder.value` reads back.

    Raises
    ------
    TypeError
        When the value has no safe representation (a module instance, an
        object that is not an sklmtl component), naming ``path``.

    Examples
    --------
    >>> from sklmtl.io._codec import Decoder, encode
    >>> data = encode((1, float("inf"), {"a": None}), "p", {})
    >>> data
    {'__tuple__': [1, {'__float__': 'inf'}, {'__dict__': [['a', None]]}]}
    >>> Decoder(None).value(data)
    (1, inf, {'a': None})
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, path, allowed_by_class) for v in value]}
    if isinstance(value, list):
        return [encode(v, path, allowed_by_class) for v in value]
    if isinstance(value, dict):
        return {
            "__dict__": [
                [encode(k, path, allowed_by_class), encode(v, path, allowed_by_class)]
                for k, v in value.items()
            ]
        }
    if isinstance(value, np.ndarray):
        return {"__array__": encode_array(value)}
    if isinstance(value, torch.device):  # device=torch.device("cuda", 0)
        return {"__device__": str(value)}
    if isinstance(value, type):
        return {"__class__": class_name(value, allowed_by_class, path)}
    if hasattr(value, "get_params") and type(value) in allowed_by_class:
        return {
            "__object__": allowed_by_class[type(value)],
            "params": {
                k: encode(v, f"{path}.{k}", allowed_by_class)
                for k, v in value.get_params().items()
            },
        }
    if isinstance(value, torch.nn.Module):
        raise TypeError(
            f"Cannot save {path}: a module instance ({type(value).__name__}) has no "
            "safe representation. Pass its class and trunk__<param> arguments "
            "instead (e.g. trunk=MyTrunk, trunk__width=64), or for a torchvision "
            "or timm model its name and starting weights (trunk='resnet18', "
            "trunk__weights='weights.pt' written by "
            "torch.save(model.state_dict(), 'weights.pt'))."
        )
    try:  # a label given as a parameter (missing_label, class_weight keys)
        return encode_label(value)
    except TypeError:
        pass
    raise TypeError(
        f"Cannot save {path}={value!r} ({type(value).__name__}): it is not a plain "
        "value, a label, an array or an sklmtl component."
    )


class Decoder:
    """Turns the typed JSON back into values, resolving names via the allow-list.

    Parameters
    ----------
    custom_objects : dict or None
        ``{name: class}`` for the custom classes the caller trusts.
    """

    def __init__(self, custom_objects):
        self.allowed = public_classes()
        self.custom = dict(custom_objects or {})

    def cls(self, name):
        """The class a file names: allowed, or handed over in ``custom_objects``."""
        if name in self.allowed:
            return self.allowed[name]
        if name.startswith("custom:"):
            short = name[len("custom:") :]
            for key in (short, short.rsplit(".", 1)[-1]):
                if key in self.custom:
                    return self.custom[key]
            raise ValueError(
                f"The file uses the custom class {short!r}; load it with "
                f"custom_objects={{{short.rsplit('.', 1)[-1]!r}: TheClass}} if you "
                "trust it. sklmtl never imports a name read from a file."
            )
        raise ValueError(
            f"Refusing to load: the file names {name!r}, which is not one of "
            "sklmtl's components or a torch.optim optimizer. The file may have "
            "been tampered with."
        )

    def value(self, obj):
        """The value of :func:`encode`'s data ``obj``."""
        if isinstance(obj, list):
            return [self.value(v) for v in obj]
        if not isinstance(obj, dict):
            return obj
        if "__float__" in obj:
            return float(obj["__float__"])
        if "__int__" in obj:
            return int(obj["__int__"])
        if "__bytes__" in obj:
            return bytes.fromhex(obj["__bytes__"])
        if "__scalar__" in obj:
            return self.array({"dtype": obj["__scalar__"], "values": [obj["value"]]})[0]
        if LABEL_TAGS.intersection(obj):
            return decode_label(obj, self.value)
        if "__tuple__" in obj:
            return tuple(self.value(v) for v in obj["__tuple__"])
        if "__dict__" in obj:
            return {self._key(k): self.value(v) for k, v in obj["__dict__"]}
        if "__array__" in obj:
            return self.array(obj["__array__"])
        if "__device__" in obj:
            return torch.device(obj["__device__"])
        if "__class__" in obj:
            return self.cls(obj["__class__"])
        if "__object__" in obj:
            cls = self.cls(obj["__object__"])
            return cls(**{k: self.value(v) for k, v in obj["params"].items()})
        raise ValueError(f"Unknown entry in the file: {sorted(obj)}.")

    def _key(self, key):
        value = self.value(key)
        return tuple(value) if isinstance(value, list) else value

    def array(self, spec):
        """The array of an ``encode_array`` spec."""
        return decode_array(spec, self.value)
