"""Per-task ROC curves."""

import numpy as np
from sklearn.metrics import auc, roc_curve

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


class MultiTaskRocCurveDisplay:
    """ROC curves of every task, on that task's labelled cells.

    A binary task has one curve, for its positive class ``classes_[t][1]``.
    A multiclass task has one one-vs-rest curve per class, each with its
    AUC in the legend; their mean is the task's macro one-vs-rest ROC-AUC
    (``roc_auc_score(..., multi_class="ovr", average="macro")``). Per-class
    curves are drawn rather than a micro-average because they show which
    class is hard, and the macro AUC weighs classes equally, as the scorer
    does. A class with no labelled positive (or no negative) has no curve.
    Create it with :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    fpr, tpr : list of list of ndarray
        Per task, per curve: the false and true positive rates.
    roc_auc : list of list of float
        Per task, per curve: the area under the curve.
    curve_labels : list of list
        Per task, per curve: the positive class of the curve.
    task_names : list of str
        The title of each subplot.
    name : str, default=None
        The model's name, shown in the legend (its title for a multiclass task).

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes of shape (n_tasks,)
        One Axes per task.
    figure_ : matplotlib Figure
        The figure holding them.
    lines_ : list of list of matplotlib Line2D
        The curves of each task.
    chance_level_ : list of matplotlib Line2D or None
        The chance-level line of each task, when drawn.

    See Also
    --------
    sklearn.metrics.RocCurveDisplay : one curve.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklmtl.display import MultiTaskRocCurveDisplay
    >>> Y_true = [[0, "a"], [1, "b"], [1, "c"], [0, None], [1, "a"]]
    >>> Y_score = [np.array([0.2, 0.9, 0.6, 0.3, 0.4]),
    ...            np.array([[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7],
    ...                      [0.3, 0.3, 0.4], [0.5, 0.4, 0.1]])]
    >>> display = MultiTaskRocCurveDisplay.from_predictions(Y_true, Y_score)
    >>> display.roc_auc[0], display.curve_labels[1]
    ([1.0], ['a', 'b', 'c'])
    """

    def __init__(self, *, fpr, tpr, roc_auc, curve_labels, task_names, name=None):
        self.fpr = fpr
        self.tpr = tpr
        self.roc_auc = roc_auc
        self.curve_labels = curve_labels
        self.task_names = task_names
        self.name = name

    def plot(
        self, *, ax=None, n_cols=None, name=None, plot_chance_level=True, **kwargs
    ):
        """Draw one subplot per task.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            One Axes per task; None makes a new figure.
        n_cols : int, default=None
            Subplots per row of a new figure (at most 3 when None).
        name : str, default=None
            The model's name in the legend; None uses ``self.name``.
        plot_chance_level : bool, default=True
            Draw the diagonal of a random classifier.
        **kwargs : dict
            Passed to ``Axes.plot`` for every curve.

        Returns
        -------
        display : MultiTaskRocCurveDisplay
            The display, with ``ax_``, ``figure_``, ``lines_`` and
            ``chance_level_``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklmtl.display import MultiTaskRocCurveDisplay
        >>> display = MultiTaskRocCurveDisplay(
        ...     fpr=[[np.array([0.0, 0.0, 1.0])]], tpr=[[np.array([0.0, 1.0, 1.0])]],
        ...     roc_auc=[[1.0]], curve_labels=[[1]], task_names=["spam"])
        >>> display.plot(name="net").lines_[0][0].get_label()
        'net (AUC = 1.00)'
        """
        name = self.name if name is None else name
        n_tasks = len(self.task_names)
        self.figure_, self.ax_ = task_axes(ax, n_tasks, n_cols, type(self).__name__)
        self.lines_, self.chance_level_ = [], []
        for t, axes in enumerate(self.ax_):
            labels = self.curve_labels[t]
            binary = len(labels) == 1
            lines = []
            for fpr, tpr, area, label in zip(
                self.fpr[t], self.tpr[t], self.roc_auc[t], labels
            ):
                what = name if binary else f"{format_label(label)} vs rest"
                legend = (
                    f"AUC = {area:0.2f}"
                    if what is None
                    else f"{what} (AUC = {area:0.2f})"
                )
                lines += axes.plot(fpr, tpr, **{"label": legend, **kwargs})
            chance = None
            if plot_chance_level:
                (chance,) = axes.plot(
                    [0, 1], [0, 1], "k--", label="Chance level (AUC = 0.5)"
                )
            suffix = f" (Positive label: {format_label(labels[0])})" if binary else ""
            axes.set(
                title=self.task_names[t],
                xlabel="False Positive Rate" + suffix,
                ylabel="True Positive Rate" + suffix,
                xlim=(-0.01, 1.01),
                ylim=(-0.01, 1.01),
                aspect="equal",
            )
            # A multiclass task's curves are its classes: the model names the
            # legend instead.
            axes.legend(
                loc="lower right",
                fontsize="small",
                title=None if binary else name,
                title_fontsize="small",
            )
            self.lines_.append(lines)
            self.chance_level_.append(chance)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        Y,
        *,
        tasks=None,
        missing_label=None,
        name=None,
        **plot_kwargs,
    ):
        """ROC curves of a fitted multi-task classifier's probabilities on ``X``.

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
        tasks : list of str or int, default=None
            The tasks to show (names or positions); None shows all.
        missing_label : scalar, default=None
            Marks unknown cells in addition to ``None``/``NaN``/``pd.NA``;
            None uses the estimator's ``missing_label`` (or ``NaN``).
        name : str, default=None
            The legend's model name; None uses the estimator's class name.
        **plot_kwargs : dict
            Passed to :meth:`plot` (``ax``, ``n_cols``, ``plot_chance_level``,
            line properties).

        Returns
        -------
        display : MultiTaskRocCurveDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.datasets import make_multitask_classification
        >>> from sklmtl.display import MultiTaskRocCurveDisplay
        >>> X, Y = make_multitask_classification(
        ...     n_samples=80, n_features=4, n_tasks=2, n_classes=[2, 3],
        ...     missing_rate=0.2, random_state=0)
        >>> clf = IndependentTaskClassifier(LogisticRegression()).fit(X, Y)
        >>> display = MultiTaskRocCurveDisplay.from_estimator(clf, X, Y)
        >>> [len(lines) for lines in display.lines_]
        [1, 3]
        """
        classes, names = estimator_tasks(estimator)
        if missing_label is None:
            missing_label = missing_label_in_effect(estimator)
        probas = estimator_probas(estimator, X, len(classes))
        return cls.from_predictions(
            Y,
            probas,
            classes=classes,
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
        Y_score,
        *,
        classes=None,
        task_names=None,
        tasks=None,
        missing_label=np.nan,
        name=None,
        **plot_kwargs,
    ):
        """ROC curves from true labels and per-task scores.

        Parameters
        ----------
        Y_true : array-like or DataFrame of shape (n_samples, n_tasks)
            True labels; missing cells are left out of their task.
        Y_score : list of array-like of shape (n_samples, n_classes_t)
            One score (or probability) array per task, as ``predict_proba``
            returns; a binary task may give its positive class's scores, 1-D.
        classes : list of array-like, default=None
            The classes ordering each task's columns; None uses the sorted
            labels seen in the task's labelled cells.
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
        display : MultiTaskRocCurveDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklmtl.display import MultiTaskRocCurveDisplay
        >>> display = MultiTaskRocCurveDisplay.from_predictions(
        ...     [[0], [1], [1], [0]], [[0.1, 0.8, 0.3, 0.35]], task_names=["spam"])
        >>> display.roc_auc
        [[0.75]]
        """
        true_cols, masks, _, names, _ = true_columns(
            Y_true, missing_label, task_names=task_names
        )
        if isinstance(Y_score, np.ndarray) and len(true_cols) == 1:
            Y_score = [Y_score]
        if len(Y_score) != len(true_cols):
            raise ValueError(
                f"Y_score has {len(Y_score)} array(s) but Y_true has "
                f"{len(true_cols)} task(s); give one score array per task."
            )
        fprs, tprs, areas, curve_labels, chosen = [], [], [], [], []
        for t in select_tasks(tasks, names):
            y_true = labelled_values(true_cols[t], masks[t])
            labels = task_classes(classes, t, y_true, names[t])
            score = task_scores(Y_score[t], len(masks[t]), len(labels), names[t])
            score = score[masks[t]]
            positives = labels.tolist()[1:] if len(labels) == 2 else labels.tolist()
            columns = [1] if len(labels) == 2 else range(len(labels))
            curves = [
                (label, *roc_curve(y_true == label, score[:, j])[:2])
                for label, j in zip(positives, columns)
                if 0 < np.sum(y_true == label) < len(y_true)
            ]
            if not curves:
                raise ValueError(
                    f"Task {names[t]!r} has labelled samples of one class only; "
                    "its ROC curve is undefined."
                )
            curve_labels.append([c[0] for c in curves])
            fprs.append([c[1] for c in curves])
            tprs.append([c[2] for c in curves])
            areas.append([float(auc(c[1], c[2])) for c in curves])
            chosen.append(names[t])
        display = cls(
            fpr=fprs,
            tpr=tprs,
            roc_auc=areas,
            curve_labels=curve_labels,
            task_names=chosen,
            name=name,
        )
        return display.plot(**plot_kwargs)
