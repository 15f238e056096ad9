"""One adapter per kind of ``X``, chosen once per ``fit`` or ``predict`` call.

The estimators take dense arrays (rows, 4-D image batches, flat rows that
``image_shape`` turns into images), ``uint8`` image arrays in either layout
(converted one batch at a time), SciPy sparse matrices, tables with
categorical columns (encoded by :class:`~sklmtl._tabular.TabularEncoder`) and
torch ``Dataset`` objects (items of features, ``(image, labels)`` tuples or
dicts; their labels can stand in for ``y``). :func:`input_kind` looks at
``X`` (and at the estimator's settings, or at what its fit recorded) once
and returns the adapter of its kind; the estimator then asks the adapter,
never ``X``'s type:

- :meth:`InputKind.validate` checks ``X`` (``validate_data`` and its kind's
  own rules) and returns what the network reads, leaving the shape of one
  sample in ``sample_shape`` (and, for a table, the fitted ``encoder``);
- :meth:`InputKind.training_data` is what skorch's ``partial_fit`` gets;
- :meth:`InputKind.batches` yields the prediction batches in the network's
  dtype, and :meth:`InputKind.items` gives one row per index for a
  ``DataLoader`` (prediction with ``valid_transform`` or workers);
- both take ``sparse_batches``: whether the network reads sparse batches as
  they are (:func:`~sklmtl.nn._sparse_input.accepts_sparse`), which only a
  sparse ``X`` uses;
- :meth:`InputKind.n_rows` counts the rows.

The adapters only read the estimator (its parameters and fitted encoder);
recording the fitted shapes is the estimator's
(:meth:`~sklmtl._estimator._inputs.InputMixin._validate_input`).
"""

from abc import ABC, abstractmethod

import numpy as np
import torch
from sklearn.utils.validation import _num_samples, check_array, validate_data
from skorch.helper import SliceDataset
from torch.utils.data import Dataset as TorchDataset

from .._batches import (
    DatasetImages,
    LabelledDataset,
    as_tensor,
    first_dataset_sample,
    row_batches,
)
from .._images import ImageArray, ItemCollate, detect_layout, loader_batches
from .._sparse import SparseRows, dense_batch_rows, issparse, validate_sparse_X
from .._table_columns import needs_tabular, reject_text
from .._tabular import TabularEncoder
from ..datasets._files import DatasetRows, ImageFiles
from ..nn.tabular import DEFAULT_N_BINS

__all__ = [
    "DatasetInput",
    "DenseInput",
    "ImageInput",
    "ImagePathsInput",
    "InputKind",
    "SparseInput",
    "TableInput",
    "input_kind",
]


def input_kind(X, estimator, reset):
    """The adapter for ``X``'s kind: the one place that looks at its type.

    Parameters
    ----------
    X : object
        The ``X`` given to ``fit`` or a prediction method.
    estimator : MultiTaskNetBase
        Its parameters decide whether a new fit (``reset``) needs the tabular
        encoder; a fitted estimator keeps the choice of its fit (``_tabular``).
    reset : bool
        True at a new fit.

    Returns
    -------
    kind : InputKind
        A new adapter, for this call only.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import input_kind
    >>> clf = MultiTaskNetClassifier()
    >>> type(input_kind(np.zeros((2, 3)), clf, reset=True)).__name__
    'DenseInput'
    >>> type(input_kind(sp.csr_array((2, 3)), clf, reset=True)).__name__
    'SparseInput'
    >>> clf.set_params(categorical_features=[0])  # doctest: +ELLIPSIS
    MultiTaskNetClassifier(...)
    >>> type(input_kind(np.zeros((2, 3)), clf, reset=True)).__name__
    'TableInput'
    """
    if estimator.image_column is not None and hasattr(X, "columns"):
        return ImagePathsInput(estimator.image_column)
    if reset:
        tabular = not isinstance(X, TorchDataset) and needs_tabular(
            X,
            estimator.categorical_features,
            estimator.missing_values,
            estimator.numeric_embedding,
            estimator.numeric_scaling,
            estimator.image_shape,
        )
    else:
        tabular = getattr(estimator, "_tabular", None) is not None
    if issparse(X):
        # Checked before the table: a sparse X with the tabular options set
        # gets the sparse path's own message.
        return SparseInput(tabular=tabular)
    if tabular:
        return TableInput()
    if isinstance(X, TorchDataset) or _is_item_slices(X):
        return DatasetInput(estimator.item_keys[0])
    if _is_image_array(X, estimator.image_layout):
        return ImageInput()
    return DenseInput()


