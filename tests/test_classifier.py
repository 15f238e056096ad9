import copy

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback, ProgressBar

from sklmtl import MultiTaskNetClassifier
from sklmtl.metrics import subset_accuracy
from sklmtl.nn import MaskedMultiTaskCrossEntropy

from .conftest import FAST, make_problem


class TestTargetsAndOutputs:
    def test_multi_task_outputs_follow_multioutput_conventions(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
        Y_pred = clf.predict(X)
        assert Y_pred.shape == Y.shape and Y_pred.dtype == object
        for t, classes in enumerate(clf.classes_):
            assert set(Y_pred[:, t]) <= set(classes)
        assert [c.tolist() for c in clf.classes_] == [
            [0, 1],
            ["down", "up"],
            [False, True],
        ]
        proba = clf.predict_proba(X)
        assert isinstance(proba, list) and len(proba) == 3
        for p, classes in zip(proba, clf.classes_):
            assert p.shape == (len(X), len(classes))
            np.testing.assert_allclose(p.sum(axis=1), 1.0)
        assert clf.n_tasks_ == 3
        assert clf.task_names_ == ["task_0", "task_1", "task_2"]
        assert clf.n_features_in_ == X.shape[1]
        assert clf.score(X, Y) > 0.8

    def test_numeric_labels_give_numeric_predictions(self, problem):
        X, _ = problem
        Y = np.column_stack([X[:, 0] > 0, (X[:, 1] > 0) * 2 + 1]).astype(np.int64)
        assert MultiTaskNetClassifier(**FAST).fit(X, Y).predict(X).dtype == np.int64

    def test_one_dimensional_y_is_one_task(self, problem):
        X, Y = problem
        y = Y[:, 1].astype(str)
        clf = MultiTaskNetClassifier(**FAST).fit(X, y)
        assert clf.predict(X).shape == (len(X),)
        assert clf.predict_proba(X).shape == (len(X), 2)
        assert clf.classes_.tolist() == ["down", "up"]

    def test_dataframes_give_task_and_feature_names(self, problem):
        X, Y = problem
        X_df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
        Y_df = pd.DataFrame(Y, columns=["sign", "direction", "band"])
        Y_df["sign"] = pd.array(Y_df["sign"].tolist(), dtype="Int64")
        Y_df.loc[::4, "sign"] = pd.NA
        clf = MultiTaskNetClassifier(**FAST).fit(X_df, Y_df)
        assert clf.task_names_ == ["sign", "direction", "band"]
        assert clf.feature_names_in_.tolist() == list(X_df.columns)
        assert "train_acc_direction" in clf.history_[-1]
        with pytest.raises(ValueError, match="feature names"):
            clf.predict(X_df[X_df.columns[::-1]])


class TestMissingLabels:
    def test_loss_is_mean_over_labelled_cells_of_each_task(self):
        logits = (torch.tensor([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]]),) * 2
        codes = torch.tensor([[0, -1], [1, -1], [0, 1]])
        losses, counts = MaskedMultiTaskCrossEntropy()(logits, codes)
        expected_0 = torch.nn.functional.cross_entropy(logits[0], codes[:, 0])
        expected_1 = torch.nn.functional.cross_entropy(logits[1][2:], codes[2:, 1])
        torch.testing.assert_close(losses, torch.stack([expected_0, expected_1]))
        assert counts.tolist() == [3.0, 1.0]

    def test_missing_cells_do_not_influence_training(self, problem):
        X, Y = problem
        Y_none = Y.copy()
        Y_none[::3, 1] = None
        Y_sentinel = Y.copy()
        Y_sentinel[::3, 1] = "unknown"
        a = MultiTaskNetClassifier(**FAST).fit(X, Y_none)
        b = MultiTaskNetClassifier(missing_label="unknown", **FAST).fit(X, Y_sentinel)
        for p, q in zip(a.predict_proba(X), b.predict_proba(X)):
            np.testing.assert_array_equal(p, q)
        assert b.classes_[1].tolist() == ["down", "up"]

    def test_score_ignores_missing_cells(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
        Y_missing = Y.copy()
        Y_missing[::2, 0] = np.nan
        expected = subset_accuracy(Y_missing, clf.predict(X))
        assert clf.score(X, Y_missing) == expected

    def test_sparse_task_still_learns(self):
        X, Y = make_problem(n_samples=400, seed=1)
        Y = Y.copy()
        Y[40:, 1] = None  # 10% of rows labelled for task 1
        clf = MultiTaskNetClassifier(
            hidden_layer_sizes=(32,), max_epochs=40, lr=0.01, random_state=0
        ).fit(X, Y)
        X_test, Y_test = make_problem(n_samples=400, seed=2)
        accuracy = np.mean(clf.predict(X_test)[:, 1] == Y_test[:, 1])
        assert accuracy > 0.85


class TestTraining:
    def test_history_records_per_task_train_and_valid_metrics(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(early_stopping=True, **FAST).fit(X, Y)
        row = clf.history_[-1]
        for name in clf.task_names_:
            for key in ("train_loss", "train_acc", "valid_loss", "valid_acc"):
                assert 0 <= row[f"{key}_{name}"] < np.inf
        assert clf.n_iter_ == len(clf.history_)

    def test_early_stopping_stops_and_restores(self):
        rng = np.random.RandomState(0)
        X = rng.normal(size=(150, 4)).astype(np.float32)
        Y = rng.randint(0, 2, size=(150, 2))  # pure noise: validation loss rises
        clf = MultiTaskNetClassifier(
            hidden_layer_sizes=(64,),
            lr=0.05,
            max_epochs=200,
            early_stopping=True,
            n_iter_no_change=3,
            random_state=0,
        ).fit(X, Y)
        assert clf.n_iter_ < 200
        # It stops `n_iter_no_change` epochs after the best validation loss.
        best_epoch = int(np.argmin(clf.history_[:, "valid_loss"]))
        assert clf.n_iter_ - 1 - best_epoch == 3

    def test_verbose_prints_skorch_table(self, problem, capsys):
        X, Y = problem
        MultiTaskNetClassifier(verbose=1, **{**FAST, "max_epochs": 2}).fit(X, Y)
        out = capsys.readouterr().out
        assert "train_loss" in out and "epoch" in out

    def test_progress_bar_flag(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(progress_bar=True, **{**FAST, "max_epochs": 1})
        clf.fit(X, Y)
        assert any(isinstance(cb, ProgressBar) for _, cb in clf.net_.callbacks_)

    def test_user_callbacks_run_on_a_copy(self, problem):
        class CountEpochs(Callback):
            def __init__(self):
                self.epochs = 0

            def on_epoch_end(self, net, **kwargs):
                self.epochs += 1

        X, Y = problem
        counter = CountEpochs()
        clf = MultiTaskNetClassifier(callbacks=[counter], **FAST).fit(X, Y)
        assert counter.epochs == 0
        copies = [cb for _, cb in clf.net_.callbacks_ if isinstance(cb, CountEpochs)]
        assert copies[0].epochs == FAST["max_epochs"]

    def test_warm_start_continues_training(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(warm_start=True, **FAST).fit(X, Y)
        first = copy.deepcopy(clf.net_.module_.state_dict())
        clf.fit(X, Y)
        assert clf.n_iter_ == 2 * FAST["max_epochs"]
        changed = clf.net_.module_.state_dict()
        assert any(not torch.equal(first[k], changed[k]) for k in first)

    def test_partial_fit_streams_batches(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(**FAST)
        classes = [[0, 1], ["down", "up"], [False, True]]
        for start in range(0, len(X), 40):
            clf.partial_fit(
                X[start : start + 40], Y[start : start + 40], classes=classes
            )
        assert clf.n_iter_ == 3
        with pytest.raises(ValueError, match="task_1.*'left'"):
            Y_bad = Y[:10].copy()
            Y_bad[0, 1] = "left"
            clf.partial_fit(X[:10], Y_bad)
        with pytest.raises(ValueError, match="number of tasks"):
            clf.partial_fit(X[:10], Y[:10, :2])

    def test_sgd_and_weight_decay(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(
            optimizer=torch.optim.SGD, weight_decay=1e-3, **FAST
        ).fit(X, Y)
        assert isinstance(clf.net_.optimizer_, torch.optim.SGD)
        assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-3

    def test_device_auto_and_unavailable_cuda(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(device="auto", **FAST).fit(X, Y)
        expected = "cuda" if torch.cuda.is_available() else "cpu"
        assert clf.net_.device == expected
        if not torch.cuda.is_available():
            with pytest.raises(ValueError, match="CUDA is not available"):
                MultiTaskNetClassifier(device="cuda", **FAST).fit(X, Y)


class TestDeterminism:
    def test_same_seed_gives_identical_probabilities(self, problem):
        X, Y = problem
        params = {**FAST, "dropout": 0.2, "early_stopping": True}
        a = MultiTaskNetClassifier(**params).fit(X, Y).predict_proba(X)
        b = MultiTaskNetClassifier(**params).fit(X, Y).predict_proba(X)
        for p, q in zip(a, b):
            np.testing.assert_array_equal(p, q)

    def test_fit_and_predict_leave_global_torch_rng_alone(self, problem):
        X, Y = problem
        state = torch.get_rng_state()
        clf = MultiTaskNetClassifier(dropout=0.2, **FAST).fit(X, Y)
        clf.predict_proba(X)
        assert torch.equal(state, torch.get_rng_state())

    def test_different_seeds_differ(self, problem):
        X, Y = problem
        a = MultiTaskNetClassifier(**FAST).fit(X, Y).predict_proba(X)[0]
        b = MultiTaskNetClassifier(**{**FAST, "random_state": 1}).fit(X, Y)
        assert not np.array_equal(a, b.predict_proba(X)[0])


class TestBadInput:
    @pytest.mark.parametrize(
        "params, match",
        [
            ({"lr": -0.1}, "'lr' parameter .* must be a float in the range"),
            ({"batch_size": 0}, "'batch_size' parameter .* must be an int in"),
            ({"max_epochs": 0}, "max_epochs"),
            ({"hidden_layer_sizes": (16, 0)}, "'hidden_layer_sizes' .* positive int"),
            ({"task_weighting": "nope"}, "task_weighting='nope'"),
            ({"activation": "swish"}, "activation must be one of"),
            ({"dropout": 1.0}, "'dropout' parameter .* range \\[0, 1\\)"),
            ({"validation_fraction": 0.0}, "validation_fraction"),
            ({"device": "tpu"}, "device must be"),
        ],
    )
    def test_invalid_hyperparameters_name_the_parameter(self, problem, params, match):
        X, Y = problem
        with pytest.raises(ValueError, match=match):
            MultiTaskNetClassifier(**{**FAST, **params}).fit(X, Y)

    def test_optimizer_must_be_a_class(self, problem):
        X, Y = problem
        with pytest.raises(TypeError, match="optimizer"):
            MultiTaskNetClassifier(optimizer="adam", **FAST).fit(X, Y)

    def test_bad_data(self, problem):
        X, Y = problem
        X_nan = X.copy()
        X_nan[0, 0] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            MultiTaskNetClassifier(**FAST).fit(X_nan, Y)
        with pytest.raises(ValueError, match="inconsistent numbers of samples"):
            MultiTaskNetClassifier(**FAST).fit(X[:-1], Y)
        with pytest.raises(ValueError, match="3 dimensions"):
            MultiTaskNetClassifier(**FAST).fit(X, Y[:, :, None])
        with pytest.raises(ValueError, match="Unknown label type"):
            MultiTaskNetClassifier(**FAST).fit(X, X[:, :2])
        with pytest.raises(NotFittedError):
            MultiTaskNetClassifier().predict(X)
        clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
        with pytest.raises(ValueError, match="X has 5 features"):
            clf.predict(X[:, :5])

    def test_failed_refit_leaves_an_unfitted_estimator(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
        with pytest.raises(ValueError, match="class_weight"):
            clf.set_params(class_weight=[None]).fit(X, Y)
        with pytest.raises(NotFittedError):
            clf.predict(X)

    def test_inputs_are_not_mutated(self, problem):
        X, Y = problem
        X_df = pd.DataFrame(X.astype(np.float64))
        Y_df = pd.DataFrame(Y).astype(object)
        Y_df.iloc[::3, 1] = None
        X_copy, Y_copy = X_df.copy(), Y_df.copy()
        clf = MultiTaskNetClassifier(**FAST).fit(X_df, Y_df)
        clf.predict(X_df)
        clf.score(X_df, Y_df)
        clf.partial_fit(X_df, Y_df)
        pd.testing.assert_frame_equal(X_df, X_copy)
        pd.testing.assert_frame_equal(Y_df, Y_copy)


class _ThreadProbe(Callback):
    """Records torch's thread count at every training batch."""

    def initialize(self):
        self.seen = []
        return self

    def on_batch_end(self, net, **kwargs):
        self.seen.append(torch.get_num_threads())


@pytest.mark.parametrize(
    "n_threads, hidden, expected",
    [(1, (16,), 1), ("auto", (16,), 1), (None, (16,), 2), ("auto", (1024, 1024), 2)],
)
def test_n_threads_applies_during_fit_and_restores_the_callers_setting(
    problem, n_threads, hidden, expected
):
    X, Y = problem
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        clf = MultiTaskNetClassifier(
            **{**FAST, "hidden_layer_sizes": hidden, "max_epochs": 1},
            n_threads=n_threads,
            callbacks=[("probe", _ThreadProbe())],
        ).fit(X, Y)
        probe = dict(clf.net_.callbacks_)["probe"]
        assert set(probe.seen) == {expected}
        assert torch.get_num_threads() == 2
        clf.predict(X)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
