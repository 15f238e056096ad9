"""Fine-tuning in parameters: parameter groups, a frozen trunk, LR schedules,
mixed precision, memory format and ``device`` as a ``torch.device``.

Each option is checked for what it promises (which parameters move, which
learning rate each batch used), for determinism with ``random_state``, and
through continued training and :mod:`sklmtl.io`.
"""

import math

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from skorch.callbacks import Callback
from torch import nn

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.io import load, save

CNN = dict(trunk="cnn", batch_size=16, random_state=0, early_stopping=False, tol=None)


@pytest.fixture(scope="module")
def images():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 1, 16, 16)).astype(np.float32)
    mean = X.mean(axis=(1, 2, 3))
    Y = np.stack([mean > 0, np.digitize(X[:, 0, 0, 0], [-0.5, 0.5])], axis=1)
    return X, Y.astype(int)


class BatchNormTrunk(nn.Module):
    """A tiny conv trunk with BatchNorm (as a pretrained backbone has)."""

    def __init__(self, channels=4):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, channels, 3),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )

    def forward(self, X):
        return self.layers(X)


class LearningRates(Callback):
    """Record every parameter group's lr at the start of each training batch."""

    def initialize(self):
        self.rates = []
        return self

    def on_batch_begin(self, net, training=False, **kwargs):
        if training:
            self.rates.append([g["lr"] for g in net.optimizer_.param_groups])


def _trunk_and_heads(clf):
    named = dict(clf.net_.module_.named_parameters())
    trunk = {k: v.detach().clone() for k, v in named.items() if k.startswith("trunk.")}
    heads = {k: v.detach().clone() for k, v in named.items() if k.startswith("heads")}
    return trunk, heads


def _rates(clf):
    return dict(clf.net_.callbacks_)["rates"].rates


