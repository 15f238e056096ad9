"""The fitted state of a network estimator: one record, one setter (a mixin).

What a fit learns beyond the network's weights (the task objects and their
output layout, names, shapes, seeds, the table encoding, the network's
parameters) is one record, :class:`~sklmtl._estimator._record.FittedState`
(:mod:`sklmtl._estimator._record`). A new fit, a continued
one (``warm_start``, ``partial_fit``) and :func:`sklmtl.io.load` each make
a record and hand it to the one setter,
:meth:`FittedStateMixin._set_fitted_state`, which keeps it and derives every
fitted attribute from it: the public ones (``n_tasks_``, ``task_names_``,
``n_features_in_``, ``feature_names_in_``, ``do_early_stopping_`` and, through
one hook, each estimator's own such as ``classes_``), while the private
names the rest of the package reads (``_tasks``, ``_layout``,
``_input_shape``, ...) are read-only views of the record. An attribute
added to the record therefore reaches a fitted and a loaded estimator alike;
one set anywhere else is caught by the test comparing the two.

Its ``to_dict``/``from_dict`` are the ``attributes`` a file holds
(:mod:`sklmtl.io`, which also reads the older formats as the current one).
What comes from the network itself
(``net_``, ``history_``, ``n_iter_``, the task affinity) is set by
:meth:`FittedStateMixin._set_net`, with the training snapshot a continued fit
resumes from.

``n_features_in_`` and ``feature_names_in_`` are decided by scikit-learn's
``validate_data(reset=True)``, which writes them on the estimator while it
validates ``X`` (its rules for names and their warnings stay its own); a fit
reads them back into the record right after, and the setter writes them
again from the record, so that a loaded estimator gets them from the same
place.
"""

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from .._labels import label_kind
from .._state import load_training_state, training_state
from .._task_affinity import fitted_affinity
from .._tasks import (
    CLASSIFICATION,
    OutputLayout,
    encode_tasks,
    learn_tasks,
)
from .._validation import resolve_device
from ._record import FittedState

__all__ = ["FittedStateMixin"]


def _label_set(labels):
    """Labels compared as the task layer compares them (kind and value)."""
    return {(label_kind(v), v) for v in np.asarray(labels, dtype=object).tolist()}


class FittedStateMixin:
    """The fitted-state record, training snapshots and targets (a mixin).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._estimator._fitted import FittedStateMixin
    >>> issubclass(MultiTaskNetClassifier, FittedStateMixin)
    True
    """

    #: The record this estimator's fits fill (a subclass of FittedState
    #: where the estimator learns more).
    _fitted_state_class = FittedState

    # ------------------------------------------------------ fitted state
    def _set_fitted_state(self, state):
        """Keep ``state`` and derive every fitted attribute from it.

        The one writer of what a fit learned: a new fit, a continued one and
        :func:`sklmtl.io.load` all come here.
        """
        self._fitted_state = state
        self.n_tasks_ = len(state.task_names)
        self.task_names_ = list(state.task_names)
        self.n_features_in_ = state.n_features_in
        if state.feature_names_in is not None:
            self.feature_names_in_ = state.feature_names_in
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.do_early_stopping_ = state.do_early_stopping
        self.weight_decay_ = state.weight_decay
        for name in ("n_epochs_cv", "cv_valid_loss"):
            value = getattr(state, name)
            if value is not None:
                setattr(
                    self, name + "_", np.asarray(value) if name[0] == "c" else value
                )
            elif hasattr(self, name + "_"):
                delattr(self, name + "_")
        if state.trunk_weights_sha256 is not None:
            self.trunk_weights_sha256_ = state.trunk_weights_sha256
        elif hasattr(self, "trunk_weights_sha256_"):
            del self.trunk_weights_sha256_
        self._set_estimator_attributes(state)

    def _set_estimator_attributes(self, state):
        """Derive the estimator's own fitted attributes from ``state`` (a hook)."""

    # Read-only views of the record, under the names the package reads.
    _layout = property(lambda self: self._fitted_state.layout)
    _tasks = property(lambda self: self._fitted_state.tasks)
    _y_is_1d = property(lambda self: self._fitted_state.y_is_1d)
    _input_shape = property(lambda self: self._fitted_state.input_shape)
    _raw_sample_shape = property(lambda self: self._fitted_state.raw_sample_shape)
    _tabular = property(lambda self: self._fitted_state.tabular)
    _next_seed = property(lambda self: self._fitted_state.next_seed)
    _fitted_network_params = property(lambda self: self._fitted_state.network_params)

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
            ``attributes`` (the record as plain values:
            ``FittedState.to_dict``) and ``training`` (state dicts,
            history and RNG stream); the inverse of
            :meth:`_restore_fitted_state`.
        """
        check_is_fitted(self)
        return {
            "attributes": self._fitted_state.to_dict(),
            "training": self._training_snapshot(),
        }

    def _restore_fitted_state(self, state, device=None):
        """Make this (unfitted) estimator the fitted one ``state`` describes.

        ``state["attributes"]`` is in the current file format
        (:mod:`sklmtl.io` upgrades an older file's before).
        """
        self._check_params()
        self._set_fitted_state(
            self._fitted_state_class.from_dict(
                state["attributes"],
                self._network_params(),
                # Only files written before "auto" lack the resolved value.
                0.0 if self.weight_decay == "auto" else self.weight_decay,
            )
        )
        with torch.random.fork_rng(devices=[]):
            net = self._initialize_net(
                resolve_device(device or self.device), load_weights=False
            )
        self._load_snapshot(net, state["training"])
        self._set_net(net)
        return self

    # ------------------------------------------------------------- targets
    def _encode_targets(self, y, *, continuing, classes):
        """Encode ``y`` with the task layer; a new fit learns the tasks.

        Returns
        -------
        values : ndarray
            The training target (:mod:`sklmtl._tasks`): unscaled on a new
            fit (``_fit`` standardises it once the sample weights are
            known), standardised with the fitted scaling on a continued one.
        fields : dict
            The record's fields learned from ``y``: on a new fit ``layout``,
            ``task_names`` and ``y_is_1d``; subclasses add their own.
        """
        missing_label = getattr(self, "missing_label", np.nan)
        if continuing:
            values = encode_tasks(
                y, self._tasks, missing_label=missing_label, standardise=True
            )
            return values, {}
        tasks, values, task_names, is_1d = learn_tasks(
            y,
            self._task_types(),
            missing_label=missing_label,
            classes=classes,
            regression_width=2 if self._regression_loss() == "gaussian_nll" else 1,
        )
        # The layout decides the tasks to keep (one logit per binary task).
        fields = {
            "layout": OutputLayout.for_tasks(tasks),
            "task_names": task_names,
            "y_is_1d": is_1d,
        }
        return values, fields

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

    def _output_sizes(self):
        return self._layout.widths
