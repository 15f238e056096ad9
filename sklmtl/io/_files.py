"""Writing and reading sklmtl's safetensors files.

:func:`save` writes the tensors (network, criterion, optimizer and RNG
state) as raw arrays and everything else as typed JSON
(:mod:`sklmtl.io._codec`) in the file's metadata, with SHA-256 digests of
both, into a temporary file that is then renamed into place; :func:`load`
checks the file and its digests, reads an older format as the current one
(:mod:`sklmtl.io._migrations`) and restores the estimator through the same
fitted-state setter ``fit`` uses.
"""

import hashlib
import json
import os
import warnings

import numpy as np
import sklearn
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from .. import __version__
from ..classifier import MultiTaskNetClassifier
from ..mixed import MultiTaskNet
from ..nn._backbones import portable_trunk_params
from ..regressor import MultiTaskNetRegressor
from ._atomic import atomic_path
from ._codec import Decoder, class_name, encode, public_classes
from ._label_codec import check_round_trip
from ._migrations import FORMAT, FORMAT_VERSION, check_readable, upgrade

__all__ = ["load", "save"]

# The digests every file of format version 6 carries in its metadata.
_TENSOR_DIGEST = "sha256_tensors"
_METADATA_DIGEST = "sha256_metadata"
# The first format version whose files carry them.
_FIRST_DIGESTED_VERSION = 6

# The estimators a file may hold, by the name written in it.
_ESTIMATORS = {
    cls.__name__: cls
    for cls in (MultiTaskNetClassifier, MultiTaskNetRegressor, MultiTaskNet)
}


def _saved_class(estimator):
    """The public estimator class ``estimator`` is saved as (a subclass, such as
    the Accelerate variant, loads as its public base)."""
    for cls in type(estimator).__mro__:
        if _ESTIMATORS.get(cls.__name__) is cls:
            return cls
    raise TypeError(
        f"sklmtl.io.save saves {', '.join(_ESTIMATORS)}; got "
        f"{type(estimator).__name__}."
    )


def _optimizer_tensors(state):
    tensors, scalars = {}, {}
    for index, entry in state["state"].items():
        for key, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"optimizer.{index}.{key}"] = value
            else:
                scalars[f"{index}.{key}"] = value
    groups = [
        {k: v for k, v in group.items() if k != "params"} | {"params": group["params"]}
        for group in state["param_groups"]
    ]
    return tensors, {"scalars": scalars, "param_groups": groups}


# Training-data settings a file cannot hold (callables and data).
_DATA_SETTINGS = (
    "train_transform",
    "valid_transform",
    "validation_data",
    "train_split",
)
# What a file writes as None: user callbacks and the training-data settings
# (save refuses them when set; a checkpoint leaves them to resume's caller).
_UNSAVED_SETTINGS = ("callbacks", *_DATA_SETTINGS)


