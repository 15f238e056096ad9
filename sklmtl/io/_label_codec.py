"""Typed JSON of labels: what :mod:`sklmtl.io` writes for ``classes_``.

Plain numpy and the standard library (pandas is used only when a file holds
pandas labels, and only to build them); never imports torch. A label is read
back as the same type with the same value, so a loaded classifier's
``predict`` returns exactly what the saved one returned:

- an array of a numpy dtype keeps its dtype string (``"<i8"``, ``"|b1"``,
  ``"<U3"``, ``"<M8[us]"``, ...); bytes are written as hex, ``datetime64``
  and ``timedelta64`` as ``int64`` counts of their unit (``NaT`` included);
- an ``object`` array keeps every cell's exact type, tagged: Python
  ``int``/``float``/``bytes`` (``{"__int__": 1}``), numpy scalars with their
  dtype (``{"__scalar__": "<M8[D]", "value": 18262}``), ``pandas.Timestamp``
  (with its unit and time zone name) and ``pandas.Timedelta``, Python
  ``datetime`` (ISO format; a ``zoneinfo`` zone by its name),
  ``date``/``time`` (ISO format) and ``timedelta``,
  ``Decimal`` and ``Fraction`` (their exact text), and ``tuple``/
  ``frozenset`` of such labels; ``bool``, ``str`` and ``None`` are plain JSON.

Any other label type is refused when saving, and so is a label that would
not read back identical (a ``datetime`` whose time zone is neither a
fixed offset nor a ``zoneinfo`` zone, say):
:func:`check_round_trip` names the task and the kind.
"""

import datetime
import decimal
import fractions
import math
import sys
import zoneinfo

import numpy as np

__all__ = [
    "ARRAY_KINDS",
    "LABEL_TAGS",
    "check_round_trip",
    "decode_array",
    "decode_label",
    "encode_array",
    "encode_label",
]

#: Numpy dtype kinds an array may have in a file.
ARRAY_KINDS = "biufUSmM"
#: Tags of the label types below, beside those params share (``__int__``,
#: ``__float__``, ``__bytes__``, ``__scalar__``, ``__tuple__``).
LABEL_TAGS = frozenset(
    {
        "__timestamp__",
        "__timedelta__",
        "__datetime__",
        "__date__",
        "__time__",
        "__pytimedelta__",
        "__decimal__",
        "__fraction__",
        "__frozenset__",
    }
)
_SAVED_KINDS = (
    "bool, int, float, str, bytes, numpy scalars (datetime64 and timedelta64 "
    "included), pandas Timestamp and Timedelta, datetime, date, time, "
    "timedelta, Decimal, Fraction, and tuples or frozensets of these"
)


def encode_array(arr):
    """Typed JSON of a 1-D array: its dtype, and each object cell's exact type.

    Parameters
    ----------
    arr : array-like of shape (n,)
        Labels (e.g. one task's classes).

    Returns
    -------
    spec : dict
        ``{"dtype": ..., "values": [...]}`` (see the module docstring).

    Raises
    ------
    TypeError
        When a label (or the dtype) has no typed form.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.io._label_codec import encode_array
    >>> encode_array(np.array(["2020-01-02"], dtype="datetime64[D]"))
    {'dtype': '<M8[D]', 'values': [18263]}
    """
    arr = np.asarray(arr)
    if arr.dtype.kind == "O":
        return {"dtype": "object", "values": [encode_label(v) for v in arr.tolist()]}
    if arr.dtype.kind not in ARRAY_KINDS:
        raise TypeError(f"Cannot save an array of dtype {arr.dtype}.")
    if arr.dtype.kind == "S":
        return {"dtype": arr.dtype.str, "values": [v.hex() for v in arr.tolist()]}
    if arr.dtype.kind in "mM":
        return {"dtype": arr.dtype.str, "values": arr.view(np.int64).tolist()}
    values = arr.tolist()
    if arr.dtype.kind == "f":
        values = [v if math.isfinite(v) else {"__float__": repr(v)} for v in values]
    return {"dtype": arr.dtype.str, "values": values}


