"""PyTorch building blocks: trunks, architectures and the masked losses."""

from ._registry import ARCHITECTURES, TRUNKS, make_trunk_factory, resolve_architecture
from .architectures import (
    HPS,
    HardParameterSharing,
    MMoE,
    MultiGateMixtureOfExperts,
)
from .cross_stitch import CrossStitch, CrossStitchNetwork
from .ensemble import EnsembleSharing, MemberLogits, pool_members
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
from .ple import CGC, PLE, ProgressiveLayeredExtraction
from .tabular import (
    PeriodicEmbedding,
    PiecewiseLinearEncoding,
    TabularInput,
    TabularTrunk,
    embedding_dim_for,
)
from .trunks import CNNTrunk, FlatFeatures, MLPTrunk, make_activation

__all__ = [
    "ARCHITECTURES",
    "BINARY_LOGIT_SCALE",
    "CGC",
    "CNNTrunk",
    "CrossStitch",
    "CrossStitchNetwork",
    "EnsembleSharing",
    "FlatFeatures",
    "HPS",
    "HardParameterSharing",
    "MLPTrunk",
    "MMoE",
    "MaskedMultiTaskCrossEntropy",
    "MaskedMultiTaskRegressionLoss",
    "MemberLogits",
    "MultiGateMixtureOfExperts",
    "MultiTaskObjective",
    "PLE",
    "ProgressiveLayeredExtraction",
    "PeriodicEmbedding",
    "PiecewiseLinearEncoding",
    "TRUNKS",
    "TabularInput",
    "TabularTrunk",
    "TaskHead",
    "TaskHeads",
    "TaskLogits",
    "embedding_dim_for",
    "flat_logits",
    "make_activation",
    "make_trunk_factory",
    "pool_members",
    "resolve_architecture",
    "task_probabilities",
]
