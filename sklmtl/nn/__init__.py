"""PyTorch building blocks: trunks, architectures and the masked losses."""

from ._registry import ARCHITECTURES, TRUNKS, make_trunk_factory, resolve_architecture
from .architectures import (
    HPS,
    HardParameterSharing,
    MMoE,
    MultiGateMixtureOfExperts,
)
from .heads import (
    BINARY_LOGIT_SCALE,
    TaskHead,
    TaskHeads,
    TaskLogits,
    flat_logits,
    task_probabilities,
)
from .losses import (
    MaskedMultiTaskCrossEntropy,
    MaskedMultiTaskRegressionLoss,
    MultiTaskObjective,
)
from .trunks import CNNTrunk, FlatFeatures, MLPTrunk, make_activation

__all__ = [
    "ARCHITECTURES",
    "BINARY_LOGIT_SCALE",
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
    "flat_logits",
    "make_activation",
    "make_trunk_factory",
    "resolve_architecture",
    "task_probabilities",
]
