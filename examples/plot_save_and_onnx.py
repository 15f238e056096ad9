"""
=======================
Saving safely, and ONNX
=======================

Pickle and joblib files run code when they are loaded. :mod:`sklmtl.io` saves
a fitted model as one safetensors file (raw tensors, and JSON for everything
else) and loads it without unpickling: only sklmtl's own components and
``torch.optim`` optimizers can be named in the file. :func:`~sklmtl.io.to_onnx`
exports the network for ONNX runtimes, one probability output per task.
"""

# %%
# Fit, save, load
# ---------------
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import onnx
import onnxruntime
import pandas as pd
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import load_multitask_digits
from sklmtl.io import load, save, to_onnx

digits = load_multitask_digits()
X = StandardScaler().fit_transform(digits.data).astype(np.float32)
Y = pd.DataFrame(digits.target, columns=digits.target_names)  # named tasks
clf = MultiTaskNetClassifier(
    hidden_layer_sizes=(64,), max_epochs=10, random_state=0
).fit(X, Y)

folder = Path(tempfile.mkdtemp())
save(clf, folder / "model.safetensors")
loaded = load(folder / "model.safetensors", device="cpu")
print("same predictions:", np.array_equal(loaded.predict(X), clf.predict(X)))
print("classes of each task:", loaded.classes_)

# %%
# The loaded model keeps training where the saved one stopped
# (``warm_start=True`` continues from the saved optimizer state and random
# stream).
loaded.set_params(warm_start=True, max_epochs=5).fit(X, Y)
print("epochs trained:", loaded.n_iter_)

# %%
# Export to ONNX
# --------------
# One output per task, ``proba_<task>``, columns in ``classes_[t]`` order; the
# classes themselves travel in the model's metadata.
names = to_onnx(clf, folder / "model.onnx")
print(names)
model = onnx.load(folder / "model.onnx")
metadata = {entry.key: entry.value for entry in model.metadata_props}
print(json.loads(metadata["sklmtl.classes"])[1])  # the parity task

session = onnxruntime.InferenceSession(str(folder / "model.onnx"))
onnx_probas = session.run(names, {"X": X})
for name, expected, got in zip(names, clf.predict_proba(X), onnx_probas):
    print(f"{name}: largest difference {np.abs(expected - got).max():.1e}")

# %%
# onnxruntime and ``predict_proba`` agree to float32 rounding: every point of
# the ``digit`` task lies on the diagonal.
fig, ax = plt.subplots(figsize=(4, 4))
ax.plot(clf.predict_proba(X)[0].ravel(), onnx_probas[0].ravel(), ".", ms=2)
ax.plot([0, 1], [0, 1], color="gray", lw=0.8)
ax.set_xlabel("predict_proba (PyTorch)")
ax.set_ylabel("onnxruntime")
ax.set_title("probabilities of the digit task")
fig.tight_layout()
