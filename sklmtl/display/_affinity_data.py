"""What the task affinity display draws from: the task order that clusters
related tasks (:func:`cluster_order`) and the per-epoch matrices a training
history recorded (:func:`epoch_matrices`). Plain numpy and scipy."""

import numpy as np

__all__ = ["cluster_order", "epoch_matrices"]


def cluster_order(affinity):
    """Task order that puts tasks with high mutual affinity next to each other.

    Average-linkage clustering on ``1 - A`` (``A`` symmetrised), leaves in
    optimal order (:func:`scipy.cluster.hierarchy.optimal_leaf_ordering`).

    Parameters
    ----------
    affinity : ndarray of shape (n_tasks, n_tasks)
        A cosine-like affinity (1 on the diagonal); ``nan`` read as 0.

    Returns
    -------
    order : list of int
        Task indices, in display order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.display._affinity_data import cluster_order
    >>> A = np.array([[1, 0, .9], [0, 1, 0], [.9, 0, 1]])
    >>> cluster_order(A)  # tasks 0 and 2 side by side
    [1, 2, 0]
    """
    from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering
    from scipy.spatial.distance import squareform

    affinity = np.nan_to_num(np.asarray(affinity, dtype=float), nan=0.0)
    if len(affinity) < 3:
        return list(range(len(affinity)))
    distance = np.clip(1.0 - (affinity + affinity.T) / 2.0, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    condensed = squareform(distance, checks=False)
    tree = optimal_leaf_ordering(linkage(condensed, "average"), condensed)
    return [int(t) for t in leaves_list(tree)]


def epoch_matrices(history, kind):
    """``(epochs, matrices)`` of the epochs of ``history`` that recorded ``kind``."""
    epochs, matrices = [], []
    for row in history:
        if kind in row:
            epochs.append(int(row.get("epoch", len(epochs) + 1)))
            matrices.append(np.asarray(row[kind], dtype=float))
    return epochs, matrices
