"""The fitted state of a network estimator: tasks, network, snapshots (a mixin).

What a fit learns beyond the weights (the task objects and their output
layout, names, shapes, seeds, the table encoding) and how a fitted estimator
is read (:meth:`~FittedStateMixin._get_fitted_state`) and restored
(:meth:`~FittedStateMixin._restore_fitted_state`, used by
:func:`sklmtl.io.load`), with the training snapshot a continued fit resumes
from.
"""

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from .._labels import label_kind
from .._state import load_training_state, training_state
from .._tabular import TabularEncoder
from .._task_affinity import fitted_affinity
from .._tasks import (
    CLASSIFICATION,
    OutputLayout,
    encode_tasks,
    learn_tasks,
    task_from_state,
)
from .._validation import resolve_device

__all__ = ["FittedStateMixin"]


def _label_set(labels):
    """Labels compared as the task layer compares them (kind and value)."""
    return {(label_kind(v), v) for v in np.asarray(labels, dtype=object).tolist()}


class FittedStateMixin:
    """Fitted state, training snapshots and targets (a mixin of the base).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._fitted import FittedStateMixin
    >>> issubclass(MultiTaskNetClassifier, FittedStateMixin)
    True
    """

    # ------------------------------------------------------ fitted state
    def _training_snapshot(self):
        """Weights, weighting, optimizer, history and RNG stream of ``net_``."""
        return {
            **training_state(self.net_),
            "history": list(self.net_.history),
            "rng_state": getattr(self, "_rng_state", None),
        }

    def _load_snapshot(self, net, snapshot, keep_hyperparameters=True):
        load_training_state(net, snapshot, keep_hyperparameters)
        net.history.clear()
        net.history.extend(snapshot["history"])
        self._rng_state = snapshot["rng_state"]

    def _set_net(self, net):
        net.module_.eval()
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = sum("train_loss" in row for row in net.history)
        # task_affinity_ / gradient_cosine_ exist only when a TaskAffinity
        # callback measured them (in this fit or one it continued).
        for name, value in fitted_affinity(net.history).items():
            if value is not None:
                setattr(self, name, value)
            elif hasattr(self, name):
                delattr(self, name)

    def _get_fitted_state(self):
        """Everything a fitted estimator knows beyond its parameters.

        Returns
        -------
        state : dict
            ``attributes`` (plain values: classes, names, shapes, seeds) and
            ``training`` (state dicts, history and RNG stream); the inverse of
            :meth:`_restore_fitted_state`.
        """
        check_is_fitted(self)
        feature_names = getattr(self, "feature_names_in_", None)
        tabular = getattr(self, "_tabular", None)
        attributes = {
            "target": self._target_state(),
            "task_names": list(self.task_names_),
            "n_features_in": int(self.n_features_in_),
            "feature_names_in": None
            if feature_names is None
            else [str(n) for n in feature_names],
            "input_shape": [int(s) for s in self._input_shape],
            "raw_sample_shape": [int(s) for s in self._raw_sample_shape],
            "next_seed": int(self._next_seed),
            "do_early_stopping": bool(self.do_early_stopping_),
            "tabular": None if tabular is None else tabular.state(),
            # The network's dtype, which a later set_params(dtype=...) does
            # not change until the next new fit.
            "dtype": self._float_dtype().name,
        }
        return {"attributes": attributes, "training": self._training_snapshot()}

    def _restore_fitted_state(self, state, device=None):
        """Make this (unfitted) estimator the fitted one ``state`` describes."""
        self._check_params()
        attributes = state["attributes"]
        self._restore_target_state(attributes["target"])
        self.task_names_ = list(attributes["task_names"])
        self.n_tasks_ = len(self.task_names_)
        self.n_features_in_ = attributes["n_features_in"]
        if attributes["feature_names_in"] is not None:
            self.feature_names_in_ = np.asarray(
                attributes["feature_names_in"], dtype=object
            )
        self._input_shape = tuple(attributes["input_shape"])
        self._raw_sample_shape = tuple(attributes["raw_sample_shape"])
        self._next_seed = attributes["next_seed"]
        # Files written before early_stopping="auto" existed lack the key.
        self.do_early_stopping_ = attributes.get(
            "do_early_stopping", self.early_stopping is True
        )
        tabular = attributes.get("tabular")
        self._tabular = None if tabular is None else TabularEncoder.from_state(tabular)
        self._fitted_network_params = {
            **self._network_params(),
            # Files written before dtype existed hold float32 networks.
            "dtype": attributes.get("dtype", "float32"),
        }
        with torch.random.fork_rng(devices=[]):
            net = self._initialize_net(resolve_device(device or self.device))
        self._load_snapshot(net, state["training"])
        self._set_net(net)
        return self

    # ------------------------------------------------------------- targets
    def _encode_targets(self, y, *, continuing, classes):
        """Encode ``y`` with the task layer; a new fit learns the tasks.

        Returns the training target (:mod:`sklmtl._tasks`): unscaled on a new
        fit (``_fit`` standardises it once the sample weights are known),
        standardised with the fitted scaling on a continued one.
        """
        missing_label = getattr(self, "missing_label", np.nan)
        if continuing:
            return encode_tasks(
                y, self._tasks, missing_label=missing_label, standardise=True
            )
        tasks, values, task_names, is_1d = learn_tasks(
            y,
            self._task_types(),
            missing_label=missing_label,
            classes=classes,
            regression_width=2 if self._regression_loss() == "gaussian_nll" else 1,
        )
        self._set_tasks(tasks)
        self._y_is_1d = is_1d
        self.n_tasks_ = len(tasks)
        self.task_names_ = task_names
        return values

    def _partial_fit_classes(self, classes, y, continuing):
        """``partial_fit``'s ``classes`` as one entry per task (None: learned).

        A later call may repeat the first call's classes, never change them
        (as scikit-learn's ``partial_fit``); it then returns None.
        """
        if classes is None:
            return None
        if np.ndim(y) == 1 or (hasattr(y, "name") and not hasattr(y, "columns")):
            classes = [classes]
        elif (
            isinstance(classes, np.ndarray)
            and classes.ndim == 1
            and not isinstance(classes[0], (list, tuple, np.ndarray))
        ):
            raise ValueError(
                "For a 2-D y, classes must be a list with one array of classes "
                "per task (None to learn a task's classes from the batch)."
            )
        # The entries stay as given: the task layer turns each into an array
        # that keeps the task's label kind (np.asarray of the whole list would
        # turn [0, 1] beside strings, or True beside 1, into another kind).
        classes = list(classes)
        if not continuing:
            return classes
        if len(classes) != len(self._tasks):
            raise ValueError(
                f"classes has {len(classes)} entries but the estimator was fitted "
                f"with {len(self._tasks)} task(s)."
            )
        for given, task in zip(classes, self._tasks):
            fitted = getattr(task, "classes", None)
            if given is None:
                continue
            if fitted is None or _label_set(given) != _label_set(fitted):
                raise ValueError(
                    f"classes={list(given)!r} for task {task.name!r} is not the "
                    "same as on the first call to partial_fit, which fixed "
                    f"{None if fitted is None else fitted.tolist()!r}; the classes "
                    "cannot change between calls."
                )
        return None

    def _task_types(self):
        """The kind of every task, or ``{name: kind}`` overrides (a hook)."""
        return CLASSIFICATION

    def _regression_loss(self):
        """The loss of regression tasks (a hook): ``"mse"``, ..., or None."""
        return None

    def _set_tasks(self, tasks):
        """Keep the tasks and the output layout they decide (once per fit)."""
        self._layout = OutputLayout.for_tasks(tasks)
        self._tasks = self._layout.tasks

    def _output_sizes(self):
        return self._layout.widths

    def _target_state(self):
        return {
            "tasks": [task.state() for task in self._tasks],
            "y_is_1d": bool(self._y_is_1d),
        }

    def _restore_target_state(self, state):
        self._set_tasks([task_from_state(s) for s in state["tasks"]])
        self._y_is_1d = bool(state["y_is_1d"])
