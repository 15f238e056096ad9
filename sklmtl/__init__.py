"""sklmtl: multi-task learning with PyTorch, the scikit-learn way."""

from .classifier import MultiTaskNetClassifier
from .exceptions import TrainingDivergedError
from .regressor import MultiTaskNetRegressor

__version__ = "0.1.0"

__all__ = [
    "MultiTaskNetClassifier",
    "MultiTaskNetRegressor",
    "TrainingDivergedError",
    "__version__",
]
