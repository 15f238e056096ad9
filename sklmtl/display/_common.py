"""What the multi-task displays share: the grid of axes and per-task data.

Every display draws one subplot per task. matplotlib is imported only when a
figure is made, as in scikit-learn, so that sklmtl does not depend on it.
"""

import math
import numbers

import numpy as np

from ..metrics._columns import as_labels


def check_matplotlib(caller):
    """Import ``matplotlib.pyplot`` or say how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib; install it with pip install 'sklmtl[plot]'."
        ) from exc
    return plt


def task_axes(ax, n_tasks, n_cols, caller):
    """One Axes per task: the given ones, or a new figure's grid.

    Returns the figure and an object array of ``n_tasks`` Axes.
    """
    if ax is None:
        plt = check_matplotlib(caller)
        if n_cols is None:
            n_cols = min(n_tasks, 3)
        if not isinstance(n_cols, numbers.Integral) or n_cols < 1:
            raise ValueError(f"n_cols must be a positive int; got {n_cols!r}.")
        n_cols = min(int(n_cols), n_tasks)
        n_rows = math.ceil(n_tasks / n_cols)
        figure, grid = plt.subplots(
            n_rows,
            n_cols,
            figsize=(4.2 * n_cols, 3.8 * n_rows),
            squeeze=False,
            layout="constrained",
        )
        axes = grid.ravel()
        for unused in axes[n_tasks:]:
            unused.remove()
        return figure, axes[:n_tasks]
    axes = np.empty(len(np.ravel(np.asarray(ax, dtype=object))), dtype=object)
    axes[:] = list(np.ravel(np.asarray(ax, dtype=object)))
    if len(axes) != n_tasks:
        raise ValueError(
            f"ax holds {len(axes)} Axes but {n_tasks} task(s) are shown; pass one "
            "Axes per task, or choose the tasks with tasks=[...]."
        )
    return axes[0].figure, axes


def select_tasks(tasks, task_names):
    """Indices of the chosen tasks (names or positions); all when None."""
    if tasks is None:
        return list(range(len(task_names)))
    if isinstance(tasks, (str, numbers.Integral)):
        tasks = [tasks]
    chosen = []
    for task in tasks:
        if isinstance(task, numbers.Integral) and not isinstance(task, bool):
            if not -len(task_names) <= task < len(task_names):
                raise ValueError(
                    f"Task index {task} is out of range for {len(task_names)} "
                    f"task(s) {task_names}."
                )
            chosen.append(int(task) % len(task_names))
        elif str(task) in task_names:
            chosen.append(task_names.index(str(task)))
        else:
            raise ValueError(f"Unknown task {task!r}; the tasks are {task_names}.")
    if not chosen:
        raise ValueError("tasks is empty; choose at least one task.")
    return chosen


def estimator_tasks(estimator):
    """The fitted ``classes_`` (one array per task) and task names."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    classes = estimator.classes_
    if isinstance(classes, np.ndarray) and not any(
        isinstance(c, (list, tuple, np.ndarray)) for c in classes
    ):
        classes = [classes]  # a single task's labels
    classes = [np.asarray(c) for c in classes]
    names = getattr(estimator, "task_names_", None)
    if names is None and hasattr(estimator, "steps"):
        # A Pipeline delegates classes_ but not task_names_: read its last step.
        names = getattr(estimator.steps[-1][1], "task_names_", None)
    if names is None:
        names = [f"task_{t}" for t in range(len(classes))]
    return classes, list(names)


def estimator_probas(estimator, X, n_tasks):
    """``predict_proba`` as one ``(n_samples, n_classes_t)`` array per task."""
    if not hasattr(estimator, "predict_proba"):
        raise TypeError(
            f"{type(estimator).__name__} has no predict_proba; this display needs "
            "class probabilities."
        )
    probas = estimator.predict_proba(X)
    if isinstance(probas, np.ndarray) and n_tasks == 1:
        probas = [probas]
    if len(probas) != n_tasks:
        raise ValueError(
            f"{type(estimator).__name__}.predict_proba returned {len(probas)} "
            f"array(s) for {n_tasks} task(s)."
        )
    return [np.asarray(p, dtype=float) for p in probas]


def labelled_values(column, mask):
    """The labelled cells of one task, with a plain dtype where possible."""
    return as_labels(np.asarray(column)[mask])


def check_same_kind(y_true, y_pred, name):
    """Refuse labels of one task that are str on one side, numbers on the other."""
    kinds = {
        "str" if values.dtype.kind in "USO" else "number" for values in (y_true, y_pred)
    }
    if len(kinds) > 1:
        raise ValueError(
            f"Task {name!r} has true labels {np.unique(y_true)[:5].tolist()} and "
            f"predicted labels {np.unique(y_pred)[:5].tolist()} of different kinds. "
            "numpy turns a list of rows mixing str and int columns into all str: "
            "pass an object array or a DataFrame."
        )


def task_scores(score, n_rows, n_classes, name):
    """One task's scores as ``(n_samples, n_classes)``; binary 1-D accepted.

    A binary task's positive-class scores (1-D) fill column 1; the displays
    never read column 0 of a binary task.
    """
    score = np.asarray(score, dtype=float)
    if n_classes == 2 and (score.ndim == 1 or score.shape[1:] == (1,)):
        positive = score.reshape(-1)
        score = np.column_stack([np.full_like(positive, np.nan), positive])
    if score.ndim != 2 or score.shape != (n_rows, n_classes):
        raise ValueError(
            f"Scores of task {name!r} have shape {score.shape}; expected "
            f"({n_rows}, {n_classes}), one column per class"
            + (" (or the positive class's scores, 1-D)" if n_classes == 2 else "")
            + "."
        )
    return score


def task_classes(classes, t, values, name):
    """Classes of task ``t``: given, or the sorted labels seen."""
    if classes is None:
        return np.unique(values)
    if len(classes) <= t:
        raise ValueError(f"classes has no entry for task {name!r}.")
    return np.asarray(classes[t])


def format_label(label):
    """A label for a legend or an axis (plain Python, not ``np.int64(1)``)."""
    return str(label.item() if isinstance(label, np.generic) else label)
