"""A generator of related classification tasks with a known structure."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_multitask_classification"]


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def _check_fraction(value, name, *, upper_open=False):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not 0.0 <= value <= 1.0
        or (upper_open and value == 1.0)
    ):
        interval = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{name} must be a number in {interval}; got {value!r}.")


def _orthonormal(rng, n_rows, n_cols):
    q, _ = np.linalg.qr(rng.normal(size=(n_rows, n_cols)))
    return q


def _balanced_argmax(logits, n_iter=200):
    """Argmax after shifting class biases so that classes are about equally common.

    Each step moves a class's bias down in proportion to its excess frequency
    (a subgradient step on the balance), in units of the spread of the
    centred logits, with a decaying step so that it settles.
    """
    n_samples, n_classes = logits.shape
    step = 2.0 * (logits - logits.mean(axis=1, keepdims=True)).std() + 1e-12
    bias = np.zeros(n_classes)
    for _ in range(n_iter):
        freq = np.bincount((logits + bias).argmax(axis=1), minlength=n_classes)
        bias -= step * (freq / n_samples - 1.0 / n_classes)
        step *= 0.97
    return (logits + bias).argmax(axis=1)


def _group_sizes(task_groups, n_tasks):
    """The size of each block of tasks (``task_groups``)."""
    if task_groups is None:
        return [n_tasks]
    if np.ndim(task_groups) == 0:
        _check_positive_int(task_groups, "task_groups")
        if task_groups > n_tasks:
            raise ValueError(
                f"task_groups={task_groups} exceeds n_tasks={n_tasks}; every block "
                "needs at least one task."
            )
        base, extra = divmod(n_tasks, int(task_groups))
        return [base + (g < extra) for g in range(int(task_groups))]
    sizes = list(task_groups)
    for size in sizes:
        _check_positive_int(size, "each entry of task_groups")
    if sum(sizes) != n_tasks:
        raise ValueError(
            f"task_groups {sizes} sums to {sum(sizes)}; expected n_tasks={n_tasks}."
        )
    return [int(size) for size in sizes]


def make_multitask_classification(
    n_samples=1000,
    n_features=20,
    n_tasks=4,
    n_classes=2,
    *,
    n_latent=4,
    relatedness=1.0,
    noise=0.0,
    missing_rate=0.0,
    task_groups=None,
    random_state=None,
):
    """Generate a multi-task classification problem with controllable relatedness.

    In the spirit of :func:`sklearn.datasets.make_classification`, but each
    sample has one label per task and the tasks share a latent subspace to a
    degree set by ``relatedness``.

    The generative model, with ``p = n_features``, ``k = n_latent`` and
    ``rho = relatedness``:

    1. ``x ~ N(0, I_p)``.
    2. A shared orthonormal basis ``U`` (p x k) and, for each task ``t``, a
       private orthonormal basis ``V_t`` (p x k), all drawn at random.
    3. Task ``t`` reads the latent factors
       ``h_t = sqrt(rho) U^T x + sqrt(1 - rho) V_t^T x`` (each ``N(0, I_k)``).
       With ``rho = 1`` every task reads the same factors ``U^T x``; with
       ``rho = 0`` each task reads its own, unrelated subspace.
    4. Its class is ``argmax_c (A_t tanh(h_t) + b_t)_c`` with a random
       ``A_t`` (n_classes_t x k) per task; the biases ``b_t`` are set so that
       classes are about equally frequent.
    5. A share ``noise`` of each task's labels is replaced by a uniformly random
       class (as ``flip_y`` does), then a share ``missing_rate`` of all cells
       is blanked (``NaN``), independently and at random.

    With ``task_groups``, the tasks form blocks: each block ``g`` has its own
    shared basis ``U_g`` in step 3, orthogonal to the other blocks' bases, so
    ``relatedness`` applies within a block and tasks of different blocks
    share no latent direction.

    A model that learns the k shared directions from all tasks needs far fewer
    labels per task than one that learns each task alone from p features,
    when ``rho`` is high and p is large relative to k.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    n_features : int, default=20
        Number of features (``p``).
    n_tasks : int, default=4
        Number of tasks.
    n_classes : int or list of int, default=2
        Classes per task (one int for all tasks, or one per task).
    n_latent : int, default=4
        Dimension ``k`` of each latent subspace (at most ``n_features``).
    relatedness : float in [0, 1], default=1.0
        Share ``rho`` of each task's latent variance that lives in the shared
        subspace.
    noise : float in [0, 1], default=0.0
        Share of each task's labels replaced by a random class.
    missing_rate : float in [0, 1), default=0.0
        Probability that a label cell is missing (``NaN``).
    task_groups : int, list of int or None, default=None
        Blocks of related tasks, in column order: an int ``G`` splits the
        tasks into ``G`` contiguous blocks of near-equal size (the first ones
        larger); a list gives each block's size (summing to ``n_tasks``).
        ``G * n_latent`` must not exceed ``n_features``. None: one block.
    random_state : int, RandomState instance or None, default=None
        Seeds the problem and the samples.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The features.
    Y : ndarray of shape (n_samples, n_tasks)
        Class labels ``0 .. n_classes_t - 1`` (int64), or float64 with ``NaN``
        for missing cells when ``missing_rate > 0``.

    See Also
    --------
    sklearn.datasets.make_classification : the single-task generator.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.datasets import make_multitask_classification
    >>> X, Y = make_multitask_classification(
    ...     n_samples=200, n_tasks=3, n_classes=[2, 3, 4], missing_rate=0.2,
    ...     random_state=0)
    >>> X.shape, Y.shape
    ((200, 20), (200, 3))
    >>> np.unique(Y[:, 2][~np.isnan(Y[:, 2])]).tolist()
    [0.0, 1.0, 2.0, 3.0]

    Three blocks of two related tasks, unrelated across blocks:

    >>> X, Y = make_multitask_classification(
    ...     n_samples=100, n_tasks=6, task_groups=3, random_state=0)
    >>> Y.shape
    (100, 6)
    """
    for value, name in [
        (n_samples, "n_samples"),
        (n_features, "n_features"),
        (n_tasks, "n_tasks"),
        (n_latent, "n_latent"),
    ]:
        _check_positive_int(value, name)
    if n_latent > n_features:
        raise ValueError(
            f"n_latent={n_latent} must not exceed n_features={n_features}."
        )
    classes = [n_classes] * n_tasks if np.ndim(n_classes) == 0 else list(n_classes)
    if len(classes) != n_tasks:
        raise ValueError(
            f"n_classes has {len(classes)} entries; expected one per task "
            f"(n_tasks={n_tasks})."
        )
    for t, c in enumerate(classes):
        if isinstance(c, bool) or not isinstance(c, numbers.Integral) or c < 2:
            raise ValueError(
                f"n_classes for task {t} must be an integer >= 2; got {c!r}."
            )
    _check_fraction(relatedness, "relatedness")
    _check_fraction(noise, "noise")
    _check_fraction(missing_rate, "missing_rate", upper_open=True)

    sizes = _group_sizes(task_groups, n_tasks)
    if len(sizes) * n_latent > n_features:
        raise ValueError(
            f"task_groups gives {len(sizes)} blocks of n_latent={n_latent} shared "
            f"directions, more than n_features={n_features}; use fewer blocks, a "
            "smaller n_latent or more features."
        )
    block = np.repeat(np.arange(len(sizes)), sizes)

    rng = check_random_state(random_state)
    X = rng.normal(size=(n_samples, n_features))
    # Without blocks this draws exactly what it always did (same data per seed).
    bases = _orthonormal(rng, n_features, n_latent * len(sizes))
    Y = np.empty((n_samples, n_tasks), dtype=np.int64)
    for t, n_class in enumerate(classes):
        shared = X @ bases[:, block[t] * n_latent : (block[t] + 1) * n_latent]
        private = X @ _orthonormal(rng, n_features, n_latent)
        latent = np.sqrt(relatedness) * shared + np.sqrt(1 - relatedness) * private
        logits = np.tanh(latent) @ rng.normal(size=(n_latent, n_class))
        labels = _balanced_argmax(logits)
        flip = rng.rand(n_samples) < noise
        # Always draw the replacements, so the noise level leaves the rest of
        # the problem (bases, other tasks) unchanged for a given random_state.
        Y[:, t] = np.where(flip, rng.randint(n_class, size=n_samples), labels)
    if missing_rate > 0:
        Y = Y.astype(np.float64)
        Y[rng.rand(n_samples, n_tasks) < missing_rate] = np.nan
    return X, Y
