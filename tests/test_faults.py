"""Faults during training: divergence, interruption, checkpoint and resume."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from skorch.callbacks import Callback

from sklmtl import MultiTaskNetClassifier
from sklmtl.exceptions import TrainingDivergedError

from .conftest import FAST, ExplodeAt, make_problem


class _InterruptAt(Callback):
    def __init__(self, epoch, where="begin"):
        self.epoch = epoch
        self.where = where

    def on_epoch_begin(self, net, **kwargs):
        if self.where == "begin" and len(net.history) == self.epoch:
            raise KeyboardInterrupt

    def on_batch_end(self, net, training=False, **kwargs):
        if self.where == "batch" and len(net.history) == self.epoch and training:
            raise KeyboardInterrupt


def test_absurd_learning_rate_names_epoch_and_task():
    X, Y = make_problem(n_samples=200)
    clf = MultiTaskNetClassifier(
        hidden_layer_sizes=(16,),
        optimizer=torch.optim.SGD,
        lr=1e8,
        max_epochs=20,
        random_state=0,
    )
    with pytest.raises(TrainingDivergedError, match=r"epoch \d+.*task") as info:
        clf.fit(X, Y)
    assert info.value.epoch >= 1
    assert set(info.value.tasks) <= {"task_0", "task_1", "task_2"}
    assert info.value.tasks
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_divergence_error_names_the_task_that_diverged():
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**FAST, callbacks=[ExplodeAt(3)])
    with pytest.raises(TrainingDivergedError, match="epoch 3") as info:
        clf.fit(X, Y)
    assert info.value.epoch == 3
    assert isinstance(info.value, ValueError)


def test_restore_best_keeps_the_best_finite_epoch():
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(
        **FAST, callbacks=[ExplodeAt(5)], on_divergence="restore_best"
    )
    with pytest.warns(ConvergenceWarning, match="epoch 5.*Restored the weights"):
        clf.fit(X, Y)
    proba = clf.predict_proba(X)
    assert all(np.isfinite(p).all() for p in proba)
    weights = [p.detach() for p in clf.net_.module_.parameters()]
    assert all(torch.isfinite(w).all() for w in weights)
    assert clf.n_iter_ == 4
    # The training loss fell every epoch, so the best epoch is the 4th.
    assert dict(clf.net_.callbacks_)["best_weights"].epoch == 4
    four = MultiTaskNetClassifier(**{**FAST, "max_epochs": 4}).fit(X, Y)
    for a, b in zip(proba, four.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_restore_best_without_a_finished_epoch_still_raises():
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(
        **FAST, callbacks=[ExplodeAt(1)], on_divergence="restore_best"
    )
    with pytest.raises(TrainingDivergedError, match="epoch 1"):
        clf.fit(X, Y)


def test_diverging_continued_fit_restores_the_starting_weights():
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
    before = clf.predict_proba(X)
    clf.set_params(warm_start=True, callbacks=[ExplodeAt(16)])
    with pytest.raises(TrainingDivergedError):
        clf.fit(X, Y)
    after = clf.predict_proba(X)
    for a, b in zip(before, after):
        np.testing.assert_allclose(a, b)


INTERRUPTED = r"interrupted \(KeyboardInterrupt\) in epoch {}; .* weights of epoch {}"


def test_keyboard_interrupt_between_epochs_keeps_the_last_finished_epoch():
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 10}, callbacks=[_InterruptAt(4)]
    )
    with pytest.warns(UserWarning, match=INTERRUPTED.format(4, 3)):
        interrupted = clf.fit(X, Y)
    three = MultiTaskNetClassifier(**{**FAST, "max_epochs": 3}).fit(X, Y)
    assert interrupted.n_iter_ == 3
    assert len(interrupted.history_) == 3
    for a, b in zip(interrupted.predict_proba(X), three.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_keyboard_interrupt_mid_epoch_keeps_the_weights_of_the_last_finished_epoch():
    """On main the estimator kept the half-trained weights of epoch 2."""
    X, Y = make_problem()
    params = {**FAST, "batch_size": 16, "dtype": "float64"}
    clf = MultiTaskNetClassifier(**params, callbacks=[_InterruptAt(2, "batch")])
    with pytest.warns(UserWarning, match=INTERRUPTED.format(2, 1)):
        clf.fit(X, Y)
    one = MultiTaskNetClassifier(**{**params, "max_epochs": 1}).fit(X, Y)
    assert clf.n_iter_ == 1
    assert len(clf.history_) == 1
    for a, b in zip(clf.predict_proba(X), one.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    # A continued fit goes on as if the interrupted epoch had never started.
    straight = MultiTaskNetClassifier(**{**params, "max_epochs": 4}).fit(X, Y)
    clf.set_params(warm_start=True, max_epochs=3, callbacks=None).fit(X, Y)
    for a, b in zip(clf.predict_proba(X), straight.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


def test_keyboard_interrupt_in_the_first_epoch_leaves_the_estimator_unfitted():
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(
        **{**FAST, "batch_size": 16}, callbacks=[_InterruptAt(1, "batch")]
    )
    with pytest.raises(KeyboardInterrupt, match="no epoch finished"):
        clf.fit(X, Y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


@pytest.mark.parametrize("weighting", ["equal", "uncertainty"])
def test_n_then_m_epochs_match_n_plus_m_in_one_go(weighting):
    X, Y = make_problem()
    params = {**FAST, "dropout": 0.1, "task_weighting": weighting}
    one_go = MultiTaskNetClassifier(**{**params, "max_epochs": 7}).fit(X, Y)
    split = MultiTaskNetClassifier(**{**params, "max_epochs": 4}).fit(X, Y)
    split.set_params(warm_start=True, max_epochs=3)
    split.fit(X, Y)
    assert split.n_iter_ == 7
    for a, b in zip(one_go.predict_proba(X), split.predict_proba(X)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_a_fitted_estimator_keeps_no_copy_of_an_epoch_start():
    """The rollback copy lives only while training. Measured: the pickle is
    4.1 times the weights' size, 5.1 times while the fitted net kept the copy
    of the last epoch's start (weights and Adam's moments)."""
    X, Y = make_problem(n_samples=40)
    clf = MultiTaskNetClassifier(
        **{**FAST, "hidden_layer_sizes": (256, 256), "max_epochs": 1}
    ).fit(X, Y)
    weights = sum(p.numel() * p.element_size() for p in clf.net_.module_.parameters())
    assert len(pickle.dumps(clf)) < 4.6 * weights


class _NaNAtStep(torch.nn.Module):
    """A trunk whose ``step``-th training forward pass (1-based) gives NaN."""

    def __init__(self, n_features=6, step=1):
        super().__init__()
        self.layer = torch.nn.Linear(n_features, 8)
        self.step = step
        self.calls = 0

    def forward(self, X):
        out = torch.relu(self.layer(X))
        if self.training and torch.is_grad_enabled():
            self.calls += 1
            if self.calls == self.step:
                out = out * float("nan")
        return out


class _PassiveBatchHook(Callback):
    """Hooks every batch and changes nothing: forces skorch's own loop."""

    def on_batch_end(self, net, **kwargs):
        pass


