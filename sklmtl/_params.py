"""scikit-learn style ``get_params``/``set_params`` for small strategy objects.

Weightings and architectures are configured by their constructor arguments.
Giving them ``get_params`` lets ``clone`` copy them and lets ``GridSearchCV``
reach their hyperparameters as ``task_weighting__<param>`` or
``architecture__<param>``, without them being full estimators.
"""

import inspect

__all__ = ["ParamsMixin", "fresh_copy"]


class ParamsMixin:
    """Expose constructor arguments as parameters, as ``BaseEstimator`` does.

    Examples
    --------
    >>> from sklmtl._params import ParamsMixin
    >>> class Strategy(ParamsMixin):
    ...     def __init__(self, alpha=1.0):
    ...         self.alpha = alpha
    >>> Strategy().set_params(alpha=2.0).get_params()
    {'alpha': 2.0}
    """

    @classmethod
    def _get_param_names(cls):
        signature = inspect.signature(cls.__init__)
        return sorted(
            name
            for name, p in signature.parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep=True):
        """Constructor arguments as a dict.

        Parameters
        ----------
        deep : bool, default=True
            Accepted for scikit-learn compatibility; these objects hold no
            sub-estimators, so it changes nothing.

        Returns
        -------
        params : dict
            Parameter name -> value.
        """
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        """Set constructor arguments; unknown names raise ``ValueError``.

        Parameters
        ----------
        **params : dict
            Parameter name -> new value.

        Returns
        -------
        self : object
            The same object, updated.
        """
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters are {valid}."
                )
            setattr(self, name, value)
        return self

    def _params_repr(self):
        return ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())


def fresh_copy(obj):
    """A new, unfitted object with the same parameters.

    Parameters
    ----------
    obj : ParamsMixin
        The object to copy.

    Returns
    -------
    copy : ParamsMixin
        ``type(obj)(**obj.get_params())``.

    Examples
    --------
    >>> from sklmtl._params import fresh_copy
    >>> from sklmtl.weighting import DynamicWeightAverage
    >>> fresh_copy(DynamicWeightAverage(temperature=3.0))
    DynamicWeightAverage(temperature=3.0)
    """
    return type(obj)(**obj.get_params())
