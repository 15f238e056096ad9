"""Crash-safe training: :class:`TrainingCheckpoint` and :func:`resume`.

A checkpoint is an ordinary sklmtl model file (:func:`sklmtl.io.save`'s
format, SHA-256 digests included, written atomically) of the estimator at
the end of an epoch, with two more entries: the progress of the fit it
belongs to (``"checkpoint"`` in the metadata: where the fit began, how many
epochs it asked for, whether it ended) and the running state of the
callbacks that have one (tensors under ``callback.``): sklmtl's stopping
rules, skorch's ``EarlyStopping`` and ``LRScheduler``. :func:`sklmtl.io.load`
reads it as the model of that epoch; :func:`resume` finishes the fit.

The callback lives here rather than in :mod:`sklmtl.callbacks` because it
writes this package's format, and :mod:`sklmtl.io` builds on the
estimators, which build on :mod:`sklmtl.callbacks`.
"""

import os

import torch
from safetensors.torch import save_file
from skorch.callbacks import Callback, EarlyStopping, LRScheduler

from .._state import training_state
from ..callbacks import BestWeights, TrainingLossPlateau
from ..callbacks._finetune import LRSchedule
from ._atomic import atomic_path
from ._codec import Decoder, encode
from ._files import _DATA_SETTINGS, file_content, load_file

__all__ = ["TrainingCheckpoint", "resume"]

_PREFIX = "callback."


class TrainingCheckpoint(Callback):
    """Write the training state to a file every few epochs, to resume after a crash.

    At the end of every ``every``-th epoch of a fit, and when the fit ends,
    the estimator is written to ``path`` as :func:`sklmtl.io.save` writes it
    (atomically: a crash while writing leaves the previous checkpoint
    intact), with everything needed to go on exactly where it stopped: the
    weights, the task weighting's state (DWA's loss history, uncertainty's
    log-variances, GradNorm's weights and initial losses), the optimizer's
    moments and settings (a scheduled learning rate), the RNG stream, the
    history, and the state of the stopping rules and of skorch's
    ``LRScheduler``. :func:`sklmtl.io.resume` finishes the fit in a new
    process; the result predicts exactly as a fit that was never interrupted
    (same ``random_state``, on the CPU).

    It runs after the other callbacks of an epoch, wherever it is listed, so
    that it records the state they leave. Each fit needs its own path: in a
    hyperparameter search every candidate would write to the same file.

    Parameters
    ----------
    path : str or path-like
        The checkpoint file (``.safetensors`` is customary); replaced at
        every write.
    every : int, default=1
        Write at the end of every ``every``-th epoch of the fit (and always
        when the fit ends).

    See Also
    --------
    resume : finish the fit a checkpoint belongs to.
    sklmtl.io.load : load the checkpoint as the model of its epoch.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.io import TrainingCheckpoint, load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.safetensors"
    >>> X, Y = [[0.0], [1.0]] * 4, [[0, 1], [1, 0]] * 4
    >>> clf = MultiTaskNetClassifier(
    ...     max_epochs=3, random_state=0, callbacks=[TrainingCheckpoint(path)]
    ... ).fit(X, Y)
    >>> load(path).n_iter_
    3
    """

    runs_last = True

    def __init__(self, path, every=1):
        self.path = path
        self.every = every

    def initialize(self):
        if isinstance(self.every, bool) or not (
            isinstance(self.every, int) and self.every >= 1
        ):
            raise ValueError(
                f"TrainingCheckpoint(every={self.every!r}): every must be an "
                "integer of at least 1."
            )
        self.estimator_ = None
        return self

    def bind_estimator(self, estimator, fit_start=None, fit_epochs=None):
        """Called by the estimator around training: whom to save, and the fit's plan.

        Parameters
        ----------
        estimator : MultiTaskNetClassifier or None
            The estimator whose fit this callback saves (a classifier,
            regressor or ``MultiTaskNet``); None unbinds.
        fit_start : int or None, default=None
            The length of the history when the fit began.
        fit_epochs : int or None, default=None
            The epochs the fit asked for.
        """
        self.estimator_ = estimator
        self.fit_start_ = fit_start
        self.fit_epochs_ = fit_epochs

    def on_epoch_end(self, net, **kwargs):
        done = len(net.history) - self._bound().fit_start_
        if done % self.every == 0:
            self._write(net, ended=False)

    def on_train_end(self, net, **kwargs):
        last = dict(net.callbacks_).get("last_finished_epoch")
        # An interrupted fit (Ctrl-C) has epochs left; any other end is final.
        self._write(net, ended=not getattr(last, "interrupted_", False))

    def _bound(self):
        if getattr(self, "estimator_", None) is None:
            raise TypeError(
                "TrainingCheckpoint writes sklmtl estimators' checkpoints: pass it "
                "in the callbacks of a MultiTaskNetClassifier, "
                "MultiTaskNetRegressor or MultiTaskNet, not of a skorch net."
            )
        return self

    def _write(self, net, ended):
        self._bound()
        estimator = self.estimator_
        state = {
            "attributes": estimator._fitted_state.to_dict(),
            "training": {
                **training_state(net),
                "history": list(net.history),
                # Training runs on the estimator's own stream (a fork of
                # torch's global one): this is where it stands now.
                "rng_state": torch.get_rng_state(),
            },
        }
        callbacks, tensors = {}, {}
        for name, callback in net.callbacks_:
            cb_state = _callback_state(callback)
            if cb_state is not None:
                callbacks[name] = _pack(
                    cb_state, f"{_PREFIX}{name}", tensors, f"callback {name!r}"
                )
        progress = {
            "fit_start": self.fit_start_,
            "fit_epochs": self.fit_epochs_,
            "ended": ended,
            "callbacks": callbacks,
            # The file holds none of these: resume must be given them again.
            "data_settings": [
                name
                for name in _DATA_SETTINGS
                if getattr(estimator, name, None) is not None
            ],
        }
        content, metadata = file_content(
            estimator,
            state,
            extra={"checkpoint": progress},
            extra_tensors=tensors,
        )
        with atomic_path(self.path) as temp:
            save_file(content, temp, metadata=metadata)


