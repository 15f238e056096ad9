"""The compared methods, built the way a user would build them, and their sizes.

Every neural method of the ``quick`` and ``full`` suites is
``MultiTaskNetClassifier(random_state=seed)`` with the estimator's defaults:
the main job measures what a user gets without tuning. A setting sets only
what the data need (the LeNet trunk and image shape for images) or what its
experiment is about (``max_epochs`` and ``fixed_epochs`` for the timing sweep,
the architecture of a soft-sharing method, a task weighting). The
``sharing`` and ``soft-sharing`` suites compare architectures at one pinned
configuration (``PINNED_NET``, their settings' ``"pinned_net": True``), the
one their committed results were measured with. Nothing is tuned per method
or on test data: SVMs and logistic regressions keep scikit-learn's defaults on
standardised features.
"""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier, LabelPowersetClassifier
from sklmtl.grouping import TaskGroupingClassifier
from sklmtl.metrics import mean_task_accuracy_scorer
from sklmtl.nn import HPS, PLE, CrossStitch, MMoE, make_trunk_factory

#: The configuration of the architecture comparisons (``sharing`` and
#: ``soft-sharing`` suites, whose settings say ``"pinned_net": True``); every
#: other suite uses the estimator's defaults.
PINNED_NET = dict(
    hidden_layer_sizes=(256, 128),
    lr=1e-3,
    batch_size=128,
    weight_decay=1e-4,
    early_stopping=True,
    validation_fraction=0.1,
    n_iter_no_change=10,
    max_epochs=100,
)


def _net(seed, setting, **overrides):
    params = {**(PINNED_NET if setting.get("pinned_net") else {}), "random_state": seed}
    if setting.get("trunk") == "cnn":
        params.update(trunk="cnn", image_shape=(28, 28))
    if "max_epochs" in setting:
        params["max_epochs"] = setting["max_epochs"]
    if setting.get("fixed_epochs"):
        params.update(early_stopping=False, tol=None)
    params.update(overrides)
    return MultiTaskNetClassifier(**params)


#: Architecture specs of the multi-expert methods (``architecture=``).
SOFT_SHARING = {
    "MMoE net": MMoE(n_experts=2),
    "PLE net": PLE(n_task_experts=1, n_shared_experts=1, n_levels=2),
    "cross-stitch net": CrossStitch(alpha_self=0.9),
}


def _n_parameters(spec, make_trunk, input_size, n_classes):
    module = spec.build(make_trunk, input_size, n_classes)
    return sum(p.numel() for p in module.parameters())


def lenet_fc_within_budget(spec, image_shape=(1, 28, 28), n_classes=(10, 10)):
    """The widest LeNet ``fc_size`` (at most 50) that keeps ``spec``'s network
    within the parameters of one LeNet per task (the independent nets).

    Only the fully connected width shrinks: the convolutions stay LeNet's.

    Parameters
    ----------
    spec : HPS
        An architecture spec (e.g. ``PLE()``).
    image_shape : tuple of int, default=(1, 28, 28)
        One image.
    n_classes : tuple of int, default=(10, 10)
        Classes of each task (MultiMNIST: two digits).

    Returns
    -------
    fc_size : int
        The width; ``budget`` is ``len(n_classes)`` single-task LeNets.
    """
    size = int(np.prod(image_shape))

    def lenet(fc_size):
        return make_trunk_factory("cnn", image_shape, {"fc_size": fc_size}, {})

    budget = sum(_n_parameters(HPS(), lenet(50), size, (k,)) for k in n_classes)
    for fc_size in range(50, 0, -1):
        if _n_parameters(spec, lenet(fc_size), size, n_classes) <= budget:
            return fc_size
    raise ValueError(f"{spec!r} does not fit in {budget} parameters.")


def _soft(name):
    """A multi-expert method; with the LeNet trunk, within two LeNets' size."""

    def make(seed, setting):
        spec = SOFT_SHARING[name]
        overrides = {"architecture": spec}
        if setting.get("trunk") == "cnn":
            overrides["trunk__fc_size"] = lenet_fc_within_budget(spec)
        return _scaled(_net(seed, setting, **overrides), setting)

    return make


def _grouping(seed, setting):
    """Automatic grouping around the same network as the other nets.

    ``TaskGroupingClassifier``'s defaults: a 5-epoch probe measuring the
    lookahead affinity every step, then as many groups as the threshold (0.05)
    justifies, one ``_net`` (configured as the suite's other nets) per group.
    """
    grouping = TaskGroupingClassifier(_net(seed, setting), random_state=seed)
    return _scaled(grouping, setting)


#: ``threshold`` values searched by "grouping net (CV)": -1 puts every task in
#: one group (every pair gains), 2 gives one group per task (no pair gains),
#: 0.05 is the default's affinity-chosen grouping.
GROUPING_THRESHOLDS = [-1.0, 0.05, 2.0]


