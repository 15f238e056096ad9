"""Data-parallel training over several processes or GPUs with Hugging Face Accelerate.

:class:`AcceleratedMultiTaskNetClassifier` is :class:`~sklmtl.MultiTaskNetClassifier`
with skorch's :class:`skorch.hf.AccelerateMixin` under it. Launch the same
script once per process (``accelerate launch`` on GPUs, or
``python -m torch.distributed.run --standalone --nproc_per_node 2 script.py``
on CPUs with ``accelerator=Accelerator(cpu=True)``): every rank reads its
shard of each batch, DDP averages the network's gradients, and every rank
ends with the same weights.

What differs from skorch's mixin, and why:

- Only the module and the optimizer go through ``accelerator.prepare``. The
  criterion holds the task weighting; on several CPU processes accelerate
  wraps every prepared module in ``DistributedDataParallel``, and DDP fails on
  a criterion without trainable parameters. A learnable weighting
  (``"uncertainty"``) does have parameters: their gradients are averaged over
  the ranks explicitly after each backward pass, so they stay in sync.
- Per-task losses and accuracies in ``history`` (``train_loss_<task>``, ...)
  and ``train_loss``/``valid_loss`` are summed over the ranks at the end of
  each epoch: every rank records the global values, and epoch-level
  weightings (DWA) see the same losses everywhere.
- Batches come from a ``DataLoader`` (accelerate shards it): ``batch_size`` is
  per process, so the global batch is ``batch_size * n_processes``.
- Gradient aggregators (``"upgrad"``, ``"mgda"``, ...) and ``"gradnorm"``
  differentiate through the shared features outside the module's forward
  pass, which DDP cannot synchronise: they are refused with a clear error.

The fitted estimator predicts in one process like the plain one, and
:func:`sklmtl.io.save` writes it as a plain ``MultiTaskNetClassifier``
(pickling an Accelerate net is not supported by skorch).
"""

import torch
from skorch.callbacks import Callback
from skorch.dataset import unpack_data
from skorch.hf import AccelerateMixin
from torch.utils.data import DataLoader
from torch.utils.data import Dataset as TorchDataset

from ._batches import _array_source
from ._estimator._parameters import Parameter
from ._net import MultiTaskNeuralNet
from .callbacks import silent_sink
from .classifier import MultiTaskNetClassifier
from .weighting import GradNorm, LossWeighting

__all__ = ["AcceleratedMultiTaskNet", "AcceleratedMultiTaskNetClassifier"]


def _world_size():
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_world_size()
    return 1


class _Rows(TorchDataset):
    """In-memory ``(X, y)`` rows that a ``DataLoader`` fetches a batch at a time.

    A ``DataLoader`` calls ``__getitems__`` with a whole batch's indices when
    the dataset has it; one tensor index then replaces skorch's per-row
    ``__getitem__`` and the collation of the rows (the plain estimator's
    :class:`~sklmtl._batches.ArrayBatches` slices the same way). The
    ``DataLoader`` stays, so accelerate can shard its batches.
    """

    def __init__(self, X, y, indices=None):
        self.X = X
        self.y = y
        self.indices = indices

    def __len__(self):
        return len(self.y) if self.indices is None else len(self.indices)

    def __getitem__(self, index):
        X, y = self.__getitems__([index])
        return X[0], y[0]

    def __getitems__(self, batch_indices):
        rows = torch.as_tensor(batch_indices, dtype=torch.long)
        if self.indices is not None:
            rows = self.indices[rows]
        return self.X[rows], self.y[rows]


def _whole_batch(batch):
    """``collate_fn`` for :class:`_Rows`: its batches come collated."""
    return batch


def _data_loader(dataset, **kwargs):
    """A ``DataLoader`` for accelerate to shard, fetching whole batches.

    Datasets that are not in-memory arrays (or a custom ``collate_fn``) get
    skorch's per-row path.
    """
    source = None if "collate_fn" in kwargs else _array_source(dataset)
    if source is None:
        return DataLoader(dataset, **kwargs)
    return DataLoader(_Rows(*source), collate_fn=_whole_batch, **kwargs)


def _average_gradients(parameters):
    world = _world_size()
    if world == 1:
        return
    for param in parameters:
        if param.grad is not None:
            torch.distributed.all_reduce(param.grad)
            param.grad /= world


class _GlobalObjective(Callback):
    """Replace each rank's ``train_objective`` by the global mean.

    ``train_loss``/``valid_loss`` need nothing: :class:`PerTaskScoring` sums
    the per-task values over the ranks before it averages them.
    """

    def on_epoch_end(self, net, **kwargs):
        if _world_size() == 1:
            return
        row = net.history[-1]
        for key in ("train_objective",):
            if key not in row:
                continue
            n_rows = sum(b.get("train_batch_size", 0) for b in row["batches"])
            stats = torch.tensor(
                [row[key] * n_rows, float(n_rows)], dtype=torch.float64
            )
            torch.distributed.all_reduce(stats)
            net.history.record(key, float(stats[0] / stats[1]))


