"""sklmtl: multi-task learning with PyTorch, the scikit-learn way."""

from .classifier import MultiTaskNetClassifier
from .exceptions import TrainingDivergedError
from .mixed import MultiTaskNet
from .regressor import MultiTaskNetRegressor

__version__ = "0.1.0"

__all__ = [
    "MultiTaskNet",
    "MultiTaskNetClassifier",
    "MultiTaskNetRegressor",
    "TrainingDivergedError",
    "__version__",
]
