"""A generator of multi-attribute images: shapes with a colour, size, position
and texture, among distractor shapes and noise (numpy only)."""

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ._generators import _check_fraction, _check_positive_int

__all__ = ["make_attribute_images"]

ATTRIBUTES = ("shape", "colour", "size", "position", "texture")
SIZES = ("small", "large")
POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")

# Radius of the object as a share of the image side; the distractors are
# smaller than the small objects, so "the object" is always the largest shape.
_RADIUS = {"small": (0.11, 0.15), "large": (0.19, 0.24)}
_DISTRACTOR_RADIUS = (0.04, 0.075)

PALETTE = {
    "red": (220, 40, 40),
    "green": (40, 180, 60),
    "blue": (50, 90, 230),
    "yellow": (235, 215, 40),
    "purple": (150, 60, 200),
    "orange": (245, 140, 30),
    "cyan": (40, 210, 220),
    "white": (240, 240, 240),
}


def _circle(dx, dy, r):
    return dx**2 + dy**2 <= r**2


def _square(dx, dy, r):
    # 0.85 r: about the area of the circle of radius r.
    return np.maximum(np.abs(dx), np.abs(dy)) <= 0.85 * r


def _triangle(dx, dy, r):
    # Apex up at -r, base at +0.7 r, 1.9 r wide.
    return (dy <= 0.7 * r) & (np.abs(dx) <= (dy + r) * (0.95 / 1.7))


def _diamond(dx, dy, r):
    return np.abs(dx) + np.abs(dy) <= 1.1 * r


def _cross(dx, dy, r):
    bar = 0.35 * r
    adx, ady = np.abs(dx), np.abs(dy)
    return ((adx <= bar) & (ady <= r)) | ((ady <= bar) & (adx <= r))


def _ring(dx, dy, r):
    d2 = dx**2 + dy**2
    return (d2 <= r**2) & (d2 >= (0.55 * r) ** 2)


SHAPES = {
    "circle": _circle,
    "square": _square,
    "triangle": _triangle,
    "diamond": _diamond,
    "cross": _cross,
    "ring": _ring,
}


# Textures shade the object: 1 keeps its colour, 0.35 darkens it. The pattern
# is anchored at the object's centre, so it moves with the object.
def _solid(dx, dy, period):
    return np.ones(dx.shape, dtype=np.float32)


def _striped(dx, dy, period):
    return np.where(np.floor((dx + dy) / period) % 2 == 0, 1.0, 0.35)


def _checkered(dx, dy, period):
    parity = (np.floor(dx / period) + np.floor(dy / period)) % 2
    return np.where(parity == 0, 1.0, 0.35)


def _dotted(dx, dy, period):
    fx = dx / period - np.floor(dx / period) - 0.5
    fy = dy / period - np.floor(dy / period) - 0.5
    return np.where(fx**2 + fy**2 <= 0.3**2, 0.35, 1.0)


TEXTURES = {
    "solid": _solid,
    "striped": _striped,
    "checkered": _checkered,
    "dotted": _dotted,
}

_CHUNK = 256  # images rendered at once: bounded memory, vectorised work


def _check_choices(values, known, name):
    if isinstance(values, str):
        values = (values,)
    values = tuple(values)
    unknown = [v for v in values if v not in known]
    if not values or unknown or len(set(values)) != len(values):
        raise ValueError(
            f"{name} must be a non-empty list of distinct names from "
            f"{sorted(known)}; got {list(values)!r}."
        )
    return values


def _check_params(image_size, n_distractors, noise, colour_jitter, layout):
    _check_positive_int(image_size, "image_size")
    if image_size < 16:
        raise ValueError(f"image_size must be at least 16; got {image_size}.")
    if (
        isinstance(n_distractors, bool)
        or not isinstance(n_distractors, numbers.Integral)
        or n_distractors < 0
    ):
        raise ValueError(
            f"n_distractors must be a non-negative integer; got {n_distractors!r}."
        )
    _check_fraction(noise, "noise")
    _check_fraction(colour_jitter, "colour_jitter")
    if layout not in ("NHWC", "NCHW"):
        raise ValueError(f"layout must be 'NHWC' or 'NCHW'; got {layout!r}.")


def _draw_objects(rng, n, shapes, colours, textures, jitter):
    """Random shape, colour (jittered RGB) and texture of one object per image."""
    colour = rng.randint(len(colours), size=n)
    rgb = np.array([PALETTE[c] for c in colours], dtype=np.float32)[colour]
    rgb = np.clip(rgb + rng.uniform(-jitter, jitter, size=(n, 3)) * 255, 0, 255)
    return {
        "shape": rng.randint(len(shapes), size=n),
        "colour": colour,
        "texture": rng.randint(len(textures), size=n),
        "rgb": rgb.astype(np.float32),
    }


