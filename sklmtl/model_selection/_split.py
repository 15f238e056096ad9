"""The splitters: stratified k-fold, group k-fold and shuffle split over every task.

Each balances every (task, class) pair at once (:mod:`._stratify`); the checks
and messages they share are in :mod:`._common`.
"""

import warnings

import numpy as np
from sklearn.model_selection import BaseCrossValidator, BaseShuffleSplit

# scikit-learn's own checks and messages for test_size / train_size.
from sklearn.model_selection._split import _validate_shuffle_split
from sklearn.utils import check_random_state

from ._common import (
    _MAX_LISTED,
    _check_class_counts,
    _check_int,
    _check_shuffle,
    _fold_sizes,
    _read_targets,
    _warn_ignored_groups,
)
from ._stratify import (
    encode_values,
    stratify_groups,
    stratify_rows,
)


class MultiTaskStratifiedKFold(BaseCrossValidator):
    """K-fold cross-validation that keeps every task's class proportions.

    Each (task, class) pair is a label; a row carries the labels of its known
    cells and none for a missing one. Folds are built by iterative
    stratification (Sechidis, Tsoumakas & Vlahavas, "On the Stratification of
    Multi-Label Data", ECML PKDD 2011), extended to multiclass tasks and
    missing cells: labels are visited rarest first, each row goes to the fold
    (with room) that most wants its labels, a swap search then evens the
    counts out. Rows without any known label fill the remaining room, so
    every fold has ``n // n_splits`` or ``n // n_splits + 1`` rows, as in
    :class:`~sklearn.model_selection.KFold`.

    **Tolerance.** Let ``m`` be the number of known cells of a task in a test
    fold and ``p`` a class's share of that task's known cells in the whole
    ``Y``. On random tables (the property tests draw 1-6 tasks, 2-6 classes,
    0-70% missing cells and 2-8 folds) the fold holds that class ``m * p``
    times give or take 3, i.e. its class proportion is within ``3 / m`` of
    the whole, whatever ``m``; randomly assigned folds are off by about
    ``sqrt(m * p * (1 - p))`` rows, which grows with ``m``. This is measured,
    not proved: stratifying many tasks at once is a heuristic, and a table
    whose tasks contradict each other may admit no balanced split.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    shuffle : bool, default=False
        Visit the rows in a random order and break ties at random. When False
        the folds depend on ``Y`` only (rows in index order, ties to the
        first fold).
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffle; an int gives the same folds on every call. Only
        allowed with ``shuffle=True``.
    missing_label : scalar, default=np.nan
        Value marking an unknown cell, in addition to ``None``, ``NaN`` and
        ``pd.NA``; use the estimator's ``missing_label``.

    See Also
    --------
    MultiTaskStratifiedGroupKFold : the same, keeping each group in one fold.
    MultiTaskStratifiedShuffleSplit : random stratified train/test splits.
    check_cv : turns ``cv=5`` into this splitter.
    sklearn.model_selection.StratifiedKFold : the single-task splitter.

    Notes
    -----
    A task whose every class has fewer labelled rows than ``n_splits`` raises
    a ``ValueError``; classes with fewer rows than ``n_splits`` give a
    ``UserWarning`` naming them (the rules of ``StratifiedKFold``, per task).
    Cost: a few seconds for 100,000 rows and 10 tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.model_selection import MultiTaskStratifiedKFold
    >>> Y = np.array([["a", 0], ["a", 1], ["b", None], ["b", 0],
    ...               [None, 1], ["a", 0], ["b", 1], ["a", None]], dtype=object)
    >>> cv = MultiTaskStratifiedKFold(n_splits=2)
    >>> for train, test in cv.split(None, Y):
    ...     print(test, Y[test, 0].tolist(), Y[test, 1].tolist())
    [0 2 6 7] ['a', 'b', 'b', 'a'] [0, None, 1, None]
    [1 3 4 5] ['a', 'b', None, 'a'] [1, 0, 1, 0]

    As ``cv=`` in a search (the estimator and grid are elided here)::

        GridSearchCV(MultiTaskNetClassifier(), grid,
                     cv=MultiTaskStratifiedKFold(5, shuffle=True, random_state=0))
    """

    def __init__(
        self, n_splits=5, *, shuffle=False, random_state=None, missing_label=np.nan
    ):
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state
        self.missing_label = missing_label

    def split(self, X, y, groups=None):
        """Generate the train and test indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            Training data; only its length is used (None: take it from ``y``).
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            The targets to stratify on: any label kind per column, missing
            cells as ``None``, ``NaN``, ``pd.NA`` or ``missing_label``.
        groups : None
            Ignored (a warning is given when set); see
            :class:`MultiTaskStratifiedGroupKFold`.

        Yields
        ------
        train : ndarray of shape (n_train,)
            The training rows of the fold, sorted.
        test : ndarray of shape (n_test,)
            The test rows of the fold, sorted.

        Examples
        --------
        >>> from sklmtl.model_selection import MultiTaskStratifiedKFold
        >>> Y = [[0, 1], [1, 0], [0, 0], [1, 1]]
        >>> [test.tolist() for _, test in MultiTaskStratifiedKFold(2).split(None, Y)]
        [[0, 1], [2, 3]]
        """
        _check_int(self.n_splits, "n_splits", 2)
        _check_shuffle(self)
        _warn_ignored_groups(self, groups)
        table = _read_targets(self, X, y)
        if self.n_splits > table.n_samples:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than "
                f"the number of samples: n_samples={table.n_samples}."
            )
        _check_class_counts(table, self.n_splits, type(self).__name__)
        rng = check_random_state(self.random_state) if self.shuffle else None
        folds = stratify_rows(table, _fold_sizes(table.n_samples, self.n_splits), rng)
        for fold in range(self.n_splits):
            yield np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object, default=None
            Ignored; present for API compatibility.

        Returns
        -------
        n_splits : int
            The number of train/test splits.

        Examples
        --------
        >>> from sklmtl.model_selection import MultiTaskStratifiedKFold
        >>> MultiTaskStratifiedKFold(3).get_n_splits()
        3
        """
        return self.n_splits


class MultiTaskStratifiedGroupKFold(BaseCrossValidator):
    """K-fold over groups that keeps every task's class proportions.

    Like :class:`MultiTaskStratifiedKFold`, but the rows of one group (a
    patient, a site, a molecule scaffold) always land in the same fold, so no
    group is seen in both training and test. Groups are placed in iterative
    stratification order (Sechidis, Tsoumakas & Vlahavas, ECML PKDD 2011: the
    label with the fewest unplaced rows first, its groups largest first),
    each into the fold where it adds least to the squared deviation of the
    folds' (task, class) counts and sizes from equal shares; moves and swaps
    of groups then lower that deviation while they can. Fold sizes follow
    the groups and are equal only as far as the groups allow.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2 and at most the number of groups.
    shuffle : bool, default=False
        Visit the groups in a random order and break ties at random.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffle; only allowed with ``shuffle=True``.
    missing_label : scalar, default=np.nan
        Value marking an unknown cell, in addition to ``None``, ``NaN`` and
        ``pd.NA``.

    See Also
    --------
    MultiTaskStratifiedKFold : the same without groups, with equal folds.
    sklearn.model_selection.StratifiedGroupKFold : the single-task splitter.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.model_selection import MultiTaskStratifiedGroupKFold
    >>> Y = np.array([[0, "x"], [0, "y"], [1, "x"], [1, None],
    ...               [0, "y"], [1, "x"], [0, None], [1, "y"]], dtype=object)
    >>> groups = [1, 1, 2, 2, 3, 3, 4, 4]
    >>> cv = MultiTaskStratifiedGroupKFold(n_splits=2)
    >>> for train, test in cv.split(None, Y, groups):
    ...     print(test, sorted({groups[i] for i in test}))
    [4 5 6 7] [3, 4]
    [0 1 2 3] [1, 2]
    """

    # The splitter consumes groups: request them under metadata routing.
    __metadata_request__split = {"groups": True}

    def __init__(
        self, n_splits=5, *, shuffle=False, random_state=None, missing_label=np.nan
    ):
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state
        self.missing_label = missing_label

    def split(self, X, y, groups):
        """Generate the train and test indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            Training data; only its length is used (None: take it from ``y``).
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            The targets to stratify on: any label kind per column, missing
            cells as ``None``, ``NaN``, ``pd.NA`` or ``missing_label``.
        groups : array-like of shape (n_samples,)
            Group of each row; a group's rows are never split across folds.

        Yields
        ------
        train : ndarray of shape (n_train,)
            The training rows of the fold, sorted.
        test : ndarray of shape (n_test,)
            The test rows of the fold, sorted.

        Examples
        --------
        >>> from sklmtl.model_selection import MultiTaskStratifiedGroupKFold
        >>> Y, groups = [[0], [0], [1], [1]], ["a", "a", "b", "b"]
        >>> splits = MultiTaskStratifiedGroupKFold(2).split(None, Y, groups)
        >>> [test.tolist() for _, test in splits]
        [[0, 1], [2, 3]]
        """
        _check_int(self.n_splits, "n_splits", 2)
        _check_shuffle(self)
        table = _read_targets(self, X, y)
        group_index, n_groups = self._encode_groups(groups, table.n_samples)
        if self.n_splits > n_groups:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than "
                f"the number of groups: n_groups={n_groups}."
            )
        _check_class_counts(table, self.n_splits, type(self).__name__)
        rng = check_random_state(self.random_state) if self.shuffle else None
        group_folds = stratify_groups(table, group_index, n_groups, self.n_splits, rng)
        folds = group_folds[group_index]
        for fold in range(self.n_splits):
            yield np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)

    @staticmethod
    def _encode_groups(groups, n_samples):
        if groups is None:
            raise ValueError(
                "MultiTaskStratifiedGroupKFold needs groups: call split(X, Y, groups) "
                "with one group label per row."
            )
        values = np.asarray(groups)
        if values.ndim != 1:
            raise ValueError(
                f"groups must be 1-D with one label per row; got shape {values.shape}."
            )
        if len(values) != n_samples:
            raise ValueError(
                f"groups has {len(values)} entries but Y has {n_samples} rows; give "
                "one group label per row."
            )
        codes, uniques = encode_values(values, "groups")
        return codes, len(uniques)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object, default=None
            Ignored; present for API compatibility.

        Returns
        -------
        n_splits : int
            The number of train/test splits.

        Examples
        --------
        >>> from sklmtl.model_selection import MultiTaskStratifiedGroupKFold
        >>> MultiTaskStratifiedGroupKFold(4).get_n_splits()
        4
        """
        return self.n_splits


