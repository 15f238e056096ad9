"""Training batches: a one-row last batch never reaches BatchNorm.

BatchNorm in training mode cannot normalise a single row ("Expected more than
1 value per channel"): with ``batch_norm=True`` (or a trunk with BatchNorm
layers) a one-row last batch joins the batch before it, wherever batches are
made (arrays, sparse matrices, DataFrames, torch Datasets, DataLoader
options, ``partial_fit``, the early-stopping split). Without BatchNorm the
batches are as before.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from skorch.callbacks import Callback
from torch.utils.data import TensorDataset

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor

N_ROWS, BATCH = 9, 4  # batches of 4, 4 and 1 row
BN = dict(
    hidden_layer_sizes=(6,),
    batch_norm=True,
    batch_size=BATCH,
    max_epochs=2,
    random_state=0,
)


class TrainBatchSizes(Callback):
    """Rows of every training batch."""

    def initialize(self):
        self.sizes = []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.sizes.append(len(batch[0]))


def _data(n=N_ROWS, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3)).astype(np.float32)
    Y = np.column_stack([np.arange(n) % 2, (np.arange(n) // 2) % 2])
    return X, Y


def _as_container(X, container):
    if container == "sparse":
        return sp.csr_matrix(X)
    if container == "dataframe":
        return pd.DataFrame(X, columns=["a", "b", "c"]).assign(
            kind=np.where(X[:, 0] > 0, "up", "down")
        )
    if container == "dataset":
        return TensorDataset(torch.from_numpy(X))
    return X


def _epoch_sizes(probe):
    per_epoch = -(-N_ROWS // BATCH) - 1
    return [
        probe.sizes[i : i + per_epoch] for i in range(0, len(probe.sizes), per_epoch)
    ]


@pytest.mark.parametrize("container", ["array", "sparse", "dataframe", "dataset"])
@pytest.mark.parametrize(
    "loader", [{}, {"iterator_train__num_workers": 0}], ids=["sliced", "dataloader"]
)
def test_one_row_last_batch_joins_the_one_before(container, loader):
    X, Y = _data()
    probe = TrainBatchSizes()
    clf = MultiTaskNetClassifier(**BN, callbacks=[probe], **loader)
    clf.fit(_as_container(X, container), Y)
    assert _epoch_sizes(clf.net_.callbacks_[-1][1]) == [[4, 5], [4, 5]]
    assert clf.predict(_as_container(X[:1], container)).shape == (1, 2)


@pytest.mark.parametrize(
    "estimator, Y",
    [
        (MultiTaskNetRegressor(**BN), _data()[1].astype(float) + 0.5),
        (MultiTaskNet(**BN), np.column_stack([_data()[1][:, 0], np.arange(9) + 0.5])),
    ],
    ids=["regressor", "mixed"],
)
def test_every_estimator(estimator, Y):
    X, _ = _data()
    assert estimator.fit(X, Y).predict(X).shape == (N_ROWS, 2)


def test_partial_fit_on_129_rows_with_the_default_batch_size():
    X, Y = _data(129)
    clf = MultiTaskNetClassifier(hidden_layer_sizes=(6,), batch_norm=True)
    clf.partial_fit(X, Y).partial_fit(X, Y)
    assert clf.n_iter_ == 2


def test_early_stopping_split_leaves_a_one_row_batch():
    # 10 rows, 1 held out: 9 training rows (4, 4, 1) and a 1-row validation
    # batch, which BatchNorm reads in eval mode.
    X, Y = _data(10)
    probe = TrainBatchSizes()
    clf = MultiTaskNetClassifier(
        **BN, callbacks=[probe], early_stopping=True, validation_fraction=0.1
    ).fit(X, Y)
    assert _epoch_sizes(clf.net_.callbacks_[-1][1]) == [[4, 5], [4, 5]]
    assert np.isfinite(clf.history_[-1, "valid_loss"])


def test_a_trunk_with_batch_norm_layers_is_covered():
    trunk = torch.nn.Sequential(
        torch.nn.Linear(3, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU()
    )
    X, Y = _data()
    params = {**BN, "batch_norm": False}
    clf = MultiTaskNetClassifier(trunk=trunk, **params).fit(X, Y)
    assert clf.predict(X).shape == (N_ROWS, 2)


def test_without_batch_norm_the_batches_are_unchanged():
    X, Y = _data()
    probe = TrainBatchSizes()
    clf = MultiTaskNetClassifier(**{**BN, "batch_norm": False}, callbacks=[probe])
    clf.fit(X, Y)
    assert clf.net_.callbacks_[-1][1].sizes == [4, 4, 1, 4, 4, 1]


def test_a_single_training_row_is_refused_clearly():
    X, Y = _data()
    clf = MultiTaskNetClassifier(**BN).fit(X, Y)
    with pytest.raises(ValueError, match="BatchNorm .* at least 2 rows"):
        clf.partial_fit(X[:1], Y[:1])
    # The refused batch left the fitted network as it was.
    assert clf.n_iter_ == 2


@pytest.mark.parametrize(
    "layout", ["contiguous", "channels_last", "fortran"], ids=lambda s: s
)
def test_shuffled_batches_are_the_rows_indexing_gives(layout):
    """Batches gathered with index_select: the same rows, order and memory
    layout as ``X[idx]`` (a channels-last or column-major X keeps indexing)."""
    from skorch.dataset import Dataset
    from torch.utils.data import Subset

    from sklmtl._batches import ArrayBatches

    torch.manual_seed(0)
    X = torch.rand(23, 3, 2, 2)
    if layout == "channels_last":
        X = X.contiguous(memory_format=torch.channels_last)
    elif layout == "fortran":
        X = X.reshape(23, 12).t().contiguous().t()
    y = torch.randint(0, 3, (23, 2))
    data = Subset(Dataset(X, y), list(range(2, 21)))
    torch.manual_seed(1)
    batches = list(ArrayBatches(data, batch_size=5, shuffle=True))
    torch.manual_seed(1)
    order = torch.as_tensor(data.indices)[torch.randperm(len(data))]
    assert [len(xb) for xb, _ in batches] == [5, 5, 5, 4]
    for (xb, yb), idx in zip(batches, order.split(5)):
        assert torch.equal(xb, X[idx]) and torch.equal(yb, y[idx])
        assert xb.stride() == X[idx].stride()
