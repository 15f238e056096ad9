"""Cross-validation splitters that stratify every task of a multi-task target.

scikit-learn's ``StratifiedKFold`` accepts one label column; on a multi-task
``Y`` it raises, and ``KFold`` leaves each task's class proportions to chance,
which with missing cells and rare classes gives folds that miss a class or
hold most of it. The splitters here balance every (task, class) pair at once
with iterative stratification (Sechidis, Tsoumakas & Vlahavas, ECML PKDD
2011; see ``sklmtl._stratify`` for the algorithm and how it is extended to
multiclass tasks and missing cells). They read ``Y`` as the estimators do
(any label kind per column, ``None``/``NaN``/``pd.NA`` or ``missing_label``
for an unknown cell, lists, arrays, DataFrames) and plug into scikit-learn as
``cv=`` objects.

:func:`cross_val_predict` replaces scikit-learn's for multi-task targets:
scikit-learn's ``cross_val_predict(..., method="predict_proba")`` re-encodes
every column of ``Y`` with ``LabelEncoder`` before fitting, so a missing cell
(``NaN``, ``None`` or the estimator's ``missing_label``) silently becomes one
more class: each fold's model learns to predict "missing", and the returned
probabilities get an extra column. The estimator only receives the integer
codes and cannot notice, so the fix lives here: each fold is fitted on ``Y``
exactly as given.

Plain numpy and scikit-learn: this module never imports torch.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import BaseCrossValidator, BaseShuffleSplit, KFold
from sklearn.model_selection import check_cv as _sklearn_check_cv

# scikit-learn's own checks and messages for test_size / train_size.
from sklearn.model_selection._split import _validate_shuffle_split
from sklearn.utils import _safe_indexing, check_random_state, indexable
from sklearn.utils.parallel import Parallel, delayed

from ._label_kinds import label_key
from ._stratify import (
    LabelTable,
    check_class_labels,
    encode_values,
    stratify_groups,
    stratify_rows,
)
from ._targets import missing_mask, split_target_columns
from .metrics import _missing_label_of

__all__ = [
    "MultiTaskStratifiedGroupKFold",
    "MultiTaskStratifiedKFold",
    "MultiTaskStratifiedShuffleSplit",
    "check_cv",
    "cross_val_predict",
]

_MAX_LISTED = 5


# ------------------------------------------------------------------ checks
def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer; got {value!r} of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}.")


def _check_shuffle(splitter):
    if not isinstance(splitter.shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False; got {splitter.shuffle!r}.")
    if not splitter.shuffle and splitter.random_state is not None:
        raise ValueError(
            "Setting a random_state has no effect since shuffle is False. Leave "
            "random_state to its default (None), or set shuffle=True."
        )


def _n_rows(data):
    shape = getattr(data, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(data)


def _read_targets(splitter, X, y):
    """The label table of ``y``, after checking it against ``X``."""
    name = type(splitter).__name__
    if y is None:
        raise ValueError(
            f"{name} stratifies on the targets: call split(X, Y) with Y of shape "
            "(n_samples, n_tasks); got y=None."
        )
    table = LabelTable(y, missing_label=splitter.missing_label)
    if X is not None and _n_rows(X) != table.n_samples:
        raise ValueError(
            f"X has {_n_rows(X)} rows but Y has {table.n_samples}; they must "
            "describe the same samples."
        )
    return table


def _check_class_counts(table, n_splits, name):
    """Raise if a task cannot reach every fold, warn about the classes that cannot.

    The rules of ``StratifiedKFold``, per task: an error when every class of a
    task has fewer labelled rows than ``n_splits``, a warning naming each
    (task, class) pair that has.
    """
    few = []
    for t, task in enumerate(table.task_names):
        counts = table.counts[table.offsets[t] : table.offsets[t + 1]]
        if len(counts) and counts.max() < n_splits:
            listed = dict(zip(table.classes[t], counts.tolist()))
            fix = f"lower n_splits to {counts.max()}, " if counts.max() >= 2 else ""
            raise ValueError(
                f"n_splits={n_splits} is greater than the number of labelled rows of "
                f"every class of task {task!r} (class counts {listed}); {fix}label "
                "more rows of that task, or leave it out of Y."
            )
        few += [
            (task, cls, int(c))
            for cls, c in zip(table.classes[t], counts)
            if c < n_splits
        ]
    if few:
        shown = ", ".join(
            f"task {t!r} class {c!r} ({n})" for t, c, n in few[:_MAX_LISTED]
        )
        more = f" and {len(few) - _MAX_LISTED} more" if len(few) > _MAX_LISTED else ""
        warnings.warn(
            f"{name}: {len(few)} (task, class) pair(s) have fewer labelled rows than "
            f"n_splits={n_splits}, so some test folds miss them: {shown}{more}.",
            UserWarning,
            stacklevel=3,
        )


def _warn_ignored_groups(splitter, groups):
    if groups is not None:
        warnings.warn(
            f"The groups parameter is ignored by {type(splitter).__name__}; use "
            "MultiTaskStratifiedGroupKFold to keep each group in one fold.",
            UserWarning,
            stacklevel=3,
        )


def _fold_sizes(n_samples, n_splits):
    """``KFold``'s sizes: the first ``n_samples % n_splits`` folds get one more."""
    sizes = np.full(n_splits, n_samples // n_splits, dtype=np.int64)
    sizes[: n_samples % n_splits] += 1
    return sizes


# --------------------------------------------------------------- splitters
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


# ------------------------------------------------------------------ check_cv
def _has_continuous_task(Y, missing_label):
    columns, names, _ = split_target_columns(Y)
    for column, name in zip(columns, names):
        values = np.asarray(column)[~missing_mask(column, missing_label)]
        try:
            check_class_labels(values, name)
        except ValueError:
            return True
    return False


def check_cv(cv=5, Y=None, *, classifier=True, missing_label=np.nan):
    """Turn a ``cv`` argument into a splitter that works on multi-task targets.

    scikit-learn's :func:`~sklearn.model_selection.check_cv`, which
    ``GridSearchCV``, ``cross_validate`` and ``cross_val_predict`` call on
    their ``cv``, turns an int into ``StratifiedKFold`` for a classifier and
    first runs ``type_of_target`` on ``Y``, which raises a ``TypeError`` when a
    column mixes strings with ``None``/``NaN`` or columns hold different
    label kinds. Pass ``cv=check_cv(5)`` instead of ``cv=5``: an int becomes
    a :class:`MultiTaskStratifiedKFold`, which reads any ``Y`` the
    estimators accept.

    Parameters
    ----------
    cv : int, splitter, iterable or None, default=5
        None or an int: the number of folds. A splitter object or an iterable
        of (train, test) pairs is returned as scikit-learn's ``check_cv``
        returns it.
    Y : array-like or DataFrame of shape (n_samples, n_tasks), default=None
        The targets, when known: with a continuous (non-integer float) task
        an int ``cv`` gives :class:`~sklearn.model_selection.KFold`, as
        scikit-learn does for a continuous ``y``.
    classifier : bool, default=True
        Whether the estimator is a classifier; when False an int gives
        ``KFold``.
    missing_label : scalar, default=np.nan
        The estimator's ``missing_label``, passed on to the splitter.

    Returns
    -------
    checked_cv : cross-validator
        An object with ``split`` and ``get_n_splits``; ``shuffle`` is False
        as in scikit-learn's ``check_cv``, so the folds depend on ``Y`` only.

    See Also
    --------
    MultiTaskStratifiedKFold : the splitter an int becomes.

    Examples
    --------
    >>> from sklmtl.model_selection import check_cv
    >>> check_cv(3)
    MultiTaskStratifiedKFold(missing_label=nan, n_splits=3, random_state=None,
                             shuffle=False)
    >>> check_cv(3, [[0.5, 1], [2.5, 0]])
    KFold(n_splits=3, random_state=None, shuffle=False)

    In a search (estimator and grid elided)::

        GridSearchCV(MultiTaskNetClassifier(missing_label=-1), grid,
                     cv=check_cv(5, missing_label=-1))
    """
    cv = 5 if cv is None else cv
    if isinstance(cv, numbers.Integral):
        if classifier and (Y is None or not _has_continuous_task(Y, missing_label)):
            return MultiTaskStratifiedKFold(cv, missing_label=missing_label)
        return KFold(cv)
    return _sklearn_check_cv(cv)


# --------------------------------------------------------- cross_val_predict
_METHODS = ("predict", "predict_proba")


def _fit_and_predict(estimator, X, Y, train, test, method):
    fitted = clone(estimator).fit(_safe_indexing(X, train), _safe_indexing(Y, train))
    output = getattr(fitted, method)(_safe_indexing(X, test))
    classes = fitted.classes_ if method == "predict_proba" else None
    return output, classes


def _sorted_union(class_lists):
    by_key = {}
    for classes in class_lists:
        for c in classes:
            by_key.setdefault(label_key(c), c)
    union = list(by_key.values())
    try:
        return sorted(union)
    except TypeError:  # labels of different kinds in one column: keep first seen
        return union


def _merge_probabilities(fold_outputs, fold_tests, n_samples):
    """One array per task over all rows; columns: the union of the folds' classes."""
    single = not isinstance(fold_outputs[0][0], list)
    if single:
        fold_outputs = [([proba], [classes]) for proba, classes in fold_outputs]
    n_tasks = len(fold_outputs[0][0])
    merged = []
    for t in range(n_tasks):
        classes = _sorted_union([out[1][t] for out in fold_outputs])
        column_of = {label_key(c): j for j, c in enumerate(classes)}
        proba = np.zeros((n_samples, len(classes)))
        for (fold_proba, fold_classes), test in zip(fold_outputs, fold_tests):
            columns = [column_of[label_key(c)] for c in fold_classes[t]]
            proba[np.ix_(test, columns)] = fold_proba[t]
        merged.append(proba)
    return merged[0] if single else merged


def cross_val_predict(
    estimator, X, Y, *, groups=None, cv=5, n_jobs=None, method="predict"
):
    """Cross-validated predictions that keep missing cells missing.

    A drop-in for :func:`sklearn.model_selection.cross_val_predict` for
    multi-task classifiers. Each fold's clone is fitted on the rows of ``Y``
    as given, so unknown cells stay unknown and every column keeps its labels
    and their kind. scikit-learn's version re-encodes ``Y`` with
    ``LabelEncoder`` for ``method="predict_proba"``, which turns each missing
    cell into an extra class; and with an integer ``cv`` it fails on ``Y``
    with ``NaN``/``None`` cells or with columns of different label kinds.

    Parameters
    ----------
    estimator : estimator
        A multi-task classifier (or a ``Pipeline`` ending in one); cloned and
        fitted once per fold.
    X : array-like of shape (n_samples, n_features)
        The data.
    Y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
        The labels, possibly with missing cells and different label kinds
        per column.
    groups : array-like of shape (n_samples,), default=None
        Group labels for a group splitter such as ``GroupKFold``.
    cv : int, cross-validation generator or iterable, default=5
        Resolved by :func:`check_cv` with the estimator's ``missing_label``
        (its last step's, for a ``Pipeline``): an int gives a
        :class:`MultiTaskStratifiedKFold` without shuffling (``KFold`` for a
        continuous task), whatever label kinds and missing cells ``Y`` holds;
        a splitter object or an iterable of splits is used as given. The test
        folds must partition the samples.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib).
    method : {"predict", "predict_proba"}, default="predict"
        What to predict on each test fold.

    Returns
    -------
    predictions : ndarray of shape (n_samples, n_tasks) or list of ndarray
        For ``"predict"``, the labels as the estimator's ``predict`` returns
        them. For ``"predict_proba"``, one array of shape
        ``(n_samples, n_classes_t)`` per task (a single array for 1-D ``Y``),
        whose columns are the sorted union of the folds' ``classes_[t]``:
        the estimator's ``classes_[t]`` after fitting on all of ``Y``, since
        with two or more folds every labelled class is in some training fold.
        A class missing from one fold's training rows gets probability 0 in
        that fold's rows.

    Raises
    ------
    ValueError
        If ``method`` is not one of the above, or the test folds of ``cv``
        do not partition the samples.

    See Also
    --------
    check_cv : how an int ``cv`` becomes a splitter.
    sklmtl.metrics.per_task_scores : score the predictions per task.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> from sklmtl.model_selection import cross_val_predict
    >>> X = np.arange(12).reshape(-1, 1)
    >>> Y = np.array([[i % 2, "ab"[i // 6]] for i in range(12)], dtype=object)
    >>> Y[::4, 1] = None  # unknown cells stay unknown: still two classes
    >>> proba = cross_val_predict(
    ...     IndependentTaskClassifier(DecisionTreeClassifier(random_state=0)),
    ...     X, Y, cv=KFold(3, shuffle=True, random_state=0), method="predict_proba")
    >>> [p.shape for p in proba]
    [(12, 2), (12, 2)]
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}; got {method!r}.")
    X, Y, groups = indexable(X, Y, groups)
    n_samples = _n_rows(X)
    splitter = check_cv(cv, Y, missing_label=_missing_label_of(estimator))
    splits = list(splitter.split(X, Y, groups))
    tests = [np.asarray(test) for _, test in splits]
    order = np.concatenate(tests)
    if len(order) != n_samples or not np.array_equal(
        np.sort(order), np.arange(n_samples)
    ):
        raise ValueError(
            f"cross_val_predict needs test folds that partition the samples, each "
            f"sample in exactly one; the folds of {splitter!r} cover "
            f"{len(np.unique(order))} of {n_samples} samples in {len(order)} slots. "
            "Use a splitter such as KFold or GroupKFold."
        )
    outputs = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_predict)(estimator, X, Y, train, test, method)
        for train, test in splits
    )
    if method == "predict_proba":
        return _merge_probabilities(outputs, tests, n_samples)
    predictions = np.concatenate([np.asarray(out) for out, _ in outputs])
    inverse = np.empty(n_samples, dtype=int)
    inverse[order] = np.arange(n_samples)
    return predictions[inverse]
