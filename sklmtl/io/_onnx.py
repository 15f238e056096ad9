"""ONNX export of a fitted estimator's network, with its tasks in the metadata.

The graph wraps the network in :class:`_TaskOutputs` (probabilities per
classification task, values in target units per regression task); each
task's kind and classes travel in the model's ``metadata_props``, typed as
:mod:`sklmtl.io._label_codec` writes labels.
"""

import contextlib
import json
import logging
import warnings

import torch

from ..nn.heads import activate
from ._atomic import atomic_path
from ._codec import Decoder
from ._label_codec import check_round_trip

__all__ = ["to_onnx"]


class _TaskOutputs(torch.nn.Module):
    """Probabilities of classification tasks, values in target units otherwise.

    A regression output is standardised in the network's dtype, then cast to
    float64 and de-standardised in float64 (the mean and scale are float64
    constants; :meth:`RegressionTask.graph_output`), as ``predict`` does: in
    float32 a target with a large mean and a small scale (``1e8 + 2 * x``)
    would lose its signal to float32's steps.
    A task with a variance output (``loss="gaussian_nll"``) also gives its
    standard deviation in target units.
    """

    def __init__(self, module, tasks, transform=None):
        super().__init__()
        self.module = module
        # The estimator's valid_transform, applied to the whole batch (checked
        # by _graph_transform to give what it gives image by image).
        self.transform = transform
        # Each task writes its own part of the graph (Task.graph_output,
        # Task.graph_std): regression values and deviations in float64.
        self.tasks = list(tasks)

    def forward(self, X):
        if self.transform is not None:
            X = self.transform(X)
        outputs, stds = [], []
        for task, raw in zip(self.tasks, self.module(X)):
            outputs.append(task.graph_output(raw, activate))
            std = task.graph_std(raw)
            if std is not None:
                stds.append(std)
        return (*outputs, *stds)


