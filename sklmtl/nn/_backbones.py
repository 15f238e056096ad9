"""Image backbones by name: torchvision and timm models as trunks.

``trunk="resnet18"`` (any torchvision classification model by its builder
name), ``trunk="timm:<name>"`` (a timm model, when timm is installed) or a
builder function (``torchvision.models.resnet18``) build the model with
``trunk__<param>`` keyword arguments, remove its classifier and hand the
pooled features to the heads; ``trunk__weights`` chooses the starting
weights. The same classifier removal applies to a torchvision or timm model
given as an instance or a class, so its 1,000 ImageNet logits are never
trained on as features.

torchvision and timm are imported only when a backbone is asked for: they
are optional (``pip install "sklmtl[vision]"``).
"""

import hashlib
import os

import torch
from torch import nn

__all__ = [
    "BACKBONE_ATTRIBUTES",
    "backbone_factory",
    "backbone_name",
    "check_backbone",
    "is_backbone",
    "portable_trunk_params",
    "remove_classifier",
    "trunk_weights_sha256",
    "weights_sha256",
]

#: Attributes where torchvision and timm models keep their classifier.
BACKBONE_ATTRIBUTES = ("fc", "classifier", "head", "heads")

_TIMM = "timm:"
_LIBRARIES = ("torchvision.models", "timm.models", "timm.layers")
# Builders whose default adds auxiliary classifiers that change what forward
# returns in training mode: off unless asked for.
_NO_AUX_BY_DEFAULT = ("googlenet", "inception_v3")


def _torchvision_models():
    try:
        import torchvision.models
    except ImportError as exc:
        raise ImportError(
            "Backbones by name need torchvision: pip install 'sklmtl[vision]' "
            f"(see the installation page for a matching torch). ({exc})"
        ) from None
    return torchvision.models


def _timm():
    try:
        import timm
    except ImportError as exc:
        raise ImportError(
            f"trunk='timm:<name>' needs timm: pip install 'sklmtl[timm]'. ({exc})"
        ) from None
    return timm


def _torchvision_builder(name):
    """The torchvision builder of a classification model, or a clear error."""
    try:
        models = _torchvision_models()
    except ImportError as exc:
        raise ValueError(
            f"trunk={name!r} is not known: it is not one of sklmtl's trunks "
            "('mlp', 'cnn'), and backbones by name ('resnet18', ...) need "
            f"torchvision. {exc}"
        ) from None
    known = models.list_models(module=models)
    if name not in known:
        raise ValueError(
            f"trunk={name!r} is not known: it is neither one of sklmtl's trunks "
            "('mlp', 'cnn') nor a torchvision classification model. Use a name "
            "such as 'resnet18', 'mobilenet_v3_small' or 'efficientnet_b0' "
            "(torchvision.models.list_models(module=torchvision.models) lists "
            f"{len(known)}), 'timm:<name>' for a timm model, an nn.Module class "
            "or an instance."
        )
    return models.get_model_builder(name)


def backbone_name(trunk):
    """The name of a backbone given as a name or a torchvision builder function.

    Parameters
    ----------
    trunk : object
        The ``trunk`` parameter.

    Returns
    -------
    name : str or None
        ``"resnet18"``, ``"timm:<name>"``, ... ; None for anything else
        (``"mlp"``, ``"cnn"``, classes, instances, other callables).

    Examples
    --------
    >>> from sklmtl.nn._backbones import backbone_name
    >>> backbone_name("resnet18"), backbone_name("mlp")
    ('resnet18', None)
    """
    if isinstance(trunk, str):
        return None if trunk in ("mlp", "cnn") else trunk
    if callable(trunk) and not isinstance(trunk, (type, nn.Module)):
        module = getattr(trunk, "__module__", "") or ""
        name = getattr(trunk, "__name__", None)
        if module.startswith("torchvision.models") and name:
            models = _torchvision_models()
            if name in models.list_models(module=models) and (
                models.get_model_builder(name) is trunk
            ):
                return name
    return None