def save(estimator, path, *, optimizer_state=True):
    """Save a fitted sklmtl network estimator without pickle.

    Parameters
    ----------
    estimator : MultiTaskNetClassifier, MultiTaskNetRegressor or MultiTaskNet
        A fitted estimator (not a pipeline: save the other steps on their own).
        Its tasks are saved with their kind: classes with their label kind,
        or the mean and scale of a regression target.
    path : str or path-like
        The file to write (a safetensors file; ``.safetensors`` is customary).
        An existing file is replaced.
    optimizer_state : bool, default=True
        Whether to save the optimizer's state (Adam's moments: twice the
        size of the weights). False writes a weights-only file: the loaded
        estimator predicts exactly as the saved one, and continues training
        (``warm_start``/``partial_fit``) with a fresh optimizer state (the
        same optimizer and hyperparameters, moments restarting from zero).

    Raises
    ------
    TypeError
        When a parameter has no safe representation (user callbacks,
        ``train_transform``, ``valid_transform``, ``validation_data``,
        ``train_split``, trunk instances, objects that are not sklmtl
        components), or a task's
        labels have none (a ``pd.Period``, a class of the user's own, ...):
        the message names the task and the label's type.
    OSError
        When the folder of ``path`` does not exist or cannot be written to
        (the message names the folder).

    Notes
    -----
    The file carries SHA-256 digests of its tensor bytes and of its
    metadata, which :func:`load` checks before building anything. It is
    written to a temporary file in the folder of ``path``, flushed to disk,
    then renamed onto ``path``: a save that is interrupted (an error, a
    full disk, a killed process) leaves a file already at ``path`` as it was.

    A backbone by name (``trunk="resnet18"``, ``"timm:<name>"``, or a
    torchvision builder function, saved as its name) is saved as its name
    and ``trunk__<param>`` arguments; its trained weights are in the file,
    so :func:`load` rebuilds it through torchvision or timm without
    ``custom_objects``, without reading ``trunk__weights`` and without
    downloading anything. ``trunk_weights_sha256_`` is saved with it.

    See Also
    --------
    load : read the file back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.io import load, save
    >>> clf = MultiTaskNetClassifier(max_epochs=2, random_state=0).fit(
    ...     [[0.0], [1.0]], [["a", 0], ["b", 1]])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.safetensors"
    >>> save(clf, path)
    >>> (load(path).predict([[0.5]]) == clf.predict([[0.5]])).all()
    np.True_
    """
    _saved_class(estimator)  # refuses what is not an sklmtl network estimator
    if not hasattr(estimator, "net_"):
        raise ValueError("The estimator is not fitted; fit it before saving.")
    if estimator.callbacks:
        raise TypeError(
            "Cannot save user callbacks safely: call "
            "estimator.set_params(callbacks=None) before saving and pass them "
            "again after loading."
        )
    data_settings = [
        name for name in _DATA_SETTINGS if getattr(estimator, name, None) is not None
    ]
    if data_settings:
        # Transforms are arbitrary callables, validation data are data: the
        # file holds neither. valid_transform shapes every prediction, so
        # it must come back with the model, never be dropped silently.
        reset = ", ".join(f"{name}=None" for name in data_settings)
        raise TypeError(
            f"Cannot save {', '.join(data_settings)}: call "
            f"estimator.set_params({reset}) before saving and pass them again "
            "after loading (valid_transform is applied to every prediction)."
        )
    tensors, metadata = file_content(
        estimator, estimator._get_fitted_state(), optimizer_state=optimizer_state
    )
    with atomic_path(path) as temp:
        save_file(tensors, temp, metadata=metadata)


def file_content(
    estimator, state, *, optimizer_state=True, extra=None, extra_tensors=None
):
    """The tensors and metadata of the file holding ``estimator`` in ``state``.

    Parameters
    ----------
    estimator : MultiTaskNetClassifier, MultiTaskNetRegressor or MultiTaskNet
        The estimator whose parameters are written (``callbacks`` and the
        training-data settings ``train_transform``, ``valid_transform``,
        ``validation_data`` and ``train_split`` are written as None).
    state : dict
        ``attributes`` and ``training`` as ``estimator._get_fitted_state()``
        returns them (a checkpoint passes those of the net being trained).
    optimizer_state : bool, default=True
        Whether the optimizer's per-parameter state is written (as in
        :func:`save`).
    extra : dict or None, default=None
        JSON-safe entries added to the payload (a checkpoint's progress).
    extra_tensors : dict of str to Tensor or None, default=None
        Further tensors (a checkpoint's callback state); their keys must not
        start with ``module.``, ``weighting.`` or ``optimizer.``.

    Returns
    -------
    tensors : dict of str to Tensor
    metadata : dict of str to str
        With the SHA-256 digests of both.
    """
    saved_class = _saved_class(estimator)
    allowed_by_class = {cls: name for name, cls in public_classes().items()}
    # The public class's parameters only: a model trained with a subclass
    # (e.g. the Accelerate variant) loads as a plain MultiTaskNetClassifier.
    base_params = set(saved_class().get_params(deep=False))
    params = _portable_params(
        {
            key: None if key in _UNSAVED_SETTINGS else value
            for key, value in estimator.get_params(deep=False).items()
            if key in base_params or key in estimator._extra_params
        }
    )
    params = {
        key: encode(value, key, allowed_by_class) for key, value in params.items()
    }
    decode = Decoder(None).value
    for task in estimator._tasks:
        if task.classes is not None:
            # Refuse, naming the task, labels that would not read back as given.
            check_round_trip(task.classes, task.name, decode)
    attributes = dict(state["attributes"])
    # The task descriptions (kind, classes with their label kind, or the
    # target scaling) and class weights, typed as parameters are.
    attributes["target"] = encode(attributes["target"], "target", allowed_by_class)
    # The table encoding (categories with their types, scaling, bin edges).
    attributes["tabular"] = encode(attributes["tabular"], "tabular", allowed_by_class)
    training = state["training"]
    opt_tensors, opt_meta = _optimizer_tensors(training["optimizer"])
    if not optimizer_state:
        # The parameter groups (hyperparameters) without any per-parameter
        # state: torch loads them as an optimizer that has not stepped yet,
        # so files without optimizer state need no new format.
        opt_tensors, opt_meta = (
            {},
            {"scalars": {}, "param_groups": opt_meta["param_groups"]},
        )
    payload = {
        "format_version": FORMAT_VERSION,
        "versions": {
            "sklmtl": __version__,
            "torch": torch.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "estimator": saved_class.__name__,
        "params": params,
        "fitted": attributes,
        "optimizer": opt_meta,
        "optimizer_state": bool(optimizer_state),
        "optimizer_class": class_name(
            training["optimizer_class"], allowed_by_class, "optimizer"
        ),
        "history": json.loads(json.dumps(training["history"], default=_history_value)),
        # Which parameter each optimizer state entry belongs to, the fp16
        # gradient scaler and the learning-rate schedule's position.
        "optimizer_param_names": training["optimizer_param_names"],
        "grad_scaler": training["grad_scaler"],
        "lr_schedule": training["lr_schedule"],
        **(extra or {}),
    }
    tensors = {f"module.{k}": v for k, v in training["module"].items()}
    tensors |= {f"weighting.{k}": v for k, v in training["weighting"].items()}
    tensors |= opt_tensors
    if training["rng_state"] is not None:
        tensors["rng_state"] = training["rng_state"]
    tensors |= extra_tensors or {}
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "sklmtl": json.dumps(payload),
        _TENSOR_DIGEST: _tensors_digest(tensors),
    }
    metadata[_METADATA_DIGEST] = _metadata_digest(metadata)
    return tensors, metadata


