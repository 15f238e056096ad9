"""The inputs of the probability metrics, checked and encoded.

Each task's probabilities (:func:`_check_probas`: one array per task, finite,
in [0, 1]), its classes in column order (:func:`_check_classes`,
:func:`_task_classes`) and its labelled cells as indices into those columns
(:func:`_encode`), put together per task by :func:`_scored_tasks`. Shared by
:mod:`sklmtl.metrics._proba` and the multilabel metrics.
"""

import numpy as np

from .._labels import label_key
from ._columns import as_labels, subset_weights, true_columns

# float32 probabilities may overshoot [0, 1] by a rounding error.
_PROBA_TOLERANCE = 1e-6


def _check_probas(Y_proba, names, n_samples):
    if isinstance(Y_proba, np.ndarray) and Y_proba.ndim == 2 and len(names) > 1:
        raise ValueError(
            f"Y_proba is one array of shape {Y_proba.shape} but Y_true has "
            f"{len(names)} tasks; pass the list predict_proba returns, one array "
            "of shape (n_samples, n_classes_t) per task."
        )
    if isinstance(Y_proba, np.ndarray) and Y_proba.ndim == 2:
        probas = [Y_proba]
    elif isinstance(Y_proba, (list, tuple)) or (
        isinstance(Y_proba, np.ndarray) and Y_proba.ndim == 3
    ):
        probas = list(Y_proba)
    else:
        raise TypeError(
            "Y_proba must be a list with one array of shape (n_samples, "
            "n_classes_t) per task (what predict_proba returns), or one 2-D array "
            f"for a single task; got {type(Y_proba).__name__}."
        )
    if len(probas) != len(names):
        raise ValueError(
            f"Y_proba has {len(probas)} array(s) but Y_true has {len(names)} "
            f"task(s) {names}; pass one array per task."
        )
    checked = []
    for proba, name in zip(probas, names):
        proba = np.asarray(proba)
        if proba.dtype.kind not in "biuf":
            raise TypeError(
                f"Y_proba for task {name!r} must hold numbers; got dtype {proba.dtype}."
            )
        proba = proba.astype(np.float64)
        if proba.ndim != 2 or proba.shape[0] != n_samples or proba.shape[1] < 2:
            raise ValueError(
                f"Y_proba for task {name!r} has shape {proba.shape}; expected "
                f"({n_samples}, n_classes) with n_classes >= 2: one row per sample "
                "of Y_true, one column per class of the task."
            )
        if not np.all(np.isfinite(proba)):
            raise ValueError(f"Y_proba for task {name!r} contains NaN or infinity.")
        if proba.min() < -_PROBA_TOLERANCE or proba.max() > 1 + _PROBA_TOLERANCE:
            raise ValueError(
                f"Y_proba for task {name!r} has values outside [0, 1] (from "
                f"{proba.min():.3g} to {proba.max():.3g}); pass probabilities."
            )
        checked.append(proba)
    return checked


def _check_classes(classes, names):
    if classes is None:
        return [None] * len(names)
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__len__"):
        raise TypeError(
            "classes must be a list with one array of labels per task (the "
            f"estimator's classes_); got {classes!r}."
        )
    if not any(isinstance(c, (list, tuple, np.ndarray)) for c in classes):
        if len(names) > 1:
            raise ValueError(
                f"classes is one list of labels but Y_true has {len(names)} tasks "
                f"{names}; give one array of classes per task (classes_)."
            )
        classes = [classes]  # one task's classes, as a 1-D y's classes_ is
    classes = list(classes)
    if len(classes) != len(names):
        raise ValueError(
            f"classes has {len(classes)} entries but Y_true has {len(names)} "
            f"task(s) {names}; give one array of classes per task (classes_)."
        )
    return classes


def _encode(values, task_classes, name):
    """Indices into ``task_classes`` of ``values``, matched by ``label_key``.

    A truth of ``1`` is the class ``True`` of an estimator fitted on bools,
    as every metric compares labels; ``"1"`` is never ``1``.
    """
    lookup = {label_key(c): i for i, c in enumerate(task_classes)}
    codes = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values.tolist()):
        code = lookup.get(label_key(value))
        if code is None:
            raise ValueError(
                f"Task {name!r} has the label {value!r} in Y_true, which is not one "
                f"of its classes {list(task_classes)} (the columns of its "
                "probabilities, in order)."
            )
        codes[i] = code
    return codes


def _task_classes(given, values, n_columns, name):
    """One task's classes in column order: given, or its sorted labels."""
    if given is None:
        task_classes = np.unique(values).tolist()
        if len(values) and len(task_classes) != n_columns:
            raise ValueError(
                f"Y_proba for task {name!r} has {n_columns} columns but its labelled "
                f"cells hold {len(task_classes)} classes {task_classes}; pass "
                "classes= (the estimator's classes_) to say which class each "
                "column is."
            )
        return task_classes
    task_classes = np.asarray(given, dtype=object).tolist()
    if len(task_classes) != n_columns:
        raise ValueError(
            f"Y_proba for task {name!r} has {n_columns} columns but classes names "
            f"{len(task_classes)} classes {task_classes}."
        )
    if len({label_key(c) for c in task_classes}) != len(task_classes):
        raise ValueError(
            f"The classes of task {name!r} repeat a label: {task_classes}."
        )
    return task_classes


def _scored_tasks(Y_true, Y_proba, classes, missing_label, sample_weight):
    """Per task: name, classes and, when it has a scored cell, its data.

    The data are ``(codes, proba, weights)`` of the scored cells only, with
    ``codes`` indexing the columns of ``proba``; None without a scored cell.
    """
    columns, scored, weights, names, _ = true_columns(
        Y_true, missing_label, sample_weight
    )
    probas = _check_probas(Y_proba, names, len(columns[0]))
    given = _check_classes(classes, names)
    tasks = []
    for t, (name, column, mask, proba) in enumerate(
        zip(names, columns, scored, probas)
    ):
        values = as_labels(column[mask])
        task_classes = _task_classes(given[t], values, proba.shape[1], name)
        data = None
        if mask.any():
            codes = _encode(values, task_classes, name)
            data = (codes, proba[mask], subset_weights(weights[t], mask))
        tasks.append((name, task_classes, data))
    return tasks
