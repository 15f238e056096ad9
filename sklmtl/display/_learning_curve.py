"""Per-task learning curves from a fitted network's ``history_``."""

import numpy as np

from ._common import select_tasks, task_axes

_METRICS = {"loss": "Loss", "acc": "Accuracy"}
_MEAN = "mean over tasks"


class TaskLearningCurveDisplay:
    """Each task's training and validation curve over the epochs.

    One subplot per task, with the epoch on the x axis and the task's loss
    or accuracy on its labelled cells (``history_`` keys
    ``train_<metric>_<task>`` and ``valid_<metric>_<task>``) on the y axis.
    Validation curves exist when the network held out data
    (``early_stopping=True``). Create it with :meth:`from_estimator` or
    :meth:`from_history`; :meth:`plot` draws it.

    Parameters
    ----------
    epochs : ndarray of shape (n_epochs,)
        The epoch numbers.
    train_scores : list of ndarray of shape (n_epochs,)
        One curve per task; NaN where the task had no labelled cell.
    valid_scores : list of ndarray of shape (n_epochs,) or None
        The validation curves, or None when nothing was held out.
    task_names : list of str
        The title of each subplot.
    score_name : str
        The y-axis label ("Loss" or "Accuracy").

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes of shape (n_tasks,)
        One Axes per task.
    figure_ : matplotlib Figure
        The figure holding them.
    lines_ : list of list of matplotlib Line2D
        The curves drawn in each Axes (train, then valid).

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : curves over training sizes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl.display import TaskLearningCurveDisplay
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> Y = [[0, "a"], [0, "b"], [1, "a"], [1, "b"]]
    >>> clf = MultiTaskNetClassifier(hidden_layer_sizes=(8,), max_epochs=4).fit(X, Y)
    >>> display = TaskLearningCurveDisplay.from_estimator(clf, metric="acc")
    >>> [ax.get_title() for ax in display.ax_]
    ['task_0', 'task_1']
    """

    def __init__(self, *, epochs, train_scores, valid_scores, task_names, score_name):
        self.epochs = epochs
        self.train_scores = train_scores
        self.valid_scores = valid_scores
        self.task_names = task_names
        self.score_name = score_name

    def plot(self, *, ax=None, n_cols=None, train_kw=None, valid_kw=None):
        """Draw one subplot per task.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            One Axes per task; None makes a new figure.
        n_cols : int, default=None
            Subplots per row of a new figure (at most 3 when None).
        train_kw, valid_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the train and the
            validation curves.

        Returns
        -------
        display : TaskLearningCurveDisplay
            The display, with ``ax_``, ``figure_`` and ``lines_``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklmtl.display import TaskLearningCurveDisplay
        >>> display = TaskLearningCurveDisplay(
        ...     epochs=np.arange(1, 4), train_scores=[np.array([0.9, 0.6, 0.5])],
        ...     valid_scores=None, task_names=["colour"], score_name="Loss")
        >>> display.plot(train_kw={"color": "black"}).ax_[0].get_ylabel()
        'Loss'
        """
        n_tasks = len(self.task_names)
        self.figure_, self.ax_ = task_axes(ax, n_tasks, n_cols, type(self).__name__)
        self.lines_ = []
        for t, axes in enumerate(self.ax_):
            lines = axes.plot(
                self.epochs,
                self.train_scores[t],
                **{"label": "train", **(train_kw or {})},
            )
            if self.valid_scores is not None:
                lines += axes.plot(
                    self.epochs,
                    self.valid_scores[t],
                    **{"label": "validation", "linestyle": "--", **(valid_kw or {})},
                )
            axes.set(title=self.task_names[t], xlabel="Epoch", ylabel=self.score_name)
            axes.legend(loc="best")
            self.lines_.append(lines)
        return self

    @classmethod
    def from_history(
        cls,
        history,
        *,
        metric="loss",
        task_names=None,
        tasks=None,
        include_mean=False,
        ax=None,
        n_cols=None,
        train_kw=None,
        valid_kw=None,
    ):
        """Plot the per-task curves recorded in a ``history``.

        Parameters
        ----------
        history : skorch History or list of dict
            One dict per epoch, with ``train_<metric>_<task>`` keys (and
            ``valid_<metric>_<task>`` when data was held out).
        metric : {"loss", "acc"}, default="loss"
            The per-task loss (cross-entropy) or accuracy.
        task_names : list of str, default=None
            The tasks; None reads them from the keys of the history (every
            ``train_<metric>_<name>`` key but skorch's ``_best`` marks).
        tasks : list of str or int, default=None
            The tasks to show (names or positions); None shows all.
        include_mean : bool, default=False
            Add a last subplot with the plain mean over tasks
            (``train_<metric>``/``valid_<metric>``), the value that early
            stopping monitors.
        ax : matplotlib Axes or array-like of Axes, default=None
            One Axes per subplot; None makes a new figure.
        n_cols : int, default=None
            Subplots per row of a new figure.
        train_kw, valid_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the curves.

        Returns
        -------
        display : TaskLearningCurveDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklmtl.display import TaskLearningCurveDisplay
        >>> history = [
        ...     {"epoch": 1, "train_loss_a": 0.7, "train_loss_b": 0.8},
        ...     {"epoch": 2, "train_loss_a": 0.5, "train_loss_b": 0.6},
        ... ]
        >>> display = TaskLearningCurveDisplay.from_history(history)
        >>> display.task_names, display.train_scores[1].tolist()
        (['a', 'b'], [0.8, 0.6])
        """
        if metric not in _METRICS:
            raise ValueError(f"metric must be 'loss' or 'acc'; got {metric!r}.")
        rows = list(history)
        if not rows:
            raise ValueError("history is empty; fit the estimator first.")
        if task_names is None:
            task_names = _names_in(rows, metric)
        task_names = [str(n) for n in task_names]
        chosen = [task_names[t] for t in select_tasks(tasks, task_names)]
        train_keys = [f"train_{metric}_{name}" for name in chosen]
        for name, key in zip(chosen, train_keys):
            if not any(key in row for row in rows):
                raise ValueError(
                    f"history has no {key!r} for task {name!r}; per-task curves "
                    "come from a network estimator's history_."
                )
        has_valid = any(
            f"valid_{metric}_{name}" in row for row in rows for name in chosen
        )
        if include_mean:
            chosen = [*chosen, _MEAN]
        keys = [
            (f"train_{metric}", f"valid_{metric}")
            if name == _MEAN
            else (f"train_{metric}_{name}", f"valid_{metric}_{name}")
            for name in chosen
        ]
        display = cls(
            epochs=np.array([row.get("epoch", i + 1) for i, row in enumerate(rows)]),
            train_scores=[_column(rows, train) for train, _ in keys],
            valid_scores=[_column(rows, valid) for _, valid in keys]
            if has_valid
            else None,
            task_names=chosen,
            score_name=_METRICS[metric],
        )
        return display.plot(ax=ax, n_cols=n_cols, train_kw=train_kw, valid_kw=valid_kw)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        metric="loss",
        tasks=None,
        include_mean=False,
        ax=None,
        n_cols=None,
        train_kw=None,
        valid_kw=None,
    ):
        """Plot the per-task curves of a fitted network estimator.

        Parameters
        ----------
        estimator : fitted estimator with ``history_`` and ``task_names_``
            E.g. a fitted :class:`~sklmtl.MultiTaskNetClassifier`.
        metric : {"loss", "acc"}, default="loss"
            The per-task loss (cross-entropy) or accuracy.
        tasks : list of str or int, default=None
            The tasks to show (names or positions); None shows all.
        include_mean : bool, default=False
            Add a last subplot with the plain mean over tasks.
        ax : matplotlib Axes or array-like of Axes, default=None
            One Axes per subplot; None makes a new figure.
        n_cols : int, default=None
            Subplots per row of a new figure.
        train_kw, valid_kw : dict, default=None
            Keyword arguments for ``Axes.plot`` of the curves.

        Returns
        -------
        display : TaskLearningCurveDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklmtl import MultiTaskNetClassifier
        >>> from sklmtl.display import TaskLearningCurveDisplay
        >>> X = [[0.0], [1.0], [2.0], [3.0], [4.0]]
        >>> Y = [[0, "a"], [0, "b"], [1, "a"], [1, "b"], [1, "a"]]
        >>> clf = MultiTaskNetClassifier(hidden_layer_sizes=(8,), max_epochs=3,
        ...                              early_stopping=True).fit(X, Y)
        >>> display = TaskLearningCurveDisplay.from_estimator(
        ...     clf, tasks=["task_1"], include_mean=True)
        >>> display.task_names, len(display.lines_[0])
        (['task_1', 'mean over tasks'], 2)
        """
        history = getattr(estimator, "history_", None)
        if history is None:
            raise TypeError(
                f"{type(estimator).__name__} has no history_; learning curves need "
                "a fitted network estimator such as MultiTaskNetClassifier."
            )
        return cls.from_history(
            history,
            metric=metric,
            task_names=list(estimator.task_names_),
            tasks=tasks,
            include_mean=include_mean,
            ax=ax,
            n_cols=n_cols,
            train_kw=train_kw,
            valid_kw=valid_kw,
        )


def _names_in(rows, metric):
    prefix = f"train_{metric}_"
    names = []
    for row in rows:
        for key in row:
            name = key[len(prefix) :]
            if key.startswith(prefix) and name != "best" and name not in names:
                names.append(name)
    if not names:
        raise ValueError(
            f"history has no per-task keys {prefix}<task>; per-task curves come "
            "from a network estimator's history_."
        )
    return names


def _column(rows, key):
    return np.array([row.get(key, np.nan) for row in rows], dtype=float)