class _NumericScaling(torch.nn.Module):
    """The table encoding of a numeric table, as graph operations.

    A table of numeric columns only (no categorical column, no missing-value
    indicator) is encoded column by column: median imputation (with
    ``missing_values="indicator"``), centring and scaling, and with
    ``numeric_scaling="robust"`` the smooth clipping. The statistics are
    float64 constants; the result is cast to the network's dtype, as the
    encoder's output is. Other encodings are refused.
    """

    def __init__(self, encoder, dtype):
        super().__init__()
        if encoder.is_categorical_.any() or encoder.n_indicators_:
            raise ValueError(
                "to_onnx exports the network only, and this model encodes its "
                "table (categorical columns or missing-value indicators) before "
                "the network; that encoding is not part of the ONNX graph. Only "
                "the scaling (and median imputation) of a table of numeric "
                "columns is."
            )
        self.impute = encoder.missing_values == "indicator"
        self.clip = encoder.numeric_scaling == "robust"
        self.dtype = dtype
        for name, values in (
            ("medians", encoder.medians_),
            ("center", encoder.mean_),
            ("scale", encoder.scale_),
        ):
            self.register_buffer(name, torch.as_tensor(values, dtype=torch.float64))

    def forward(self, X):
        X = X.double()
        if self.impute:
            X = torch.where(torch.isnan(X), self.medians, X)
        X = (X - self.center) / self.scale
        if self.clip:
            X = X / torch.sqrt(1.0 + (X / 3.0) ** 2)
        return X.to(self.dtype)


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

    An image model's graph takes the images as the estimator reads them,
    before its ``valid_transform``: float ``(batch, C, H, W)`` with values in
    ``[0, 1]`` (``uint8`` pixels divided by 255), whatever form ``fit`` was
    given (``uint8`` ``(N, H, W, C)`` arrays, file paths). The
    ``valid_transform`` (resizing, normalisation) is part of the graph,
    applied to the whole batch, so the graph gives what ``predict_proba``
    gives; a transform that gives another result on a batch than image by
    image is refused. Under ``precision="bf16"``/``"fp16"`` ``predict_proba``
    computes in half precision and the graph in float32: their
    probabilities differ by half precision's rounding.

    A model fitted with ``loss="gaussian_nll"`` (or a :class:`~sklmtl.MultiTaskNet`
    with ``regression_loss="gaussian_nll"``) also outputs each regression
    task's predicted standard deviation, ``std_<task name>`` (float64, shape
    ``(batch,)``; what ``predict(X, return_std=True)`` returns). These come
    after the one output per task, so output ``t`` is always task ``t``.

    A model fitted on a table of numeric columns with ``numeric_scaling``
    (or ``missing_values="indicator"`` where no column had a missing value
    at fit) has its scaling (and median imputation) in the graph, which
    takes the raw columns in ``fit``'s order; a model that encodes
    categorical columns or missing-value indicators is refused.

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
    plain JSON; the tags are listed in ``sklmtl.io._label_codec``). Column
    ``j`` of output ``proba_<name>`` is the probability of ``values[j]``.

    Parameters
    ----------
    estimator : MultiTaskNetClassifier, MultiTaskNetRegressor or MultiTaskNet
        A fitted estimator.
    path : str or path-like
        The ``.onnx`` file to write. It is written to a temporary file in
        the same folder and renamed onto ``path`` once complete (metadata
        included): a failed or interrupted export leaves a file already at
        ``path`` as it was.
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
    OSError
        When the folder of ``path`` does not exist or cannot be written to
        (the message names the folder).
    ValueError
        When ``valid_transform`` gives another result on a batch than image
        by image (it could not be part of the graph).

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
    tasks = estimator._tasks
    weights = next(estimator.net_.module_.parameters())
    example = torch.zeros((2, *estimator._raw_sample_shape), dtype=weights.dtype)
    transform = _graph_transform(estimator, example.shape)
    if getattr(estimator, "_tabular", None) is not None:
        transform = _NumericScaling(estimator._tabular, weights.dtype)
    module = _TaskOutputs(estimator.net_.module_, tasks, transform).to("cpu").eval()
    output_names = _onnx_output_names(tasks)
    # Before exporting: labels without a typed form are refused, naming the task.
    metadata = _onnx_metadata(tasks, output_names)
    batch = torch.export.Dim("batch")
    try:
        with (
            atomic_path(path, action="export") as temp,
            warnings.catch_warnings(),
            _quiet_torchvision_notice(),
        ):
            # torch's exporter flags its own internal deprecations, which a
            # user cannot act on; other warnings (e.g. from tracing a custom
            # trunk) reach the user.
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.onnx.export(
                module,
                (example,),
                temp,
                input_names=["X"],
                output_names=output_names,
                dynamic_shapes=({0: batch},),
                opset_version=opset_version,
                dynamo=True,
                # The exporter's optimizer treats an Add of a constant within
                # 1e-8 of zero as no Add (np.allclose's default tolerance):
                # a regression target of mean 5e-9 and spread 1e-8 lost its
                # mean. The graph is exported as traced.
                optimize=False,
                # One self-contained file (no "<path>.data" beside it).
                external_data=False,
                verbose=False,
            )
            _store_onnx_metadata(temp, metadata)
    finally:
        estimator.net_.module_.to(estimator.net_.device)
    return output_names


def _graph_transform(estimator, shape):
    """The ``valid_transform`` the graph applies to its whole input batch.

    ``predict`` calls it on each image (float ``(C, H, W)`` in ``[0, 1]``);
    the graph calls it once on the batch, which torchvision's transforms
    take. A transform that gives another result on a batch (a random one,
    or one that indexes the axes of a single image) is refused rather than
    exported into a graph whose outputs would differ from ``predict_proba``.
    """
    transform = getattr(estimator, "valid_transform", None)
    if transform is None:
        return None
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(tuple(shape), generator=generator)
    expected = torch.stack([torch.as_tensor(transform(image)) for image in images])
    try:
        batched = torch.as_tensor(transform(images))
        same = batched.shape == expected.shape and torch.allclose(
            batched, expected, atol=1e-6
        )
    except Exception:  # any failure on a batch is the refusal below
        same = False
    if not same:
        raise ValueError(
            f"to_onnx puts valid_transform ({transform!r}) into the graph, "
            "applied to the whole input batch, but it does not give on a batch "
            "what it gives image by image (a random transform, or one written "
            "for a single (C, H, W) image). Give a valid_transform that takes "
            "batches (torchvision's v2 transforms do), or call "
            "estimator.set_params(valid_transform=None) before exporting and "
            "apply the transform to the graph's input yourself."
        )
    return transform


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
    decode = Decoder(None).value
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
