"""Every setting takes effect: on a new fit, a continued fit and partial_fit.

The checks read what training did through public means only: ``history_``,
predictions, and skorch callbacks handed in through the ``callbacks``
parameter (the way a user observes training).
"""

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from sklmtl import MultiTaskNetClassifier
from sklmtl.callbacks import TaskAffinity
from sklmtl.io import load, save

from .conftest import FAST, ExplodeAt, make_problem


class Probe(Callback):
    """Record what each epoch ran with: optimizer settings and batch counts."""

    def __init__(self):
        self.records = []

    def initialize(self):
        # skorch calls initialize() on a fresh copy per fit; keep one list.
        return self

    def on_epoch_end(self, net, **kwargs):
        group = net.optimizer_.param_groups[0]
        row = net.history[-1]
        self.records.append(
            {
                "lr": group["lr"],
                "momentum": group.get("momentum"),
                "nesterov": group.get("nesterov"),
                "betas": group.get("betas"),
                "batches": sum(1 for b in row["batches"] if "train_loss" in b),
                "optimizer": type(net.optimizer_).__name__,
            }
        )


def _probe(clf):
    """The probe of the last fit (callbacks are copied into every fit)."""
    return dict(clf.net_.callbacks_)["probe"]


@pytest.fixture(scope="module")
def data():
    return make_problem(n_samples=96)


def test_max_epochs_changed_between_warm_fits_is_the_number_trained(data):
    X, Y = data
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 3}, warm_start=True)
    clf.fit(X, Y)
    clf.set_params(max_epochs=5).fit(X, Y)
    assert clf.n_iter_ == 8
    assert len(clf.history_) == 8
    assert clf.history_[-1, "epoch"] == 8


def test_new_lr_and_batch_size_apply_on_the_next_fit(data):
    X, Y = data
    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 2, "batch_size": 96},
        warm_start=True,
        callbacks=[("probe", Probe())],
    ).fit(X, Y)
    assert [r["lr"] for r in _probe(clf).records] == [0.02, 0.02]
    assert [r["batches"] for r in _probe(clf).records] == [1, 1]
    clf.set_params(lr=0.005, batch_size=32).fit(X, Y)
    assert [r["lr"] for r in _probe(clf).records] == [0.005, 0.005]
    assert [r["batches"] for r in _probe(clf).records] == [3, 3]
    assert clf.n_iter_ == 4


def test_a_tiny_lr_on_a_continued_fit_leaves_the_model_nearly_unchanged(data):
    X, Y = data
    clf = MultiTaskNetClassifier(**FAST, warm_start=True).fit(X, Y)
    before = clf.predict_proba(X)
    clf.set_params(lr=1e-12, max_epochs=2).fit(X, Y)
    for a, b in zip(before, clf.predict_proba(X)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    clf.set_params(lr=0.5).fit(X, Y)
    changed = [np.abs(a - b).max() for a, b in zip(before, clf.predict_proba(X))]
    assert max(changed) > 1e-3


def test_callbacks_set_between_fits_are_used(data):
    X, Y = data
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}, warm_start=True)
    clf.fit(X, Y)
    clf.set_params(callbacks=[("probe", Probe())], max_epochs=3).fit(X, Y)
    assert len(_probe(clf).records) == 3


def test_partial_fit_uses_the_current_settings(data):
    X, Y = data
    clf = MultiTaskNetClassifier(**FAST, callbacks=[("probe", Probe())])
    clf.partial_fit(X, Y)
    clf.set_params(lr=0.001, batch_size=48).partial_fit(X, Y)
    assert _probe(clf).records[-1]["lr"] == 0.001
    assert _probe(clf).records[-1]["batches"] == 2
    assert clf.n_iter_ == 2


