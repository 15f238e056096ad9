"""Scale-out on existing engines: Dask and Ray searches, Accelerate data parallel."""

import builtins
import json
import os
import pickle
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV, KFold
from skorch.callbacks import Callback

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.metrics import mean_task_accuracy_scorer

from .conftest import make_problem

HERE = Path(__file__).resolve().parent
SCALING_PAGE = HERE.parent / "docs" / "user_guide" / "scaling.rst"


def page_script(caption):
    """The python block of the scaling page captioned with this file name."""
    match = re.search(
        rf"\.\. code-block:: python\n   :caption: {re.escape(caption)}\n\n"
        r"((?:   .*\n|\n)+)",
        SCALING_PAGE.read_text(),
    )
    assert match, f"no block captioned {caption} in {SCALING_PAGE}"
    return textwrap.dedent(match.group(1))


def _search():
    return GridSearchCV(
        MultiTaskNetClassifier(
            hidden_layer_sizes=(16,), max_epochs=5, random_state=0, n_threads=1
        ),
        {"lr": [0.003, 0.03], "hidden_layer_sizes": [(8,), (16,)]},
        cv=KFold(3, shuffle=True, random_state=0),
        scoring=mean_task_accuracy_scorer,
        n_jobs=2,
    )


@pytest.fixture(scope="module")
def sequential_scores():
    X, Y = make_problem(n_samples=150)
    search = _search().set_params(n_jobs=None).fit(X, Y)
    return X, Y, search.cv_results_["mean_test_score"]


def test_dask_search_matches_sequential(sequential_scores):
    distributed = pytest.importorskip("distributed", reason="extra 'distributed'")
    X, Y, expected = sequential_scores
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
        parallel_backend("dask"),
    ):
        search = _search().fit(X, Y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], expected)


def test_ray_search_matches_sequential(sequential_scores):
    ray = pytest.importorskip("ray", reason="extra 'ray'")
    from ray.util.joblib import register_ray

    X, Y, expected = sequential_scores
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(HERE.parent)}},
    )
    try:
        register_ray()
        with parallel_backend("ray"):
            search = _search().fit(X, Y)
    finally:
        ray.shutdown()
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], expected)


def test_scaling_page_dask_then_ray_script_runs_as_written(tmp_path):
    # One script, Dask first and Ray second: Ray replaces builtins.print once
    # its workers send output, after which the search pickles the estimator
    # fitted under Dask (its best_estimator_).
    pytest.importorskip("distributed", reason="extra 'distributed'")
    pytest.importorskip("ray", reason="extra 'ray'")
    script = tmp_path / "search_dask_ray.py"
    script.write_text(page_script("search_dask_ray.py"))
    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "Dask: {'lr'" in done.stdout and "Ray: {'lr'" in done.stdout


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    pytest.importorskip("accelerate", reason="extra 'accelerate'")
    out = tmp_path_factory.mktemp("ddp")
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node",
            "2",
            str(HERE / "ddp_train.py"),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return out


@pytest.mark.parametrize("run", ["equal", "uncertainty", "early_stopping"])
def test_two_cpu_ranks_agree_and_match_one_process(ddp_run, run):
    sys.path.insert(0, str(HERE))
    try:
        import ddp_train
    finally:
        sys.path.remove(str(HERE))
    ranks = [torch.load(ddp_run / f"{run}_rank{r}.pt") for r in (0, 1)]
    assert ranks[0].keys() == ranks[1].keys()
    for key in ranks[0]:
        torch.testing.assert_close(ranks[0][key], ranks[1][key], rtol=0, atol=0)
    if run == "uncertainty":
        assert any(k.startswith("criterion.") for k in ranks[0])

    # One process, the same global batch (2 ranks x 16 rows).
    n_samples, params = ddp_train.RUNS[run]
    X, Y = ddp_train.problem(n_samples)
    single = MultiTaskNetClassifier(
        batch_size=2 * ddp_train.PER_RANK_BATCH,
        **{**ddp_train.PARAMS, **params},
    ).fit(X, Y)
    state = {f"module.{k}": v for k, v in single.net_.module_.state_dict().items()}
    state |= {
        f"criterion.{k}": v for k, v in single.net_.criterion_.state_dict().items()
    }
    for key, value in state.items():
        torch.testing.assert_close(ranks[0][key], value, rtol=1e-4, atol=1e-5)

    # History: both ranks record the global per-task losses, which are the
    # single process's (the same batches, the same weights).
    logs = [json.loads((ddp_run / f"{run}_rank{r}.json").read_text()) for r in (0, 1)]
    assert logs[0]["world"] == 2
    if run == "early_stopping":
        # Stopped before max_epochs, at a later epoch than the best one: the
        # weights compared above are the best epoch's, restored under DDP.
        n_epochs = len(logs[0]["history"])
        assert logs[0]["best_epoch"] == logs[1]["best_epoch"]
        assert logs[0]["best_epoch"] < n_epochs < params["max_epochs"]
        assert len(single.history_) == n_epochs
        assert (
            dict(single.net_.callbacks_)["early_stopping"].best_epoch_
            == (logs[0]["best_epoch"])
        )

    def timeless(history):
        return [{k: v for k, v in row.items() if k != "dur"} for row in history]

    assert timeless(logs[0]["history"]) == timeless(logs[1]["history"])
    for row, ref in zip(logs[0]["history"], single.history_):
        for task in ("task_0", "task_1"):
            assert row[f"train_loss_{task}"] == pytest.approx(
                ref[f"train_loss_{task}"], rel=1e-4
            )
        assert row["train_loss"] == pytest.approx(ref["train_loss"], rel=1e-4)
        if "valid_loss" in ref:
            assert row["valid_loss"] == pytest.approx(ref["valid_loss"], rel=1e-4)


