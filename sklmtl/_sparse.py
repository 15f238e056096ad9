"""Sparse ``X`` (SciPy CSR/CSC/COO matrices and arrays): checked once, read
one batch of rows at a time, kept sparse where the network allows it.

Text features (``TfidfVectorizer``, ``HashingVectorizer``) are sparse and wide:
100k documents x 2**18 features hold ~26M stored values (~300 MB as CSR), but
would take 100 GB dense. :func:`validate_sparse_X` checks such an ``X`` once
(CSR kept as it is, other formats converted to CSR, float32 and float64 kept
without a copy, stored values finite) and :class:`SparseRows` hands the
training loop and ``predict`` one batch of rows at a time, so memory is
bounded by the sparse matrix, the model and one batch.

A batch is a sparse COO tensor when every module of the network that reads
``X`` starts with an ``nn.Linear`` (:func:`sklmtl.nn._sparse_input.accepts_sparse`:
the MLP trunk and the experts and gates of every architecture):
``torch.nn.functional.linear`` multiplies it with ``torch.sparse.mm`` and
gives the weights the same dense gradients as a densified batch, so a step
costs time in proportion to the batch's stored values (plus the dense
weight update). ``benchmarks/sparse.py --compare-matmul`` measured one
first-layer training step on 256 TF-IDF-like rows of 2**18 features at
647 ms densified against 89 ms sparse (``benchmarks/results/sparse/``).
Other networks (a CNN, the tabular trunk, a user's trunk, an MLP trunk
with no hidden layer) read dense batches, densified one batch at a time.
The trained network is an ordinary dense module either way (``io.save``,
ONNX with a dense input).
"""

import numbers

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils.validation import validate_data

__all__ = ["SparseRows", "dense_batch_rows", "issparse", "validate_sparse_X"]

# Largest dense block (bytes) that prediction densifies at once: 4096 rows of
# 2**18 text features would be 4 GiB; 32 MiB keeps the per-batch overhead
# negligible next to the matrix product.
_PREDICT_BLOCK_BYTES = 2**25


def issparse(X):
    """Whether ``X`` is a SciPy sparse matrix or sparse array.

    Parameters
    ----------
    X : object
        Anything.

    Returns
    -------
    is_sparse : bool

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from sklmtl._sparse import issparse
    >>> issparse(sp.csr_array((2, 3))), issparse([[0.0]])
    (True, False)
    """
    return sp.issparse(X)


def _uses_images(estimator):
    trunk = estimator.trunk
    if estimator.image_shape is not None:
        return "image_shape"
    if isinstance(trunk, str):
        # "cnn" and the backbones by name ("resnet18", "timm:<name>").
        return None if trunk == "mlp" else f"trunk={trunk!r}"
    from .nn import CNNTrunk
    from .nn._backbones import is_backbone

    if is_backbone(trunk):
        return f"trunk={getattr(trunk, '__name__', trunk)}"

    is_cnn = (
        issubclass(trunk, CNNTrunk)
        if isinstance(trunk, type)
        else isinstance(trunk, CNNTrunk)
    )
    return "trunk=CNNTrunk" if is_cnn else None


def _check_finite(X, name):
    finite = np.isfinite(X.data)
    if finite.all():
        return
    n_nan = int(np.isnan(X.data).sum())
    n_inf = int(finite.size - finite.sum()) - n_nan
    raise ValueError(
        f"Sparse X stores {n_nan} NaN and {n_inf} infinite value(s); {name} "
        "needs finite features. Impute or drop them first (a sparse matrix's "
        "implicit zeros are features equal to 0, not missing values)."
    )


def validate_sparse_X(estimator, X, *, reset, tabular=False):
    """``validate_data`` for sparse ``X``: CSR, floating point, finite values.

    CSR input of dtype float32 or float64 is returned as it is (no copy);
    other formats are converted to CSR and integer values to float32. The
    input is never modified.

    Parameters
    ----------
    estimator : MultiTaskNetBase
        The estimator (sets ``n_features_in_`` when ``reset``).
    X : sparse matrix or sparse array of shape (n_samples, n_features)
        The input.
    reset : bool
        True at ``fit``; False checks ``X`` against the fitted feature count.
    tabular : bool, default=False
        Whether the estimator's settings (or its fit) ask for the tabular
        encoder (categorical columns, NaN indicators, numeric embeddings),
        which reads dense tables only.

    Returns
    -------
    X : CSR matrix or CSR array
        The validated input.

    Raises
    ------
    ValueError
        If the estimator uses an image trunk or the tabular encoder, or a
        stored value is NaN or infinite, or ``X`` has no rows or no columns.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._sparse import validate_sparse_X
    >>> X = sp.csc_matrix(np.eye(3))
    >>> validate_sparse_X(MultiTaskNetClassifier(), X, reset=True).format
    'csr'
    """
    name = type(estimator).__name__
    if tabular:
        raise ValueError(
            f"{name} got a sparse X, but categorical_features, "
            "missing_values='indicator' or numeric_embedding (or a fit on a table "
            "with categorical columns) ask for the tabular encoder, which reads "
            "dense tables. Encode the table in a pipeline step instead (for "
            "example OneHotEncoder, which outputs sparse X) and keep the "
            "tabular options at their defaults."
        )
    images = _uses_images(estimator)
    if images is not None:
        raise ValueError(
            f"{name} got a sparse X but is set up for images ({images}); image "
            "trunks need dense pixels. Pass X.toarray() (if it fits in memory) "
            "or use trunk='mlp' for sparse features such as text."
        )
    X = validate_data(
        estimator,
        X,
        reset=reset,
        accept_sparse=["csr"],
        accept_large_sparse=True,
        dtype=(np.float32, np.float64),
        ensure_all_finite=False,
    )
    _check_finite(X, name)
    return X