def _main_objects(rng, n, size, shapes, colours, textures, jitter):
    """The labelled object of each image: attributes, radius and centre."""
    obj = _draw_objects(rng, n, shapes, colours, textures, jitter)
    obj["size"] = rng.randint(len(SIZES), size=n)
    obj["position"] = rng.randint(len(POSITIONS), size=n)
    bounds = np.array([_RADIUS[s] for s in SIZES])[obj["size"]]
    obj["radius"] = rng.uniform(bounds[:, 0], bounds[:, 1]) * size
    # The centre lies in the position's quadrant, at least a pixel from its
    # edges, and the whole object inside the image (pixel i spans [i, i + 1]).
    half = size / 2
    right = obj["position"] % 2 == 1
    bottom = obj["position"] >= 2
    for axis, far in (("cx", right), ("cy", bottom)):
        near_low = 1.1 * obj["radius"] + 1
        near_high = half - 1
        pos = rng.uniform(near_low, np.maximum(near_high, near_low))
        obj[axis] = np.where(far, size - pos, pos)
    return obj


def _distractors(rng, n, size, shapes, colours, textures, jitter):
    obj = _draw_objects(rng, n, shapes, colours, textures, jitter)
    obj["radius"] = rng.uniform(*_DISTRACTOR_RADIUS, size=n) * size
    obj["cx"] = rng.uniform(0, size - 1, size=n)
    obj["cy"] = rng.uniform(0, size - 1, size=n)
    return obj