def test_accelerated_estimator_refuses_aggregators_and_saves_plain(tmp_path):
    pytest.importorskip("accelerate", reason="extra 'accelerate'")
    from sklmtl.distributed import AcceleratedMultiTaskNetClassifier

    X, Y = make_problem()
    with pytest.raises(ValueError, match="not supported with data-parallel"):
        AcceleratedMultiTaskNetClassifier(task_weighting="gradnorm").fit(X, Y)
    clf = AcceleratedMultiTaskNetClassifier(max_epochs=2, random_state=0).fit(X, Y)
    assert clf.predict(X).shape == Y.shape
    assert "accelerator" in clf.get_params()
    # Saved without the accelerator, it loads as a plain MultiTaskNetClassifier.
    from sklmtl.io import load, save

    save(clf, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    assert type(loaded) is MultiTaskNetClassifier
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def _accelerated(**params):
    pytest.importorskip("accelerate", reason="extra 'accelerate'")
    from sklmtl.distributed import AcceleratedMultiTaskNetClassifier

    return AcceleratedMultiTaskNetClassifier(**params)


def _fit_each_kind(estimator, X, Y):
    if isinstance(estimator, MultiTaskNetRegressor):
        return estimator.fit(X, X[:, :2] * 2.0)
    if isinstance(estimator, MultiTaskNet):
        mixed = pd.DataFrame({"sign": Y[:, 1], "size": X[:, 2] * 3.0})
        return estimator.fit(X, mixed)
    return estimator.fit(X, Y)


@pytest.mark.parametrize(
    "make",
    [MultiTaskNetClassifier, MultiTaskNetRegressor, MultiTaskNet, _accelerated],
    ids=["classifier", "regressor", "mixed", "accelerated"],
)
@pytest.mark.parametrize(
    "settings",
    [
        dict(verbose=0, early_stopping=True),
        dict(verbose=1, early_stopping=True, on_divergence="restore_best"),
        dict(verbose=1, early_stopping=False, progress_bar=True),
    ],
    ids=["quiet", "verbose", "progress_bar"],
)
def test_fitted_estimator_pickles_after_print_is_replaced(
    make, settings, monkeypatch, capsys
):
    # Ray's progress bars (and notebook tools) replace builtins.print; pickle
    # saves a builtin by name only while it is still that object.
    X, Y = make_problem(n_samples=60)
    estimator = _fit_each_kind(
        make(hidden_layer_sizes=(8,), max_epochs=2, random_state=0, **settings), X, Y
    )
    printed = []
    monkeypatch.setattr(builtins, "print", lambda *a, **k: printed.append(a))
    restored = pickle.loads(pickle.dumps(estimator))
    np.testing.assert_array_equal(
        np.asarray(restored.predict(X)), np.asarray(estimator.predict(X))
    )
    # The sinks print through whatever print is at the time.
    printed.clear()
    restored.set_params(max_epochs=1)
    _fit_each_kind(restored, X, Y)
    assert bool(printed) == (settings["verbose"] > 0)
    capsys.readouterr()


class _ThreadProbe(Callback):
    def on_epoch_begin(self, net, **kwargs):
        self.threads = torch.get_num_threads()


@pytest.mark.parametrize("hidden", [(8,), (512, 512)])
def test_accelerated_estimator_uses_the_plain_thread_rule(hidden):
    # n_threads="auto": one torch thread for a small network (several cost
    # far more on a busy machine), all of them for a large one; the
    # accelerator placing the module must not change that.
    X, Y = make_problem(n_samples=40)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        threads = []
        for make in (MultiTaskNetClassifier, _accelerated):
            clf = make(
                hidden_layer_sizes=hidden,
                max_epochs=1,
                batch_size=64,
                callbacks=[("probe", _ThreadProbe())],
            ).fit(X, Y)
            threads.append(dict(clf.net_.callbacks_)["probe"].threads)
    finally:
        torch.set_num_threads(before)
    assert threads[0] == threads[1] == (1 if hidden == (8,) else 2)