def is_backbone(trunk):
    """Whether ``trunk`` is a backbone by name or a builder function.

    Parameters
    ----------
    trunk : object
        The ``trunk`` parameter.

    Returns
    -------
    bool

    Examples
    --------
    >>> from sklmtl.nn._backbones import is_backbone
    >>> is_backbone("mobilenet_v3_small"), is_backbone("cnn")
    (True, False)
    """
    if isinstance(trunk, str):
        return trunk not in ("mlp", "cnn")
    return callable(trunk) and not isinstance(trunk, (type, nn.Module))


def _is_library_model(module):
    return type(module).__module__.startswith(_LIBRARIES)


def remove_classifier(model):
    """Remove the classifier of a torchvision or timm model, in place.

    A timm model is reset with ``reset_classifier(0)``. In a torchvision
    model the last ``nn.Linear`` (else the last ``nn.Conv2d``, as in
    SqueezeNet) under its classifier attribute (``fc``, ``classifier``,
    ``head`` or ``heads``) becomes ``nn.Identity``, so what the model
    returns is the pooled feature vector its classifier read. Other modules
    are returned unchanged.

    Parameters
    ----------
    model : nn.Module
        The model.

    Returns
    -------
    model : nn.Module
        The same model.
    removed : str or None
        The qualified name of the removed layer (``"fc"``,
        ``"classifier.3"``, ...), or None when nothing was removed.

    Examples
    --------
    >>> import torchvision
    >>> from sklmtl.nn._backbones import remove_classifier
    >>> model, removed = remove_classifier(torchvision.models.resnet18())
    >>> removed, model.fc
    ('fc', Identity())
    """
    if not _is_library_model(model):
        return model, None
    if hasattr(model, "reset_classifier") and hasattr(model, "num_classes"):
        if not model.num_classes:
            return model, None
        removed = (getattr(model, "pretrained_cfg", None) or {}).get("classifier")
        model.reset_classifier(0)
        return model, removed or "classifier"
    for attribute in BACKBONE_ATTRIBUTES:
        classifier = getattr(model, attribute, None)
        if not isinstance(classifier, nn.Module):
            continue
        layers = dict(classifier.named_modules(prefix=attribute))
        for kind in (nn.Linear, nn.Conv2d):
            names = [name for name, layer in layers.items() if isinstance(layer, kind)]
            if names:
                parent, _, child = names[-1].rpartition(".")
                setattr(model.get_submodule(parent), child, nn.Identity())
                return model, names[-1]
    return model, None


def weights_sha256(path):
    """SHA-256 digest of a weights file, as a hex string.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    digest : str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklmtl.nn._backbones import weights_sha256
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "w.bin"
    >>> _ = path.write_bytes(b"")
    >>> weights_sha256(path)[:12]
    'e3b0c44298fc'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_weights_file(weights):
    if isinstance(weights, os.PathLike):
        return True
    return isinstance(weights, str) and (
        os.path.exists(weights)
        or os.sep in weights
        or weights.endswith((".pt", ".pth", ".bin", ".safetensors", ".ckpt"))
    )


def _read_state_dict(path):
    """The state dict in a ``torch.save`` or safetensors file (no pickle)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ValueError(f"trunk__weights={path!r}: no such file.")
    if path.endswith(".safetensors"):
        from safetensors.torch import load_file

        return load_file(path, device="cpu")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a pickle of objects, a damaged file, ...
        raise ValueError(
            f"trunk__weights={path!r} is not a state dict saved with torch.save "
            f"(read with weights_only=True) or a .safetensors file: {exc}"
        ) from None
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and torch.is_tensor(v) for k, v in state.items()
    ):
        raise ValueError(
            f"trunk__weights={path!r} holds a {type(state).__name__}, not a state "
            "dict (a dict of parameter names to tensors, as model.state_dict() "
            "gives): save one with torch.save(model.state_dict(), path)."
        )
    return state


def _load_state_dict(model, state, removed, path):
    """Load ``state`` into ``model`` whose classifier ``removed`` was removed."""
    if removed:
        state = {
            k: v
            for k, v in state.items()
            if not (k == removed or k.startswith(f"{removed}."))
        }
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        raise ValueError(
            f"The weights in {os.fspath(path)!r} do not fit the backbone "
            f"{type(model).__name__}: {' '.join(lines[:3])}"
        ) from None


