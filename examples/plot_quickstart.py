"""
=====================================
Quickstart: tasks with missing labels
=====================================

Four tasks on scikit-learn's 8x8 digits: the digit itself, its parity
(``"even"``/``"odd"``), whether it is large (>= 5) and whether it is prime.
A third of the digit labels are unknown. One
:class:`~sklmtl.MultiTaskNetClassifier` learns all four; an unknown cell adds
nothing to its task's loss, while its row still trains the shared trunk
through the other tasks.
"""

# %%
# The data
# --------
# ``Y`` is an object array: each column keeps its own label kind (int, str,
# bool). ``None`` marks an unknown cell.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.datasets import load_multitask_digits
from sklmtl.metrics import mean_task_accuracy, per_task_scores

digits = load_multitask_digits()
X, Y = digits.data, digits.target.copy()
tasks = digits.target_names
Y[::3, 0] = None  # a third of the digit labels are unknown
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)
print(tasks)
print(Y_train[:4])

# %%
# One network for four tasks
# --------------------------
# The estimator goes into a ``Pipeline`` like any classifier.
model = make_pipeline(
    StandardScaler(),
    MultiTaskNetClassifier(hidden_layer_sizes=(128,), max_epochs=40, random_state=0),
)
model.fit(X_train, Y_train)

# %%
# ``predict`` returns one label per task, each in the kind it was given, and
# ``predict_proba`` one probability array per task (columns in ``classes_``
# order), as :class:`~sklearn.multioutput.MultiOutputClassifier` does.
net = model[-1]
print(model.predict(X_test[:3]))
print([proba.shape for proba in model.predict_proba(X_test[:3])])
print(net.classes_[1], net.classes_[2])

# %%
# Scores skip the unknown cells of ``Y_test``
# -------------------------------------------
# :func:`~sklmtl.metrics.per_task_scores` gives each task's accuracy on its
# labelled cells. The baseline is one logistic regression per task, each
# fitted on the rows where its task is labelled
# (:class:`~sklmtl.baselines.IndependentTaskClassifier`).
baseline = make_pipeline(
    StandardScaler(), IndependentTaskClassifier(LogisticRegression(max_iter=1000))
).fit(X_train, Y_train)

shared = per_task_scores(Y_test, model.predict(X_test))  # {task name: accuracy}
alone = per_task_scores(Y_test, baseline.predict(X_test))
print(shared)
print(f"shared net: {mean_task_accuracy(Y_test, model.predict(X_test)):.3f}")
print(f"LogReg per task: {mean_task_accuracy(Y_test, baseline.predict(X_test)):.3f}")

x = np.arange(len(tasks))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.bar(x - 0.2, list(shared.values()), 0.4, label="one shared network")
ax.bar(x + 0.2, list(alone.values()), 0.4, label="logistic regression per task")
ax.set_xticks(x, tasks)
ax.set_ylim(0.8, 1.0)
ax.set_ylabel("test accuracy (axis starts at 0.8)")
ax.legend(loc="lower right")
ax.set_title("Per-task accuracy, a third of the digit labels unknown")
fig.tight_layout()
