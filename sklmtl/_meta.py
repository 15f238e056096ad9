"""What sklmtl's wrappers share: the missing-label rule, ``X`` checks, outputs.

A wrapper (:class:`~sklmtl.grouping.TaskGroupingClassifier`,
:class:`~sklmtl.calibration.CalibratedMultiTaskClassifier`,
:class:`~sklmtl.thresholds.TunedThresholdMultiTaskClassifier`, the baselines)
reads ``y`` itself, to learn ``classes_``, to calibrate or to tune, and hands
``y`` or codes derived from it to clones of the estimator it wraps. Both must
agree on which cells are missing, or the wrapper learns the wrapped
estimator's sentinel as a class. The rule lives here, once:

- ``None``, ``NaN`` and ``pd.NA`` are missing for every estimator, so a
  ``missing_label`` of ``NaN`` (the default) or ``None`` adds nothing: it is
  *unset*.
- The ``missing_label`` in effect of an estimator is its own when set, else
  the one its wrapped estimators declare (looking through
  :class:`~sklearn.frozen.FrozenEstimator`, a ``Pipeline``'s last step, a
  search's ``estimator`` and nested sklmtl wrappers).
- Two different set values (the wrapper's and the wrapped one's, or two
  wrapped estimators') are a ``ValueError`` naming both: there is no silent
  winner.
- A clone that receives the user's labels is given the value in effect
  (:func:`clone_with_missing_label`); one that receives codes the wrapper
  made gets the value that fits those codes.

The wrappers' base class, :class:`MultiTaskMetaEstimator`, reads targets,
checks ``X`` by the wrapped estimator's tags and shapes outputs with the
conventions of :class:`~sklmtl.MultiTaskNetClassifier`. Plain numpy and
scikit-learn: no torch.
"""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    MultiOutputMixin,
    clone,
)
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.validation import validate_data

from ._label_kinds import is_missing_scalar, same_label
from ._targets import decode_predictions, encode_targets
from .metrics import MultiTaskScoreMixin, subset_accuracy

__all__ = [
    "MultiTaskMetaEstimator",
    "clone_with_missing_label",
    "missing_label_in_effect",
]


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
        if not same_label(value, other):
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
    >>> from sklmtl._meta import missing_label_in_effect
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
    >>> from sklmtl._meta import clone_with_missing_label
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


class MultiTaskMetaEstimator(
    MultiTaskScoreMixin,
    MetaEstimatorMixin,
    ClassifierMixin,
    MultiOutputMixin,
    BaseEstimator,
):
    """Shared target handling and output conventions of the wrappers.

    Subclasses store their wrapped estimator in ``estimator`` (or override
    :meth:`_inner_estimator` for a default) and set ``_allow_nd`` when they
    accept image batches.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl._meta import MultiTaskMetaEstimator
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> isinstance(IndependentTaskClassifier(DecisionTreeClassifier()),
    ...            MultiTaskMetaEstimator)
    True
    """

    #: Whether ``X`` may have more than two dimensions (image batches).
    _allow_nd = False

    def _inner_estimator(self):
        """The estimator being wrapped (a hook for a default estimator)."""
        return self.estimator

    def _wrapped_estimators(self):
        return [self._inner_estimator()]

    def _missing_label(self):
        """This wrapper's ``missing_label`` in effect (see the module doc)."""
        return missing_label_in_effect(self)

    def _encode(self, y):
        codes, classes, task_names, is_1d = encode_targets(y, self._missing_label())
        self.classes_ = classes[0] if is_1d else classes
        self.n_tasks_ = len(classes)
        self.task_names_ = task_names
        self._y_is_1d = is_1d
        return codes, classes

    def _classes_list(self):
        return [self.classes_] if self._y_is_1d else list(self.classes_)

    def _validate_X(self, X, reset):
        """Check ``X`` as the wrapped estimator would accept it.

        DataFrames pass through unchanged (column names may matter to a
        pipeline inside); everything else is checked with the wrapped
        estimator's sparse and NaN tags, and no dtype conversion.
        """
        tags = get_tags(self._inner_estimator())
        return validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=["csr", "csc"] if tags.input_tags.sparse else False,
            ensure_all_finite=not tags.input_tags.allow_nan,
            dtype=None,
            allow_nd=self._allow_nd,
            skip_check_array=hasattr(X, "iloc"),
        )

    def _decode(self, codes):
        return decode_predictions(codes, self._classes_list(), self._y_is_1d)

    def _shape_proba(self, probas):
        return probas[0] if self._y_is_1d else probas

    def score(self, X, y, sample_weight=None):
        """Subset accuracy on ``X``, ignoring the missing cells of ``y``.

        Missing cells are those of the ``missing_label`` in effect: this
        estimator's own, or the wrapped estimator's when this one's is unset.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test data.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True labels; missing cells are ignored.
        sample_weight : array-like of shape (n_samples,) or \
(n_samples, n_tasks), default=None
            Weights per sample, or per cell as ``fit`` takes them.

        Returns
        -------
        score : float
            Weighted share of samples whose labelled cells are all predicted
            correctly.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> X, Y = [[0], [1], [2], [3]], [[0, 1], [0, 1], [1, 0], [1, -1]]
        >>> tree = IndependentTaskClassifier(DecisionTreeClassifier(),
        ...                                  missing_label=-1)
        >>> tree.fit(X, Y).score(X, Y)
        1.0
        """
        return subset_accuracy(
            y,
            self.predict(X),
            missing_label=self._missing_label(),
            sample_weight=sample_weight,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._inner_estimator()).input_tags
        tags.input_tags.sparse = inner.sparse
        tags.input_tags.allow_nan = inner.allow_nan
        return tags
