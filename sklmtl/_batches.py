"""Mini-batches sliced straight from in-memory arrays.

skorch's default ``DataLoader`` fetches one sample at a time through
``Dataset.__getitem__`` and collates the rows again, which costs more than the
forward and backward pass of a small network. When the data are in-memory
arrays (the common case), :class:`ArrayBatches` slices whole batches from a
tensor view of them instead; any other dataset falls back to ``DataLoader``.

Shuffling draws from the global torch RNG, which the estimator seeds and
isolates around ``fit``.
"""

import warnings
from contextlib import contextmanager

import numpy as np
import torch
from skorch.dataset import Dataset
from torch.utils.data import DataLoader, Subset

__all__ = ["ArrayBatches", "as_tensor"]


@contextmanager
def torch_threads(n_threads):
    """Use ``n_threads`` torch intra-op threads inside the block, then restore.

    Parameters
    ----------
    n_threads : int or None
        Threads to use; None leaves torch's setting alone.

    Examples
    --------
    >>> import torch
    >>> from sklmtl._batches import torch_threads
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if n_threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def as_tensor(array):
    """Zero-copy tensor view of a numpy array (read-only arrays included).

    Parameters
    ----------
    array : ndarray or Tensor
        The data.

    Returns
    -------
    tensor : Tensor
        Shares memory with ``array`` when possible.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._batches import as_tensor
    >>> as_tensor(np.zeros((2, 3), dtype=np.float32)).shape
    torch.Size([2, 3])
    """
    if isinstance(array, torch.Tensor):
        return array
    with warnings.catch_warnings():
        # The tensor is only ever read, so aliasing a read-only array is safe.
        warnings.filterwarnings(
            "ignore", message="The given NumPy array is not writable"
        )
        return torch.from_numpy(np.asarray(array))


def _array_source(dataset):
    """Return ``(X, y, indices)`` when batches can be sliced, else None."""
    indices = None
    if isinstance(dataset, Subset):
        indices = torch.as_tensor(np.asarray(dataset.indices), dtype=torch.long)
        dataset = dataset.dataset
    if type(dataset) is not Dataset:
        return None
    X, y = dataset.X, dataset.y
    if not isinstance(X, (np.ndarray, torch.Tensor)) or not isinstance(
        y, (np.ndarray, torch.Tensor)
    ):
        return None
    return as_tensor(X), as_tensor(y), indices


class ArrayBatches:
    """Iterable of ``(X_batch, y_batch)`` tensors for a skorch dataset.

    Parameters
    ----------
    dataset : torch Dataset
        Usually a skorch ``Dataset`` (or a ``Subset`` of one) over arrays.
    batch_size : int, default=128
        Samples per batch.
    shuffle : bool, default=False
        Draw a fresh permutation each epoch.
    **loader_kwargs : dict
        Passed to ``DataLoader`` when the dataset cannot be sliced directly
        (e.g. ``num_workers``, ``pin_memory``).

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.dataset import Dataset
    >>> from sklmtl._batches import ArrayBatches
    >>> dataset = Dataset(np.zeros((5, 2)), np.zeros((5, 1)))
    >>> batches = ArrayBatches(dataset, batch_size=2)
    >>> [len(Xb) for Xb, yb in batches]
    [2, 2, 1]
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, **loader_kwargs):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.loader_kwargs = loader_kwargs
        self._source = None if loader_kwargs else _array_source(dataset)

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        if self._source is None:
            loader = DataLoader(
                self.dataset,
                batch_size=self.batch_size,
                shuffle=self.shuffle,
                **self.loader_kwargs,
            )
            yield from loader
            return
        X, y, indices = self._source
        n = len(self.dataset)
        order = torch.randperm(n) if self.shuffle else None
        if indices is not None:
            order = indices if order is None else indices[order]
        for start in range(0, n, self.batch_size):
            if order is None:
                yield (
                    X[start : start + self.batch_size],
                    y[start : start + self.batch_size],
                )
            else:
                idx = order[start : start + self.batch_size]
                yield X[idx], y[idx]