def _is_item_slices(X):
    """skorch's ``SliceDataset`` of a Dataset's first item elements (images)."""
    return type(X) is SliceDataset and X.idx == 0


def _is_image_array(X, layout):
    """A 4-D array read as images: ``uint8`` pixels, or a layout set explicitly."""
    return (
        isinstance(X, np.ndarray)
        and X.ndim == 4
        and (X.dtype == np.uint8 or layout != "auto")
    )


def trunk_channels(estimator):
    """The channel count the trunk's first convolution expects, or None.

    Read from ``trunk__in_channels`` or from a trunk given as a module
    instance (a torchvision model, for example).

    Examples
    --------
    >>> import torch
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import trunk_channels
    >>> trunk_channels(MultiTaskNetClassifier(trunk=torch.nn.Conv2d(3, 8, 3)))
    3
    >>> trunk_channels(MultiTaskNetClassifier()) is None
    True
    """
    channels = estimator._nested_kwargs("trunk").get("in_channels")
    if channels is not None:
        return int(channels)
    if isinstance(estimator.trunk, torch.nn.Module):
        for module in estimator.trunk.modules():
            if isinstance(module, torch.nn.Conv2d):
                return int(module.in_channels)
    return None


def image_sample_shape(image_shape, raw_shape):
    """The shape the network reads: ``image_shape`` applied to flat samples.

    Parameters
    ----------
    image_shape : None or tuple of int
        The estimator's ``image_shape``: ``(C, H, W)`` or ``(H, W)``.
    raw_shape : tuple of int
        The shape of one sample as given.

    Returns
    -------
    shape : tuple of int

    Examples
    --------
    >>> from sklmtl._estimator._input_kinds import image_sample_shape
    >>> image_sample_shape((8, 8), (64,)), image_sample_shape(None, (5,))
    ((1, 8, 8), (5,))
    """
    if image_shape is None:
        return tuple(raw_shape)
    shape = tuple(int(s) for s in image_shape)
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3 or len(raw_shape) != 1 or int(np.prod(shape)) != raw_shape[0]:
        raise ValueError(
            f"image_shape={image_shape!r} does not fit samples of shape "
            f"{tuple(raw_shape)}; give (C, H, W) or (H, W) with C * H * W equal "
            "to n_features."
        )
    return shape


