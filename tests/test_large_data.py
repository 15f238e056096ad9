"""Data larger than memory: numpy memmaps and torch Datasets as X."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils.data import Dataset

from sklmtl import MultiTaskNetClassifier

from .conftest import FAST, make_problem


class DiskRows(Dataset):
    """Reads one row at a time from a memmap, as a dataset on disk would."""

    def __init__(self, path, shape):
        self.data = np.memmap(path, dtype=np.float32, mode="r", shape=shape)
        self.reads = 0

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        self.reads += 1
        return torch.from_numpy(np.array(self.data[index]))


@pytest.fixture
def memmapped(tmp_path):
    X, Y = make_problem(n_samples=20_000, n_features=100)
    path = tmp_path / "X.float32"
    mm = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    mm[:] = X
    mm.flush()
    return path, X, Y


# Run in a fresh interpreter: the peak is clean, and memory that an earlier
# test freed (and malloc kept) cannot hide an allocation. Memory is resident
# *anonymous* memory (RssAnon): numpy's and torch's CPU allocations count,
# the memmap's file pages (read during every epoch) do not. tracemalloc would
# see none of torch's allocations.
_PEAK_MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, sys, threading, time
    import numpy as np, torch
    from sklmtl import MultiTaskNetClassifier

    def anon():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024

    path, n_rows, n_cols, action = sys.argv[1:5]
    X = np.memmap(path, dtype=np.float32, mode="r", shape=(int(n_rows), int(n_cols)))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    clf = MultiTaskNetClassifier(
        hidden_layer_sizes=(16,), max_epochs=1, batch_size=2048, random_state=0
    )
    if action == "fit":
        clf.fit(X[:5000], Y[:5000])  # lazy imports and thread pools
    base = peak = anon()
    done = threading.Event()

    def poll():
        global peak
        while not done.is_set():
            peak = max(peak, anon())
            time.sleep(0.001)

    watcher = threading.Thread(target=poll)
    watcher.start()
    if action == "fit":
        kept = clf.fit(X, Y)
    elif action == "numpy copy":
        kept = np.array(X)
    elif action == "torch copy":
        kept = torch.tensor(X)
    done.set()
    watcher.join()
    print(json.dumps({"growth": max(peak, anon()) - base}))
    """
)


def _peak_memory_growth(path, shape, action):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _PEAK_MEMORY_SCRIPT,
            str(path),
            *map(str, shape),
            action,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])["growth"]


@pytest.mark.skipif(
    "RssAnon"
    not in (
        Path("/proc/self/status").read_text()
        if Path("/proc/self/status").exists()
        else ""
    ),
    reason="needs Linux's /proc/self/status",
)
def test_fit_from_a_memmap_does_not_copy_it(tmp_path):
    shape = (50_000, 200)  # 40 MB of float32
    X = np.random.RandomState(0).normal(size=shape).astype(np.float32)
    path = tmp_path / "X.float32"
    X.tofile(path)
    # The measure sees a copy of X, by numpy or by torch's allocator ...
    for copy in ("numpy copy", "torch copy"):
        assert _peak_memory_growth(path, shape, copy) > 0.9 * X.nbytes, copy
    # ... and fit makes none: a few batches, the labels and the network.
    growth = _peak_memory_growth(path, shape, "fit")
    assert growth < X.nbytes / 4, f"fit grew memory by {growth} B for {X.nbytes} B of X"


def test_fit_from_a_memmap_matches_the_in_memory_fit(memmapped):
    path, X, Y = memmapped
    X_mm = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    params = {**FAST, "max_epochs": 2, "batch_size": 512}
    from_disk = MultiTaskNetClassifier(**params).fit(X_mm, Y)
    in_memory = MultiTaskNetClassifier(**params).fit(X, Y)
    np.testing.assert_array_equal(
        from_disk.predict(X_mm[:500]), in_memory.predict(X[:500])
    )


def test_fit_and_predict_from_a_torch_dataset(memmapped):
    path, X, Y = memmapped
    rows = DiskRows(path, X.shape)
    params = {**FAST, "max_epochs": 2, "batch_size": 512}
    clf = MultiTaskNetClassifier(**params).fit(rows, Y)
    assert rows.reads >= 2 * len(X)  # read item by item, every epoch
    assert clf.n_features_in_ == 100
    proba = clf.predict_proba(rows)
    for a, b in zip(proba, clf.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    again = MultiTaskNetClassifier(**params).fit(DiskRows(path, X.shape), Y)
    np.testing.assert_array_equal(again.predict(X), clf.predict(rows))
    # The DataLoader draws other batches than the array slicer: same quality.
    in_memory = MultiTaskNetClassifier(**params).fit(X, Y)
    assert abs(clf.score(X, Y) - in_memory.score(X, Y)) < 0.05


def test_dataset_with_loader_workers_and_early_stopping(memmapped):
    path, X, Y = memmapped
    rows = DiskRows(path, X.shape)
    clf = MultiTaskNetClassifier(
        **{**FAST, "max_epochs": 2, "batch_size": 1024},
        early_stopping=True,
        iterator_train__num_workers=2,
        iterator_valid__num_workers=1,
    ).fit(rows, Y)
    assert clf.get_params()["iterator_train__num_workers"] == 2
    assert "valid_loss" in clf.history_[-1]
    assert clf.score(X[:300], Y[:300]) > 0.5


def test_dataset_of_tuples_and_bad_datasets():
    X, Y = make_problem()
    pairs = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.zeros(len(X)))
    clf = MultiTaskNetClassifier(**FAST).fit(pairs, Y)
    assert clf.predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="samples of shape"):
        clf.predict(torch.utils.data.TensorDataset(torch.zeros(3, 4)))
    ints = torch.utils.data.TensorDataset(torch.zeros(len(X), 6, dtype=torch.long))
    with pytest.raises(TypeError, match="floating-point"):
        MultiTaskNetClassifier(**FAST).fit(ints, Y)
    with pytest.raises(ValueError, match="empty"):
        MultiTaskNetClassifier(**FAST).fit(
            torch.utils.data.TensorDataset(torch.zeros(0, 6)), Y[:0]
        )
    with pytest.raises(ValueError, match="inconsistent"):
        MultiTaskNetClassifier(**FAST).fit(pairs, Y[:10])
