"""skorch callbacks: per-task losses and accuracies in ``history``, best weights,
the training-loss plateau rule, task affinity (:class:`TaskAffinity`, in
:mod:`sklmtl._task_affinity`).

One job per private module: :mod:`~sklmtl.callbacks._scoring` (per-task
scores and task weights in ``history``), :mod:`~sklmtl.callbacks._stopping`
(stopping rules and best weights), :mod:`~sklmtl.callbacks._interrupt`
(what a ``KeyboardInterrupt`` keeps), :mod:`~sklmtl.callbacks._sinks` (where
messages go). Checkpoints are written by :class:`sklmtl.io.TrainingCheckpoint`
(it lives beside the file format it writes). Every public name is importable
from here.
"""

from .._task_affinity import TaskAffinity, normalized_affinity
from ._interrupt import LastFinishedEpoch
from ._scoring import PerTaskScoring, TaskWeightLogger
from ._sinks import print_sink, silent_sink
from ._stopping import BestWeights, ModuleEarlyStopping, TrainingLossPlateau

__all__ = [
    "BestWeights",
    "LastFinishedEpoch",
    "ModuleEarlyStopping",
    "PerTaskScoring",
    "TaskAffinity",
    "TrainingLossPlateau",
    "TaskWeightLogger",
    "normalized_affinity",
    "print_sink",
    "silent_sink",
]
