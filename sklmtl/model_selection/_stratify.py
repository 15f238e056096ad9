"""Iterative stratification of multi-task targets (the engine of model_selection).

Plain numpy. A target table is read as a set of *labels*: each (task, class)
pair is one label; a row carries one label per task whose cell is known and
none for a missing cell. The splitters balance the count of every label across
the parts of a split with the iterative stratification of Sechidis, Tsoumakas
& Vlahavas ("On the Stratification of Multi-Label Data", ECML PKDD 2011):
labels are visited rarest first and their rows placed where they are most
wanted. Three changes fit it to multi-task tables:

* parts have fixed sizes (a row goes only to a part with room), so k-fold
  folds are as even as ``KFold``'s and a shuffle split's test set has exactly
  ``test_size`` rows; rows without any label fill the room left;
* a row's part is chosen from all its labels (one per known task), not from
  the visited label alone: the part where it lowers the squared deviation
  of the label counts from their shares most. The paper's rule balances the
  rarest labels and left the tasks visited last up to 8 rows off on random
  tables; this one stays within about 4;
* a swap search then exchanges rows between parts while that deviation
  falls, which brings every label to within about 2 rows of its share on
  the same tables (1-10 tasks, 2-10 classes, up to 80% missing cells).

With groups, whole groups are placed in the same order and by the same
objective, with the fold size as one more label; moves and swaps of groups
follow.
"""

import numpy as np

from .._labels import label_key
from .._target_columns import missing_mask, split_target_columns


def check_class_labels(values, task_name):
    """Raise if a float column holds non-integer values (a regression target)."""
    if values.dtype.kind != "f":
        return
    bad = ~np.isfinite(values) | (values != np.round(values))
    if bad.any():
        raise ValueError(
            f"Task {task_name!r} has the non-integer value {values[bad][0]!r}: "
            "stratified splitting needs class labels, not continuous targets. "
            "Use sklearn.model_selection.KFold for a regression task."
        )


