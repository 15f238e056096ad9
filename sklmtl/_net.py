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

    def _task_losses(self, y_pred, y_true):
        y_true = to_tensor(y_true, device=self.device)
        return self.criterion_.task_losses(y_pred, y_true)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        task_losses, _ = self._task_losses(y_pred, y_true)
        return self.criterion_.weighting.combine(task_losses)

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        Xi = to_tensor(Xi, device=self.device)
        # encode/decode instead of forward: aggregators need the shared features.
        features = self.module_.encode(Xi)
        y_pred = self.module_.decode(features, Xi)
        task_losses, task_counts = self._task_losses(y_pred, yi)
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
            loss = self.criterion_.weighting.combine(task_losses)
        return {
            "loss": loss,
            "y_pred": y_pred,
            "task_losses": task_losses,
            "task_counts": task_counts,
        }