# 120 rows in batches of 32: 4 training batches per epoch; the 10th step is
# epoch 3's second batch.
NAN_AT = dict(FAST, trunk=_NaNAtStep, trunk__step=10, batch_size=32)


@pytest.mark.parametrize("hooked", [False, True], ids=["lean", "skorch-loop"])
def test_a_nan_at_one_batch_raises_naming_its_epoch_and_batch(hooked):
    X, Y = make_problem()
    callbacks = [_PassiveBatchHook()] if hooked else None
    clf = MultiTaskNetClassifier(**NAN_AT, callbacks=callbacks)
    with pytest.raises(TrainingDivergedError, match=r"epoch 3 \(training batch 2\)"):
        clf.fit(X, Y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_restore_best_after_a_nan_at_one_batch_is_the_same_in_both_loops():
    """Training stops at the bad batch in both loops: the weights of epoch 2
    come back, and a continued fit draws the same batches afterwards."""
    X, Y = make_problem()
    fits = []
    for callbacks in (None, [_PassiveBatchHook()]):
        clf = MultiTaskNetClassifier(
            **NAN_AT, callbacks=callbacks, on_divergence="restore_best"
        )
        with pytest.warns(ConvergenceWarning, match=r"epoch 3 \(training batch 2\)"):
            clf.fit(X, Y)
        assert clf.n_iter_ == 2
        proba = clf.predict_proba(X)
        clf.set_params(warm_start=True, max_epochs=2).fit(X, Y)
        fits.append((proba, clf.predict_proba(X)))
    two = MultiTaskNetClassifier(**{**NAN_AT, "max_epochs": 2}).fit(X, Y)
    (lean, lean_more), (hooked, hooked_more) = fits
    for a, b, c in zip(lean, hooked, two.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    for a, b in zip(lean_more, hooked_more):
        np.testing.assert_array_equal(a, b)


def test_the_epoch_start_copy_reuses_its_tensors_and_equals_a_fresh_copy():
    from sklmtl._state import training_state

    X, Y = make_problem(n_samples=40)
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}).fit(X, Y)
    first = training_state(clf.net_)
    with torch.no_grad():
        for param in clf.net_.module_.parameters():
            param.add_(1.0)
    clf.net_.optimizer_.param_groups[0]["lr"] = 0.5
    fresh = training_state(clf.net_)
    reused = training_state(clf.net_, into=first)
    assert reused["module"].keys() == fresh["module"].keys()
    for name, tensor in fresh["module"].items():
        assert torch.equal(reused["module"][name], tensor)
        # Written into the earlier copy's tensor, which the module does not share.
        assert reused["module"][name] is first["module"][name]
        assert reused["module"][name].data_ptr() != (
            clf.net_.module_.state_dict()[name].data_ptr()
        )
    assert reused["optimizer"]["param_groups"][0]["lr"] == 0.5
    for index, moments in fresh["optimizer"]["state"].items():
        for key, value in moments.items():
            assert torch.equal(reused["optimizer"]["state"][index][key], value)


def test_keyboard_interrupt_mid_epoch_after_several_epochs_rolls_back_exactly():
    """The rollback copy is rewritten every epoch (weights and Adam moments)."""
    X, Y = make_problem()
    params = {**FAST, "batch_size": 16, "dtype": "float64"}
    clf = MultiTaskNetClassifier(**params, callbacks=[_InterruptAt(4, "batch")])
    with pytest.warns(UserWarning, match=INTERRUPTED.format(4, 3)):
        clf.fit(X, Y)
    three = MultiTaskNetClassifier(**{**params, "max_epochs": 3}).fit(X, Y)
    for a, b in zip(clf.predict_proba(X), three.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    straight = MultiTaskNetClassifier(**{**params, "max_epochs": 5}).fit(X, Y)
    clf.set_params(warm_start=True, max_epochs=2, callbacks=None).fit(X, Y)
    for a, b in zip(clf.predict_proba(X), straight.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
