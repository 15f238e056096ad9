"""CalibratedMultiTaskClassifier: per-task calibration as CalibratedClassifierCV."""

import pickle

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.multioutput import MultiOutputClassifier
from sklearn.naive_bayes import GaussianNB

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.calibration import CalibratedMultiTaskClassifier
from sklmtl.datasets import make_multitask_classification
from sklmtl.metrics import subset_accuracy, subset_accuracy_scorer

from .conftest import make_problem

TINY_NET = dict(hidden_layer_sizes=(8,), max_epochs=10, lr=0.05, random_state=0)


class _Stacked(IndependentTaskClassifier):
    """A base whose predict_proba returns one array for all tasks."""

    def predict_proba(self, X):
        return np.hstack(super().predict_proba(X))


def _gnb():
    return IndependentTaskClassifier(GaussianNB())


@pytest.fixture(scope="module")
def two_tasks():
    """A binary and a 3-class task, no missing cell."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    Y = np.column_stack(
        [
            (X[:, 0] + rng.normal(size=150) > 0).astype(int),
            np.digitize(X[:, 1] + rng.normal(size=150), [-0.5, 0.5]),
        ]
    )
    return X, Y


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
@pytest.mark.parametrize("ensemble", [True, False])
def test_each_task_matches_calibrated_classifier_cv(two_tasks, method, ensemble):
    X, Y = two_tasks
    cv = KFold(3, shuffle=True, random_state=0)
    clf = CalibratedMultiTaskClassifier(
        _gnb(), method=method, cv=cv, ensemble=ensemble
    ).fit(X, Y)
    probas = clf.predict_proba(X)
    for t in range(Y.shape[1]):
        reference = CalibratedClassifierCV(
            GaussianNB(), method=method, cv=cv, ensemble=ensemble
        ).fit(X, Y[:, t])
        np.testing.assert_allclose(probas[t], reference.predict_proba(X), atol=1e-12)


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_missing_cells_are_left_out_of_their_task_only(two_tasks, method):
    X, Y = two_tasks
    Y = Y.astype(float)
    rng = np.random.RandomState(1)
    Y[rng.rand(*Y.shape) < 0.3] = np.nan
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    clf = CalibratedMultiTaskClassifier(_gnb(), method=method, cv=splits).fit(X, Y)
    probas = clf.predict_proba(X)
    for t in range(Y.shape[1]):
        # scikit-learn on the task's labelled rows, with the same folds.
        labelled = np.flatnonzero(~np.isnan(Y[:, t]))
        position = np.full(len(X), -1)
        position[labelled] = np.arange(len(labelled))
        task_splits = [
            (position[tr][position[tr] >= 0], position[te][position[te] >= 0])
            for tr, te in splits
        ]
        reference = CalibratedClassifierCV(
            GaussianNB(), method=method, cv=task_splits
        ).fit(X[labelled], Y[labelled, t])
        np.testing.assert_allclose(probas[t], reference.predict_proba(X), atol=1e-12)


def test_class_unseen_by_a_training_fold(two_tasks):
    X, Y = two_tasks
    Y = Y.copy()
    Y[:, 1] = np.where(np.arange(len(Y)) < 4, 9, Y[:, 1] % 2)
    splits = [
        (np.arange(50, 150), np.arange(50)),
        (np.arange(100), np.arange(100, 150)),
    ]
    clf = CalibratedMultiTaskClassifier(_gnb(), cv=splits).fit(X, Y)
    first, second = clf.calibrated_classifiers_
    # The first fold never trained on class 9: no calibrator, probability 0.
    assert len(first.tasks[1].calibrators) == 2
    assert len(second.tasks[1].calibrators) == 3
    proba = clf.predict_proba(X)[1]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.classes_[1].tolist() == [0, 1, 9]
    assert proba[:4, 2].mean() > proba[4:, 2].mean()


def _overconfident_problem():
    X, Y = make_multitask_classification(
        n_samples=500,
        n_features=10,
        n_tasks=2,
        n_classes=[2, 3],
        noise=0.3,
        missing_rate=0.2,
        random_state=0,
    )
    return X[:250], Y[:250], X[250:], Y[250:]


def _task_losses(probas, Y):
    out = []
    for t, proba in enumerate(probas):
        labelled = ~np.isnan(Y[:, t])
        y = Y[labelled, t].astype(int)
        p = proba[labelled]
        labels = np.arange(p.shape[1])
        out.append(
            (log_loss(y, p, labels=labels), brier_score_loss(y, p, labels=labels))
        )
    return out


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_calibration_fixes_an_overconfident_net_on_every_task(method):
    X, Y, X_test, Y_test = _overconfident_problem()
    # A high learning rate on noisy labels, without weight decay (which
    # below 500 rows is on by default and tempers it): a net far surer than
    # it is right.
    net = MultiTaskNetClassifier(
        hidden_layer_sizes=(8,),
        max_epochs=10,
        lr=0.2,
        batch_size=32,
        weight_decay=0,
        random_state=0,
    )
    raw = net.fit(X, Y).predict_proba(X_test)
    for t, proba in enumerate(raw):
        labelled = ~np.isnan(Y_test[:, t])
        confidence = proba[labelled].max(axis=1).mean()
        accuracy = np.mean(proba[labelled].argmax(axis=1) == Y_test[labelled, t])
        assert confidence > accuracy + 0.05
    calibrated = CalibratedMultiTaskClassifier(
        net, method=method, cv=3, random_state=0
    ).fit(X, Y)
    before = _task_losses(raw, Y_test)
    after = _task_losses(calibrated.predict_proba(X_test), Y_test)
    for (log_before, brier_before), (log_after, brier_after) in zip(before, after):
        assert log_after < log_before
        assert brier_after < brier_before


def test_output_format_follows_the_base_estimator():
    X, Y = make_problem(n_samples=90)
    Y[::7, 0] = None
    Y[3::11, 1] = np.nan
    base = MultiTaskNetClassifier(**TINY_NET)
    clf = CalibratedMultiTaskClassifier(base, cv=3, random_state=0).fit(X, Y)
    base.fit(X, Y)
    assert [c.tolist() for c in clf.classes_] == [c.tolist() for c in base.classes_]
    assert clf.task_names_ == base.task_names_ == ["task_0", "task_1", "task_2"]
    assert clf.n_tasks_ == 3 and clf.n_features_in_ == X.shape[1]
    probas = clf.predict_proba(X)
    assert isinstance(probas, list)
    assert [p.shape for p in probas] == [(90, 2), (90, 2), (90, 2)]
    for proba in probas:
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        assert proba.min() >= 0.0 and proba.max() <= 1.0
    pred = clf.predict(X)
    assert pred.shape == Y.shape and pred.dtype == base.predict(X).dtype == object
    for t, (proba, task_classes) in enumerate(zip(probas, clf.classes_)):
        assert pred[:, t].tolist() == task_classes[proba.argmax(axis=1)].tolist()
        assert {type(v) for v in pred[:, t]} == {type(v) for v in base.predict(X)[:, t]}
    assert clf.score(X, Y) == subset_accuracy(Y, pred)


def test_one_dimensional_y_and_dataframe_y():
    X, Y = make_problem(n_samples=60)
    y = Y[:, 1].astype(str)
    clf = CalibratedMultiTaskClassifier(_gnb(), cv=3, random_state=0).fit(X, y)
    assert clf.predict_proba(X).shape == (60, 2)
    assert clf.predict(X).shape == (60,)
    assert clf.classes_.tolist() == ["down", "up"]
    frame = pd.DataFrame({"sign": Y[:, 0], "trend": Y[:, 1]})
    clf = CalibratedMultiTaskClassifier(_gnb(), cv=3, random_state=0).fit(X, frame)
    assert clf.task_names_ == ["sign", "trend"]


def test_frozen_estimator_is_calibrated_without_refitting(two_tasks):
    X, Y = two_tasks
    fitted = _gnb().fit(X[:75], Y[:75])
    before = [p.copy() for p in fitted.predict_proba(X)]
    clf = CalibratedMultiTaskClassifier(FrozenEstimator(fitted)).fit(X[75:], Y[75:])
    assert len(clf.calibrated_classifiers_) == 1
    for old, new in zip(before, fitted.predict_proba(X)):
        np.testing.assert_array_equal(old, new)
    reference_base = GaussianNB().fit(X[:75], Y[:75, 1])
    reference = CalibratedClassifierCV(FrozenEstimator(reference_base)).fit(
        X[75:], Y[75:, 1]
    )
    np.testing.assert_allclose(
        clf.predict_proba(X)[1], reference.predict_proba(X), atol=1e-12
    )


def test_ensemble_and_cv_forms(two_tasks):
    X, Y = two_tasks
    ensemble = CalibratedMultiTaskClassifier(_gnb(), cv=4).fit(X, Y)
    single = CalibratedMultiTaskClassifier(_gnb(), cv=4, ensemble=False).fit(X, Y)
    default = CalibratedMultiTaskClassifier(_gnb()).fit(X, Y)
    assert len(ensemble.calibrated_classifiers_) == 4
    assert len(single.calibrated_classifiers_) == 1
    assert len(default.calibrated_classifiers_) == 5
    splits = list(KFold(3).split(X))
    from_list = CalibratedMultiTaskClassifier(_gnb(), cv=splits).fit(X, Y)
    from_splitter = CalibratedMultiTaskClassifier(_gnb(), cv=KFold(3)).fit(X, Y)
    for a, b in zip(from_list.predict_proba(X), from_splitter.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


def test_default_estimator_is_a_multitask_net(monkeypatch):
    seen = []
    original_fit = MultiTaskNetClassifier.fit

    def one_epoch_fit(self, X, y):
        # The default network trains 50 epochs; one shows what was built.
        seen.append(self.get_params())
        self.max_epochs = 1
        return original_fit(self, X, y)

    monkeypatch.setattr(MultiTaskNetClassifier, "fit", one_epoch_fit)
    X, Y = make_problem(n_samples=40)
    clf = CalibratedMultiTaskClassifier(cv=2, random_state=0).fit(X, Y)
    assert seen == [MultiTaskNetClassifier().get_params()] * 2
    assert all(
        isinstance(pair.estimator, MultiTaskNetClassifier)
        for pair in clf.calibrated_classifiers_
    )
    assert clf.estimator is None


def test_works_with_multioutput_classifier(two_tasks):
    X, Y = two_tasks
    base = MultiOutputClassifier(LogisticRegression())
    clf = CalibratedMultiTaskClassifier(base, cv=3, random_state=0).fit(X, Y)
    probas = clf.predict_proba(X)
    assert [p.shape for p in probas] == [(150, 2), (150, 3)]
    np.testing.assert_allclose(probas[1].sum(axis=1), 1.0)
    assert (
        clf.predict(X).tolist()
        == np.column_stack([p.argmax(axis=1) for p in probas]).tolist()
    )


def test_same_seeds_same_predictions():
    X, Y = make_problem(n_samples=80)
    make = lambda: CalibratedMultiTaskClassifier(  # noqa: E731
        MultiTaskNetClassifier(**TINY_NET), cv=3, random_state=0
    )
    for a, b in zip(
        make().fit(X, Y).predict_proba(X), make().fit(X, Y).predict_proba(X)
    ):
        np.testing.assert_array_equal(a, b)


def test_parallel_folds_give_the_serial_result(two_tasks):
    X, Y = two_tasks
    make = lambda n_jobs: CalibratedMultiTaskClassifier(  # noqa: E731
        _gnb(), cv=3, random_state=0, n_jobs=n_jobs
    )
    serial = make(None).fit(X, Y).predict_proba(X)
    # Threads: worker processes would spend seconds importing torch.
    with parallel_config(backend="threading"):
        parallel = make(2).fit(X, Y).predict_proba(X)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)


def test_clone_pickle_and_grid_search(two_tasks):
    X, Y = two_tasks
    clf = CalibratedMultiTaskClassifier(_gnb(), cv=3, random_state=0)
    assert clone(clf).get_params()["method"] == "sigmoid"
    fitted = clf.fit(X, Y)
    restored = pickle.loads(pickle.dumps(fitted))
    for a, b in zip(fitted.predict_proba(X), restored.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    search = GridSearchCV(
        clf,
        {"method": ["sigmoid", "isotonic"]},
        cv=KFold(3, shuffle=True, random_state=0),
        scoring=subset_accuracy_scorer,
    ).fit(X, Y)
    assert search.best_params_["method"] in ("sigmoid", "isotonic")


def test_inputs_are_not_mutated(two_tasks):
    X, Y = two_tasks
    Y = Y.astype(object)
    Y[::5, 0] = None
    X_copy, Y_copy = X.copy(), Y.copy()
    CalibratedMultiTaskClassifier(_gnb(), cv=3, random_state=0).fit(X, Y)
    np.testing.assert_array_equal(X, X_copy)
    assert Y.tolist() == Y_copy.tolist()


class TestBadInput:
    def test_unknown_method(self, two_tasks):
        with pytest.raises(ValueError, match="'method' parameter.*'isotonic'"):
            CalibratedMultiTaskClassifier(_gnb(), method="platt").fit(*two_tasks)

    def test_bad_ensemble(self, two_tasks):
        with pytest.raises(ValueError, match="'ensemble' parameter"):
            CalibratedMultiTaskClassifier(_gnb(), ensemble="yes").fit(*two_tasks)

    def test_prefit_points_to_frozen_estimator(self, two_tasks):
        with pytest.raises(ValueError, match="FrozenEstimator"):
            CalibratedMultiTaskClassifier(_gnb(), cv="prefit").fit(*two_tasks)

    @pytest.mark.parametrize(
        "cv, error, message",
        [(1, ValueError, "at least 2 folds"), (object(), TypeError, "cv must be")],
    )
    def test_bad_cv(self, two_tasks, cv, error, message):
        with pytest.raises(error, match=message):
            CalibratedMultiTaskClassifier(_gnb(), cv=cv).fit(*two_tasks)

    def test_too_few_labels_of_a_class_for_the_folds(self, two_tasks):
        X, Y = two_tasks
        Y = Y.copy()
        Y[:, 1] = np.where(np.arange(len(Y)) < 3, 7, Y[:, 1])
        with pytest.raises(ValueError, match="task 'task_1' has only 3.*class 7"):
            CalibratedMultiTaskClassifier(_gnb(), cv=5).fit(X, Y)

    def test_task_without_labels_in_a_held_out_fold(self, two_tasks):
        X, Y = two_tasks
        Y = Y.astype(float)
        Y[50:100, 1] = np.nan
        splits = list(KFold(3).split(X))
        with pytest.raises(ValueError, match="Task 'task_1' has no labelled.*fold 1"):
            CalibratedMultiTaskClassifier(_gnb(), cv=splits).fit(X, Y)
        clf = CalibratedMultiTaskClassifier(_gnb(), cv=splits)
        with pytest.raises(ValueError):
            clf.fit(X, Y)
        assert not hasattr(clf, "calibrated_classifiers_")

    def test_out_of_fold_needs_a_partition(self, two_tasks):
        X, Y = two_tasks
        splits = [(np.arange(50, 150), np.arange(50))]
        with pytest.raises(ValueError, match="partition the rows.*100 row"):
            CalibratedMultiTaskClassifier(_gnb(), cv=splits, ensemble=False).fit(X, Y)

    def test_base_without_list_probabilities(self, two_tasks):
        with pytest.raises(TypeError, match="_Stacked.predict_proba must return a"):
            CalibratedMultiTaskClassifier(_Stacked(GaussianNB()), cv=3).fit(*two_tasks)

    def test_unfitted(self, two_tasks):
        from sklearn.exceptions import NotFittedError

        with pytest.raises(NotFittedError):
            CalibratedMultiTaskClassifier(_gnb()).predict(two_tasks[0])
