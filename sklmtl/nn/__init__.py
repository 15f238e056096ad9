"""PyTorch building blocks: trunks, architectures and the masked loss."""

from .architectures import HardParameterSharing, TaskHead
from .losses import MaskedMultiTaskCrossEntropy, MultiTaskObjective
from .trunks import MLPTrunk, make_activation

__all__ = [
    "HardParameterSharing",
    "MLPTrunk",
    "MaskedMultiTaskCrossEntropy",
    "MultiTaskObjective",
    "TaskHead",
    "make_activation",
]
