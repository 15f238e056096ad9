"""The shared parameters of training: optimizer, schedule, stopping, runtime.

Each is declared once (:class:`~sklmtl._estimator._parameters.Parameter`).
"""

import numbers

import numpy as np
import torch

from .._validation import (
    FloatDtype,
    InstanceOf,
    Interval,
    Options,
    SubclassOf,
)
from ..callbacks._finetune import SCHEDULES
from ._declaration import Parameter

__all__ = ["TRAINING_PARAMETERS"]

_BOOL = InstanceOf(bool, np.bool_, name="bool")
_NONE = Options({None})

TRAINING_PARAMETERS = (
    Parameter(
        "optimizer",
        torch.optim.Adam,
        [SubclassOf(torch.optim.Optimizer, "torch.optim.Adam")],
        """\
torch.optim.Optimizer subclass, default=torch.optim.Adam
    The optimizer class.""",
    ),
    Parameter(
        "lr",
        0.001,
        [Interval(numbers.Real, 0, None, closed="neither")],
        """\
float, default=1e-3
    Learning rate.""",
    ),
    Parameter(
        "weight_decay",
        "auto",
        [Options({"auto"}), Interval(numbers.Real, 0, None)],
        """\
"auto" or float, default="auto"
    Weight decay handed to the optimizer (omitted when 0): an L2 penalty
    added to the gradient for Adam, a decay of the weights by
    ``lr * weight_decay`` per step for AdamW. ``"auto"``, with Adam or
    AdamW: decoupled weight decay 1.0 (AdamW's, so Adam trains as
    ``torch.optim.AdamW(weight_decay=1.0)``) for a first fit of fewer
    than 500 rows, where no validation split stops training early; none
    from 500 rows on (AdamW then keeps torch's default), for
    ``partial_fit`` (its first batch says nothing of the data's size),
    for other optimizers, and when ``optimizer__weight_decay`` or
    ``optimizer__decoupled_weight_decay`` is given. A continued fit keeps
    the first fit's choice; the value used is ``weight_decay_``. The rule
    and its value were chosen by cross-validation inside the training
    rows of the development tables under 500 rows
    (``benchmarks/dev_select.py``) and checked once on the held-out
    tables (user guide, *Weight decay below 500 rows*).""",
    ),
    Parameter(
        "batch_size",
        128,
        [Interval(numbers.Integral, 1, None)],
        """\
int, default=128
    Training mini-batch size. Batches are shuffled every epoch. With
    BatchNorm layers (``batch_norm=True``, or a trunk that has them) a
    one-row last batch joins the one before, since BatchNorm cannot
    train on one row.""",
    ),
    Parameter(
        "max_epochs",
        200,
        [Interval(numbers.Integral, 1, None)],
        """\
int, default=200
    Number of passes over the training data (an upper bound with early
    stopping).""",
    ),
    Parameter(
        "early_stopping",
        "auto",
        [_BOOL, Options({"auto", "cv"})],
        """\
"auto", "cv" or bool, default="auto"
    True: hold out ``validation_fraction`` of the training data, stop when the
    validation loss has not improved for ``n_iter_no_change`` epochs and
    restore the best weights. ``"auto"`` turns it on when the first fit
    has at least 500 rows (so the validation split has 50) and off below,
    where every row and every epoch is needed, and off for
    ``partial_fit`` (streamed batches); a continued fit keeps the first
    fit's choice, which is in ``do_early_stopping_``. The monitored
    ``valid_loss`` is the plain mean over tasks of each task's validation
    loss (averaged over its labelled cells), whatever the
    ``task_weighting``: a weighted objective can go negative (uncertainty
    weighting) or be redrawn (``"rlw"``).
    ``"cv"``, for data too small to spare a validation split: choose the
    number of epochs by 3-fold cross-validation inside the training rows,
    then refit on every row for that many epochs, as
    ``LogisticRegressionCV`` chooses ``C``. On each fold a new network
    trains ``max_epochs`` epochs (no ``tol`` plateau rule) and records
    the validation loss (monitored as above, sample weights and missing
    labels included) after every epoch; the epoch count with the lowest
    mean over the folds is ``n_epochs_cv_`` (the mean curve is
    ``cv_valid_loss_``), and the final network trains exactly that many
    epochs. The folds are shuffled with the fit's seed
    (``random_state``), so the choice is deterministic. It costs four
    fits of up to ``max_epochs`` epochs. Only a new ``fit`` cross-validates:
    a continued fit (``warm_start``) trains ``max_epochs`` more epochs
    and ``partial_fit`` one epoch per call, both on every row (the ``tol``
    rule applies as with ``early_stopping=False``); it cannot be combined
    with ``validation_data`` or ``train_split``.""",
    ),
    Parameter(
        "validation_fraction",
        0.1,
        [Interval(numbers.Real, 0, 1, closed="neither")],
        """\
float, default=0.1
    Share of the training data held out for early stopping.""",
    ),
    Parameter(
        "n_iter_no_change",
        20,
        [Interval(numbers.Integral, 1, None)],
        """\
int, default=20
    Patience of early stopping, in epochs. The best weights are restored,
    so a long patience costs time rather than accuracy.""",
    ),
    Parameter(
        "tol",
        0.001,
        [_NONE, Interval(numbers.Real, 0, None)],
        """\
float or None, default=1e-3
    When early stopping is off (``early_stopping=False``, or ``"auto"``
    below 500 rows), training stops once ``train_loss`` (the plain mean
    over tasks of each task's loss) has not improved by at least ``tol``
    for ``n_iter_no_change`` consecutive epochs: the stopping rule of
    ``MLPClassifier``/``MLPRegressor`` (their ``tol``;
    :class:`~sklmtl.callbacks.TrainingLossPlateau`). ``None`` trains all
    ``max_epochs``. Unused with early stopping on, where the validation
    loss decides; ``partial_fit`` (one epoch per call) never stops on it.
    ``1e-3`` rather than scikit-learn's ``1e-4``: this network's loss
    falls faster than a one-layer MLP's. The 500-row rule, ``20`` and
    ``1e-3`` were chosen on development tables, scored on the splits they
    are reported on (user guide, *Early stopping and the monitored
    loss*); their held-out check is in
    ``benchmarks/results/heldout/report.md``.""",
    ),
    Parameter(
        "device",
        "cpu",
        (),
        """\
str or torch.device, default="cpu"
    ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"auto"`` (CUDA when available)
    or a ``torch.device``.""",
    ),
    Parameter(
        "dtype",
        "float32",
        [FloatDtype()],
        """\
{"float32", "float64"}, default="float32"
    The floating-point type the network trains and predicts in (numpy's
    and torch's float32/float64 dtypes are accepted too); inputs are
    converted to it. float64 doubles the memory of weights and
    batches and is slower (1.4x the fit time of a (256, 128) MLP on one
    CPU thread, ``benchmarks/dtype_cost.py``; much more on most GPUs),
    and gives results exact to ~1e-15 instead of ~1e-7: e.g. a fit with
    integer sample weights and one on repeated rows then agree to
    scikit-learn's tolerance. Fixed by the first fit (a continued fit
    cannot change it).""",
        network=True,
    ),
    # Fine-tuning, mixed precision and memory format (user guide, "Images").
    Parameter(
        "lr_schedule",
        None,
        [Options({None, *SCHEDULES})],
        """\
{None, "constant", "cosine", "linear", "onecycle"}, default=None
    Learning-rate schedule, stepped after every training batch over the
    ``max_epochs`` epochs of each ``fit`` (each parameter group of
    ``optimizer__param_groups`` from its own ``lr``): ``"cosine"`` and
    ``"linear"`` decay to zero after the warm-up, ``"constant"`` keeps
    ``lr`` after it, ``"onecycle"`` is torch's ``OneCycleLR`` (warm-up share
    ``warmup_epochs / max_epochs``, else 0.3). None: a constant ``lr``
    (and ``warmup_epochs`` gives a warm-up to it). A ``warm_start`` fit
    starts the schedule again (warm-up included); ``partial_fit`` continues
    it across calls, also after :func:`sklmtl.io.load`. With early
    stopping the schedule may end before it has run its course.""",
    ),
    Parameter(
        "warmup_epochs",
        0,
        [Interval(numbers.Real, 0, None)],
        """\
float, default=0
    Epochs (a fraction allowed, counted in batches) over which the
    learning rate rises linearly to ``lr`` at the start of the schedule.""",
    ),
    Parameter(
        "freeze_trunk_epochs",
        0,
        [Interval(numbers.Integral, 0, None)],
        """\
int, default=0
    Train only the heads (and the task weighting) for this many epochs,
    counted from the first epoch of the first fit, then the whole network.
    The frozen trunk's parameters get no update and no optimizer moments;
    its BatchNorm layers normalise with their running statistics and keep
    them (a pretrained backbone's statistics are not overwritten by the
    first epochs' batches). Needs a loss weighting (gradient aggregators
    and GradNorm work on the trunk's gradients).""",
    ),
    Parameter(
        "precision",
        "32",
        [Options({"32", "bf16", "fp16"})],
        """\
{"32", "bf16", "fp16"}, default="32"
    Mixed precision: ``"bf16"``/``"fp16"`` run the network's forward
    passes (training, validation and prediction) under ``torch.autocast``
    on its device; the weights stay float32, losses are computed in
    float32 and predictions are float32 outputs. ``"fp16"`` adds a
    ``torch.amp.GradScaler`` (and needs a loss weighting). Worth it on a
    GPU; on a CPU without native bfloat16 it is slower (see the user
    guide, "Mixed precision and memory format"). Needs ``dtype="float32"``.""",
    ),
    Parameter(
        "channels_last",
        False,
        [_BOOL],
        """\
bool, default=False
    Keep 4-D weights and image batches in ``torch.channels_last`` memory
    format (faster convolutions on recent GPUs and with mixed precision).""",
    ),
    Parameter(
        "callbacks",
        None,
        [_NONE, InstanceOf(list, tuple)],
        """\
list of skorch callbacks or None, default=None
    Extra skorch callbacks (or ``(name, callback)`` pairs); they are
    copied, never modified.""",
    ),
    Parameter(
        "progress_bar",
        False,
        [_BOOL],
        """\
bool, default=False
    Show skorch's per-batch progress bar with the running loss{progress}.""",
    ),
    Parameter(
        "warm_start",
        False,
        [_BOOL],
        """\
bool, default=False
    When True, a new ``fit`` continues training the fitted network for
    ``max_epochs`` more epochs. Every training setting changed with
    ``set_params`` in between takes effect (``lr``, ``max_epochs``,
    ``batch_size``, ``optimizer`` and ``optimizer__<name>``, ``callbacks``,
    ``early_stopping``, {training_setting}``dropout``); the optimizer's
    moments carry over when the optimizer class is unchanged. Parameters
    that define the weights (``hidden_layer_sizes``, ``batch_norm``,
    ``head_hidden_size``, ``trunk``, ``architecture``, ``image_shape``,
    ``task_weighting``, the five tabular options above and their
    ``<prefix>__`` arguments) cannot change on a continued fit: that
    raises a ``ValueError`` naming them.""",
    ),
    Parameter(
        "verbose",
        0,
        # bool as well: MLPClassifier's verbose is a bool.
        [Interval(numbers.Integral, 0, None), _BOOL],
        """\
int or bool, default=0
    1 (or True) prints the per-epoch table: the plain-mean ``train_loss`` and
    ``valid_loss``, {epoch_scores},
    and task weights when they change and there are at most 4 tasks.
    Per-task values are in ``history_``.""",
    ),
    Parameter(
        "on_divergence",
        "raise",
        [Options({"raise", "restore_best"})],
        """\
{"raise", "restore_best"}, default="raise"
    What happens when a task's loss becomes NaN or infinite: ``"raise"``
    stops with :class:`~sklmtl.exceptions.TrainingDivergedError` naming the
    epoch and the task (a new fit leaves the estimator unfitted; a
    continued fit restores the weights it started from);
    ``"restore_best"`` stops training, restores the weights of the best
    completed epoch (lowest validation loss with early stopping, else
    training loss) and warns with a ``ConvergenceWarning``.""",
    ),
    Parameter(
        "n_threads",
        "auto",
        [Options({None, "auto"}), Interval(numbers.Integral, 1, None)],
        """\
"auto", int or None, default="auto"
    Torch intra-op threads used by ``fit`` and ``predict``; the caller's
    setting is restored afterwards. ``"auto"`` uses one thread for small
    networks on the CPU (parameters x batch rows below 2e6, where more
    threads only add overhead) and torch's setting otherwise; None always
    keeps torch's setting. Parallel searches need nothing more: joblib's
    workers (and Dask's and Ray's) already start torch with one thread
    each. Float sums depend on the thread count: for results identical
    across processes and machines, fix it (e.g. ``n_threads=1``).""",
    ),
    Parameter(
        "random_state",
        None,
        [
            _NONE,
            Interval(numbers.Integral, 0, 2**32 - 1),
            InstanceOf(np.random.RandomState),
        ],
        """\
int, RandomState instance or None, default=None
    Seeds weight initialisation, shuffling, dropout and the validation
    split. An int gives identical predictions across fits. The caller's
    global torch RNG is left untouched.""",
    ),
)
