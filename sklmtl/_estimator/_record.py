"""The fitted-state record: what a fit learns beyond the network's weights.

:class:`FittedState` holds the task objects and their output layout, the
names, the sample shapes, the table encoding, the seed, the early stopping
decision and the parameters that define the network; the classifier's
record adds the class weights (:class:`ClassifierState`) and
``MultiTaskNet``'s whether ``y`` was a DataFrame (:class:`MixedState`). All
three live here so that a field is added beside the others and to the file.

:meth:`FittedState.to_dict` and :meth:`FittedState.from_dict` are the
``attributes`` an :func:`sklmtl.io.save` file holds, key for key (the
migrations in :mod:`sklmtl.io._migrations` read older files as this
format). How an estimator fills and reads the record is
:mod:`sklmtl._estimator._fitted`.
"""

import dataclasses

import numpy as np

from .._tabular import TabularEncoder
from .._tasks import OutputLayout, task_from_state

__all__ = ["ClassifierState", "FittedState", "MixedState"]


@dataclasses.dataclass(frozen=True, eq=False)
class FittedState:
    """Everything a fit learns beyond the network's weights.

    Estimators whose fit learns more extend it with fields of their own (the
    classifier's class weights, ``MultiTaskNet``'s target kind) and add them
    to :meth:`target_dict`.

    Parameters
    ----------
    layout : OutputLayout
        The tasks (``layout.tasks``) and the network's outputs they decide.
    task_names : list of str
        The name of every task.
    y_is_1d : bool
        Whether ``y`` was one column (predictions are then 1-D).
    n_features_in : int
        The number of columns of ``X`` (or the first dimension of a sample).
    feature_names_in : ndarray of str or None
        The column names of ``X``, when it had string names.
    input_shape : tuple of int
        The shape of a sample as the network reads it.
    raw_sample_shape : tuple of int
        The shape of a sample of ``X`` as given.
    tabular : TabularEncoder or None
        The table encoding, when ``X`` was a table with categorical columns
        (or the tabular options were set).
    next_seed : int
        The seed of the fit's torch RNG and validation split.
    do_early_stopping : bool
        Whether the fit holds out a validation split and stops early.
    network_params : dict
        The parameters that define the network's weights, as
        ``_network_params`` gives them (with the network's ``dtype``).
    trunk_weights_sha256 : str or None, default=None
        The SHA-256 digest of the local file the backbone's starting
        weights came from (``trunk__weights``), None without one.
    n_epochs_cv : int or None, default=None
        The number of epochs ``early_stopping="cv"`` chose, None without it.
    cv_valid_loss : list of float or None, default=None
        Its mean validation loss over the folds after each epoch.
    weight_decay : float, default=0.0
        The weight decay the optimizer got (``weight_decay``, or what
        ``"auto"`` resolved to).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetRegressor
    >>> reg = MultiTaskNetRegressor(max_epochs=1, random_state=0).fit(
    ...     [[0.0], [1.0], [2.0]], [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    >>> state = reg._fitted_state
    >>> state.task_names, state.input_shape
    (['task_0', 'task_1'], (1,))
    >>> type(state).from_dict(state.to_dict(), reg._network_params()).to_dict() == (
    ...     state.to_dict())
    True
    """

    layout: OutputLayout
    task_names: list
    y_is_1d: bool
    n_features_in: int
    feature_names_in: object
    input_shape: tuple
    raw_sample_shape: tuple
    tabular: object
    next_seed: int
    do_early_stopping: bool
    network_params: dict
    trunk_weights_sha256: object = None
    n_epochs_cv: object = None
    cv_valid_loss: object = None
    weight_decay: float = 0.0

    @property
    def tasks(self):
        """The task objects, in the order of ``task_names``."""
        return self.layout.tasks

    def target_dict(self):
        """What the record knows of the target, as plain values."""
        return {
            "tasks": [task.state() for task in self.tasks],
            "y_is_1d": bool(self.y_is_1d),
        }

    @classmethod
    def target_fields(cls, target):
        """The fields :meth:`target_dict` wrote, read back (inverse of it)."""
        return {
            "layout": OutputLayout.for_tasks(
                [task_from_state(s) for s in target["tasks"]]
            ),
            "y_is_1d": bool(target["y_is_1d"]),
        }

    def to_dict(self):
        """The record as plain values: the ``attributes`` a file holds.

        Returns
        -------
        attributes : dict
            The inverse of :meth:`from_dict`; the network parameters other
            than ``dtype`` are the estimator's parameters, saved as such.
        """
        feature_names = self.feature_names_in
        return {
            "target": self.target_dict(),
            "task_names": list(self.task_names),
            "n_features_in": int(self.n_features_in),
            "feature_names_in": None
            if feature_names is None
            else [str(n) for n in feature_names],
            "input_shape": [int(s) for s in self.input_shape],
            "raw_sample_shape": [int(s) for s in self.raw_sample_shape],
            "next_seed": int(self.next_seed),
            "do_early_stopping": bool(self.do_early_stopping),
            "tabular": None if self.tabular is None else self.tabular.state(),
            # The network's dtype, which a later set_params(dtype=...) does
            # not change until the next new fit.
            "dtype": np.dtype(self.network_params["dtype"]).name,
            "trunk_weights_sha256": self.trunk_weights_sha256,
            "n_epochs_cv": self.n_epochs_cv,
            "cv_valid_loss": self.cv_valid_loss,
            "weight_decay": float(self.weight_decay),
        }

    @classmethod
    def from_dict(cls, attributes, network_params, weight_decay=0.0):
        """The record :meth:`to_dict` described (the current file format).

        Parameters
        ----------
        attributes : dict
            What :meth:`to_dict` returned (:mod:`sklmtl.io` reads older
            formats as this one first).
        network_params : dict
            The estimator's network parameters; the saved ``dtype``
            replaces theirs.
        weight_decay : float, default=0.0
            The penalty of a file written before ``weight_decay="auto"``
            (which holds none): its ``weight_decay`` parameter, which could
            only be a number then.

        Returns
        -------
        state : FittedState
        """
        feature_names = attributes["feature_names_in"]
        tabular = attributes["tabular"]
        return cls(
            **cls.target_fields(attributes["target"]),
            task_names=list(attributes["task_names"]),
            n_features_in=attributes["n_features_in"],
            feature_names_in=None
            if feature_names is None
            else np.asarray(feature_names, dtype=object),
            input_shape=tuple(attributes["input_shape"]),
            raw_sample_shape=tuple(attributes["raw_sample_shape"]),
            tabular=None if tabular is None else TabularEncoder.from_state(tabular),
            next_seed=attributes["next_seed"],
            do_early_stopping=attributes["do_early_stopping"],
            network_params={**network_params, "dtype": attributes["dtype"]},
            # Absent from files written before backbones by name.
            trunk_weights_sha256=attributes.get("trunk_weights_sha256"),
            # Absent from files written before early_stopping="cv".
            n_epochs_cv=attributes.get("n_epochs_cv"),
            cv_valid_loss=attributes.get("cv_valid_loss"),
            # Absent from files written before weight_decay="auto".
            weight_decay=attributes.get("weight_decay", weight_decay),
        )


