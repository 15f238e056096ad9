"""Multi-task stratified splitters: properties, input kinds, bad input, searches."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    cross_val_predict,
    cross_validate,
)
from sklearn.tree import DecisionTreeClassifier

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.datasets import make_multitask_classification
from sklmtl.metrics import mean_task_accuracy_scorer
from sklmtl.model_selection import (
    MultiTaskStratifiedGroupKFold,
    MultiTaskStratifiedKFold,
    MultiTaskStratifiedShuffleSplit,
    check_cv,
)

# The tolerance stated in MultiTaskStratifiedKFold's docstring: a class's
# count in a test fold is within 3 of (the task's known cells in the fold) x
# (the class's share of the task's known cells in Y).
TOLERANCE = 3
PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# ----------------------------------------------------------------- helpers
def random_table(seed, n_samples, n_classes, missing_rate, skew):
    """Float table: one column per task, ``NaN`` for a missing cell."""
    rng = np.random.RandomState(seed)
    Y = np.empty((n_samples, len(n_classes)))
    for t, c in enumerate(n_classes):
        Y[:, t] = rng.choice(c, size=n_samples, p=rng.dirichlet(np.full(c, skew)))
    Y[rng.rand(*Y.shape) < missing_rate] = np.nan
    return Y


@st.composite
def tables(draw, max_folds=8):
    n_tasks = draw(st.integers(1, 6))
    Y = random_table(
        seed=draw(st.integers(0, 2**31 - 1)),
        n_samples=draw(st.integers(20, 200)),
        n_classes=draw(st.lists(st.integers(2, 6), min_size=n_tasks, max_size=n_tasks)),
        missing_rate=draw(st.floats(0.0, 0.7)),
        skew=draw(st.sampled_from([0.5, 1.0, 5.0])),
    )
    n_splits = draw(st.integers(2, max_folds))
    for column in Y.T:
        known = column[~np.isnan(column)]
        # StratifiedKFold's rule, kept by the splitter: a task needs a class
        # with at least n_splits rows (tested on its own below).
        assume(len(known) == 0 or np.bincount(known.astype(int)).max() >= n_splits)
    return Y, n_splits


def class_count_deviation(Y, test):
    """Largest |count - m * p| over tasks and classes in one test set."""
    worst = 0.0
    for column in Y.T:
        known = ~np.isnan(column)
        if not known.any():
            continue
        classes = np.unique(column[known])
        share = np.array([np.mean(column[known] == c) for c in classes])
        in_test = column[test][known[test]]
        counts = np.array([np.sum(in_test == c) for c in classes])
        worst = max(worst, np.abs(counts - len(in_test) * share).max())
    return worst


def max_proportion_deviation(Y, tests):
    """Largest |class share in a test fold - class share in Y| (known cells)."""
    worst = 0.0
    for column in Y.T:
        known = ~np.isnan(column)
        classes = np.unique(column[known])
        for test in tests:
            in_test = column[test][known[test]]
            if len(in_test) == 0:
                continue
            for c in classes:
                worst = max(
                    worst, abs(np.mean(in_test == c) - np.mean(column[known] == c))
                )
    return worst


def folds_of(cv, Y, groups=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rare classes are expected
        return [(train, test) for train, test in cv.split(None, Y, groups)]


def assert_partition(splits, n_samples):
    seen = np.zeros(n_samples, dtype=int)
    for train, test in splits:
        assert len(np.intersect1d(train, test)) == 0
        assert np.array_equal(np.union1d(train, test), np.arange(n_samples))
        seen[test] += 1
    assert np.all(seen == 1)


def mixed_kind_table(n_samples=60, seed=0):
    """X and an object Y: str with None, int with NaN, bool, per column."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 5)).astype(np.float32)
    Y = np.empty((n_samples, 3), dtype=object)
    Y[:, 0] = np.where(X[:, 0] > 0, "up", "down")
    Y[:, 1] = (X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    Y[:, 2] = X[:, 3] + X[:, 0] > 0
    Y[rng.rand(n_samples) < 0.3, 0] = None
    Y[rng.rand(n_samples) < 0.3, 1] = np.nan
    return X, Y


# -------------------------------------------------------------- properties
class TestKFoldProperties:
    @PROPERTY
    @given(tables(), st.booleans(), st.integers(0, 1000))
    def test_folds_partition_rows_with_kfold_sizes(self, table, shuffle, seed):
        Y, n_splits = table
        cv = MultiTaskStratifiedKFold(
            n_splits, shuffle=shuffle, random_state=seed if shuffle else None
        )
        splits = folds_of(cv, Y)
        assert len(splits) == n_splits == cv.get_n_splits()
        assert_partition(splits, len(Y))
        sizes = sorted(len(test) for _, test in splits)
        assert sizes[0] == len(Y) // n_splits and sizes[-1] - sizes[0] <= 1
        for train, test in splits:
            assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)

    @PROPERTY
    @given(tables(), st.booleans(), st.integers(0, 1000))
    def test_class_proportions_within_stated_tolerance(self, table, shuffle, seed):
        Y, n_splits = table
        cv = MultiTaskStratifiedKFold(
            n_splits, shuffle=shuffle, random_state=seed if shuffle else None
        )
        for _, test in folds_of(cv, Y):
            assert class_count_deviation(Y, test) <= TOLERANCE

    @PROPERTY
    @given(tables(), st.integers(0, 1000))
    def test_same_random_state_same_folds(self, table, seed):
        Y, n_splits = table
        first = folds_of(
            MultiTaskStratifiedKFold(n_splits, shuffle=True, random_state=seed), Y
        )
        again = folds_of(
            MultiTaskStratifiedKFold(n_splits, shuffle=True, random_state=seed), Y
        )
        fixed = folds_of(MultiTaskStratifiedKFold(n_splits), Y)
        fixed_again = folds_of(MultiTaskStratifiedKFold(n_splits), Y)
        for (a_train, a_test), (b_train, b_test) in zip(first, again):
            assert np.array_equal(a_test, b_test) and np.array_equal(a_train, b_train)
        for (_, a_test), (_, b_test) in zip(fixed, fixed_again):
            assert np.array_equal(a_test, b_test)

    @PROPERTY
    @given(tables(max_folds=5), st.integers(0, 1000))
    def test_folds_ignore_how_classes_are_named(self, table, seed):
        """Relabelling each task (ints -> str / bool, other values) keeps the folds."""
        Y, n_splits = table
        renamed = np.empty(Y.shape, dtype=object)
        for t in range(Y.shape[1]):
            names = np.random.RandomState(seed + t).permutation(10)
            renamed[:, t] = [
                None if np.isnan(v) else f"c{names[int(v)]}" for v in Y[:, t]
            ]
        cv = MultiTaskStratifiedKFold(n_splits, shuffle=True, random_state=seed)
        for (_, a), (_, b) in zip(folds_of(cv, Y), folds_of(cv, renamed)):
            assert np.array_equal(a, b)

    def test_shuffle_changes_folds_with_the_seed(self):
        Y = random_table(0, 120, [2, 3, 4], 0.3, 1.0)
        a = folds_of(MultiTaskStratifiedKFold(4, shuffle=True, random_state=0), Y)
        b = folds_of(MultiTaskStratifiedKFold(4, shuffle=True, random_state=1), Y)
        assert any(not np.array_equal(x[1], y[1]) for x, y in zip(a, b))