def test_optimizer_arguments_are_parameters_and_reach_the_optimizer(data, tmp_path):
    X, Y = data
    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 2},
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        optimizer__nesterov=True,
        callbacks=[("probe", Probe())],
    )
    params = clf.get_params()
    assert params["optimizer__momentum"] == 0.9
    assert params["optimizer__nesterov"] is True
    clf.fit(X, Y)
    record = _probe(clf).records[-1]
    assert record["optimizer"] == "SGD"
    assert (record["momentum"], record["nesterov"]) == (0.9, True)
    # Saved and loaded with the model.
    path = tmp_path / "sgd.safetensors"
    save(clf.set_params(callbacks=None), path)
    loaded = load(path)
    assert loaded.get_params()["optimizer__momentum"] == 0.9
    assert loaded.get_params()["optimizer__nesterov"] is True
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_adam_betas_and_fused_false_are_accepted(data):
    X, Y = data
    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 1},
        optimizer__betas=(0.8, 0.99),
        optimizer__fused=False,
        callbacks=[("probe", Probe())],
    ).fit(X, Y)
    assert _probe(clf).records[-1]["betas"] == (0.8, 0.99)


def test_optimizer_arguments_are_searchable_and_cloneable(data):
    from sklearn.base import clone

    clf = MultiTaskNetClassifier(optimizer=torch.optim.SGD, optimizer__momentum=0.5)
    copy = clone(clf).set_params(optimizer__momentum=0.8)
    assert copy.get_params()["optimizer__momentum"] == 0.8
    assert clf.get_params()["optimizer__momentum"] == 0.5


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"optimizer__momentun": 0.9}, TypeError, "momentun.*not an argument of SGD"),
        ({"optimizer__lr": 0.1}, ValueError, "optimizer__lr.*'lr'"),
        (
            {"optimizer__weight_decay": 0.1, "weight_decay": 0.1},
            ValueError,
            "weight_decay and optimizer__weight_decay",
        ),
    ],
)
def test_bad_optimizer_arguments_name_the_argument(data, params, error, match):
    X, Y = data
    clf = MultiTaskNetClassifier(**FAST, optimizer=torch.optim.SGD, **params)
    with pytest.raises(error, match=match):
        clf.fit(X, Y)


def test_early_stopping_switched_on_in_a_continued_fit(data):
    X, Y = data
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}, warm_start=True)
    clf.fit(X, Y)
    assert "valid_loss" not in clf.history_[-1]
    clf.set_params(early_stopping=True, max_epochs=3).fit(X, Y)
    assert "valid_loss" in clf.history_[-1]
    assert "valid_loss" not in clf.history_[0]


def test_class_weight_changed_between_fits_applies(data):
    X, Y = data

    class WeightProbe(Callback):
        def initialize(self):
            self.weights = None
            return self

        def on_train_begin(self, net, **kwargs):
            self.weights = net.criterion_.cross_entropy.class_weights

    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 1},
        warm_start=True,
        callbacks=[("weights", WeightProbe())],
    ).fit(X, Y)
    assert dict(clf.net_.callbacks_)["weights"].weights is None
    clf.set_params(class_weight="balanced").fit(X, Y)
    weights = dict(clf.net_.callbacks_)["weights"].weights
    assert weights is not None and len(weights) == 3


@pytest.mark.parametrize(
    "change",
    [
        {"hidden_layer_sizes": (8,)},
        {"head_hidden_size": 4},
        {"batch_norm": True},
        {"architecture": "mmoe"},
        {"task_weighting": "uncertainty"},
        {"trunk__fc_size": 4},
    ],
)
def test_changes_that_cannot_apply_to_a_fitted_network_are_refused(data, change):
    X, Y = data
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}, warm_start=True)
    clf.fit(X, Y)
    before = clf.predict_proba(X)
    name = next(iter(change)).split("__")[0]
    clf.set_params(**change)
    with pytest.raises(ValueError, match=f"{name}.*changed.*warm_start=False"):
        clf.fit(X, Y)
    with pytest.raises(ValueError, match=f"{name}.*changed"):
        clf.partial_fit(X, Y)
    # The fitted model is intact, and a refit without warm start applies it.
    for a, b in zip(before, clf.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    if "trunk__fc_size" not in change:
        clf.set_params(warm_start=False).fit(X, Y)
        assert clf.n_iter_ == 1


def test_task_count_cannot_change_on_a_continued_fit(data):
    X, Y = data
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}, warm_start=True)
    clf.fit(X, Y)
    with pytest.raises(ValueError, match="task"):
        clf.fit(X, Y[:, :2])


