"""The parameters every network estimator shares, declared once.

``SHARED_PARAMETERS`` joins the network's parameters
(:mod:`._network_parameters`), training's (:mod:`._training_parameters`) and
the data's (:mod:`._data_parameters`);
:func:`~sklmtl._estimator._declaration.declare_parameters` turns them, with
an estimator's own, into its ``__init__``, constraints and documentation.
Adding a setting to every estimator is one :class:`Parameter` in one of the
two tables.
"""

import numpy as np

from ._data_parameters import DATA_PARAMETERS
from ._declaration import Parameter, declare_parameters
from ._network_parameters import NETWORK_PARAMETERS
from ._training_parameters import TRAINING_PARAMETERS

__all__ = ["MISSING_LABEL", "SHARED_PARAMETERS", "Parameter", "declare_parameters"]

SHARED_PARAMETERS = (*NETWORK_PARAMETERS, *TRAINING_PARAMETERS, *DATA_PARAMETERS)

#: ``missing_label`` of the estimators with classification tasks.
MISSING_LABEL = Parameter(
    "missing_label",
    np.nan,
    (),
    """\
scalar, default=np.nan
    Marks unknown cells of {labelled_cells} in addition to ``None``,
    ``NaN`` and ``pd.NA`` (e.g. ``-1``){regression_missing}.""",
)
