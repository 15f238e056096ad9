"""PyTorch building blocks: trunks, architectures and the masked losses."""

from ._registry import ARCHITECTURES, TRUNKS, make_trunk_factory, resolve_architecture
from .architectures import (
    HPS,
    HardParameterSharing,
    MMoE,
    MultiGateMixtureOfExperts,
    TaskHead,
)
from .cross_stitch import CrossStitch, CrossStitchNetwork
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
    "CGC",
    "CNNTrunk",
    "CrossStitch",
    "CrossStitchNetwork",
    "FlatFeatures",
    "HPS",
    "HardParameterSharing",
    "MLPTrunk",
    "MMoE",
    "MaskedMultiTaskCrossEntropy",
    "MaskedMultiTaskRegressionLoss",
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
    "embedding_dim_for",
    "make_activation",
    "make_trunk_factory",
    "resolve_architecture",
]
