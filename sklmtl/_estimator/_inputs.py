"""Inputs of a network estimator: validating ``X``, dtype, batches to predict.

Dense arrays, images, sparse matrices, tables with categorical columns
(:class:`~sklmtl._tabular.TabularEncoder`) and torch ``Dataset`` objects
are validated here, and prediction runs the network over them batch by
batch (a mixin of the base).
"""

import numpy as np
import torch
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data
from torch.utils.data import Dataset as TorchDataset

from .._batches import (
    dataset_sample_shape,
    feature_batches,
    torch_threads,
)
from .._binary import binary_outputs
from .._sparse import issparse, validate_sparse_X
from .._tabular import TabularEncoder, needs_tabular, reject_text
from .._validation import float_dtype_name
from ..nn.heads import activate
from ..nn.tabular import DEFAULT_N_BINS

__all__ = ["InputMixin"]

# Rows per forward pass at prediction time: bounds memory by the batch.
PREDICT_BATCH_ROWS = 4096
# Work per batch (parameters x rows) under which one torch thread is fastest.
_SMALL_WORK = 2_000_000


class InputMixin:
    """Validation of ``X`` and batched prediction (a mixin of the base).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._inputs import InputMixin
    >>> issubclass(MultiTaskNetClassifier, InputMixin)
    True
    """

    # -------------------------------------------------------------- predict
    def _predict_outputs(self, X):
        """Each task's output for ``X``, as float64 arrays.

        Classification tasks give class probabilities ``(n, n_classes_t)``;
        regression tasks their standardised outputs ``(n, output_width)``
        (the task objects decode them).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        with torch_threads(self._threads_for(PREDICT_BATCH_ROWS)):
            return self._batched_outputs(X)

    def _batched_outputs(self, X):
        module = self.net_.module_
        module.eval()
        device = next(module.parameters()).device
        if self._layout.one_logit_per_task:
            # Every output one sigmoid logit: the whole logit matrix at once.
            return binary_outputs(
                module, X, PREDICT_BATCH_ROWS, device, "list", self._float_dtype()
            )
        n_rows = _num_samples(X)
        outputs = [np.empty((n_rows, width)) for width in self._layout.widths]
        activations = [task.activation for task in self._tasks]
        batches = feature_batches(
            X, PREDICT_BATCH_ROWS, pin=device.type == "cuda", dtype=self._float_dtype()
        )
        with torch.inference_mode():
            for start, batch in batches:
                stop = start + len(batch)
                batch = batch.to(device, non_blocking=True)
                for out, activation, raw in zip(outputs, activations, module(batch)):
                    out[start:stop] = activate(raw.double(), activation).cpu().numpy()
        return outputs

    # ---------------------------------------------------------------- data
    def _validate_X(self, X, reset, learned=None):
        """``validate_data`` that keeps image batches ``(n, C, H, W)`` intact.

        A torch ``Dataset`` is checked on its first item only and never loaded
        as a whole. A table with categorical columns (or with the tabular
        options set) is encoded by :class:`~sklmtl._tabular.TabularEncoder`;
        a sparse ``X`` stays sparse (:mod:`sklmtl._sparse`). A new fit
        (``reset``) puts what it learns of the inputs (``tabular``,
        ``input_shape``, ``raw_sample_shape``) in the dict ``learned``, for
        the fitted-state record.
        """
        if reset:
            learned["tabular"] = None
            tabular = not isinstance(X, TorchDataset) and needs_tabular(
                X,
                self.categorical_features,
                self.missing_values,
                self.numeric_embedding,
            )
        else:
            tabular = getattr(self, "_tabular", None) is not None
        if issparse(X):
            X = validate_sparse_X(self, X, reset=reset, tabular=tabular)
            shape, n_dims = X.shape[1:], X.ndim
        elif tabular:
            return self._validate_table(X, reset, learned)
        elif isinstance(X, TorchDataset):
            shape = dataset_sample_shape(X)
            n_dims = len(shape) + 1
            if reset:
                self.n_features_in_ = shape[0]
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
        else:
            reject_text(X)
            X = validate_data(
                self, X, reset=reset, dtype=self._float_dtype(reset), allow_nd=True
            )
            shape, n_dims = X.shape[1:], X.ndim
        if n_dims not in (2, 4):
            raise ValueError(
                f"X must be 2-D (n_samples, n_features) or 4-D images (n_samples, C, "
                f"H, W); got {n_dims} dimensions (samples of shape {shape})."
            )
        if reset:
            learned["input_shape"] = self._sample_shape(shape)
            learned["raw_sample_shape"] = tuple(shape)
        elif tuple(shape) != tuple(self._raw_sample_shape):
            raise ValueError(
                f"X has samples of shape {tuple(shape)}, but {type(self).__name__} "
                f"was fitted on samples of shape {tuple(self._raw_sample_shape)}."
            )
        return X

    def _validate_table(self, X, reset, learned=None):
        """Check a table's columns against the fit, and encode it (never in place)."""
        if not reset and not hasattr(X, "shape"):
            X = np.asarray(X, dtype=object)
        validate_data(self, X, reset=reset, skip_check_array=True)
        if not reset:
            return self._tabular.transform(X, dtype=self._float_dtype())
        n_bins = None
        if self.numeric_embedding == "piecewise_linear":
            params = self._nested_kwargs("numeric_embedding")
            n_bins = params.get("n_bins", DEFAULT_N_BINS)
        encoder = TabularEncoder(self.categorical_features, self.missing_values, n_bins)
        X = encoder.fit_transform(X, dtype=self._float_dtype(reset))
        learned["tabular"] = encoder
        learned["input_shape"] = (X.shape[1],)
        learned["raw_sample_shape"] = (int(self.n_features_in_),)
        return X

    def _float_dtype(self, reset=False):
        """The numpy dtype the network computes in (``dtype``).

        A new fit reads the parameter; later calls read the fitted network,
        so ``set_params(dtype=...)`` takes effect at the next fit only.
        """
        if reset or not hasattr(self, "net_"):
            return np.dtype(float_dtype_name(self.dtype))
        return self._network_dtype()

    def _network_dtype(self):
        """The dtype the current network was built in (recorded at its fit)."""
        return np.dtype(self._fitted_network_params["dtype"])

    def _sample_shape(self, raw_shape):
        if self.image_shape is None:
            return tuple(raw_shape)
        shape = tuple(int(s) for s in self.image_shape)
        if len(shape) == 2:
            shape = (1, *shape)
        if (
            len(shape) != 3
            or len(raw_shape) != 1
            or int(np.prod(shape)) != raw_shape[0]
        ):
            raise ValueError(
                f"image_shape={self.image_shape!r} does not fit samples of shape "
                f"{tuple(raw_shape)}; give (C, H, W) or (H, W) with C * H * W equal "
                "to n_features."
            )
        return shape

    def _threads_for(self, batch_rows, net=None):
        """Torch threads for work on batches of ``batch_rows`` (``n_threads``)."""
        net = self.net_ if net is None else net
        if self.n_threads != "auto":
            return self.n_threads
        params = list(net.module_.parameters())
        # Where the weights are, not net.device: that is None when an
        # accelerator places the module (sklmtl.distributed).
        if torch.get_num_threads() == 1 or params[0].device.type != "cpu":
            return None
        n_params = sum(p.numel() for p in params)
        # Below ~2e6 multiply-adds per batch, thread start-up costs more than
        # it saves (benchmarks/speed.py, "threads"): one thread.
        return 1 if n_params * batch_rows < _SMALL_WORK else None