def _paint(canvas, obj, rows, shapes, textures, period):
    """Paint one object into each image of ``canvas`` (``rows`` of ``obj``).

    Only a square window around each object is computed (a shape reaches at
    most 1.1 radius from its centre), not the whole image.
    """
    size = canvas.shape[1]
    cx, cy, radius = obj["cx"][rows], obj["cy"][rows], obj["radius"][rows]
    window = min(size, int(np.ceil(2.2 * radius.max())) + 3)
    offsets = np.arange(window)
    starts = [
        np.clip(np.floor(c).astype(int) - window // 2, 0, size - window)
        for c in (cx, cy)
    ]
    cols, lines = (start[:, None] + offsets for start in starts)
    shape = (len(rows), window, window)
    dx = np.broadcast_to((cols + 0.5 - cx[:, None])[:, None, :], shape)
    dy = np.broadcast_to((lines + 0.5 - cy[:, None])[:, :, None], shape)
    radius = radius[:, None, None]
    mask = np.zeros(shape, dtype=bool)
    shade = np.ones(shape, dtype=np.float32)
    for k, name in enumerate(shapes):
        sel = obj["shape"][rows] == k
        if sel.any():
            mask[sel] = SHAPES[name](dx[sel], dy[sel], radius[sel])
    for k, name in enumerate(textures):
        sel = obj["texture"][rows] == k
        if sel.any():
            shade[sel] = TEXTURES[name](dx[sel], dy[sel], period)
    index = (np.arange(len(rows))[:, None, None], lines[:, :, None], cols[:, None, :])
    patch = canvas[index]
    colour = obj["rgb"][rows, None, None, :] * shade[..., None]
    np.copyto(patch, colour, where=mask[..., None])
    canvas[index] = patch


def make_attribute_images(
    n_samples=1000,
    *,
    image_size=64,
    shapes=("circle", "square", "triangle", "diamond", "cross"),
    colours=("red", "green", "blue", "yellow"),
    textures=("solid", "striped", "checkered"),
    n_distractors=2,
    noise=0.06,
    colour_jitter=0.08,
    layout="NHWC",
    return_X_y=False,
    as_frame=False,
    random_state=None,
):
    """Generate colour images of one shape with five attributes to predict.

    Each image shows one object, the largest shape in it, whose five
    attributes are the tasks: its ``shape`` (circle, square, ...), its
    ``colour`` (red, green, ...), its ``size`` (``"small"`` or ``"large"``),
    its ``position`` (the quadrant of its centre: ``"top-left"``,
    ``"top-right"``, ``"bottom-left"``, ``"bottom-right"``) and its
    ``texture`` (solid, striped, ...). Clutter makes it a vision problem
    rather than a lookup: ``n_distractors`` smaller shapes of random shape,
    colour and texture lie anywhere (the object is painted over them), the
    background has a random dark colour, each object's colour is jittered,
    and every pixel gets Gaussian noise. The attributes are drawn uniformly
    and independently, so each task's chance level is one over its number
    of classes, and the tasks share what a network must learn first (finding
    the object among the clutter): the multi-attribute setting of one
    backbone with one head per attribute.

    Pure numpy and vectorised (each shape is drawn in a window around it):
    5,000 64x64 images take one to two seconds on one core. The same
    ``random_state`` gives the same images.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of images.
    image_size : int, default=64
        Height and width in pixels (at least 16).
    shapes : list of str, default=("circle", "square", "triangle", \
"diamond", "cross")
        The classes of the ``shape`` task, from ``"circle"``, ``"square"``,
        ``"triangle"``, ``"diamond"``, ``"cross"`` and ``"ring"``.
    colours : list of str, default=("red", "green", "blue", "yellow")
        The classes of the ``colour`` task, from ``"red"``, ``"green"``,
        ``"blue"``, ``"yellow"``, ``"purple"``, ``"orange"``, ``"cyan"`` and
        ``"white"``.
    textures : list of str, default=("solid", "striped", "checkered")
        The classes of the ``texture`` task, from ``"solid"``,
        ``"striped"``, ``"checkered"`` and ``"dotted"`` (the pattern darkens
        part of the object).
    n_distractors : int, default=2
        Smaller shapes of random shape, colour and texture in each image.
    noise : float, default=0.06
        Standard deviation of the Gaussian pixel noise, as a share of 255.
    colour_jitter : float, default=0.08
        Each object's colour channels move by up to this share of 255.
    layout : {"NHWC", "NCHW"}, default="NHWC"
        Channels last (as images are loaded) or first (as torch reads them).
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Return ``target`` as a pandas DataFrame with one string column per
        attribute (needs pandas); ``images`` stays an array.
    random_state : int, RandomState instance or None, default=None
        Seeds everything drawn.

    Returns
    -------
    data : Bunch
        ``images``, uint8 of shape (n_samples, image_size, image_size, 3)
        (or (n_samples, 3, image_size, image_size) with ``layout="NCHW"``);
        ``target`` of shape (n_samples, 5), an object array of str (or a
        DataFrame with ``as_frame=True``) whose columns are ``target_names``:
        ``["shape", "colour", "size", "position", "texture"]``; ``classes``,
        a dict of each attribute's possible values; and ``DESCR``.
    (images, target) : tuple
        When ``return_X_y`` is True.

    See Also
    --------
    load_multi_mnist : two digits per image, one task per digit.

    Examples
    --------
    >>> from sklmtl.datasets import make_attribute_images
    >>> images, Y = make_attribute_images(
    ...     100, image_size=32, return_X_y=True, random_state=0
    ... )
    >>> images.shape, images.dtype, Y.shape
    ((100, 32, 32, 3), dtype('uint8'), (100, 5))
    >>> bunch = make_attribute_images(10, layout="NCHW", as_frame=True, random_state=0)
    >>> bunch.images.shape, list(bunch.target.columns)
    ((10, 3, 64, 64), ['shape', 'colour', 'size', 'position', 'texture'])
    """
    _check_positive_int(n_samples, "n_samples")
    _check_params(image_size, n_distractors, noise, colour_jitter, layout)
    shapes = _check_choices(shapes, SHAPES, "shapes")
    colours = _check_choices(colours, PALETTE, "colours")
    textures = _check_choices(textures, TEXTURES, "textures")
    rng = check_random_state(random_state)
    size = int(image_size)
    period = max(2.0, size / 16)

    main = _main_objects(rng, n_samples, size, shapes, colours, textures, colour_jitter)
    clutter = [
        _distractors(rng, n_samples, size, SHAPES, PALETTE, TEXTURES, colour_jitter)
        for _ in range(n_distractors)
    ]
    background = rng.uniform(0, 70, size=(n_samples, 3)).astype(np.float32)
    # numpy's Generator draws float32 normals, 3x faster than RandomState's.
    noise_rng = np.random.default_rng(rng.randint(2**32 - 1, dtype=np.uint64))

    images = np.empty((n_samples, size, size, 3), dtype=np.uint8)
    for start in range(0, n_samples, _CHUNK):
        rows = np.arange(start, min(start + _CHUNK, n_samples))
        canvas = np.broadcast_to(
            background[rows, None, None, :], (len(rows), size, size, 3)
        ).copy()
        for obj in clutter:
            _paint(canvas, obj, rows, tuple(SHAPES), tuple(TEXTURES), period)
        _paint(canvas, main, rows, shapes, textures, period)
        if noise:
            canvas += noise_rng.standard_normal(canvas.shape, dtype=np.float32) * (
                noise * 255
            )
        images[rows] = np.clip(np.rint(canvas), 0, 255).astype(np.uint8)
    if layout == "NCHW":
        images = np.ascontiguousarray(images.transpose(0, 3, 1, 2))

    classes = {
        "shape": list(shapes),
        "colour": list(colours),
        "size": list(SIZES),
        "position": list(POSITIONS),
        "texture": list(textures),
    }
    target = np.empty((n_samples, len(ATTRIBUTES)), dtype=object)
    for j, name in enumerate(ATTRIBUTES):
        target[:, j] = np.asarray(classes[name], dtype=object)[main[name]]
    if as_frame:
        import pandas as pd

        target = pd.DataFrame(
            {name: target[:, j].astype(str) for j, name in enumerate(ATTRIBUTES)}
        )
    if return_X_y:
        return images, target
    return Bunch(
        images=images,
        target=target,
        target_names=list(ATTRIBUTES),
        classes=classes,
        DESCR=(
            f"Attribute images: {n_samples} {size}x{size} RGB images ({layout}), "
            "each one object (the largest shape) among "
            f"{n_distractors} distractor shapes, on a random dark background "
            f"with Gaussian noise (std {noise:g} x 255). Tasks: shape "
            f"({len(shapes)} classes), colour ({len(colours)}), size (2), "
            f"position (4 quadrants) and texture ({len(textures)})."
        ),
    )
