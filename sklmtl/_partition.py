"""Partitions of tasks that maximise their total within-group affinity.

Plain numpy: the search behind :class:`~sklmtl.grouping.TaskGroupingClassifier`.
A partition's score is the sum, over the pairs of tasks that share a group,
of their symmetric affinity minus a threshold; a group of one task scores 0.
With up to ``EXHAUSTIVE_MAX_TASKS`` tasks every partition is scored (4,140
for 8 tasks); beyond, groups are merged greedily (the pair whose merge adds
the most) and the result is refined by moving single tasks while that helps,
as TAG's search does beyond its exhaustive range (Fifty et al., 2021).
"""

import numpy as np

__all__ = ["best_partition", "partition_score"]

EXHAUSTIVE_MAX_TASKS = 8
_MAX_MOVE_ROUNDS = 100


def partition_score(gain, labels):
    """Sum of ``gain[i, j]`` over the pairs ``i < j`` with the same label.

    Parameters
    ----------
    gain : ndarray of shape (n_tasks, n_tasks)
        Symmetric pairwise gain of putting two tasks together.
    labels : array-like of shape (n_tasks,)
        The group of each task.

    Returns
    -------
    score : float
        The partition's total within-group gain.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._partition import partition_score
    >>> gain = np.array([[0, 1, -1], [1, 0, -1], [-1, -1, 0.0]])
    >>> float(partition_score(gain, [0, 0, 1]))
    1.0
    """
    labels = np.asarray(labels)
    same = labels[:, None] == labels[None, :]
    return np.triu(np.where(same, gain, 0.0), k=1).sum()


def _all_labelings(n_tasks):
    """Every partition of ``n_tasks`` items as restricted growth strings."""
    rows = [[0]]
    for _ in range(1, n_tasks):
        rows = [row + [g] for row in rows for g in range(max(row) + 2)]
    return np.asarray(rows, dtype=np.int64)


def _exhaustive(gain, n_groups):
    labelings = _all_labelings(len(gain))
    if n_groups is not None:
        labelings = labelings[labelings.max(axis=1) + 1 == n_groups]
    upper = np.triu(gain, k=1)
    same = labelings[:, :, None] == labelings[:, None, :]
    scores = (same * upper).sum(axis=(1, 2))
    # Ties go to the partition with the most groups (sharing only when it
    # gains), then to the first one enumerated: deterministic.
    best = np.flatnonzero(scores >= scores.max() - 1e-12)
    n_found = labelings[best].max(axis=1)
    return labelings[best[int(np.argmax(n_found))]]


def _greedy(gain, n_groups):
    groups = [[t] for t in range(len(gain))]
    target = 1 if n_groups is None else n_groups
    while len(groups) > target:
        best, pair = -np.inf, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                value = gain[np.ix_(groups[a], groups[b])].sum()
                if value > best:
                    best, pair = value, (a, b)
        if n_groups is None and best <= 0:
            break
        a, b = pair
        groups[a] = groups[a] + groups.pop(b)
    labels = np.empty(len(gain), dtype=np.int64)
    for g, members in enumerate(groups):
        labels[members] = g
    return _refine(gain, labels, allow_new=n_groups is None)


def _refine(gain, labels, allow_new):
    """Move single tasks to the group where they add most, while it helps."""
    labels = labels.copy()
    for _ in range(_MAX_MOVE_ROUNDS):
        moved = False
        for t in range(len(labels)):
            own = labels[t]
            if not allow_new and np.sum(labels == own) == 1:
                continue  # the number of groups is fixed: keep every group
            others = labels == own
            others[t] = False
            current = gain[t, others].sum()
            best_gain, best_group = current, own
            candidates = set(labels.tolist()) - {own}
            for g in sorted(candidates):
                value = gain[t, labels == g].sum()
                if value > best_gain + 1e-12:
                    best_gain, best_group = value, g
            if allow_new and current < -1e-12 and best_gain <= 0:
                best_group = labels.max() + 1
            if best_group != own:
                labels[t] = best_group
                moved = True
        if not moved:
            break
    _, labels = np.unique(labels, return_inverse=True)
    return labels


def best_partition(affinity, n_groups=None, threshold=0.0):
    """The partition of the tasks with the highest total within-group affinity.

    Parameters
    ----------
    affinity : ndarray of shape (n_tasks, n_tasks)
        Pairwise affinity; symmetrised as ``(A + A.T) / 2``, diagonal ignored,
        ``nan`` read as 0.
    n_groups : int or None, default=None
        Exact number of groups; None lets ``threshold`` decide.
    threshold : float, default=0.0
        Subtracted from every pair's affinity: two tasks gain from sharing a
        group only when their affinity exceeds it (with ``n_groups=None``,
        a task joins a group only when its total gain there is positive).

    Returns
    -------
    labels : ndarray of shape (n_tasks,)
        The group of each task, numbered ``0, 1, ...`` in order of first
        appearance.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._partition import best_partition
    >>> A = np.array([[1, .8, 0, 0], [.8, 1, 0, 0], [0, 0, 1, .9], [0, 0, .9, 1]])
    >>> best_partition(A).tolist()
    [0, 0, 1, 1]
    >>> best_partition(A, n_groups=3).tolist()  # the weaker pair is split
    [0, 1, 2, 2]
    """
    affinity = np.nan_to_num(np.asarray(affinity, dtype=float), nan=0.0)
    gain = (affinity + affinity.T) / 2.0 - threshold
    np.fill_diagonal(gain, 0.0)
    if len(gain) <= EXHAUSTIVE_MAX_TASKS:
        labels = _exhaustive(gain, n_groups)
    else:
        labels = _greedy(gain, n_groups)
    # Number groups in order of their first task.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(np.argsort(first))
    return order[labels]
