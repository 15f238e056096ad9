"""
=============================================================
Fine-tuning a pretrained backbone on multi-attribute images
=============================================================

The use sklmtl was founded for: one image, several attributes (the shape,
colour, size, position and texture of an object; the attributes of a face),
predicted by one shared backbone with one head per attribute. A fine-tuning
script for it usually holds a backbone class that strips the ImageNet
classifier, a ``Dataset`` that decodes files, augmentation applied to the
training rows only, a validation set of its own, an optimizer with a lower
learning rate for the backbone than for the heads, a warm-up followed by a
cosine schedule, and mixed precision. Here all of it is parameters of one
:class:`~sklmtl.MultiTaskNetClassifier`: no class of our own.

The images come from :func:`~sklmtl.datasets.make_attribute_images` and are
written as PNG files beside a table of their attributes, the layout of
CelebA's ``list_attr_celeba`` (one row per image: its file name, then one
column per attribute). The example is small (a few hundred 64x64 images,
three epochs) so that it runs in about a minute on two CPU cores; the
accuracies are those of such a short run.

This example needs torchvision (``pip install torch==2.14.1
torchvision==0.29.1``, see :doc:`/user_guide/images`).
"""

# %%
# Images on disk and a table of attributes
# ----------------------------------------
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime
import pandas as pd
import torch
import torchvision
from PIL import Image
from torchvision.transforms import v2

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import make_attribute_images
from sklmtl.io import load, save, to_onnx
from sklmtl.metrics import per_task_scores

folder = Path(tempfile.mkdtemp())
(folder / "img").mkdir()
data = make_attribute_images(
    480, image_size=64, n_distractors=1, as_frame=True, random_state=0
)
for i, pixels in enumerate(data.images):
    Image.fromarray(pixels).save(folder / "img" / f"{i:06d}.png")

attributes = data.target.copy()
# CelebA codes its binary attributes as 1 / -1: "Large" is one such column.
attributes["Large"] = np.where(attributes.pop("size") == "large", 1, -1)
attributes.insert(0, "image_id", [f"{i:06d}.png" for i in range(len(attributes))])
attributes.to_csv(folder / "list_attr.csv", index=False)
print(attributes.head())

# %%
# From here on, the script starts from the files, as one would with a real
# data set: read the table, make paths, split off a validation and a test
# set.
table = pd.read_csv(folder / "list_attr.csv")
table["path"] = [str(folder / "img" / name) for name in table["image_id"]]
names = ["shape", "colour", "Large", "position", "texture"]
train, valid, test = table[:320], table[320:400], table[400:]

# %%
# Pretrained weights, offline
# ---------------------------
# With internet, ImageNet weights are one parameter:
# ``trunk__weights="DEFAULT"`` (or ``"IMAGENET1K_V1"``) downloads torchvision's
# weights once. This example runs offline, so a local state-dict file stands
# in for them: ``trunk__weights`` takes a path as well. **The file written
# here holds a randomly initialised resnet18, not ImageNet-trained weights**:
# the code is that of fine-tuning a pretrained backbone, but what the run
# learns, it learns from these 320 images alone. A file of your own (weights
# from a model trained elsewhere, or torchvision's downloaded once and
# copied) is used the same way, and its SHA-256 digest is recorded.
torch.manual_seed(0)
torch.save(torchvision.models.resnet18().state_dict(), folder / "resnet18.pt")

# %%
# Augmentation for the training rows only
# ---------------------------------------
# ``train_transform`` is drawn anew for every training image of every epoch;
# ``valid_transform`` is applied to the validation rows and to every image
# predicted. Both normalise with ImageNet's statistics, as a pretrained
# backbone expects. Augmentations must keep the labels true: a horizontal
# flip would swap the ``position`` attribute (left and right) and a hue
# jitter the ``colour``, so here the crop is mild and only brightness and
# contrast move.
normalize = v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
train_transform = v2.Compose(
    [
        v2.RandomResizedCrop(64, scale=(0.85, 1.0), ratio=(0.9, 1.1)),
        v2.ColorJitter(brightness=0.2, contrast=0.2),
        normalize,
    ]
)
valid_transform = v2.Compose([v2.Resize(64), normalize])