def encode_label(value):
    """One label (a cell of an object array), tagged with its exact type.

    Parameters
    ----------
    value : object
        One label.

    Returns
    -------
    encoded : JSON value

    Raises
    ------
    TypeError
        When the label's type has no typed form.

    Examples
    --------
    >>> import datetime
    >>> from sklmtl.io._label_codec import encode_label
    >>> encode_label((1, "a")), encode_label(datetime.date(2020, 1, 2))
    ({'__tuple__': [{'__int__': 1}, 'a']}, {'__date__': '2020-01-02'})
    """
    cls = type(value)
    if value is None or cls in (bool, str):
        return value
    simple = _SIMPLE_ENCODERS.get(cls)
    if simple is not None:
        return simple(value)
    if isinstance(value, np.generic):
        if value.dtype.kind not in ARRAY_KINDS:
            raise TypeError(
                f"Cannot save the label {value!r} (numpy {value.dtype} scalar)."
            )
        inner = encode_array(np.asarray(value).reshape(1))["values"][0]
        return {"__scalar__": value.dtype.str, "value": inner}
    pandas = sys.modules.get("pandas")
    if pandas is not None and cls is pandas.Timestamp:
        return {**_stamp(value.asm8), "__timestamp__": True, "tz": _tz_name(value)}
    if pandas is not None and cls is pandas.Timedelta:
        return {**_stamp(value.asm8), "__timedelta__": True}
    raise TypeError(
        f"Cannot save the label {value!r} ({cls.__name__}): labels saved in an "
        f"object array must be {_SAVED_KINDS}."
    )


def _stamp(moment):
    """A numpy datetime64/timedelta64 as its unit and int64 count."""
    return {"unit": np.datetime_data(moment.dtype)[0], "value": int(moment.view("i8"))}


def _encode_datetime(value):
    zone = value.tzinfo
    if isinstance(zone, zoneinfo.ZoneInfo):
        # The zone's name, which an ISO offset would lose.
        wall = value.replace(tzinfo=None).isoformat()
        return {"__datetime__": wall, "zone": zone.key, "fold": value.fold}
    return {"__datetime__": value.isoformat()}


def _decode_datetime(obj):
    value = datetime.datetime.fromisoformat(obj["__datetime__"])
    if "zone" not in obj:
        return value
    return value.replace(tzinfo=zoneinfo.ZoneInfo(obj["zone"]), fold=obj["fold"])


def _tz_name(timestamp):
    return None if timestamp.tz is None else str(timestamp.tz)


_SIMPLE_ENCODERS = {
    int: lambda v: {"__int__": v},
    float: lambda v: {"__float__": repr(v)},
    bytes: lambda v: {"__bytes__": v.hex()},
    tuple: lambda v: {"__tuple__": [encode_label(x) for x in v]},
    frozenset: lambda v: {"__frozenset__": [encode_label(x) for x in v]},
    datetime.datetime: lambda v: _encode_datetime(v),
    datetime.date: lambda v: {"__date__": v.isoformat()},
    datetime.time: lambda v: {"__time__": v.isoformat()},
    datetime.timedelta: lambda v: {
        "__pytimedelta__": [v.days, v.seconds, v.microseconds]
    },
    decimal.Decimal: lambda v: {"__decimal__": str(v)},
    fractions.Fraction: lambda v: {"__fraction__": str(v)},
}


def decode_label(obj, decode):
    """The label a :data:`LABEL_TAGS` entry describes.

    Parameters
    ----------
    obj : dict
        A tagged entry whose tag is in :data:`LABEL_TAGS`.
    decode : callable
        Decodes nested entries (the elements of a frozenset).

    Returns
    -------
    label : object

    Examples
    --------
    >>> from sklmtl.io._label_codec import decode_label
    >>> decode_label({"__decimal__": "1.50"}, None)
    Decimal('1.50')
    """
    if "__timestamp__" in obj or "__timedelta__" in obj:
        import pandas as pd

        if "__timedelta__" in obj:
            return pd.Timedelta(np.timedelta64(int(obj["value"]), obj["unit"]))
        stamp = pd.Timestamp(np.datetime64(int(obj["value"]), obj["unit"]))
        return (
            stamp
            if obj["tz"] is None
            else stamp.tz_localize("UTC").tz_convert(obj["tz"])
        )
    if "__frozenset__" in obj:
        return frozenset(decode(v) for v in obj["__frozenset__"])
    if "__datetime__" in obj:
        return _decode_datetime(obj)
    if "__pytimedelta__" in obj:
        days, seconds, microseconds = obj["__pytimedelta__"]
        return datetime.timedelta(days, seconds, microseconds)
    for tag, parse in _PARSERS.items():
        if tag in obj:
            return parse(obj[tag])
    raise ValueError(f"Unknown entry in the file: {sorted(obj)}.")