def _callback_state(callback):
    """The running state of a callback that has one (else None)."""
    if isinstance(callback, EarlyStopping):
        return {
            "misses_": callback.misses_,
            "dynamic_threshold_": float(callback.dynamic_threshold_),
            "best_epoch_": callback.best_epoch_,
            "best_model_weights_": callback.best_model_weights_,
        }
    if isinstance(callback, TrainingLossPlateau):
        return {"best_": float(callback.best_), "misses_": callback.misses_}
    if isinstance(callback, BestWeights):
        state = callback.state
        if state is not None:
            state = {k: v for k, v in state.items() if k != "optimizer_class"}
        return {"state": state, "epoch": callback.epoch, "best_": float(callback.best_)}
    if isinstance(callback, LRScheduler):
        return {
            "scheduler": callback.lr_scheduler_.state_dict(),
            "batch_idx_": callback.batch_idx_,
        }
    return None


def _set_callback_state(callback, state):
    if isinstance(callback, LRScheduler):
        callback.lr_scheduler_.load_state_dict(state["scheduler"])
        callback.batch_idx_ = state["batch_idx_"]
        return
    for key, value in state.items():
        setattr(callback, key, value)


def _pack(value, key, tensors, what):
    """JSON-safe form of nested dicts/lists of tensors and plain values; the
    tensors go to ``tensors`` under keys starting with ``key``."""
    if torch.is_tensor(value):
        tensors[key] = value
        return {"__tensor__": key}
    if isinstance(value, dict):
        return {
            "__dict__": [
                [encode(k, what, {}), _pack(v, f"{key}.{i}", tensors, what)]
                for i, (k, v) in enumerate(value.items())
            ]
        }
    if isinstance(value, (list, tuple)):
        items = [_pack(v, f"{key}.{i}", tensors, what) for i, v in enumerate(value)]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    try:
        return encode(value, what, {})
    except TypeError as exc:
        raise TypeError(
            f"TrainingCheckpoint cannot save the state of {what}: {exc}"
        ) from None


def _unpack(data, tensors, decode):
    if isinstance(data, list):
        return [_unpack(v, tensors, decode) for v in data]
    if isinstance(data, dict):
        if "__tensor__" in data:
            return tensors[data["__tensor__"]]
        if "__dict__" in data:
            return {
                decode.value(k): _unpack(v, tensors, decode)
                for k, v in data["__dict__"]
            }
        if "__tuple__" in data:
            return tuple(_unpack(v, tensors, decode) for v in data["__tuple__"])
    return decode.value(data)


class _Resumption:
    """What :func:`resume` hands to the estimator's ``_fit``."""

    def __init__(self, plan, param_groups, callbacks):
        self.plan = plan
        self.param_groups = param_groups
        self.callbacks = callbacks

    def restore(self, net):
        """Once the callbacks have begun training: their saved state, then the
        optimizer's saved settings (a scheduler sets the rate when built)."""
        for name, callback in net.callbacks_:
            if name in self.callbacks:
                _set_callback_state(callback, self.callbacks[name])
        optimizer = getattr(net.optimizer_, "optimizer", net.optimizer_)
        skip = {"params"}
        if any(isinstance(cb, LRSchedule) for _, cb in net.callbacks_):
            # The estimator's LRSchedule rebuilds its schedule from each
            # group's base rate and replays the steps taken: the saved,
            # already scheduled rate would be scheduled a second time.
            skip |= {"lr", "initial_lr"}
        for group, saved in zip(optimizer.param_groups, self.param_groups):
            group.update({k: v for k, v in saved.items() if k not in skip})


