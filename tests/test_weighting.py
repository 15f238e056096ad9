"""One property suite over every weighting strategy, then per-family checks."""

import importlib
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sklmtl import MultiTaskNetClassifier
from sklmtl.nn import HardParameterSharing, MLPTrunk
from sklmtl.weighting import (
    ALIASES,
    DynamicWeightAverage,
    FixedWeighting,
    GradientAggregator,
    LossWeighting,
    resolve_weighting,
)

from .conftest import FAST, make_problem

ALL = sorted(ALIASES)
# Methods that promise equal weights for identical tasks. Not RLW (random), nor
# MGDA and CAGrad: when two gradients coincide, every convex combination of them
# is a minimum-norm point, so any split of the weight is a correct answer.
SYMMETRIC = [a for a in ALL if a not in ("rlw", "mgda", "cagrad")]
pytestmark = pytest.mark.filterwarnings(
    "ignore:You are solving a parameterized problem that is not DPP"
)


class _FakeNet:
    def __init__(self, module):
        self.module_ = module


def _toy_step(strategy, identical=False, seed=0):
    """One backward pass of ``strategy`` on a 2-task toy module."""
    torch.manual_seed(seed)
    module = HardParameterSharing(MLPTrunk(3, (4,)), n_classes=(2, 2))
    if identical:
        with torch.no_grad():
            for name, value in module.heads.task_parameters(1).items():
                value.copy_(module.heads.task_parameters(0)[name])
    strategy.setup(["a", "b"])
    X = torch.randn(8, 3)
    codes = torch.randint(0, 2, (8, 1)).repeat(1, 2)
    if not identical:
        codes[:, 1] = 1 - codes[:, 0]
    features = module.encode(X)
    logits = module.decode(features, X)
    losses = torch.stack(
        [
            torch.nn.functional.cross_entropy(lg, codes[:, t])
            for t, lg in enumerate(logits)
        ]
    )
    loss = strategy.backward(
        losses, torch.tensor([8.0, 8.0]), _FakeNet(module), features
    )
    return module, losses, loss, X, codes


