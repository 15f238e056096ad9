"""Scorers that read the scored estimator's ``missing_label``, and their names.

scikit-learn checks a string ``scoring=`` against its own registry only (in
scikit-learn 1.9: ``GridSearchCV(..., scoring="mean_roc_auc").fit`` raises
``InvalidParameterError``, a ``ValueError``: "The 'scoring' parameter of
GridSearchCV must be a str among {...} ... Got 'mean_roc_auc' instead.", and
a list ``scoring=["mean_roc_auc"]`` is refused with a ``ValueError`` too). The
names here are resolved by :func:`get_scorer` and
:func:`get_scorers` instead, which return scorer objects that any ``scoring=``
accepts.
"""

import copy
import inspect

import numpy as np
import sklearn
from sklearn.utils.metadata_routing import MetadataRequest

from .._meta._missing_label import missing_label_in_effect
from ._accuracy import (
    mean_balanced_accuracy,
    mean_macro_f1,
    mean_task_accuracy,
    subset_accuracy,
)
from ._multilabel import hamming_loss, multilabel_f1_score
from ._multilabel_scores import multilabel_average_precision, multilabel_roc_auc
from ._proba import mean_brier_score, mean_log_loss, mean_roc_auc

_RESPONSE_METHODS = ("predict", "predict_proba")


def _missing_label_of(estimator):
    """The ``missing_label`` of a fitted estimator, a Pipeline or a search."""
    while True:
        if hasattr(estimator, "missing_label"):
            # A wrapper's own, or the one of the estimator it wraps.
            return missing_label_in_effect(estimator)
        if hasattr(estimator, "steps"):  # Pipeline: its last step predicts
            estimator = estimator.steps[-1][1]
        elif hasattr(estimator, "best_estimator_"):  # a fitted search
            estimator = estimator.best_estimator_
        else:
            return np.nan


def _takes_classes(score_func):
    """Whether ``score_func`` has a ``classes`` parameter (as the F1 of labels)."""
    try:
        return "classes" in inspect.signature(score_func).parameters
    except (TypeError, ValueError):  # a builtin or a callable without signature
        return False


class _MissingAwareScorer:
    """``scorer(estimator, X, Y)``: a metric of ``Y`` and the estimator's output.

    The metric gets the estimator's own ``missing_label`` and, for
    probabilities, its ``classes_``. A plain class (no closure), so that
    scorers pickle and travel to joblib, Dask or Ray workers. It requests
    ``sample_weight`` for scikit-learn's metadata routing as scikit-learn's
    scorers do (``set_score_request``).
    """

    def __init__(self, score_func, sign, kwargs, response_method="predict"):
        self._score_func = score_func
        self._sign = sign
        self._kwargs = kwargs
        self._response_method = response_method

    def __call__(self, estimator, X, y_true, sample_weight=None):
        kwargs = dict(self._kwargs)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        if self._response_method == "predict_proba" or (
            "classes" not in kwargs and _takes_classes(self._score_func)
        ):
            kwargs["classes"] = getattr(estimator, "classes_", None)
        response = getattr(estimator, self._response_method)(X)
        score = self._score_func(
            y_true, response, missing_label=_missing_label_of(estimator), **kwargs
        )
        return self._sign * score

    def set_score_request(self, *, sample_weight=None):
        """Say whether ``sample_weight`` is routed to this scorer.

        Changes this scorer and returns it, as scikit-learn's scorers do; call
        it on a fresh one from :func:`get_scorer`, not on a shared module
        constant. Only with ``sklearn.set_config(enable_metadata_routing=True)``.

        Parameters
        ----------
        sample_weight : bool, str or None, default=None
            True: routed; False: not routed; None: an error if given; a str:
            routed under that alias.

        Returns
        -------
        self : object
            This scorer.

        Examples
        --------
        >>> import sklearn
        >>> from sklmtl.metrics import get_scorer
        >>> with sklearn.config_context(enable_metadata_routing=True):
        ...     scorer = get_scorer("mean_roc_auc").set_score_request(
        ...         sample_weight=True)
        """
        if not sklearn.get_config()["enable_metadata_routing"]:
            raise RuntimeError(
                "This method is only available when metadata routing is enabled. "
                "You can enable it using "
                "sklearn.set_config(enable_metadata_routing=True)."
            )
        self._sample_weight_request = sample_weight
        return self

    def get_metadata_routing(self):
        """The metadata this scorer requests: ``sample_weight`` for ``score``.

        Returns
        -------
        routing : MetadataRequest
            As scikit-learn's metadata routing reads it.

        Examples
        --------
        >>> from sklmtl.metrics import mean_roc_auc_scorer
        >>> mean_roc_auc_scorer.get_metadata_routing()
        {'score': {'sample_weight': None}}
        """
        request = MetadataRequest(owner=type(self).__name__)
        alias = getattr(self, "_sample_weight_request", None)
        request.score.add_request(param="sample_weight", alias=alias)
        return request

    def __repr__(self):
        args = [getattr(self._score_func, "__name__", repr(self._score_func))]
        if self._sign < 0:
            args.append("greater_is_better=False")
        if self._response_method != "predict":
            args.append(f"response_method={self._response_method!r}")
        args += [f"{k}={v!r}" for k, v in self._kwargs.items()]
        return f"make_multitask_scorer({', '.join(args)})"