def test_early_stopping_stops_under_uncertainty_weighting(data):
    X, Y = make_problem(n_samples=300)
    clf = MultiTaskNetClassifier(
        hidden_layer_sizes=(32,),
        lr=0.05,
        task_weighting="uncertainty",
        early_stopping=True,
        n_iter_no_change=5,
        max_epochs=300,
        random_state=0,
    ).fit(X, Y)
    assert clf.n_iter_ < 300
    valid = clf.history_[:, "valid_loss"]
    assert np.all(np.array(valid) > 0)
    # The weighted objective is what went negative; it is kept apart.
    assert "train_objective" in clf.history_[-1]


@pytest.mark.parametrize("weighting", ["equal", "uncertainty", "rlw", "dwa"])
def test_valid_loss_is_the_plain_mean_of_the_task_losses(data, weighting):
    X, Y = data
    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 3}, task_weighting=weighting, early_stopping=True
    ).fit(X, Y)
    for row in clf.history_:
        tasks = [row[f"valid_loss_{name}"] for name in clf.task_names_]
        assert row["valid_loss"] == pytest.approx(np.mean(tasks), rel=1e-6)
        train = [row[f"train_loss_{name}"] for name in clf.task_names_]
        assert row["train_loss"] == pytest.approx(np.mean(train), rel=1e-6)


def test_rlw_validation_draws_no_random_weights(data):
    """The weights recorded for an epoch are the last *training* draw."""
    X, Y = data

    class LastTrainingDraw(Callback):
        def initialize(self):
            self.draws = []
            return self

        def on_batch_end(self, net, training=False, **kwargs):
            if training:
                self.last = net.criterion_.weighting.current_weights().tolist()

        def on_epoch_end(self, net, **kwargs):
            self.draws.append(self.last)

    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 3},
        task_weighting="rlw",
        early_stopping=True,
        callbacks=[("draws", LastTrainingDraw())],
    ).fit(X, Y)
    recorded = [
        [row[f"task_weight_{name}"] for name in clf.task_names_] for row in clf.history_
    ]
    draws = dict(clf.net_.callbacks_)["draws"].draws
    np.testing.assert_allclose(recorded, draws, rtol=1e-6)


def test_restore_best_also_restores_the_optimizer_state(data):
    X, Y = data
    clf = MultiTaskNetClassifier(
        **FAST, callbacks=[ExplodeAt(5)], on_divergence="restore_best"
    )
    with pytest.warns(ConvergenceWarning, match="optimizer state of epoch 4"):
        clf.fit(X, Y)
    four = MultiTaskNetClassifier(**{**FAST, "max_epochs": 4}).fit(X, Y)
    restored = clf.net_.optimizer_.state_dict()["state"]
    expected = four.net_.optimizer_.state_dict()["state"]
    assert restored.keys() == expected.keys()
    for index in expected:
        for key in ("exp_avg", "exp_avg_sq", "step"):
            torch.testing.assert_close(restored[index][key], expected[index][key])
            assert torch.isfinite(restored[index][key]).all()


def test_verbose_prints_a_narrow_table_without_reinitialisation_lines(data, capsys):
    X, _ = data
    rng = np.random.RandomState(0)
    Y4 = np.column_stack([(X[:, i] > 0).astype(int) for i in range(4)])
    Y4[rng.rand(*Y4.shape) < 0.1] = -1
    MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 2},
        verbose=1,
        early_stopping=True,
        missing_label=-1,
    ).fit(X, Y4)
    out = capsys.readouterr().out
    assert "Re-initializing" not in out
    assert "task_weight" not in out  # constant under "equal"
    lines = [line for line in out.splitlines() if line.strip()]
    assert max(len(line) for line in lines) <= 100
    header = lines[0].split()
    assert {"train_loss", "valid_loss", "train_acc", "valid_acc"} <= set(header)


