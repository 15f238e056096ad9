"""Crash-safe training: checkpoints, a killed process, and resuming."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback, LRScheduler

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.io import TrainingCheckpoint, load, resume, save

from .conftest import make_problem

ROOT = Path(__file__).resolve().parents[1]
# Stops on its training-loss plateau in epoch 8 (the plateau's count must
# survive the crash), with dropout and DWA drawing on the RNG stream and the
# loss history.
PARAMS = dict(
    hidden_layer_sizes=(8,),
    max_epochs=12,
    lr=0.02,
    batch_size=16,
    dropout=0.1,
    tol=0.05,
    n_iter_no_change=3,
    random_state=0,
    dtype="float64",
)


class _CrashIn(Callback):
    """Raise in the middle of an epoch (a crash the test process survives)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            raise RuntimeError("simulated crash")


def _assert_same_proba(a, b, X):
    for p, q in zip(a.predict_proba(X), b.predict_proba(X)):
        np.testing.assert_array_equal(p, q)


@pytest.fixture(scope="module")
def data():
    return make_problem(n_samples=80)


def _step_lr():
    policy = torch.optim.lr_scheduler.StepLR
    return [("lr", LRScheduler(policy=policy, step_size=2, gamma=0.5))]


@pytest.mark.parametrize(
    "extra, schedule",
    [
        ({}, False),
        ({"task_weighting": "dwa"}, False),
        ({"task_weighting": "uncertainty"}, False),
        ({"task_weighting": "gradnorm"}, False),
        ({"task_weighting": "rlw", "tol": None}, True),
        ({"early_stopping": True, "tol": None, "on_divergence": "restore_best"}, False),
    ],
    ids=["plateau", "dwa", "uncertainty", "gradnorm", "rlw-steplr", "early-stopping"],
)
def test_resuming_after_a_crash_equals_the_uninterrupted_fit(
    data, tmp_path, extra, schedule
):
    X, Y = data
    params = {**PARAMS, **extra}
    extra_callbacks = _step_lr if schedule else list
    straight = MultiTaskNetClassifier(
        **params, callbacks=extra_callbacks() or None
    ).fit(X, Y)
    path = tmp_path / "run.safetensors"
    crashing = MultiTaskNetClassifier(
        **params,
        callbacks=[*extra_callbacks(), TrainingCheckpoint(path), _CrashIn(6)],
    )
    with pytest.raises(RuntimeError, match="simulated crash"):
        crashing.fit(X, Y)
    assert load(path).n_iter_ == 5
    resumed = resume(
        path, X, Y, callbacks=[*extra_callbacks(), TrainingCheckpoint(path)]
    )
    assert resumed.n_iter_ == straight.n_iter_
    _assert_same_proba(straight, resumed, X)
    # The resumed fit kept writing checkpoints, and its last one has ended.
    assert load(path).n_iter_ == straight.n_iter_
    assert resume(path, X, Y).n_iter_ == straight.n_iter_


def test_the_stopping_rule_counts_survive_the_crash(data, tmp_path):
    """The plateau rule stops the straight fit in epoch 8, counting misses
    from epoch 6 on: a resume from epoch 6 that restarted the count would
    train on."""
    X, Y = data
    straight = MultiTaskNetClassifier(**PARAMS).fit(X, Y)
    assert straight.n_iter_ == 8
    path = tmp_path / "run.safetensors"
    with pytest.raises(RuntimeError):
        MultiTaskNetClassifier(
            **PARAMS, callbacks=[TrainingCheckpoint(path), _CrashIn(7)]
        ).fit(X, Y)
    resumed = resume(path, X, Y)
    assert resumed.n_iter_ == 8
    _assert_same_proba(straight, resumed, X)


def test_float32_resumes_to_the_same_predictions_bit_for_bit(data, tmp_path):
    X, Y = data
    params = {**PARAMS, "dtype": "float32"}
    straight = MultiTaskNetClassifier(**params).fit(X, Y)
    path = tmp_path / "run.safetensors"
    with pytest.raises(RuntimeError):
        MultiTaskNetClassifier(
            **params, callbacks=[TrainingCheckpoint(path, every=2), _CrashIn(6)]
        ).fit(X, Y)
    assert load(path).n_iter_ == 4
    _assert_same_proba(straight, resume(path, X, Y), X)


