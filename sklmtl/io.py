"""Safe persistence (safetensors + JSON) and ONNX export of fitted estimators.

``pickle``/``joblib`` files run arbitrary code when loaded, and skops does not
make skorch nets safe (their state travels as an inner pickle). :func:`save`
writes one safetensors file: the tensors (network, criterion, optimizer and
RNG state) as raw arrays, and everything else (parameters, ``classes_``, task
and feature names, history, versions) as JSON in the file's metadata.
:func:`load` never unpickles and never imports a name read from the file: a
class named in the file must be one of sklmtl's own components (weightings,
architectures, trunks), a ``torch.optim`` optimizer, or one the caller hands
over explicitly in ``custom_objects``.

What is saved: the fitted network and everything needed to predict, plus
what continued training needs (optimizer state, the RNG stream, history).
Labels keep their type and value (``sklmtl._label_codec`` lists the kinds:
numpy dtypes including ``datetime64``/``timedelta64``, pandas ``Timestamp``/
``Timedelta``, ``datetime``, ``Decimal``, tuples, ...); a task whose labels
would not read back identical is refused at :func:`save`, naming the task.
Not saved: user ``callbacks`` (refused: set ``callbacks=None`` first and pass
them again after loading), trunk *instances* (refused: pass a class and
``trunk__<param>`` arguments instead), and a weighting's non-tensor running
state (e.g. DWA's loss history restarts when training resumes).
"""

import contextlib
import json
import logging
import math
import numbers
import warnings

import numpy as np
import sklearn
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from . import __version__, nn, weighting
from ._label_codec import (
    LABEL_TAGS,
    check_round_trip,
    decode_array,
    decode_label,
    encode_array,
    encode_label,
)
from .classifier import MultiTaskNetClassifier
from .mixed import MultiTaskNet
from .nn.heads import activate
from .regressor import MultiTaskNetRegressor

__all__ = ["load", "save", "to_onnx"]

FORMAT = "sklmtl"
# 4: all heads in one TaskHeads (new state-dict keys), one logit per binary
# task when every task is binary.
# 5: labels of more kinds (datetime64/timedelta64 arrays and scalars, pandas
# Timestamp/Timedelta, datetime, Decimal, Fraction, tuple, frozenset); a file
# of version 4 holds none of them and reads the same.
FORMAT_VERSION = 5
#: The versions load reads.
READABLE_FORMAT_VERSIONS = (4, 5)
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


# ----------------------------------------------------------------- allow-list
def _public_classes():
    """Public name -> class for everything a file may name."""
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


def _class_name(cls, allowed_by_class, path):
    name = allowed_by_class.get(cls)
    if name is not None:
        return name
    if isinstance(cls, type) and issubclass(cls, torch.nn.Module):
        return f"custom:{cls.__module__}.{cls.__qualname__}"
    raise TypeError(
        f"Cannot save {path}={cls!r}: only sklmtl components, torch.optim "
        "optimizers and torch.nn.Module subclasses (as trunks) can be saved."
    )


# ------------------------------------------------------------------ encoding
def _encode(value, path, allowed_by_class):
    """JSON-safe, typed form of a parameter value."""
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
        return {"__tuple__": [_encode(v, path, allowed_by_class) for v in value]}
    if isinstance(value, list):
        return [_encode(v, path, allowed_by_class) for v in value]
    if isinstance(value, dict):
        return {
            "__dict__": [
                [_encode(k, path, allowed_by_class), _encode(v, path, allowed_by_class)]
                for k, v in value.items()
            ]
        }
    if isinstance(value, np.ndarray):
        return {"__array__": encode_array(value)}
    if isinstance(value, type):
        return {"__class__": _class_name(value, allowed_by_class, path)}
    if hasattr(value, "get_params") and type(value) in allowed_by_class:
        return {
            "__object__": allowed_by_class[type(value)],
            "params": {
                k: _encode(v, f"{path}.{k}", allowed_by_class)
                for k, v in value.get_params().items()
            },
        }
    if isinstance(value, torch.nn.Module):
        raise TypeError(
            f"Cannot save {path}: a module instance ({type(value).__name__}) has no "
            "safe representation. Pass its class and trunk__<param> arguments "
            "instead (e.g. trunk=MyTrunk, trunk__width=64)."
        )
    try:  # a label given as a parameter (missing_label, class_weight keys)
        return encode_label(value)
    except TypeError:
        pass
    raise TypeError(
        f"Cannot save {path}={value!r} ({type(value).__name__}): it is not a plain "
        "value, a label, an array or an sklmtl component."
    )