def _builder_kwargs(name, weights, params):
    """``params`` for building ``name`` without downloading: with what
    torchvision sets itself when it loads ``weights`` (a weight enum member),
    so that the network has the same structure and behaviour."""
    kwargs = dict(params)
    if name in _NO_AUX_BY_DEFAULT:
        # torchvision drops the auxiliary classifiers after loading weights.
        kwargs.setdefault("aux_logits", False)
    if weights is None:
        return kwargs
    if name in _NO_AUX_BY_DEFAULT:
        kwargs.setdefault("transform_input", True)
        kwargs.setdefault("init_weights", False)
    if name.startswith("vit_"):
        kwargs.setdefault("image_size", weights.meta["min_size"][0])
    if name.startswith("maxvit_"):
        kwargs.setdefault("input_size", weights.meta["min_size"])
    return kwargs


def check_backbone(trunk):
    """Refuse a backbone name that torchvision (or timm) does not know.

    Parameters
    ----------
    trunk : object
        The ``trunk`` parameter, a backbone (:func:`is_backbone`).

    Raises
    ------
    ValueError
        Naming the unknown trunk and what is accepted.

    Examples
    --------
    >>> from sklmtl.nn._backbones import check_backbone
    >>> check_backbone("resnet18")
    """
    name = backbone_name(trunk)
    if name is None:
        return
    if name.startswith(_TIMM):
        if not _timm().is_model(name[len(_TIMM) :]):
            raise ValueError(
                f"trunk={name!r} is not a timm model (timm.list_models() lists them)."
            )
        return
    _torchvision_builder(name)


def backbone_factory(trunk, trunk_params, *, load_weights=True):
    """A function building the named backbone without its classifier.

    Parameters
    ----------
    trunk : str or callable
        A torchvision classification model's builder name (``"resnet18"``)
        or the builder itself, ``"timm:<name>"``, or any callable returning
        an ``nn.Module``.
    trunk_params : dict
        The ``trunk__<param>`` arguments: ``weights`` and the builder's
        keyword arguments. ``weights`` is None (random initialisation), a
        torchvision weight enum or its name (``"IMAGENET1K_V1"``,
        ``"DEFAULT"``, ``"ResNet18_Weights.IMAGENET1K_V1"``; downloaded by
        torchvision), ``"pretrained"`` for timm's pretrained weights, or
        the path of a local file holding a state dict (``torch.save`` or
        ``.safetensors``), with or without the classifier's entries.
    load_weights : bool, default=True
        False builds the same network without reading or downloading any
        weights (for weights that are loaded next, as
        :func:`sklmtl.io.load` does).

    Returns
    -------
    factory : callable
        ``factory()`` returns a fresh backbone (an ``nn.Module``) each call;
        a local weights file is read once, here.

    Examples
    --------
    >>> from sklmtl.nn._backbones import backbone_factory
    >>> backbone_factory("resnet18", {})().fc
    Identity()
    """
    params = dict(trunk_params)
    weights = params.pop("weights", None)
    if isinstance(weights, os.PathLike):
        weights = os.fspath(weights)
    name = backbone_name(trunk)
    if name is None:  # any other callable that returns a module
        return _callable_factory(trunk, params, weights, load_weights)
    if name.startswith(_TIMM):
        return _timm_factory(name[len(_TIMM) :], params, weights, load_weights)
    builder = _torchvision_builder(name)
    if weights is None or _is_weights_file(weights):
        kwargs = _builder_kwargs(name, None, params)
        return _with_file(
            lambda: builder(weights=None, **kwargs), weights, load_weights
        )
    weights = _verified_weights(name, weights)
    if not load_weights:
        kwargs = _builder_kwargs(name, weights, params)
        return _stripped(lambda: builder(weights=None, **kwargs))
    # torchvision downloads the file once (into torch.hub's cache) and checks
    # its SHA-256 prefix (check_hash=True).
    return _stripped(lambda: builder(weights=weights, **params))


def _verified_weights(name, weights):
    """The weight enum member ``weights`` names, or a clear error."""
    enum = _torchvision_models().get_model_weights(name)
    try:
        return enum.verify(weights)
    except (KeyError, ValueError, TypeError):
        raise ValueError(
            f"trunk__weights={weights!r} is neither a local file nor one of "
            f"{name}'s weights ({', '.join(w.name for w in enum)}, 'DEFAULT', or "
            f"the enum {enum.__name__} itself)."
        ) from None