def test_verbose_table_is_narrow_with_task_affinity_and_off_at_zero(data, capsys):
    X, Y = data
    MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 2},
        verbose=True,  # a bool, as MLPClassifier's
        callbacks=[TaskAffinity(every=1)],
    ).fit(X, Y)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert "train_loss" in lines[0] and "task_affinity" not in out
    assert max(len(line) for line in lines) <= 100
    MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}, verbose=False).fit(X, Y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_shows_changing_weights_for_a_few_tasks(data, capsys):
    X, Y = data
    MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 1}, verbose=1, task_weighting="uncertainty"
    ).fit(X, Y)
    out = capsys.readouterr().out
    assert "task_weight_task_0" in out
    assert "Re-initializing" not in out


def test_progress_bar_shows_losses_and_accuracies(data, capsys):
    X, Y = data
    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 1}, progress_bar=True, early_stopping=True
    ).fit(X, Y)
    batch = clf.history_[-1, "batches", -1]
    assert {"train_loss", "train_acc"} <= set(batch) or {
        "valid_loss",
        "valid_acc",
    } <= set(batch)
    train_batches = [b for b in clf.history_[-1, "batches"] if "train_loss" in b]
    assert all("train_acc" in b for b in train_batches)
    assert 0 <= train_batches[0]["train_acc"] <= 1


@pytest.fixture(scope="module")
def big():
    return make_problem(n_samples=500)


class TestEarlyStoppingAuto:
    """The default ``early_stopping="auto"``: on from 500 rows, never in partial_fit."""

    def test_on_from_500_rows_with_a_validation_split(self, big):
        X, Y = big
        clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}).fit(X, Y)
        assert clf.do_early_stopping_ is True
        assert "valid_loss" in clf.history_[-1]

    def test_off_below_500_rows_every_epoch_on_every_row(self, big):
        X, Y = big
        clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}).fit(X[:499], Y[:499])
        assert clf.do_early_stopping_ is False
        assert "valid_loss" not in clf.history_[-1]
        assert clf.n_iter_ == 2

    def test_explicit_values_override_the_size_rule(self, big):
        X, Y = big
        on = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}, early_stopping=True)
        off = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}, early_stopping=False)
        assert on.fit(X[:100], Y[:100]).do_early_stopping_ is True
        assert off.fit(X, Y).do_early_stopping_ is False

    def test_off_in_partial_fit_and_kept_by_continued_fits(self, big):
        X, Y = big
        clf = MultiTaskNetClassifier(**FAST).partial_fit(X, Y)
        assert clf.do_early_stopping_ is False
        assert "valid_loss" not in clf.history_[-1]
        # A warm fit after a small first fit keeps the first decision.
        warm = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}, warm_start=True)
        warm.fit(X[:100], Y[:100]).fit(X, Y)
        assert warm.do_early_stopping_ is False
        assert "valid_loss" not in warm.history_[-1]

    def test_saved_and_loaded(self, big, tmp_path):
        X, Y = big
        clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}).fit(X, Y)
        save(clf, tmp_path / "m.safetensors")
        loaded = load(tmp_path / "m.safetensors")
        assert loaded.do_early_stopping_ is True
        np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


#: What the documentation of ``weight_decay="auto"`` promises.
AUTO_WEIGHT_DECAY, AUTO_WEIGHT_DECAY_MAX_SAMPLES = 1.0, 500