# ----------------------------------------------------------- parameter groups
class TestParamGroups:
    def test_trunk_gets_its_own_learning_rate(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(
            **CNN,
            max_epochs=1,
            lr=0.01,
            optimizer__param_groups=[("trunk.*", {"lr": 1e-3})],
            callbacks=[("rates", LearningRates())],
        ).fit(X, Y)
        groups = clf.net_.optimizer_.param_groups
        trunk = {id(p) for p in clf.net_.module_.trunk.parameters()}
        assert {id(p) for p in groups[0]["params"]} == trunk
        assert not trunk & {id(p) for p in groups[1]["params"]}
        assert _rates(clf)[0] == [1e-3, 0.01]

    def test_visible_to_get_params_and_clone(self):
        groups = [("trunk.*", {"lr": 1e-4})]
        clf = MultiTaskNetClassifier(optimizer__param_groups=groups)
        assert clone(clf).get_params()["optimizer__param_groups"] == groups

    def test_pattern_matching_nothing_is_refused(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(
            **CNN, max_epochs=1, optimizer__param_groups=[("backbone.*", {"lr": 1})]
        )
        with pytest.raises(ValueError, match=r"'backbone\.\*' matches no parameter"):
            clf.fit(X, Y)

    @pytest.mark.parametrize(
        "groups, match",
        [
            ({"trunk.*": {"lr": 1e-4}}, "list of \\(pattern, options\\) pairs"),
            ([("trunk.*", 1e-4)], "\\(pattern, options\\) pairs"),
            ([("trunk.*", {"momentum": 0.9})], "\\['momentum'\\].*not options of Adam"),
        ],
    )
    def test_malformed_groups_are_refused(self, images, groups, match):
        X, Y = images
        clf = MultiTaskNetClassifier(
            **CNN, max_epochs=1, optimizer__param_groups=groups
        )
        with pytest.raises(TypeError, match=match):
            clf.fit(X, Y)

    def test_warm_start_with_changed_groups_keeps_moments(self, images):
        # Before: "loaded state dict has a different number of parameter groups".
        X, Y = images
        clf = MultiTaskNetClassifier(**CNN, max_epochs=1).fit(X, Y)
        clf.set_params(
            warm_start=True, optimizer__param_groups=[("trunk.*", {"lr": 1e-4})]
        )
        clf.fit(X, Y)
        optimizer = clf.net_.optimizer_
        steps = [
            float(optimizer.state[p]["step"]) for p in clf.net_.module_.parameters()
        ]
        # Three batches a fit: the moments of the first fit carried over.
        assert steps == [6.0] * len(steps)
        assert optimizer.param_groups[0]["lr"] == 1e-4

    def test_save_load_and_continue(self, images, tmp_path):
        X, Y = images
        groups = [("trunk.*", {"lr": 1e-4}), ("heads.*", {"lr": 0.01})]
        clf = MultiTaskNetClassifier(
            **CNN, max_epochs=1, optimizer__param_groups=groups
        ).fit(X, Y)
        save(clf, tmp_path / "m.safetensors")
        loaded = load(tmp_path / "m.safetensors")
        assert loaded.get_params()["optimizer__param_groups"] == groups
        np.testing.assert_array_equal(
            loaded.predict_proba(X)[1], clf.predict_proba(X)[1]
        )
        clf.partial_fit(X, Y)
        loaded.partial_fit(X, Y)
        np.testing.assert_array_equal(
            loaded.predict_proba(X)[1], clf.predict_proba(X)[1]
        )


# --------------------------------------------------------------- frozen trunk
class TestFreezeTrunk:
    def _clf(self, **params):
        return MultiTaskNetClassifier(
            **{**CNN, "trunk": BatchNormTrunk, "max_epochs": 2, **params}
        )

    def test_frozen_trunk_does_not_move_and_has_no_moments(self, images):
        X, Y = images
        backbone = BatchNormTrunk()  # copied by the estimator: the start
        clf = self._clf(trunk=backbone, freeze_trunk_epochs=2).fit(X, Y)
        trained = clf.net_.module_.trunk.module.state_dict()
        for name, value in backbone.state_dict().items():
            # Weights and BatchNorm's running statistics alike.
            torch.testing.assert_close(trained[name], value, rtol=0, atol=0)
        state = clf.net_.optimizer_.state
        assert all(p not in state for p in clf.net_.module_.trunk.parameters())
        heads = list(clf.net_.module_.heads.parameters())
        assert all(float(state[p]["step"]) == 6 for p in heads)
        # Unfrozen once training ends.
        assert all(p.requires_grad for p in clf.net_.module_.parameters())

    def test_trunk_trains_after_the_frozen_epochs(self, images):
        X, Y = images
        one = self._clf(freeze_trunk_epochs=1, max_epochs=1).fit(X, Y)
        two = self._clf(freeze_trunk_epochs=1, max_epochs=2).fit(X, Y)
        trunk_one, _ = _trunk_and_heads(one)
        trunk_two, _ = _trunk_and_heads(two)
        assert any(not torch.equal(v, trunk_one[k]) for k, v in trunk_two.items())
        # BatchNorm counted the batches of the second epoch only.
        assert int(two.net_.module_.trunk.module.layers[1].num_batches_tracked) == 3
        state = two.net_.optimizer_.state
        assert all(
            float(state[p]["step"]) == 3 for p in two.net_.module_.trunk.parameters()
        )

    @pytest.mark.parametrize("how", ["warm_start", "partial_fit", "io"])
    def test_continued_fit_counts_epochs_from_the_first_fit(
        self, images, how, tmp_path
    ):
        X, Y = images
        whole = self._clf(trunk="cnn", freeze_trunk_epochs=2, max_epochs=3).fit(X, Y)
        part = self._clf(trunk="cnn", freeze_trunk_epochs=2, max_epochs=1).fit(X, Y)
        if how == "io":
            save(part, tmp_path / "m.safetensors")
            part = load(tmp_path / "m.safetensors")
        if how == "warm_start":
            part.set_params(warm_start=True, max_epochs=2).fit(X, Y)
        else:
            part.partial_fit(X, Y).partial_fit(X, Y)
        np.testing.assert_array_equal(
            part.predict_proba(X)[1], whole.predict_proba(X)[1]
        )

    def test_gradient_weighting_is_refused(self, images):
        X, Y = images
        clf = self._clf(freeze_trunk_epochs=1, task_weighting="gradnorm")
        with pytest.raises(ValueError, match="freeze_trunk_epochs=1 needs a loss"):
            clf.fit(X, Y)


# ----------------------------------------------------------------- LR schedule
def _expected(kind, step, warmup, total):
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / (total - warmup)
    return {"cosine": 0.5 * (1 + math.cos(math.pi * progress)), "linear": 1 - progress}[
        kind
    ]


class TestSchedule:
    @pytest.mark.parametrize("kind", ["cosine", "linear"])
    def test_every_batch_follows_the_schedule_in_every_group(self, images, kind):
        X, Y = images
        clf = MultiTaskNetClassifier(
            **CNN,
            max_epochs=4,
            lr=0.01,
            lr_schedule=kind,
            warmup_epochs=1,
            optimizer__param_groups=[("trunk.*", {"lr": 0.001})],
            callbacks=[("rates", LearningRates())],
        ).fit(X, Y)
        rates = np.array(_rates(clf))
        factors = [_expected(kind, s, 3, 12) for s in range(12)]
        np.testing.assert_allclose(rates[:, 1], 0.01 * np.array(factors))
        np.testing.assert_allclose(rates[:, 0], 0.001 * np.array(factors))

    def test_warmup_without_schedule_rises_to_lr(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(
            **CNN,
            max_epochs=2,
            lr=0.01,
            warmup_epochs=0.5,
            callbacks=[("rates", LearningRates())],
        ).fit(X, Y)
        # 3 batches an epoch: a warm-up of round(1.5) = 2 batches.
        np.testing.assert_allclose(
            np.array(_rates(clf))[:, 0], [0.005, 0.01, 0.01, 0.01, 0.01, 0.01]
        )

    def test_onecycle_peaks_at_lr(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(
            **CNN,
            max_epochs=4,
            lr=0.01,
            lr_schedule="onecycle",
            warmup_epochs=1,
            callbacks=[("rates", LearningRates())],
        ).fit(X, Y)
        rates = np.array(_rates(clf))[:, 0]
        assert rates[0] == pytest.approx(0.01 / 25)
        assert rates.max() == pytest.approx(0.01)
        assert np.argmax(rates) == 2  # the last of the 3 warm-up batches

    @pytest.mark.parametrize("via_file", [False, True])
    def test_partial_fit_resumes_the_schedule(self, images, via_file, tmp_path):
        X, Y = images
        params = dict(
            **CNN,
            max_epochs=3,
            lr=0.01,
            lr_schedule="cosine",
            warmup_epochs=1,
            callbacks=[("rates", LearningRates())],
            # "auto" decays below 500 rows in fit, never in partial_fit (its
            # first batch says nothing of the data's size): fix it to compare.
            weight_decay=0,
        )
        whole = MultiTaskNetClassifier(**params).fit(X, Y)
        part = MultiTaskNetClassifier(**params).partial_fit(X, Y)
        rates = list(_rates(part))
        for _ in range(2):
            if via_file:
                part.set_params(callbacks=None)
                save(part, tmp_path / "m.safetensors")
                part = load(tmp_path / "m.safetensors")
                part.set_params(callbacks=[("rates", LearningRates())])
            part.partial_fit(X, Y)
            rates += _rates(part)
        np.testing.assert_allclose(rates, _rates(whole))
        np.testing.assert_array_equal(
            part.predict_proba(X)[1], whole.predict_proba(X)[1]
        )

    def test_warm_start_restarts_the_schedule(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(
            **CNN,
            max_epochs=2,
            lr=0.01,
            lr_schedule="linear",
            warmup_epochs=1,
            callbacks=[("rates", LearningRates())],
        ).fit(X, Y)
        first = _rates(clf)
        clf.set_params(warm_start=True, lr=0.02).fit(X, Y)
        np.testing.assert_allclose(_rates(clf), 2 * np.array(first))

    def test_searchable(self, images):
        X, Y = images
        search = GridSearchCV(
            MultiTaskNetClassifier(**CNN, max_epochs=1),
            {"lr_schedule": [None, "cosine"], "warmup_epochs": [0, 0.5]},
            cv=KFold(2),
        ).fit(X, Y)
        assert len(search.cv_results_["params"]) == 4

    def test_unknown_schedule_is_refused(self, images):
        X, Y = images
        with pytest.raises(ValueError, match="lr_schedule"):
            MultiTaskNetClassifier(**CNN, lr_schedule="step").fit(X, Y)


# ------------------------------------------- mixed precision and memory format
class TestPrecision:
    @pytest.mark.parametrize("precision", ["bf16", "fp16"])
    def test_trains_and_predicts_float32(self, images, precision):
        X, Y = images
        reference = MultiTaskNetClassifier(**CNN, max_epochs=3, lr=0.01).fit(X, Y)
        clf = MultiTaskNetClassifier(
            **CNN, max_epochs=3, lr=0.01, precision=precision
        ).fit(X, Y)
        assert all(p.dtype == torch.float32 for p in clf.net_.module_.parameters())
        proba = clf.predict_proba(X)
        assert proba[1].dtype == np.float64
        np.testing.assert_allclose(proba[1].sum(axis=1), 1.0)
        # Half precision rounds, never changes what is learned.
        np.testing.assert_allclose(proba[1], reference.predict_proba(X)[1], atol=0.05)
        assert np.isfinite(clf.history_[:, "train_loss"]).all()

    def test_outputs_are_computed_under_autocast(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(**CNN, max_epochs=1, precision="bf16").fit(X, Y)
        with clf.net_.autocast():
            out = clf.net_.module_(torch.from_numpy(X[:2]))
        assert out[0].dtype == torch.bfloat16
        assert clf.net_.infer(torch.from_numpy(X[:2]))[0].dtype == torch.float32

    def test_fp16_scaler_state_is_saved(self, images, tmp_path):
        X, Y = images
        clf = MultiTaskNetClassifier(**CNN, max_epochs=1, precision="fp16").fit(X, Y)
        save(clf, tmp_path / "m.safetensors")
        loaded = load(tmp_path / "m.safetensors")
        assert (
            loaded.net_.grad_scaler_.state_dict() == clf.net_.grad_scaler_.state_dict()
        )
        clf.partial_fit(X, Y)
        loaded.partial_fit(X, Y)
        np.testing.assert_array_equal(
            loaded.predict_proba(X)[1], clf.predict_proba(X)[1]
        )

    def test_fp16_with_gradient_weighting_is_refused(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(
            **CNN, max_epochs=1, precision="fp16", task_weighting="gradnorm"
        )
        with pytest.raises(ValueError, match="precision='fp16' needs a loss weighting"):
            clf.fit(X, Y)

    def test_float64_is_refused(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(**CNN, precision="bf16", dtype="float64")
        with pytest.raises(ValueError, match="dtype='float64' is not float32"):
            clf.fit(X, Y)

    def test_unknown_precision_is_refused(self, images):
        X, Y = images
        with pytest.raises(ValueError, match="precision"):
            MultiTaskNetClassifier(**CNN, precision="16").fit(X, Y)

    def test_regressor_predicts_in_float32(self, images):
        X, Y = images
        reg = MultiTaskNetRegressor(**CNN, max_epochs=2, precision="bf16")
        pred = reg.fit(X, Y.astype(float)).predict(X)
        assert pred.dtype == np.float64 and np.isfinite(pred).all()


def test_accelerate_estimator_refuses_precision():
    pytest.importorskip("accelerate")
    from sklmtl.distributed import AcceleratedMultiTaskNetClassifier

    clf = AcceleratedMultiTaskNetClassifier(precision="bf16", max_epochs=1)
    with pytest.raises(ValueError, match="Accelerator\\(mixed_precision="):
        clf.fit([[0.0], [1.0]], [0, 1])


class TestChannelsLast:
    def test_same_predictions_in_channels_last(self, images):
        X, Y = images
        plain = MultiTaskNetClassifier(**CNN, max_epochs=2).fit(X, Y)
        clf = MultiTaskNetClassifier(**CNN, max_epochs=2, channels_last=True).fit(X, Y)
        conv = clf.net_.module_.trunk.layers[0].weight
        assert conv.is_contiguous(memory_format=torch.channels_last)
        np.testing.assert_allclose(
            clf.predict_proba(X)[1], plain.predict_proba(X)[1], atol=1e-5
        )


# ------------------------------------------------------------------- device
def test_device_accepts_torch_device(images, tmp_path):
    X, Y = images
    clf = MultiTaskNetClassifier(**CNN, max_epochs=1, device=torch.device("cpu"))
    clf.fit(X, Y)
    assert clone(clf).device == torch.device("cpu")
    save(clf, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    assert loaded.device == torch.device("cpu")
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


# --------------------------------------------------------------- determinism
@pytest.mark.parametrize(
    "option",
    [
        dict(optimizer__param_groups=[("trunk.*", {"lr": 1e-4})]),
        dict(freeze_trunk_epochs=1),
        dict(lr_schedule="cosine", warmup_epochs=0.5),
        dict(lr_schedule="onecycle"),
        dict(precision="bf16"),
        dict(precision="fp16"),
        dict(channels_last=True),
    ],
    ids=lambda o: "-".join(map(str, o.values()))[:30],
)
def test_random_state_gives_identical_fits(images, option):
    X, Y = images
    first = MultiTaskNetClassifier(**CNN, max_epochs=2, **option).fit(X, Y)
    torch.manual_seed(123)  # the caller's RNG must not matter
    second = MultiTaskNetClassifier(**CNN, max_epochs=2, **option).fit(X, Y)
    np.testing.assert_array_equal(first.predict_proba(X)[1], second.predict_proba(X)[1])


# ---------------------------------------------------- a torchvision backbone
@pytest.mark.vision
def test_torchvision_backbone_fine_tunes(images):
    torchvision = pytest.importorskip("torchvision")
    X, Y = images
    X = np.repeat(X, 3, axis=1)
    backbone = torchvision.models.resnet18(weights=None)
    backbone.fc = nn.Identity()
    clf = MultiTaskNetClassifier(
        trunk=backbone,
        batch_size=20,
        max_epochs=2,
        random_state=0,
        freeze_trunk_epochs=1,
        optimizer__param_groups=[("trunk.*", {"lr": 1e-4})],
        lr_schedule="cosine",
        warmup_epochs=0.5,
        precision="bf16",
        channels_last=True,
    ).fit(X, Y)
    bn = clf.net_.module_.trunk.module.bn1
    # Epoch 1 frozen (statistics kept), epoch 2 trained (statistics moved).
    assert int(bn.num_batches_tracked) == 2
    assert np.isfinite(clf.predict_proba(X)[1]).all()
