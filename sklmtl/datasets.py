"""Multi-task datasets built from data that ships with installed packages.

Nothing here downloads anything: the digits come with scikit-learn.
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch

__all__ = ["load_multitask_digits"]

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
        Return ``data`` and ``target`` as pandas DataFrames (needs pandas).

    Returns
    -------
    data : Bunch
        ``data`` of shape (1797, 64) (pixel intensities 0-16), ``target`` of
        shape (1797, 4) (object dtype: the tasks have different label types),
        ``images`` of shape (1797, 8, 8), ``target_names``, ``feature_names``
        and ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from sklmtl.datasets import load_multitask_digits
    >>> X, Y = load_multitask_digits(return_X_y=True)
    >>> X.shape, Y.shape
    ((1797, 64), (1797, 4))
    >>> Y[0].tolist()
    [0, 'even', False, False]
    """
    digits = load_digits()
    digit = digits.target
    target = np.empty((len(digit), 4), dtype=object)
    target[:, 0] = digit
    target[:, 1] = np.where(digit % 2 == 0, "even", "odd")
    target[:, 2] = digit >= 5
    target[:, 3] = np.isin(digit, _PRIMES)
    target_names = ["digit", "parity", "large", "prime"]
    data = digits.data
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
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        images=digits.images,
        target_names=target_names,
        feature_names=digits.feature_names,
        DESCR=(
            "Multi-task digits: scikit-learn's 1,797 8x8 digit images with the "
            "tasks digit (10 classes), parity (even/odd), large (digit >= 5) and "
            "prime (digit in {2, 3, 5, 7})."
        ),
    )