def resume(
    path,
    X,
    y,
    *,
    sample_weight=None,
    callbacks=None,
    custom_objects=None,
    **data_settings,
):
    """Finish the fit a :class:`TrainingCheckpoint` file belongs to.

    Loads the checkpoint (checking its digests, as :func:`sklmtl.io.load`
    does) and trains the epochs the interrupted fit had left, from exactly
    the state it was in at the end of its last checkpointed epoch: the
    predictions equal those of a fit that was never interrupted, for the
    same ``random_state``, bit for bit on the CPU in float64 and float32.
    On a GPU the equality is not established: a continued fit reseeds the
    GPU's generator from the CPU stream, as ``warm_start`` does. A fit that
    had ended (all its epochs, or stopped by its stopping rule) is returned
    as it is.

    Parameters
    ----------
    path : str or path-like
        The checkpoint written by :class:`TrainingCheckpoint`.
    X, y : array-like
        The training data of the interrupted fit (the same rows: a
        different ``X`` or ``y`` trains on, but is no longer that fit).
    sample_weight : array-like or None, default=None
        The sample weights of the interrupted fit.
    callbacks : list or None, default=None
        The callbacks to train with, as the interrupted fit had them (user
        callbacks are not stored in files): pass a
        :class:`TrainingCheckpoint` again to keep writing checkpoints, and
        an ``LRScheduler`` of the same name to go on with its schedule.
    custom_objects : dict or None, default=None
        As in :func:`sklmtl.io.load`.
    **data_settings : dict
        The training-data settings of the interrupted fit, which files do not
        hold (``train_transform``, ``valid_transform``, ``validation_data``,
        ``train_split``), given again as they were. Each one the fit had set
        must be given (None goes on without it).

    Returns
    -------
    estimator : MultiTaskNetClassifier, MultiTaskNetRegressor or MultiTaskNet
        The fitted estimator.

    Raises
    ------
    ValueError
        When the file is damaged or not an sklmtl file (as
        :func:`sklmtl.io.load`), or is a model saved by
        :func:`sklmtl.io.save` rather than a checkpoint.
    TypeError
        When a training-data setting the interrupted fit had set is not
        given again.

    See Also
    --------
    TrainingCheckpoint : write the checkpoints.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.io import TrainingCheckpoint, resume
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.safetensors"
    >>> X, Y = [[0.0], [1.0]] * 4, [[0, 1], [1, 0]] * 4
    >>> clf = MultiTaskNetClassifier(
    ...     max_epochs=3, random_state=0, callbacks=[TrainingCheckpoint(path)]
    ... ).fit(X, Y)
    >>> resume(path, X, Y).n_iter_  # this fit had ended: returned as it is
    3
    """
    estimator, payload, tensors = load_file(path, custom_objects=custom_objects)
    progress = payload.get("checkpoint")
    if progress is None:
        raise ValueError(
            f"{os.fspath(path)} is a saved model, not a training checkpoint (written "
            "by sklmtl.io.TrainingCheckpoint): there is no fit to resume. Load it "
            "with sklmtl.io.load and continue with warm_start=True or partial_fit."
        )
    unknown = sorted(set(data_settings) - set(_DATA_SETTINGS))
    if unknown:
        raise TypeError(
            f"resume() got unexpected keyword arguments {unknown}: besides "
            "sample_weight, callbacks and custom_objects it takes only the "
            f"settings a checkpoint does not hold, {list(_DATA_SETTINGS)}."
        )
    missing = [
        name for name in progress.get("data_settings", ()) if name not in data_settings
    ]
    if missing:
        given = ", ".join(f"{name}=..." for name in missing)
        raise TypeError(
            f"The interrupted fit was trained with {missing}, which checkpoints do "
            f"not hold: pass them to resume() again as they were ({given}), or "
            "as None to go on without them (no longer the same fit)."
        )
    estimator.set_params(callbacks=callbacks, **data_settings)
    left = progress["fit_start"] + progress["fit_epochs"] - len(estimator.history_)
    if progress["ended"] or left <= 0:
        return estimator
    decode = Decoder(custom_objects)
    saved = {
        name: _unpack(state, tensors, decode)
        for name, state in progress["callbacks"].items()
    }
    if saved.get("best_weights", {}).get("state") is not None:
        saved["best_weights"] = _best_weights(saved["best_weights"], estimator)
    resumption = _Resumption(
        (progress["fit_start"], progress["fit_epochs"]),
        payload["optimizer"]["param_groups"],
        saved,
    )
    estimator._fit(
        X,
        y,
        continuing=True,
        epochs=left,
        classes=None,
        sample_weight=sample_weight,
        resume=resumption,
    )
    return estimator


def _best_weights(saved, estimator):
    """BestWeights' state with the optimizer class it was copied from."""
    state = dict(saved["state"])
    optimizer = estimator.net_.optimizer_
    state["optimizer_class"] = type(getattr(optimizer, "optimizer", optimizer))
    return {**saved, "state": state}