class _Decoder:
    """Turns the typed JSON back into values, resolving names via the allow-list."""

    def __init__(self, custom_objects):
        self.allowed = _public_classes()
        self.custom = dict(custom_objects or {})

    def cls(self, name):
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
        return decode_array(spec, self.value)


# ---------------------------------------------------------------------- save
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


def save(estimator, path):
    """Save a fitted sklmtl network estimator without pickle.

    Parameters
    ----------
    estimator : MultiTaskNetClassifier, MultiTaskNetRegressor or MultiTaskNet
        A fitted estimator (not a pipeline: save the other steps on their own).
        Its tasks are saved with their kind: classes with their label kind,
        or the mean and scale of a regression target.
    path : str or path-like
        The file to write (a safetensors file; ``.safetensors`` is customary).

    Raises
    ------
    TypeError
        When a parameter has no safe representation (user callbacks, trunk
        instances, objects that are not sklmtl components), or a task's
        labels have none (a ``pd.Period``, a class of the user's own, ...):
        the message names the task and the label's type.

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
    saved_class = _saved_class(estimator)
    if not hasattr(estimator, "net_"):
        raise ValueError("The estimator is not fitted; fit it before saving.")
    if estimator.callbacks:
        raise TypeError(
            "Cannot save user callbacks safely: call "
            "estimator.set_params(callbacks=None) before saving and pass them "
            "again after loading."
        )
    allowed_by_class = {cls: name for name, cls in _public_classes().items()}
    # The public class's parameters only: a model trained with a subclass
    # (e.g. the Accelerate variant) loads as a plain MultiTaskNetClassifier.
    base_params = set(saved_class().get_params(deep=False))
    params = {
        key: _encode(value, key, allowed_by_class)
        for key, value in estimator.get_params(deep=False).items()
        if key in base_params or key in estimator._extra_params
    }
    decode = _Decoder(None).value
    for task in estimator._tasks:
        if task.classes is not None:
            # Refuse, naming the task, labels that would not read back as given.
            check_round_trip(task.classes, task.name, decode)
    state = estimator._get_fitted_state()
    attributes = dict(state["attributes"])
    # The task descriptions (kind, classes with their label kind, or the
    # target scaling) and class weights, typed as parameters are.
    attributes["target"] = _encode(attributes["target"], "target", allowed_by_class)
    # The table encoding (categories with their types, scaling, bin edges).
    attributes["tabular"] = _encode(attributes["tabular"], "tabular", allowed_by_class)
    training = state["training"]
    opt_tensors, opt_meta = _optimizer_tensors(training["optimizer"])
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
        "optimizer_class": _class_name(
            training["optimizer_class"], allowed_by_class, "optimizer"
        ),
        "history": json.loads(json.dumps(training["history"], default=_history_value)),
    }
    tensors = {f"module.{k}": v for k, v in training["module"].items()}
    tensors |= {f"weighting.{k}": v for k, v in training["weighting"].items()}
    tensors |= opt_tensors
    if training["rng_state"] is not None:
        tensors["rng_state"] = training["rng_state"]
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "sklmtl": json.dumps(payload),
    }
    save_file(tensors, str(path), metadata=metadata)


def _history_value(value):
    if torch.is_tensor(value) or isinstance(value, np.generic):
        return value.tolist()
    raise TypeError(f"history holds a {type(value).__name__}, which cannot be saved")


# ---------------------------------------------------------------------- load
def _read(path):
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            if metadata.get("format") != FORMAT:
                raise ValueError(
                    f"{path} is a safetensors file but not an sklmtl model (no "
                    "'sklmtl' metadata)."
                )
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except SafetensorError as exc:
        raise ValueError(
            f"{path} is not an sklmtl model file (not a safetensors file: {exc}). "
            "sklmtl.io.load never reads pickles."
        ) from None
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
    return json.loads(metadata["sklmtl"]), tensors


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
        When the file is not an sklmtl safetensors file (e.g. a pickle), was
        written with a format version this sklmtl does not read (it reads 4
        and 5), or names a class outside the allow-list.

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
    payload, tensors = _read(path)
    estimator_class = _ESTIMATORS.get(payload.get("estimator"))
    if estimator_class is None:
        raise ValueError(
            f"Unknown estimator in the file: {payload.get('estimator')!r}."
        )
    decode = _Decoder(custom_objects)
    params = {key: decode.value(value) for key, value in payload["params"].items()}
    attributes = dict(payload["fitted"])
    attributes["target"] = decode.value(attributes["target"])
    attributes["tabular"] = decode.value(attributes.get("tabular"))
    training = {
        "module": _prefixed(tensors, "module."),
        "weighting": _prefixed(tensors, "weighting."),
        "optimizer": _optimizer_state(tensors, payload["optimizer"]),
        "optimizer_class": decode.cls(payload["optimizer_class"]),
        "history": payload["history"],
        "rng_state": tensors.get("rng_state"),
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
    return est


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


# ---------------------------------------------------------------------- ONNX
class _TaskOutputs(torch.nn.Module):
    """Probabilities of classification tasks, values in target units otherwise.

    A regression output is standardised in the network's dtype, then cast to
    float64 and de-standardised in float64 (the mean and scale are float64
    buffers), as ``predict`` does: in float32 a target with a large mean and a
    small scale (``1e8 + 2 * x``) would lose its signal to float32's steps.
    A task with a variance output (``loss="gaussian_nll"``) also gives its
    standard deviation in target units.
    """

    def __init__(self, module, tasks):
        super().__init__()
        self.module = module
        # Each task writes its own part of the graph (Task.graph_output,
        # Task.graph_std): regression values and deviations in float64.
        self.tasks = list(tasks)

    def forward(self, X):
        outputs, stds = [], []
        for task, raw in zip(self.tasks, self.module(X)):
            outputs.append(task.graph_output(raw, activate))
            std = task.graph_std(raw)
            if std is not None:
                stds.append(std)
        return (*outputs, *stds)


def to_onnx(estimator, path, *, opset_version=None):
    """Export the network of a fitted estimator to ONNX (needs the ``onnx`` extra).

    The graph takes ``X`` (float32, or float64 for a model fitted with
    ``dtype="float64"``; shape ``(batch, n_features)`` or the image
    shape the estimator was fitted on, with a dynamic batch axis) and returns
    one output per task: for a classification task a probability array
    named ``proba_<task name>``, with columns ordered as ``classes_[t]``
    (what ``predict_proba`` returns, without the label decoding), in the
    graph's dtype; for a regression task the prediction in the target's
    units, shape ``(batch,)``, named ``value_<task name>`` (what ``predict``
    returns for that task). Regression outputs are **float64** whatever the
    network's dtype: the network's standardised output is cast to float64 and
    de-standardised (``* scale + mean``) in float64 inside the graph, as
    ``predict`` does, so a target with a large mean or a tiny scale (``1e8 +
    2 * x``) keeps its signal (float32 steps near ``1e8`` are 8 apart).

    A model fitted with ``loss="gaussian_nll"`` (or a :class:`MultiTaskNet`
    with ``regression_loss="gaussian_nll"``) also outputs each regression
    task's predicted standard deviation, ``std_<task name>`` (float64, shape
    ``(batch,)``; what ``predict(X, return_std=True)`` returns). These come
    after the one output per task, so output ``t`` is always task ``t``.

    The kind of every task is in ``metadata_props`` under ``"sklmtl.tasks"``:
    a JSON list of ``{"task": name, "kind": "classification" |
    "regression", "output": output name}`` (plus ``"std_output"`` for a
    task with a standard deviation output).

    The labels travel in the model's ``metadata_props`` under the key
    ``"sklmtl.classes"``: a JSON list with one entry per classification task,
    ``{"task": name, "output": "proba_<name>", "classes": {"dtype": ...,
    "values": [...]}}``, where ``dtype`` is the numpy dtype string of
    ``classes_[t]`` (``"<i8"``, ``"|b1"``, ``"<U3"``, ``"<M8[us]"``, ...;
    bytes as hex, ``datetime64``/``timedelta64`` as int64 counts of their
    unit) or ``"object"``, whose values are tagged with their type
    (``{"__int__": 1}``, ``{"__float__": "1.0"}``, ``{"__scalar__": "<i4",
    "value": 1}``, ``{"__timestamp__": true, "unit": "us", "value": ...,
    "tz": ...}``, ``{"__tuple__": [...]}``, ...; bools, strings and None are
    plain JSON; the tags are listed in ``sklmtl._label_codec``). Column
    ``j`` of output ``proba_<name>`` is the probability of ``values[j]``.

    Parameters
    ----------
    estimator : MultiTaskNetClassifier, MultiTaskNetRegressor or MultiTaskNet
        A fitted estimator.
    path : str or path-like
        The ``.onnx`` file to write.
    opset_version : int or None, default=None
        ONNX opset; None uses the exporter's default.

    Returns
    -------
    output_names : list of str
        The names of the graph's outputs: one per task, then ``std_<task>``
        for each task with a variance output.

    Raises
    ------
    TypeError
        Before writing anything, when a task's labels have no typed form
        for the metadata (as :func:`save`); the message names the task.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.io import to_onnx
    >>> clf = MultiTaskNetClassifier(max_epochs=2).fit(
    ...     np.eye(3, dtype=np.float32), [[0, 1], [1, 0], [1, 1]])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.onnx"
    >>> to_onnx(clf, path)
    ['proba_task_0', 'proba_task_1']
    >>> import json, onnx
    >>> props = {p.key: p.value for p in onnx.load(path).metadata_props}
    >>> [task["classes"] for task in json.loads(props["sklmtl.classes"])]
    [{'dtype': '<i8', 'values': [0, 1]}, {'dtype': '<i8', 'values': [0, 1]}]
    """
    try:
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "to_onnx needs the onnx extra: pip install 'sklmtl[onnx]'."
        ) from exc
    if not hasattr(estimator, "net_"):
        raise ValueError("The estimator is not fitted; fit it before exporting.")
    if getattr(estimator, "_tabular", None) is not None:
        raise ValueError(
            "to_onnx exports the network only, and this model encodes its table "
            "(categorical columns, missing-value indicators or scaling) before "
            "the network; that encoding is not part of the ONNX graph."
        )
    tasks = estimator._tasks
    module = _TaskOutputs(estimator.net_.module_, tasks).to("cpu").eval()
    weights = next(module.parameters())
    example = torch.zeros((2, *estimator._raw_sample_shape), dtype=weights.dtype)
    output_names = _onnx_output_names(tasks)
    # Before exporting: labels without a typed form are refused, naming the task.
    metadata = _onnx_metadata(tasks, output_names)
    batch = torch.export.Dim("batch")
    try:
        with warnings.catch_warnings(), _quiet_torchvision_notice():
            # torch's exporter flags its own internal deprecations, which a
            # user cannot act on; other warnings (e.g. from tracing a custom
            # trunk) reach the user.
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.onnx.export(
                module,
                (example,),
                str(path),
                input_names=["X"],
                output_names=output_names,
                dynamic_shapes=({0: batch},),
                opset_version=opset_version,
                dynamo=True,
                verbose=False,
            )
    finally:
        estimator.net_.module_.to(estimator.net_.device)
    _store_onnx_metadata(path, metadata)
    return output_names


def _onnx_output_names(tasks):
    """One output per task, then the standard deviations of Gaussian NLL tasks."""
    names = [task.output_name for task in tasks]
    return names + [task.std_output_name for task in tasks if task.std_output_name]


class _TorchvisionNotice(logging.Filter):
    """Drops the exporter's "torchvision is not installed" notices, only those.

    torch's ONNX registry logs one warning per torchvision operator it
    cannot register when torchvision is absent (four lines at every export);
    sklmtl's networks never use those operators. Other records pass.
    """

    def filter(self, record):
        return not str(record.msg).startswith("torchvision is not installed")


@contextlib.contextmanager
def _quiet_torchvision_notice():
    logger = logging.getLogger("torch.onnx._internal.exporter._registration")
    notice = _TorchvisionNotice()
    logger.addFilter(notice)
    try:
        yield
    finally:
        logger.removeFilter(notice)


def _onnx_metadata(tasks, output_names):
    """Each task's kind and classes (with their kind), for ``metadata_props``."""
    decode = _Decoder(None).value
    labels = [
        {
            "task": task.name,
            "output": output,
            "classes": check_round_trip(task.classes, task.name, decode),
        }
        for task, output in zip(tasks, output_names)
        if task.has_proba
    ]
    kinds = [
        {"task": task.name, "kind": task.kind, "output": output}
        for task, output in zip(tasks, output_names)
    ]
    for entry, task in zip(kinds, tasks):
        if task.std_output_name:
            entry["std_output"] = task.std_output_name
    return {"sklmtl.classes": labels, "sklmtl.tasks": kinds}


def _store_onnx_metadata(path, metadata):
    import onnx

    model = onnx.load(str(path))
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, json.dumps(value)
    onnx.save(model, str(path))
