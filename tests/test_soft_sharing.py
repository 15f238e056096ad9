"""Soft-sharing architectures: CGC/PLE and cross-stitch networks."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.io import load, save, to_onnx
from sklmtl.metrics import mean_task_accuracy_scorer
from sklmtl.nn import (
    CGC,
    PLE,
    CNNTrunk,
    CrossStitch,
    CrossStitchNetwork,
    MLPTrunk,
    ProgressiveLayeredExtraction,
    resolve_architecture,
)
from sklmtl.weighting import ALIASES, resolve_weighting

from .conftest import make_problem

pytestmark = pytest.mark.filterwarnings(
    "ignore:You are solving a parameterized problem that is not DPP"
)

SOFT = ["cgc", "ple", "cross_stitch"]
# Two hidden layers: PLE's default two levels need two trunk stages.
TINY = dict(hidden_layer_sizes=(8, 8), max_epochs=2, lr=0.02, random_state=0)
CNN = dict(
    trunk="cnn",
    trunk__conv_channels=(3, 4),
    trunk__kernel_size=3,
    trunk__padding=1,
    trunk__fc_size=8,
    max_epochs=2,
    lr=0.02,
    random_state=0,
)


@pytest.fixture(scope="module")
def tiny():
    return make_problem(n_samples=60)


@pytest.fixture(scope="module")
def images():
    rng = np.random.RandomState(0)
    X = rng.rand(40, 1, 8, 8).astype(np.float32)
    Y = np.column_stack(
        [
            X[:, 0, :4].mean(axis=(1, 2)) > X[:, 0, 4:].mean(axis=(1, 2)),
            X[:, 0, :, :4].mean(axis=(1, 2)) > X[:, 0, :, 4:].mean(axis=(1, 2)),
        ]
    ).astype(int)
    return X, Y


def _n_params(module):
    return sum(p.numel() for p in module.parameters())


def _mlp(width=(8, 4)):
    return MLPTrunk(5, width)


def _upstream_of_features(module, X):
    """Parameters the output of ``encode`` depends on (found by autograd)."""
    features = module.encode(X)
    features = features if isinstance(features, tuple) else (features,)
    total = sum(f.sum() for f in features)
    params = list(module.parameters())
    grads = torch.autograd.grad(total, params, allow_unused=True)
    return {id(p) for p, g in zip(params, grads) if g is not None}


class TestModules:
    @pytest.mark.parametrize(
        "trunk, X",
        [
            (MLPTrunk(5, (8, 4), batch_norm=True, dropout=0.1), torch.randn(6, 5)),
            (CNNTrunk((1, 12, 12), kernel_size=3), torch.randn(6, 144)),
            (
                CNNTrunk((1, 12, 12), kernel_size=3, dropout=0.1),
                torch.randn(6, 1, 12, 12),
            ),
        ],
        ids=["mlp", "cnn-flat", "cnn-images"],
    )
    def test_stages_run_in_order_are_the_trunk(self, trunk, X):
        trunk.eval()
        out = X
        for stage in trunk.stages():
            out = stage(out)
        torch.testing.assert_close(out, trunk(X))
        stage_params = {id(p) for s in trunk.stages() for p in s.parameters()}
        assert stage_params == {id(p) for p in trunk.parameters()}

    def test_cgc_parameter_count_by_hand(self):
        # 3 experts of 5*8+8 = 48, two gates Linear(5, 2) of 12, heads
        # (8*2+2) + (8*3+3) = 45.
        net = ProgressiveLayeredExtraction(
            [[_mlp((8,))], [_mlp((8,))]], [_mlp((8,))], 5, n_classes=(2, 3)
        )
        assert _n_params(net) == 3 * 48 + 2 * 12 + 45

    def test_ple_parameter_count_by_hand(self):
        # Experts of 48 + (8*4+4) = 84; level 1 task gates Linear(5, 2) = 12,
        # level 2 task gates Linear(8, 2) = 18, the level 1 shared gate
        # Linear(5, 3) = 18; heads (4*2+2) + (4*3+3) = 25.
        net = ProgressiveLayeredExtraction(
            [[_mlp()], [_mlp()]], [_mlp()], 5, n_classes=(2, 3), n_levels=2
        )
        assert _n_params(net) == 3 * 84 + 2 * 12 + 2 * 18 + 18 + 25

    def test_cross_stitch_parameter_count_by_hand(self):
        # Two columns of 84, one 2x2 unit per stage (2 stages), heads 25.
        net = CrossStitchNetwork([_mlp(), _mlp()], n_classes=(2, 3))
        assert _n_params(net) == 2 * 84 + 2 * 4 + 25

    @pytest.mark.parametrize(
        "make",
        [
            lambda: ProgressiveLayeredExtraction(
                [[_mlp()], [_mlp()]], [_mlp()], 5, (2, 3)
            ),
            lambda: ProgressiveLayeredExtraction(
                [[_mlp()], [_mlp()]], [_mlp(), _mlp()], 5, (2, 3), n_levels=2
            ),
            lambda: ProgressiveLayeredExtraction([[], []], [_mlp()], 5, (2, 3)),
            lambda: CrossStitchNetwork([_mlp(), _mlp()], (2, 3)),
        ],
        ids=["cgc", "ple", "cgc-no-task-experts", "cross-stitch"],
    )
    def test_shared_parameters_are_exactly_what_encode_reads(self, make):
        module = make()
        X = torch.randn(4, 5)
        shared = {id(p) for p in module.shared_parameters()}
        assert len(shared) == len(module.shared_parameters())
        assert shared == _upstream_of_features(module, X)
        # Every parameter outside encode is read by exactly one task; the
        # heads hold all tasks in one tensor, task t in rows offsets[t]:.
        logits = module(X)
        heads = module.heads
        for p in module.parameters():
            if id(p) in shared or any(p is h for h in heads.parameters()):
                continue
            used = [
                torch.autograd.grad(out.sum(), p, retain_graph=True, allow_unused=True)
                for out in logits
            ]
            # At most one task with a non-zero gradient: the heads run all
            # tasks in one batched product, which links each task's graph to
            # the others' features with zero gradients (and a gate over one
            # expert has a zero gradient for its own task too).
            assert any(g[0] is not None for g in used)
            assert sum(g[0] is not None and bool(g[0].any()) for g in used) <= 1
        for t, out in enumerate(logits):
            (grad,) = torch.autograd.grad(out.sum(), heads.weight, retain_graph=True)
            rows = grad.abs().sum(dim=1) > 0
            assert rows.nonzero().flatten().tolist() == list(
                range(heads.offsets[t], heads.offsets[t + 1])
            )

    def test_cross_stitch_units_start_from_alpha_self(self):
        net = CrossStitchNetwork([_mlp() for _ in range(3)], (2, 2, 2), alpha_self=0.7)
        expected = torch.full((3, 3), 0.15)
        expected.fill_diagonal_(0.7)
        for stitch in net.stitches:
            torch.testing.assert_close(stitch.detach(), expected)

    def test_cross_stitch_with_alpha_self_one_keeps_columns_apart(self):
        net = CrossStitchNetwork([_mlp(), _mlp()], (2, 3), alpha_self=1.0)
        X = torch.randn(4, 5)
        before = net(X)
        with torch.no_grad():
            for p in net.columns[1].parameters():
                p.add_(1.0)
        after = net(X)
        torch.testing.assert_close(before[0], after[0])
        assert not torch.allclose(before[1], after[1])

    def test_task_experts_are_private_in_cgc(self):
        net = ProgressiveLayeredExtraction([[_mlp()], [_mlp()]], [_mlp()], 5, (2, 3))
        X = torch.randn(4, 5)
        before = net(X)
        with torch.no_grad():
            for p in net.task_experts[0][1].parameters():
                p.add_(1.0)
        after = net(X)
        torch.testing.assert_close(before[0], after[0])
        assert not torch.allclose(before[1], after[1])

    @pytest.mark.parametrize("alias", ["upgrad", "gradnorm", "uncertainty"])
    @pytest.mark.parametrize("arch", SOFT)
    def test_every_parameter_gets_a_gradient(self, arch, alias):
        pytest.importorskip("torchjd")
        torch.manual_seed(0)
        module = resolve_architecture(arch).build(lambda: _mlp(), 5, (2, 2))
        strategy = resolve_weighting(alias)
        strategy.setup(["a", "b"])

        class Net:
            module_ = module

        X = torch.randn(8, 5)
        codes = torch.randint(0, 2, (8, 2))
        features = module.encode(X)
        logits = module.decode(features, X)
        losses = torch.stack(
            [
                torch.nn.functional.cross_entropy(lg, codes[:, t])
                for t, lg in enumerate(logits)
            ]
        )
        strategy.backward(losses, torch.tensor([8.0, 8.0]), Net(), features)
        for name, p in module.named_parameters():
            assert p.grad is not None and torch.isfinite(p.grad).all(), name
        # Heads receive their own task's gradient, whatever the weighting does
        # to the shared part (aggregators) or the losses' scale (the others).
        if alias == "upgrad":
            heads = module.heads
            params = [heads.weight, heads.bias]
            for t in range(heads.n_tasks):
                loss_t = torch.nn.functional.cross_entropy(module(X)[t], codes[:, t])
                grads = torch.autograd.grad(loss_t, params)
                rows = slice(heads.offsets[t], heads.offsets[t + 1])
                for p, g in zip(params, grads):
                    torch.testing.assert_close(p.grad[rows], g[rows])


@pytest.mark.parametrize("arch", SOFT)
class TestEstimator:
    @pytest.mark.parametrize("weighting", sorted(ALIASES))
    def test_every_weighting_trains(self, tiny, arch, weighting):
        X, Y = tiny
        clf = MultiTaskNetClassifier(
            architecture=arch, task_weighting=weighting, **TINY
        ).fit(X, Y)
        assert np.all(np.isfinite(clf.history_[:, "train_loss"]))
        assert clf.predict(X).shape == Y.shape
        for proba in clf.predict_proba(X):
            assert np.all(np.isfinite(proba))

    def test_cnn_trunks(self, images, arch):
        X, Y = images
        clf = MultiTaskNetClassifier(architecture=arch, **CNN).fit(X, Y)
        assert clf.predict(X).shape == Y.shape
        flat = MultiTaskNetClassifier(architecture=arch, image_shape=(8, 8), **CNN)
        for p, q in zip(
            flat.fit(X.reshape(len(X), -1), Y).predict_proba(X.reshape(len(X), -1)),
            clf.predict_proba(X),
        ):
            np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)

    def test_same_random_state_same_predictions(self, tiny, arch):
        X, Y = tiny
        a = MultiTaskNetClassifier(architecture=arch, **TINY).fit(X, Y)
        b = MultiTaskNetClassifier(architecture=arch, **TINY).fit(X, Y)
        for p, q in zip(a.predict_proba(X), b.predict_proba(X)):
            np.testing.assert_array_equal(p, q)
        c = MultiTaskNetClassifier(architecture=arch, **{**TINY, "random_state": 1})
        assert any(
            not np.array_equal(p, q)
            for p, q in zip(a.predict_proba(X), c.fit(X, Y).predict_proba(X))
        )

    def test_warm_start_matches_training_in_one_go(self, tiny, arch):
        X, Y = tiny
        params = {**TINY, "architecture": arch, "dropout": 0.1}
        one_go = MultiTaskNetClassifier(**{**params, "max_epochs": 4}).fit(X, Y)
        resumed = MultiTaskNetClassifier(**params, warm_start=True).fit(X, Y).fit(X, Y)
        assert resumed.n_iter_ == 4
        for a, b in zip(one_go.predict_proba(X), resumed.predict_proba(X)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    def test_save_load_round_trip(self, tiny, arch, tmp_path):
        X, Y = tiny
        clf = MultiTaskNetClassifier(
            architecture=resolve_architecture(arch), **TINY
        ).fit(X, Y)
        save(clf, tmp_path / "m.safetensors")
        loaded = load(tmp_path / "m.safetensors")
        assert repr(loaded.get_params()) == repr(clf.get_params())
        for p, q in zip(clf.predict_proba(X), loaded.predict_proba(X)):
            np.testing.assert_array_equal(p, q)

    def test_to_onnx_matches_predict_proba(self, images, arch, tmp_path):
        ort = pytest.importorskip("onnxruntime")
        pytest.importorskip("onnxscript")
        X, Y = images
        clf = MultiTaskNetClassifier(architecture=arch, **CNN).fit(X, Y)
        to_onnx(clf, tmp_path / "m.onnx")
        session = ort.InferenceSession(str(tmp_path / "m.onnx"))
        for rows in (1, len(X)):
            outputs = session.run(None, {"X": X[:rows]})
            for got, want in zip(outputs, clf.predict_proba(X[:rows])):
                np.testing.assert_allclose(got, want, atol=1e-5)

    def test_regression_and_mixed_tasks(self, tiny, arch):
        X, _ = tiny
        y = np.column_stack([X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]])
        reg = MultiTaskNetRegressor(architecture=arch, **TINY).fit(X, y)
        assert reg.predict(X).shape == y.shape
        mixed = np.empty((len(X), 2), dtype=object)
        mixed[:, 0] = X[:, 0] > 0
        mixed[:, 1] = X[:, 1] * 2.0
        net = MultiTaskNet(architecture=arch, **TINY).fit(X, mixed)
        assert net.predict(X).shape == mixed.shape


class TestParameters:
    def test_aliases_resolve_to_specs(self):
        assert repr(resolve_architecture("cgc")) == repr(CGC())
        assert repr(resolve_architecture("ple")) == repr(PLE())
        assert repr(resolve_architecture("cross_stitch")) == repr(CrossStitch())

    def test_nested_parameters_are_visible_and_cloned(self):
        clf = MultiTaskNetClassifier(architecture=PLE(n_levels=3, n_shared_experts=2))
        params = clf.get_params()
        assert params["architecture__n_levels"] == 3
        assert params["architecture__n_shared_experts"] == 2
        assert params["architecture__n_task_experts"] == 1
        copy = clone(clf)
        assert copy.architecture is not clf.architecture
        assert copy.get_params()["architecture__n_levels"] == 3
        stitch = MultiTaskNetClassifier(architecture=CrossStitch(alpha_self=0.8))
        assert stitch.get_params()["architecture__alpha_self"] == 0.8

    @pytest.mark.parametrize(
        "params, n_levels",
        [
            ({"hidden_layer_sizes": (8,)}, 1),
            ({"hidden_layer_sizes": (8, 8, 8)}, 3),
            ({**CNN, "max_epochs": 1}, 3),
            ({**CNN, "max_epochs": 1, "architecture__n_levels": 2}, 2),
        ],
        ids=["mlp-1", "mlp-3", "cnn", "cnn-2"],
    )
    def test_ple_has_one_level_per_stage_by_default(self, images, params, n_levels):
        X, Y = images
        X = X if "trunk" in params else X.reshape(len(X), -1)
        clf = MultiTaskNetClassifier(
            architecture="ple", **{**TINY, "max_epochs": 1, **params}
        ).fit(X, Y)
        assert len(clf.net_.module_.task_gates) == n_levels
        assert len(clf.net_.module_.shared_gates) == n_levels - 1

    def test_grid_search_over_expert_counts(self, tiny):
        X, Y = tiny
        search = GridSearchCV(
            MultiTaskNetClassifier(architecture=CGC(), **TINY),
            {"architecture__n_shared_experts": [1, 2]},
            cv=KFold(2, shuffle=True, random_state=0),
            scoring=mean_task_accuracy_scorer,
        ).fit(X, Y)
        best = search.best_estimator_
        n = search.best_params_["architecture__n_shared_experts"]
        assert len(best.net_.module_.shared_experts[0]) == n

    def test_alias_parameters_reach_the_module(self, tiny):
        X, Y = tiny
        clf = MultiTaskNetClassifier(
            architecture="ple",
            architecture__n_task_experts=2,
            architecture__n_shared_experts=3,
            **TINY,
        ).fit(X, Y)
        # 3 tasks x 2 + 3 experts of 6*8+8 + 8*8+8 = 128 parameters, gates
        # (Linear(6, 5) x 3 tasks, Linear(8, 5) x 3, shared Linear(6, 9)),
        # heads Linear(8, 1) for the tasks' 2, 2 and 2 classes (every task
        # binary: one sigmoid output each).
        expected = 9 * 128 + 3 * 35 + 3 * 45 + 63 + 3 * 9
        assert sum(p.numel() for p in clf.net_.module_.parameters()) == expected

    @pytest.mark.parametrize(
        "arch, params, match",
        [
            ("cgc", {"n_task_experts": -1}, "n_task_experts must be an int >= 0"),
            ("cgc", {"n_shared_experts": 0}, "n_shared_experts must be an int >= 1"),
            ("ple", {"n_shared_experts": True}, "n_shared_experts must be an int"),
            ("ple", {"n_levels": 0}, "n_levels must be None or an int >= 1; got 0"),
            ("ple", {"n_levels": 1.5}, "n_levels must be None or an int >= 1; got 1.5"),
            ("ple", {"n_levels": 3}, "n_levels=3 needs a trunk with at least 3"),
            ("cross_stitch", {"alpha_self": 0}, r"alpha_self must be a float in \(0"),
            ("cross_stitch", {"alpha_self": 1.5}, "alpha_self.*got 1.5"),
            ("cross_stitch", {"alpha_self": "x"}, "alpha_self.*got 'x'"),
        ],
    )
    def test_bad_values_name_the_parameter(self, tiny, arch, params, match):
        X, Y = tiny
        kwargs = {f"architecture__{k}": v for k, v in params.items()}
        clf = MultiTaskNetClassifier(architecture=arch, **kwargs, **TINY)
        with pytest.raises(ValueError, match=match):
            clf.fit(X, Y)

    @pytest.mark.parametrize("arch", SOFT)
    def test_trunk_without_layers_is_reported(self, tiny, arch):
        X, Y = tiny
        clf = MultiTaskNetClassifier(
            architecture=arch, **{**TINY, "hidden_layer_sizes": ()}
        )
        with pytest.raises(ValueError, match="at least one layer"):
            clf.fit(X, Y)

    def test_unknown_alias_and_parameter(self, tiny):
        X, Y = tiny
        with pytest.raises(ValueError, match="'cross_stitch', 'hps'"):
            MultiTaskNetClassifier(architecture="plex", **TINY).fit(X, Y)
        with pytest.raises(ValueError, match="Invalid parameter 'n_experts' for PLE"):
            MultiTaskNetClassifier(
                architecture="ple", architecture__n_experts=2, **TINY
            ).fit(X, Y)

    def test_user_trunk_is_one_stage(self, tiny):
        X, Y = tiny

        class Trunk(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.layer = torch.nn.Linear(6, 4)

            def forward(self, X):
                return torch.relu(self.layer(X))

        clf = MultiTaskNetClassifier(
            trunk=Trunk, architecture="cross_stitch", **TINY
        ).fit(X, Y)
        assert len(clf.net_.module_.stitches) == 1
        assert (
            MultiTaskNetClassifier(trunk=Trunk, architecture="cgc", **TINY)
            .fit(X, Y)
            .predict(X)
            .shape
            == Y.shape
        )
        ple = MultiTaskNetClassifier(trunk=Trunk, architecture="ple", **TINY)
        assert len(ple.fit(X, Y).net_.module_.task_gates) == 1
        with pytest.raises(ValueError, match="n_levels=2 needs a trunk"):
            ple.set_params(architecture__n_levels=2).fit(X, Y)
