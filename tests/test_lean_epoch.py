"""The lean epoch: without per-batch hooks, training skips skorch's per-batch work.

With no callback hooking a batch, the net runs its steps without notifying
every callback before and after each batch and writes the batch rows of
``history`` once per epoch. It must train and record exactly what skorch's
own loop does, which still runs whenever a callback hooks a batch.
"""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl._net import MultiTaskNeuralNet
from sklmtl.exceptions import TrainingDivergedError

FAST = dict(hidden_layer_sizes=(8,), batch_size=16, max_epochs=3, random_state=0)


class PassiveBatchHook(Callback):
    """Hooks every batch and changes nothing: forces skorch's own loop."""

    def on_batch_end(self, net, **kwargs):
        pass


def _data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    Y = np.column_stack([(X[:, 0] > 0).astype(int), rng.randint(0, 3, n)])
    return X, Y


def _rows(clf):
    return [{k: v for k, v in row.items() if k != "dur"} for row in clf.net_.history]


@pytest.mark.parametrize(
    "estimator, params",
    [
        (MultiTaskNetClassifier, {"early_stopping": True, "validation_fraction": 0.3}),
        (MultiTaskNetClassifier, {"sample_weight": True}),
        (MultiTaskNetRegressor, {}),
        (MultiTaskNetClassifier, {"lr_schedule": "cosine", "warmup_epochs": 1}),
        (MultiTaskNetClassifier, {"lr_schedule": "onecycle", "precision": "fp16"}),
        (MultiTaskNetClassifier, {"precision": "bf16", "freeze_trunk_epochs": 1}),
    ],
    ids=[
        "classifier-valid",
        "sample-weight",
        "regressor",
        "cosine-warmup",
        "onecycle-fp16",
        "bf16-frozen-trunk",
    ],
)
def test_history_and_predictions_match_skorchs_loop(estimator, params):
    X, Y = _data()
    params = dict(params)
    fit_params = {}
    if params.pop("sample_weight", False):
        fit_params["sample_weight"] = np.linspace(0.5, 2.0, len(X))
    if estimator is MultiTaskNetRegressor:
        Y = Y.astype(float)
    lean = estimator(**FAST, **params).fit(X, Y, **fit_params)
    hooked = estimator(**FAST, **params, callbacks=[PassiveBatchHook()])
    hooked.fit(X, Y, **fit_params)
    assert _rows(lean) == _rows(hooked)
    np.testing.assert_array_equal(lean.predict(X), hooked.predict(X))


@pytest.mark.parametrize(
    "params", [{}, {"lr_schedule": "linear", "warmup_epochs": 1}], ids=["plain", "lr"]
)
def test_per_batch_hooks_are_not_notified_without_a_batch_callback(monkeypatch, params):
    """The estimator's own per-batch work (the scores, the LR schedule) does
    not need skorch's loop: only a user's batch callback does."""
    seen = []
    notify = MultiTaskNeuralNet.notify

    def counting_notify(self, method_name, **kwargs):
        seen.append(method_name)
        return notify(self, method_name, **kwargs)

    monkeypatch.setattr(MultiTaskNeuralNet, "notify", counting_notify)
    X, Y = _data()
    clf = MultiTaskNetClassifier(**FAST, **params).fit(X, Y)
    assert "on_epoch_end" in seen
    assert not {"on_batch_begin", "on_batch_end", "on_grad_computed"} & set(seen)
    seen.clear()
    MultiTaskNetClassifier(**FAST, **params, callbacks=[PassiveBatchHook()]).fit(X, Y)
    assert seen.count("on_batch_end") == 3 * 4  # 3 epochs of 60 rows / 16
    if params:
        # The schedule stepped after every training batch all the same.
        assert dict(clf.net_.callbacks_)["lr_schedule"].state_dict()["step"] == 11


def test_divergence_names_the_same_batch_in_both_loops():
    X, Y = _data(200)
    params = dict(FAST, optimizer=torch.optim.SGD, lr=1e8, max_epochs=20)
    messages = []
    for callbacks in (None, [PassiveBatchHook()]):
        clf = MultiTaskNetClassifier(**params, callbacks=callbacks)
        with pytest.raises(TrainingDivergedError, match="training batch") as info:
            clf.fit(X, Y)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("binary", [False, True], ids=["ten-class", "binary-labels"])
@pytest.mark.parametrize("missing", [False, True], ids=["complete", "missing"])
def test_unmasked_loss_trains_exactly_as_the_masked_one(binary, missing):
    """Without a missing cell the lean epoch skips the loss's mask (decided once
    per fit): the history and predictions equal skorch's loop, which keeps it."""
    rng = np.random.RandomState(1)
    X = rng.normal(size=(50, 4)).astype(np.float32)
    if binary:
        Y = (X[:, :3] + rng.normal(size=(50, 3)) > 0).astype(float)
    else:
        Y = np.column_stack([rng.randint(0, 10, 50), rng.randint(0, 4, 50)]).astype(
            float
        )
    if missing:
        Y[::7, 0] = np.nan
    params = dict(FAST, early_stopping=True, validation_fraction=0.3)
    lean = MultiTaskNetClassifier(**params).fit(X, Y)
    hooked = MultiTaskNetClassifier(**params, callbacks=[PassiveBatchHook()])
    hooked.fit(X, Y)
    assert _rows(lean) == _rows(hooked)
    for a, b in zip(lean.predict_proba(X), hooked.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    # The switch holds only while the lean epoch runs.
    assert not lean.net_.criterion_.cross_entropy.complete_codes


@pytest.mark.parametrize("binary", [False, True])
def test_unmasked_loss_gives_the_masked_values_and_gradients(binary):
    from sklmtl.nn import MaskedMultiTaskCrossEntropy

    torch.manual_seed(0)
    sizes = [1, 1, 1] if binary else [3, 5, 2]
    logits = [torch.randn(9, k, dtype=torch.float64, requires_grad=True) for k in sizes]
    codes = torch.stack([torch.randint(0, max(k, 2), (9,)) for k in sizes], dim=1)
    results = []
    for complete in (False, True):
        loss = MaskedMultiTaskCrossEntropy(binary=binary)
        loss.complete_codes = complete
        losses, counts = loss.masked(logits, codes)
        grads = torch.autograd.grad(losses.sum(), logits)
        results.append((losses, counts, grads))
    (l0, c0, g0), (l1, c1, g1) = results
    assert torch.equal(l0, l1) and torch.equal(c0, c1)
    assert all(torch.equal(a, b) for a, b in zip(g0, g1))


def test_array_batches_tell_whether_codes_are_complete():
    from skorch.dataset import Dataset

    from sklmtl._batches import ArrayBatches

    X = np.zeros((4, 2), dtype=np.float32)
    complete = torch.tensor([[0, 1], [1, 0], [2, 1], [0, 0]])
    assert ArrayBatches(Dataset(X, complete)).complete_codes
    assert not ArrayBatches(Dataset(X, complete.clone().fill_(-1))).complete_codes
    # Packed sample weights (float64) or a DataLoader's batches: kept masked.
    assert not ArrayBatches(Dataset(X, complete.double())).complete_codes
    assert not ArrayBatches(Dataset(X, complete), num_workers=0).complete_codes
