import numpy as np
import pytest
import torch
from skorch.callbacks import Callback


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same global RNG state."""
    np.random.seed(0)  # noqa: NPY002 (random_state=None draws from it)
    torch.manual_seed(0)


def make_problem(n_samples=120, n_features=6, seed=0):
    """Three tasks with different label types, all learnable from X."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    Y = np.empty((n_samples, 3), dtype=object)
    Y[:, 0] = (X[:, 0] > 0).astype(int)
    Y[:, 1] = np.where(X[:, 1] + X[:, 0] > 0, "up", "down")
    Y[:, 2] = np.digitize(X[:, 2], [-0.5, 0.5]).astype(bool) | (X[:, 3] > 1)
    return X, Y


@pytest.fixture(scope="module")
def problem():
    return make_problem()


FAST = dict(hidden_layer_sizes=(16,), max_epochs=15, lr=0.02, random_state=0)


class ExplodeAt(Callback):
    """Scale every weight to inf at the start of an epoch (a simulated blow-up)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch:
            with torch.no_grad():
                for p in net.module_.parameters():
                    p.mul_(float("inf"))
