"""Missing-label aware multi-task metrics and scorers.

scikit-learn's ``accuracy_score`` (and so ``ClassifierMixin.score``) raises on
multiclass-multioutput targets, and the ``"accuracy"`` scorer then yields NaN
scores with a warning per fold; its probability metrics take one output and
cannot skip missing cells. These metrics accept ``Y`` of shape
``(n_samples, n_tasks)`` with unknown cells (``None``, ``NaN``, ``pd.NA`` or a
sentinel given as ``missing_label``), which are left out of every score, and
score each task on its labelled cells with scikit-learn's own metric:

- labels: :func:`subset_accuracy`, :func:`per_task_scores` /
  :func:`mean_task_accuracy`, :func:`per_task_balanced_accuracy` /
  :func:`mean_balanced_accuracy`, :func:`per_task_macro_f1` /
  :func:`mean_macro_f1`;
- probabilities (the list ``predict_proba`` returns, with ``classes_``):
  :func:`per_task_roc_auc` / :func:`mean_roc_auc`, :func:`per_task_log_loss`
  / :func:`mean_log_loss`, :func:`per_task_brier_score` /
  :func:`mean_brier_score`;
- multi-label targets (binary labels, the positive class scored):
  :func:`hamming_loss`, :func:`multilabel_f1_score` (micro, macro, samples
  or per label), :func:`multilabel_roc_auc` and
  :func:`multilabel_average_precision` (macro, micro or per label);
- tasks of mixed kinds: :func:`task_scores` / :func:`mean_task_score`
  (accuracy for classification, R² for regression);
- :func:`delta_m`, the relative improvement over single-task references.

Every metric takes ``sample_weight`` per row ``(n_samples,)`` or per cell
``(n_samples, n_tasks)``; a cell of weight 0 counts as unlabelled.

The scorers read ``missing_label`` (and, for probabilities, ``classes_``) from
the fitted estimator they score (the last step of a ``Pipeline``), so a
search over an estimator with ``missing_label=-1`` does not count the ``-1``
cells as errors. scikit-learn cannot resolve sklmtl's names given as
strings (``scoring="mean_roc_auc"`` raises ``InvalidParameterError``, a
``ValueError``, in ``GridSearchCV``, ``cross_validate`` and
``cross_val_score``): pass ``scoring=get_scorer("mean_roc_auc")``, or
``scoring=get_scorers([...])`` for several.

This is a package of private modules, one per family, re-exported here.
"""

from ._accuracy import (
    mean_balanced_accuracy,
    mean_macro_f1,
    mean_task_accuracy,
    per_task_balanced_accuracy,
    per_task_macro_f1,
    per_task_scores,
    subset_accuracy,
)
from ._delta_m import delta_m
from ._mixed import mean_task_score, task_scores
from ._mixin import MultiTaskScoreMixin
from ._multilabel import hamming_loss, multilabel_f1_score
from ._multilabel_scores import multilabel_average_precision, multilabel_roc_auc
from ._proba import (
    mean_brier_score,
    mean_log_loss,
    mean_roc_auc,
    per_task_brier_score,
    per_task_log_loss,
    per_task_roc_auc,
)
from ._scorers import (  # noqa: F401 (_missing_label_of: used by model_selection)
    _missing_label_of,
    average_precision_micro_scorer,
    average_precision_scorer,
    f1_macro_scorer,
    f1_micro_scorer,
    f1_samples_scorer,
    get_scorer,
    get_scorer_names,
    get_scorers,
    make_multitask_scorer,
    mean_balanced_accuracy_scorer,
    mean_macro_f1_scorer,
    mean_roc_auc_scorer,
    mean_task_accuracy_scorer,
    neg_hamming_loss_scorer,
    neg_mean_brier_score_scorer,
    neg_mean_log_loss_scorer,
    roc_auc_micro_scorer,
    subset_accuracy_scorer,
)

__all__ = [
    "MultiTaskScoreMixin",
    "average_precision_micro_scorer",
    "average_precision_scorer",
    "delta_m",
    "f1_macro_scorer",
    "f1_micro_scorer",
    "f1_samples_scorer",
    "get_scorer",
    "get_scorer_names",
    "get_scorers",
    "hamming_loss",
    "make_multitask_scorer",
    "mean_balanced_accuracy",
    "mean_balanced_accuracy_scorer",
    "mean_brier_score",
    "mean_log_loss",
    "mean_macro_f1",
    "mean_macro_f1_scorer",
    "mean_roc_auc",
    "mean_roc_auc_scorer",
    "mean_task_accuracy",
    "mean_task_accuracy_scorer",
    "mean_task_score",
    "multilabel_average_precision",
    "multilabel_f1_score",
    "multilabel_roc_auc",
    "neg_hamming_loss_scorer",
    "neg_mean_brier_score_scorer",
    "neg_mean_log_loss_scorer",
    "per_task_balanced_accuracy",
    "per_task_brier_score",
    "per_task_log_loss",
    "per_task_macro_f1",
    "per_task_roc_auc",
    "per_task_scores",
    "roc_auc_micro_scorer",
    "subset_accuracy",
    "subset_accuracy_scorer",
    "task_scores",
]
