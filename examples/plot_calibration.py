"""
=====================================
Calibrating each task's probabilities
=====================================

A network trained for many epochs on few, noisy labels becomes
overconfident: when it says 90%, it is right less often than that.
:class:`~sklmtl.calibration.CalibratedMultiTaskClassifier` recalibrates every
task's probabilities on held-out rows (Platt scaling here), fitting the
network once per fold for all tasks together.
:class:`~sklmtl.display.MultiTaskCalibrationDisplay` draws a reliability
diagram per task: a calibrated model follows the diagonal.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from sklmtl import MultiTaskNetClassifier
from sklmtl.calibration import CalibratedMultiTaskClassifier
from sklmtl.datasets import make_multitask_classification
from sklmtl.display import MultiTaskCalibrationDisplay
from sklmtl.model_selection import MultiTaskStratifiedKFold

X, Y = make_multitask_classification(
    n_samples=2000,
    n_features=20,
    n_tasks=3,
    n_classes=2,
    relatedness=0.8,
    noise=0.2,
    missing_rate=0.2,
    random_state=0,
)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)

net = MultiTaskNetClassifier(
    hidden_layer_sizes=(128, 64), max_epochs=40, random_state=0
)
net.fit(X_train, Y_train)
calibrated = CalibratedMultiTaskClassifier(
    MultiTaskNetClassifier(hidden_layer_sizes=(128, 64), max_epochs=40, random_state=0),
    method="sigmoid",
    cv=MultiTaskStratifiedKFold(3, shuffle=True, random_state=0),
).fit(X_train, Y_train)

# %%
# Log-loss per task on the labelled test cells (lower is better).
for t in range(Y.shape[1]):
    known = ~np.isnan(Y_test[:, t])
    before = log_loss(Y_test[known, t], net.predict_proba(X_test[known])[t])
    after = log_loss(Y_test[known, t], calibrated.predict_proba(X_test[known])[t])
    print(f"task_{t}: log-loss {before:.3f} before, {after:.3f} after calibration")

# %%
# Reliability diagrams
# --------------------
# Both models on the same axes, one subplot per task (8 equal-width bins of
# the predicted probability).
fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
MultiTaskCalibrationDisplay.from_estimator(
    net, X_test, Y_test, n_bins=8, name="network", ax=axes
)
MultiTaskCalibrationDisplay.from_estimator(
    calibrated, X_test, Y_test, n_bins=8, name="calibrated", ax=axes, ref_line=False
)
fig.tight_layout()
