"""Checks and messages the multi-task splitters share."""

import numbers
import warnings

import numpy as np
from sklearn.utils.validation import _num_samples

# scikit-learn's own checks and messages for test_size / train_size.
from ._stratify import (
    LabelTable,
)

_MAX_LISTED = 5


# ------------------------------------------------------------------ checks
def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer; got {value!r} of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}.")


def _check_shuffle(splitter):
    if not isinstance(splitter.shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False; got {splitter.shuffle!r}.")
    if not splitter.shuffle and splitter.random_state is not None:
        raise ValueError(
            "Setting a random_state has no effect since shuffle is False. Leave "
            "random_state to its default (None), or set shuffle=True."
        )


def _read_targets(splitter, X, y):
    """The label table of ``y``, after checking it against ``X``."""
    name = type(splitter).__name__
    if y is None:
        raise ValueError(
            f"{name} stratifies on the targets: call split(X, Y) with Y of shape "
            "(n_samples, n_tasks); got y=None."
        )
    table = LabelTable(y, missing_label=splitter.missing_label)
    if X is not None and _num_samples(X) != table.n_samples:
        raise ValueError(
            f"X has {_num_samples(X)} rows but Y has {table.n_samples}; they must "
            "describe the same samples."
        )
    return table


def _check_class_counts(table, n_splits, name):
    """Raise if a task cannot reach every fold, warn about the classes that cannot.

    The rules of ``StratifiedKFold``, per task: an error when every class of a
    task has fewer labelled rows than ``n_splits``, a warning naming each
    (task, class) pair that has.
    """
    few = []
    for t, task in enumerate(table.task_names):
        counts = table.counts[table.offsets[t] : table.offsets[t + 1]]
        if len(counts) and counts.max() < n_splits:
            listed = dict(zip(table.classes[t], counts.tolist()))
            fix = f"lower n_splits to {counts.max()}, " if counts.max() >= 2 else ""
            raise ValueError(
                f"n_splits={n_splits} is greater than the number of labelled rows of "
                f"every class of task {task!r} (class counts {listed}); {fix}label "
                "more rows of that task, or leave it out of Y."
            )
        few += [
            (task, cls, int(c))
            for cls, c in zip(table.classes[t], counts)
            if c < n_splits
        ]
    if few:
        shown = ", ".join(
            f"task {t!r} class {c!r} ({n})" for t, c, n in few[:_MAX_LISTED]
        )
        more = f" and {len(few) - _MAX_LISTED} more" if len(few) > _MAX_LISTED else ""
        warnings.warn(
            f"{name}: {len(few)} (task, class) pair(s) have fewer labelled rows than "
            f"n_splits={n_splits}, so some test folds miss them: {shown}{more}.",
            UserWarning,
            stacklevel=3,
        )


def _warn_ignored_groups(splitter, groups):
    if groups is not None:
        warnings.warn(
            f"The groups parameter is ignored by {type(splitter).__name__}; use "
            "MultiTaskStratifiedGroupKFold to keep each group in one fold.",
            UserWarning,
            stacklevel=3,
        )


def _fold_sizes(n_samples, n_splits):
    """``KFold``'s sizes: the first ``n_samples % n_splits`` folds get one more."""
    sizes = np.full(n_splits, n_samples // n_splits, dtype=np.int64)
    sizes[: n_samples % n_splits] += 1
    return sizes


# --------------------------------------------------------------- splitters
