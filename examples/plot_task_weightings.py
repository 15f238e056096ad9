"""
========================
Task weightings compared
========================

How the task losses are combined is a parameter, ``task_weighting``. This
example fits the same network with five loss weightings on a generated
problem (:func:`~sklmtl.datasets.make_multitask_classification`: 4 related
three-class tasks, 30% of the label cells missing), over three seeds, and
plots the test accuracy and the weights each strategy gave the tasks during
training (``history_[:, "task_weight_<task>"]``).

The gradient aggregators (``"upgrad"``, ``"pcgrad"``, ``"mgda"``, ...) plug in
the same way; they need the ``aggregators`` extra and cost one backward pass
per task.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import make_multitask_classification
from sklmtl.metrics import mean_task_accuracy

X, Y = make_multitask_classification(
    n_samples=600,
    n_features=20,
    n_tasks=4,
    n_classes=3,
    relatedness=0.8,
    noise=0.1,
    missing_rate=0.3,
    random_state=0,
)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)

weightings = ["equal", "uncertainty", "dwa", "gradnorm", "rlw"]
seeds = [0, 1, 2]
scores = {w: [] for w in weightings}
models = {}
for weighting in weightings:
    for seed in seeds:
        clf = MultiTaskNetClassifier(
            hidden_layer_sizes=(64,),
            task_weighting=weighting,
            max_epochs=30,
            lr=3e-3,
            random_state=seed,
        ).fit(X_train, Y_train)
        scores[weighting].append(mean_task_accuracy(Y_test, clf.predict(X_test)))
    models[weighting] = clf  # the last seed's model, for its weights

for weighting in weightings:
    values = 100 * np.array(scores[weighting])
    print(f"{weighting:12s} {values.mean():.1f} +- {values.std(ddof=1):.1f}")

# %%
# Accuracy and weights
# --------------------
# Left: mean task accuracy, mean and sample standard deviation over the three
# seeds (the axis does not start at 0). Right: the weights of task 0 over the
# epochs (one seed): equal weighting keeps 1 throughout, DWA stays close to it
# on these tasks, and random loss weighting draws new weights at every step
# (the epoch's last draw is shown).
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
means = [100 * np.mean(scores[w]) for w in weightings]
stds = [100 * np.std(scores[w], ddof=1) for w in weightings]
left.bar(weightings, means, yerr=stds, capsize=3, color="tab:blue")
low = min(m - s for m, s in zip(means, stds))
left.set_ylim(np.floor(low - 2), np.ceil(max(means) + 2))
left.set_ylabel("mean task accuracy (%), axis cut")
left.set_title("test accuracy (3 seeds)")
styles = zip(weightings, "os^Dv", ["-", "--", ":", "-.", "-"])
for i, (weighting, marker, linestyle) in enumerate(styles):
    history = models[weighting].history_
    right.plot(
        history[:, "epoch"],
        history[:, "task_weight_task_0"],
        marker=marker,
        markevery=(i, 5),  # markers shifted so that equal curves stay visible
        linestyle=linestyle,
        label=weighting,
    )
right.set_xlabel("epoch")
right.set_ylabel("weight of task_0")
right.set_title("weights during training")
right.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
fig.tight_layout()
