"""The task affinity matrix as a heatmap, and its evolution over epochs."""

import numpy as np

from .._task_affinity import AFFINITY_KEYS, normalized_affinity
from ._affinity_data import cluster_order, epoch_matrices
from ._common import check_matplotlib

_KINDS = tuple(AFFINITY_KEYS)


class TaskAffinityDisplay:
    """Heatmap of a task affinity matrix, with task names and clustering order.

    Rows are the source task ``i`` and columns the target task ``j``: for
    TAG's affinity (:class:`~sklmtl.callbacks.TaskAffinity`), the effect of a
    step on task ``i``'s gradient on task ``j``'s loss. Tasks are shown in
    ``order`` (by default, grouped by hierarchical clustering, or by the
    groups of a :class:`~sklmtl.grouping.TaskGroupingClassifier`), with the
    groups outlined. :meth:`plot_evolution` draws the matrix of several
    epochs side by side. Create it with :meth:`from_estimator` or
    :meth:`from_matrix`.

    Parameters
    ----------
    affinity : ndarray of shape (n_tasks, n_tasks)
        The matrix shown by :meth:`plot`.
    task_names : list of str
        The name of each task, in the matrix's order.
    order : list of int or None, default=None
        The display order of the tasks; None keeps theirs.
    groups : list of list of int or None, default=None
        Groups of tasks to outline (as ``TaskGroupingClassifier.groups_``).
    epochs : list of int or None, default=None
        The epochs of ``epoch_matrices``.
    epoch_matrices : list of ndarray or None, default=None
        The matrix of each epoch, for :meth:`plot_evolution`.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The heatmap's Axes (after :meth:`plot`).
    figure_ : matplotlib Figure
        The figure holding it.
    im_ : matplotlib AxesImage
        The heatmap.
    evolution_ax_ : ndarray of matplotlib Axes
        One Axes per epoch shown (after :meth:`plot_evolution`).

    See Also
    --------
    sklmtl.callbacks.TaskAffinity : measures the matrices.
    sklmtl.grouping.TaskGroupingClassifier : groups tasks by them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklmtl.display import TaskAffinityDisplay
    >>> A = np.array([[1, 0, .8], [0, 1, -.1], [.8, -.1, 1]])
    >>> display = TaskAffinityDisplay.from_matrix(A, task_names=["a", "b", "c"])
    >>> [t.get_text() for t in display.ax_.get_xticklabels()]  # a and c together
    ['b', 'a', 'c']
    """

    def __init__(
        self,
        affinity,
        *,
        task_names,
        order=None,
        groups=None,
        epochs=None,
        epoch_matrices=None,
    ):
        self.affinity = affinity
        self.task_names = task_names
        self.order = order
        self.groups = groups
        self.epochs = epochs
        self.epoch_matrices = epoch_matrices

    def _order(self):
        n_tasks = len(self.task_names)
        order = list(range(n_tasks)) if self.order is None else list(self.order)
        if sorted(order) != list(range(n_tasks)):
            raise ValueError(
                f"order must list every task index 0..{n_tasks - 1} once; got {order}."
            )
        return order

    def _draw(self, ax, matrix, order, cmap, vmax, include_values, values_format):
        matrix = np.asarray(matrix, dtype=float)[np.ix_(order, order)]
        names = [str(self.task_names[t]) for t in order]
        image = ax.imshow(matrix, cmap=cmap, vmin=-vmax, vmax=vmax)
        ax.set_xticks(range(len(order)), names, rotation=90)
        ax.set_yticks(range(len(order)), names)
        ax.set_xlabel("target task j")
        ax.set_ylabel("source task i")
        if include_values:
            for r, c in np.ndindex(matrix.shape):
                if np.isfinite(matrix[r, c]):
                    ax.text(
                        c,
                        r,
                        format(matrix[r, c], values_format),
                        ha="center",
                        va="center",
                        fontsize=7,
                    )
        position = {t: k for k, t in enumerate(order)}
        for group in self.groups or []:
            places = sorted(position[t] for t in group)
            if places == list(range(places[0], places[-1] + 1)):
                start, size = places[0] - 0.5, len(places)
                ax.add_patch(
                    check_matplotlib("TaskAffinityDisplay").Rectangle(
                        (start, start), size, size, fill=False, lw=2, ec="black"
                    )
                )
        return image

    def _vmax(self, matrices):
        # Off-diagonal values set the scale: the diagonal (a task's effect on
        # itself, 1 when normalised) would wash out the pairs.
        off = [
            np.asarray(m, dtype=float)[~np.eye(len(m), dtype=bool)] for m in matrices
        ]
        values = np.concatenate([np.ravel(m) for m in off])
        values = np.abs(values[np.isfinite(values)])
        return float(values.max()) if values.size and values.max() > 0 else 1.0

    def plot(
        self,
        *,
        ax=None,
        cmap="RdBu_r",
        include_values=None,
        values_format=".2f",
        colorbar=True,
    ):
        """Draw the matrix as a heatmap in the display order.

        The colour scale is symmetric around 0 (red: helps, blue: hurts) and
        spans the off-diagonal values; the diagonal (each task's effect on
        itself) saturates.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None makes a new figure.
        cmap : str or matplotlib Colormap, default="RdBu_r"
            The colour map.
        include_values : bool or None, default=None
            Write the values in the cells; None writes them for at most 8 tasks.
        values_format : str, default=".2f"
            Format of the written values.
        colorbar : bool, default=True
            Add a colour bar.

        Returns
        -------
        display : TaskAffinityDisplay
            The display, with ``ax_``, ``figure_`` and ``im_``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklmtl.display import TaskAffinityDisplay
        >>> display = TaskAffinityDisplay(np.eye(2), task_names=["a", "b"])
        >>> display.plot(colorbar=False).im_.get_array().shape
        (2, 2)
        """
        plt = check_matplotlib("TaskAffinityDisplay")
        order = self._order()
        if ax is None:
            size = 2.5 + 0.45 * len(order)
            _, ax = plt.subplots(figsize=(size + 1, size), layout="constrained")
        if include_values is None:
            include_values = len(order) <= 8
        vmax = self._vmax([self.affinity])
        self.im_ = self._draw(
            ax, self.affinity, order, cmap, vmax, include_values, values_format
        )
        if colorbar:
            ax.figure.colorbar(self.im_, ax=ax)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def plot_evolution(self, *, epochs=None, axes=None, cmap="RdBu_r", n_panels=4):
        """Draw the matrix of several epochs side by side, on one colour scale.

        Parameters
        ----------
        epochs : list of int or None, default=None
            The epochs to show; None picks ``n_panels`` evenly spaced ones
            (the first and last included).
        axes : array-like of matplotlib Axes, default=None
            One Axes per epoch shown; None makes a new figure.
        cmap : str or matplotlib Colormap, default="RdBu_r"
            The colour map.
        n_panels : int, default=4
            Number of epochs shown when ``epochs`` is None.

        Returns
        -------
        display : TaskAffinityDisplay
            The display, with ``evolution_ax_`` and ``figure_``.

        Raises
        ------
        ValueError
            When the display holds no per-epoch matrices, or an epoch was
            not recorded.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklmtl.display import TaskAffinityDisplay
        >>> display = TaskAffinityDisplay(
        ...     np.eye(2), task_names=["a", "b"], epochs=[1, 2, 3],
        ...     epoch_matrices=[np.eye(2)] * 3)
        >>> [ax.get_title() for ax in display.plot_evolution().evolution_ax_]
        ['epoch 1', 'epoch 2', 'epoch 3']
        """
        if not self.epoch_matrices:
            raise ValueError(
                "This display holds no per-epoch matrices; create it with "
                "from_estimator on an estimator trained with a TaskAffinity callback."
            )
        recorded = list(self.epochs)
        if epochs is None:
            count = min(int(n_panels), len(recorded))
            picks = np.unique(np.linspace(0, len(recorded) - 1, count).round())
            epochs = [recorded[int(k)] for k in picks]
        missing = [e for e in epochs if e not in recorded]
        if missing:
            raise ValueError(f"Epoch(s) {missing} were not recorded; got {recorded}.")
        matrices = [self.epoch_matrices[recorded.index(e)] for e in epochs]
        if axes is None:
            plt = check_matplotlib("TaskAffinityDisplay")
            size = 1.5 + 0.35 * len(self.task_names)
            _, axes = plt.subplots(
                1,
                len(epochs),
                figsize=(size * len(epochs) + 1, size + 0.6),
                squeeze=False,
                layout="constrained",
            )
        axes = np.ravel(np.asarray(axes, dtype=object))
        if len(axes) != len(epochs):
            raise ValueError(
                f"axes holds {len(axes)} Axes but {len(epochs)} epoch(s) are shown."
            )
        order, vmax = self._order(), self._vmax(matrices)
        for axis, epoch, matrix in zip(axes, epochs, matrices):
            image = self._draw(axis, matrix, order, cmap, vmax, False, ".2f")
            axis.set_title(f"epoch {epoch}")
        axes[0].figure.colorbar(image, ax=list(axes))
        self.evolution_ax_, self.figure_ = axes, axes[0].figure
        return self

    @classmethod
    def from_matrix(
        cls, affinity, *, task_names=None, order="cluster", groups=None, **plot_kwargs
    ):
        """Plot a given affinity matrix.

        Parameters
        ----------
        affinity : array-like of shape (n_tasks, n_tasks)
            The matrix (e.g. ``task_affinity_`` or ``gradient_cosine_``).
        task_names : list of str or None, default=None
            Task names; None gives ``task_0``, ...
        order : "cluster", list of int or None, default="cluster"
            ``"cluster"`` orders the tasks by hierarchical clustering (of the
            matrix normalised by its diagonal), or by ``groups`` when given;
            a list gives the order; None keeps the matrix's.
        groups : list of list of int or None, default=None
            Groups to outline.
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TaskAffinityDisplay
            The drawn display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklmtl.display import TaskAffinityDisplay
        >>> display = TaskAffinityDisplay.from_matrix(
        ...     np.eye(3), groups=[[0, 2], [1]], colorbar=False)
        >>> display.order
        [0, 2, 1]
        """
        affinity = np.asarray(affinity, dtype=float)
        if affinity.ndim != 2 or affinity.shape[0] != affinity.shape[1]:
            raise ValueError(
                f"affinity must be a square matrix; got shape {affinity.shape}."
            )
        n_tasks = len(affinity)
        if task_names is None:
            task_names = [f"task_{t}" for t in range(n_tasks)]
        if len(task_names) != n_tasks:
            raise ValueError(
                f"task_names has {len(task_names)} name(s) for {n_tasks} task(s)."
            )
        if isinstance(order, str):
            if order != "cluster":
                raise ValueError(
                    f"order must be 'cluster', a list or None; got {order!r}."
                )
            if groups:
                order = [t for group in groups for t in group]
            else:
                order = cluster_order(normalized_affinity(affinity))
        display = cls(affinity, task_names=list(task_names), order=order, groups=groups)
        return display.plot(**plot_kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        kind="task_affinity",
        normalize=True,
        order="cluster",
        **plot_kwargs,
    ):
        """Plot the affinity an estimator measured while it trained.

        Parameters
        ----------
        estimator : estimator
            A fitted sklmtl network estimator trained with a
            :class:`~sklmtl.callbacks.TaskAffinity` callback, or a fitted
            :class:`~sklmtl.grouping.TaskGroupingClassifier` (its probe's
            affinity, its groups outlined and ordered).
        kind : {"task_affinity", "gradient_cosine"}, default="task_affinity"
            TAG's lookahead affinity or the gradient cosine similarity.
        normalize : bool, default=True
            Show the lookahead affinity divided by the tasks' self-affinities
            (:func:`~sklmtl.callbacks.normalized_affinity`: scale-free,
            symmetric, 1 on the diagonal), as the grouping uses it; False
            shows TAG's raw ``Z[i, j]``. Ignored for ``"gradient_cosine"``.
        order : "cluster", list of int or None, default="cluster"
            As in :meth:`from_matrix`.
        **plot_kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : TaskAffinityDisplay
            The drawn display, with the per-epoch matrices for
            :meth:`plot_evolution`.

        Raises
        ------
        ValueError
            When the estimator recorded no affinity (no ``TaskAffinity``
            callback, or a grouping fitted on a single task).

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklmtl import MultiTaskNetClassifier
        >>> from sklmtl.callbacks import TaskAffinity
        >>> from sklmtl.display import TaskAffinityDisplay
        >>> X = np.random.RandomState(0).normal(size=(60, 3))
        >>> Y = np.column_stack([X[:, 0] > 0, X[:, 0] > 0.1, X[:, 2] > 0])
        >>> clf = MultiTaskNetClassifier(
        ...     max_epochs=3, callbacks=[TaskAffinity(every=1)], random_state=0)
        >>> display = TaskAffinityDisplay.from_estimator(clf.fit(X, Y))
        >>> display.epochs
        [1, 2, 3]
        """
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {list(_KINDS)}; got {kind!r}.")
        groups = getattr(estimator, "groups_", None)
        source = getattr(estimator, "probe_", estimator) if groups else estimator
        history = getattr(source, "history_", None)
        epochs, matrices = epoch_matrices(history or [], kind)
        if not matrices:
            raise ValueError(
                f"{type(estimator).__name__} recorded no {kind!r}: fit it with "
                "callbacks=[TaskAffinity()] (a TaskGroupingClassifier records it "
                "in its probe fit, which a single task skips)."
            )
        if kind == "task_affinity" and normalize:
            matrices = [normalized_affinity(m) for m in matrices]
        affinity = getattr(source, AFFINITY_KEYS[kind])
        if kind == "task_affinity" and normalize:
            affinity = normalized_affinity(affinity)
        display = cls.from_matrix(
            affinity,
            task_names=list(estimator.task_names_),
            order=order,
            groups=groups,
            **plot_kwargs,
        )
        display.epochs, display.epoch_matrices = epochs, matrices
        return display
