"""Regression tasks: a standardised target, decoded back to the target's units."""

import numpy as np

from .._labels import object_missing_mask, tighten, type_kind
from .._target_columns import missing_mask
from ._base import REGRESSION, Task

__all__ = ["MIN_VARIANCE", "RegressionTask"]

#: Smallest variance of the Gaussian NLL (standardised units): keeps the
#: loss finite when a prediction is exact.
MIN_VARIANCE = 1e-6


class RegressionTask(Task):
    """A regression task: the mean and scale that standardise its target.

    The network learns the standardised target ``(y - mean) / scale``: every
    task's loss is then on the same scale (a regression loss near 1 at the
    start, like a cross-entropy), which keeps the plain mean of per-task
    losses (``train_loss``/``valid_loss``) and loss weightings meaningful.
    :meth:`to_units` is the one place that undoes it: :meth:`predict`,
    :meth:`predict_std` and the ONNX graph (:meth:`graph_output`) use it.

    Parameters
    ----------
    name : str
        The task's name.
    mean : float, default=0.0
        Mean of the target (weighted by the sample weights).
    scale : float, default=1.0
        Standard deviation of the target (1 when it is 0 under the weights).
    output_width : {1, 2}, default=1
        1 for a point prediction, 2 for a mean and a variance (Gaussian NLL).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._tasks import RegressionTask
    >>> task = RegressionTask("mass", mean=10.0, scale=2.0)
    >>> task.decode(np.array([0.0, 1.0])).tolist()
    [10.0, 12.0]
    """

    kind = REGRESSION
    loss_kind = REGRESSION
    activation = "identity"
    output_prefix = "value"

    def __init__(self, name, mean=0.0, scale=1.0, output_width=1):
        self.name = name
        self.mean = mean
        self.scale = scale
        self.output_width = output_width

    @classmethod
    def learn(cls, name, column, *, missing_label=np.nan, classes=None, output_width=1):
        """The task ``column`` describes (unscaled), and its float values."""
        task = cls(name, output_width=output_width)
        values = task.encode(column, standardise=False)
        labelled = values[~np.isnan(values)]
        if len(labelled) == 0:
            raise ValueError(
                f"Task {name!r} has no labelled sample (every cell is missing); "
                "a regression task needs at least two different values."
            )
        if np.all(labelled == labelled[0]):
            raise ValueError(
                f"Task {name!r} has one repeated value only "
                f"({float(labelled[0])!r} in {len(labelled)} sample(s) with a value); "
                "a regression task needs at least two different values. Drop the "
                "column."
            )
        return task, values

    def encode(self, column, *, missing_label=np.nan, standardise=True):
        """``column`` as float64 (``NaN`` missing), standardised by default."""
        column = np.asarray(column)
        if column.dtype.kind == "O":
            mask = object_missing_mask(column)
            values = tighten(column[~mask])
            if values.dtype.kind == "O":
                kinds = sorted({type_kind(type(v)) for v in values})
                raise TypeError(
                    f"Task {self.name!r} is a regression task but holds values of "
                    f"kind {kinds}; a regression target must hold numbers (missing "
                    "cells as NaN or None)."
                )
        else:
            mask = missing_mask(column)
            values = column[~mask]
        if values.dtype.kind not in "biuf":
            raise TypeError(
                f"Task {self.name!r} is a regression task but holds values of dtype "
                f"{values.dtype} (e.g. {values[0]!r}); a regression target must "
                "hold numbers (missing cells as NaN or None)."
            )
        out = np.full(len(column), np.nan)
        out[~mask] = values.astype(np.float64)
        if not np.all(np.isfinite(out[~mask])):
            raise ValueError(
                f"Input Y contains infinity in regression task {self.name!r}; "
                "targets must be finite (missing cells as NaN)."
            )
        return self.standardise(out) if standardise else out

    def labelled(self, values):
        """Cells with a value (``NaN`` is missing)."""
        return ~np.isnan(values)

    def fit_scaling(self, values, weights=None):
        """Learn ``mean`` and ``scale`` from unscaled values (and cell weights)."""
        labelled = ~np.isnan(values)
        w = np.ones(len(values)) if weights is None else weights
        w = w[labelled]
        if not np.any(w > 0):
            w = np.ones(int(labelled.sum()))
        mean = float(np.average(values[labelled], weights=w))
        scale = float(np.sqrt(np.average((values[labelled] - mean) ** 2, weights=w)))
        self.mean = mean
        self.scale = scale if scale > 0 else 1.0
        return self

    def standardise(self, values):
        """``(values - mean) / scale``."""
        return (values - self.mean) / self.scale

    def to_units(self, standardised):
        """Standardised values back in the target's units.

        Array operators only: it serves numpy arrays and torch tensors (the
        ONNX graph) alike.

        Parameters
        ----------
        standardised : ndarray or Tensor
            Values in the network's (standardised) units.

        Returns
        -------
        values : ndarray or Tensor
            ``standardised * scale + mean``.
        """
        scale, mean = (
            _constant(standardised, self.scale),
            _constant(standardised, self.mean),
        )
        return standardised * scale + mean

    def decode(self, encoded):
        """Values in the target's units (float64) from standardised predictions."""
        return self.to_units(np.asarray(encoded, dtype=np.float64))

    def predict(self, output):
        """The point prediction (the output's first column) in target units."""
        return self.decode(output[:, 0])

    def predict_std(self, output):
        """Standard deviation from the variance output (Gaussian NLL).

        The variance is ``softplus(output[:, 1]) + MIN_VARIANCE`` in
        standardised units, as the loss defines it.
        """
        return self.scale * np.sqrt(np.logaddexp(0.0, output[:, 1]) + MIN_VARIANCE)

    def graph_output(self, raw, activate):
        """The point prediction in the target's units, shape ``(batch,)``.

        In float64: a float32 output would round a target of mean 1e8 to
        steps of 8, losing what the network predicts.
        """
        return self.to_units(activate(raw, self.activation)[:, 0].double())

    def graph_std(self, raw):
        """The predicted standard deviation (Gaussian NLL), in float64.

        :meth:`predict_std`'s formula, with softplus written as
        ``relu(x) + log1p(exp(-|x|))`` (``np.logaddexp(0, x)``).
        """
        if self.output_width != 2:
            return None
        log_var = raw[:, 1].double()
        softplus = log_var.relu() + (-log_var.abs()).exp().log1p()
        return _constant(log_var, self.scale) * (softplus + MIN_VARIANCE).sqrt()

    @property
    def std_output_name(self):
        """``std_<name>`` for a task with a variance output, else None."""
        return f"std_{self.name}" if self.output_width == 2 else None

    def choose(self, classifier, regressor):
        """``regressor``."""
        return regressor

    def estimator_target(self, values):
        """The unscaled values."""
        return values

    def from_estimator(self, predictions):
        """Predictions as a flat float64 column."""
        return np.asarray(predictions).astype(np.float64).reshape(-1)

    @classmethod
    def missing_sentinel(cls, missing_label):
        """``NaN``: a regression column's missing cells are ``NaN``/``None``."""
        return np.nan

    @classmethod
    def score(cls, true, pred, weights, name):
        """R² (scikit-learn's ``r2_score``); NaN below two labelled cells."""
        from sklearn.metrics import r2_score

        try:
            true_t = np.asarray(true.tolist(), dtype=np.float64)
            pred_t = np.asarray(pred.tolist(), dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"Task {name!r} is scored as a regression task but holds values "
                "that are not numbers."
            ) from None
        if len(true_t) < 2:
            return np.nan
        return r2_score(true_t, pred_t, sample_weight=weights)

    def state(self):
        """Plain values that :func:`task_from_state` turns back into the task."""
        return {
            "kind": self.kind,
            "name": self.name,
            "mean": float(self.mean),
            "scale": float(self.scale),
            "output_width": int(self.output_width),
        }

    @classmethod
    def from_state(cls, state):
        """The task :meth:`state` describes."""
        return cls(state["name"], state["mean"], state["scale"], state["output_width"])

    def __repr__(self):
        return (
            f"RegressionTask({self.name!r}, mean={self.mean:.4g}, "
            f"scale={self.scale:.4g})"
        )


def _constant(values, number):
    """``number`` in the dtype of ``values``.

    A tensor gets a tensor of its own dtype: a Python float becomes a float32
    constant in an exported ONNX graph, which rounds a mean of 1e8 + 0.35 to
    1e8. Arrays take the float as it is.
    """
    return values.new_tensor(number) if hasattr(values, "new_tensor") else number