class InputKind(ABC):
    """What the estimator asks of ``X``, whatever its kind.

    Attributes
    ----------
    sample_shape : tuple of int
        The shape of one sample as given, set by :meth:`validate`.
    encoder : TabularEncoder or None
        The encoder a table was fitted with (None for other kinds).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import input_kind
    >>> clf = MultiTaskNetClassifier()
    >>> kind = input_kind([[0, 1], [2, 3]], clf, reset=True)
    >>> X = kind.validate(clf, [[0, 1], [2, 3]], reset=True)
    >>> kind.sample_shape, kind.n_rows(X), X.dtype
    ((2,), 2, dtype('float32'))
    >>> [tuple(b.shape) for _, b in kind.batches(X, 1, pin=False, dtype=X.dtype)]
    [(1, 2), (1, 2)]
    """

    encoder = None
    sample_shape = None

    @abstractmethod
    def validate(self, estimator, X, reset):
        """Check ``X`` and return what the network reads (never ``X`` modified).

        Parameters
        ----------
        estimator : MultiTaskNetBase
            Gives the settings; ``validate_data`` sets ``n_features_in_``
            (and ``feature_names_in_``) on it when ``reset``.
        X : object
            The input of this kind.
        reset : bool
            True at a new fit; False checks ``X`` against the fit.

        Returns
        -------
        X : ndarray, sparse matrix or torch Dataset
            The validated input.
        """

    @abstractmethod
    def training_data(self, X, targets, dtype, sparse_batches=False):
        """``(X, y)`` for skorch's ``partial_fit``, from the validated ``X``."""

    @abstractmethod
    def batches(self, X, batch_rows, pin, dtype, sparse_batches=False):
        """``(start, batch)`` float tensors over the validated ``X``'s rows."""

    def n_rows(self, X):
        """The number of rows (samples) of the validated ``X``."""
        return _num_samples(X)

    def items(self, X, dtype):
        """One float row (or image) per index, for a ``DataLoader``."""
        return as_tensor(X)

    # Whether the rows are images: prediction batches then follow batch_size.
    images = False

    def network_shape(self, estimator):
        """The shape of one sample as the network reads it."""
        return image_sample_shape(estimator.image_shape, self.sample_shape)

    def _set_sample_shape(self, shape, n_dims):
        if n_dims not in (2, 4):
            raise ValueError(
                f"X must be 2-D (n_samples, n_features) or 4-D images (n_samples, C, "
                f"H, W); got {n_dims} dimensions (samples of shape {shape})."
            )
        self.sample_shape = tuple(shape)


class DenseInput(InputKind):
    """Numeric arrays: rows ``(n, n_features)`` or images ``(n, C, H, W)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import DenseInput
    >>> kind = DenseInput()
    >>> X = kind.validate(MultiTaskNetClassifier(), np.zeros((3, 1, 4, 4)), True)
    >>> kind.sample_shape, X.dtype
    ((1, 4, 4), dtype('float32'))
    """

    def validate(self, estimator, X, reset):
        reject_text(X)
        X = validate_data(
            estimator,
            X,
            reset=reset,
            dtype=estimator._float_dtype(reset),
            allow_nd=True,
        )
        self._set_sample_shape(X.shape[1:], X.ndim)
        self.images = X.ndim == 4
        if self.images:
            self._first = as_tensor(X[0])
        return X

    def network_shape(self, estimator):
        if self.images and estimator.valid_transform is not None:
            return _transformed_shape(estimator, self._first)
        return super().network_shape(estimator)

    def training_data(self, X, targets, dtype, sparse_batches=False):
        return as_tensor(X), targets

    def batches(self, X, batch_rows, pin, dtype, sparse_batches=False):
        # Validation already gave the array the network's dtype.
        return row_batches(as_tensor(X), batch_rows, pin)


class TableInput(DenseInput):
    """A table that needs the :class:`~sklmtl._tabular.TabularEncoder`.

    A DataFrame with categorical columns, or any table when
    ``categorical_features``, ``missing_values="indicator"``,
    ``numeric_embedding`` or ``numeric_scaling`` ask for the encoder. A fit
    fits the encoder (:attr:`encoder`); a fitted estimator's encoder
    transforms. The encoded matrix is dense, so training and batches are
    :class:`DenseInput`'s.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import TableInput
    >>> X = pd.DataFrame({"size": [1.0, 2.0, 3.0], "colour": ["r", "g", "r"]})
    >>> kind = TableInput()
    >>> kind.validate(MultiTaskNetClassifier(), X, reset=True).shape
    (3, 2)
    >>> kind.sample_shape, kind.network_shape(MultiTaskNetClassifier())
    ((2,), (2,))
    """

    _width = None
    #: Row weights of the scaling statistics at fit (set by the estimator).
    row_weight = None

    def validate(self, estimator, X, reset):
        """Check a table's columns against the fit, and encode it (never in place)."""
        if not reset and not hasattr(X, "shape"):
            X = np.asarray(X, dtype=object)
        validate_data(estimator, X, reset=reset, skip_check_array=True)
        self.sample_shape = (int(estimator.n_features_in_),)
        if not reset:
            return estimator._tabular.transform(X, dtype=estimator._float_dtype())
        n_bins = None
        if estimator.numeric_embedding == "piecewise_linear":
            params = estimator._nested_kwargs("numeric_embedding")
            n_bins = params.get("n_bins", DEFAULT_N_BINS)
        scaling = estimator.numeric_scaling
        encoder = TabularEncoder(
            estimator.categorical_features,
            estimator.missing_values,
            n_bins,
            # "auto": a table encoded for another reason is standardised.
            "standard" if scaling == "auto" else scaling,
        )
        X = encoder.fit_transform(
            X, dtype=estimator._float_dtype(reset), sample_weight=self.row_weight
        )
        self.encoder = encoder
        self._width = X.shape[1]
        return X

    def network_shape(self, estimator):
        """The encoded row (``image_shape`` does not apply to a table)."""
        return (self._width,)


