"""Hyperparameter validation, done at ``fit`` as scikit-learn does.

skorch defines its own ``_validate_params``, so the estimator does not use
scikit-learn's ``_parameter_constraints``; these helpers raise messages that
name the parameter, the value and what was expected.
"""

import numbers

import numpy as np

__all__ = ["check_hyperparameters"]


def _check_number(
    name, value, *, low, high=None, integer=False, low_open=False, high_open=False
):
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        expected = "an int" if integer else "a float"
        raise TypeError(
            f"{name} must be {expected}; got {value!r} of type {type(value).__name__}."
        )
    too_low = value <= low if low_open else value < low
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high or not np.isfinite(value):
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        upper = "inf" if high is None else high
        raise ValueError(
            f"{name} must be in the range {left}{low}, {upper}{right}; got {value!r}."
        )


def _check_layer_sizes(name, sizes, allow_empty=True):
    if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
        sizes = (sizes,)
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of positive ints; got {sizes!r}.")
    if not sizes and not allow_empty:
        raise ValueError(f"{name} must not be empty.")
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise ValueError(
                f"{name} must contain positive ints only; got {tuple(sizes)!r}."
            )
    return tuple(int(s) for s in sizes)


def check_hyperparameters(est):
    """Validate the estimator's training and network hyperparameters.

    Parameters
    ----------
    est : MultiTaskNetClassifier
        The estimator whose parameters are checked.

    Returns
    -------
    hidden_layer_sizes : tuple of int
        The normalised hidden layer sizes.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetClassifier
    >>> from sklmtl._validation import check_hyperparameters
    >>> check_hyperparameters(MultiTaskNetClassifier(hidden_layer_sizes=[32]))
    (32,)
    """
    import torch

    _check_number("lr", est.lr, low=0, low_open=True)
    _check_number("weight_decay", est.weight_decay, low=0)
    _check_number("batch_size", est.batch_size, low=1, integer=True)
    _check_number("max_epochs", est.max_epochs, low=1, integer=True)
    _check_number("dropout", est.dropout, low=0, high=1, high_open=True)
    _check_number(
        "validation_fraction",
        est.validation_fraction,
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    _check_number("n_iter_no_change", est.n_iter_no_change, low=1, integer=True)
    _check_number("verbose", est.verbose, low=0, integer=True)
    if est.n_threads not in (None, "auto"):
        _check_number("n_threads", est.n_threads, low=1, integer=True)
    if est.on_divergence not in ("raise", "restore_best"):
        raise ValueError(
            "on_divergence must be 'raise' or 'restore_best'; got "
            f"{est.on_divergence!r}."
        )
    if est.head_hidden_size is not None:
        _check_number("head_hidden_size", est.head_hidden_size, low=1, integer=True)
    for flag in ("batch_norm", "early_stopping", "warm_start", "progress_bar"):
        if not isinstance(getattr(est, flag), (bool, np.bool_)):
            raise TypeError(f"{flag} must be a bool; got {getattr(est, flag)!r}.")
    if not (
        isinstance(est.optimizer, type)
        and issubclass(est.optimizer, torch.optim.Optimizer)
    ):
        raise TypeError(
            "optimizer must be a torch.optim.Optimizer subclass such as "
            f"torch.optim.Adam; got {est.optimizer!r}."
        )
    if est.callbacks is not None and not isinstance(est.callbacks, (list, tuple)):
        raise TypeError(
            "callbacks must be None or a list of skorch callbacks; got "
            f"{type(est.callbacks).__name__}."
        )
    return _check_layer_sizes("hidden_layer_sizes", est.hidden_layer_sizes)


def resolve_device(device):
    """Turn ``"auto"``/``"cpu"``/``"cuda"``/``"cuda:N"`` into a checked device string.

    Parameters
    ----------
    device : str
        The requested device; ``"auto"`` picks CUDA when available.

    Returns
    -------
    device : str
        A device torch accepts and that exists on this machine.

    Examples
    --------
    >>> from sklmtl._validation import resolve_device
    >>> resolve_device("cpu")
    'cpu'
    """
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, str):
        raise TypeError(
            f"device must be a str such as 'cpu', 'cuda' or 'auto'; got {device!r}."
        )
    try:
        parsed = torch.device(device)
    except RuntimeError:
        raise ValueError(
            f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto'; got {device!r}."
        ) from None
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available "
            "on this machine; use device='cpu' or 'auto'."
        )
    return device
