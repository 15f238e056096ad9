"""Image files and torch Datasets as scikit-learn can slice them.

:class:`ImageFiles` decodes image files one item at a time (inside the
``DataLoader``, in its workers when there are any); :class:`DatasetRows`
views any torch ``Dataset`` through row indices. Both have a ``shape`` and
take index arrays, so scikit-learn's searches and ``cross_validate`` cut
their folds as views: no image is read until a batch needs it, and the
augmentation (the estimator's ``train_transform``) is drawn anew every epoch.
"""

import numbers
import os

import numpy as np
import torch
from torch.utils.data import Dataset

from .._batches import declared_targets

__all__ = ["DatasetRows", "ImageFiles"]

_MODES = ("RGB", "L", "unchanged")


class _Rows(Dataset):
    """Rows ``indices`` of something: ints give items, index arrays views."""

    def __len__(self):
        return len(self.indices)

    @property
    def shape(self):
        """``(n_rows,)``: what scikit-learn counts and slices."""
        return (len(self),)

    def __getitem__(self, index):
        if isinstance(index, tuple):
            # scikit-learn's _safe_indexing asks for rows as X[key, ...].
            index = index[0]
        if isinstance(index, torch.Tensor):
            index = index.numpy()
        if isinstance(index, numbers.Integral):
            return self._item(int(self.indices[index]))
        return self._view(
            self.indices[np.asarray(index) if not isinstance(index, slice) else index]
        )


class DatasetRows(_Rows):
    """A torch ``Dataset`` that scikit-learn can slice into folds without copying.

    Indexing with an int returns the dataset's item; with a slice, an index
    array or a boolean mask, another ``DatasetRows`` over those rows (what
    ``GridSearchCV`` and ``cross_validate`` do to cut their folds). A
    ``targets`` attribute of the dataset (or of the ``Subset``'s parent) is
    sliced with the rows, so that ``fit(rows)`` reads the labels without
    reading an image.

    Parameters
    ----------
    dataset : torch.utils.data.Dataset
        The data; items as the estimators take them (images, ``(image,
        labels)`` tuples or dicts).
    indices : array-like of int or None, default=None
        The rows of ``dataset`` in this view (None: all of them).

    Attributes
    ----------
    targets : ndarray, DataFrame or None
        The rows' labels, when the dataset declares them.

    See Also
    --------
    ImageFiles : images decoded from files, sliceable the same way.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from sklmtl.datasets import DatasetRows
    >>> rows = DatasetRows(TensorDataset(torch.arange(5.0).view(5, 1)))
    >>> fold = rows[[4, 0]]
    >>> len(fold), fold[0][0].tolist(), rows.shape
    (2, [4.0], (5,))
    """

    def __init__(self, dataset, indices=None):
        self.dataset = dataset
        self.indices = (
            np.arange(len(dataset)) if indices is None else np.asarray(indices)
        )

    @property
    def targets(self):
        """The rows' labels, when the dataset declares them (else None).

        Read from the dataset's ``targets`` attribute (or its ``Subset``'s
        parent's), without reading an image.
        """
        targets = declared_targets(self.dataset)
        if targets is None:
            return None
        return (
            targets.iloc[self.indices]
            if hasattr(targets, "iloc")
            else targets[self.indices]
        )

    def _item(self, index):
        return self.dataset[index]

    def _view(self, indices):
        return DatasetRows(self.dataset, indices)