class AcceleratedMultiTaskNet(AccelerateMixin, MultiTaskNeuralNet):
    """skorch multi-task net trained through an ``accelerate.Accelerator``.

    Built by :class:`AcceleratedMultiTaskNetClassifier` (its ``net_``); users
    configure the estimator, not this net. The steps are sklmtl's multi-task
    net's (a module returning per-task logits, a
    :class:`~sklmtl.nn.MultiTaskObjective` criterion), run through
    :class:`skorch.hf.AccelerateMixin`.

    Parameters
    ----------
    *args : tuple
        The arguments of :class:`skorch.NeuralNet` (``module``,
        ``criterion``, ...).
    accelerator : accelerate.Accelerator
        Prepares the module and the optimizer, and shards the batches.
    device : None, default=None
        Left to the accelerator, as skorch's mixin requires.
    unwrap_after_train : bool, default=True
        Unwrap the module from DDP after training (skorch's option).
    callbacks__print_log__sink : "auto" or callable, default="auto"
        Where the epoch table goes; ``"auto"`` prints on the main process
        only (skorch's option).
    **kwargs : dict
        Further :class:`skorch.NeuralNet` arguments.

    Examples
    --------
    >>> from sklmtl.distributed import AcceleratedMultiTaskNetClassifier
    >>> clf = AcceleratedMultiTaskNetClassifier(max_epochs=1)
    >>> clf = clf.fit([[0.0], [1.0]], [[0, 1], [1, 0]])
    >>> type(clf.net_).__name__
    'AcceleratedMultiTaskNet'
    """

    def initialize(self):
        # skorch's fit initializes again after the estimator's initialize():
        # the fresh module must be prepared again, not skipped as "wrapped".
        self._wrapped_with_accelerator = False
        return super().initialize()

    def _initialize_accelerator(self):
        if self._wrapped_with_accelerator:
            return self
        with self._current_init_context("module"):
            for name in self._modules:
                module = getattr(self, name + "_")
                setattr(self, name + "_", self.accelerator.prepare(module))
        with self._current_init_context("optimizer"):
            for name in self._optimizers:
                optimizer = getattr(self, name + "_")
                setattr(self, name + "_", self.accelerator.prepare(optimizer))
        # Kept out of prepare (see the module docstring); on the right device.
        self.criterion_.to(self.accelerator.device)
        self._wrapped_with_accelerator = True
        return self

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        with self.accelerator.autocast():
            # Through the (DDP-wrapped) module's forward, so DDP syncs gradients.
            y_pred = self.infer(Xi, **fit_params)
            task_losses, task_counts = self._task_losses(y_pred, yi)
            self._check_finite(task_losses, "training")
            loss = self.criterion_.weighting.combine(task_losses)
        self.accelerator.backward(loss)
        _average_gradients(self.criterion_.parameters())
        return {
            "loss": loss,
            "y_pred": y_pred,
            "task_losses": task_losses.detach(),
            "task_counts": task_counts,
        }


class AcceleratedMultiTaskNetClassifier(MultiTaskNetClassifier):
    """:class:`~sklmtl.MultiTaskNetClassifier` trained data-parallel with Accelerate.

    Takes every parameter of :class:`~sklmtl.MultiTaskNetClassifier` (with
    ``batch_size`` per process), plus ``accelerator``.

    Parameters
    ----------
    {parameters}

    See Also
    --------
    sklmtl.MultiTaskNetClassifier : the single-process estimator.

    Examples
    --------
    >>> from sklmtl.distributed import AcceleratedMultiTaskNetClassifier
    >>> clf = AcceleratedMultiTaskNetClassifier(hidden_layer_sizes=(8,),
    ...                                         max_epochs=2, random_state=0)
    >>> clf.fit([[0.0], [1.0], [2.0]], [[0, "a"], [1, "b"], [1, "b"]]).predict(
    ...     [[2.0]]).shape
    (1, 2)
    """

    _own_parameters = (
        Parameter(
            "accelerator",
            None,
            (),
            """\
accelerate.Accelerator or None, default=None
    The accelerator; None creates ``Accelerator()`` at fit (use
    ``Accelerator(cpu=True)`` for several CPU processes).""",
        ),
    )
    # First, as before: AcceleratedMultiTaskNetClassifier(accelerator).
    _own_parameters_after = None

    def _net_class(self):
        return AcceleratedMultiTaskNet

    def _iterator_class(self):
        return _data_loader

    def _check_weighting(self, strategy):
        if not isinstance(strategy, LossWeighting) or isinstance(strategy, GradNorm):
            raise ValueError(
                f"task_weighting={self.task_weighting!r} is not supported with "
                "data-parallel training: gradient aggregators and GradNorm work on "
                "the shared features outside the module's forward pass, which DDP "
                "cannot synchronise. Use a loss weighting: 'equal', fixed weights, "
                "'uncertainty', 'dwa' or 'rlw'."
            )
        return strategy

    def _net_kwargs(self):
        if self.precision != "32":
            # The accelerator's autocast and gradient scaler would run beside
            # the estimator's: one of them must be off.
            raise ValueError(
                f"precision={self.precision!r} is not used with an accelerator; "
                "set precision='32' and pass Accelerator(mixed_precision="
                "'bf16') (or 'fp16') instead."
            )
        if self.freeze_trunk_epochs and _world_size() > 1:
            # DDP fixes at wrapping time which parameters take gradients.
            raise ValueError(
                "freeze_trunk_epochs is not supported with several processes: "
                "DistributedDataParallel fixes which parameters train when it "
                "wraps the module. Use skorch's Freezer for the whole fit, or "
                "freeze_trunk_epochs=0."
            )
        if self.accelerator is None:
            from accelerate import Accelerator

            accelerator = Accelerator()
        else:
            accelerator = self.accelerator
        # The accelerator places the module: skorch requires device=None then.
        # skorch's accelerate sink would print the epoch table even with
        # verbose=0; print on the main process only, and only when asked.
        sink = accelerator.print if self.verbose else silent_sink
        kwargs = {
            **super()._net_kwargs(),
            "callbacks": [("global_objective", _GlobalObjective())],
            "accelerator": accelerator,
            "device": None,
            "callbacks__print_log__sink": sink,
        }
        if self.do_early_stopping_:
            kwargs["callbacks__early_stopping__sink"] = sink
        return kwargs
