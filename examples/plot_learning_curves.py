"""
========================
Per-task learning curves
========================

Every epoch, the estimator records each task's loss and accuracy on its
labelled cells in skorch's history (``history_``), on the training data and,
with ``early_stopping=True``, on the held-out validation split.
:class:`~sklmtl.display.TaskLearningCurveDisplay` draws one subplot per task:
a gap that opens for one task (here ``prime``, whose validation accuracy
levels off below its training accuracy) is hidden by the mean over tasks.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import load_multitask_digits
from sklmtl.display import TaskLearningCurveDisplay

digits = load_multitask_digits()
X = StandardScaler().fit_transform(digits.data)
Y = pd.DataFrame(digits.target, columns=digits.target_names)  # named tasks
Y.loc[::3, "digit"] = None  # a third of the digit labels are unknown

clf = MultiTaskNetClassifier(
    hidden_layer_sizes=(64,),
    early_stopping=True,
    n_iter_no_change=8,
    max_epochs=40,
    random_state=0,
).fit(X, Y)
print(f"trained for {clf.n_iter_} epochs")

# %%
# Accuracy per task
# -----------------
# Training (solid) and validation (dashed) accuracy of each task; each subplot
# has its own y axis.
display = TaskLearningCurveDisplay.from_estimator(clf, metric="acc", n_cols=4)
display.figure_.set_size_inches(11, 3)
plt.show()

# %%
# Loss per task, with the mean
# ----------------------------
# ``valid_loss``, which early stopping watches, is the plain mean of the
# tasks' validation losses (whatever the task weighting); ``include_mean``
# adds it as one more subplot.
display = TaskLearningCurveDisplay.from_estimator(
    clf, metric="loss", include_mean=True, n_cols=5
)
display.figure_.set_size_inches(13, 3)
plt.show()

# %%
# The numbers behind the curves
# -----------------------------
# The same values, read from the history directly.
history = clf.history_
columns = ["epoch", "valid_acc_digit", "valid_acc_parity", "valid_loss"]
print(pd.DataFrame(history[:, columns], columns=columns).tail(3).round(3))
