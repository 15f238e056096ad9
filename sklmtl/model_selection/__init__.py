"""Cross-validation splitters that stratify every task of a multi-task target.

scikit-learn's ``StratifiedKFold`` accepts one label column; on a multi-task
``Y`` it raises, and ``KFold`` leaves each task's class proportions to chance,
which with missing cells and rare classes gives folds that miss a class or
hold most of it. The splitters here balance every (task, class) pair at once
with iterative stratification (Sechidis, Tsoumakas & Vlahavas, ECML PKDD
2011; see ``sklmtl.model_selection._stratify`` for the algorithm and how it
is extended to multiclass tasks and missing cells). They read ``Y`` as the estimators do
(any label kind per column, ``None``/``NaN``/``pd.NA`` or ``missing_label``
for an unknown cell, lists, arrays, DataFrames) and plug into scikit-learn as
``cv=`` objects.

:func:`cross_val_predict` replaces scikit-learn's for multi-task targets:
scikit-learn's ``cross_val_predict(..., method="predict_proba")`` re-encodes
every column of ``Y`` with ``LabelEncoder`` before fitting, so a missing cell
(``NaN``, ``None`` or the estimator's ``missing_label``) silently becomes one
more class: each fold's model learns to predict "missing", and the returned
probabilities get an extra column. The estimator only receives the integer
codes and cannot notice, so the fix lives here: each fold is fitted on ``Y``
exactly as given.

Plain numpy and scikit-learn: this module never imports torch.
"""

from ._cross_val import check_cv, cross_val_predict
from ._split import (
    MultiTaskStratifiedGroupKFold,
    MultiTaskStratifiedKFold,
    MultiTaskStratifiedShuffleSplit,
)

__all__ = [
    "MultiTaskStratifiedGroupKFold",
    "MultiTaskStratifiedKFold",
    "MultiTaskStratifiedShuffleSplit",
    "check_cv",
    "cross_val_predict",
]
