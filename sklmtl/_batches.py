"""Mini-batches sliced straight from in-memory arrays.

skorch's default ``DataLoader`` fetches one sample at a time through
``Dataset.__getitem__`` and collates the rows again, which costs more than the
forward and backward pass of a small network. When the data are in-memory
arrays (the common case), :class:`ArrayBatches` slices whole batches from a
tensor view of them instead; any other dataset falls back to ``DataLoader``.

Shuffling draws from the global torch RNG, which the estimator seeds and
isolates around ``fit``.
"""

import functools
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

from ._images import ImageArray, item_image, to_float_image
from ._sparse import SparseRows

__all__ = [
    "ArrayBatches",
    "DatasetImages",
    "as_tensor",
    "dataset_labels",
    "declared_targets",
    "row_batches",
]

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


def _item_features(item, image_key="image"):
    """The feature part of a Dataset item (the item, its first element, or
    its ``image_key`` entry), as a tensor (:func:`~sklmtl._images.item_image`)."""
    return item_image(item, image_key)


def dataset_sample_shape(dataset, image_key="image"):
    """Shape of one sample of a torch ``Dataset``, checked on its first item.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        Items are feature tensors/arrays or PIL images, tuples whose first
        element is one, or dicts holding one under ``image_key``.
    image_key : str, default="image"
        The key of the features in dict items.

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
    return tuple(first_dataset_sample(dataset, image_key).shape)


def first_dataset_sample(dataset, image_key="image"):
    """The first item's features as a float tensor (``uint8`` scaled to [0, 1]).

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from sklmtl._batches import first_dataset_sample
    >>> first_dataset_sample(TensorDataset(torch.full((2, 1), 255, dtype=torch.uint8)))
    tensor([1.])
    """
    try:
        n_samples = len(dataset)
    except TypeError:
        raise TypeError(
            "A Dataset X must define __len__ (an IterableDataset is not supported)."
        ) from None
    if n_samples == 0:
        raise ValueError("X is an empty Dataset; at least one sample is required.")
    first = _item_features(dataset[0], image_key)
    if not (first.is_floating_point() or first.dtype == torch.uint8):
        raise TypeError(
            "Dataset items must hold floating-point features or uint8 images; got "
            f"{first.dtype}."
        )
    return to_float_image(first)


class DatasetImages(TorchDataset):
    """The features of a ``Dataset``'s items, as float tensors, item by item.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        Items as for :func:`dataset_sample_shape`.
    image_key : str, default="image"
        The key of the features in dict items.
    dtype : numpy dtype, default=np.float32
        The features' dtype (the network's); ``uint8`` images are scaled to
        ``[0, 1]``.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from sklmtl._batches import DatasetImages
    >>> images = DatasetImages(TensorDataset(torch.zeros(2, 3), torch.ones(2)))
    >>> len(images), images[1].shape
    (2, torch.Size([3]))
    """

    def __init__(self, dataset, image_key="image", dtype=np.float32):
        self.dataset = dataset
        self.image_key = image_key
        self.dtype = _torch_dtype(dtype)

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, index):
        return to_float_image(
            _item_features(self.dataset[index], self.image_key), self.dtype
        )


class LabelledDataset(TorchDataset):
    """Pairs a feature ``Dataset`` with the encoded labels (codes), lazily.

    Parameters
    ----------
    features : torch.utils.data.Dataset
        Items are features, or tuples whose first element is.
    codes : ndarray of shape (n_samples, n_tasks)
        Encoded labels (``-1`` for missing cells).
    dtype : numpy dtype, default=np.float32
        The features' dtype (the network's); ``uint8`` images are scaled to
        ``[0, 1]``.
    image_key : str, default="image"
        The key of the features in dict items.

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

    def __init__(self, features, codes, dtype=np.float32, image_key="image"):
        self.features = DatasetImages(features, image_key, dtype)
        self.codes = torch.as_tensor(codes)

    def __len__(self):
        return len(self.features)

    def __getitem__(self, index):
        return self.features[index], self.codes[index]


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


def _array_source(dataset):
    """Return ``(X, y, indices)`` when batches can be sliced, else None."""
    indices = None
    if isinstance(dataset, Subset):
        indices = torch.as_tensor(np.asarray(dataset.indices), dtype=torch.long)
        dataset = dataset.dataset
    if type(dataset) is not Dataset:
        return None
    X, y = dataset.X, dataset.y
    if isinstance(X, (SparseRows, ImageArray)):
        return X, as_tensor(y), indices
    if not isinstance(X, (np.ndarray, torch.Tensor)) or not isinstance(
        y, (np.ndarray, torch.Tensor)
    ):
        return None
    return as_tensor(X), as_tensor(y), indices