def make_multitask_scorer(
    score_func, *, greater_is_better=True, response_method="predict", **kwargs
):
    """Make a scorer that honours the scored estimator's ``missing_label``.

    The multi-task counterpart of :func:`sklearn.metrics.make_scorer`: the
    scorer calls ``score_func(Y, estimator.predict(X),
    missing_label=<the estimator's missing_label>, **kwargs)``, so cells that
    the estimator treats as unknown (``-1`` with ``missing_label=-1``) are left
    out of the score instead of counting as errors. The estimator may be a
    ``Pipeline`` (its last step's ``missing_label`` is used); one without a
    ``missing_label`` gets ``np.nan``. With
    ``response_method="predict_proba"`` the scorer calls ``score_func(Y,
    estimator.predict_proba(X), classes=estimator.classes_,
    missing_label=...)``; with ``"predict"`` it passes
    ``classes=estimator.classes_`` too when ``score_func`` has a ``classes``
    parameter (as :func:`multilabel_f1_score`, whose positive class is then
    ``classes_[t][1]``, as for the ROC-AUC scorers).

    A ``sample_weight`` given to the scorer (per row, or per cell of shape
    ``(n_samples, n_tasks)``) is passed on to ``score_func``; through
    ``GridSearchCV`` or ``cross_validate`` it arrives by scikit-learn's
    metadata routing, after ``scorer.set_score_request(sample_weight=True)``.

    Parameters
    ----------
    score_func : callable
        ``score_func(Y_true, Y_pred, *, missing_label, **kwargs)``, such as
        :func:`mean_task_accuracy` or :func:`subset_accuracy`; for
        probabilities ``score_func(Y_true, Y_proba, *, classes,
        missing_label, **kwargs)``, such as :func:`mean_roc_auc`.
    greater_is_better : bool, default=True
        False for a loss: the scorer then returns its negative, as
        scikit-learn's scorers do.
    response_method : {"predict", "predict_proba"}, default="predict"
        What the scorer asks the estimator for.
    **kwargs
        Further keyword arguments for ``score_func``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, Y, sample_weight=None)``, usable as
        ``scoring=`` in ``GridSearchCV`` and ``cross_validate`` (alone or in a
        dict), picklable.

    See Also
    --------
    get_scorer : the ready-made scorers by name.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> from sklmtl.metrics import make_multitask_scorer, mean_task_accuracy
    >>> X, Y = [[0], [1], [2], [3]], [[0, 1], [0, 1], [1, 0], [1, -1]]
    >>> clf = IndependentTaskClassifier(DecisionTreeClassifier(), missing_label=-1)
    >>> scorer = make_multitask_scorer(mean_task_accuracy)
    >>> scorer(clf.fit(X, Y), X, Y)  # the -1 cell is not an error
    1.0
    """
    if response_method not in _RESPONSE_METHODS:
        raise ValueError(
            f"response_method must be one of {list(_RESPONSE_METHODS)}; got "
            f"{response_method!r}."
        )
    return _MissingAwareScorer(
        score_func, 1 if greater_is_better else -1, kwargs, response_method
    )


