"""The shared parameters of the data: image layout, Dataset items, transforms,
validation data.

Each is declared once (:class:`~sklmtl._estimator._parameters.Parameter`);
they are read where the data are validated (:mod:`._input_kinds`) and where
the training iterators are built (:mod:`._build`).
"""

from collections.abc import Callable

from .._images import IMAGE_LAYOUTS
from .._validation import InstanceOf, Options
from ._declaration import Parameter

__all__ = ["DATA_PARAMETERS"]

_NONE = Options({None})
_CALLABLE = InstanceOf(Callable, name="callable")

DATA_PARAMETERS = (
    Parameter(
        "image_layout",
        "auto",
        [Options(set(IMAGE_LAYOUTS))],
        """\
{"auto", "NCHW", "NHWC"}, default="auto"
    Where the channels of a 4-D image array are: ``(N, C, H, W)`` or
    ``(N, H, W, C)``. ``"auto"`` reads a ``uint8`` array's layout from the
    axis that holds the channel count the trunk's first convolution
    expects (or 1, 3 or 4 channels) and refuses an array where both or
    neither axis fit; a float array is read as ``(N, C, H, W)``. ``uint8``
    pixels are scaled to ``[0, 1]`` one batch at a time.""",
    ),
    Parameter(
        "image_column",
        None,
        [_NONE, InstanceOf(str)],
        """\
str or None, default=None
    The column of a DataFrame ``X`` that holds image file paths (the
    CelebA ``list_attr`` layout: ``fit(table[["path"]], table[attributes])``).
    The files are decoded one batch at a time inside the ``DataLoader``
    (:class:`~sklmtl.datasets.ImageFiles`, mode RGB), so scikit-learn's
    searches slice the table, never the images.""",
    ),
    Parameter(
        "item_keys",
        ("image", "labels"),
        [InstanceOf(tuple, list)],
        """\
tuple of (str, str), default=("image", "labels")
    The keys of the image and of the labels in the items of a torch
    ``Dataset`` that yields dicts. Tuple items are read as
    ``(image, labels)``.""",
    ),
    Parameter(
        "train_transform",
        None,
        [_NONE, _CALLABLE],
        """\
callable or None, default=None
    Augmentation of the training rows only: called on each training image
    (a float tensor ``(C, H, W)`` with values in ``[0, 1]``), anew for every
    row of every epoch, inside the ``DataLoader`` (in its workers with
    ``iterator_train__num_workers``). A torchvision v2 transform or any
    callable. Never applied to validation rows (``validation_data``,
    ``train_split``, early stopping's split) or to the rows predicted.
    (Not named ``transform``: scikit-learn takes an estimator with a
    ``transform`` attribute for a transformer.)""",
    ),
    Parameter(
        "valid_transform",
        None,
        [_NONE, _CALLABLE],
        """\
callable or None, default=None
    Applied to each image of the validation rows and of the rows predicted
    (e.g. resize and normalise), as ``train_transform`` is to the training rows.""",
    ),
    Parameter(
        "validation_data",
        None,
        (),
        """\
tuple (X_val, Y_val), torch Dataset or None, default=None
    A validation set of one's own: ``(X_val, Y_val)`` of any kind ``fit``
    takes, or a ``Dataset`` whose items hold the labels. Its loss
    (``valid_loss``) and scores are recorded every epoch; early stopping
    (``early_stopping=True``, or ``"auto"``, which it turns on) monitors it
    and no rows of the training data are held out. Its rows pass through
    ``valid_transform``, never ``train_transform``.""",
    ),
    Parameter(
        "train_split",
        None,
        [_NONE, _CALLABLE],
        """\
callable or None, default=None
    skorch's way to choose the validation rows: a callable ``(dataset, y)
    -> (train, valid)`` such as ``skorch.dataset.ValidSplit(0.2)`` or
    ``skorch.helper.predefined_split(dataset)`` (a ``Dataset`` whose items
    hold the labels, or a skorch ``Dataset(X_val, Y_val)``). Used as
    ``validation_data`` is; the two cannot be combined.""",
    ),
)