def _portable_params(params):
    """``params`` with a backbone's trunk and weights as names a file holds."""
    trunk_keys = [key for key in params if key.startswith("trunk__")]
    trunk, trunk_params = portable_trunk_params(
        params.get("trunk"), {key[len("trunk__") :]: params[key] for key in trunk_keys}
    )
    return {
        **params,
        "trunk": trunk,
        **{f"trunk__{key}": value for key, value in trunk_params.items()},
    }


def _tensors_digest(tensors):
    """SHA-256 over every tensor, in key order: its key, dtype, shape, bytes."""
    digest = hashlib.sha256()
    for key in sorted(tensors):
        tensor = tensors[key].detach().cpu().contiguous()
        digest.update(json.dumps([key, str(tensor.dtype), list(tensor.shape)]).encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()


def _metadata_digest(metadata):
    """SHA-256 over every metadata entry but this digest itself."""
    entries = {k: v for k, v in metadata.items() if k != _METADATA_DIGEST}
    return hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()


def _history_value(value):
    if torch.is_tensor(value) or isinstance(value, np.generic):
        return value.tolist()
    raise TypeError(f"history holds a {type(value).__name__}, which cannot be saved")


def _read(path):
    """The payload and tensors of an sklmtl file, as the current format holds
    them, once its digests are checked."""
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            if metadata.get("format") != FORMAT:
                raise ValueError(
                    f"{path} is a safetensors file but not an sklmtl model (no "
                    "'sklmtl' metadata), or a damaged one."
                )
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except SafetensorError as exc:
        raise ValueError(
            f"{path} is not an sklmtl model file (not a safetensors file: {exc}), "
            "or it is damaged (e.g. truncated). sklmtl.io.load never reads pickles."
        ) from None
    try:
        payload = json.loads(metadata["sklmtl"])
    except (KeyError, TypeError, ValueError):
        payload = None
    version = _check_digests(path, metadata, tensors, payload)
    return upgrade(payload, tensors, version)


def _check_digests(path, metadata, tensors, payload):
    """Compare the file's digests with its content; return its format version.

    A file of format version 6 must carry both digests; an older one carries
    none and is read with a warning, once its metadata reads as that version.
    """
    present = [key in metadata for key in (_TENSOR_DIGEST, _METADATA_DIGEST)]
    if not any(present):
        version = check_readable(path, metadata)
        if version >= _FIRST_DIGESTED_VERSION:
            raise ValueError(
                f"{path} is damaged: the metadata lacks the digests every file of "
                f"format version {version} carries."
            )
        written_as = (
            payload.get("format_version") if isinstance(payload, dict) else None
        )
        if written_as != version:
            raise ValueError(
                f"{path} is damaged: its metadata cannot be read (format version "
                f"{version} in the header, {written_as!r} in the sklmtl metadata)."
            )
        warnings.warn(
            f"{path} was written with file format version {version}, which "
            "carries no digest: sklmtl.io.load cannot check that it is not "
            "damaged. Save it again to add one.",
            UserWarning,
            stacklevel=3,
        )
        return version
    if not all(present) or metadata[_METADATA_DIGEST] != _metadata_digest(metadata):
        raise ValueError(
            f"{path} is damaged: the metadata (parameters, classes, format) does "
            "not match its SHA-256 digest. Nothing was loaded."
        )
    if metadata[_TENSOR_DIGEST] != _tensors_digest(tensors):
        raise ValueError(
            f"{path} is damaged: the tensor data (network weights, optimizer "
            "state) does not match its SHA-256 digest. Nothing was loaded."
        )
    return check_readable(path, metadata)


def load(path, *, device=None, custom_objects=None):
    """Load an estimator written by :func:`save`, without unpickling anything.

    Parameters
    ----------
    path : str or path-like
        The file written by :func:`save`.
    device : str or None, default=None
        Where to put the network (e.g. ``"cpu"`` for a model trained on a
        GPU); None uses the saved ``device`` parameter.
    custom_objects : dict or None, default=None
        ``{name: class}`` for custom trunk classes named in the file; only
        these, sklmtl's own components and ``torch.optim`` optimizers are
        ever resolved.

    Returns
    -------
    estimator : MultiTaskNetClassifier, MultiTaskNetRegressor or MultiTaskNet
        The fitted estimator, predicting as the saved one did and ready to
        continue training (``warm_start``/``partial_fit``).

    Raises
    ------
    ValueError
        When the file is not an sklmtl safetensors file (e.g. a pickle), is
        damaged (truncated, or its tensor data or metadata do not match the
        SHA-256 digests it carries: the message says which), was written
        with a format version this sklmtl does not read (it reads 4, 5 and
        6), or names a class outside the allow-list.

    Warns
    -----
    UserWarning
        When the file is of format version 4 or 5, which carry no digest:
        it loads, but could not be checked for damage.
        When the file is a :class:`~sklmtl.io.TrainingCheckpoint` of a fit
        trained with ``valid_transform``, which files do not hold: it
        predicts as that fit only once given it again with ``set_params``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.io import load, save
    >>> clf = MultiTaskNetClassifier(max_epochs=2).fit([[0.0], [1.0]], [0, 1])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.safetensors"
    >>> save(clf, path)
    >>> load(path, device="cpu").classes_.tolist()
    [0, 1]
    """
    estimator, payload, _ = load_file(
        path, device=device, custom_objects=custom_objects
    )
    settings = (payload.get("checkpoint") or {}).get("data_settings", ())
    if "valid_transform" in settings:
        warnings.warn(
            f"{os.fspath(path)} is a checkpoint of a fit trained with a "
            "valid_transform, which files do not hold: the loaded model predicts "
            "without it. Give it again with "
            "estimator.set_params(valid_transform=...).",
            UserWarning,
            stacklevel=2,
        )
    return estimator


def load_file(path, *, device=None, custom_objects=None):
    """:func:`load`, also returning the file's payload and tensors.

    Returns
    -------
    estimator : MultiTaskNetClassifier, MultiTaskNetRegressor or MultiTaskNet
        As :func:`load` returns it.
    payload : dict
        The file's JSON metadata (in the current format).
    tensors : dict of str to Tensor
        Every tensor in the file.
    """
    payload, tensors = _read(path)
    estimator_class = _ESTIMATORS.get(payload.get("estimator"))
    if estimator_class is None:
        raise ValueError(
            f"Unknown estimator in the file: {payload.get('estimator')!r}."
        )
    decode = Decoder(custom_objects)
    params = {key: decode.value(value) for key, value in payload["params"].items()}
    attributes = dict(payload["fitted"])
    attributes["target"] = decode.value(attributes["target"])
    attributes["tabular"] = decode.value(attributes["tabular"])
    training = {
        "module": _prefixed(tensors, "module."),
        "weighting": _prefixed(tensors, "weighting."),
        "optimizer": _optimizer_state(tensors, payload["optimizer"]),
        "optimizer_class": decode.cls(payload["optimizer_class"]),
        "history": payload["history"],
        "rng_state": tensors.get("rng_state"),
        # Absent from files written before sklmtl saved them.
        "optimizer_param_names": payload.get("optimizer_param_names"),
        "grad_scaler": payload.get("grad_scaler"),
        "lr_schedule": payload.get("lr_schedule"),
    }
    est = estimator_class(**params)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            est._restore_fitted_state(
                {"attributes": attributes, "training": training}, device=device
            )
    except (RuntimeError, KeyError) as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        raise ValueError(
            f"The weights in {path} do not fit the network its parameters "
            f"describe: {' '.join(lines[:2])}"
        ) from None
    return est, payload, tensors


def _prefixed(tensors, prefix):
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def _optimizer_state(tensors, meta):
    state = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value
    for key, value in meta["scalars"].items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": meta["param_groups"]}