def encode_values(values, what):
    """Integer code per value (first-seen order) and the distinct values.

    Values are told apart by :func:`~sklmtl._labels.label_key`, the rule
    every metric compares labels by: ``True``, ``1`` and ``1.0`` are one
    value, ``"1"`` another. ``what`` names the column in the error raised for
    an unhashable value.
    """
    if values.dtype.kind != "O":
        uniques, first, codes = np.unique(
            values, return_index=True, return_inverse=True
        )
        rank = np.empty(len(uniques), dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(len(uniques))
        return rank[codes.reshape(-1)], uniques[
            np.argsort(first, kind="stable")
        ].tolist()
    lookup = {}
    codes = np.empty(len(values), dtype=np.int64)
    uniques = []
    for i, value in enumerate(values.tolist()):
        try:
            code = lookup.setdefault(label_key(value), len(lookup))
        except TypeError:
            raise TypeError(
                f"{what} has an unhashable value {value!r} of type "
                f"{type(value).__name__}; values must be hashable (int, str, bool)."
            ) from None
        if code == len(uniques):
            uniques.append(value)
        codes[i] = code
    return codes, uniques


class LabelTable:
    """Each row's labels, one per known task cell.

    Attributes
    ----------
    labels : ndarray of shape (n_samples, n_tasks), dtype=int64
        Global label index (``offsets[t] + class index``), ``-1`` when missing.
    offsets : ndarray of shape (n_tasks + 1,)
        First label index of each task; ``offsets[-1]`` is the label count.
    classes : list of list
        The classes of each task, in first-seen order.
    task_names : list of str
        Task names (DataFrame columns, else ``task_0``, ...).
    counts : ndarray of shape (n_labels,)
        Rows per label.
    """

    def __init__(self, Y, missing_label=np.nan):
        columns, self.task_names, _ = split_target_columns(Y)
        n_samples = len(columns[0])
        self.labels = np.full((n_samples, len(columns)), -1, dtype=np.int64)
        self.classes = []
        offsets = [0]
        for t, (column, name) in enumerate(zip(columns, self.task_names)):
            known = np.flatnonzero(~missing_mask(column, missing_label))
            values = np.asarray(column)[known]
            check_class_labels(values, name)
            codes, classes = encode_values(values, f"Task {name!r}")
            self.labels[known, t] = codes + offsets[-1]
            self.classes.append(classes)
            offsets.append(offsets[-1] + len(classes))
        self.offsets = np.asarray(offsets)
        known = self.labels[self.labels >= 0]
        self.counts = np.bincount(known, minlength=offsets[-1])

    @property
    def n_samples(self):
        return self.labels.shape[0]

    def describe(self, label):
        """``(task name, class)`` of a global label index."""
        t = int(np.searchsorted(self.offsets, label, side="right") - 1)
        return self.task_names[t], self.classes[t][label - self.offsets[t]]


def _pick(candidates, rng):
    """One of the tied ``candidates``: the first, or a random one with an RNG."""
    if rng is None or len(candidates) == 1:
        return candidates[0]
    return candidates[rng.randint(len(candidates))]


def _ties(values, among):
    """The members of ``among`` where ``values`` is largest."""
    best = values[among].max()
    return among[values[among] == best]


def stratify_rows(table, part_sizes, rng=None):
    """Assign every row to a part of the given size, balancing every label.

    Labels are visited rarest first (the ones with the fewest unplaced rows
    left, as in Sechidis et al.); each unplaced row of the label goes to the
    part, among those with room, that wants its labels most: the largest sum
    over the row's labels of ``desired[part, label]`` (which lowers the
    squared count deviation most; the paper looks at the visited label only),
    ties to the part with the most room. :func:`_swap_search` follows.

    Parameters
    ----------
    table : LabelTable
        The rows' labels.
    part_sizes : sequence of int
        Rows per part; they sum to ``table.n_samples``.
    rng : RandomState or None
        Visits the rows in a random order and breaks ties at random; with None
        rows are visited in index order and ties go to the lowest index.

    Returns
    -------
    parts : ndarray of shape (n_samples,), dtype=int64
        The part of each row.
    """
    labels = table.labels
    n_samples, n_parts = labels.shape[0], len(part_sizes)
    room = np.asarray(part_sizes, dtype=np.int64).copy()
    # desired[j, l]: rows of label l that part j still needs.
    desired = np.outer(room / n_samples, table.counts.astype(float))
    remaining = table.counts.copy()
    order = np.arange(n_samples) if rng is None else rng.permutation(n_samples)
    rows_of = _rows_by_label(labels[order], order, len(remaining))
    parts = np.full(n_samples, -1, dtype=np.int64)
    all_parts = np.arange(n_parts)
    while remaining.any():
        open_labels = np.flatnonzero(remaining)
        rarest = open_labels[remaining[open_labels] == remaining[open_labels].min()]
        label = _pick(rarest, rng)
        for row in rows_of[label]:
            if parts[row] >= 0:
                continue
            row_labels = labels[row][labels[row] >= 0]
            wanted = desired[:, row_labels].sum(axis=1)
            part = _pick(_ties(room, _ties(wanted, all_parts[room > 0])), rng)
            parts[row] = part
            room[part] -= 1
            desired[part, row_labels] -= 1
            remaining[row_labels] -= 1
    # Rows without a label fill the room that is left.
    unlabelled = order[parts[order] < 0]
    parts[unlabelled] = np.repeat(all_parts, room)
    _swap_search(table, parts, np.asarray(part_sizes))
    return parts


def _swap_search(table, parts, part_sizes, n_candidates=64):
    """Swap rows between parts while that lowers the squared count deviation.

    The objective is ``sum_{j,l} (count[j, l] - target[j, l]) ** 2`` with
    ``target[j, l] = total[l] * size[j] / n``. Swapping keeps the part sizes.
    For each pair of parts the ``n_candidates`` rows of each side whose move
    alone helps most are paired exhaustively (labels shared by the two rows
    cancel, which the pairing accounts for); the best improving swap is made
    until none is left. Deterministic: ties go to the lowest row index.
    Modifies ``parts`` in place.
    """
    labels = table.labels
    n_labels = len(table.counts)
    known = labels >= 0
    # A missing cell points at an extra, always-zero label column.
    padded = np.where(known, labels, n_labels)
    rows, cols = np.nonzero(known)
    excess = np.zeros((len(part_sizes), n_labels + 1))
    np.add.at(excess, (parts[rows], labels[rows, cols]), 1)
    excess[:, :n_labels] -= np.outer(part_sizes / len(parts), table.counts)
    n_parts = len(part_sizes)
    improved = True
    while improved:
        improved = False
        for first in range(n_parts):
            for second in range(first + 1, n_parts):
                while _best_swap(
                    padded, known, parts, excess, first, second, n_candidates
                ):
                    improved = True


def _best_swap(padded, known, parts, excess, first, second, n_candidates):
    """Make the best improving swap between two parts; False when none."""
    side_a, side_b = np.flatnonzero(parts == first), np.flatnonzero(parts == second)
    # Change of the objective when one row moves alone (2 per unit step).
    gain_a = excess[second, padded[side_a]] - excess[first, padded[side_a]] + 1
    gain_b = excess[first, padded[side_b]] - excess[second, padded[side_b]] + 1
    gain_a = 2 * (gain_a * known[side_a]).sum(axis=1)
    gain_b = 2 * (gain_b * known[side_b]).sum(axis=1)
    best_a = np.argsort(gain_a, kind="stable")[:n_candidates]
    best_b = np.argsort(gain_b, kind="stable")[:n_candidates]
    side_a, gain_a = side_a[best_a], gain_a[best_a]
    side_b, gain_b = side_b[best_b], gain_b[best_b]
    # Labels the two rows share cancel out of the sum of their moves.
    shared = (
        (padded[side_a][:, None, :] == padded[side_b][None, :, :])
        & known[side_a][:, None, :]
    ).sum(axis=2)
    change = gain_a[:, None] + gain_b[None, :] - 4 * shared
    if change.size == 0 or change.min() > -1e-9:
        return False
    i, j = np.unravel_index(np.argmin(change), change.shape)
    row_a, row_b = side_a[i], side_b[j]
    labels_a = padded[row_a][known[row_a]]
    labels_b = padded[row_b][known[row_b]]
    excess[first, labels_a] -= 1
    excess[second, labels_a] += 1
    excess[second, labels_b] -= 1
    excess[first, labels_b] += 1
    parts[row_a], parts[row_b] = second, first
    return True


def _rows_by_label(ordered_labels, order, n_labels):
    """For each label, the rows carrying it, in visiting order."""
    task_rows, task_cols = np.nonzero(ordered_labels >= 0)
    flat = ordered_labels[task_rows, task_cols]
    by_label = np.argsort(flat, kind="stable")
    bounds = np.searchsorted(flat[by_label], np.arange(n_labels + 1))
    rows = order[task_rows[by_label]]
    return [rows[bounds[i] : bounds[i + 1]] for i in range(n_labels)]


def stratify_groups(table, group_index, n_groups, n_parts, rng=None):
    """Assign whole groups to ``n_parts`` folds, balancing every label.

    The objective is ``F = sum_{j,l} (count[j, l] - total[l] / n_parts) ** 2
    + sum_j (size[j] - n / n_parts) ** 2``: the fold size counts as one more
    label that every row carries. Groups are placed in iterative
    stratification order (the label with the fewest unplaced rows first, its
    groups largest first, then the groups without any label, largest first),
    each into the fold where it raises ``F`` least, ties to the fold with the
    fewest rows. Moves and swaps of groups between folds then lower ``F``
    while they can.

    Parameters
    ----------
    table : LabelTable
        The rows' labels.
    group_index : ndarray of shape (n_samples,)
        Group of each row, ``0 .. n_groups - 1``.
    n_groups, n_parts : int
        Number of groups and of folds.
    rng : RandomState or None
        Visits groups in a random order (before the stable sorts) and breaks
        ties at random; with None ties go to the lowest index.

    Returns
    -------
    parts : ndarray of shape (n_groups,), dtype=int64
        The fold of each group.
    """
    n_labels = len(table.counts)
    rows, cols = np.nonzero(table.labels >= 0)
    # One column per label, and a last one for the group's size.
    features = np.zeros((n_groups, n_labels + 1))
    np.add.at(features, (group_index[rows], table.labels[rows, cols]), 1)
    features[:, -1] = np.bincount(group_index, minlength=n_groups)
    excess = np.tile(-features.sum(axis=0) / n_parts, (n_parts, 1))
    parts = np.full(n_groups, -1, dtype=np.int64)
    order = np.arange(n_groups) if rng is None else rng.permutation(n_groups)
    remaining = features[:, :-1].sum(axis=0)
    all_parts = np.arange(n_parts)

    def place(group):
        # F rises by 2 * excess[j] @ counts + |counts|^2 in fold j.
        cost = np.round(excess @ features[group], 9)
        part = _pick(_ties(-excess[:, -1], _ties(-cost, all_parts)), rng)
        parts[group] = part
        excess[part] += features[group]

    while remaining.any():
        open_labels = np.flatnonzero(remaining)
        rarest = open_labels[remaining[open_labels] == remaining[open_labels].min()]
        label = _pick(rarest, rng)
        members = order[(features[order, label] > 0) & (parts[order] < 0)]
        for group in members[np.argsort(-features[members, label], kind="stable")]:
            place(group)
            remaining -= features[group, :-1]
    unlabelled = order[parts[order] < 0]
    for group in unlabelled[np.argsort(-features[unlabelled, -1], kind="stable")]:
        place(group)
    improved = True
    while improved:
        improved = False
        for first in range(n_parts):
            for second in range(first + 1, n_parts):
                while _best_exchange(features, parts, excess, first, second):
                    improved = True
    return parts


def _best_exchange(features, parts, excess, first, second, n_candidates=64):
    """Make the best improving move or swap of groups between two folds.

    Moving counts ``a`` from ``first`` to ``second`` and ``b`` back changes
    ``F`` by ``gain(a) + gain(b) - 4 a @ b``; an empty side is a plain move.
    A move that would empty a fold is not made. False when nothing improves.
    """
    side_a, side_b = np.flatnonzero(parts == first), np.flatnonzero(parts == second)
    towards = excess[second] - excess[first]
    gain_a = 2 * features[side_a] @ towards + 2 * (features[side_a] ** 2).sum(axis=1)
    gain_b = -2 * features[side_b] @ towards + 2 * (features[side_b] ** 2).sum(axis=1)
    best_a = np.argsort(gain_a, kind="stable")[:n_candidates]
    best_b = np.argsort(gain_b, kind="stable")[:n_candidates]
    # The last candidate on each side is "nothing": a move, not a swap.
    side_a, side_b = np.append(side_a[best_a], -1), np.append(side_b[best_b], -1)
    moved_a = np.vstack([features[side_a[:-1]], np.zeros(features.shape[1])])
    moved_b = np.vstack([features[side_b[:-1]], np.zeros(features.shape[1])])
    change = np.append(gain_a[best_a], 0)[:, None] + np.append(gain_b[best_b], 0)
    change -= 4 * (moved_a[:, None, :] * moved_b[None, :, :]).sum(axis=2)
    change[-1, -1] = np.inf
    if len(side_a) == 2:
        change[:, -1] = np.inf
    if len(side_b) == 2:
        change[-1, :] = np.inf
    i, j = np.unravel_index(np.argmin(change), change.shape)
    if not change[i, j] < -1e-9:
        return False
    excess[first] += moved_b[j] - moved_a[i]
    excess[second] += moved_a[i] - moved_b[j]
    if side_a[i] >= 0:
        parts[side_a[i]] = second
    if side_b[j] >= 0:
        parts[side_b[j]] = first
    return True
