"""Per-task class weights from a ``class_weight`` parameter.

Plain numpy: each task's weights are an array over its classes, ``None``,
``"balanced"`` (scikit-learn's ``compute_class_weight`` on the task's
labelled cells) or ``{label: weight}``, whose keys name classes by kind and
value as every label comparison does (:func:`sklmtl._labels.class_key`).
"""

import numpy as np

from ._labels import class_key, label_kind

__all__ = ["task_class_weights"]


def task_class_weights(class_weight, codes, classes, task_names):
    """Per-task class weight arrays from a ``class_weight`` parameter.

    Parameters
    ----------
    class_weight : None, "balanced", dict or list
        ``None``/``"balanced"`` for every task, or a list with one entry per
        task (``None``, ``"balanced"`` or ``{label: weight}``). A single dict
        is accepted for a single task. Labels missing from a dict get weight 1.
    codes : ndarray of shape (n_samples, n_tasks)
        Encoded labels (``-1`` for missing cells).
    classes : list of ndarray
        The classes of each task.
    task_names : list of str
        Task names, for messages.

    Returns
    -------
    weights : list of (ndarray of shape (n_classes_t,) or None) or None
        None when no task is weighted.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._class_weights import task_class_weights
    >>> codes = np.array([[0], [0], [0], [1]])
    >>> task_class_weights("balanced", codes, [np.array(["a", "b"])], ["t"])
    [array([0.66666667, 2.        ])]
    """
    from sklearn.utils.class_weight import compute_class_weight

    if class_weight is None:
        return None
    n_tasks = len(classes)
    if isinstance(class_weight, (str, dict)):
        if isinstance(class_weight, dict) and n_tasks > 1:
            raise ValueError(
                "class_weight as one dict is only for a single task; for "
                f"{n_tasks} tasks give a list with one entry per task."
            )
        per_task = [class_weight] * n_tasks
    elif isinstance(class_weight, (list, tuple)):
        per_task = list(class_weight)
        if len(per_task) != n_tasks:
            raise ValueError(
                f"class_weight has {len(per_task)} entries for {n_tasks} tasks."
            )
    else:
        raise TypeError(
            "class_weight must be None, 'balanced', or a list with one entry per task; "
            f"got {type(class_weight).__name__}."
        )
    weights = []
    for t, (entry, task_classes, name) in enumerate(zip(per_task, classes, task_names)):
        if entry is None:
            weights.append(None)
        elif isinstance(entry, str) and entry == "balanced":
            labelled = codes[:, t][codes[:, t] >= 0]
            present = np.unique(labelled)
            w = np.ones(len(task_classes))
            w[present] = compute_class_weight("balanced", classes=present, y=labelled)
            weights.append(w)
        elif isinstance(entry, dict):
            # A key names a class by kind and value: {1: w} is not a bool's True.
            lookup = {class_key(c): i for i, c in enumerate(task_classes.tolist())}
            w = np.ones(len(task_classes))
            for label, value in entry.items():
                if class_key(label) not in lookup:
                    raise ValueError(
                        f"class_weight for task {name!r} names label {label!r} "
                        f"({label_kind(label)}), which is not one of its classes "
                        f"{task_classes.tolist()}; a key names a class of the same "
                        "kind (True is never 1, '1' never 1)."
                    )
                w[lookup[class_key(label)]] = value
            weights.append(w)
        else:
            raise ValueError(
                f"class_weight for task {name!r} must be None, 'balanced' or a dict; "
                f"got {entry!r}."
            )
    return None if all(w is None for w in weights) else weights
