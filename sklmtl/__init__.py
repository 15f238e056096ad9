"""sklmtl: multi-task learning with PyTorch, the scikit-learn way."""

from .classifier import MultiTaskNetClassifier

__version__ = "0.1.0"

__all__ = ["MultiTaskNetClassifier", "__version__"]