@dataclasses.dataclass(frozen=True, eq=False)
class ClassifierState(FittedState):
    """The classifier's fitted state: the base record and the class weights.

    Parameters
    ----------
    class_weights : list of (ndarray or None), or None, default=None
        Each task's class weights in its cross-entropy (``class_weight``
        resolved against the fit's labels).

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> clf = MultiTaskNetClassifier(class_weight="balanced", max_epochs=1).fit(
    ...     [[0.0], [1.0], [2.0]], ["a", "b", "b"])
    >>> clf._fitted_state.class_weights[0].tolist()
    [1.5, 0.75]
    """

    class_weights: object = None

    def target_dict(self):
        weights = self.class_weights
        return {
            **super().target_dict(),
            "class_weights": None
            if weights is None
            else [None if w is None else np.asarray(w) for w in weights],
        }

    @classmethod
    def target_fields(cls, target):
        return {
            **super().target_fields(target),
            "class_weights": target["class_weights"],
        }


@dataclasses.dataclass(frozen=True, eq=False)
class MixedState(FittedState):
    """``MultiTaskNet``'s fitted state: the base record and the kind of ``y``.

    Parameters
    ----------
    y_is_frame : bool, default=False
        Whether ``y`` was a DataFrame (``predict`` then returns one).

    Examples
    --------
    >>> import pandas as pd
    >>> from sklmtl import MultiTaskNet
    >>> Y = pd.DataFrame({"kind": ["a", "b", "a"], "size": [1.0, 2.0, 3.0]})
    >>> net = MultiTaskNet(task_types={"size": "regression"}, max_epochs=1)
    >>> net.fit([[0.0], [1.0], [2.0]], Y)._fitted_state.y_is_frame
    True
    """

    y_is_frame: bool = False

    def target_dict(self):
        return {**super().target_dict(), "y_is_frame": bool(self.y_is_frame)}

    @classmethod
    def target_fields(cls, target):
        return {
            **super().target_fields(target),
            "y_is_frame": bool(target["y_is_frame"]),
        }