#: Scorer for ``GridSearchCV(scoring=...)`` / ``cross_validate``: subset
#: accuracy with the scored estimator's ``missing_label``.
subset_accuracy_scorer = make_multitask_scorer(subset_accuracy)
#: Scorer: mean task accuracy with the scored estimator's ``missing_label``.
mean_task_accuracy_scorer = make_multitask_scorer(mean_task_accuracy)
#: Scorer: mean over tasks of the balanced accuracy on labelled cells.
mean_balanced_accuracy_scorer = make_multitask_scorer(mean_balanced_accuracy)
#: Scorer: mean over tasks of the macro-F1 on labelled cells.
mean_macro_f1_scorer = make_multitask_scorer(mean_macro_f1)
#: Scorer: mean over tasks of the ROC-AUC (one-vs-rest macro for multiclass)
#: of ``predict_proba`` on labelled cells.
mean_roc_auc_scorer = make_multitask_scorer(
    mean_roc_auc, response_method="predict_proba"
)
#: Scorer: the negated mean over tasks of the log-loss on labelled cells.
neg_mean_log_loss_scorer = make_multitask_scorer(
    mean_log_loss, greater_is_better=False, response_method="predict_proba"
)
#: Scorer: the negated mean over tasks of the Brier score on labelled cells.
neg_mean_brier_score_scorer = make_multitask_scorer(
    mean_brier_score, greater_is_better=False, response_method="predict_proba"
)
#: Scorer: the negated Hamming loss (share of wrong labelled cells).
neg_hamming_loss_scorer = make_multitask_scorer(hamming_loss, greater_is_better=False)
#: Scorer: micro-averaged F1 of binary labels on labelled cells.
f1_micro_scorer = make_multitask_scorer(multilabel_f1_score, average="micro")
#: Scorer: macro-averaged (per label) F1 of binary labels on labelled cells.
f1_macro_scorer = make_multitask_scorer(multilabel_f1_score, average="macro")
#: Scorer: samples-averaged F1 of binary labels on labelled cells.
f1_samples_scorer = make_multitask_scorer(multilabel_f1_score, average="samples")
#: Scorer: micro-averaged ROC-AUC of binary labels (for macro: mean_roc_auc).
roc_auc_micro_scorer = make_multitask_scorer(
    multilabel_roc_auc, average="micro", response_method="predict_proba"
)
#: Scorer: macro-averaged average precision of binary labels.
average_precision_scorer = make_multitask_scorer(
    multilabel_average_precision, average="macro", response_method="predict_proba"
)
#: Scorer: micro-averaged average precision of binary labels.
average_precision_micro_scorer = make_multitask_scorer(
    multilabel_average_precision, average="micro", response_method="predict_proba"
)

_SCORERS = {
    "subset_accuracy": subset_accuracy_scorer,
    "mean_task_accuracy": mean_task_accuracy_scorer,
    "mean_balanced_accuracy": mean_balanced_accuracy_scorer,
    "mean_macro_f1": mean_macro_f1_scorer,
    "mean_roc_auc": mean_roc_auc_scorer,
    "neg_mean_log_loss": neg_mean_log_loss_scorer,
    "neg_mean_brier_score": neg_mean_brier_score_scorer,
    "neg_hamming_loss": neg_hamming_loss_scorer,
    "f1_micro": f1_micro_scorer,
    "f1_macro": f1_macro_scorer,
    "f1_samples": f1_samples_scorer,
    "roc_auc_micro": roc_auc_micro_scorer,
    "average_precision": average_precision_scorer,
    "average_precision_micro": average_precision_micro_scorer,
}


def get_scorer_names():
    """The names :func:`get_scorer` accepts.

    Returns
    -------
    names : list of str
        Sorted.

    See Also
    --------
    get_scorer : a scorer by name.

    Examples
    --------
    >>> from sklmtl.metrics import get_scorer_names
    >>> get_scorer_names()[:3]
    ['average_precision', 'average_precision_micro', 'f1_macro']
    """
    return sorted(_SCORERS)