def test_a_regressor_resumes(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 4))
    Y = X[:, :2] @ rng.normal(size=(2, 2)) + 3.0
    params = {**PARAMS, "tol": None, "max_epochs": 6}
    straight = MultiTaskNetRegressor(**params).fit(X, Y)
    path = tmp_path / "run.safetensors"
    with pytest.raises(RuntimeError):
        MultiTaskNetRegressor(
            **params, callbacks=[TrainingCheckpoint(path), _CrashIn(4)]
        ).fit(X, Y)
    np.testing.assert_array_equal(resume(path, X, Y).predict(X), straight.predict(X))


_TRAIN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from skorch.callbacks import Callback
    from sklmtl import MultiTaskNetClassifier
    from sklmtl.io import TrainingCheckpoint
    from tests.conftest import make_problem
    from tests.test_resume import PARAMS

    path, marker = Path(sys.argv[1]), Path(sys.argv[2])

    class HangIn(Callback):
        # Mid-epoch 7: say so, then wait to be killed.
        def on_batch_end(self, net, training=False, **kwargs):
            batches = len(net.history[-1]["batches"])
            if training and len(net.history) == 7 and batches == 2:
                marker.write_text("in epoch 7")
                time.sleep(600)

    X, Y = make_problem(n_samples=80)
    MultiTaskNetClassifier(
        **PARAMS, callbacks=[TrainingCheckpoint(path), HangIn()]
    ).fit(X, Y)
    """
)


def test_a_killed_training_process_resumes_to_the_uninterrupted_fit(data, tmp_path):
    X, Y = data
    script = tmp_path / "train.py"
    script.write_text(_TRAIN)
    path, marker = tmp_path / "run.safetensors", tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, str(script), str(path), str(marker)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the training process never got there"
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    # Killed mid-epoch 7: the checkpoint of epoch 6 is on disk, nothing else.
    assert load(path).n_iter_ == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "marker",
        "run.safetensors",
        "train.py",
    ]
    resumed = resume(path, X, Y, callbacks=[TrainingCheckpoint(path)])
    straight = MultiTaskNetClassifier(**PARAMS).fit(X, Y)
    assert resumed.n_iter_ == straight.n_iter_ == 8
    _assert_same_proba(straight, resumed, X)


def test_a_saved_model_is_not_a_checkpoint(data, tmp_path):
    X, Y = data
    clf = MultiTaskNetClassifier(**{**PARAMS, "max_epochs": 1}).fit(X, Y)
    save(clf, tmp_path / "m.safetensors")
    with pytest.raises(ValueError, match="not a training checkpoint"):
        resume(tmp_path / "m.safetensors", X, Y)


def test_checkpoint_arguments_are_checked(data, tmp_path):
    X, Y = data
    with pytest.raises(ValueError, match="every must be an integer"):
        MultiTaskNetClassifier(
            **PARAMS, callbacks=[TrainingCheckpoint(tmp_path / "c", every=0)]
        ).fit(X, Y)


def test_a_damaged_checkpoint_is_refused(data, tmp_path):
    X, Y = data
    path = tmp_path / "run.safetensors"
    MultiTaskNetClassifier(
        **{**PARAMS, "max_epochs": 2}, callbacks=[TrainingCheckpoint(path)]
    ).fit(X, Y)
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="is damaged"):
        resume(path, X, Y)


def test_a_checkpoint_that_cannot_be_written_stops_training_and_keeps_the_last(
    data, tmp_path, monkeypatch
):
    """A full disk while writing the checkpoint of epoch 3: the error reaches
    the caller and the checkpoint of epoch 2 is intact."""
    X, Y = data
    path = tmp_path / "run.safetensors"
    real = __import__("safetensors.torch", fromlist=["save_file"]).save_file
    written = []

    def fill_the_disk(tensors, filename, metadata=None):
        if len(written) == 2:
            Path(filename).write_bytes(b"half")
            raise OSError(28, "No space left on device")
        written.append(filename)
        real(tensors, filename, metadata=metadata)

    monkeypatch.setattr("sklmtl.io._checkpoint.save_file", fill_the_disk)
    with pytest.raises(OSError, match="No space left"):
        MultiTaskNetClassifier(**PARAMS, callbacks=[TrainingCheckpoint(path)]).fit(X, Y)
    assert load(path).n_iter_ == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run.safetensors"]


class _InterruptIn(Callback):
    """Ctrl-C after the second training batch of an epoch."""

    def __init__(self, epoch):
        self.epoch = epoch
        self.batches = 0

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            self.batches += 1
            if self.batches == 2:
                raise KeyboardInterrupt


SCHEDULED = dict(
    hidden_layer_sizes=(8,), max_epochs=5, lr=0.02, batch_size=16, random_state=0
)


@pytest.mark.parametrize(
    "extra",
    [
        {"lr_schedule": "cosine", "warmup_epochs": 1},
        {"lr_schedule": "onecycle"},
        {
            "lr_schedule": "linear",
            "optimizer__param_groups": [("trunk.*", {"lr": 0.005})],
        },
    ],
    ids=["cosine-warmup", "onecycle", "linear-param-groups"],
)
def test_a_scheduled_fit_resumes_to_the_uninterrupted_fit(data, tmp_path, extra):
    """The saved learning rate is already scheduled: resuming must rebuild the
    schedule from the base rate, not schedule the saved rate again."""
    X, Y = data
    params = {**SCHEDULED, "tol": None, **extra}
    straight = MultiTaskNetClassifier(**params).fit(X, Y)
    path = tmp_path / "run.safetensors"
    with pytest.raises(RuntimeError, match="simulated crash"):
        MultiTaskNetClassifier(
            **params, callbacks=[TrainingCheckpoint(path), _CrashIn(3)]
        ).fit(X, Y)
    resumed = resume(path, X, Y)
    assert [row["train_loss"] for row in resumed.history_] == [
        row["train_loss"] for row in straight.history_
    ]
    _assert_same_proba(straight, resumed, X)


def test_ctrl_c_rolls_the_schedule_back_with_the_epoch(data, tmp_path):
    """The interrupted epoch's scheduler steps are undone with its weights:
    the schedule stands at the end of the last finished epoch, and resuming
    the checkpoint written at Ctrl-C gives the uninterrupted fit."""
    X, Y = data
    params = {**SCHEDULED, "tol": None, "lr_schedule": "cosine", "warmup_epochs": 1}
    straight = MultiTaskNetClassifier(**params).fit(X, Y)
    path = tmp_path / "run.safetensors"
    interrupted = MultiTaskNetClassifier(
        **params, callbacks=[TrainingCheckpoint(path), _InterruptIn(3)]
    )
    with pytest.warns(UserWarning, match="keeps the weights of epoch 2"):
        interrupted.fit(X, Y)
    per_epoch = -(-len(X) // params["batch_size"])
    schedule = dict(interrupted.net_.callbacks_)["lr_schedule"]
    assert schedule.state_dict()["step"] == 2 * per_epoch
    resumed = resume(path, X, Y)
    assert resumed.n_iter_ == straight.n_iter_
    _assert_same_proba(straight, resumed, X)


def test_resume_needs_the_data_settings_the_fit_had(data, tmp_path):
    """Files hold no validation data: resume() must be given them again, or
    None on purpose, rather than silently train without them."""
    X, Y = data
    params = {**SCHEDULED, "tol": None, "validation_data": (X[:20], Y[:20])}
    straight = MultiTaskNetClassifier(**params).fit(X, Y)
    path = tmp_path / "run.safetensors"
    with pytest.raises(RuntimeError, match="simulated crash"):
        MultiTaskNetClassifier(
            **params, callbacks=[TrainingCheckpoint(path), _CrashIn(3)]
        ).fit(X, Y)
    with pytest.raises(TypeError, match=r"\['validation_data'\].*validation_data="):
        resume(path, X, Y)
    resumed = resume(path, X, Y, validation_data=params["validation_data"])
    assert [row["valid_loss"] for row in resumed.history_] == [
        row["valid_loss"] for row in straight.history_
    ]
    _assert_same_proba(straight, resumed, X)
    # None on purpose: trains on without them.
    assert resume(path, X, Y, validation_data=None).n_iter_ == straight.n_iter_