@pytest.mark.parametrize("alias", ALL)
class TestEveryStrategy:
    def test_finite_weights_one_per_task(self, alias):
        strategy = resolve_weighting(alias)
        _, _, loss, _, _ = _toy_step(strategy)
        assert torch.isfinite(loss)
        weights = strategy.current_weights()
        assert weights is not None and weights.shape == (2,)
        assert torch.isfinite(weights).all() and (weights >= 0).all()

    def test_trains_three_tasks_without_nan(self, alias):
        X, Y = make_problem(n_samples=90)
        clf = MultiTaskNetClassifier(task_weighting=alias, **{**FAST, "max_epochs": 4})
        clf.fit(X, Y)
        assert np.all(np.isfinite(clf.history_[:, "train_loss"]))
        for name in clf.task_names_:
            weights = clf.history_[:, f"task_weight_{name}"]
            assert len(weights) == clf.n_iter_ and np.all(np.isfinite(weights))
        for proba in clf.predict_proba(X):
            assert np.all(np.isfinite(proba))

    def test_task_absent_from_batches(self, alias):
        X, Y = make_problem(n_samples=96)
        Y = Y.copy()
        Y[8:, 1] = None  # task_1 only in the first batch of 8
        Y[:8, 2] = None
        clf = MultiTaskNetClassifier(
            task_weighting=alias, batch_size=8, **{**FAST, "max_epochs": 2}
        ).fit(X, Y)
        assert np.all(np.isfinite(clf.history_[:, "train_loss"]))
        assert np.all(np.isfinite(clf.predict_proba(X)[1]))

    def test_in_get_params_and_survives_clone(self, alias):
        strategy = resolve_weighting(alias)
        clf = MultiTaskNetClassifier(task_weighting=strategy)
        params = clf.get_params(deep=True)
        for name, value in strategy.get_params().items():
            assert params[f"task_weighting__{name}"] == value
        copy = clone(clf)
        assert copy.task_weighting is not strategy
        assert repr(copy.task_weighting) == repr(strategy)
        by_alias = MultiTaskNetClassifier(task_weighting=alias)
        assert clone(by_alias).get_params()["task_weighting"] == alias

    def test_pickle_round_trip(self, alias):
        X, Y = make_problem(n_samples=40)
        clf = MultiTaskNetClassifier(task_weighting=alias, **{**FAST, "max_epochs": 1})
        restored = pickle.loads(pickle.dumps(clf.fit(X, Y)))
        np.testing.assert_array_equal(
            restored.predict_proba(X)[0], clf.predict_proba(X)[0]
        )

    def test_for_tasks_is_a_fresh_copy_for_the_subset(self, alias):
        strategy = resolve_weighting(alias)
        _toy_step(strategy)  # fitted state must not travel to the copy
        subset = strategy.for_tasks(["a", "b", "c"], [2, 0])
        assert subset is not strategy and type(subset) is type(strategy)
        assert subset.get_params() == strategy.get_params()
        assert subset.setup(["c", "a"]).n_tasks == 2

    def test_symmetric_for_identical_tasks(self, alias):
        if alias not in SYMMETRIC:
            pytest.skip(f"{alias} does not promise symmetric weights")
        strategy = resolve_weighting(alias)
        _toy_step(strategy, identical=True)
        weights = strategy.current_weights()
        torch.testing.assert_close(weights[0], weights[1], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize(
    "alias", [a for a in ALL if issubclass(ALIASES[a], GradientAggregator)]
)
def test_aggregator_changes_only_shared_gradients(alias):
    strategy = resolve_weighting(alias)
    module, losses, _, X, codes = _toy_step(strategy)
    heads = module.heads
    for t in range(heads.n_tasks):
        logits = heads(module.trunk(X))[t]
        loss_t = torch.nn.functional.cross_entropy(logits, codes[:, t])
        params = [heads.weight, heads.bias]
        expected = torch.autograd.grad(loss_t, params)
        rows = slice(heads.offsets[t], heads.offsets[t + 1])
        for param, grad in zip(params, expected):
            torch.testing.assert_close(param.grad[rows], grad[rows])
    for param in module.trunk.parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all()


@pytest.mark.parametrize(
    "alias", [a for a in ALL if issubclass(ALIASES[a], GradientAggregator)]
)
def test_missing_torchjd_names_the_extra(monkeypatch, alias):
    real = importlib.import_module

    def fake_import(name, *args):
        if name.startswith("torchjd"):
            raise ImportError(name)
        return real(name, *args)

    aggregators = importlib.import_module("sklmtl.weighting.aggregators")
    monkeypatch.setattr(aggregators.importlib, "import_module", fake_import)
    X, Y = make_problem(n_samples=30)
    with pytest.raises(ImportError, match=r"sklmtl\[aggregators\]"):
        MultiTaskNetClassifier(task_weighting=alias, **FAST).fit(X, Y)


class TestLossWeightings:
    def test_fixed_weights_from_list_and_dict(self):
        by_list = FixedWeighting([2.0, 0.5]).setup(["a", "b"])
        torch.testing.assert_close(
            by_list.compute_weights(None), torch.tensor([2.0, 0.5])
        )
        by_dict = FixedWeighting({"b": 3.0}).setup(["a", "b"])
        torch.testing.assert_close(
            by_dict.compute_weights(None), torch.tensor([1.0, 3.0])
        )
        loss = by_list.combine(torch.tensor([1.0, 2.0]))
        assert float(loss) == pytest.approx(3.0)

    @pytest.mark.parametrize(
        "weights, match",
        [
            ([1.0], "1 weights for 2 tasks"),
            ({"c": 1.0}, "unknown task"),
            ([1, -1], "'b'"),
        ],
    )
    def test_fixed_weights_errors(self, weights, match):
        with pytest.raises(ValueError, match=match):
            FixedWeighting(weights).setup(["a", "b"])

    def test_fixed_weights_via_estimator(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(task_weighting=[1.0, 0.0, 1.0], **FAST).fit(X, Y)
        assert clf.history_[-1]["task_weight_task_1"] == 0.0

    def test_uncertainty_log_variances_are_trained(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(task_weighting="uncertainty", **FAST).fit(X, Y)
        log_vars = clf.net_.criterion_.weighting.log_vars
        assert not torch.allclose(log_vars, torch.zeros_like(log_vars))
        optimizer_params = {
            id(p) for g in clf.net_.optimizer_.param_groups for p in g["params"]
        }
        assert id(log_vars) in optimizer_params

    def test_dwa_upweights_the_slower_task(self):
        strategy = DynamicWeightAverage(temperature=1.0).setup(["fast", "slow"])
        strategy.end_epoch(torch.tensor([1.0, 1.0]))
        assert torch.equal(strategy.compute_weights(None), torch.ones(2))
        strategy.end_epoch(torch.tensor([0.2, 0.9]))
        weights = strategy.compute_weights(None)
        assert weights[1] > weights[0] and float(weights.sum()) == pytest.approx(2.0)

    def test_gradnorm_weights_move_and_stay_normalised(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(
            task_weighting="gradnorm", task_weighting__alpha=1.0, **FAST
        ).fit(X, Y)
        weights = np.array(
            [clf.history_[-1][f"task_weight_{n}"] for n in clf.task_names_]
        )
        assert not np.allclose(weights, 1.0)
        assert weights.sum() == pytest.approx(3.0, rel=0.2)

    def test_gradnorm_without_shared_matrix_is_reported(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(
            task_weighting="gradnorm", **{**FAST, "hidden_layer_sizes": ()}
        )
        with pytest.raises(ValueError, match="GradNorm needs a shared weight matrix"):
            clf.fit(X, Y)

    def test_rlw_is_seeded(self, problem):
        X, Y = problem
        a = MultiTaskNetClassifier(task_weighting="rlw", **FAST).fit(X, Y)
        b = MultiTaskNetClassifier(task_weighting="rlw", **FAST).fit(X, Y)
        np.testing.assert_array_equal(a.predict_proba(X)[0], b.predict_proba(X)[0])

    def test_every_loss_weighting_is_a_loss_weighting(self):
        for alias in ("equal", "uncertainty", "dwa", "gradnorm", "rlw"):
            assert issubclass(ALIASES[alias], LossWeighting)


class TestWeightingParams:
    def test_alias_params_are_searchable(self, problem):
        clf = MultiTaskNetClassifier(task_weighting="cagrad", task_weighting__c=0.3)
        assert clf.get_params()["task_weighting__c"] == 0.3
        clf.set_params(task_weighting__c=0.6)
        assert clone(clf).get_params()["task_weighting__c"] == 0.6
        X, Y = problem
        clf.set_params(**FAST).fit(X, Y)
        assert clf.net_.criterion_.weighting.c == 0.6

    def test_instance_params_are_searchable(self):
        clf = MultiTaskNetClassifier(task_weighting=DynamicWeightAverage())
        clf.set_params(task_weighting__temperature=5.0)
        assert clf.task_weighting.temperature == 5.0

    def test_unknown_alias_param_is_reported(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(
            task_weighting="dwa", task_weighting__alpha=1, **FAST
        )
        with pytest.raises(ValueError, match="DynamicWeightAverage"):
            clf.fit(X, Y)

    def test_caller_strategy_is_not_trained(self, problem):
        X, Y = problem
        strategy = resolve_weighting("uncertainty")
        MultiTaskNetClassifier(task_weighting=strategy, **FAST).fit(X, Y)
        assert not hasattr(strategy, "log_vars")


@pytest.mark.parametrize(
    "weights", [[1.0, 5.0, 2.0], (1.0, 5.0, 2.0), {"b": 5.0, "c": 2.0}]
)
def test_fixed_weighting_for_tasks_keeps_each_task_weight(weights):
    subset = FixedWeighting(weights).for_tasks(["a", "b", "c"], [2, 1])
    assert subset.weights == [2.0, 5.0]
    assert subset.setup(["task_0", "task_1"]).compute_weights(None).tolist() == [
        2.0,
        5.0,
    ]


@pytest.mark.parametrize(
    "weights, match",
    [
        ({"d": 1.0}, r"unknown task\(s\) \['d'\]; the tasks are \['a', 'b'\]"),
        ([1.0], "got 1 weights for 2 tasks"),
        ({"a": -1.0}, "weight of task 'a' must be a finite number >= 0"),
    ],
)
def test_fixed_weighting_for_tasks_checks_against_all_tasks(weights, match):
    with pytest.raises(ValueError, match=match):
        FixedWeighting(weights).for_tasks(["a", "b"], [1])


def test_class_weight_options(problem):
    X, Y = problem
    clf = MultiTaskNetClassifier(class_weight="balanced", **FAST).fit(X, Y)
    weights = clf.net_.criterion_.cross_entropy.class_weights
    assert len(weights) == 3 and all(w.shape == (2,) for w in weights)
    clf = MultiTaskNetClassifier(class_weight=[None, {"up": 5.0}, "balanced"], **FAST)
    weights = clf.fit(X, Y).net_.criterion_.cross_entropy.class_weights
    assert weights[0] is None and weights[1].tolist() == [1.0, 5.0]
    with pytest.raises(ValueError, match="'sideways'"):
        MultiTaskNetClassifier(class_weight=[None, {"sideways": 2}, None], **FAST).fit(
            X, Y
        )
    with pytest.raises(ValueError, match="2 entries for 3 tasks"):
        MultiTaskNetClassifier(class_weight=[None, None], **FAST).fit(X, Y)


def test_nash_mtl_does_not_pass_cvxpy_performance_notes_to_users():
    pytest.importorskip("cvxpy")
    X, Y = make_problem()
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 2}, task_weighting="nash_mtl")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, Y)
    assert not [w for w in caught if "parameterized problem" in str(w.message)]
