"""Per-task confusion matrices."""

import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

from .._meta._missing_label import missing_label_in_effect
from .._target_columns import missing_mask, split_target_columns
from ..metrics._columns import true_columns
from ._common import (
    check_same_kind,
    estimator_tasks,
    format_label,
    labelled_values,
    select_tasks,
    task_axes,
)


class MultiTaskConfusionMatrixDisplay:
    """One confusion matrix per task, on that task's labelled cells.

    Each subplot is drawn by scikit-learn's
    :class:`~sklearn.metrics.ConfusionMatrixDisplay`: true labels on the
    rows, predicted labels on the columns, in the order of the task's
    classes. Cells whose true label is missing are left out of their task.
    Create it with :meth:`from_estimator` or :meth:`from_predictions`.

    Parameters
    ----------
    confusion_matrices : list of ndarray of shape (n_classes_t, n_classes_t)
        One matrix per task.
    display_labels : list of array-like of shape (n_classes_t,)
        The class labels of each task.
    task_names : list of str
        The title of each subplot.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes of shape (n_tasks,)
        One Axes per task.
    figure_ : matplotlib Figure
        The figure holding them.
    im_ : list of matplotlib AxesImage
        The image of each matrix.
    text_ : list of (ndarray of matplotlib Text or None)
        The values written in each matrix (None with ``include_values=False``).

    See Also
    --------
    sklearn.metrics.ConfusionMatrixDisplay : one matrix.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklmtl.display import MultiTaskConfusionMatrixDisplay
    >>> Y_true = np.array([["cat", 0], ["dog", 1], ["dog", None], ["cat", 1]],
    ...                   dtype=object)
    >>> Y_pred = np.array([["cat", 0], ["cat", 1], ["dog", 0], ["cat", 1]],
    ...                   dtype=object)
    >>> display = MultiTaskConfusionMatrixDisplay.from_predictions(Y_true, Y_pred)
    >>> display.confusion_matrices[1].tolist()
    [[1, 0], [0, 2]]
    >>> [ax.get_title() for ax in display.ax_]
    ['task_0', 'task_1']
    """

    def __init__(self, confusion_matrices, *, display_labels, task_names):
        self.confusion_matrices = confusion_matrices
        self.display_labels = display_labels
        self.task_names = task_names

    def plot(
        self,
        *,
        include_values=True,
        cmap="viridis",
        xticks_rotation="horizontal",
        values_format=None,
        colorbar=False,
        ax=None,
        n_cols=None,
    ):
        """Draw one subplot per task.

        Parameters
        ----------
        include_values : bool, default=True
            Write the counts (or rates) in the cells.
        cmap : str or matplotlib Colormap, default="viridis"
            The colour map.
        xticks_rotation : {"vertical", "horizontal"} or float, \
default="horizontal"
            Rotation of the predicted labels.
        values_format : str, default=None
            Format of the values ("d", ".2g", ...); None chooses.
        colorbar : bool, default=False
            Add a colour bar to each subplot.
        ax : matplotlib Axes or array-like of Axes, default=None
            One Axes per task; None makes a new figure.
        n_cols : int, default=None
            Subplots per row of a new figure (at most 3 when None).

        Returns
        -------
        display : MultiTaskConfusionMatrixDisplay
            The display, with ``ax_``, ``figure_``, ``im_`` and ``text_``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklmtl.display import MultiTaskConfusionMatrixDisplay
        >>> display = MultiTaskConfusionMatrixDisplay(
        ...     [np.array([[3, 1], [0, 4]])], display_labels=[["no", "yes"]],
        ...     task_names=["churn"])
        >>> display.plot(include_values=False).text_
        [None]
        """
        n_tasks = len(self.task_names)
        self.figure_, self.ax_ = task_axes(ax, n_tasks, n_cols, type(self).__name__)
        self.im_, self.text_ = [], []
        for t, axes in enumerate(self.ax_):
            single = ConfusionMatrixDisplay(
                self.confusion_matrices[t],
                display_labels=[format_label(c) for c in self.display_labels[t]],
            ).plot(
                include_values=include_values,
                cmap=cmap,
                xticks_rotation=xticks_rotation,
                values_format=values_format,
                colorbar=colorbar,
                ax=axes,
            )
            axes.set_title(self.task_names[t])
            self.im_.append(single.im_)
            self.text_.append(single.text_)
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        Y,
        *,
        normalize=None,
        tasks=None,
        missing_label=None,
        **plot_kwargs,
    ):
        """Confusion matrices of a fitted multi-task classifier on ``X``.

        Parameters
        ----------
        estimator : fitted classifier
            Its ``predict`` returns one label per task; ``classes_`` orders
            each matrix, ``task_names_`` (when present) titles it.
        X : array-like of shape (n_samples, n_features)
            Input data.
        Y : array-like or DataFrame of shape (n_samples, n_tasks)
            True labels, with missing cells.
        normalize : {"true", "pred", "all"} or None, default=None
            Normalise over the true labels (rows), the predictions
            (columns) or all cells, as in
            :func:`~sklearn.metrics.confusion_matrix`.
        tasks : list of str or int, default=None
            The tasks to show (names or positions); None shows all.
        missing_label : scalar, default=None
            Marks unknown cells in addition to ``None``/``NaN``/``pd.NA``;
            None uses the estimator's ``missing_label`` (or ``NaN``).
        **plot_kwargs : dict
            Passed to :meth:`plot` (``ax``, ``n_cols``, ``cmap``, ...).

        Returns
        -------
        display : MultiTaskConfusionMatrixDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.tree import DecisionTreeClassifier
        >>> from sklmtl.baselines import IndependentTaskClassifier
        >>> from sklmtl.display import MultiTaskConfusionMatrixDisplay
        >>> X, Y = [[0], [1], [2], [3]], [[0, "a"], [0, "b"], [1, None], [1, "b"]]
        >>> clf = IndependentTaskClassifier(DecisionTreeClassifier()).fit(X, Y)
        >>> display = MultiTaskConfusionMatrixDisplay.from_estimator(
        ...     clf, X, Y, tasks=["task_1"])
        >>> display.confusion_matrices[0].tolist()
        [[1, 0], [0, 2]]
        """
        classes, names = estimator_tasks(estimator)
        if missing_label is None:
            missing_label = missing_label_in_effect(estimator)
        return cls.from_predictions(
            Y,
            estimator.predict(X),
            labels=classes,
            normalize=normalize,
            task_names=names,
            tasks=tasks,
            missing_label=missing_label,
            **plot_kwargs,
        )

    @classmethod
    def from_predictions(
        cls,
        Y_true,
        Y_pred,
        *,
        labels=None,
        normalize=None,
        task_names=None,
        tasks=None,
        missing_label=np.nan,
        **plot_kwargs,
    ):
        """Confusion matrices from true and predicted labels.

        Parameters
        ----------
        Y_true : array-like or DataFrame of shape (n_samples, n_tasks)
            True labels; missing cells are left out of their task.
        Y_pred : array-like of shape (n_samples, n_tasks)
            Predicted labels (no missing cell where ``Y_true`` is labelled).
        labels : list of array-like, default=None
            The classes of each task, ordering its matrix; None uses the
            sorted labels seen in the task's true and predicted cells.
        normalize : {"true", "pred", "all"} or None, default=None
            As in :func:`~sklearn.metrics.confusion_matrix`.
        task_names : list of str, default=None
            Subplot titles; None uses ``Y_true``'s column names (or
            ``task_0``, ...).
        tasks : list of str or int, default=None
            The tasks to show (names or positions); None shows all.
        missing_label : scalar, default=np.nan
            Marks unknown cells in addition to ``None``/``NaN``/``pd.NA``.
        **plot_kwargs : dict
            Passed to :meth:`plot` (``ax``, ``n_cols``, ``cmap``, ...).

        Returns
        -------
        display : MultiTaskConfusionMatrixDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklmtl.display import MultiTaskConfusionMatrixDisplay
        >>> display = MultiTaskConfusionMatrixDisplay.from_predictions(
        ...     [[0, "x"], [1, "y"], [2, "y"]], [[0, "x"], [2, "y"], [2, "x"]],
        ...     task_names=["digit", "letter"], normalize="true")
        >>> display.confusion_matrices[0].tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
        """
        true_cols, masks, _, names, _ = true_columns(
            Y_true, missing_label, task_names=task_names
        )
        pred_cols, _, _ = split_target_columns(Y_pred)
        if len(pred_cols) != len(true_cols) or len(pred_cols[0]) != len(true_cols[0]):
            raise ValueError(
                f"Y_true has shape ({len(true_cols[0])}, {len(true_cols)}) but Y_pred "
                f"has shape ({len(pred_cols[0])}, {len(pred_cols)})."
            )
        matrices, display_labels, chosen = [], [], []
        for t in select_tasks(tasks, names):
            mask = masks[t]
            if missing_mask(pred_cols[t][mask], missing_label).any():
                raise ValueError(
                    f"Y_pred has missing cells in task {names[t]!r} where Y_true "
                    "is labelled; every labelled cell needs a prediction."
                )
            if not mask.any():
                raise ValueError(f"Task {names[t]!r} has no labelled cell in Y_true.")
            y_true = labelled_values(true_cols[t], mask)
            y_pred = labelled_values(pred_cols[t], mask)
            check_same_kind(y_true, y_pred, names[t])
            task_labels = (
                np.unique(np.concatenate([y_true, y_pred]))
                if labels is None
                else np.asarray(labels[t])
            )
            matrices.append(
                confusion_matrix(
                    y_true, y_pred, labels=task_labels, normalize=normalize
                )
            )
            display_labels.append(task_labels)
            chosen.append(names[t])
        display = cls(matrices, display_labels=display_labels, task_names=chosen)
        return display.plot(**plot_kwargs)
