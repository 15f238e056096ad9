"""Images as they come: ``uint8`` arrays, Dataset items, per-item transforms.

Images arrive as ``uint8`` arrays ``(N, H, W, C)`` or ``(N, C, H, W)``, as
PIL images or tensors in the items of a torch ``Dataset`` (plain, in
``(image, labels)`` tuples or in dicts), or decoded from files
(:class:`sklmtl.datasets.ImageFiles`). The network reads float tensors
``(n, C, H, W)``: :class:`ImageArray` converts an array one batch at a time
(never the whole array up front), :func:`item_image` one Dataset item at a
time, and :class:`ItemCollate` applies the estimator's ``train_transform`` (training
rows) or ``valid_transform`` (validation and prediction rows) to each image
of a batch inside the ``DataLoader``, so in its worker processes when
``iterator_*__num_workers`` asks for them.
"""

import numbers

import numpy as np
import torch
from torch.utils.data import DataLoader, default_collate

__all__ = [
    "IMAGE_LAYOUTS",
    "ImageArray",
    "ItemCollate",
    "detect_layout",
    "item_image",
    "loader_batches",
    "to_float_image",
]

IMAGE_LAYOUTS = ("auto", "NCHW", "NHWC")
# Channel counts of images as they are stored: grey, RGB, RGBA.
_USUAL_CHANNELS = (1, 3, 4)
# DataLoader options that decide the batches: prediction keeps its own.
_PREDICTION_OWNED = (
    "batch_size",
    "shuffle",
    "sampler",
    "batch_sampler",
    "drop_last",
    "collate_fn",
    "pin_memory",
)


def to_float_image(image, dtype=torch.float32):
    """A float tensor of ``image``: ``uint8`` values scaled to ``[0, 1]``.

    Parameters
    ----------
    image : Tensor
        One image or a batch.
    dtype : torch.dtype, default=torch.float32
        The network's dtype.

    Returns
    -------
    image : Tensor

    Examples
    --------
    >>> import torch
    >>> from sklmtl._images import to_float_image
    >>> to_float_image(torch.tensor([0, 255], dtype=torch.uint8)).tolist()
    [0.0, 1.0]
    """
    if image.dtype == torch.uint8:
        return image.to(dtype).div_(255)
    return image.to(dtype)


def item_image(item, image_key="image"):
    """The image (or feature) part of a Dataset item, as a tensor.

    Parameters
    ----------
    item : object
        A tensor, array or PIL image; a tuple or list whose first element is
        one; or a dict holding one under ``image_key``. A PIL image becomes
        ``(C, H, W)``; tensors and arrays are kept as they are.
    image_key : str, default="image"
        The key of the image in dict items.

    Returns
    -------
    image : Tensor

    Examples
    --------
    >>> import torch
    >>> from sklmtl._images import item_image
    >>> item_image({"image": torch.zeros(3, 2, 2), "labels": [1]}).shape
    torch.Size([3, 2, 2])
    """
    if isinstance(item, dict):
        if image_key not in item:
            raise ValueError(
                f"Dataset items are dicts with keys {sorted(map(str, item))}, but "
                f"no {image_key!r} key for the image; set item_keys=(<image key>, "
                "<labels key>) to name them."
            )
        item = item[image_key]
    elif isinstance(item, (tuple, list)):
        item = item[0]
    if isinstance(item, torch.Tensor):
        return item
    if hasattr(item, "getbands"):
        # A PIL image: (H, W) or (H, W, C) pixels.
        pixels = torch.from_numpy(np.array(item))
        return pixels.unsqueeze(0) if pixels.ndim == 2 else pixels.permute(2, 0, 1)
    return torch.as_tensor(np.asarray(item))


def detect_layout(shape, layout="auto", channels=None):
    """``"NCHW"`` or ``"NHWC"`` for a 4-D image array of ``shape``.

    Parameters
    ----------
    shape : tuple of int
        The array's shape ``(N, a, b, c)``.
    layout : {"auto", "NCHW", "NHWC"}, default="auto"
        An explicit layout is returned as it is.
    channels : int or None, default=None
        The channel count the network expects (its trunk's first
        convolution, or the fitted images'); None looks for 1, 3 or 4.

    Returns
    -------
    layout : str

    Examples
    --------
    >>> from sklmtl._images import detect_layout
    >>> detect_layout((8, 32, 32, 3)), detect_layout((8, 3, 32, 32))
    ('NHWC', 'NCHW')
    >>> detect_layout((8, 3, 5, 3), channels=3)
    Traceback (most recent call last):
    ...
    ValueError: Cannot tell the layout of images of shape (8, 3, 5, 3): ...
    """
    if layout != "auto":
        return layout
    first, last = shape[1], shape[3]
    if channels is None:
        matches = [
            name
            for name, c in (("NCHW", first), ("NHWC", last))
            if c in _USUAL_CHANNELS
        ]
        expected = "1, 3 or 4 channels"
    else:
        matches = [
            name for name, c in (("NCHW", first), ("NHWC", last)) if c == channels
        ]
        expected = f"{channels} channels"
    if len(matches) == 1:
        return matches[0]
    raise ValueError(
        f"Cannot tell the layout of images of shape {tuple(shape)}: expected "
        f"{expected} on axis 1 (N, C, H, W) or on axis 3 (N, H, W, C), and "
        f"{'both' if matches else 'neither'} match. Set image_layout='NCHW' or "
        "image_layout='NHWC'."
    )


