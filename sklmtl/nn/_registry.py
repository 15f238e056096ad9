"""The one place that turns ``trunk`` and ``architecture`` values into modules."""

import copy

from torch import nn

from .._params import fresh_copy
from ._backbones import (
    backbone_factory,
    check_backbone,
    is_backbone,
    remove_classifier,
)
from .architectures import HPS, MMoE
from .cross_stitch import CrossStitch
from .ple import CGC, PLE
from .trunks import CNNTrunk, FlatFeatures, MLPTrunk

__all__ = ["ARCHITECTURES", "TRUNKS", "make_trunk_factory", "resolve_architecture"]

TRUNKS = ("mlp", "cnn")
ARCHITECTURES = {
    "hps": HPS,
    "mmoe": MMoE,
    "cgc": CGC,
    "ple": PLE,
    "cross_stitch": CrossStitch,
}


def resolve_architecture(architecture):
    """Return a fresh architecture spec for an alias or a spec instance.

    Parameters
    ----------
    architecture : {"hps", "mmoe", "cgc", "ple", "cross_stitch"} or HPS
        The architecture: an alias or a spec instance (:class:`HPS` or a
        subclass: :class:`MMoE`, :class:`CGC`, :class:`PLE`,
        :class:`CrossStitch`).

    Returns
    -------
    spec : HPS
        A new spec with the same parameters.

    Examples
    --------
    >>> from sklmtl.nn import resolve_architecture
    >>> resolve_architecture("mmoe")
    MMoE(n_experts=4)
    """
    if isinstance(architecture, str):
        try:
            return ARCHITECTURES[architecture]()
        except KeyError:
            raise ValueError(
                f"architecture={architecture!r} is not known; use one of "
                f"{sorted(ARCHITECTURES)} or a spec instance such as MMoE(n_experts=2)."
            ) from None
    if isinstance(architecture, HPS):
        return fresh_copy(architecture)
    raise TypeError(
        f"architecture must be one of {sorted(ARCHITECTURES)} or an instance of "
        "sklmtl.nn.HPS or a subclass (MMoE, CGC, PLE, CrossStitch); got "
        f"{type(architecture).__name__}."
    )


def make_trunk_factory(trunk, input_shape, trunk_params, mlp_params, load_weights=True):
    """Return a function that builds a fresh trunk on each call.

    Parameters
    ----------
    trunk : {"mlp", "cnn"}, str, callable, nn.Module subclass or nn.Module instance
        The trunk kind. A backbone name (``"resnet18"``, ``"timm:<name>"``)
        or builder function is built by ``sklmtl.nn._backbones``
        without its classifier. A class is built with ``trunk_params``; an
        instance is deep-copied (the caller's module is never trained). A
        torchvision or timm model given as a class or an instance loses its
        classifier too.
    input_shape : tuple of int
        Shape of one sample: ``(n_features,)`` or ``(C, H, W)``.
    trunk_params : dict
        ``trunk__<param>`` arguments.
    mlp_params : dict
        The estimator's MLP parameters (``hidden_layer_sizes``, ...).
    load_weights : bool, default=True
        Whether a backbone reads its ``trunk__weights``; False when the
        network's weights are loaded next (a continued fit,
        :func:`sklmtl.io.load`).

    Returns
    -------
    factory : callable
        ``factory()`` returns an ``nn.Module`` with ``out_features``.

    Examples
    --------
    >>> from sklmtl.nn import make_trunk_factory
    >>> factory = make_trunk_factory("cnn", (1, 28, 28), {"fc_size": 32}, {})
    >>> factory().out_features
    32
    """
    if isinstance(trunk, str):
        if trunk == "mlp":
            if len(input_shape) != 1:
                raise ValueError(
                    f"trunk='mlp' needs 2-D X of shape (n_samples, n_features); got "
                    f"samples of shape {input_shape}. Use trunk='cnn' for images."
                )
            return lambda: MLPTrunk(input_shape[0], **mlp_params, **trunk_params)
        if trunk == "cnn":
            if len(input_shape) != 3:
                raise ValueError(
                    "trunk='cnn' needs images: X of shape (n_samples, C, H, W), or "
                    "flat X with image_shape=(C, H, W)."
                )
            params = {
                "activation": mlp_params.get("activation", "relu"),
                "dropout": mlp_params.get("dropout", 0.0),
                **trunk_params,
            }
            return lambda: CNNTrunk(input_shape, **params)
    if is_backbone(trunk):
        check_backbone(trunk)
        if len(input_shape) != 3:
            raise ValueError(
                f"trunk={trunk!r} is an image backbone: it needs images, X of shape "
                "(n_samples, C, H, W), or flat X with image_shape=(C, H, W); got "
                f"samples of shape {input_shape}."
            )
        build = backbone_factory(trunk, trunk_params, load_weights=load_weights)
        return lambda: FlatFeatures(build(), input_shape)
    if isinstance(trunk, type) and issubclass(trunk, nn.Module):
        return lambda: FlatFeatures(
            remove_classifier(trunk(**trunk_params))[0], input_shape
        )
    if isinstance(trunk, nn.Module):
        if trunk_params:
            raise ValueError(
                f"trunk__ parameters {sorted(trunk_params)} need trunk to be a class; "
                "got an nn.Module instance."
            )
        return lambda: FlatFeatures(
            remove_classifier(copy.deepcopy(trunk))[0], input_shape
        )
    raise TypeError(
        "trunk must be 'mlp', 'cnn', a backbone name such as 'resnet18', a "
        "builder function, an nn.Module subclass or an nn.Module instance; "
        f"got {type(trunk).__name__}."
    )