class TestWeightDecayAuto:
    """The default ``weight_decay="auto"``: AdamW's decay below 500 rows only."""

    @staticmethod
    def _group(clf):
        return clf.net_.optimizer_.param_groups[0]

    def test_resolves_by_the_first_fits_rows_at_the_threshold(self, big):
        X, Y = big
        params = {**FAST, "max_epochs": 2}
        small = MultiTaskNetClassifier(**params).fit(X[:499], Y[:499])
        assert small.get_params()["weight_decay"] == "auto"
        assert small.weight_decay_ == AUTO_WEIGHT_DECAY > 0
        assert self._group(small)["weight_decay"] == AUTO_WEIGHT_DECAY
        assert self._group(small)["decoupled_weight_decay"] is True
        large = MultiTaskNetClassifier(**params).fit(X, Y)
        assert large.weight_decay_ == 0.0 == self._group(large)["weight_decay"]
        assert self._group(large)["decoupled_weight_decay"] is False
        assert len(X) == AUTO_WEIGHT_DECAY_MAX_SAMPLES  # 499 and 500 rows straddle it

    def test_adam_trains_as_adamw_below_the_threshold(self, big):
        X, Y = big[0][:100], big[1][:100]
        auto = MultiTaskNetClassifier(**FAST).fit(X, Y)
        adamw = MultiTaskNetClassifier(
            **FAST, optimizer=torch.optim.AdamW, weight_decay=AUTO_WEIGHT_DECAY
        ).fit(X, Y)
        np.testing.assert_array_equal(
            auto.predict_proba(X)[0], adamw.predict_proba(X)[0]
        )
        assert (
            MultiTaskNetClassifier(**FAST, optimizer=torch.optim.AdamW)
            .fit(X, Y)
            .weight_decay_
            == AUTO_WEIGHT_DECAY
        )

    @pytest.mark.parametrize(
        "params",
        [
            {"weight_decay": 0.5},
            {"optimizer": torch.optim.SGD},
            {"optimizer__weight_decay": 0.1},
            {"optimizer__decoupled_weight_decay": True},
        ],
    )
    def test_explicit_settings_turn_the_rule_off(self, big, params):
        X, Y = big
        clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}, **params)
        expected = params.get("weight_decay", params.get("optimizer__weight_decay", 0))
        assert clf.fit(X[:50], Y[:50]).weight_decay_ == params.get("weight_decay", 0)
        assert self._group(clf)["weight_decay"] == expected

    def test_off_in_partial_fit_and_kept_by_continued_fits(self, big):
        X, Y = big
        assert (
            MultiTaskNetClassifier(**FAST).partial_fit(X[:50], Y[:50]).weight_decay_
            == 0
        )
        warm = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}, warm_start=True)
        warm.fit(X[:100], Y[:100]).fit(X, Y)
        assert (
            warm.weight_decay_ == AUTO_WEIGHT_DECAY == self._group(warm)["weight_decay"]
        )

    def test_saved_and_loaded(self, big, tmp_path):
        X, Y = big
        clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}).fit(X[:100], Y[:100])
        save(clf, tmp_path / "m.safetensors")
        loaded = load(tmp_path / "m.safetensors")
        assert loaded.get_params()["weight_decay"] == "auto"
        assert loaded.weight_decay_ == AUTO_WEIGHT_DECAY
        assert self._group(loaded)["decoupled_weight_decay"] is True
        np.testing.assert_array_equal(
            loaded.predict_proba(X)[0], clf.predict_proba(X)[0]
        )

    def test_fits_from_500_rows_train_as_without_the_rule(self, big):
        X, Y = big
        params = {**FAST, "max_epochs": 3}
        auto = MultiTaskNetClassifier(**params).fit(X, Y)
        none = MultiTaskNetClassifier(**params, weight_decay=0.0).fit(X, Y)
        for a, b in zip(auto.predict_proba(X), none.predict_proba(X)):
            np.testing.assert_array_equal(a, b)
        # Below the threshold the rule changes the fit.
        auto = MultiTaskNetClassifier(**params).fit(X[:200], Y[:200])
        none = MultiTaskNetClassifier(**params, weight_decay=0.0).fit(X[:200], Y[:200])
        assert not np.array_equal(auto.predict_proba(X)[0], none.predict_proba(X)[0])