class SparseInput(InputKind):
    """SciPy sparse matrices and arrays: kept sparse, read per batch.

    Batches are sparse COO tensors when ``sparse_batches`` (the network
    multiplies them in its first layers), else densified one at a time.

    Parameters
    ----------
    tabular : bool, default=False
        Whether the settings (or the fit) ask for the tabular encoder, which
        reads dense tables only: :meth:`validate` then raises.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import SparseInput
    >>> kind = SparseInput()
    >>> X = kind.validate(MultiTaskNetClassifier(), sp.csc_matrix(np.eye(3)), True)
    >>> X.format, kind.sample_shape
    ('csr', (3,))
    """

    def __init__(self, tabular=False):
        self.tabular = tabular

    def validate(self, estimator, X, reset):
        X = validate_sparse_X(estimator, X, reset=reset, tabular=self.tabular)
        self._set_sample_shape(X.shape[1:], X.ndim)
        return X

    def training_data(self, X, targets, dtype, sparse_batches=False):
        return SparseRows(X, dtype=dtype, sparse=sparse_batches), targets

    def items(self, X, dtype):
        return SparseRows(X, dtype=dtype)

    def batches(self, X, batch_rows, pin, dtype, sparse_batches=False):
        if not sparse_batches:
            # Fewer rows for a wide X: one dense batch takes at most 32 MiB.
            batch_rows = dense_batch_rows(batch_rows, X.shape[1])
        rows = SparseRows(X, dtype=dtype, sparse=sparse_batches)
        return row_batches(rows, batch_rows, pin)


def _transformed_shape(estimator, first):
    """The shape the network reads: ``first`` after ``valid_transform``.

    What prediction reads. The ``train_transform`` is never called here:
    ``first`` may be a validation row.
    """
    transform = estimator.valid_transform
    if transform is None:
        return tuple(first.shape)
    return tuple(torch.as_tensor(transform(first)).shape)


class ImageInput(InputKind):
    """Image arrays in either layout, read as float ``(n, C, H, W)`` per batch.

    A ``uint8`` array ``(N, H, W, C)`` or ``(N, C, H, W)`` (or any 4-D array
    with ``image_layout`` set) is kept as it is; :class:`~sklmtl._images.ImageArray`
    converts the rows of each batch (``uint8`` scaled to ``[0, 1]``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import ImageInput
    >>> kind = ImageInput()
    >>> images = np.zeros((3, 8, 8, 3), np.uint8)
    >>> X = kind.validate(MultiTaskNetClassifier(), images, reset=True)
    >>> kind.layout, kind.sample_shape, X.dtype
    ('NHWC', (3, 8, 8), dtype('uint8'))
    """

    images = True
    layout = None

    def validate(self, estimator, X, reset):
        X = check_array(
            X, dtype=None, allow_nd=True, ensure_all_finite=X.dtype != np.uint8
        )
        channels = (
            trunk_channels(estimator) if reset else estimator._raw_sample_shape[0]
        )
        self.layout = detect_layout(X.shape, estimator.image_layout, channels)
        self.sample_shape = ImageArray(X, self.layout).shape[1:]
        self._first = ImageArray(X[:1], self.layout)[0]
        if reset:
            estimator.n_features_in_ = self.sample_shape[0]
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        return X

    def items(self, X, dtype):
        return ImageArray(X, self.layout, dtype)

    def training_data(self, X, targets, dtype, sparse_batches=False):
        return self.items(X, dtype), targets

    def batches(self, X, batch_rows, pin, dtype, sparse_batches=False):
        return row_batches(self.items(X, dtype), batch_rows, pin)

    def network_shape(self, estimator):
        return _transformed_shape(estimator, self._first)


