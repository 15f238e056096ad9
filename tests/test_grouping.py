"""TaskGroupingClassifier and the partition search behind it."""

import itertools
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils.estimator_checks import parametrize_with_checks
from torch import nn

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl._partition import best_partition, partition_score
from sklmtl.grouping import TaskGroupingClassifier
from sklmtl.weighting import FixedWeighting

NET = dict(hidden_layer_sizes=(16,), max_epochs=8, lr=0.02, random_state=0)


def _blocks(n=300, seed=0):
    """Tasks 0-1 read feature 0, tasks 2-3 read feature 3: two clear blocks."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    Y = np.column_stack(
        [X[:, 0] > 0, X[:, 0] > 0.3, X[:, 3] > 0, X[:, 3] > -0.3]
    ).astype(int)
    return X, Y


def _brute_force(gain, n_groups=None):
    best = -np.inf
    n = len(gain)
    for labels in itertools.product(range(n), repeat=n):
        if n_groups is not None and len(set(labels)) != n_groups:
            continue
        best = max(best, partition_score(gain, labels))
    return best


class TestBestPartition:
    @pytest.mark.parametrize("n_groups", [None, 1, 2, 3])
    def test_exhaustive_is_optimal(self, n_groups):
        rng = np.random.RandomState(1)
        A = rng.normal(size=(5, 5))
        A = (A + A.T) / 2
        labels = best_partition(A, n_groups=n_groups)
        gain = A.copy()
        np.fill_diagonal(gain, 0)
        assert np.isclose(partition_score(gain, labels), _brute_force(gain, n_groups))
        if n_groups is not None:
            assert len(set(labels.tolist())) == n_groups

    @pytest.mark.parametrize("n_groups", [None, 3])
    def test_greedy_recovers_noisy_blocks(self, n_groups):
        # 12 tasks: beyond the exhaustive range.
        rng = np.random.RandomState(0)
        truth = np.repeat([0, 1, 2], 4)
        A = 0.5 * (truth[:, None] == truth[None, :]) + 0.1 * rng.normal(size=(12, 12))
        labels = best_partition(A, n_groups=n_groups, threshold=0.2)
        assert labels.tolist() == truth.tolist()

    def test_threshold_splits_everything(self):
        A = np.full((4, 4), 0.3)
        assert best_partition(A, threshold=0.5).tolist() == [0, 1, 2, 3]
        assert best_partition(A, threshold=0.0).tolist() == [0, 0, 0, 0]


@pytest.fixture(scope="module")
def grouped():
    X, Y = _blocks()
    clf = TaskGroupingClassifier(
        MultiTaskNetClassifier(**NET), n_groups=2, probe_epochs=8, random_state=0
    )
    return clf.fit(X, Y)


class TestTaskGroupingClassifier:
    def test_recovers_the_blocks(self, grouped):
        assert grouped.groups_ == [[0, 1], [2, 3]]
        assert grouped.group_labels_.tolist() == [0, 0, 1, 1]
        assert len(grouped.estimators_) == 2
        assert grouped.probe_.task_affinity_.shape == (4, 4)

    def test_probe_runs_every_epoch_whatever_tol(self):
        # tol=1e9 would stop a plain fit after 2 epochs; the probe has a
        # fixed length.
        X, Y = _blocks()
        net = MultiTaskNetClassifier(**{**NET, "tol": 1e9, "n_iter_no_change": 1})
        clf = TaskGroupingClassifier(net, n_groups=1, probe_epochs=4, random_state=0)
        assert clf.fit(X, Y).probe_.n_iter_ == 4

    def test_threshold_mode_recovers_the_blocks(self):
        # Every task is binary, so the probe trains one sigmoid output per
        # task; on these 300 rows the 2-3 block's affinity shows from about
        # the 8th epoch (0.05 after 5 epochs, 0.28 after 10), hence 10.
        X, Y = _blocks()
        clf = TaskGroupingClassifier(
            MultiTaskNetClassifier(**NET),
            threshold=0.2,
            probe_epochs=10,
            random_state=0,
        ).fit(X, Y)
        assert clf.groups_ == [[0, 1], [2, 3]]

    def test_outputs_follow_multi_output_conventions(self, grouped):
        X, Y = _blocks()
        labels = np.where(Y == 1, "yes", "no").astype(object)
        labels[:, 1] = Y[:, 1]
        labels[:5, 2] = None
        clf = clone(grouped).fit(X, labels)
        pred = clf.predict(X)
        assert pred.shape == Y.shape
        assert set(pred[:, 0]) <= {"yes", "no"} and set(pred[:, 1]) <= {0, 1}
        proba = clf.predict_proba(X)
        assert [p.shape for p in proba] == [(len(X), 2)] * 4
        assert clf.classes_[0].tolist() == ["no", "yes"]
        assert clf.score(X, labels) > 0.7

    def test_same_random_state_same_predictions(self, grouped):
        X, Y = _blocks()
        again = clone(grouped).fit(X, Y)
        assert again.groups_ == grouped.groups_
        np.testing.assert_array_equal(
            again.predict_proba(X)[3], grouped.predict_proba(X)[3]
        )

    def test_pickle(self, grouped):
        X, _ = _blocks()
        restored = pickle.loads(pickle.dumps(grouped))
        np.testing.assert_array_equal(restored.predict(X), grouped.predict(X))

    def test_grid_search_over_n_groups(self):
        X, Y = _blocks(n=200)
        search = GridSearchCV(
            TaskGroupingClassifier(
                MultiTaskNetClassifier(**dict(NET, max_epochs=3)),
                probe_epochs=2,
                random_state=0,
            ),
            {"n_groups": [1, 4]},
            cv=KFold(2),
        ).fit(X, Y)
        assert search.best_params_["n_groups"] in (1, 4)
        assert len(search.best_estimator_.groups_) == search.best_params_["n_groups"]

    def test_single_task_fits_one_network_without_probe(self):
        X, Y = _blocks()
        clf = TaskGroupingClassifier(MultiTaskNetClassifier(**NET)).fit(X, Y[:, 0])
        assert clf.groups_ == [[0]] and clf.probe_ is None
        assert clf.predict(X).shape == (len(X),)

    def test_more_groups_than_tasks(self):
        X, Y = _blocks()
        with pytest.raises(
            ValueError, match=r"n_groups=5 exceeds the number of tasks \(4\)"
        ):
            TaskGroupingClassifier(n_groups=5).fit(X, Y)

    @pytest.mark.parametrize(
        "params, error, match",
        [
            ({"n_groups": 0}, ValueError, "n_groups must be an int >= 1"),
            ({"n_groups": "two"}, TypeError, "n_groups must be an int >= 1"),
            ({"probe_epochs": 0}, ValueError, "probe_epochs must be an int >= 1"),
            ({"affinity_every": 1.5}, TypeError, "affinity_every must be an int"),
            ({"affinity": "tag"}, ValueError, "affinity must be one of"),
            ({"threshold": "high"}, TypeError, "threshold must be a float"),
        ],
    )
    def test_bad_parameters(self, params, error, match):
        X, Y = _blocks()
        with pytest.raises(error, match=match):
            TaskGroupingClassifier(**params).fit(X, Y)

    @pytest.mark.parametrize(
        "estimator", [LogisticRegression(), MultiTaskNetRegressor(max_epochs=1)]
    )
    def test_estimator_must_be_a_network_classifier(self, estimator):
        X, Y = _blocks()
        with pytest.raises(TypeError, match="sklmtl network classifier"):
            TaskGroupingClassifier(estimator).fit(X, Y)

    def test_network_without_shared_parameters(self):
        X, Y = _blocks()
        net = MultiTaskNetClassifier(trunk=nn.Flatten(), max_epochs=1)
        with pytest.raises(ValueError, match="shared parameters"):
            TaskGroupingClassifier(net, probe_epochs=1).fit(X, Y)


def _named_tasks(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    Y = pd.DataFrame(
        {
            "a": np.where(X[:, 0] > 0, "x", "y"),
            "b": np.where(X[:, 1] > 0.5, "x", "y"),
            "c": np.digitize(X[:, 2], [-0.5, 0.5]),
        }
    )
    return X, Y


def _subset(values, names):
    return [values["abc".index(name)] for name in names]


def _subset_dict(values, names):
    return {k: v for k, v in values.items() if k in names}


# Per-task parameter for all of y -> the same parameter for a network fitted
# on the tasks ``names`` alone (as a user would write it for those tasks).
PER_TASK = {
    "class_weight list of dict": (
        {"class_weight": [None, {"y": 3.0}, None]},
        lambda names: {"class_weight": _subset([None, {"y": 3.0}, None], names)},
    ),
    "class_weight list of balanced": (
        {"class_weight": [None, "balanced", {0: 2.0, 2: 0.5}]},
        lambda names: {
            "class_weight": _subset([None, "balanced", {0: 2.0, 2: 0.5}], names)
        },
    ),
    "class_weight balanced": (
        {"class_weight": "balanced"},
        lambda names: {"class_weight": "balanced"},
    ),
    "task_weighting dict": (
        {"task_weighting": {"b": 5.0}},
        lambda names: {"task_weighting": _subset_dict({"b": 5.0}, names)},
    ),
    "task_weighting list": (
        {"task_weighting": [1.0, 5.0, 2.0]},
        lambda names: {"task_weighting": _subset([1.0, 5.0, 2.0], names)},
    ),
    "FixedWeighting": (
        {"task_weighting": FixedWeighting({"b": 5.0, "c": 0.5})},
        lambda names: {
            "task_weighting": FixedWeighting(_subset_dict({"b": 5.0, "c": 0.5}, names))
        },
    ),
}


class TestPerTaskParameters:
    """Per-task settings of the network reach each group's tasks."""

    @pytest.mark.parametrize("case", list(PER_TASK))
    @pytest.mark.parametrize("n_groups", [2, 3])
    def test_group_network_equals_a_network_on_its_tasks(self, case, n_groups):
        X, Y = _named_tasks()
        params, for_subset = PER_TASK[case]
        net = MultiTaskNetClassifier(
            hidden_layer_sizes=(8,), max_epochs=3, lr=0.05, random_state=0, **params
        )
        # random_state=None: every network keeps the estimator's own seed.
        clf = TaskGroupingClassifier(net, n_groups=n_groups, probe_epochs=1)
        proba = clf.fit(X, Y).predict_proba(X)
        for group in clf.groups_:
            names = [clf.task_names_[t] for t in group]
            alone = clone(net).set_params(**for_subset(names)).fit(X, Y[names])
            for t, expected in zip(group, alone.predict_proba(X)):
                np.testing.assert_allclose(proba[t], expected, rtol=1e-6)

    def test_single_task_class_weight_dict(self):
        X, Y = _named_tasks()
        net = MultiTaskNetClassifier(
            hidden_layer_sizes=(8,),
            max_epochs=3,
            random_state=0,
            class_weight={"y": 3.0},
        )
        clf = TaskGroupingClassifier(net).fit(X, Y["b"].to_numpy())
        alone = clone(net).fit(X, Y["b"].to_numpy())
        np.testing.assert_allclose(clf.predict_proba(X), alone.predict_proba(X))

    @pytest.mark.parametrize(
        "params, match",
        [
            (
                {"task_weighting": {"d": 2.0}},
                r"unknown task\(s\) \['d'\]; the tasks are \['a', 'b', 'c'\]",
            ),
            ({"task_weighting": [1.0, 2.0]}, "got 2 weights for 3 tasks"),
            (
                {"class_weight": [None, {"z": 2.0}, None]},
                r"task 'b' names label 'z' \(str\), which is not one of its classes",
            ),
            ({"class_weight": [None, "balanced"]}, "2 entries for 3 tasks"),
        ],
    )
    def test_mistakes_name_the_tasks_as_given(self, params, match):
        X, Y = _named_tasks()
        net = MultiTaskNetClassifier(max_epochs=1, **params)
        with pytest.raises(ValueError, match=match):
            TaskGroupingClassifier(net, n_groups=2, probe_epochs=1).fit(X, Y)


@parametrize_with_checks(
    [
        TaskGroupingClassifier(
            MultiTaskNetClassifier(
                hidden_layer_sizes=(32,),
                max_epochs=20,
                lr=0.01,
                dtype="float64",
                random_state=0,
            ),
            n_groups=1,
            probe_epochs=1,
            random_state=0,
        )
    ],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