def trunk_weights_sha256(trunk, trunk_params):
    """SHA-256 digest of the local weights file of a backbone, if any.

    Parameters
    ----------
    trunk : object
        The ``trunk`` parameter.
    trunk_params : dict
        The ``trunk__<param>`` arguments.

    Returns
    -------
    digest : str or None
        The digest of the file ``trunk__weights`` names; None when the
        trunk is not a backbone or its weights are not a local file.

    Examples
    --------
    >>> from sklmtl.nn._backbones import trunk_weights_sha256
    >>> trunk_weights_sha256("resnet18", {"weights": None}) is None
    True
    """
    weights = trunk_params.get("weights")
    if not is_backbone(trunk) or weights is None or not _is_weights_file(weights):
        return None
    if not os.path.exists(weights):
        raise ValueError(f"trunk__weights={os.fspath(weights)!r}: no such file.")
    return weights_sha256(weights)


def _stripped(build):
    def factory():
        return remove_classifier(build())[0]

    return factory


def _with_file(build, weights, load_weights):
    """A factory for ``build`` loading the local file ``weights`` (read once)."""
    if weights is None or not load_weights:
        return _stripped(build)
    state = _read_state_dict(weights)

    def factory():
        model, removed = remove_classifier(build())
        _load_state_dict(model, state, removed, weights)
        return model

    return factory


def _timm_factory(name, params, weights, load_weights):
    timm = _timm()
    if weights in ("pretrained", True):
        pretrained = load_weights

        def build():
            return timm.create_model(name, pretrained=pretrained, **params)

        return _checked_timm(name, build)
    if weights is not None and not _is_weights_file(weights):
        raise ValueError(
            f"trunk__weights={weights!r}: for a timm model use None, 'pretrained' "
            "(timm's pretrained weights, downloaded) or the path of a local "
            "weights file."
        )
    return _with_file(
        _checked_timm(name, lambda: timm.create_model(name, **params)),
        weights,
        load_weights,
    )


def _checked_timm(name, build):
    def factory():
        try:
            return build()
        except RuntimeError as exc:
            if "Unknown model" in str(exc):
                raise ValueError(
                    f"trunk='timm:{name}' is not a timm model "
                    "(timm.list_models() lists them)."
                ) from None
            raise

    return _stripped(factory)


def _callable_factory(builder, params, weights, load_weights):
    def build():
        model = builder(**params)
        if not isinstance(model, nn.Module):
            raise TypeError(
                f"trunk={builder!r} returned a {type(model).__name__}, not an "
                "nn.Module: a callable trunk must build the backbone."
            )
        return model

    if weights is not None and not _is_weights_file(weights):
        raise ValueError(
            f"trunk__weights={weights!r}: for the callable trunk {builder!r} use "
            "None or the path of a local weights file."
        )
    return _with_file(build, weights, load_weights)


def portable_trunk_params(trunk, trunk_params):
    """``trunk`` and its parameters as a file can hold them.

    A torchvision builder function becomes its name, a weight enum its
    name (``"ResNet18_Weights.IMAGENET1K_V1"``) and a path a string;
    :func:`sklmtl.io.save` writes these, so that :func:`sklmtl.io.load`
    builds the same network without ``custom_objects``.

    Parameters
    ----------
    trunk : object
        The ``trunk`` parameter.
    trunk_params : dict
        The ``trunk__<param>`` arguments.

    Returns
    -------
    trunk : object
    trunk_params : dict

    Examples
    --------
    >>> import torchvision
    >>> from sklmtl.nn._backbones import portable_trunk_params
    >>> portable_trunk_params(torchvision.models.resnet18, {})
    ('resnet18', {})
    """
    name = backbone_name(trunk)
    params = dict(trunk_params)
    weights = params.get("weights")
    if isinstance(weights, os.PathLike):
        params["weights"] = os.fspath(weights)
    elif weights is not None and not isinstance(weights, (str, bool)):
        enum_name = getattr(type(weights), "__name__", None)
        if hasattr(weights, "url") and hasattr(weights, "name") and enum_name:
            params["weights"] = f"{enum_name}.{weights.name}"
    return (trunk if name is None else name), params
