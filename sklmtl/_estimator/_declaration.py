"""Parameters declared once: name, default, constraint and documentation.

The network estimators share most of their parameters. Each is declared here
once, as a :class:`Parameter`; an estimator names only the parameters of its
own (``loss``, ``class_weight``, ...) and :func:`declare_parameters` gives it,
from the one list:

- ``__init__``, generated as :mod:`dataclasses` generates one: real Python
  code with an explicit signature, so that scikit-learn's ``get_params``,
  ``clone`` and ``repr`` (which read the signature) work as for a hand-written
  ``__init__`` that stores each argument;
- ``_parameter_constraints``, the table :func:`~sklmtl._validation.validate_params`
  checks at fit;
- the ``Parameters`` section of its docstring, where ``{parameters}`` stands;
- ``_network_parameter_names``, the parameters that define the network's
  weights (a continued fit cannot change them).

Adding a setting to every estimator is one :class:`Parameter` in
``SHARED_PARAMETERS`` (:mod:`sklmtl._estimator._parameters`). A
documentation text may hold ``{placeholders}`` that each estimator fills
(``_doc_vars``): what its progress bar and epoch table show differs between
classification and regression.
"""

from dataclasses import dataclass

import numpy as np

from .._validation import (
    InstanceOf,
    Options,
)

__all__ = ["KWARGS_DOC", "Parameter", "declare_parameters"]

_BOOL = InstanceOf(bool, np.bool_, name="bool")
_NONE = Options({None})


@dataclass(frozen=True)
class Parameter:
    """One hyperparameter of an estimator, declared once.

    Parameters
    ----------
    name : str
        The argument's name (and the attribute ``__init__`` stores it in).
    default : object
        Its default value.
    constraints : tuple
        Constraint objects of :mod:`sklmtl._validation` (any one satisfied
        is enough); empty when the parameter is checked where it is used.
    doc : str
        The numpydoc entry without the name: the type line, then the
        description indented by four spaces. ``{placeholders}`` are filled
        from the estimator's ``_doc_vars``.
    network : bool, default=False
        Whether the parameter defines the network's weights, so that a
        continued fit cannot change it.

    Examples
    --------
    >>> from sklmtl._estimator._declaration import Parameter
    >>> Parameter("lr", 1e-3, (), "float, default=1e-3\\n    Learning rate.").name
    'lr'
    """

    name: str
    default: object
    constraints: tuple
    doc: str
    network: bool = False

    def numpydoc(self, doc_vars):
        """The entry of a ``Parameters`` section, indented for a class docstring."""
        text = self.doc
        for key, value in doc_vars.items():
            text = text.replace("{" + key + "}", value)
        lines = f"{self.name} : {text}".split("\n")
        return "\n".join("    " + line if line else "" for line in lines)


#: The last entry of every estimator's ``Parameters`` section.
KWARGS_DOC = """\
    **kwargs : dict
        ``trunk__<param>``, ``architecture__<param>`` and
        ``task_weighting__<param>`` arguments for string aliases and classes,
        ``optimizer__<name>`` arguments of the optimizer (e.g.
        ``optimizer__momentum=0.9`` for SGD, ``optimizer__betas`` for Adam;
        ``lr`` and ``weight_decay`` have their own parameters; skorch's
        ``optimizer__param_groups=[("trunk.*", {"lr": 1e-4})]`` gives the
        parameters a pattern selects by name their own options), and
        ``iterator_train__<name>``/``iterator_valid__<name>`` DataLoader
        options. All are visible to ``get_params``, so ``GridSearchCV`` can
        search them, and saved by :func:`sklmtl.io.save`."""


def _with_own(inherited, own, after):
    """``inherited`` with ``own`` inserted after the parameter named ``after``."""
    names = [p.name for p in inherited]
    clash = sorted({p.name for p in own} & set(names))
    if clash:
        raise TypeError(f"Parameters {clash} are declared twice.")
    at = 0 if after is None else names.index(after) + 1
    return (*inherited[:at], *own, *inherited[at:])


def _make_init(params):
    """``__init__`` storing every parameter, generated as dataclasses do."""
    defaults = {f"_default_{p.name}": p.default for p in params}
    arguments = ", ".join(f"{p.name}=_default_{p.name}" for p in params)
    body = "\n".join(f"    self.{p.name} = {p.name}" for p in params)
    source = (
        f"def __init__(self, {arguments}, **kwargs):\n"
        f"{body}\n"
        "    self._store_extra_params(kwargs)\n"
    )
    namespace = {}
    exec(compile(source, "<sklmtl declared __init__>", "exec"), defaults, namespace)
    return namespace["__init__"]


def declare_parameters(cls):
    """Give ``cls`` its parameters: ``__init__``, constraints and documentation.

    ``cls`` declares ``_own_parameters`` (a tuple of :class:`Parameter`) and
    where they go, ``_own_parameters_after`` (a parameter's name, or None
    for the front); they join the parameters of the nearest class in its MRO
    that has them. Called by
    ``MultiTaskNetBase.__init_subclass__`` for every class that declares
    ``_own_parameters``; a class that writes its own ``__init__`` keeps it.

    Parameters
    ----------
    cls : type
        A subclass of ``MultiTaskNetBase``.

    Returns
    -------
    cls : type
        The same class.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetRegressor
    >>> [p.name for p in MultiTaskNetRegressor._parameters][15:18]
    ['task_weighting', 'loss', 'optimizer']
    """
    own = vars(cls)["_own_parameters"]
    after = vars(cls).get("_own_parameters_after", "task_weighting")
    inherited = next(k._parameters for k in cls.__mro__[1:] if "_parameters" in vars(k))
    params = _with_own(inherited, own, after)
    cls._parameters = params
    cls._parameter_constraints = {
        p.name: list(p.constraints) for p in params if p.constraints
    }
    cls._network_parameter_names = tuple(p.name for p in params if p.network)
    if "__init__" not in vars(cls):
        init = _make_init(params)
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        init.__module__ = cls.__module__
        cls.__init__ = init
    if cls.__doc__ and "    {parameters}" in cls.__doc__:
        doc_vars = getattr(cls, "_doc_vars", {})
        entries = [p.numpydoc(doc_vars) for p in params]
        cls.__doc__ = cls.__doc__.replace(
            "    {parameters}", "\n".join([*entries, KWARGS_DOC])
        )
    return cls
