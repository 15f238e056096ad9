"""PyTorch building blocks: trunks, architectures and the masked losses."""

from ._registry import ARCHITECTURES, TRUNKS, make_trunk_factory, resolve_architecture
from .architectures import (
    HPS,
    HardParameterSharing,
    MMoE,
    MultiGateMixtureOfExperts,
)
from .heads import TaskHead, TaskHeads, TaskLogits, task_probabilities
from .losses import (
    MaskedMultiTaskCrossEntropy,
    MaskedMultiTaskRegressionLoss,
    MultiTaskObjective,
)
from .trunks import CNNTrunk, FlatFeatures, MLPTrunk, make_activation

__all__ = [
    "ARCHITECTURES",
    "CNNTrunk",
    "FlatFeatures",
    "HPS",
    "HardParameterSharing",
    "MLPTrunk",
    "MMoE",
    "MaskedMultiTaskCrossEntropy",
    "MaskedMultiTaskRegressionLoss",
    "MultiGateMixtureOfExperts",
    "MultiTaskObjective",
    "TRUNKS",
    "TaskHead",
    "TaskHeads",
    "TaskLogits",
    "make_activation",
    "make_trunk_factory",
    "resolve_architecture",
    "task_probabilities",
]
