"""The parameters are declared once (sklmtl._estimator._parameters).

Each network estimator's signature, stored attributes, constraint table and
documented Parameters come from one list; these tests keep them in
agreement, and the shared parameters' documentation identical across the
estimators.
"""

import inspect
import re

import numpy as np
import pytest
from sklearn.base import clone

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl._estimator._base import MultiTaskNetBase
from sklmtl._estimator._parameters import (
    SHARED_PARAMETERS,
    Parameter,
)
from sklmtl._validation import Interval
from sklmtl.distributed import AcceleratedMultiTaskNetClassifier

ESTIMATORS = [
    MultiTaskNetClassifier,
    MultiTaskNetRegressor,
    MultiTaskNet,
    AcceleratedMultiTaskNetClassifier,
]


def _same_default(a, b):
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a is b or a == b


def _documented(cls):
    """``{name: entry}`` of the docstring's Parameters section, in order."""
    lines = inspect.cleandoc(cls.__doc__).split("\n")
    start = lines.index("Parameters") + 2
    stop = lines.index("Attributes") if "Attributes" in lines else len(lines)
    entries, name = {}, None
    for line in lines[start:stop]:
        match = re.match(r"^(\*\*kwargs|\w+) : ", line)
        if match:
            name = match.group(1)
            entries[name] = []
        entries[name].append(line)
    return {n: "\n".join(text).strip() for n, text in entries.items()}


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_signature_attributes_and_doc_follow_the_declaration(cls):
    declared = [p.name for p in cls._parameters]
    signature = inspect.signature(cls.__init__).parameters
    assert [n for n in signature if n not in ("self", "kwargs")] == declared
    for p in cls._parameters:
        assert _same_default(signature[p.name].default, p.default), p.name
    assert list(_documented(cls)) == [*declared, "**kwargs"]
    assert set(cls._parameter_constraints) <= set(declared)
    # __init__ stores every argument as given (scikit-learn's rule).
    marker = object()
    est = cls(**{declared[0]: marker})
    assert getattr(est, declared[0]) is marker
    assert sorted(est.get_params(deep=False)) == sorted(declared)
    assert "{" + "parameters}" not in cls.__doc__


def test_shared_parameters_are_documented_identically():
    docs = [_documented(cls) for cls in ESTIMATORS]
    for p in SHARED_PARAMETERS:
        entries = {d[p.name] for d in docs}
        if "{" + "progress}" in p.doc or "_setting}" in p.doc or "_scores}" in p.doc:
            # Filled per estimator: what the bar and the epoch table show.
            assert len(entries) > 1, p.name
            continue
        assert len(entries) == 1, p.name


def test_no_placeholder_is_left_unfilled():
    for cls in ESTIMATORS:
        text = cls.__doc__
        for name in ("progress", "training_setting", "epoch_scores", "labelled_cells"):
            assert "{" + name + "}" not in text, (cls.__name__, name)


def test_network_parameters_are_declared():
    expected = {
        "hidden_layer_sizes",
        "batch_norm",
        "head_hidden_size",
        "ensemble_size",
        "linear_path",
        "trunk",
        "architecture",
        "image_shape",
        "task_weighting",
        "categorical_features",
        "categorical_embedding_dim",
        "numeric_embedding",
        "missing_values",
        "numeric_scaling",
        "dtype",
    }
    for cls in ESTIMATORS:
        assert set(cls._network_parameter_names) == expected


def test_a_new_setting_is_one_declaration():
    class WithSmoothing(MultiTaskNetClassifier):
        """A classifier with one more setting.

        Parameters
        ----------
        {parameters}
        """

        _own_parameters = (
            Parameter(
                "smoothing",
                0.0,
                [Interval(float, 0, 1, closed="left")],
                "float, default=0.0\n    Label smoothing.",
            ),
        )

    est = WithSmoothing(smoothing=0.5, lr=0.1)
    assert est.get_params()["smoothing"] == 0.5
    assert clone(est).smoothing == 0.5
    assert "smoothing : float, default=0.0" in WithSmoothing.__doc__
    names = [p.name for p in WithSmoothing._parameters]
    assert names.index("smoothing") == names.index("task_weighting") + 1
    with pytest.raises(ValueError, match="'smoothing' parameter"):
        WithSmoothing(smoothing=2.0, max_epochs=1).fit([[0.0], [1.0]], [0, 1])


def test_a_parameter_cannot_be_declared_twice():
    with pytest.raises(TypeError, match=r"\['lr'\] are declared twice"):

        class Twice(MultiTaskNetBase):
            _own_parameters = (Parameter("lr", 0.1, (), "float, default=0.1"),)
