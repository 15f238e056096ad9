"""The skorch ``NeuralNet`` that trains one multi-task module.

It overrides only the step hooks (``train_step_single``, ``validation_step``,
``get_loss``). The module returns a tuple of per-task logits; the criterion (a
:class:`~sklmtl.nn.MultiTaskObjective`) returns per-task losses over labelled
cells and holds the task weighting, which turns them into gradients. Each step
also hands ``task_losses``/``task_counts`` to the callbacks: that is how
per-task values reach ``history``.
"""

import torch
from skorch import NeuralNet
from skorch.dataset import unpack_data
from skorch.utils import to_tensor

from .exceptions import TrainingDivergedError

__all__ = ["MultiTaskNet"]


class MultiTaskNet(NeuralNet):
    """skorch net for a module that returns a tuple of per-task logits.

    Parameters are those of :class:`skorch.NeuralNet`; the criterion must be
    a :class:`~sklmtl.nn.MultiTaskObjective` (its ``weighting`` decides how
    gradients are formed).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> clf = MultiTaskNetClassifier(max_epochs=1).fit([[0.0], [1.0]], [[0, 1], [1, 0]])
    >>> type(clf.net_).__name__
    'MultiTaskNet'
    """

    def _set_training(self, training=True):
        # skorch calls this every batch, and module.train() walks every
        # submodule (one head per task): skip it when nothing changes.
        if self.module_.training == training and self.criterion_.training == training:
            return
        super()._set_training(training)

    def _task_losses(self, y_pred, y_true):
        y_true = _to_device(y_true, self.device)
        return self.criterion_.task_losses(y_pred, y_true)

    def _check_finite(self, task_losses, stage):
        """Stop with a clear error as soon as a task's loss is NaN or infinite."""
        task_losses = task_losses.detach()
        finite = torch.isfinite(task_losses)
        if bool(finite.all()):
            return
        names = getattr(self.criterion_.weighting, "task_names", None) or [
            f"task_{t}" for t in range(len(task_losses))
        ]
        bad = [names[t] for t in torch.nonzero(~finite).flatten().tolist()]
        values = [
            float(task_losses[t]) for t in torch.nonzero(~finite).flatten().tolist()
        ]
        epoch = len(self.history)
        batch = len(self.history[-1]["batches"]) if epoch else 1
        raise TrainingDivergedError(
            f"Training diverged in epoch {epoch} ({stage} batch {batch}): the loss "
            f"of task(s) {bad} became {values}. The learning rate "
            f"(lr={self.lr}) is likely too high for this data; lower it, "
            "standardise X, or set on_divergence='restore_best' to keep the best "
            "epoch's weights.",
            epoch=epoch,
            tasks=bad,
        )

    def get_loss(self, y_pred, y_true, X=None, training=False):
        task_losses, _ = self._task_losses(y_pred, y_true)
        return self.criterion_.weighting.combine(task_losses)

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        Xi = _to_device(Xi, self.device)
        # encode/decode instead of forward: aggregators need the shared features.
        features = self.module_.encode(Xi)
        y_pred = self.module_.decode(features, Xi)
        task_losses, task_counts = self._task_losses(y_pred, yi)
        self._check_finite(task_losses, "training")
        weighting = self.criterion_.weighting
        loss = weighting.backward(task_losses, task_counts, self, features)
        return {
            "loss": loss,
            "y_pred": y_pred,
            "task_losses": task_losses.detach(),
            "task_counts": task_counts,
        }

    def validation_step(self, batch, **fit_params):
        self._set_training(False)
        Xi, yi = unpack_data(batch)
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            task_losses, task_counts = self._task_losses(y_pred, yi)
            self._check_finite(task_losses, "validation")
            loss = self.criterion_.weighting.combine(task_losses)
        return {
            "loss": loss,
            "y_pred": y_pred,
            "task_losses": task_losses,
            "task_counts": task_counts,
        }


def _to_device(value, device):
    """``to_tensor``, with an asynchronous copy for pinned tensors."""
    if isinstance(value, torch.Tensor):
        return value.to(device, non_blocking=value.is_pinned())
    return to_tensor(value, device=device)