# %%
# One estimator
# -------------
# ``trunk="resnet18"`` builds torchvision's resnet18 and removes its
# classifier (the heads read its 512 pooled features). The backbone's
# parameters are named ``trunk.*``: ``optimizer__param_groups`` gives them a
# tenth of the heads' learning rate. ``lr_schedule="cosine"`` with
# ``warmup_epochs`` raises every group's rate linearly for half an epoch, then
# lowers it along a cosine, keeping the 1:10 ratio. ``validation_data`` is the
# validation set (never augmented); ``precision="bf16"`` runs the forward
# passes under bfloat16 autocast (on a GPU, ``device="cuda"``; on a CPU
# without bfloat16 arithmetic, leave it out: it is much slower there).
clf = MultiTaskNetClassifier(
    trunk="resnet18",
    trunk__weights=folder / "resnet18.pt",
    image_column="path",
    train_transform=train_transform,
    valid_transform=valid_transform,
    validation_data=(valid[["path"]], valid[names]),
    lr=1e-3,
    optimizer__param_groups=[("trunk.*", {"lr": 1e-4})],
    lr_schedule="cosine",
    warmup_epochs=0.5,
    precision="bf16",
    max_epochs=3,
    batch_size=32,
    random_state=0,
)
clf.fit(train[["path"]], train[names])
print(clf.history_[:, ("epoch", "train_loss", "valid_loss")])
print(
    "peak learning rates:", [g["initial_lr"] for g in clf.net_.optimizer_.param_groups]
)

# %%
# Per-attribute predictions and scores
# ------------------------------------
# ``predict`` returns one column per attribute, labels as they were in the
# table (strings, and 1 / -1 for ``Large``); ``predict_proba`` one array per
# attribute.
pred = clf.predict(test[["path"]])
print(pd.DataFrame(pred[:5], columns=names))
scores = per_task_scores(test[names], pred)
chance = {name: 1 / len(classes) for name, classes in zip(names, clf.classes_)}
for name, score in scores.items():
    print(f"{name:>9}: {score:.3f} test accuracy (chance {chance[name]:.3f})")

# %%
fig, ax = plt.subplots(figsize=(5, 2.5))
ax.bar(names, list(scores.values()), label="test accuracy")
ax.plot(names, list(chance.values()), "k_", ms=20, label="chance")
ax.set_ylim(0, 1)
ax.legend(fontsize=8)
ax.set_title("one resnet18, five heads (3 epochs, 320 images)", fontsize=9)
fig.tight_layout()

# %%
# Saving, with and without the optimizer state
# --------------------------------------------
# :func:`sklmtl.io.save` stores the backbone by its name and its fine-tuned
# weights (no pickle, no ``custom_objects``; the starting weights file is not
# needed to load it). The transforms and the validation data are code and
# data, which a safe file does not hold: they are set aside before saving,
# and ``valid_transform`` is given back after loading, as it shapes every
# prediction. ``optimizer_state=False`` writes a weights-only file.
clf.set_params(train_transform=None, valid_transform=None, validation_data=None)
save(clf, folder / "model.safetensors")
save(clf, folder / "weights.safetensors", optimizer_state=False)
clf.set_params(valid_transform=valid_transform)
for name in ["model", "weights"]:
    size = (folder / f"{name}.safetensors").stat().st_size / 2**20
    print(f"{name}.safetensors: {size:.1f} MiB")

loaded = load(folder / "weights.safetensors")
loaded.set_params(valid_transform=valid_transform)
same = np.array_equal(loaded.predict(test[["path"]]), pred)
print("the loaded model predicts the same labels:", same)

# %%
# ONNX
# ----
# :func:`~sklmtl.io.to_onnx` exports the network: its input is a float batch
# ``(n, 3, 64, 64)`` with values in ``[0, 1]`` (the images as the estimator
# reads them), and ``valid_transform`` is part of the graph, so the
# normalisation travels with the model. One probability output per
# attribute, columns in ``classes_`` order. The graph computes in float32
# while ``predict_proba`` ran under bfloat16 autocast (``precision="bf16"``),
# so they differ by bfloat16's rounding, a few thousandths; a float32 model's
# graph matches its ``predict_proba`` to about 1e-6.
output_names = to_onnx(clf, folder / "model.onnx")
images = np.stack([np.asarray(Image.open(path)) for path in test["path"]])
batch = images.transpose(0, 3, 1, 2).astype(np.float32) / 255
session = onnxruntime.InferenceSession(str(folder / "model.onnx"))
onnx_probas = session.run(output_names, {"X": batch})
for name, expected, got in zip(names, clf.predict_proba(test[["path"]]), onnx_probas):
    print(f"{name:>9}: largest difference {np.abs(expected - got).max():.1e}")
