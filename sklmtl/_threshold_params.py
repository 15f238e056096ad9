"""The parameters of TunedThresholdMultiTaskClassifier, checked.

``scoring`` (a named objective, the joint ``"f1_micro"`` or a callable),
``thresholds`` (a grid size or candidate values) and ``tasks`` (which
tasks to tune), each turned into what :mod:`sklmtl._threshold_tuning`
works with, with messages that name the value and what was expected.
"""

import numbers

import numpy as np

from ._threshold_tuning import JOINT_SCORINGS, SCORINGS

__all__ = ["check_scoring", "check_tasks", "check_thresholds"]


def check_scoring(scoring):
    """A named objective's count function, a joint name, or the callable.

    Examples
    --------
    >>> from sklmtl._threshold_params import check_scoring
    >>> check_scoring("f1").__name__
    '_f1'
    """
    if callable(scoring):
        return scoring
    if isinstance(scoring, str) and scoring in SCORINGS:
        return SCORINGS[scoring]
    if isinstance(scoring, str) and scoring in JOINT_SCORINGS:
        return scoring
    raise ValueError(
        f"scoring={scoring!r} is not a known objective; use one of "
        f"{sorted(SCORINGS) + list(JOINT_SCORINGS)} or a callable "
        "metric(y_true, y_pred) -> float (greater is better) of 0/1 arrays, 1 "
        "marking the positive class."
    )


def check_thresholds(thresholds):
    """An int >= 2 (a grid size) or a sorted 1-D float array of candidates.

    Examples
    --------
    >>> from sklmtl._threshold_params import check_thresholds
    >>> check_thresholds([0.7, 0.2]).tolist()
    [0.2, 0.7]
    """
    if isinstance(thresholds, (int, np.integer)) and not isinstance(thresholds, bool):
        if thresholds < 2:
            raise ValueError(
                f"thresholds as an int is the grid size and must be at least 2; "
                f"got {thresholds}."
            )
        return int(thresholds)
    if isinstance(thresholds, (str, bool, float)) or not hasattr(thresholds, "__len__"):
        raise TypeError(
            "thresholds must be an int (the number of candidates) or an array-like "
            f"of candidate thresholds; got {thresholds!r}."
        )
    values = np.asarray(thresholds)
    if values.ndim != 1 or len(values) == 0 or values.dtype.kind not in "biuf":
        raise ValueError(
            f"thresholds must be a non-empty 1-D array of numbers; got {thresholds!r}."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("thresholds must be finite (no NaN or infinity).")
    return np.sort(values.astype(float))


def check_tasks(tasks, names, classes):
    """Indices of the tasks to tune; a named non-binary task is an error.

    ``tasks`` is the meta-estimator's parameter: ``"binary"`` (every task
    with two classes) or task names and column indices.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._threshold_params import check_tasks
    >>> classes = [np.array([0, 1]), np.array(["a", "b", "c"]), np.array([0, 1])]
    >>> check_tasks("binary", ["x", "y", "z"], classes)
    [0, 2]
    >>> check_tasks(["z", 0, "z"], ["x", "y", "z"], classes)
    [0, 2]
    """
    if isinstance(tasks, str):
        if tasks != "binary":
            raise ValueError(
                f'tasks must be "binary" or a list of task names or indices; '
                f"got {tasks!r}."
            )
        return [t for t, c in enumerate(classes) if len(c) == 2]
    if not hasattr(tasks, "__iter__"):
        raise TypeError(
            f'tasks must be "binary" or a list of task names or indices; got {tasks!r}.'
        )
    indices = []
    for task in tasks:
        if isinstance(task, (numbers.Integral)) and not isinstance(task, bool):
            if not 0 <= task < len(names):
                raise ValueError(
                    f"tasks names the column {task}, but y has {len(names)} task(s)."
                )
            index = int(task)
        elif task in names:
            index = names.index(task)
        else:
            raise ValueError(f"tasks names {task!r}, which is not a task of y {names}.")
        if len(classes[index]) != 2:
            raise ValueError(
                f"Task {names[index]!r} has {len(classes[index])} classes "
                f"{classes[index].tolist()}; only binary tasks have a "
                "decision threshold. Leave it out of tasks (it keeps the "
                "most probable class)."
            )
        indices.append(index)
    return sorted(set(indices))
