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
from torch.utils.data import (
    DataLoader,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
)
from torch.utils.data import Dataset as TorchDataset

from ._sparse import SparseRows

__all__ = ["ArrayBatches", "as_tensor", "dataset_batches", "row_batches"]

# DataLoader options that decide the batches themselves: with any of them the
# user's batching is kept as given.
_BATCHING_OPTIONS = ("sampler", "batch_sampler", "drop_last")


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


def _torch_dtype(dtype):
    """The torch dtype of a numpy floating dtype (``float32`` or ``float64``)."""
    return getattr(torch, np.dtype(dtype).name)


def _item_features(item):
    """The feature part of a Dataset item (the item, or its first element)."""
    if isinstance(item, (tuple, list)):
        item = item[0]
    return torch.as_tensor(item)


def dataset_sample_shape(dataset):
    """Shape of one sample of a torch ``Dataset``, checked on its first item.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        Items are feature tensors/arrays, or tuples whose first element is.

    Returns
    -------
    shape : tuple of int
        The shape of one sample.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from sklmtl._batches import dataset_sample_shape
    >>> dataset_sample_shape(TensorDataset(torch.zeros(5, 3)))
    (3,)
    """
    try:
        n_samples = len(dataset)
    except TypeError:
        raise TypeError(
            "A Dataset X must define __len__ (an IterableDataset is not supported)."
        ) from None
    if n_samples == 0:
        raise ValueError("X is an empty Dataset; at least one sample is required.")
    first = _item_features(dataset[0])
    if not first.is_floating_point():
        raise TypeError(
            f"Dataset items must hold floating-point features; got {first.dtype}."
        )
    return tuple(first.shape)


class LabelledDataset(TorchDataset):
    """Pairs a feature ``Dataset`` with the encoded labels (codes), lazily.

    Parameters
    ----------
    features : torch.utils.data.Dataset
        Items are features, or tuples whose first element is.
    codes : ndarray of shape (n_samples, n_tasks)
        Encoded labels (``-1`` for missing cells).
    dtype : numpy dtype, default=np.float32
        The features' dtype (the network's).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from torch.utils.data import TensorDataset
    >>> from sklmtl._batches import LabelledDataset
    >>> data = LabelledDataset(TensorDataset(torch.ones(2, 3)), np.array([[0], [1]]))
    >>> x, y = data[1]
    >>> x.shape, y.tolist()
    (torch.Size([3]), [1])
    """

    def __init__(self, features, codes, dtype=np.float32):
        self.features = features
        self.codes = torch.as_tensor(codes)
        self.dtype = _torch_dtype(dtype)

    def __len__(self):
        return len(self.features)

    def __getitem__(self, index):
        features = _item_features(self.features[index]).to(self.dtype)
        return features, self.codes[index]


def row_batches(rows, batch_rows, pin=False):
    """Yield ``(start, batch)`` over ``rows`` in order, sliced ``batch_rows`` at a time.

    Parameters
    ----------
    rows : Tensor or SparseRows
        Anything that slices into float tensors: a tensor view of an array
        (no copy of the whole), or :class:`~sklmtl._sparse.SparseRows`
        (densified one batch at a time).
    batch_rows : int
        Rows per batch.
    pin : bool, default=False
        Pin each batch's memory (for asynchronous copies to a GPU; ignored
        without CUDA).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._batches import as_tensor, row_batches
    >>> rows = as_tensor(np.zeros((5, 2)))
    >>> [(start, tuple(b.shape)) for start, b in row_batches(rows, 2)]
    [(0, (2, 2)), (2, (2, 2)), (4, (1, 2))]
    """
    pin = pin and torch.cuda.is_available()
    for start in range(0, len(rows), batch_rows):
        batch = rows[start : start + batch_rows]
        yield start, batch.pin_memory() if pin else batch


def dataset_batches(dataset, batch_rows, pin=False, dtype=np.float32):
    """Yield ``(start, batch)`` float tensors over a torch ``Dataset``'s items.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        Items are features, or tuples whose first element is; read item by
        item, never loaded as a whole.
    batch_rows : int
        Items per batch.
    pin : bool, default=False
        Pin each batch's memory (for asynchronous copies to a GPU; ignored
        without CUDA).
    dtype : numpy dtype, default=np.float32
        The batches' dtype (the network's).

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from sklmtl._batches import dataset_batches
    >>> data = TensorDataset(torch.zeros(5, 3))
    >>> [(start, tuple(b.shape)) for start, b in dataset_batches(data, 4)]
    [(0, (4, 3)), (4, (1, 3))]
    """
    pin = pin and torch.cuda.is_available()
    for start in range(0, len(dataset), batch_rows):
        stop = min(start + batch_rows, len(dataset))
        batch = torch.stack([_item_features(dataset[i]) for i in range(start, stop)])
        batch = batch.to(_torch_dtype(dtype))
        yield start, batch.pin_memory() if pin else batch