def _row_taker(rows):
    """``rows[idx]`` for a long index tensor ``idx``, by ``index_select`` when
    that gives the same tensor (a contiguous one: indexing keeps another
    layout, such as channels-last, which ``index_select`` would not)."""
    if isinstance(rows, torch.Tensor) and rows.is_contiguous():
        return functools.partial(torch.index_select, rows, 0)
    return rows.__getitem__


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
        self._complete = None

    @property
    def complete_codes(self):
        """Whether every batch's targets are class codes with none missing.

        True when the batches are slices of one ``int64`` code matrix (all
        tasks classification, no sample weights) holding no ``-1``: the loss
        can then skip its mask. Decided once, on the whole matrix (a subset
        of it is complete when it is).
        """
        if self._complete is None:
            y = None if self._source is None else self._source[1]
            self._complete = bool(
                isinstance(y, torch.Tensor)
                and y.dtype == torch.long
                and y.dim() == 2
                and (y.numel() == 0 or int(y.min()) >= 0)
            )
        return self._complete

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
        # index_select gathers the same rows as X[idx] in less than half the
        # time (no advanced-indexing machinery per batch); SparseRows and
        # ImageArray take their own rows.
        take_X = _row_taker(X)
        take_y = _row_taker(y)
        for start, stop in bounds:
            if order is None:
                batch = (X[start:stop], y[start:stop])
            else:
                idx = order[start:stop]
                batch = (take_X(idx), take_y(idx))
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


def dataset_labels(dataset, labels_key="labels"):
    """The labels of a ``Dataset`` whose items hold them, for ``fit(dataset)``.

    A ``targets`` attribute (torchvision's datasets have one, and
    :class:`sklmtl.datasets.ImageFiles`) is read without touching an item;
    a ``Subset`` of such a dataset takes its rows of them. Otherwise every
    item is read once: the second element of a tuple item, or the
    ``labels_key`` entry of a dict item (one label, an array of one label
    per task, or a dict ``{task: label}``).

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        The training data.
    labels_key : str, default="labels"
        The key of the labels in dict items.

    Returns
    -------
    y : ndarray or DataFrame
        One row per item (a DataFrame when the labels are dicts).

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from sklmtl._batches import dataset_labels
    >>> data = TensorDataset(torch.zeros(3, 2), torch.tensor([[0, 1], [1, 1], [1, 0]]))
    >>> dataset_labels(data).tolist()
    [[0, 1], [1, 1], [1, 0]]
    """
    targets = declared_targets(dataset)
    if targets is not None:
        return targets
    labels = [_item_labels(dataset[i], labels_key) for i in range(len(dataset))]
    if labels and all(isinstance(label, dict) for label in labels):
        import pandas as pd

        return pd.DataFrame(labels)
    rows = [_label_value(label) for label in labels]
    kinds = {np.asarray(row).dtype.kind for row in rows}
    return np.array(rows, dtype=object if len(kinds) > 1 else None)


def declared_targets(dataset):
    """``dataset.targets`` (or a ``Subset``'s rows of its parent's), or None.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import Subset, TensorDataset
    >>> from sklmtl._batches import declared_targets
    >>> data = TensorDataset(torch.zeros(3, 1))
    >>> data.targets = [5, 6, 7]
    >>> declared_targets(Subset(data, [2, 0])).tolist()
    [7, 5]
    """
    targets = getattr(dataset, "targets", None)
    if targets is None and isinstance(dataset, Subset):
        parent = declared_targets(dataset.dataset)
        if parent is None:
            return None
        indices = np.asarray(dataset.indices)
        return parent.iloc[indices] if hasattr(parent, "iloc") else parent[indices]
    if targets is None or hasattr(targets, "iloc"):
        return targets
    if isinstance(targets, torch.Tensor):
        return targets.numpy()
    return np.asarray(targets)


def _item_labels(item, labels_key):
    if isinstance(item, dict):
        if labels_key not in item:
            raise ValueError(
                f"Dataset items are dicts with keys {sorted(map(str, item))}, but no "
                f"{labels_key!r} key for the labels; set item_keys=(<image key>, "
                "<labels key>), or pass y."
            )
        return item[labels_key]
    if isinstance(item, (tuple, list)) and len(item) >= 2:
        return item[1]
    raise ValueError(
        "fit requires y to be passed, but the target y is None, and the Dataset's "
        "items hold no labels (items (image, labels) or dicts with a labels key) "
        "nor does it have a targets attribute."
    )


def _label_value(label):
    if isinstance(label, torch.Tensor):
        return label.item() if label.ndim == 0 else label.numpy()
    return label