class MultiTaskStratifiedShuffleSplit(BaseShuffleSplit):
    """Random train/test splits that keep every task's class proportions.

    Each split is drawn independently: the rows are visited in a fresh random
    order and placed by the iterative stratification of
    :class:`MultiTaskStratifiedKFold` (Sechidis, Tsoumakas & Vlahavas, ECML
    PKDD 2011) into a test part, a train part and, when ``train_size +
    test_size < n``, an unused part, of exactly the requested sizes.

    Parameters
    ----------
    n_splits : int, default=10
        Number of re-shuffling and splitting iterations.
    test_size : float or int, default=None
        Share (float in (0, 1)) or number (int) of test rows; None means the
        complement of ``train_size``, or 0.1 when that is None too.
    train_size : float or int, default=None
        Share or number of training rows; None means the complement of
        ``test_size``.
    random_state : int, RandomState instance or None, default=None
        Seeds the splits; an int gives the same splits on every call.
    missing_label : scalar, default=np.nan
        Value marking an unknown cell, in addition to ``None``, ``NaN`` and
        ``pd.NA``.

    See Also
    --------
    MultiTaskStratifiedKFold : stratified k-fold.
    sklearn.model_selection.StratifiedShuffleSplit : the single-task splitter.

    Notes
    -----
    A (task, class) pair with a single labelled row cannot be on both sides of
    a split: a ``UserWarning`` names each such pair.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl.model_selection import MultiTaskStratifiedShuffleSplit
    >>> Y = np.array([[0, "u"], [0, "v"], [1, "u"], [1, "v"], [0, None],
    ...               [1, "u"], [0, "v"], [1, None]], dtype=object)
    >>> cv = MultiTaskStratifiedShuffleSplit(n_splits=3, test_size=0.5,
    ...                                      random_state=0)
    >>> for train, test in cv.split(None, Y):
    ...     print(sorted(Y[test, 0].tolist()), len(train))
    [0, 0, 1, 1] 4
    [0, 0, 1, 1] 4
    [0, 0, 1, 1] 4
    """

    def __init__(
        self,
        n_splits=10,
        *,
        test_size=None,
        train_size=None,
        random_state=None,
        missing_label=np.nan,
    ):
        super().__init__(
            n_splits=n_splits,
            test_size=test_size,
            train_size=train_size,
            random_state=random_state,
        )
        self.missing_label = missing_label

    def split(self, X, y, groups=None):
        """Generate the train and test indices of each split.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            Training data; only its length is used (None: take it from ``y``).
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            The targets to stratify on: any label kind per column, missing
            cells as ``None``, ``NaN``, ``pd.NA`` or ``missing_label``.
        groups : None
            Ignored (a warning is given when set).

        Yields
        ------
        train : ndarray of shape (n_train,)
            The training rows of the split, in random order.
        test : ndarray of shape (n_test,)
            The test rows of the split, in random order.

        Examples
        --------
        >>> from sklmtl.model_selection import MultiTaskStratifiedShuffleSplit
        >>> cv = MultiTaskStratifiedShuffleSplit(1, test_size=2, random_state=0)
        >>> train, test = next(cv.split(None, [[0], [0], [1], [1]]))
        >>> len(train), len(test)
        (2, 2)
        """
        _check_int(self.n_splits, "n_splits", 1)
        _warn_ignored_groups(self, groups)
        table = _read_targets(self, X, y)
        n_train, n_test = _validate_shuffle_split(
            table.n_samples,
            self.test_size,
            self.train_size,
            default_test_size=self._default_test_size,
        )
        self._warn_single_members(table)
        rng = check_random_state(self.random_state)
        sizes = [n_test, n_train, table.n_samples - n_train - n_test]
        for _ in range(self.n_splits):
            parts = stratify_rows(table, sizes, rng)
            yield (
                rng.permutation(np.flatnonzero(parts == 1)),
                rng.permutation(np.flatnonzero(parts == 0)),
            )

    @staticmethod
    def _warn_single_members(table):
        single = [
            (task, cls)
            for t, task in enumerate(table.task_names)
            for cls, c in zip(
                table.classes[t], table.counts[table.offsets[t] : table.offsets[t + 1]]
            )
            if c == 1
        ]
        if single:
            shown = ", ".join(
                f"task {t!r} class {c!r}" for t, c in single[:_MAX_LISTED]
            )
            more = (
                f" and {len(single) - _MAX_LISTED} more"
                if len(single) > _MAX_LISTED
                else ""
            )
            warnings.warn(
                f"MultiTaskStratifiedShuffleSplit: {len(single)} (task, class) "
                f"pair(s) have a single labelled row, so they are in the training or "
                f"the test set, never both: {shown}{more}.",
                UserWarning,
                stacklevel=3,
            )
