"""Fixed, user-given task weights."""

import numbers

import torch

from ._base import LossWeighting

__all__ = ["FixedWeighting"]


class FixedWeighting(LossWeighting):
    """Weight each task's loss by a constant: ``sum_t w_t * L_t``.

    Parameters
    ----------
    weights : sequence of float or dict of {task_name: float}
        One non-negative weight per task, or a dict naming some tasks (the
        others keep weight 1).

    Examples
    --------
    >>> import torch
    >>> from sklmtl.weighting import FixedWeighting
    >>> strategy = FixedWeighting({"colour": 2.0}).setup(["colour", "size"])
    >>> strategy.compute_weights(None)
    tensor([2., 1.])
    """

    constant_weights = True

    def __init__(self, weights):
        super().__init__()
        self.weights = weights

    def setup(self, task_names):
        super().setup(task_names)
        values = self._values(self.task_names)
        self.register_buffer("fixed", torch.tensor(values, dtype=torch.float32))
        return self

    def for_tasks(self, task_names, tasks):
        """The weights of ``tasks`` only, as a list in their order.

        Parameters
        ----------
        task_names : list of str
            All the tasks ``weights`` was given for.
        tasks : list of int
            The subset (indices into ``task_names``).

        Returns
        -------
        strategy : FixedWeighting
            A new strategy with one weight per task of the subset.

        Examples
        --------
        >>> from sklmtl.weighting import FixedWeighting
        >>> FixedWeighting({"b": 5.0}).for_tasks(["a", "b", "c"], [1, 2])
        FixedWeighting(weights=[5.0, 1.0])
        """
        values = self._values(list(task_names))
        return type(self)(
            **{**self.get_params(), "weights": [values[t] for t in tasks]}
        )

    def _values(self, task_names):
        """One checked weight per task of ``task_names``."""
        raw = self.weights
        if isinstance(raw, dict):
            unknown = sorted(set(map(str, raw)) - set(task_names))
            if unknown:
                raise ValueError(
                    f"FixedWeighting names unknown task(s) {unknown}; the tasks are "
                    f"{task_names}."
                )
            as_str = {str(k): v for k, v in raw.items()}
            values = [as_str.get(name, 1.0) for name in task_names]
        else:
            values = list(raw)
            if len(values) != len(task_names):
                raise ValueError(
                    f"FixedWeighting got {len(values)} weights for {len(task_names)} "
                    "tasks; give one weight per task or a {task_name: weight} dict."
                )
        for name, value in zip(task_names, values):
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not value >= 0
                or value == float("inf")
            ):
                raise ValueError(
                    f"FixedWeighting: the weight of task {name!r} must be a finite "
                    f"number >= 0; got {value!r}."
                )
        return values

    def compute_weights(self, task_losses):
        return self.fixed
