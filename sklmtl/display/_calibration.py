"""Per-task reliability diagrams (calibration curves)."""

import numpy as np
from sklearn.calibration import calibration_curve

from .._meta._missing_label import missing_label_in_effect
from ..metrics._columns import true_columns
from ._common import (
    estimator_probas,
    estimator_tasks,
    format_label,
    labelled_values,
    select_tasks,
    task_axes,
    task_classes,
    task_scores,
)


class MultiTaskCalibrationDisplay:
    """A reliability diagram per task, on that task's labelled cells.

    Binned with :func:`sklearn.calibration.calibration_curve`. A binary task
    shows the fraction of positives against the mean predicted probability
    of its positive class ``classes_[t][1]``, as
    :class:`~sklearn.calibration.CalibrationDisplay` does. A multiclass task
    shows its *top-label* reliability: the accuracy of the predicted class
    against the mean confidence in it (the largest probability), the
    reliability diagram of Guo et al. (ICML 2017). Top-label reliability is
    one curve per task whatever its number of classes, and it is what a user
    of ``predict`` with ``predict_proba`` as a confidence relies on;
    per-class one-vs-rest curves would be dominated by the easy "rest".
    Create it with :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    prob_true : list of ndarray of shape (n_bins_t,)
        Per task: the fraction of positives (binary) or the accuracy
        (multiclass) in each bin.
    prob_pred : list of ndarray of shape (n_bins_t,)
        Per task: the mean predicted probability (binary) or confidence
        (multiclass) in each bin.
    y_prob : list of ndarray of shape (n_labelled_t,)
        Per task: the binned probabilities or confidences.
    task_names : list of str
        The title of each subplot.
    pos_labels : list
        Per task: the positive class of a binary task, None for a
        multiclass (top-label) task.
    name : str, default=None
        The model's name, shown in the legend.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes of shape (n_tasks,)
        One Axes per task.
    figure_ : matplotlib Figure
        The figure holding them.
    line_ : list of matplotlib Line2D
        The calibration curve of each task.

    See Also
    --------
    sklearn.calibration.CalibrationDisplay : one binary curve.
    sklmtl.calibration.CalibratedMultiTaskClassifier : calibrates each task.

    References
    ----------
    .. [1] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of
       modern neural networks", ICML 2017.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklmtl.display import MultiTaskCalibrationDisplay
    >>> Y_true = [[0, "a"], [1, "b"], [1, "c"], [0, None]]
    >>> Y_prob = [np.array([0.1, 0.9, 0.8, 0.3]),
    ...           np.array([[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.6, 0.2, 0.2],
    ...                     [0.3, 0.3, 0.4]])]
    >>> display = MultiTaskCalibrationDisplay.from_predictions(
    ...     Y_true, Y_prob, n_bins=2)
    >>> display.pos_labels, display.prob_true[1].tolist()
    ([1, None], [0.666...])
    """

    def __init__(
        self, prob_true, prob_pred, y_prob, *, task_names, pos_labels, name=None
    ):
        self.prob_true = prob_true
        self.prob_pred = prob_pred
        self.y_prob = y_prob
        self.task_names = task_names
        self.pos_labels = pos_labels
        self.name = name

    def plot(self, *, ax=None, n_cols=None, name=None, ref_line=True, **kwargs):
        """Draw one subplot per task.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            One Axes per task; None makes a new figure.
        n_cols : int, default=None
            Subplots per row of a new figure (at most 3 when None).
        name : str, default=None
            The model's name in the legend; None uses ``self.name``.
        ref_line : bool, default=True
            Draw the diagonal of a perfectly calibrated model.
        **kwargs : dict
            Passed to ``Axes.plot`` for every curve.

        Returns
        -------
        display : MultiTaskCalibrationDisplay
            The display, with ``ax_``, ``figure_`` and ``line_``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklmtl.display import MultiTaskCalibrationDisplay
        >>> display = MultiTaskCalibrationDisplay(
        ...     [np.array([0.1, 0.8])], [np.array([0.2, 0.7])],
        ...     [np.array([0.2, 0.7])], task_names=["spam"], pos_labels=[None])
        >>> display.plot().ax_[0].get_xlabel()
        'Mean top-label confidence'
        """
        name = self.name if name is None else name
        n_tasks = len(self.task_names)
        self.figure_, self.ax_ = task_axes(ax, n_tasks, n_cols, type(self).__name__)
        self.line_ = []
        for t, axes in enumerate(self.ax_):
            if ref_line:
                axes.plot([0, 1], [0, 1], "k:", label="Perfectly calibrated")
            style = {"marker": "s", "label": name or "model", **kwargs}
            (line,) = axes.plot(self.prob_pred[t], self.prob_true[t], **style)
            pos_label = self.pos_labels[t]
            if pos_label is None:
                xlabel, ylabel = "Mean top-label confidence", "Top-label accuracy"
            else:
                suffix = f" (Positive class: {format_label(pos_label)})"
                xlabel = "Mean predicted probability" + suffix
                ylabel = "Fraction of positives" + suffix
            axes.set(
                title=self.task_names[t],
                xlabel=xlabel,
                ylabel=ylabel,
                xlim=(-0.01, 1.01),
                ylim=(-0.01, 1.01),
                aspect="equal",
            )
            axes.legend(loc="upper left", fontsize="small")
            self.line_.append(line)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        Y,
        *,
        n_bins=5,
        strategy="uniform",
        tasks=None,
        missing_label=None,
        name=None,
        **plot_kwargs,
    ):
        """Reliability diagrams of a fitted multi-task classifier on ``X``.

        Parameters
        ----------
        estimator : fitted classifier
            Its ``predict_proba`` returns one array per task, columns ordered
            as its ``classes_[t]``; ``task_names_`` (when present) titles
            the subplots.
        X : array-like of shape (n_samples, n_features)
            Input data.
        Y : array-like or DataFrame of shape (n_samples, n_tasks)
            True labels, with missing cells.
        n_bins : int, default=5
            Number of bins of :func:`~sklearn.calibration.calibration_curve`.
        strategy : {"uniform", "quantile"}, default="uniform"
            Equal-width bins, or bins with equal numbers of samples.
        tasks : list of str or int, default=None
            The tasks to show (names or positions); None shows all.
        missing_label : scalar, default=None
            Marks unknown cells in addition to ``None``/``NaN``/``pd.NA``;
            None uses the estimator's ``missing_label`` (or ``NaN``).
        name : str, default=None
            The legend's model name; None uses the estimator's class name.
        **plot_kwargs : dict
            Passed to :meth:`plot` (``ax``, ``n_cols``, ``ref_line``, line
            properties).

        Returns
        -------
        display : MultiTaskCalibrationDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.datasets import make_multitask_classification
        >>> from sklmtl.display import MultiTaskCalibrationDisplay
        >>> X, Y = make_multitask_classification(
        ...     n_samples=80, n_features=4, n_tasks=2, n_classes=[2, 3],
        ...     random_state=0)
        >>> clf = IndependentTaskClassifier(LogisticRegression()).fit(X, Y)
        >>> display = MultiTaskCalibrationDisplay.from_estimator(clf, X, Y)
        >>> display.ax_[1].get_ylabel()
        'Top-label accuracy'
        """
        classes, names = estimator_tasks(estimator)
        if missing_label is None:
            missing_label = missing_label_in_effect(estimator)
        probas = estimator_probas(estimator, X, len(classes))
        return cls.from_predictions(
            Y,
            probas,
            classes=classes,
            n_bins=n_bins,
            strategy=strategy,
            task_names=names,
            tasks=tasks,
            missing_label=missing_label,
            name=type(estimator).__name__ if name is None else name,
            **plot_kwargs,
        )

    @classmethod
    def from_predictions(
        cls,
        Y_true,
        Y_prob,
        *,
        classes=None,
        n_bins=5,
        strategy="uniform",
        task_names=None,
        tasks=None,
        missing_label=np.nan,
        name=None,
        **plot_kwargs,
    ):
        """Reliability diagrams from true labels and per-task probabilities.

        Parameters
        ----------
        Y_true : array-like or DataFrame of shape (n_samples, n_tasks)
            True labels; missing cells are left out of their task.
        Y_prob : list of array-like of shape (n_samples, n_classes_t)
            One probability array per task, as ``predict_proba`` returns; a
            binary task may give its positive class's probabilities, 1-D.
        classes : list of array-like, default=None
            The classes ordering each task's columns; None uses the sorted
            labels seen in the task's labelled cells.
        n_bins : int, default=5
            Number of bins.
        strategy : {"uniform", "quantile"}, default="uniform"
            Equal-width bins, or bins with equal numbers of samples.
        task_names : list of str, default=None
            Subplot titles; None uses ``Y_true``'s column names (or
            ``task_0``, ...).
        tasks : list of str or int, default=None
            The tasks to show (names or positions); None shows all.
        missing_label : scalar, default=np.nan
            Marks unknown cells in addition to ``None``/``NaN``/``pd.NA``.
        name : str, default=None
            The model's name in the legend.
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : MultiTaskCalibrationDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklmtl.display import MultiTaskCalibrationDisplay
        >>> display = MultiTaskCalibrationDisplay.from_predictions(
        ...     [["no"], ["yes"], ["yes"], ["no"]], [[0.2, 0.9, 0.7, 0.6]],
        ...     n_bins=2, task_names=["churn"])
        >>> display.prob_true[0].tolist(), display.pos_labels
        ([0.0, 0.666...], ['yes'])
        """
        true_cols, masks, _, names, _ = true_columns(
            Y_true, missing_label, task_names=task_names
        )
        if isinstance(Y_prob, np.ndarray) and len(true_cols) == 1:
            Y_prob = [Y_prob]
        if len(Y_prob) != len(true_cols):
            raise ValueError(
                f"Y_prob has {len(Y_prob)} array(s) but Y_true has "
                f"{len(true_cols)} task(s); give one probability array per task."
            )
        prob_true, prob_pred, y_probs, pos_labels, chosen = [], [], [], [], []
        for t in select_tasks(tasks, names):
            y_true = labelled_values(true_cols[t], masks[t])
            labels = task_classes(classes, t, y_true, names[t])
            proba = task_scores(Y_prob[t], len(masks[t]), len(labels), names[t])
            proba = proba[masks[t]]
            if len(y_true) == 0:
                raise ValueError(f"Task {names[t]!r} has no labelled cell in Y_true.")
            if len(labels) == 2:
                pos_label = labels.tolist()[1]
                hits, y_prob = y_true == pos_label, proba[:, 1]
            else:
                pos_label = None
                hits = labels[proba.argmax(axis=1)] == y_true
                y_prob = proba.max(axis=1)
            if np.any((y_prob < 0) | (y_prob > 1)):
                raise ValueError(
                    f"Probabilities of task {names[t]!r} must lie in [0, 1]."
                )
            fraction, mean = calibration_curve(
                hits.astype(int), y_prob, n_bins=n_bins, strategy=strategy, pos_label=1
            )
            prob_true.append(fraction)
            prob_pred.append(mean)
            y_probs.append(y_prob)
            pos_labels.append(pos_label)
            chosen.append(names[t])
        display = cls(
            prob_true,
            prob_pred,
            y_probs,
            task_names=chosen,
            pos_labels=pos_labels,
            name=name,
        )
        return display.plot(**plot_kwargs)