def _array_source(dataset):
    """Return ``(X, y, indices)`` when batches can be sliced, else None."""
    indices = None
    if isinstance(dataset, Subset):
        indices = torch.as_tensor(np.asarray(dataset.indices), dtype=torch.long)
        dataset = dataset.dataset
    if type(dataset) is not Dataset:
        return None
    X, y = dataset.X, dataset.y
    if isinstance(X, SparseRows):
        return X, as_tensor(y), indices
    if not isinstance(X, (np.ndarray, torch.Tensor)) or not isinstance(
        y, (np.ndarray, torch.Tensor)
    ):
        return None
    return as_tensor(X), as_tensor(y), indices


def batch_bounds(n_samples, batch_size, merge_single_row=False):
    """``(start, stop)`` of each batch over ``n_samples`` rows, in order.

    Parameters
    ----------
    n_samples : int
        Rows to cover.
    batch_size : int
        Rows per batch (the last batch may hold fewer).
    merge_single_row : bool, default=False
        Join a one-row last batch to the batch before it (that batch then
        holds ``batch_size + 1`` rows): ``BatchNorm`` in training mode cannot
        normalise a single row. One row in all raises a ``ValueError``.

    Returns
    -------
    bounds : list of tuple of int

    Examples
    --------
    >>> from sklmtl._batches import batch_bounds
    >>> batch_bounds(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    >>> batch_bounds(5, 2, merge_single_row=True)
    [(0, 2), (2, 5)]
    """
    bounds = [
        (start, min(start + batch_size, n_samples))
        for start in range(0, n_samples, batch_size)
    ]
    if merge_single_row and bounds and bounds[-1][1] - bounds[-1][0] == 1:
        if len(bounds) == 1:
            raise ValueError(
                "The network has BatchNorm layers (batch_norm=True, or a trunk "
                "with them), which need at least 2 rows per training batch; this "
                "fit has 1 training row. Train on more rows (partial_fit on "
                "batches of 2 or more, or a smaller validation_fraction), or set "
                "batch_norm=False."
            )
        bounds[-2:] = [(bounds[-2][0], n_samples)]
    return bounds


class _MergedBatchSampler(Sampler):
    """A batch sampler over ``sampler`` whose one-row last batch is merged."""

    def __init__(self, sampler, batch_size):
        self.sampler = sampler
        self.batch_size = batch_size

    def __len__(self):
        return len(batch_bounds(len(self.sampler), self.batch_size, True))

    def __iter__(self):
        indices = list(self.sampler)
        for start, stop in batch_bounds(len(indices), self.batch_size, True):
            yield indices[start:stop]


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
    pin_memory : bool, default=False
        Pin batches in page-locked memory so that copies to a GPU can run
        asynchronously (ignored without CUDA).
    merge_single_row : bool, default=False
        Join a one-row last batch to the one before it (see
        :func:`batch_bounds`); the training iterator of a network with
        ``BatchNorm`` layers sets it. Ignored when ``loader_kwargs`` choose
        the batches (``sampler``, ``batch_sampler``, ``drop_last``).
    **loader_kwargs : dict
        Passed to ``DataLoader``, which then replaces the direct slicing
        (e.g. ``num_workers`` for a Dataset that reads from disk).

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.dataset import Dataset
    >>> from sklmtl._batches import ArrayBatches
    >>> dataset = Dataset(np.zeros((5, 2)), np.zeros((5, 1)))
    >>> batches = ArrayBatches(dataset, batch_size=2)
    >>> [len(Xb) for Xb, yb in batches]
    [2, 2, 1]
    >>> [len(Xb) for Xb, yb in ArrayBatches(dataset, 2, merge_single_row=True)]
    [2, 3]
    """

    def __init__(
        self,
        dataset,
        batch_size=128,
        shuffle=False,
        pin_memory=False,
        merge_single_row=False,
        **loader_kwargs,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.pin_memory = bool(pin_memory) and torch.cuda.is_available()
        self.merge_single_row = merge_single_row and not (
            set(_BATCHING_OPTIONS) & set(loader_kwargs)
        )
        self.loader_kwargs = loader_kwargs
        self._source = None if loader_kwargs else _array_source(dataset)

    def __len__(self):
        n = len(self.dataset)
        if self.merge_single_row and n % self.batch_size == 1 and n > 1:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        bounds = batch_bounds(n, self.batch_size, self.merge_single_row)
        if self._source is None:
            yield from self._loader()
            return
        X, y, indices = self._source
        order = torch.randperm(n) if self.shuffle else None
        if indices is not None:
            order = indices if order is None else indices[order]
        for start, stop in bounds:
            if order is None:
                batch = (X[start:stop], y[start:stop])
            else:
                idx = order[start:stop]
                batch = (X[idx], y[idx])
            if self.pin_memory:
                batch = tuple(part.pin_memory() for part in batch)
            yield batch

    def _loader(self):
        if not self.merge_single_row:
            return DataLoader(
                self.dataset,
                batch_size=self.batch_size,
                shuffle=self.shuffle,
                pin_memory=self.pin_memory,
                **self.loader_kwargs,
            )
        # The samplers DataLoader would build, with the one-row batch merged.
        sampler = (RandomSampler if self.shuffle else SequentialSampler)(self.dataset)
        return DataLoader(
            self.dataset,
            batch_sampler=_MergedBatchSampler(sampler, self.batch_size),
            pin_memory=self.pin_memory,
            **self.loader_kwargs,
        )