def _grouping_cv(seed, setting):
    """Grouping with the threshold chosen by 3-fold CV on the training rows.

    What the user guide recommends instead of trusting one probe: the search
    chooses between one network, the affinity grouping and one network per
    task by cross-validated mean task accuracy (training data only), then
    refits the best on all training rows.
    """
    return GridSearchCV(
        _grouping(seed, setting),
        {_prefix(setting) + "threshold": GROUPING_THRESHOLDS},
        scoring=mean_task_accuracy_scorer,
        cv=3,
    )


def _prefix(setting):
    return "taskgroupingclassifier__" if setting.get("scale_nets", True) else ""


def _scaled(estimator, setting):
    """Standardise tabular inputs; images keep their [0, 1] pixels for nets."""
    if setting.get("scale_nets", True):
        return make_pipeline(StandardScaler(), estimator)
    return estimator


def _per_task(estimator):
    # IndependentTaskClassifier is MultiOutputClassifier that skips missing
    # cells; with complete labels the two are the same model.
    return IndependentTaskClassifier(estimator)


#: name -> factory(seed, setting) -> unfitted estimator.
METHODS = {
    "shared net (equal)": lambda seed, s: _scaled(_net(seed, s), s),
    "shared net (uncertainty)": lambda seed, s: _scaled(
        _net(seed, s, task_weighting="uncertainty"), s
    ),
    "shared net (MGDA)": lambda seed, s: _scaled(
        _net(seed, s, task_weighting="mgda"), s
    ),
    "independent nets": lambda seed, s: _scaled(_per_task(_net(seed, s)), s),
    **{name: _soft(name) for name in SOFT_SHARING},
    "grouping net": _grouping,
    "grouping net (CV)": _grouping_cv,
    "powerset net": lambda seed, s: _scaled(LabelPowersetClassifier(_net(seed, s)), s),
    "powerset SVM": lambda seed, s: make_pipeline(
        StandardScaler(), LabelPowersetClassifier(SVC())
    ),
    "SVM per task": lambda seed, s: make_pipeline(StandardScaler(), _per_task(SVC())),
    "LogReg per task": lambda seed, s: make_pipeline(
        StandardScaler(), _per_task(LogisticRegression(max_iter=1000))
    ),
}


def _final_model(estimator):
    """The model that predicts: a search's refitted best, a pipeline's last step."""
    while isinstance(estimator, (GridSearchCV, Pipeline)):
        if isinstance(estimator, GridSearchCV):
            estimator = estimator.best_estimator_
        else:
            estimator = estimator[-1]
    return estimator


def model_size(estimator):
    """Trainable parameters and support vectors of a fitted method.

    A ``TaskGroupingClassifier`` counts the networks of its groups (what
    predicts); its probe network is not counted.

    Parameters
    ----------
    estimator : estimator
        A fitted method from :data:`METHODS`.

    Returns
    -------
    size : dict
        ``{"parameters": int, "support_vectors": int}`` (each 0 when the
        model has none).
    """
    estimator = _final_model(estimator)
    if isinstance(estimator, (IndependentTaskClassifier, MultiOutputClassifier)):
        sizes = [model_size(est) for est in estimator.estimators_]
        return {k: sum(s[k] for s in sizes) for k in ("parameters", "support_vectors")}
    if isinstance(estimator, LabelPowersetClassifier):
        return model_size(estimator.estimator_)
    if isinstance(estimator, TaskGroupingClassifier):
        # The group networks that predict; the probe is fitted, used to choose
        # the groups and not counted (its time is in the fit time).
        sizes = [model_size(est) for est in estimator.estimators_]
        return {k: sum(s[k] for s in sizes) for k in ("parameters", "support_vectors")}
    if isinstance(estimator, MultiTaskNetClassifier):
        params = estimator.net_.module_.parameters()
        return {
            "parameters": sum(p.numel() for p in params if p.requires_grad),
            "support_vectors": 0,
        }
    if isinstance(estimator, SVC):
        return {"parameters": 0, "support_vectors": int(estimator.n_support_.sum())}
    if hasattr(estimator, "coef_"):
        return {
            "parameters": int(estimator.coef_.size + estimator.intercept_.size),
            "support_vectors": 0,
        }
    raise TypeError(f"No size rule for {type(estimator).__name__}.")


def epochs_trained(estimator):
    """Epochs of every network inside a fitted method (empty for non-nets)."""
    estimator = _final_model(estimator)
    if isinstance(estimator, (IndependentTaskClassifier, TaskGroupingClassifier)):
        # For grouping: the group networks' epochs (the probe's are not counted).
        return [e for est in estimator.estimators_ for e in epochs_trained(est)]
    if isinstance(estimator, LabelPowersetClassifier):
        return epochs_trained(estimator.estimator_)
    if isinstance(estimator, MultiTaskNetClassifier):
        return [estimator.n_iter_]
    return []


def groups_chosen(estimator):
    """The task groups of a fitted grouping method, or None for other methods.

    Parameters
    ----------
    estimator : estimator
        A fitted method from :data:`METHODS`.

    Returns
    -------
    groups : list of list of int or None
        ``TaskGroupingClassifier.groups_`` (after a search: of the refitted
        best estimator).
    """
    estimator = _final_model(estimator)
    if isinstance(estimator, TaskGroupingClassifier):
        return [list(map(int, group)) for group in estimator.groups_]
    return None
