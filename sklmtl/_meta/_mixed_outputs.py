"""Outputs of estimators whose tasks mix kinds (classification and regression).

:class:`~sklmtl.MultiTaskNet` (one network) and
:class:`~sklmtl.baselines.IndependentTaskEstimator` (one model per task)
return their predictions and probabilities in the same forms; the forms are
built here once. Plain numpy (pandas only when ``y`` was a DataFrame).
"""

import numpy as np

from .._targets import decode_predictions

__all__ = ["check_proba_task", "mixed_predictions"]


def mixed_predictions(columns, task_names, *, y_is_frame, y_is_1d, index=None):
    """Each task's predicted column in one output, every column in its kind.

    Parameters
    ----------
    columns : list of ndarray of shape (n_samples,)
        One task's predictions each (labels, or values in target units).
    task_names : list of str
        The tasks' names.
    y_is_frame : bool
        Whether the estimator was fitted on a DataFrame ``y``: the output is
        then a DataFrame, one column per task with its own dtype.
    y_is_1d : bool
        Whether it was fitted on a 1-D ``y`` (the output is then 1-D).
    index : pandas Index or None, default=None
        The DataFrame's index (``X``'s, when ``X`` was a DataFrame).

    Returns
    -------
    Y_pred : ndarray or DataFrame of shape (n_samples, n_tasks), or (n_samples,)
        An ``object`` array when the columns' kinds differ, a plain dtype
        when they share one.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._meta._mixed_outputs import mixed_predictions
    >>> mixed_predictions([np.array(["a"]), np.array([1.5])], ["c", "r"],
    ...                   y_is_frame=False, y_is_1d=False).tolist()
    [['a', 1.5]]
    """
    if y_is_frame:
        import pandas as pd

        return pd.DataFrame(dict(zip(task_names, columns)), index=index)
    # decode_predictions keeps each column's kind (its codes index ``columns``).
    identity = np.tile(np.arange(len(columns[0]))[:, None], (1, len(columns)))
    return decode_predictions(identity, columns, y_is_1d)


def check_proba_task(tasks, task):
    """Check ``predict_proba``'s ``task`` argument against the fitted tasks.

    Parameters
    ----------
    tasks : list of Task
        The fitted task objects.
    task : str or None
        The task asked for; None for every classification task.

    Raises
    ------
    ValueError
        When no task has probabilities, or ``task`` names no task or a
        regression task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._meta._mixed_outputs import check_proba_task
    >>> from sklmtl._tasks import ClassificationTask
    >>> check_proba_task([ClassificationTask("c", np.array([0, 1]))], "c")
    """
    task_names = [t.name for t in tasks]
    names = [t.name for t in tasks if t.has_proba]
    if task is None:
        if not names:
            raise ValueError(
                "predict_proba is for classification tasks, and every task "
                f"is a regression task ({task_names}); use predict."
            )
        return
    if task not in task_names:
        raise ValueError(
            f"predict_proba got task={task!r}, which is not a task; the tasks "
            f"are {task_names}."
        )
    if task not in names:
        raise ValueError(
            f"Task {task!r} is a regression task: it has no class "
            f"probabilities (use predict). The classification tasks are "
            f"{names}."
        )