class ImageArray:
    """An image array read as float ``(n, C, H, W)`` tensors, one batch at a time.

    Indexing with an int gives one image ``(C, H, W)``; with a slice, an
    index array or tensor, a batch ``(n, C, H, W)``. Only the rows asked for
    are converted: a ``uint8`` array is never copied whole to float.

    Parameters
    ----------
    array : ndarray of shape (N, C, H, W) or (N, H, W, C)
        The images; ``uint8`` values are scaled to ``[0, 1]``. Never
        modified.
    layout : {"NCHW", "NHWC"}, default="NCHW"
        Where the channels are.
    dtype : numpy dtype, default=np.float32
        The dtype of the batches (the network's).

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl._images import ImageArray
    >>> images = ImageArray(np.full((5, 4, 4, 3), 255, np.uint8), "NHWC")
    >>> len(images), images.shape, tuple(images[1:3].shape), float(images[0].max())
    (5, (5, 3, 4, 4), (2, 3, 4, 4), 1.0)
    """

    def __init__(self, array, layout="NCHW", dtype=np.float32):
        self.array = array
        self.layout = layout
        self.dtype = np.dtype(dtype)
        n, *rest = array.shape
        self.shape = (n, rest[2], rest[0], rest[1]) if layout == "NHWC" else (n, *rest)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        if isinstance(index, torch.Tensor):
            index = index.numpy()
        single = isinstance(index, numbers.Integral)
        block = torch.from_numpy(
            np.array(self.array[[int(index)] if single else index])
        )
        if self.layout == "NHWC":
            block = block.permute(0, 3, 1, 2)
        block = to_float_image(block, getattr(torch, self.dtype.name))
        return block[0] if single else block


class ItemCollate:
    """A ``collate_fn``: each item's image through ``transform``, then stacked.

    The items are images, or ``(image, target)`` pairs (the training and
    validation rows). ``transform`` receives one float image ``(C, H, W)``
    (``uint8`` pixels scaled to ``[0, 1]``), the input torchvision's
    transforms take, and is called anew for every item of every batch: a
    random transform draws new parameters each epoch.

    Parameters
    ----------
    transform : callable or None
        Applied to each image; None stacks them as they are.
    dtype : numpy dtype, default=np.float32
        The dtype of the stacked batch (the network's).

    Examples
    --------
    >>> import torch
    >>> from sklmtl._images import ItemCollate
    >>> collate = ItemCollate(lambda image: image.flip(-1))
    >>> images, y = collate([(torch.arange(3.0).view(1, 1, 3), 0)] * 2)
    >>> images[0, 0, 0].tolist(), y.tolist()
    ([2.0, 1.0, 0.0], [0, 0])
    """

    def __init__(self, transform=None, dtype=np.float32):
        self.transform = transform
        self.dtype = np.dtype(dtype)

    def __call__(self, items):
        paired = isinstance(items[0], (tuple, list))
        images = [item[0] if paired else item for item in items]
        dtype = getattr(torch, self.dtype.name)
        images = [
            to_float_image(torch.as_tensor(image), torch.float32) for image in images
        ]
        if self.transform is not None:
            images = [torch.as_tensor(self.transform(image)) for image in images]
        shapes = {tuple(image.shape) for image in images}
        if len(shapes) > 1:
            raise ValueError(
                f"Images of different sizes in one batch: {sorted(shapes)[:3]}. Give "
                "the estimator a transform (training rows) and a valid_transform "
                "(validation and prediction rows) that resize them to one size, "
                "e.g. torchvision.transforms.v2.Resize((224, 224))."
            )
        batch = torch.stack(images).to(dtype)
        if not paired:
            return batch
        return batch, default_collate([item[1] for item in items])


def loader_batches(items, batch_rows, collate_fn, pin=False, loader_kwargs=None):
    """Yield ``(start, batch)`` over ``items`` through a ``DataLoader``, in order.

    Parameters
    ----------
    items : Dataset or indexable
        One image (or row) per index.
    batch_rows : int
        Items per batch.
    collate_fn : callable
        Builds a batch from a list of items (:class:`ItemCollate`).
    pin : bool, default=False
        Pin each batch's memory (ignored without CUDA).
    loader_kwargs : dict or None, default=None
        Further ``DataLoader`` options (``num_workers``, ...); the options
        that decide the batches are prediction's own and are dropped.

    Examples
    --------
    >>> import torch
    >>> from sklmtl._images import ItemCollate, loader_batches
    >>> batches = loader_batches(torch.zeros(5, 3), 2, ItemCollate())
    >>> [(start, tuple(b.shape)) for start, b in batches]
    [(0, (2, 3)), (2, (2, 3)), (4, (1, 3))]
    """
    kwargs = {
        k: v for k, v in (loader_kwargs or {}).items() if k not in _PREDICTION_OWNED
    }
    loader = DataLoader(
        items,
        batch_size=batch_rows,
        shuffle=False,
        collate_fn=collate_fn,
        pin_memory=pin and torch.cuda.is_available(),
        **kwargs,
    )
    start = 0
    for batch in loader:
        yield start, batch
        start += len(batch)