_PARSERS = {
    "__date__": datetime.date.fromisoformat,
    "__time__": datetime.time.fromisoformat,
    "__decimal__": decimal.Decimal,
    "__fraction__": fractions.Fraction,
}


def decode_array(spec, decode):
    """The array :func:`encode_array` describes.

    Parameters
    ----------
    spec : dict
        ``{"dtype": ..., "values": [...]}``.
    decode : callable
        Decodes each entry of ``values`` (tagged labels).

    Returns
    -------
    arr : ndarray of shape (n,)

    Raises
    ------
    ValueError
        For a dtype that is unknown or not allowed in a file.

    Examples
    --------
    >>> from sklmtl.io._label_codec import decode_array
    >>> decode_array({"dtype": "<m8[s]", "values": [90]}, lambda v: v)
    array([90], dtype='timedelta64[s]')
    """
    values = [decode(v) for v in spec["values"]]
    if spec["dtype"] == "object":
        out = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):  # a tuple label is one cell
            out[i] = value
        return out
    try:
        dtype = np.dtype(str(spec["dtype"]))
    except TypeError:
        raise ValueError(f"Unknown dtype in the file: {spec['dtype']!r}.") from None
    if dtype.kind not in ARRAY_KINDS:
        raise ValueError(f"Refusing to load an array of dtype {dtype}.")
    if dtype.kind == "S":
        values = [bytes.fromhex(v) for v in values]
    if dtype.kind in "mM":
        return np.asarray(values, dtype=np.int64).view(dtype).reshape(len(values))
    return np.asarray(values, dtype=dtype).reshape(len(values))


def check_round_trip(labels, task_name, decode):
    """Encode ``labels`` and refuse unless they read back identical.

    Parameters
    ----------
    labels : ndarray of shape (n,)
        One task's classes.
    task_name : str
        For messages.
    decode : callable
        Decodes an entry of the encoded values, as loading does.

    Returns
    -------
    spec : dict
        The encoded labels (:func:`encode_array`).

    Raises
    ------
    TypeError
        Naming the task and the label kind, when a label has no typed form or
        would read back as another value or type.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.io._label_codec import check_round_trip
    >>> check_round_trip(np.array([1, 2]), "size", lambda v: v)
    {'dtype': '<i8', 'values': [1, 2]}
    """
    try:
        spec = encode_array(labels)
    except TypeError as exc:
        raise TypeError(
            f"Cannot save task {task_name!r}: its labels have no safe typed form. "
            f"{exc} The classes of a saved task must be {_SAVED_KINDS} (or a "
            "numpy array of bool, int, float, str, bytes, datetime64 or "
            "timedelta64). Refit with labels of one of these kinds, or map the "
            "labels to str before fitting."
        ) from None
    back = decode_array(spec, decode)
    pairs = zip(labels.tolist(), back.tolist())
    changed = next(((a, b) for a, b in pairs if not _identical(a, b)), None)
    if back.dtype != labels.dtype or changed is not None:
        a, b = changed or (labels.dtype, back.dtype)
        raise TypeError(
            f"Cannot save task {task_name!r}: its label {a!r} ({type(a).__name__}) "
            f"would read back as {b!r}, not as the same label (a time zone "
            "without a saved form, say). Refit with labels that read back as "
            "given (e.g. a time zone named 'UTC' or 'Europe/Paris'), or map the "
            "labels to str before fitting."
        )
    return spec


def _identical(a, b):
    """Same type and same printed value (so 1 is not 1.0 nor True)."""
    return type(a) is type(b) and repr(a) == repr(b)
