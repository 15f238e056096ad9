"""Per-task parameters of a wrapped network, mapped to a subset of its tasks.

:class:`~sklmtl.grouping.TaskGroupingClassifier` fits one network per group of
tasks on the group's columns of its code matrix: a numpy array, so the group
network names its tasks ``task_0``, ``task_1``, ... and knows the labels as
codes ``0 .. n_classes_t - 1``. Parameters that hold one entry per task, or
name tasks or labels, are given for the whole ``y``; this module maps them to
each group:

- ``class_weight``: a list with one entry per task keeps the group's entries;
  a ``{label: weight}`` entry becomes ``{code: weight}`` (the labels checked
  against the task's classes, with :func:`~sklmtl._class_weights.task_class_weights`'s
  messages and rule); ``None`` and ``"balanced"`` for every task stay as they
  are (the group network sees every labelled cell of its tasks, so
  ``"balanced"`` gives the same weights).
- ``task_weighting``: fixed weights given as a list or a ``{task_name:
  weight}`` dict become the group's list; a strategy instance maps itself
  (:meth:`~sklmtl.weighting.TaskWeighting.for_tasks`); an alias stays.

Everything is checked once, against the full task names, so a mistake is
reported with the names the user gave.
"""

from .._class_weights import task_class_weights
from ..weighting import resolve_weighting

__all__ = ["GroupParams"]


class GroupParams:
    """The per-task parameters of ``params``, ready to be mapped to groups.

    Parameters
    ----------
    params : dict
        The wrapped estimator's ``get_params(deep=False)``.
    codes : ndarray of shape (n_samples, n_tasks)
        ``y`` encoded against ``classes`` (``-1`` for a missing cell).
    classes : list of ndarray
        Each task's classes.
    task_names : list of str
        Each task's name.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._meta._group_params import GroupParams
    >>> params = {"class_weight": [None, {"y": 3.0}, "balanced"],
    ...           "task_weighting": {"b": 5.0}}
    >>> codes = np.array([[0, 0, 1], [1, 1, 0]])
    >>> classes = [np.array([0, 1]), np.array(["x", "y"]), np.array([0, 1])]
    >>> GroupParams(params, codes, classes, ["a", "b", "c"]).for_tasks([1, 2])
    {'class_weight': [{0: 1.0, 1: 3.0}, 'balanced'], 'task_weighting': [5.0, 1.0]}
    """

    def __init__(self, params, codes, classes, task_names):
        self._mappers = {}
        if "class_weight" in params:
            self._mappers["class_weight"] = _class_weight_mapper(
                params["class_weight"], codes, classes, task_names
            )
        if "task_weighting" in params:
            self._mappers["task_weighting"] = _task_weighting_mapper(
                params["task_weighting"], task_names
            )

    def for_tasks(self, tasks):
        """The parameters of a network fitted on ``tasks`` (indices), in order."""
        return {name: mapper(tasks) for name, mapper in self._mappers.items()}


def _class_weight_mapper(class_weight, codes, classes, task_names):
    # Checks every entry against the task's classes, with the task's name.
    weights = task_class_weights(class_weight, codes, classes, task_names)
    if class_weight is None or isinstance(class_weight, str):
        return lambda tasks: class_weight
    entries = [class_weight] if isinstance(class_weight, dict) else list(class_weight)

    def entry_for(t):
        if isinstance(entries[t], dict):
            return {code: float(w) for code, w in enumerate(weights[t])}
        return entries[t]

    return lambda tasks: [entry_for(t) for t in tasks]


def _task_weighting_mapper(task_weighting, task_names):
    if isinstance(task_weighting, str):
        return lambda tasks: task_weighting
    strategy = resolve_weighting(task_weighting)
    as_list = isinstance(task_weighting, (list, tuple, dict))
    strategy.for_tasks(task_names, range(len(task_names)))  # checked once, here

    def mapped(tasks):
        subset = strategy.for_tasks(task_names, tasks)
        return subset.weights if as_list else subset

    return mapped
