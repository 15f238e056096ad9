"""Plots of a multi-task model, one subplot per task, in scikit-learn's Display API.

Each display is created with ``from_estimator`` (a fitted estimator and
data) or ``from_predictions`` (labels and scores; ``from_history`` for the
learning curves), keeps what it computed as attributes, and draws with
``plot(ax=...)``, setting ``figure_`` and ``ax_`` (one Axes per task).
Missing cells of ``Y`` are left out of their task, as sklmtl's metrics do.
matplotlib is imported only when a figure is made
(``pip install "sklmtl[plot]"``).

One private module per display, re-exported here; they share the grid of
axes and the per-task data handling in ``_common``.
"""

from ._affinity import TaskAffinityDisplay
from ._calibration import MultiTaskCalibrationDisplay
from ._confusion import MultiTaskConfusionMatrixDisplay
from ._learning_curve import TaskLearningCurveDisplay
from ._roc import MultiTaskRocCurveDisplay

__all__ = [
    "MultiTaskCalibrationDisplay",
    "MultiTaskConfusionMatrixDisplay",
    "MultiTaskRocCurveDisplay",
    "TaskAffinityDisplay",
    "TaskLearningCurveDisplay",
]
