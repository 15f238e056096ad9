"""
===========================================
Text: topic, tone and tags from raw strings
===========================================

One network reads short texts and predicts five labels for each: its topic
(four classes), its tone (three classes) and three yes/no tags (does it ask a
question, quote figures, quote a person), a multi-label target beside two
multi-class ones. A ``TfidfVectorizer`` turns the strings into a sparse
matrix; :class:`~sklmtl.MultiTaskNetClassifier` takes it as it is and
densifies one batch of rows at a time.

The texts come from :func:`sklmtl.datasets.make_multitask_text`, a generator:
no labelled text corpus ships inside the packages sklmtl can rely on, and
examples run offline. A fifth of the label cells are unknown (``None``).
"""

# %%
# The data: strings in, five labels out
# -------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.datasets import make_multitask_text
from sklmtl.metrics import per_task_scores

texts, Y = make_multitask_text(
    n_samples=1200,
    missing_fraction=0.2,
    as_frame=True,
    random_state=0,
    return_X_y=True,
)
texts_train, texts_test, Y_train, Y_test = train_test_split(texts, Y, random_state=0)
print(texts[0])
print(Y.head(3))

# %%
# A vectorizer pipeline
# ---------------------
# The TF-IDF matrix is sparse (a few percent of its entries are stored); the
# network never sees it whole in dense form.
model = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    MultiTaskNetClassifier(
        hidden_layer_sizes=(64,), max_epochs=30, lr=0.01, random_state=0
    ),
)
model.fit(texts_train, Y_train)
X_train = model[0].transform(texts_train)
print(f"X: {X_train.shape}, {X_train.nnz / np.prod(X_train.shape):.1%} stored")

# %%
# ``predict`` takes raw strings and returns one label per task; the three tag
# columns together are the text's label set.
new = [
    "the chef served a spicy curry, a wonderful success, said anna.",
    "parliament voted on the tax reform, awful news for all, why did it happen.",
]
print(model.predict(new))

# %%
# Scores against one logistic regression per task
# -----------------------------------------------
# Each task is scored on its labelled test cells. The baseline fits one
# logistic regression per task on the same TF-IDF features
# (:class:`~sklmtl.baselines.IndependentTaskClassifier`, which also accepts
# sparse ``X``).
baseline = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    IndependentTaskClassifier(LogisticRegression(max_iter=1000)),
).fit(texts_train, Y_train)
shared = per_task_scores(Y_test, model.predict(texts_test))
alone = per_task_scores(Y_test, baseline.predict(texts_test))
for task in shared:
    print(f"{task:>9}: shared net {shared[task]:.3f}, LogReg {alone[task]:.3f}")

x = np.arange(len(shared))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.bar(x - 0.2, list(shared.values()), 0.4, label="one shared network")
ax.bar(x + 0.2, list(alone.values()), 0.4, label="logistic regression per task")
ax.set_xticks(x, list(shared))
ax.set_ylim(0.8, 1.0)
ax.set_ylabel("test accuracy (axis starts at 0.8)")
ax.legend(loc="lower right")
ax.set_title("Five labels per text, a fifth of them unknown")
fig.tight_layout()
