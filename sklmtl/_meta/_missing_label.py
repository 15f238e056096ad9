"""The missing-label rule of sklmtl's wrappers, in one place.

A wrapper (:class:`~sklmtl.grouping.TaskGroupingClassifier`,
:class:`~sklmtl.calibration.CalibratedMultiTaskClassifier`,
:class:`~sklmtl.thresholds.TunedThresholdMultiTaskClassifier`, the baselines)
reads ``y`` itself, to learn ``classes_``, to calibrate or to tune, and hands
``y`` or codes derived from it to clones of the estimator it wraps; the
scorers and displays read ``y`` for a fitted wrapper too. All must agree on
which cells are missing, or the sentinel of the wrapped estimator becomes a
class. The rule:

- ``None``, ``NaN`` and ``pd.NA`` are missing for every estimator, so a
  ``missing_label`` of ``NaN`` (the default) or ``None`` adds nothing: it is
  *unset*.
- The ``missing_label`` in effect of an estimator is its own when set, else
  the one its wrapped estimators declare (looking through
  :class:`~sklearn.frozen.FrozenEstimator`, a ``Pipeline``'s last step, a
  search's ``estimator`` and nested sklmtl wrappers, which list theirs in
  ``_wrapped_estimators()``).
- Two different set values (the wrapper's and the wrapped one's, or two
  wrapped estimators') are a ``ValueError`` naming both: there is no silent
  winner.
- A clone that receives the user's labels is given the value in effect
  (:func:`clone_with_missing_label`); one that receives codes the wrapper
  made gets the value that fits those codes.

Plain scikit-learn, below the metrics (which use it to score a wrapper) and
the wrappers' base class (:mod:`sklmtl._meta._base`).
"""

import numpy as np
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from .._labels import is_missing_scalar, same_class

__all__ = ["clone_with_missing_label", "missing_label_in_effect"]


def _own_params(estimator):
    get_params = getattr(estimator, "get_params", None)
    if get_params is None or isinstance(estimator, type):
        return {}
    return get_params(deep=False)


def _wrapped(estimator):
    """The estimators ``estimator`` hands its targets to."""
    hook = getattr(estimator, "_wrapped_estimators", None)
    if hook is not None:  # sklmtl's wrappers, their None defaults resolved
        return [e for e in hook() if e is not None]
    if isinstance(estimator, Pipeline):
        last = estimator.steps[-1][1]
        return [] if last is None or last == "passthrough" else [last]
    inner = _own_params(estimator).get("estimator")
    return [] if inner is None or isinstance(inner, str) else [inner]


def _declared(estimator):
    """``(missing_label in effect, the estimator that declares it)``."""
    own = _own_params(estimator).get("missing_label", np.nan)
    found = [(own, estimator)] if not is_missing_scalar(own) else []
    for inner in _wrapped(estimator):
        value, source = _declared(inner)
        if not is_missing_scalar(value):
            found.append((value, source))
    if not found:
        return np.nan, None
    value, source = found[0]
    for other, other_source in found[1:]:
        if not same_class(value, other):
            raise ValueError(
                f"{_describe(estimator, source, value)} conflicts with "
                f"{_describe(estimator, other_source, other)}: one would learn "
                "the other's missing cells as a class. Set the same "
                "missing_label on both, or leave the wrapper's at its default "
                "(NaN) to use the wrapped estimator's."
            )
    return value, source


def _describe(wrapper, source, value):
    name = type(source).__name__
    whose = f"{name}(missing_label={value!r})"
    return whose if source is wrapper else f"the wrapped {whose}"


def missing_label_in_effect(estimator):
    """The ``missing_label`` an estimator and those it wraps agree on.

    Parameters
    ----------
    estimator : estimator
        Any estimator; a wrapper's own ``missing_label`` when set, else its
        wrapped estimators' (recursively).

    Returns
    -------
    missing_label : scalar
        The sentinel, or ``NaN`` when none is declared (``None``, ``NaN``
        and ``pd.NA`` are missing anyway).

    Raises
    ------
    ValueError
        When two different sentinels are declared, naming both.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklmtl._meta._missing_label import missing_label_in_effect
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> from sklmtl.calibration import CalibratedMultiTaskClassifier
    >>> inner = IndependentTaskClassifier(LogisticRegression(), missing_label=-1)
    >>> missing_label_in_effect(CalibratedMultiTaskClassifier(inner))
    -1
    >>> missing_label_in_effect(LogisticRegression())
    nan
    """
    return _declared(estimator)[0]


def clone_with_missing_label(estimator, missing_label, **params):
    """A clone of ``estimator`` that reads missing cells as ``missing_label``.

    The clone's own ``missing_label`` is set when it has one; otherwise the
    value goes to the first estimator down the wrapping chain that has one
    (a ``Pipeline``'s last step, a search's ``estimator``). A
    :class:`~sklearn.frozen.FrozenEstimator` is returned as it is (a frozen
    estimator is not refitted, so nothing of it can change).

    Parameters
    ----------
    estimator : estimator
        The estimator to clone.
    missing_label : scalar
        The sentinel of the targets the clone will be fitted on.
    **params : dict
        Other parameters to set on the clone.

    Returns
    -------
    clone : estimator
        The unfitted clone.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._meta._missing_label import clone_with_missing_label
    >>> pipe = make_pipeline(StandardScaler(), MultiTaskNetClassifier())
    >>> clone_with_missing_label(pipe, -1)[-1].missing_label
    -1
    """
    copy = clone(estimator)
    key = _missing_label_key(copy)
    if key is not None:
        params[key] = missing_label
    return copy.set_params(**params) if params else copy


def _missing_label_key(estimator, prefix=""):
    own = _own_params(estimator)
    if "missing_label" in own:
        return prefix + "missing_label"
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        if last is None or last == "passthrough":
            return None
        return _missing_label_key(last, f"{prefix}{name}__")
    inner = own.get("estimator")
    if (
        inner is None
        or isinstance(inner, str)
        or isinstance(estimator, FrozenEstimator)
    ):
        return None
    return _missing_label_key(inner, f"{prefix}estimator__")
