"""Close the figures a test or doctest opened, so that they do not pile up.

pyplot keeps every figure until it is closed; past 20 open figures it warns,
the warning is attributed to the sklmtl code that opened the figure, and
``filterwarnings`` turns it into an error in whichever display test comes
next. The display doctests open figures without closing them.
"""

import sys

import pytest

# Modules whose doctests need torchvision: marked ``vision`` (CI runs them in
# its image stage, ``pytest -m vision``) and left out where torchvision does
# not import (the CPU torch of the main stage).
_VISION_MODULES = ("sklmtl/nn/_backbones.py",)


def _torchvision_imports():
    try:
        import torchvision  # noqa: F401
    except Exception:  # absent, or built for another torch (RuntimeError)
        return False
    return True


collect_ignore = [] if _torchvision_imports() else list(_VISION_MODULES)


def pytest_collection_modifyitems(items):
    for item in items:
        if any(str(item.path).endswith(module) for module in _VISION_MODULES):
            item.add_marker(pytest.mark.vision)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