class ImageFiles(_Rows):
    """Image files as a torch ``Dataset``, decoded one item at a time.

    Each item is one image as a ``uint8`` tensor ``(C, H, W)``, read with
    Pillow (which torchvision installs; torchvision 0.29 deprecates its own
    decoders) when a batch needs it: inside the ``DataLoader``, in its
    worker processes with ``iterator_train__num_workers`` and
    ``iterator_valid__num_workers``. The estimators scale the pixels to
    ``[0, 1]`` and apply their ``train_transform`` (training rows) or
    ``valid_transform`` (validation and prediction rows). Sliceable like
    :class:`DatasetRows`: scikit-learn's folds are views, never loaded.

    Parameters
    ----------
    paths : array-like of str or path-like
        One file per row (PNG, JPEG, ...).
    targets : array-like or DataFrame of shape (n_files, n_tasks), default=None
        The labels of the files, read by ``fit(files)`` without decoding an
        image; sliced with the rows.
    root : str or path-like, default=None
        Folder the paths are relative to.
    mode : {"RGB", "L", "unchanged"}, default="RGB"
        Decode to 3 colour channels, 1 grey channel, or as stored (files
        with different channel counts cannot share a batch).

    Attributes
    ----------
    paths : ndarray of object
        The paths of the rows (joined with ``root``).

    See Also
    --------
    DatasetRows : any torch ``Dataset``, sliceable into folds.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from PIL import Image
    >>> from sklmtl.datasets import ImageFiles
    >>> folder = tempfile.mkdtemp()
    >>> black = Image.fromarray(np.zeros((6, 4, 3), np.uint8))
    >>> for name in ["a.png", "b.png"]:
    ...     black.save(os.path.join(folder, name))
    >>> table = pd.DataFrame({"image_id": ["a.png", "b.png"], "smiling": [1, -1]})
    >>> files = ImageFiles.from_frame(table, "image_id", ["smiling"], root=folder)
    >>> files[0].shape, files[0].dtype, files.targets["smiling"].tolist()
    (torch.Size([3, 6, 4]), torch.uint8, [1, -1])
    """

    def __init__(self, paths, targets=None, root=None, mode="RGB"):
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {list(_MODES)}; got {mode!r}.")
        paths = np.asarray(
            [os.fspath(p) for p in np.asarray(paths, dtype=object).ravel()],
            dtype=object,
        )
        if root is not None:
            paths = np.asarray([os.path.join(root, p) for p in paths], dtype=object)
        if targets is not None and len(targets) != len(paths):
            raise ValueError(
                f"ImageFiles got {len(paths)} paths and {len(targets)} rows of "
                "targets; give one row of labels per file."
            )
        self.paths = paths
        self.targets = targets
        self.mode = mode
        self.indices = np.arange(len(paths))

    @classmethod
    def from_frame(cls, frame, path_column, label_columns=None, root=None, mode="RGB"):
        """The files named in a column of ``frame``, labelled by other columns.

        The layout of CelebA's ``list_attr_celeba``: one row per image, a
        file name column and one column per attribute.

        Parameters
        ----------
        frame : DataFrame
            One row per file.
        path_column : str
            The column of file paths.
        label_columns : list of str or None, default=None
            The columns of labels (``targets``); None for unlabelled files.
        root : str or path-like, default=None
            Folder the paths are relative to.
        mode : {"RGB", "L", "unchanged"}, default="RGB"
            As for the class.

        Returns
        -------
        files : ImageFiles

        Examples
        --------
        >>> import pandas as pd
        >>> from sklmtl.datasets import ImageFiles
        >>> table = pd.DataFrame({"file": ["x.jpg"], "hat": [0]})
        >>> ImageFiles.from_frame(table, "file", ["hat"], root="img").paths.tolist()
        ['img/x.jpg']
        """
        if path_column not in frame.columns:
            raise ValueError(
                f"No column {path_column!r} in the table; its columns are "
                f"{list(frame.columns)}."
            )
        targets = None
        if label_columns is not None:
            targets = frame[list(label_columns)].reset_index(drop=True)
        return cls(frame[path_column].to_numpy(), targets, root=root, mode=mode)

    def _item(self, index):
        return _decode(self.paths[index], self.mode)

    def _view(self, indices):
        view = ImageFiles.__new__(ImageFiles)
        view.paths = self.paths[indices]
        view.mode = self.mode
        view.indices = np.arange(len(view.paths))
        view.targets = None
        if self.targets is not None:
            targets = self.targets
            view.targets = (
                targets.iloc[indices].reset_index(drop=True)
                if hasattr(targets, "iloc")
                else np.asarray(targets)[indices]
            )
        return view

    def __repr__(self):
        return f"ImageFiles(<{len(self)} files>, mode={self.mode!r})"


def _decode(path, mode):
    """One file as a ``uint8`` tensor ``(C, H, W)``, read with PIL."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise ImportError(
            "ImageFiles decodes images with Pillow: pip install pillow (torchvision "
            "installs it)."
        ) from None
    try:
        with Image.open(path) as image:
            pixels = np.array(image if mode == "unchanged" else image.convert(mode))
    except UnidentifiedImageError as exc:
        raise ValueError(f"Cannot decode the image file {path!r}: {exc}") from None
    tensor = torch.from_numpy(pixels)
    return tensor.unsqueeze(0) if tensor.ndim == 2 else tensor.permute(2, 0, 1)
