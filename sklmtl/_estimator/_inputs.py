"""Inputs of a network estimator: validating ``X``, dtype, batches to predict.

Dense arrays, images, sparse matrices, tables with categorical columns
(:class:`~sklmtl._tabular.TabularEncoder`) and torch ``Dataset`` objects
each have an adapter (:mod:`sklmtl._estimator._input_kinds`), chosen once
per call by :meth:`InputMixin._validate_input`; training and prediction
run through the adapter's batches (a mixin of the base).
"""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from .._batches import torch_threads
from .._binary import binary_outputs
from .._images import ItemCollate, loader_batches
from .._validation import float_dtype_name
from ..nn._sparse_input import accepts_sparse
from ..nn.heads import activate
from ._input_kinds import input_kind

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
        kind, X = self._validate_input(X, reset=False)
        with torch_threads(self._threads_for(PREDICT_BATCH_ROWS)):
            with self._other_size_refused(kind):
                return self._batched_outputs(kind, X)

    @contextmanager
    def _other_size_refused(self, kind):
        """Turn torch's error on images of another size into a clear ValueError.

        Images of the fitted channels at another size than the fit's reach
        the network (a trunk that pools globally takes them); a trunk that
        flattens its feature map takes one size only, and fails there.
        """
        if not getattr(kind, "resized", False):
            yield
            return
        try:
            yield
        except RuntimeError as exc:
            fitted = "x".join(map(str, self._raw_sample_shape[1:]))
            given = "x".join(map(str, kind.sample_shape[1:]))
            raise ValueError(
                f"X has samples of shape {tuple(kind.sample_shape)}, but "
                f"{type(self).__name__} was fitted on {fitted} images (samples of "
                f"shape {tuple(self._raw_sample_shape)}) and its trunk cannot take "
                f"{given} images ({exc}). Resize them to {fitted} "
                "(valid_transform=...), or use a trunk that pools globally."
            ) from None

    def _batched_outputs(self, kind, X):
        module = self.net_.module_
        module.eval()
        device = next(module.parameters()).device
        batches = self._prediction_batches(kind, X, device)
        if self._layout.one_logit_per_task:
            # Every output one sigmoid logit: the whole logit matrix at once,
            # and each task's array a view of one (n, n_tasks, 2) array.
            with self.net_.autocast():
                pairs = binary_outputs(module, batches, kind.n_rows(X), device, "pairs")
            return list(pairs.transpose(1, 0, 2))
        outputs = [np.empty((kind.n_rows(X), width)) for width in self._layout.widths]
        activations = [task.activation for task in self._tasks]
        with torch.inference_mode():
            for start, batch in batches:
                stop = start + len(batch)
                batch = batch.to(device, non_blocking=True)
                with self.net_.autocast():  # precision="bf16"/"fp16"
                    raws = module(batch)
                for out, activation, raw in zip(outputs, activations, raws):
                    out[start:stop] = activate(raw.double(), activation).cpu().numpy()
        return outputs

    def _prediction_batches(self, kind, X, device):
        """The batches of a validated ``X`` that prediction runs the network on.

        Rows go through a ``DataLoader`` (:func:`~sklmtl._images.loader_batches`)
        when ``valid_transform`` or ``iterator_valid__num_workers`` ask for it,
        and always for a ``Dataset``; otherwise they are sliced. Images come
        ``batch_size`` at a time (or ``iterator_valid__batch_size``), other
        rows ``PREDICT_BATCH_ROWS`` at a time. With ``channels_last`` image
        batches are made channels-last.
        """
        pin = device.type == "cuda"
        dtype = self._float_dtype()
        options = self._nested_kwargs("iterator_valid")
        rows = PREDICT_BATCH_ROWS
        if kind.images:
            rows = options.get("batch_size", self.batch_size)
        if self.valid_transform is None and not options.get("num_workers"):
            batches = kind.batches(
                X,
                rows,
                pin=pin,
                dtype=dtype,
                sparse_batches=accepts_sparse(self.net_.module_),
            )
        else:
            collate = ItemCollate(self.valid_transform, dtype)
            batches = loader_batches(kind.items(X, dtype), rows, collate, pin, options)
        if not getattr(self.net_, "channels_last", False):
            return batches
        return (
            (start, self.net_.as_input(batch) if batch.dim() == 4 else batch)
            for start, batch in batches
        )

    # ---------------------------------------------------------------- data
    def _validate_input(self, X, reset, learned=None, sample_weight=None):
        """The adapter of ``X``'s kind, chosen once, and ``X`` validated by it.

        ``validate_data`` that keeps image batches ``(n, C, H, W)`` intact;
        images of another height and width than the fit's are accepted (the
        prediction then refuses them if the trunk cannot take them). A
        torch ``Dataset`` is checked on its first item only and never loaded
        as a whole. A table with categorical columns (or with the tabular
        options set) is encoded by :class:`~sklmtl._tabular.TabularEncoder`;
        a sparse ``X`` stays sparse (:mod:`sklmtl._sparse`). A new fit
        (``reset``) puts what it learns of the inputs (``tabular``,
        ``input_shape``, ``raw_sample_shape``) in the dict ``learned``, for
        the fitted-state record.

        Returns
        -------
        kind : InputKind
            The adapter (:func:`~sklmtl._estimator._input_kinds.input_kind`)
            that training and prediction ask for rows and batches.
        X : ndarray, sparse matrix or torch Dataset
            The validated (for a table, encoded) input.
        """
        kind = input_kind(X, self, reset)
        if reset and sample_weight is not None and hasattr(kind, "row_weight"):
            # A table: its scaling statistics follow the row weights.
            kind.row_weight = _row_weights(sample_weight, kind.n_rows(X))
        X = kind.validate(self, X, reset)
        shape = kind.sample_shape
        if reset:
            learned["tabular"] = kind.encoder
            learned["input_shape"] = kind.network_shape(self)
            learned["raw_sample_shape"] = tuple(shape)
        elif tuple(shape) != tuple(self._raw_sample_shape):
            kind.resized = _other_image_size(shape, self._raw_sample_shape)
            if kind.resized:
                return kind, X
            raise ValueError(
                f"X has samples of shape {tuple(shape)}, but {type(self).__name__} "
                f"was fitted on samples of shape {tuple(self._raw_sample_shape)}."
            )
        return kind, X

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


def _row_weights(sample_weight, n_rows):
    """One weight per row for the scaling statistics, or None.

    Row weights ``(n_samples,)`` weigh the rows; per-cell weights
    ``(n_samples, n_tasks)`` weigh labels, not rows (a cell of weight 0 is
    a missing label, and its row still counts): None. Weights of another
    shape (or length) are left to :func:`~sklmtl._weights.check_sample_weight`,
    which names the problem.
    """
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if weights.shape != (n_rows,) or not np.all(np.isfinite(weights)):
        return None
    return None if np.any(weights < 0) else weights


def _other_image_size(shape, fitted):
    """Whether ``shape`` is an image of the fitted channels at another size."""
    return len(shape) == 3 and len(fitted) == 3 and shape[0] == fitted[0]
