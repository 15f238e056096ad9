"""Close the figures a test or doctest opened, so that they do not pile up.

pyplot keeps every figure until it is closed; past 20 open figures it warns,
the warning is attributed to the sklmtl code that opened the figure, and
``filterwarnings`` turns it into an error in whichever display test comes
next. The display doctests open figures without closing them.
"""

import sys

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