def get_scorer(scoring):
    """A multi-task scorer by name, for ``scoring=`` in scikit-learn's tools.

    scikit-learn does not know sklmtl's names: ``GridSearchCV(...,
    scoring="mean_roc_auc").fit`` (and ``cross_validate``,
    ``cross_val_score``) raise ``InvalidParameterError`` (a ``ValueError``:
    "The 'scoring' parameter of GridSearchCV must be a str among {...} ...
    Got 'mean_roc_auc' instead."), and a list ``scoring=["mean_roc_auc"]`` is
    refused with a ``ValueError`` too. Pass
    ``scoring=sklmtl.metrics.get_scorer("mean_roc_auc")`` instead, or
    :func:`get_scorers` for several metrics at once.

    Parameters
    ----------
    scoring : str or callable
        One of :func:`get_scorer_names` (``"mean_roc_auc"``,
        ``"neg_mean_log_loss"``, ``"neg_mean_brier_score"``,
        ``"mean_balanced_accuracy"``, ``"mean_macro_f1"``,
        ``"mean_task_accuracy"``, ``"subset_accuracy"``; for multi-label
        targets of binary labels ``"neg_hamming_loss"``, ``"f1_micro"``,
        ``"f1_macro"``, ``"f1_samples"``, ``"roc_auc_micro"``,
        ``"average_precision"``, ``"average_precision_micro"``, which
        score the positive class as :func:`multilabel_f1_score`,
        :func:`multilabel_roc_auc` and :func:`multilabel_average_precision`
        define it); a callable is returned as it is.

    Returns
    -------
    scorer : callable
        A new copy of the named scorer (so that ``set_score_request`` on it
        changes no other), ``scorer(estimator, X, Y, sample_weight=None)``;
        greater is better (losses are negated, as in scikit-learn).

    See Also
    --------
    get_scorers : several scorers as a dict for multi-metric ``scoring=``.
    make_multitask_scorer : a scorer from your own metric.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV, KFold
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> from sklmtl.metrics import get_scorer
    >>> X = [[0], [4], [1], [5], [2], [6], [3], [7]]
    >>> Y = [[0, "a"], [1, "b"], [0, None], [1, "a"], [0, "a"], [1, "b"],
    ...      [0, "b"], [1, "b"]]
    >>> tree = DecisionTreeClassifier(random_state=0)
    >>> search = GridSearchCV(IndependentTaskClassifier(tree),
    ...                       {"estimator__max_depth": [1, 2]}, cv=KFold(2),
    ...                       scoring=get_scorer("mean_balanced_accuracy"))
    >>> search.fit(X, Y).best_params_
    {'estimator__max_depth': 2}
    """
    if callable(scoring):
        return scoring
    if isinstance(scoring, str) and scoring in _SCORERS:
        return copy.deepcopy(_SCORERS[scoring])
    raise ValueError(
        f"{scoring!r} is not a multi-task scorer name; the names are "
        f"{get_scorer_names()}. (scikit-learn's own names, from "
        "sklearn.metrics.get_scorer_names(), score one output and reject a "
        "multi-task Y.)"
    )


def get_scorers(scoring):
    """Several multi-task scorers as a dict, for multi-metric ``scoring=``.

    Parameters
    ----------
    scoring : list, tuple or set of str, or dict of str to (str or callable)
        Scorer names (each key is then its name), or a dict from the key
        scikit-learn reports (``test_<key>``, ``mean_test_<key>``) to a name
        or a scorer.

    Returns
    -------
    scorers : dict of str to callable
        Usable as ``scoring=`` in ``GridSearchCV`` (with ``refit=<key>``) and
        ``cross_validate``.

    See Also
    --------
    get_scorer : one scorer by name.

    Examples
    --------
    >>> from sklearn.model_selection import KFold, cross_validate
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklmtl.baselines import IndependentTaskClassifier
    >>> from sklmtl.metrics import get_scorers
    >>> X = [[0], [4], [1], [5], [2], [6], [3], [7]]
    >>> Y = [[0, 1], [1, 0], [0, -1], [1, 1], [0, 0], [1, 1], [0, 1], [1, 0]]
    >>> model = IndependentTaskClassifier(DecisionTreeClassifier(max_depth=1),
    ...                                   missing_label=-1)
    >>> result = cross_validate(model, X, Y, cv=KFold(2), scoring=get_scorers(
    ...     ["mean_roc_auc", "neg_mean_log_loss", "mean_macro_f1"]))
    >>> sorted(k for k in result if k.startswith("test_"))
    ['test_mean_macro_f1', 'test_mean_roc_auc', 'test_neg_mean_log_loss']
    """
    if isinstance(scoring, dict):
        items = list(scoring.items())
    elif isinstance(scoring, (list, tuple, set, frozenset)):
        names = sorted(scoring) if isinstance(scoring, (set, frozenset)) else scoring
        items = [(name, name) for name in names]
    else:
        raise TypeError(
            "scoring must be a list of scorer names or a dict of key to name or "
            f"scorer; got {type(scoring).__name__}. For one scorer use get_scorer."
        )
    if not items:
        raise ValueError("scoring is empty; name at least one scorer.")
    scorers = {}
    for key, value in items:
        if not isinstance(key, str):
            raise TypeError(f"Scorer keys must be str; got {key!r}.")
        if key in scorers:
            raise ValueError(f"The scorer {key!r} is named twice.")
        scorers[key] = get_scorer(value)
    return scorers
