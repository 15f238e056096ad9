"""The fault matrix: one test per fault a user's run can meet.

Rows elsewhere: damaged files of each kind (a seeded fuzz of 40 copies),
a full disk and an unwritable folder during ``save``
(``tests/test_io_integrity.py``; 300 copies in
``benchmarks/file_integrity.py``); NaN/inf mid-training and
``KeyboardInterrupt`` (``tests/test_faults.py``); a killed training process
and a full disk while checkpointing (``tests/test_resume.py``). Here: a
failed ONNX export, NaN/inf under each divergence policy, a worker killed
inside a joblib (loky) and a Dask search, and concurrent ``predict_proba``
while another thread calls ``set_params``.
"""

import os
import threading

import numpy as np
import pytest
import torch
from joblib import parallel_backend
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from skorch.callbacks import Callback

from sklmtl import MultiTaskNetClassifier
from sklmtl.exceptions import TrainingDivergedError
from sklmtl.io import to_onnx

from .conftest import FAST, make_problem


@pytest.fixture(scope="module")
def fitted():
    X, Y = make_problem(n_samples=60)
    return MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}).fit(X, Y), X


# ------------------------------------------------------------------ ONNX
def test_a_failed_onnx_export_leaves_the_previous_file_intact(
    fitted, tmp_path, monkeypatch
):
    pytest.importorskip("onnxscript")
    clf, _ = fitted
    path = tmp_path / "model.onnx"
    path.write_bytes(b"the previous export")

    def fill_the_disk(model, destination, *args, **kwargs):
        with open(destination, "wb") as handle:
            handle.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("onnx.save", fill_the_disk)
    with pytest.raises(OSError, match="No space left"):
        to_onnx(clf, path)
    assert path.read_bytes() == b"the previous export"
    assert os.listdir(tmp_path) == ["model.onnx"]


def test_onnx_export_replaces_a_file_and_refuses_a_missing_folder(fitted, tmp_path):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")
    clf, _ = fitted
    path = tmp_path / "model.onnx"
    path.write_bytes(b"the previous export")
    to_onnx(clf, path)
    assert "sklmtl.tasks" in {p.key for p in onnx.load(path).metadata_props}
    assert os.listdir(tmp_path) == ["model.onnx"]
    with pytest.raises(FileNotFoundError, match="Cannot export to .*no such folder"):
        to_onnx(clf, tmp_path / "no such folder" / "model.onnx")


# ------------------------------------------------------ NaN/inf in training
class _PoisonInput(Callback):
    """Make one batch of epoch ``epoch`` carry NaN or inf (bad data arriving)."""

    def __init__(self, epoch, value):
        self.epoch = epoch
        self.value = value

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training and len(net.history) == self.epoch:
            batch[0][0, 0] = self.value


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_or_inf_mid_training_raises_naming_the_policy(value):
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**FAST, callbacks=[_PoisonInput(3, value)])
    with pytest.raises(
        TrainingDivergedError, match=r"epoch 3 .*on_divergence='restore_best'"
    ):
        clf.fit(X, Y)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_or_inf_mid_training_under_restore_best_keeps_a_finite_model(value):
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(
        **FAST, callbacks=[_PoisonInput(3, value)], on_divergence="restore_best"
    )
    with pytest.warns(ConvergenceWarning, match="epoch 3.*Restored .* epoch 2"):
        clf.fit(X, Y)
    assert all(np.isfinite(p).all() for p in clf.predict_proba(X))


# --------------------------------------------------------- killed workers
class _ExitWhen(Callback):
    """End the worker process (as an OOM killer would) when ``lr`` is 0.03."""

    def on_train_begin(self, net, **kwargs):
        if net.lr == 0.03:
            os._exit(3)


def _search():
    return GridSearchCV(
        MultiTaskNetClassifier(
            hidden_layer_sizes=(4,),
            max_epochs=1,
            random_state=0,
            n_threads=1,
            callbacks=[_ExitWhen()],
        ),
        {"lr": [0.003, 0.03]},
        cv=KFold(2),
        n_jobs=2,
        error_score="raise",
    )


def test_a_worker_killed_inside_a_joblib_search_fails_the_search_with_the_cause():
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    X, Y = make_problem(n_samples=40)
    with (
        parallel_backend("loky", n_jobs=2),
        pytest.raises(TerminatedWorkerError, match="exit code 3|EXIT\\(3\\)|exit"),
    ):
        _search().fit(X, Y)


class _ExitOnce(Callback):
    """End the worker process the first time a fit with ``lr`` 0.03 starts
    (a transient loss: a preempted machine, an OOM kill)."""

    def __init__(self, marker):
        self.marker = marker

    def on_train_begin(self, net, **kwargs):
        if net.lr == 0.03 and not os.path.exists(self.marker):
            with open(self.marker, "w") as handle:
                handle.write("killed")
            os._exit(3)


def test_a_worker_killed_inside_a_dask_search_is_retried(tmp_path):
    """Dask reruns the lost task on a restarted worker: the search ends with
    the scores of an undisturbed one. (A task that kills every worker it
    runs on ends in ``KilledWorker`` once ``allowed-failures`` is spent.)"""
    distributed = pytest.importorskip("distributed")
    X, Y = make_problem(n_samples=40)
    expected = _search().set_params(estimator__callbacks=None, n_jobs=None).fit(X, Y)
    marker = tmp_path / "killed"
    search = _search().set_params(estimator__callbacks=[_ExitOnce(str(marker))])
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        parallel_backend("dask"),
    ):
        search.fit(X, Y)
    assert marker.read_text() == "killed"
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"]
    )


# ------------------------------------------------------------- threads
def test_concurrent_predict_proba_with_set_params_gives_right_answers_and_no_leak():
    """Eight threads predict while a ninth flips parameters (n_threads among
    them): every answer equals the single-threaded one, and the calling
    thread's torch thread count is what it was."""
    X, Y = make_problem(n_samples=200)
    clf = MultiTaskNetClassifier(
        hidden_layer_sizes=(16,), max_epochs=2, random_state=0, dtype="float64"
    ).fit(X, Y)
    expected = clf.predict_proba(X)
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    wrong, errors = [], []
    stop = threading.Event()

    def predict():
        try:
            for _ in range(15):
                for a, b in zip(clf.predict_proba(X), expected):
                    if not np.allclose(a, b, rtol=1e-12, atol=0):
                        wrong.append(np.abs(a - b).max())
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    def flip():
        values = [1, "auto", 2, None]
        i = 0
        while not stop.is_set():
            clf.set_params(n_threads=values[i % 4], verbose=0, lr=0.01 * (1 + i % 2))
            i += 1

    try:
        flipper = threading.Thread(target=flip)
        flipper.start()
        workers = [threading.Thread(target=predict) for _ in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        stop.set()
        flipper.join()
        assert not errors, errors
        assert not wrong, wrong
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)