def dense_batch_rows(batch_rows, n_features):
    """Rows per prediction batch so that one dense float32 block stays small.

    Parameters
    ----------
    batch_rows : int
        The rows a dense ``X`` would use.
    n_features : int
        The width of ``X``.

    Returns
    -------
    rows : int
        ``batch_rows``, lowered so that ``rows * n_features`` float32 values
        take at most 32 MiB (at least one row).

    Examples
    --------
    >>> from sklmtl._sparse import dense_batch_rows
    >>> dense_batch_rows(4096, 100), dense_batch_rows(4096, 2**18)
    (4096, 32)
    """
    return int(
        max(1, min(batch_rows, _PREDICT_BLOCK_BYTES // (4 * max(n_features, 1))))
    )


class SparseRows:
    """Rows of a CSR matrix, read as dense tensors one batch at a time.

    Indexing with an int gives one dense row of shape ``(n_features,)``
    (what a ``DataLoader`` collates); with a slice, an index array or tensor,
    the rows of shape ``(n_rows, n_features)``: a sparse COO tensor when
    ``sparse``, else a dense one (only the requested rows are densified).
    It is what the training loop (:class:`~sklmtl._batches.ArrayBatches`,
    or a ``DataLoader`` when ``iterator_train__<option>`` arguments are
    given) and prediction read from.

    Parameters
    ----------
    matrix : CSR matrix or CSR array of shape (n_samples, n_features)
        The validated input (see :func:`validate_sparse_X`); never modified.
    dtype : numpy dtype, default=np.float32
        The dtype of the rows (the network's).
    sparse : bool, default=False
        Give batches of rows as sparse COO tensors (coalesced), for a
        network that reads them as they are
        (:func:`sklmtl.nn._sparse_input.accepts_sparse`).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from sklmtl._sparse import SparseRows
    >>> rows = SparseRows(sp.csr_matrix(np.arange(6.0).reshape(3, 2)))
    >>> len(rows), rows[1].tolist(), rows[np.array([2, 0])].shape
    (3, [2.0, 3.0], torch.Size([2, 2]))
    >>> batch = SparseRows(rows.matrix, sparse=True)[1:3]
    >>> batch.layout, batch.to_dense().tolist()
    (torch.sparse_coo, [[2.0, 3.0], [4.0, 5.0]])
    """

    def __init__(self, matrix, dtype=np.float32, sparse=False):
        self.matrix = matrix
        self.shape = matrix.shape
        self.dtype = np.dtype(dtype)
        self.sparse = bool(sparse)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        if isinstance(index, torch.Tensor):
            index = index.numpy()
        if isinstance(index, numbers.Integral):
            return self._dense(self.matrix[[int(index)], :])[0]
        block = self.matrix[index, :]
        return self._coo(block) if self.sparse else self._dense(block)

    def _coo(self, block):
        # A coalesced COO tensor needs its entries in row-major order without
        # duplicates: CSR rows are in order, the columns within a row only
        # in canonical format (sorted, summed duplicates).
        if not block.has_canonical_format:
            block = block.copy()
            block.sum_duplicates()
        counts = np.diff(block.indptr)
        indices = np.empty((2, block.nnz), dtype=np.int64)
        indices[0] = np.repeat(np.arange(block.shape[0], dtype=np.int64), counts)
        indices[1] = block.indices
        values = block.data.astype(self.dtype, copy=False)
        return torch.sparse_coo_tensor(
            torch.from_numpy(indices),
            torch.from_numpy(values),
            block.shape,
            is_coalesced=True,
            check_invariants=False,
        )

    def _dense(self, block):
        # The batch's few stored values are cast before densifying: one
        # allocation of the dense block in the network's dtype, not two.
        return torch.from_numpy(block.astype(self.dtype, copy=False).toarray())

    def __repr__(self):
        return (
            f"SparseRows(shape={self.shape}, nnz={self.matrix.nnz}, "
            f"format={self.matrix.format!r}, sparse={self.sparse})"
        )
