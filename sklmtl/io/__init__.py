"""Safe persistence (safetensors + JSON) and ONNX export of fitted estimators.

``pickle``/``joblib`` files run arbitrary code when loaded, and skops does not
make skorch nets safe (their state travels as an inner pickle). :func:`save`
writes one safetensors file: the tensors (network, criterion, optimizer and
RNG state) as raw arrays, and everything else (parameters, ``classes_``, task
and feature names, history, versions) as JSON in the file's metadata, with
SHA-256 digests of both that :func:`load` checks before building anything (a
damaged file is refused, naming the damaged part). The file is written
next to its path and renamed into place, so an interrupted save leaves the
previous file intact.
:func:`load` never unpickles and never imports a name read from the file: a
class named in the file must be one of sklmtl's own components (weightings,
architectures, trunks), a ``torch.optim`` optimizer, or one the caller hands
over explicitly in ``custom_objects``.

What is saved: the fitted network and everything needed to predict, plus
what continued training needs (optimizer state, the RNG stream, history).
Labels keep their type and value (``sklmtl.io._label_codec`` lists the kinds:
numpy dtypes including ``datetime64``/``timedelta64``, pandas ``Timestamp``/
``Timedelta``, ``datetime``, ``Decimal``, tuples, ...); a task whose labels
would not read back identical is refused at :func:`save`, naming the task.
Not saved: user ``callbacks`` (refused: set ``callbacks=None`` first and pass
them again after loading; so are ``train_transform``, ``valid_transform``,
``validation_data`` and ``train_split``), trunk *instances* (refused: pass a
class, or a backbone by name, and ``trunk__<param>`` arguments instead), and
the internal state torchjd keeps inside its ``NashMTL`` aggregator (step
count, last weights), which a resumed fit recomputes. The weightings' own
running state (DWA's loss history, GradNorm's initial losses, uncertainty's
log-variances) is saved.

:class:`TrainingCheckpoint` writes such a file at the end of every few epochs
of a fit, with the fit's progress and the running state of its callbacks
(stopping rules, learning-rate schedules), and :func:`resume` finishes the
fit in a new process with the predictions of a fit that was never
interrupted. Every file (models, checkpoints, ONNX exports) is written to a
temporary file beside its path and renamed onto it (``_atomic``).

A backbone by name (``trunk="resnet18"``, ``"timm:<name>"``, a torchvision
builder function) is saved as its name and rebuilt through torchvision or
timm at load, its trained weights read from the file: no ``custom_objects``,
no download. ``save(..., optimizer_state=False)`` leaves the optimizer state
out (a weights-only file).

The package holds one job per module: ``_codec`` (the typed JSON of
parameters and fitted attributes, and the allow-list of classes),
``_label_codec`` (the typed JSON of labels), ``_files`` (:func:`save` and
:func:`load`), ``_migrations`` (the format versions and how an older file is
read), ``_checkpoint`` (:class:`TrainingCheckpoint`, :func:`resume`),
``_atomic`` (the atomic write) and ``_onnx`` (:func:`to_onnx`).
"""

from ._checkpoint import TrainingCheckpoint, resume
from ._files import load, save
from ._migrations import (  # noqa: F401
    FORMAT,
    FORMAT_VERSION,
    READABLE_FORMAT_VERSIONS,
)
from ._onnx import to_onnx

__all__ = ["TrainingCheckpoint", "load", "resume", "save", "to_onnx"]
