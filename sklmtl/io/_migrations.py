"""Every change of the file format, and how a file of an older format is read.

A file names its format twice: ``format_version`` in the safetensors
metadata, checked (:func:`check_readable`) before anything else is parsed,
and in its JSON payload. :func:`upgrade` turns what an older file holds into
what the current format holds, one version at a time, so that the rest of
:func:`sklmtl.io.load` reads only the current format.

Changing the format is one edit here: bump :data:`FORMAT_VERSION`, add the
new version to the history below, and register under the previous version a
function that turns its payload and tensors into the new version's.

History:

- 4: all heads in one ``TaskHeads`` (new state-dict keys), one logit per
  binary task when every task is binary.
- 5: labels of more kinds (``datetime64``/``timedelta64`` arrays and
  scalars, pandas ``Timestamp``/``Timedelta``, ``datetime``, ``Decimal``,
  ``Fraction``, ``tuple``, ``frozenset``); a file of version 4 holds none of
  them. Every file of version 5 also holds three fitted attributes that
  version-4 files written by an older sklmtl may lack: ``tabular`` (None
  before tables with categories were read), ``do_early_stopping`` (the
  ``early_stopping`` parameter, before ``"auto"``) and ``dtype``
  (``"float32"``, the only dtype then).
- 6: every file carries SHA-256 digests of its tensors (``sha256_tensors``)
  and of its metadata (``sha256_metadata``), checked by
  :func:`sklmtl.io.load` before anything is built. A file of version 5 (or
  4) has none; it still loads, with a warning that it could not be checked.
"""

import json

from .. import __version__

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "READABLE_FORMAT_VERSIONS",
    "check_readable",
    "upgrade",
]

#: The ``format`` metadata entry of every sklmtl file.
FORMAT = "sklmtl"
#: The version :func:`sklmtl.io.save` writes.
FORMAT_VERSION = 6


def _from_4(payload, tensors):
    """A version-4 file as version 5: the fitted attributes it may lack filled."""
    fitted = {
        "tabular": None,
        "do_early_stopping": payload["params"].get("early_stopping") is True,
        "dtype": "float32",
        **payload["fitted"],
    }
    return {**payload, "format_version": 5, "fitted": fitted}, tensors


def _from_5(payload, tensors):
    """A version-5 file as version 6: the same content, without digests (what
    the digests protect was checked, or warned about, while reading)."""
    return {**payload, "format_version": 6}, tensors


# Version -> the function reading a file of that version as the next one.
_UPGRADES = {4: _from_4, 5: _from_5}
#: The versions load reads.
READABLE_FORMAT_VERSIONS = (*sorted(_UPGRADES), FORMAT_VERSION)


def check_readable(path, metadata):
    """Refuse a file whose format version this sklmtl does not read.

    Parameters
    ----------
    path : str or path-like
        The file, for the message.
    metadata : dict of str to str
        The file's safetensors metadata.

    Returns
    -------
    version : int
        The file's format version.

    Raises
    ------
    ValueError
        Naming the file's version, the sklmtl that wrote it and the versions
        this one reads.

    Examples
    --------
    >>> from sklmtl.io._migrations import check_readable
    >>> check_readable("m.safetensors", {"format_version": "4"})
    4
    """
    version = metadata.get("format_version")
    if version not in {str(v) for v in READABLE_FORMAT_VERSIONS}:
        try:
            written_by = json.loads(metadata["sklmtl"])["versions"]["sklmtl"]
        except (KeyError, ValueError, TypeError):
            written_by = "an unknown version"
        raise ValueError(
            f"{path} uses sklmtl file format version {version} (written by sklmtl "
            f"{written_by}); this sklmtl {__version__} reads format versions "
            f"{', '.join(map(str, READABLE_FORMAT_VERSIONS))}. Load it with a "
            "matching sklmtl and refit or save "
            "again."
        )
    return int(version)


def upgrade(payload, tensors, version):
    """A file's payload and tensors as the current format holds them.

    Parameters
    ----------
    payload : dict
        The file's JSON payload.
    tensors : dict of str to torch.Tensor
        The file's tensors.
    version : int
        The file's format version (one of :data:`READABLE_FORMAT_VERSIONS`).

    Returns
    -------
    payload, tensors
        As a file of :data:`FORMAT_VERSION` would hold them.

    Examples
    --------
    >>> from sklmtl.io._migrations import upgrade
    >>> payload = {"format_version": 4, "params": {}, "fitted": {"next_seed": 1}}
    >>> upgraded = upgrade(payload, {}, 4)[0]
    >>> upgraded["format_version"]
    6
    >>> upgraded["fitted"]
    {'tabular': None, 'do_early_stopping': False, 'dtype': 'float32', 'next_seed': 1}
    """
    while version < FORMAT_VERSION:
        payload, tensors = _UPGRADES[version](payload, tensors)
        version += 1
    return payload, tensors
