"""``score`` and tags shared by sklmtl's classifiers."""

from ._accuracy import subset_accuracy


class MultiTaskScoreMixin:
    """``score`` as missing-aware subset accuracy, and multi-output tags.

    Mixed into sklmtl's estimators before ``ClassifierMixin`` (whose
    ``accuracy_score`` rejects multi-output targets). The estimator provides
    ``predict`` and a ``missing_label`` parameter.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> X, Y = [[0], [1], [2], [3]], [[0, 1], [0, 1], [1, 0], [1, None]]
    >>> IndependentTaskClassifier(DecisionTreeClassifier()).fit(X, Y).score(X, Y)
    1.0
    """

    def score(self, X, y, sample_weight=None):
        """Subset accuracy on ``X``, ignoring the missing cells of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test data.
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
            True labels; missing cells are ignored.
        sample_weight : array-like of shape (n_samples,) or \
(n_samples, n_tasks), default=None
            Weights per sample, or per cell as ``fit`` takes them. A cell of
            weight 0 counts as unlabelled; with per-cell weights a sample
            weighs the mean weight of its labelled cells of positive weight,
            and a sample with none is left out.

        Returns
        -------
        score : float
            Weighted share of samples whose labelled cells are all predicted
            correctly.

        Examples
        --------
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> X, Y = [[0], [1], [2], [3]], [[0, 1], [0, 1], [1, 0], [1, 0]]
        >>> IndependentTaskClassifier(DecisionTreeClassifier()).fit(X, Y).score(X, Y)
        1.0
        """
        return subset_accuracy(
            y,
            self.predict(X),
            missing_label=self.missing_label,
            sample_weight=sample_weight,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.classifier_tags.multi_label = True
        return tags
