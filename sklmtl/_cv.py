"""How the meta-estimators (calibration, thresholds) read their ``cv``.

Never ``StratifiedKFold`` for an int: it cannot stratify several tasks at
once, and ``check_cv(cv=<int>, y)`` sorts the labels, which fails on a ``Y``
mixing label kinds or missing cells. A splitter object is used as given.
"""

import numbers

from sklearn.model_selection import KFold, ShuffleSplit, check_cv

__all__ = ["resolve_cv"]


def resolve_cv(cv, random_state, *, default_n_splits=5, allow_float=False):
    """The splitter for ``cv``: None, an int, a float, a splitter or an iterable.

    Parameters
    ----------
    cv : None, int, float, cross-validation generator or iterable
        None means ``default_n_splits`` folds; an int ``k`` means
        ``KFold(k, shuffle=True, random_state=random_state)``; with
        ``allow_float``, a float in (0, 1) means one shuffled split holding
        out that share of the rows; anything with ``split`` or an iterable
        of ``(train, test)`` pairs is used as given.
    random_state : int, RandomState instance or None
        Shuffles the rows of the int and float forms.
    default_n_splits : int, default=5
        Folds for ``cv=None``.
    allow_float : bool, default=False
        Whether a float ``cv`` is accepted.

    Returns
    -------
    cv : cross-validation splitter

    Examples
    --------
    >>> from sklmtl._cv import resolve_cv
    >>> resolve_cv(3, random_state=0)
    KFold(n_splits=3, random_state=0, shuffle=True)
    >>> resolve_cv(0.25, random_state=0, allow_float=True).get_n_splits()
    1
    """
    cv = default_n_splits if cv is None else cv
    if isinstance(cv, str):
        raise ValueError(
            f"cv={cv!r} is not supported (scikit-learn removed cv='prefit'); "
            "wrap an already fitted estimator in sklearn.frozen.FrozenEstimator "
            "to use it without refitting."
        )
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got cv={cv}.")
        return KFold(cv, shuffle=True, random_state=random_state)
    if allow_float and isinstance(cv, numbers.Real) and not isinstance(cv, bool):
        if not 0 < cv < 1:
            raise ValueError(
                f"A float cv is the share of rows held out and must be in (0, 1); "
                f"got cv={cv}."
            )
        return ShuffleSplit(1, test_size=cv, random_state=random_state)
    if not (hasattr(cv, "split") or hasattr(cv, "__iter__")):
        forms = "None, an int, a float in (0, 1)" if allow_float else "None, an int"
        raise TypeError(
            f"cv must be {forms}, a cross-validation splitter or an iterable of "
            f"(train, test) index arrays; got {cv!r}."
        )
    return check_cv(cv)