class DatasetInput(InputKind):
    """A torch ``Dataset``: checked on its first item, never loaded whole.

    Items are features, ``(image, labels)`` tuples or dicts (``image_key``);
    tensors, arrays or PIL images, ``uint8`` pixels scaled to ``[0, 1]``.
    skorch's ``SliceDataset(dataset)`` (of the items' first elements) is
    read as the rows of its dataset, not materialised.
    Prediction reads them through a ``DataLoader`` (with the workers of
    ``iterator_valid__num_workers``).

    Parameters
    ----------
    image_key : str, default="image"
        The key of the image in dict items.

    Examples
    --------
    >>> import torch
    >>> from torch.utils.data import TensorDataset
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import DatasetInput
    >>> kind = DatasetInput()
    >>> X = TensorDataset(torch.zeros(4, 3))
    >>> kind.validate(MultiTaskNetClassifier(), X, reset=True) is X
    True
    >>> kind.sample_shape, kind.n_rows(X)
    ((3,), 4)
    """

    def __init__(self, image_key="image"):
        self.image_key = image_key

    def validate(self, estimator, X, reset):
        if _is_item_slices(X):
            # Read lazily as the rows of its dataset, not materialised by
            # scikit-learn's validation (the image is the item's first part).
            X = DatasetRows(X.dataset, X.indices_)
        self._first = first_dataset_sample(X, self.image_key)
        shape = tuple(self._first.shape)
        self.images = len(shape) == 3
        if reset:
            estimator.n_features_in_ = shape[0]
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        self._set_sample_shape(shape, len(shape) + 1)
        return X

    def items(self, X, dtype):
        return DatasetImages(X, self.image_key, dtype)

    def training_data(self, X, targets, dtype, sparse_batches=False):
        # The labels travel inside the dataset, item by item.
        return LabelledDataset(X, targets, dtype=dtype, image_key=self.image_key), None

    def batches(self, X, batch_rows, pin, dtype, sparse_batches=False):
        collate = ItemCollate(dtype=dtype)
        return loader_batches(self.items(X, dtype), batch_rows, collate, pin)

    def network_shape(self, estimator):
        if not self.images:
            return super().network_shape(estimator)
        return _transformed_shape(estimator, self._first)


class ImagePathsInput(DatasetInput):
    """A DataFrame whose ``image_column`` holds image file paths.

    The paths become :class:`~sklmtl.datasets.ImageFiles`, decoded item by
    item in the ``DataLoader``.

    Parameters
    ----------
    column : str
        The estimator's ``image_column``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from PIL import Image
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._input_kinds import ImagePathsInput
    >>> path = os.path.join(tempfile.mkdtemp(), "a.png")
    >>> Image.fromarray(np.zeros((5, 7, 3), np.uint8)).save(path)
    >>> kind = ImagePathsInput("path")
    >>> table = pd.DataFrame({"path": [path]})
    >>> files = kind.validate(MultiTaskNetClassifier(), table, reset=True)
    >>> kind.sample_shape, len(files)
    ((3, 5, 7), 1)
    """

    def __init__(self, column):
        super().__init__()
        self.column = column

    def validate(self, estimator, X, reset):
        others = [c for c in X.columns if c != self.column]
        if self.column not in X.columns or others:
            raise ValueError(
                f"With image_column={self.column!r}, X must be a table of that one "
                f"column of image paths; got the columns {list(X.columns)}."
            )
        files = ImageFiles(X[self.column].to_numpy())
        return super().validate(estimator, files, reset)
