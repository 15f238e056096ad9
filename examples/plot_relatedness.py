"""
===================================
When sharing pays: task relatedness
===================================

The benchmark's generator (:func:`~sklmtl.datasets.make_multitask_classification`)
draws 10 three-class tasks whose labels read a 4-dimensional latent subspace
of 50 features. ``relatedness`` sets how much of that subspace the tasks
share: at 1 they all read the same one, at 0 each reads its own. With 200
training rows, one shared network wins when the tasks are related and loses
when they are not.

The first plot reads the committed results of the full benchmark
(``benchmarks/results/full/results.json``, 3 seeds); the second re-runs a
miniature of it in a few seconds.
"""

# %%
# The benchmark's results
# -----------------------
import json
from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.datasets import make_multitask_classification
from sklmtl.metrics import mean_task_accuracy

try:
    here = Path(__file__).resolve().parent
except NameError:  # run interactively from the examples folder
    here = Path.cwd()
results = here.parent / "benchmarks" / "results" / "full" / "results.json"
records = json.loads(results.read_text())["records"]

methods = ["shared net (equal)", "independent nets", "LogReg per task"]
accuracy = defaultdict(list)  # (method, missing rate, relatedness) -> per seed
for r in records:
    if r["experiment"] == "generator: relatedness" and r["method"] in methods:
        if r["status"] == "ok":
            setting = r["setting"]
            key = (r["method"], setting["missing_rate"], setting["relatedness"])
            accuracy[key].append(100 * r["mean_task_accuracy"])

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, missing in zip(axes, [0.0, 0.5]):
    for method, marker in zip(methods, "osD"):
        xs = sorted(x for m, mr, x in accuracy if m == method and mr == missing)
        runs = [accuracy[method, missing, x] for x in xs]
        ax.errorbar(
            xs,
            [np.mean(v) for v in runs],
            yerr=[np.std(v, ddof=1) for v in runs],
            marker=marker,
            capsize=3,
            label=method,
        )
    ax.set_title(f"{missing:.0%} of the training labels missing", fontsize=10)
    ax.set_xlabel("relatedness")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("mean task accuracy (%)\nmean +- sample std, 3 seeds")
axes[0].legend(fontsize=8)
fig.suptitle("Generator, 200 training rows (axis does not start at 0)", fontsize=10)
fig.tight_layout()

# %%
# A miniature re-run
# ------------------
# One seed, two relatedness values, the shared network against logistic
# regression per task (the strongest per-task baseline above). Smaller and
# shorter than the benchmark, so the numbers differ; the direction is the
# same.
for relatedness in [0.0, 1.0]:
    X, Y = make_multitask_classification(
        n_samples=1200,
        n_features=50,
        n_tasks=10,
        n_classes=3,
        n_latent=4,
        noise=0.05,
        relatedness=relatedness,
        random_state=0,
    )
    X_train, Y_train, X_test, Y_test = X[:200], Y[:200], X[200:], Y[200:]
    shared = make_pipeline(
        StandardScaler(),
        MultiTaskNetClassifier(
            weight_decay=1e-4, early_stopping=True, max_epochs=100, random_state=0
        ),
    ).fit(X_train, Y_train)
    per_task = make_pipeline(
        StandardScaler(), IndependentTaskClassifier(LogisticRegression())
    ).fit(X_train, Y_train)
    print(
        f"relatedness {relatedness}: "
        f"shared {mean_task_accuracy(Y_test, shared.predict(X_test)):.3f}, "
        f"LogReg per task {mean_task_accuracy(Y_test, per_task.predict(X_test)):.3f}"
    )
