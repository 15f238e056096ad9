"""Delta_m: the relative improvement of a multi-task model over references."""

import numpy as np


def _as_task_dict(values, what):
    """``values`` keyed by task: a dict as given, a sequence by position."""
    if hasattr(values, "index") and hasattr(values, "to_dict"):
        values = values.to_dict()  # a pandas Series keyed by task name
    if isinstance(values, dict):
        return {str(k): v for k, v in values.items()}, True
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(
            f"{what} must be a dict keyed by task name or a sequence with one "
            f"entry per task; got {type(values).__name__}."
        )
    return {f"task_{t}": v for t, v in enumerate(values)}, False


def _task_values(value, task, what):
    """One task's metric values as a 1-D float array (a scalar is one metric)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} of task {task!r} is a bool; give a number.")
    array = np.asarray(value)
    if array.ndim > 1 or array.size == 0 or array.dtype.kind not in "iuf":
        raise TypeError(
            f"{what} of task {task!r} must be a number or a 1-D sequence of "
            f"numbers (one per metric); got {value!r}."
        )
    array = np.atleast_1d(array).astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} of task {task!r} is not finite: {value!r}.")
    return array


def _directions(higher_is_better, tasks, n_metrics):
    """Per task, a bool array: whether each metric is better when higher."""
    if isinstance(higher_is_better, (bool, np.bool_)):
        return {t: np.full(n_metrics[t], bool(higher_is_better)) for t in tasks}
    given, _ = _as_task_dict(higher_is_better, "higher_is_better")
    if set(given) != set(tasks):
        raise ValueError(
            f"higher_is_better names the tasks {sorted(given)} but the scores "
            f"have {sorted(tasks)}."
        )
    directions = {}
    for task in tasks:
        flags = np.atleast_1d(np.asarray(given[task], dtype=object))
        if flags.ndim != 1 or not all(isinstance(f, (bool, np.bool_)) for f in flags):
            raise TypeError(
                f"higher_is_better of task {task!r} must be True/False (or one "
                f"per metric); got {given[task]!r}."
            )
        if len(flags) == 1:
            flags = np.repeat(flags, n_metrics[task])
        if len(flags) != n_metrics[task]:
            raise ValueError(
                f"higher_is_better of task {task!r} has {len(flags)} entries for "
                f"{n_metrics[task]} metrics."
            )
        directions[task] = flags.astype(bool)
    return directions


def delta_m(scores, reference_scores, higher_is_better):
    r"""Mean relative improvement of a multi-task model over references, in %.

    The measure of Maninis, Radosavovic & Kokkinos, "Attentive Single-Tasking
    of Multiple Tasks", CVPR 2019, computed as LibMTL reports it
    (``LibMTL.utils.count_improvement``, times 100):

    .. math::

        \Delta_m = \frac{100}{T} \sum_{t=1}^{T} \frac{1}{M_t}
        \sum_{m=1}^{M_t} (-1)^{l_{t,m}}
        \frac{S_{t,m} - R_{t,m}}{R_{t,m}}

    where :math:`S` are the model's scores, :math:`R` the references (usually
    one single-task model per task), and :math:`l_{t,m} = 1` when lower is
    better for metric :math:`m` of task :math:`t`. Positive means better than
    the references on average.

    Parameters
    ----------
    scores : dict of str to float, or sequence of float
        The model's score per task (a dict such as :func:`per_task_scores`
        returns, or a sequence in task order). A task may list several
        metrics (a sequence of floats): they are averaged within the task
        first, as LibMTL does.
    reference_scores : dict of str to float, or sequence of float
        The reference score per task, keyed (or ordered) as ``scores``.
        Every reference must be positive: Δm divides by it, and a negative
        one (a negated loss from a ``neg_*`` scorer) would flip the sign;
        pass the loss itself with ``higher_is_better=False``.
    higher_is_better : bool, or dict of str to bool, or sequence of bool
        Whether a higher score is better: one bool for every task, or one
        per task (for a task with several metrics, one bool or one per
        metric).

    Returns
    -------
    delta : float
        Δm in percent.

    Raises
    ------
    ValueError
        When the tasks of ``scores``, ``reference_scores`` and
        ``higher_is_better`` differ, a value is not finite, or a reference is
        not positive.
    TypeError
        When one is a dict and the other a sequence, or a value is not a
        number.

    See Also
    --------
    per_task_scores : per-task scores keyed by task name.

    Examples
    --------
    Accuracy up from 0.80 to 0.84 (+5%), log-loss down from 0.50 to 0.45
    (+10%): Δm = (5 + 10) / 2 = 7.5.

    >>> from sklmtl.metrics import delta_m
    >>> delta = delta_m({"digit": 0.84, "parity": 0.45},
    ...                 {"digit": 0.80, "parity": 0.50},
    ...                 higher_is_better={"digit": True, "parity": False})
    >>> round(delta, 10)
    7.5
    """
    scores, scores_keyed = _as_task_dict(scores, "scores")
    references, references_keyed = _as_task_dict(reference_scores, "reference_scores")
    if scores_keyed != references_keyed:
        raise TypeError(
            "Give scores and reference_scores both as dicts keyed by task name or "
            "both as sequences in task order."
        )
    if not scores:
        raise ValueError("scores is empty; give at least one task.")
    if set(scores) != set(references):
        missing = sorted(set(scores) - set(references))
        extra = sorted(set(references) - set(scores))
        raise ValueError(
            f"scores and reference_scores have different tasks: {missing} only in "
            f"scores, {extra} only in reference_scores."
        )
    tasks = list(scores)
    values = {t: _task_values(scores[t], t, "The score") for t in tasks}
    reference = {
        t: _task_values(references[t], t, "The reference score") for t in tasks
    }
    for task in tasks:
        if len(values[task]) != len(reference[task]):
            raise ValueError(
                f"Task {task!r} has {len(values[task])} score(s) but "
                f"{len(reference[task])} reference score(s)."
            )
        if np.any(reference[task] <= 0):
            raise ValueError(
                f"The reference score of task {task!r} is {references[task]!r}; Δm "
                "divides by it, so it must be positive. For a loss reported "
                "negated (neg_* scorers), pass the loss itself with "
                "higher_is_better=False."
            )
    directions = _directions(
        higher_is_better, tasks, {t: len(values[t]) for t in tasks}
    )
    per_task = [
        np.mean(
            np.where(directions[t], 1.0, -1.0)
            * (values[t] - reference[t])
            / reference[t]
        )
        for t in tasks
    ]
    return float(100.0 * np.mean(per_task))
