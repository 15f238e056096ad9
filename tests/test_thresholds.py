"""TunedThresholdMultiTaskClassifier: TunedThresholdClassifierCV for each task."""

import pickle
from functools import partial

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
)
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    ShuffleSplit,
    TunedThresholdClassifierCV,
)
from sklearn.multioutput import MultiOutputClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklmtl import MultiTaskNetClassifier
from sklmtl._threshold_tuning import confusion_curve
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.metrics import get_scorer, multilabel_f1_score
from sklmtl.thresholds import TunedThresholdMultiTaskClassifier


class ProbaIsFeature(ClassifierMixin, BaseEstimator):
    """No learning: task t's probability of class 1 is feature t (0/1 tasks)."""

    def fit(self, X, y):
        self.n_tasks_ = np.shape(y)[1]
        self.classes_ = [np.array([0, 1])] * self.n_tasks_
        return self

    def predict_proba(self, X):
        X = np.asarray(X, dtype=float)
        return [np.column_stack([1 - X[:, t], X[:, t]]) for t in range(self.n_tasks_)]


#: scikit-learn's metric of each named objective (``zero_division=0``).
METRICS = {
    "accuracy": accuracy_score,
    "balanced_accuracy": balanced_accuracy_score,
    "f1": partial(f1_score, zero_division=0),
}


def _logreg():
    return IndependentTaskClassifier(LogisticRegression())


