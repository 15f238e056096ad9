"""skorch callbacks that record per-task losses and accuracies in ``history``."""

import torch
from skorch.callbacks import Callback

__all__ = ["PerTaskScoring"]


class PerTaskScoring(Callback):
    """Record each task's loss and accuracy per epoch, for train and valid.

    The training step hands every batch's per-task losses (``task_losses``)
    and labelled counts (``task_counts``) to ``on_batch_end``; the accuracies
    come from the logits the step already computed, so nothing is run twice.
    Values are averaged over the labelled cells of the epoch and written as
    ``train_loss_<task>``, ``train_acc_<task>``, ``valid_loss_<task>`` and
    ``valid_acc_<task>``.

    Parameters
    ----------
    task_names : list of str
        The tasks, in the order of the module's outputs.

    Examples
    --------
    >>> from sklmtl.callbacks import PerTaskScoring
    >>> PerTaskScoring(["colour", "size"]).task_names
    ['colour', 'size']
    """

    def __init__(self, task_names):
        self.task_names = task_names

    def on_epoch_begin(self, net, **kwargs):
        self._sums = {}

    def on_batch_end(
        self,
        net,
        batch=None,
        training=False,
        y_pred=None,
        task_losses=None,
        task_counts=None,
        **kwargs,
    ):
        if task_losses is None:
            return
        codes = batch[1].to(task_losses.device)
        labelled = codes >= 0
        correct = torch.stack(
            [
                ((logits.argmax(dim=1) == codes[:, t]) & labelled[:, t]).sum()
                for t, logits in enumerate(y_pred)
            ]
        ).to(task_losses.dtype)
        stats = torch.stack([task_losses.detach() * task_counts, correct, task_counts])
        prefix = "train" if training else "valid"
        self._sums[prefix] = self._sums.get(prefix, 0) + stats

    def on_epoch_end(self, net, **kwargs):
        for prefix, stats in self._sums.items():
            loss_sum, correct, counts = stats.cpu().tolist()
            for name, loss, hits, count in zip(
                self.task_names, loss_sum, correct, counts
            ):
                if count:
                    net.history.record(f"{prefix}_loss_{name}", loss / count)
                    net.history.record(f"{prefix}_acc_{name}", hits / count)