class TestShuffleSplitProperties:
    @PROPERTY
    @given(
        tables(max_folds=2),
        st.floats(0.1, 0.5),
        st.one_of(st.none(), st.floats(0.3, 0.5)),
        st.integers(0, 1000),
    )
    def test_sizes_disjoint_and_stratified(self, table, test_size, train_size, seed):
        Y, _ = table
        cv = MultiTaskStratifiedShuffleSplit(
            3, test_size=test_size, train_size=train_size, random_state=seed
        )
        n_test = int(np.ceil(test_size * len(Y)))
        n_train = len(Y) - n_test if train_size is None else int(train_size * len(Y))
        splits = folds_of(cv, Y)
        assert len(splits) == 3
        for train, test in splits:
            assert (len(train), len(test)) == (n_train, n_test)
            assert len(np.intersect1d(train, test)) == 0
            assert class_count_deviation(Y, test) <= TOLERANCE
        again = folds_of(cv, Y)
        for (a_train, a_test), (b_train, b_test) in zip(splits, again):
            assert np.array_equal(a_test, b_test) and np.array_equal(a_train, b_train)


class TestGroupKFoldProperties:
    @PROPERTY
    @given(tables(max_folds=5), st.integers(1, 6), st.booleans(), st.integers(0, 1000))
    def test_groups_never_split_and_folds_partition(
        self, table, group_size, shuffle, seed
    ):
        Y, n_splits = table
        rng = np.random.RandomState(seed)
        groups = rng.randint(0, max(n_splits, len(Y) // group_size), size=len(Y))
        assume(len(np.unique(groups)) >= n_splits)
        cv = MultiTaskStratifiedGroupKFold(
            n_splits, shuffle=shuffle, random_state=seed if shuffle else None
        )
        splits = folds_of(cv, Y, groups)
        assert_partition(splits, len(Y))
        for train, test in splits:
            assert len(test) > 0
            assert not set(groups[train]) & set(groups[test])
        again = folds_of(cv, Y, groups)
        for (_, a), (_, b) in zip(splits, again):
            assert np.array_equal(a, b)


# ------------------------------------------------------ quality comparisons
def test_kfold_deviation_at_least_2x_smaller_than_shuffled_kfold():
    """The issue's target on a random problem with half the cells missing."""
    _, Y = make_multitask_classification(
        n_samples=600,
        n_tasks=4,
        n_classes=[2, 3, 4, 6],
        missing_rate=0.5,
        random_state=0,
    )
    for seed in range(3):
        ours = folds_of(MultiTaskStratifiedKFold(5, shuffle=True, random_state=seed), Y)
        plain = list(KFold(5, shuffle=True, random_state=seed).split(Y))
        ours_dev = max_proportion_deviation(Y, [test for _, test in ours])
        plain_dev = max_proportion_deviation(Y, [test for _, test in plain])
        assert ours_dev * 2 <= plain_dev, (seed, ours_dev, plain_dev)


def test_group_kfold_deviation_smaller_than_group_kfold():
    _, Y = make_multitask_classification(
        n_samples=600,
        n_tasks=3,
        n_classes=[2, 3, 4],
        missing_rate=0.5,
        random_state=1,
    )
    groups = np.random.RandomState(0).randint(0, 150, size=len(Y))
    ours = folds_of(MultiTaskStratifiedGroupKFold(5), Y, groups)
    plain = list(GroupKFold(5).split(Y, groups=groups))
    ours_dev = max_proportion_deviation(Y, [test for _, test in ours])
    plain_dev = max_proportion_deviation(Y, [test for _, test in plain])
    assert ours_dev * 2 <= plain_dev, (ours_dev, plain_dev)


# --------------------------------------------------------------- input kinds
class TestInputKinds:
    def test_dataframe_and_object_array_give_the_same_folds(self):
        pd = pytest.importorskip("pandas")
        _, Y = mixed_kind_table()
        frame = pd.DataFrame(
            {
                "direction": pd.Series(Y[:, 0], dtype="string"),
                "level": pd.array(
                    [pd.NA if v is np.nan or v != v else int(v) for v in Y[:, 1]],
                    dtype="Int64",
                ),
                "flag": pd.Series(Y[:, 2], dtype="category"),
            }
        )
        cv = MultiTaskStratifiedKFold(3, shuffle=True, random_state=0)
        for (_, a), (_, b) in zip(folds_of(cv, Y), folds_of(cv, frame)):
            assert np.array_equal(a, b)

    def test_missing_label_sentinel_equals_nan(self):
        Y = random_table(3, 90, [2, 3], 0.4, 1.0)
        sentinel = np.where(np.isnan(Y), -1, Y).astype(int)
        a = folds_of(MultiTaskStratifiedKFold(3), Y)
        b = folds_of(MultiTaskStratifiedKFold(3, missing_label=-1), sentinel)
        for (_, x), (_, y) in zip(a, b):
            assert np.array_equal(x, y)

    def test_one_dimensional_y_and_list_of_rows(self):
        y = ["a", "b", None, "a", "b", "a", None, "b"]
        splits = folds_of(MultiTaskStratifiedKFold(2), y)
        assert_partition(splits, len(y))
        for _, test in splits:
            labels = [y[i] for i in test]
            assert abs(labels.count("a") - labels.count("b")) <= 1
        rows = [[1, "x"], [0, "y"], [1, None], [0, "x"], [1, "y"], [0, None]]
        splits = folds_of(MultiTaskStratifiedKFold(2), rows)
        assert_partition(splits, len(rows))
        for _, test in splits:
            assert sorted(rows[i][0] for i in test) == [0, 1, 1] or sorted(
                rows[i][0] for i in test
            ) == [0, 0, 1]

    def test_y_is_never_mutated(self):
        pd = pytest.importorskip("pandas")
        _, Y = mixed_kind_table()
        frame = pd.DataFrame(Y.copy(), columns=["a", "b", "c"])
        before, frame_before = Y.copy(), frame.copy()
        groups = np.arange(len(Y)) % 7
        for cv, g in [
            (MultiTaskStratifiedKFold(3, shuffle=True, random_state=0), None),
            (MultiTaskStratifiedShuffleSplit(2, random_state=0), None),
            (MultiTaskStratifiedGroupKFold(3), groups),
        ]:
            folds_of(cv, Y, g)
            folds_of(cv, frame, g)
        assert all(
            (a is b) or (a == b) or (a != a and b != b)
            for a, b in zip(Y.ravel(), before.ravel())
        )
        pd.testing.assert_frame_equal(frame, frame_before)


# ----------------------------------------------------------------- bad input
class TestBadInput:
    Y = random_table(0, 40, [2, 3], 0.2, 1.0)

    @pytest.mark.parametrize(
        "cv, error, match",
        [
            (MultiTaskStratifiedKFold(1), ValueError, "n_splits must be at least 2"),
            (MultiTaskStratifiedKFold(2.5), TypeError, "n_splits must be an integer"),
            (MultiTaskStratifiedKFold(41), ValueError, "n_samples=40"),
            (
                MultiTaskStratifiedKFold(3, random_state=0),
                ValueError,
                "shuffle is False",
            ),
            (MultiTaskStratifiedKFold(3, shuffle="yes"), TypeError, "shuffle must be"),
            (MultiTaskStratifiedGroupKFold(0), ValueError, "at least 2"),
            (MultiTaskStratifiedShuffleSplit(0), ValueError, "at least 1"),
            (MultiTaskStratifiedShuffleSplit(test_size=1.5), ValueError, "test_size"),
        ],
    )
    def test_bad_parameters(self, cv, error, match):
        with pytest.raises(error, match=match):
            groups = np.arange(40) % 5 if "Group" in type(cv).__name__ else None
            next(cv.split(None, self.Y, groups))

    def test_task_whose_classes_are_all_too_small_names_the_task(self):
        pd = pytest.importorskip("pandas")
        Y = pd.DataFrame({"common": [0, 1] * 10, "rare": ["a", "b"] * 2 + [None] * 16})
        with pytest.raises(
            ValueError, match=r"task 'rare'.*'a': 2.*lower n_splits to 2"
        ):
            next(MultiTaskStratifiedKFold(3).split(None, Y))
        Y["rare"] = ["a", "b"] + [None] * 18
        with pytest.raises(ValueError, match=r"'b': 1}\); label more rows"):
            next(MultiTaskStratifiedKFold(2).split(None, Y))

    def test_rare_class_warns_with_task_and_class(self):
        pd = pytest.importorskip("pandas")
        Y = pd.DataFrame({"t": ["a"] * 10 + ["b"] * 2, "u": [0, 1] * 6})
        with pytest.warns(UserWarning, match=r"task 't' class 'b' \(2\)"):
            list(MultiTaskStratifiedKFold(3).split(None, Y))

    def test_single_member_class_warns_in_shuffle_split(self):
        Y = np.array([["a"]] * 9 + [["b"]], dtype=object)
        with pytest.warns(UserWarning, match="task 'task_0' class 'b'"):
            list(MultiTaskStratifiedShuffleSplit(2, random_state=0).split(None, Y))

    def test_missing_y_and_length_mismatch(self):
        with pytest.raises(ValueError, match="y=None"):
            next(MultiTaskStratifiedKFold(2).split(np.zeros((40, 2)), None))
        with pytest.raises(ValueError, match="X has 39 rows but Y has 40"):
            next(MultiTaskStratifiedKFold(2).split(np.zeros((39, 2)), self.Y))

    def test_continuous_task_is_refused_by_name(self):
        Y = np.column_stack([np.arange(40) % 2, np.linspace(0, 1, 40)])
        with pytest.raises(ValueError, match="Task 'task_1' has the non-integer"):
            next(MultiTaskStratifiedKFold(2).split(None, Y))

    def test_unhashable_label_is_refused_by_name(self):
        Y = np.empty((4, 1), dtype=object)
        Y[:, 0] = [[1], [2], [1], [2]]
        with pytest.raises(TypeError, match="Task 'task_0' has an unhashable"):
            next(MultiTaskStratifiedKFold(2).split(None, Y))

    def test_group_errors(self):
        cv = MultiTaskStratifiedGroupKFold(3)
        with pytest.raises(ValueError, match="needs groups"):
            next(cv.split(None, self.Y, None))
        with pytest.raises(ValueError, match="groups has 39 entries but Y has 40"):
            next(cv.split(None, self.Y, np.arange(39)))
        with pytest.raises(ValueError, match="n_groups=2"):
            next(cv.split(None, self.Y, np.arange(40) % 2))
        with pytest.raises(ValueError, match="1-D"):
            next(cv.split(None, self.Y, np.zeros((40, 2))))

    def test_groups_given_to_a_splitter_without_groups_warn(self):
        with pytest.warns(UserWarning, match="groups parameter is ignored"):
            next(MultiTaskStratifiedKFold(2).split(None, self.Y, np.arange(40)))


# ------------------------------------------------------------------ check_cv
class TestCheckCV:
    def test_int_and_none_give_the_multitask_splitter(self):
        cv = check_cv(4, missing_label=-1)
        assert isinstance(cv, MultiTaskStratifiedKFold)
        assert (cv.n_splits, cv.missing_label, cv.shuffle) == (4, -1, False)
        assert check_cv(None).n_splits == 5

    def test_regression_falls_back_to_kfold(self):
        assert type(check_cv(3, classifier=False)) is KFold
        assert type(check_cv(3, np.linspace(0, 1, 10)[:, None])) is KFold
        assert isinstance(check_cv(3, [[0, "a"], [1, None]]), MultiTaskStratifiedKFold)

    def test_splitters_and_iterables_pass_through(self):
        splitter = KFold(2)
        assert check_cv(splitter) is splitter
        wrapped = check_cv([(np.array([0, 1]), np.array([2]))])
        assert wrapped.get_n_splits() == 1


# ------------------------------------------------------------ in scikit-learn
TINY = dict(hidden_layer_sizes=(4,), max_epochs=2, random_state=0, n_threads=1)


def test_grid_search_on_string_labels_missing_cells_and_mixed_kinds():
    X, Y = mixed_kind_table(n_samples=60)
    grid = {"lr": [0.01, 0.05], "hidden_layer_sizes": [(4,), (6,)]}
    # What the splitter fixes: scikit-learn's own int cv fails on this Y.
    with pytest.raises(TypeError):
        GridSearchCV(MultiTaskNetClassifier(**TINY), grid, cv=3).fit(X, Y)
    results = []
    for _ in range(2):
        search = GridSearchCV(
            MultiTaskNetClassifier(**TINY),
            grid,
            cv=MultiTaskStratifiedKFold(3, shuffle=True, random_state=0),
            scoring=mean_task_accuracy_scorer,
        ).fit(X, Y)
        results.append(search.cv_results_)
    keys = [f"split{i}_test_score" for i in range(3)] + ["mean_test_score"]
    for key in keys:
        assert np.all(np.isfinite(results[0][key]))
        np.testing.assert_array_equal(results[0][key], results[1][key])
    assert search.best_estimator_.predict(X).shape == Y.shape


def test_check_cv_makes_int_style_cv_work_in_cross_validate():
    X, Y = mixed_kind_table(n_samples=60)
    result = cross_validate(
        MultiTaskNetClassifier(**TINY),
        X,
        Y,
        cv=check_cv(3),
        scoring=mean_task_accuracy_scorer,
    )
    assert result["test_score"].shape == (3,)
    assert np.all((0 <= result["test_score"]) & (result["test_score"] <= 1))


def test_cross_val_predict_uses_the_folds():
    X, Y = mixed_kind_table(n_samples=60)
    model = IndependentTaskClassifier(DecisionTreeClassifier(random_state=0))
    pred = cross_val_predict(model, X, Y, cv=MultiTaskStratifiedKFold(3))
    assert pred.shape == Y.shape


def test_group_splitter_receives_groups_in_a_search():
    X, Y = mixed_kind_table(n_samples=60)
    groups = np.arange(60) // 4
    model = IndependentTaskClassifier(DecisionTreeClassifier(random_state=0))
    search = GridSearchCV(
        model,
        {"estimator__max_depth": [1, 3]},
        cv=MultiTaskStratifiedGroupKFold(3),
        scoring=mean_task_accuracy_scorer,
    ).fit(X, Y, groups=groups)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_group_splitter_requests_groups_under_metadata_routing():
    import sklearn

    X, Y = mixed_kind_table(n_samples=60)
    groups = np.arange(60) // 4
    model = IndependentTaskClassifier(DecisionTreeClassifier(random_state=0))
    with sklearn.config_context(enable_metadata_routing=True):
        result = cross_validate(
            model,
            X,
            Y,
            cv=MultiTaskStratifiedGroupKFold(3),
            params={"groups": groups},
            scoring=mean_task_accuracy_scorer,
            return_indices=True,
        )
    for train, test in zip(result["indices"]["train"], result["indices"]["test"]):
        assert not set(groups[train]) & set(groups[test])