@pytest.fixture(scope="module")
def rare_labels():
    """Three binary labels with 10-25% positives, and a 3-class task."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(240, 5))
    noise = rng.normal(size=(240, 3))
    Y = np.column_stack(
        [
            (X[:, 0] + noise[:, 0] > 1.3).astype(int),
            (X[:, 1] - X[:, 2] + noise[:, 1] > 1.8).astype(int),
            (X[:, 3] + noise[:, 2] > 1.0).astype(int),
            np.digitize(X[:, 4], [-0.5, 0.5]),
        ]
    )
    return X, Y


class TestMatchesScikitLearn:
    @pytest.mark.parametrize(
        "scoring", ["f1", "balanced_accuracy", "matthews_corrcoef"]
    )
    def test_one_split_grid(self, rare_labels, scoring):
        X, Y = rare_labels
        Y = Y[:, :3]
        split = list(ShuffleSplit(1, test_size=0.3, random_state=0).split(X))
        clf = TunedThresholdMultiTaskClassifier(
            _logreg(), scoring=scoring, cv=split, thresholds=50
        ).fit(X, Y)
        pred = clf.predict(X)
        for t, name in enumerate(clf.task_names_):
            reference = TunedThresholdClassifierCV(
                LogisticRegression(), scoring=scoring, cv=split, thresholds=50
            ).fit(X, Y[:, t])
            assert clf.best_thresholds_[name] == pytest.approx(
                reference.best_threshold_
            )
            assert clf.best_scores_[name] == pytest.approx(reference.best_score_)
            np.testing.assert_array_equal(pred[:, t], reference.predict(X))

    def test_several_folds_with_given_thresholds(self, rare_labels):
        X, Y = rare_labels
        Y = Y[:, :3]
        cv = KFold(3, shuffle=True, random_state=0)
        grid = np.linspace(0.05, 0.95, 19)
        clf = TunedThresholdMultiTaskClassifier(_logreg(), cv=cv, thresholds=grid)
        clf.fit(X, Y)
        for t, name in enumerate(clf.task_names_):
            reference = TunedThresholdClassifierCV(
                LogisticRegression(), scoring="f1", cv=cv, thresholds=grid
            ).fit(X, Y[:, t])
            assert clf.best_thresholds_[name] == pytest.approx(
                reference.best_threshold_
            )
            assert clf.best_scores_[name] == pytest.approx(reference.best_score_)


class TestTuning:
    def test_by_hand_on_labelled_cells_only(self):
        proba = np.array([0.9, 0.8, 0.6, 0.4, 0.3, 0.2])
        X = np.column_stack([proba, proba])
        Y = np.array([[1, 1], [np.nan, 0], [1, 1], [0, 0], [np.nan, 1], [0, 0]])
        clf = TunedThresholdMultiTaskClassifier(
            FrozenEstimator(ProbaIsFeature().fit(X, Y)),
            thresholds=[0.25, 0.35, 0.5, 0.7],
        ).fit(X, Y)
        # task_0 labelled: (.9, 1) (.6, 1) (.4, 0) (.2, 0): F1 1 at 0.5.
        # task_1 all labelled: F1 at .25: 3/4, .35: 4/7, .5: 2/3, .7: 2/5.
        assert clf.best_thresholds_ == {"task_0": 0.5, "task_1": 0.25}
        assert clf.best_scores_ == pytest.approx({"task_0": 1.0, "task_1": 3 / 4})
        X_new = np.array([[0.45, 0.3], [0.55, 0.2]])
        assert clf.predict(X_new).tolist() == [[0, 1], [1, 0]]

    def test_the_hidden_cells_change_nothing(self, rare_labels):
        X, Y = rare_labels
        Y = Y[:, :3].astype(float)
        hidden = np.random.RandomState(1).rand(*Y.shape) < 0.3
        first, second = Y.copy(), Y.copy()
        first[hidden] = np.nan
        second[hidden] = -1  # missing too, under another marker
        frozen = FrozenEstimator(_logreg().fit(X, Y))
        a = TunedThresholdMultiTaskClassifier(frozen).fit(X, first)
        b = TunedThresholdMultiTaskClassifier(frozen, missing_label=-1).fit(X, second)
        assert a.best_thresholds_ == b.best_thresholds_
        for t, name in enumerate(a.task_names_):
            labelled = ~hidden[:, t]
            single = TunedThresholdMultiTaskClassifier(frozen).fit(
                X[labelled], Y[labelled]
            )
            assert a.best_thresholds_[name] == single.best_thresholds_[name]

    @pytest.mark.parametrize("seed", [0, 1])
    def test_rare_labels_get_lower_thresholds_and_a_better_f1(self, seed):
        rng = np.random.RandomState(seed)
        X = rng.normal(size=(1200, 3))
        Y = (X + rng.normal(size=(1200, 3)) > 2.0).astype(int)  # 6-10% positive
        train, test = np.arange(800), np.arange(800, 1200)
        base = _logreg().fit(X[train], Y[train])
        tuned = TunedThresholdMultiTaskClassifier(_logreg(), cv=3, random_state=0)
        tuned.fit(X[train], Y[train])
        assert all(t < 0.4 for t in tuned.best_thresholds_.values())
        before = multilabel_f1_score(Y[test], base.predict(X[test]))
        after = multilabel_f1_score(Y[test], tuned.predict(X[test]))
        assert after > before + 0.1  # measured: 0.25 -> 0.37, 0.26 -> 0.45

    def test_micro_f1_objective_chooses_thresholds_jointly(self):
        rng = np.random.RandomState(0)
        truth = (rng.rand(200, 3) < [0.6, 0.2, 0.05]).astype(int)
        X = np.clip(truth * 0.25 + rng.rand(200, 3) * 0.75, 0, 1)
        frozen = FrozenEstimator(ProbaIsFeature().fit(X, truth))
        grid = np.linspace(0.1, 0.9, 9)

        def tune(scoring):
            clf = TunedThresholdMultiTaskClassifier(
                frozen, scoring=scoring, thresholds=grid
            )
            return clf.fit(X, truth)

        micro, per_label = tune("f1_micro"), tune("f1")
        achieved = multilabel_f1_score(truth, micro.predict(X))
        assert list(micro.best_scores_.values()) == pytest.approx([achieved] * 3)
        assert achieved >= multilabel_f1_score(truth, per_label.predict(X))
        assert achieved > multilabel_f1_score(truth, (X >= 0.5).astype(int))
        # A local optimum: moving any one threshold along the grid does not help.
        for t in range(micro.n_tasks_):
            for other in grid:
                pred = micro.predict(X)
                pred[:, t] = X[:, t] >= other
                assert multilabel_f1_score(truth, pred) <= achieved + 1e-12
        # Per label, each task is tuned for its own F1 instead.
        for t, name in enumerate(per_label.task_names_):
            own = [f1_score(truth[:, t], X[:, t] >= g) for g in grid]
            assert per_label.best_scores_[name] == pytest.approx(max(own))

    def test_multiclass_tasks_keep_argmax_and_probabilities_pass_through(
        self, rare_labels
    ):
        X, Y = rare_labels
        clf = TunedThresholdMultiTaskClassifier(_logreg(), cv=3, random_state=0)
        clf.fit(X, Y)
        assert list(clf.best_thresholds_) == ["task_0", "task_1", "task_2"]
        refitted = _logreg().fit(X, Y)  # refit=True: the same fit on all rows
        for ours, theirs in zip(clf.predict_proba(X), refitted.predict_proba(X)):
            np.testing.assert_allclose(ours, theirs)
        np.testing.assert_array_equal(clf.predict(X)[:, 3], refitted.predict(X)[:, 3])

    def test_tasks_by_name_and_index(self, rare_labels):
        X, Y = rare_labels
        frame = pd.DataFrame(Y, columns=["a", "b", "c", "grade"])
        frozen = FrozenEstimator(_logreg().fit(X, frame))
        clf = TunedThresholdMultiTaskClassifier(frozen, tasks=["b", 0]).fit(X, frame)
        assert sorted(clf.best_thresholds_) == ["a", "b"]
        # An untuned binary task predicts its most probable class.
        argmax = frozen.predict(X)
        np.testing.assert_array_equal(clf.predict(X)[:, 2], argmax[:, 2])

    def test_a_callable_objective(self, rare_labels):
        X, Y = rare_labels
        frozen = FrozenEstimator(_logreg().fit(X, Y))
        named = TunedThresholdMultiTaskClassifier(frozen).fit(X, Y)
        f1 = partial(f1_score, zero_division=0)
        custom = TunedThresholdMultiTaskClassifier(frozen, scoring=f1).fit(X, Y)
        assert custom.best_thresholds_ == named.best_thresholds_
        assert custom.best_scores_ == pytest.approx(named.best_scores_)

    def test_store_cv_results(self, rare_labels):
        X, Y = rare_labels
        clf = TunedThresholdMultiTaskClassifier(
            _logreg(), cv=3, thresholds=20, store_cv_results=True, random_state=0
        ).fit(X, Y)
        result = clf.cv_results_["task_1"]
        # 20 evenly spaced candidates and 0.5, the untuned decision.
        assert result["thresholds"].shape == result["scores"].shape == (21,)
        assert 0.5 in result["thresholds"]
        assert result["scores"].max() == pytest.approx(clf.best_scores_["task_1"])
        assert not hasattr(TunedThresholdMultiTaskClassifier(), "cv_results_")


class TestRareAndConstantLabels:
    def test_a_split_holding_out_one_class_is_left_out(self):
        proba = np.array([0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05])
        X = proba[:, None]
        Y = np.array([[1], [1], [0], [1], [0], [0], [0], [0]])
        # Split 2 holds out only negatives: uninformative, so left out.
        splits = [(np.arange(4, 8), np.arange(0, 4)), (np.arange(4), np.arange(4, 8))]
        clf = TunedThresholdMultiTaskClassifier(
            ProbaIsFeature(), cv=splits, thresholds=[0.35, 0.5, 0.65]
        ).fit(X, Y)
        # Split 1 alone: F1 at .35: 6/7, .5: 2/3, .65: 4/5 (with split 2, an
        # F1 of 0 everywhere, the mean would be halved).
        assert clf.best_thresholds_ == {"task_0": 0.35}
        assert clf.best_scores_["task_0"] == pytest.approx(6 / 7)

    @pytest.mark.parametrize("scoring", ["accuracy", "f1", "balanced_accuracy"])
    @pytest.mark.parametrize("seed", range(4))
    def test_tuning_never_scores_below_the_untuned_decision(self, scoring, seed):
        # A rare label whose probabilities stay below 0.5: the untuned decision
        # predicts no positive. An int grid from the smallest to the largest
        # probability lacked it, so accuracy tuning chose a threshold that
        # scored below 0.5 on the very cells it was tuned on.
        rng = np.random.RandomState(seed)
        proba = rng.uniform(0.0, 0.49, size=(40, 1))
        Y = (rng.rand(40, 1) < 0.1).astype(int)
        Y[:2] = [[0], [1]]
        frozen = FrozenEstimator(ProbaIsFeature().fit(proba, Y))
        clf = TunedThresholdMultiTaskClassifier(frozen, scoring=scoring, thresholds=10)
        clf.fit(proba, Y)
        metric = METRICS[scoring]
        untuned = metric(Y[:, 0], (proba[:, 0] >= 0.5).astype(int))
        assert clf.best_scores_["task_0"] >= untuned
        tuned = metric(Y[:, 0], clf.predict(proba)[:, 0])
        assert tuned == pytest.approx(clf.best_scores_["task_0"])

    def test_a_tie_with_the_untuned_decision_keeps_it(self):
        proba = np.array([[0.1], [0.2], [0.3], [0.9]])
        Y = np.array([[0], [0], [0], [1]])
        frozen = FrozenEstimator(ProbaIsFeature().fit(proba, Y))
        clf = TunedThresholdMultiTaskClassifier(frozen, scoring="accuracy").fit(
            proba, Y
        )
        # Every threshold in (0.3, 0.9] scores 1; the untuned 0.5 is kept.
        assert clf.best_thresholds_ == {"task_0": 0.5}

    def test_a_task_without_an_informative_split_keeps_one_half(self):
        X = np.array([[0.9, 0.9], [0.1, 0.1], [0.8, 0.4], [0.2, 0.3]])
        Y = np.array([[1, 1], [0, 1], [1, 0], [0, 0]])
        splits = [(np.array([2, 3]), np.array([0, 1]))]  # task_1 held out: 1, 1
        with pytest.warns(UserWarning, match="Task 'task_1' cannot be tuned"):
            clf = TunedThresholdMultiTaskClassifier(ProbaIsFeature(), cv=splits)
            clf.fit(X, Y)
        assert clf.best_thresholds_["task_1"] == 0.5
        assert np.isnan(clf.best_scores_["task_1"])
        assert clf.predict(np.array([[0.5, 0.6], [0.5, 0.4]]))[:, 1].tolist() == [1, 0]

    @pytest.mark.parametrize("value", [0, 1])
    def test_a_label_constant_in_training_is_refused_by_name(self, value):
        X = np.arange(12.0).reshape(6, 2)
        Y = np.column_stack([[0, 1, 0, 1, 0, 1], np.full(6, value)])
        before = Y.copy()
        with pytest.raises(ValueError, match="Task 'task_1' has one class only"):
            TunedThresholdMultiTaskClassifier(_logreg(), cv=2).fit(X, Y)
        np.testing.assert_array_equal(Y, before)

    @pytest.mark.parametrize("make_base", [_logreg, "net"])
    def test_a_training_split_with_one_class_names_the_task_and_split(self, make_base):
        # y holds both classes of task_1, but its only positive is in the
        # held-out half of the first split: that split's training rows do not.
        X = np.arange(20.0).reshape(10, 2)
        Y = np.column_stack([[0, 1] * 5, [1] + [0] * 9])
        base = (
            MultiTaskNetClassifier(hidden_layer_sizes=(4,), max_epochs=1)
            if make_base == "net"
            else make_base()
        )
        clf = TunedThresholdMultiTaskClassifier(base, cv=KFold(2))
        with pytest.raises(
            ValueError, match=r"split \(5 rows\).*one class only.*\['task_1'\]"
        ):
            clf.fit(X, Y)

    def test_other_errors_of_a_split_pass_through(self):
        X = np.arange(20.0).reshape(10, 2)
        Y = np.column_stack([[0, 1] * 5, [0, 1] * 5])
        bad = IndependentTaskClassifier(LogisticRegression(C=-1.0))
        with pytest.raises(ValueError, match="'C' parameter"):
            TunedThresholdMultiTaskClassifier(bad, cv=2).fit(X, Y)


class RecordsWeights(ProbaIsFeature):
    """ProbaIsFeature that keeps the sample_weight its fit got."""

    def fit(self, X, y, sample_weight=None):
        self.sample_weight_ = sample_weight
        return super().fit(X, y)


class TestSampleWeight:
    @pytest.fixture
    def scored(self):
        rng = np.random.RandomState(0)
        X = rng.rand(30, 2)
        Y = (rng.rand(30, 2) < X).astype(float)
        Y[rng.rand(30, 2) < 0.2] = np.nan
        return X, Y, rng.randint(0, 4, size=30)

    @pytest.mark.parametrize(
        "scoring", ["f1", "accuracy", "f1_micro", partial(f1_score, zero_division=0)]
    )
    def test_integer_weights_equal_repeated_rows(self, scored, scoring):
        X, Y, counts = scored
        counts[:2] = 1  # every task keeps labelled cells of positive weight
        grid = np.linspace(0.05, 0.95, 19)
        frozen = FrozenEstimator(ProbaIsFeature().fit(X, Y))
        weighted = TunedThresholdMultiTaskClassifier(
            frozen, scoring=scoring, thresholds=grid
        ).fit(X, Y, sample_weight=counts)
        rows = np.repeat(np.arange(len(X)), counts)
        repeated = TunedThresholdMultiTaskClassifier(
            frozen, scoring=scoring, thresholds=grid
        ).fit(X[rows], Y[rows])
        assert weighted.best_thresholds_ == repeated.best_thresholds_
        assert weighted.best_scores_ == pytest.approx(repeated.best_scores_)

    def test_per_cell_weights_and_the_int_grid(self, scored):
        X, Y, counts = scored
        cells = np.column_stack([counts, 1 + counts[::-1]]).astype(float)
        cells[:2, 0] = 1
        frozen = FrozenEstimator(ProbaIsFeature().fit(X, Y))
        weighted = TunedThresholdMultiTaskClassifier(frozen, scoring="accuracy")
        weighted.fit(X, Y, sample_weight=cells)
        for t, name in enumerate(weighted.task_names_):
            rows = np.repeat(np.arange(len(X)), cells[:, t].astype(int))
            keep = ~np.isnan(Y[rows, t])
            scores = X[rows, t][keep]
            y_true = Y[rows, t][keep]
            best = weighted.best_thresholds_[name]
            assert weighted.best_scores_[name] == pytest.approx(
                accuracy_score(y_true, scores >= best)
            )

    def test_the_estimator_gets_the_weights_of_its_rows(self, scored):
        X, Y, counts = scored
        weights = 1.0 + counts
        split = [(np.arange(15, 30), np.arange(15))]
        clf = TunedThresholdMultiTaskClassifier(RecordsWeights(), cv=split)
        clf.fit(X, Y, sample_weight=weights)
        np.testing.assert_array_equal(clf.estimator_.sample_weight_, weights)
        fold = TunedThresholdMultiTaskClassifier(
            RecordsWeights(), cv=split, refit=False
        ).fit(X, Y, sample_weight=weights)
        np.testing.assert_array_equal(fold.estimator_.sample_weight_, weights[15:])

    def test_bad_weights_are_refused_by_task(self, scored):
        X, Y, _ = scored
        weights = np.ones((30, 2))
        weights[:, 1] = 0
        clf = TunedThresholdMultiTaskClassifier(ProbaIsFeature(), cv=2)
        with pytest.raises(ValueError, match="Task 'task_1' has zero sample_weight"):
            clf.fit(X, Y, sample_weight=weights)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.tuples(
            st.booleans(),
            st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]),
            st.sampled_from([0.0, 0.5, 1.0, 3.0]),
        ),
        min_size=1,
        max_size=12,
    ),
    threshold=st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.75, 1.0, 1.5]),
)
def test_weighted_counts_are_scikit_learns(cells, threshold):
    # Ties between a score and the threshold included: proba >= t is positive.
    true_pos, scores, weight = (np.array(c) for c in zip(*cells))
    assume(weight.sum() > 0)  # scikit-learn refuses weights that are all zero
    tp, fp, fn, tn = confusion_curve(np.array([threshold]), true_pos, scores, weight)
    expected = confusion_matrix(
        true_pos, scores >= threshold, labels=[False, True], sample_weight=weight
    )
    assert [tn[0], fp[0], fn[0], tp[0]] == pytest.approx(expected.ravel().tolist())


class TestEstimatorsAndFormats:
    def test_with_a_multitask_net(self, rare_labels):
        X, Y = rare_labels
        net = MultiTaskNetClassifier(
            hidden_layer_sizes=(8,), max_epochs=5, lr=0.05, random_state=0
        )
        clf = TunedThresholdMultiTaskClassifier(net, cv=0.3, random_state=0)
        clf.fit(X.astype(np.float32), Y)
        assert sorted(clf.best_thresholds_) == ["task_0", "task_1", "task_2"]
        assert clf.predict(X[:5].astype(np.float32)).shape == (5, 4)

    def test_with_multioutput_classifier_and_string_labels(self, rare_labels):
        X, Y = rare_labels
        Y_str = np.where(Y[:, :2] == 1, "yes", "no")
        clf = TunedThresholdMultiTaskClassifier(
            MultiOutputClassifier(GaussianNB()), cv=3, random_state=0
        ).fit(X, Y_str)
        assert [c.tolist() for c in clf.classes_] == [["no", "yes"]] * 2
        assert set(np.unique(clf.predict(X))) <= {"no", "yes"}

    def test_one_dimensional_y(self, rare_labels):
        X, Y = rare_labels
        clf = TunedThresholdMultiTaskClassifier(
            IndependentTaskClassifier(GaussianNB()), cv=3, random_state=0
        ).fit(X, Y[:, 0])
        assert clf.predict(X).shape == (len(X),)
        assert clf.predict_proba(X).shape == (len(X), 2)
        assert list(clf.best_thresholds_) == ["task_0"]

    def test_refit_false_keeps_the_split_model(self, rare_labels):
        X, Y = rare_labels
        clf = TunedThresholdMultiTaskClassifier(
            _logreg(), cv=0.25, refit=False, random_state=0
        ).fit(X, Y)
        train, _ = next(ShuffleSplit(1, test_size=0.25, random_state=0).split(X))
        on_train = _logreg().fit(X[train], Y[train])
        for ours, theirs in zip(clf.predict_proba(X), on_train.predict_proba(X)):
            np.testing.assert_allclose(ours, theirs)

    def test_default_estimator_is_a_multitask_net(self):
        assert isinstance(
            TunedThresholdMultiTaskClassifier()._inner_estimator(),
            MultiTaskNetClassifier,
        )


class TestScikitLearnIntegration:
    def test_same_seed_same_predictions(self, rare_labels):
        X, Y = rare_labels
        make = partial(TunedThresholdMultiTaskClassifier, _logreg(), random_state=3)
        a, b = make().fit(X, Y), make().fit(X, Y)
        assert a.best_thresholds_ == b.best_thresholds_
        np.testing.assert_array_equal(a.predict(X), b.predict(X))

    def test_parallel_splits_give_the_serial_result(self, rare_labels):
        X, Y = rare_labels
        serial = TunedThresholdMultiTaskClassifier(_logreg(), cv=3, random_state=0)
        with parallel_config(backend="threading"):
            parallel = clone(serial).set_params(n_jobs=2).fit(X, Y)
        assert serial.fit(X, Y).best_thresholds_ == parallel.best_thresholds_

    def test_clone_pickle_and_grid_search(self, rare_labels):
        X, Y = rare_labels
        clf = TunedThresholdMultiTaskClassifier(_logreg(), cv=3, random_state=0)
        assert clone(clf).get_params()["thresholds"] == 100
        fitted = clf.fit(X, Y)
        restored = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
        search = GridSearchCV(
            clf,
            {"scoring": ["f1", "balanced_accuracy"], "estimator__estimator__C": [1.0]},
            cv=KFold(2),
            scoring=get_scorer("f1_micro"),
        ).fit(X, Y[:, :3])
        assert search.best_params_["scoring"] in ("f1", "balanced_accuracy")
        assert 0 <= search.score(X, Y[:, :3]) <= 1

    def test_inputs_are_not_mutated(self, rare_labels):
        X, Y = rare_labels
        Y = Y.astype(float)
        Y[0, 0] = np.nan
        X_before, Y_before = X.copy(), Y.copy()
        TunedThresholdMultiTaskClassifier(_logreg(), cv=3).fit(X, Y).predict(X)
        np.testing.assert_array_equal(X, X_before)
        np.testing.assert_array_equal(Y, Y_before)


class TestBadInput:
    def test_unknown_scoring(self, rare_labels):
        with pytest.raises(ValueError, match="scoring='roc_auc' is not a known.*'f1"):
            TunedThresholdMultiTaskClassifier(_logreg(), scoring="roc_auc").fit(
                *rare_labels
            )

    def test_a_non_binary_task_asked_to_be_tuned(self, rare_labels):
        with pytest.raises(ValueError, match="Task 'task_3' has 3 classes"):
            TunedThresholdMultiTaskClassifier(_logreg(), tasks=[0, 3]).fit(*rare_labels)

    @pytest.mark.parametrize(
        "tasks, error, message",
        [
            (["nope"], ValueError, "'nope', which is not a task"),
            ([7], ValueError, "the column 7"),
            ("all", ValueError, 'tasks must be "binary"'),
            (3, TypeError, 'tasks must be "binary"'),
        ],
    )
    def test_bad_tasks(self, rare_labels, tasks, error, message):
        with pytest.raises(error, match=message):
            TunedThresholdMultiTaskClassifier(_logreg(), tasks=tasks).fit(*rare_labels)

    @pytest.mark.parametrize(
        "thresholds, error, message",
        [
            (1, ValueError, "at least 2"),
            (0.5, TypeError, "thresholds must be an int"),
            ([], ValueError, "non-empty"),
            ([0.1, np.nan], ValueError, "finite"),
        ],
    )
    def test_bad_thresholds(self, rare_labels, thresholds, error, message):
        with pytest.raises(error, match=message):
            TunedThresholdMultiTaskClassifier(_logreg(), thresholds=thresholds).fit(
                *rare_labels
            )

    @pytest.mark.parametrize(
        "cv, error, message",
        [
            (1, ValueError, "at least 2 folds"),
            (1.5, ValueError, r"in \(0, 1\)"),
            ("prefit", ValueError, "FrozenEstimator"),
            (object(), TypeError, "cv must be"),
        ],
    )
    def test_bad_cv(self, rare_labels, cv, error, message):
        with pytest.raises(error, match=message):
            TunedThresholdMultiTaskClassifier(_logreg(), cv=cv).fit(*rare_labels)

    def test_refit_false_needs_one_split(self, rare_labels):
        with pytest.raises(ValueError, match="refit=False needs cv to give one split"):
            TunedThresholdMultiTaskClassifier(_logreg(), cv=3, refit=False).fit(
                *rare_labels
            )

    def test_bad_refit(self, rare_labels):
        with pytest.raises(TypeError, match="'refit' parameter"):
            TunedThresholdMultiTaskClassifier(_logreg(), refit="yes").fit(*rare_labels)

    def test_unfitted(self):
        from sklearn.exceptions import NotFittedError

        with pytest.raises(NotFittedError):
            TunedThresholdMultiTaskClassifier(_logreg()).predict([[0.0]])


@parametrize_with_checks(
    [
        TunedThresholdMultiTaskClassifier(
            IndependentTaskClassifier(LogisticRegression(max_iter=1000)),
            cv=3,
            random_state=0,
        )
    ],
    # As scikit-learn marks them for TunedThresholdClassifierCV: a tuned
    # threshold is not 0.5, so predict is not the argmax of predict_proba.
    expected_failed_checks=lambda est: {
        name: "Threshold at probability 0.5 does not hold"
        for name in ("check_classifiers_train", "check_classifier_multioutput")
    },
)
def test_sklearn_compatible_estimator(estimator, check):
    if check.func.__name__ == "check_classifiers_one_label_sample_weights":
        # The weights leave one class only: no held-out split can tune the
        # threshold, which stays at 0.5 with the tuner's warning.
        with pytest.warns(UserWarning, match="cannot be tuned"):
            check(estimator)
    else:
        check(estimator)
