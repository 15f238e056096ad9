"""What sklmtl's wrappers share: their base class.

:class:`MultiTaskMetaEstimator` reads targets with the ``missing_label`` in
effect (the wrapper's own, else the wrapped estimator's: the rule lives in
:mod:`sklmtl._meta._missing_label`), checks ``X`` by the wrapped estimator's tags
and shapes outputs with the conventions of
:class:`~sklmtl.MultiTaskNetClassifier`. Plain numpy and scikit-learn: no
torch.
"""

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    MultiOutputMixin,
)
from sklearn.utils import get_tags
from sklearn.utils.validation import validate_data

from .._targets import decode_predictions, encode_targets
from ..metrics import MultiTaskScoreMixin, subset_accuracy
from ._missing_label import missing_label_in_effect

__all__ = ["MultiTaskMetaEstimator"]


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
    >>> from sklmtl._meta._base import MultiTaskMetaEstimator
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
