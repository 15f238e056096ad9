"""Data larger than memory: numpy memmaps and torch Datasets as X."""

import tracemalloc

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


def test_fit_from_a_memmap_does_not_copy_it(memmapped):
    path, X, Y = memmapped
    X_mm = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2, "batch_size": 512})
    clf.fit(X_mm[:100], Y[:100])  # lazy imports happen outside the measurement
    tracemalloc.start()
    clf.fit(X_mm, Y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < X.nbytes / 2, f"fit allocated {peak} bytes for {X.nbytes} of X"
    in_memory = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2, "batch_size": 512})
    in_memory.fit(X, Y)
    np.testing.assert_array_equal(clf.predict(X_mm[:500]), in_memory.predict(X[:500]))


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
