"""Exceptions raised by sklmtl."""

__all__ = ["TrainingDivergedError"]


class TrainingDivergedError(ValueError, ArithmeticError):
    """A task's loss became NaN or infinite during training.

    Raised by :meth:`MultiTaskNetClassifier.fit` (and ``partial_fit``) with
    the epoch, the batch and the tasks whose loss diverged; usually the
    learning rate is too high for the data's scale. A ``ValueError`` (the
    hyperparameters do not suit the data) and an ``ArithmeticError``.

    Parameters
    ----------
    message : str
        What happened and what to try.
    epoch : int
        The epoch (1-based) in which the loss diverged.
    tasks : list of str
        The tasks whose loss was not finite.

    Attributes
    ----------
    epoch : int
        The epoch (1-based) in which the loss diverged.
    tasks : list of str
        The tasks whose loss was not finite.

    Examples
    --------
    >>> from sklmtl.exceptions import TrainingDivergedError
    >>> err = TrainingDivergedError("diverged", epoch=3, tasks=["left"])
    >>> err.epoch, err.tasks, isinstance(err, ValueError)
    (3, ['left'], True)
    """

    def __init__(self, message, *, epoch, tasks):
        super().__init__(message)
        self.epoch = epoch
        self.tasks = list(tasks)
