"""``ensemble_size`` (TabM-mini members in the trunk) and ``linear_path``."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.io import load, save, to_onnx
from sklmtl.nn import (
    EnsembleSharing,
    HardParameterSharing,
    MemberLogits,
    MLPTrunk,
    MultiTaskObjective,
    pool_members,
)
from sklmtl.nn.losses import pack_targets
from sklmtl.weighting import EqualWeighting

TINY = dict(hidden_layer_sizes=(8,), max_epochs=2, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4)).astype(np.float32)
    Y = np.c_[(X[:, 0] > 0).astype(int), np.digitize(X[:, 1], [-0.5, 0.5])]
    Y_binary = (X[:, :3] > 0).astype(int)
    Y_reg = X[:, :2] @ np.array([[1.0, 2.0], [0.5, -1.0]])
    return X, Y, Y_binary, Y_reg


def _members(estimator, X):
    """Every member's output, one row block per member (training-mode forward)."""
    module = estimator.net_.module_
    module.train()
    try:
        with torch.no_grad():
            return module(torch.as_tensor(X))
    finally:
        module.eval()


# ------------------------------------------------------------------ defaults
def test_defaults_keep_the_plain_network(data):
    X, Y, _, _ = data
    plain = MultiTaskNetClassifier(**TINY).fit(X, Y)
    explicit = MultiTaskNetClassifier(**TINY, ensemble_size=1, linear_path=False)
    explicit.fit(X, Y)
    assert type(plain.net_.module_) is HardParameterSharing
    for a, b in zip(plain.predict_proba(X), explicit.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ pooling
@pytest.mark.parametrize("seed", range(5))
def test_pooled_logits_activate_to_the_members_mean(seed):
    gen = torch.Generator().manual_seed(seed)
    k, batch = 3, 5
    flat = 4 * torch.randn(k * batch, 3 + 1 + 1 + 2, generator=gen, dtype=torch.float64)
    sizes, activations = (3, 1, 1, 2), ["softmax", "sigmoid", "identity", "identity"]
    pooled = pool_members(flat, k, sizes, activations)
    members = flat.unflatten(0, (k, batch))
    torch.testing.assert_close(
        torch.softmax(pooled[:, :3], 1), torch.softmax(members[..., :3], 2).mean(0)
    )
    torch.testing.assert_close(
        torch.sigmoid(2 * pooled[:, 3]), torch.sigmoid(2 * members[..., 3]).mean(0)
    )
    torch.testing.assert_close(pooled[:, 4], members[..., 4].mean(0))
    # A Gaussian output: the members' equally weighted mixture.
    means = members[..., 5]
    variances = torch.nn.functional.softplus(members[..., 6]) + 1e-6
    torch.testing.assert_close(pooled[:, 5], means.mean(0))
    mixture = variances.mean(0) + means.var(0, unbiased=False)
    torch.testing.assert_close(
        torch.nn.functional.softplus(pooled[:, 6]) + 1e-6, mixture
    )


def test_all_binary_pooling_is_the_mean_probability():
    flat = torch.tensor([[10.0, -3.0], [-10.0, 0.0]], dtype=torch.float64)
    pooled = pool_members(flat, 2, (1, 1), ["sigmoid", "sigmoid"])
    expected = torch.sigmoid(2 * flat).mean(0, keepdim=True)
    torch.testing.assert_close(torch.sigmoid(2 * pooled), expected)


@pytest.mark.parametrize("weighted", [False, True])
def test_training_loss_is_the_mean_of_the_members_losses(weighted):
    torch.manual_seed(0)
    k, batch = 3, 6
    codes = torch.tensor([[0, 2], [1, -1], [1, 0], [0, 1], [-1, 2], [1, 1]])
    weights = torch.rand(batch, 2, dtype=torch.float64) if weighted else None
    targets = pack_targets(codes, weights)
    flat = torch.randn(k * batch, 2 + 3)
    objective = MultiTaskObjective(EqualWeighting().setup(["a", "b"]))
    logits = MemberLogits(flat, (2, 3), None, k, ["softmax", "softmax"])
    losses, counts = objective.task_losses(logits, targets)
    per_member = [
        objective.task_losses(
            MemberLogits(part, (2, 3), None, 1, ["softmax"] * 2), targets
        )
        for part in flat.unflatten(0, (k, batch))
    ]
    torch.testing.assert_close(losses, torch.stack([m[0] for m in per_member]).mean(0))
    torch.testing.assert_close(counts, per_member[0][1])


# ------------------------------------------------------------------ estimators
def test_predict_proba_averages_the_members_probabilities(data):
    X, Y, _, _ = data
    clf = MultiTaskNetClassifier(**TINY, ensemble_size=3).fit(X, Y)
    members = _members(clf, X)
    assert isinstance(members, MemberLogits) and members.n_members == 3
    for t, proba in enumerate(clf.predict_proba(X)):
        by_member = torch.softmax(members[t].double().unflatten(0, (3, -1)), dim=2)
        np.testing.assert_allclose(proba, by_member.mean(0).numpy(), atol=1e-6)
        # The members differ: the average is not any one member's.
        assert not torch.allclose(by_member[0], by_member[1], atol=1e-4)


def test_members_start_different_and_reproducibly(data):
    X, Y, _, _ = data
    a = MultiTaskNetClassifier(**TINY, ensemble_size=4).fit(X, Y)
    b = MultiTaskNetClassifier(**TINY, ensemble_size=4).fit(X, Y)
    scaling = a.net_.module_.member_scaling.detach()
    assert len({tuple(row.sign().tolist()) for row in scaling}) > 1
    for p, q in zip(a.predict_proba(X), b.predict_proba(X)):
        np.testing.assert_array_equal(p, q)


def test_binary_path_averages_the_members(data):
    X, _, Y_binary, _ = data
    clf = MultiTaskNetClassifier(**TINY, ensemble_size=3).fit(X, Y_binary)
    positive = clf.predict_positive_proba(X)
    members = _members(clf, X).flat.unflatten(0, (3, -1))
    expected = torch.sigmoid(2 * members.double()).mean(0).numpy()
    np.testing.assert_allclose(positive, expected, atol=1e-6)
    pairs = clf.predict_proba(X)
    np.testing.assert_allclose(
        np.stack([p[:, 1] for p in pairs], 1), positive, atol=1e-6
    )


def test_regressor_averages_the_members_outputs(data):
    X, _, _, Y_reg = data
    reg = MultiTaskNetRegressor(**TINY, ensemble_size=3, linear_path=True)
    reg.fit(X, Y_reg)
    members = _members(reg, X).flat.double().unflatten(0, (3, -1)).mean(0)
    expected = np.column_stack(
        [task.to_units(members[:, t].numpy()) for t, task in enumerate(reg._tasks)]
    )
    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-5, atol=1e-5)


def test_missing_labels_sample_weights_and_early_stopping(data):
    X, Y, _, _ = data
    Y = Y.astype(float)
    Y[::4, 0] = np.nan
    clf = MultiTaskNetClassifier(
        **TINY, ensemble_size=2, linear_path=True, early_stopping=True
    )
    clf.fit(X, Y, sample_weight=np.linspace(0.5, 2, len(X)))
    assert np.isfinite(clf.history_[-1, "valid_loss"])
    assert [p.shape for p in clf.predict_proba(X)] == [(40, 2), (40, 3)]


def test_mixed_tasks_and_tables_with_categories(data):
    X, Y, _, Y_reg = data
    mixed = np.c_[Y[:, 1], Y_reg[:, 0]].astype(object)
    net = MultiTaskNet(**TINY, ensemble_size=2, linear_path=True).fit(X, mixed)
    assert net.predict(X).shape == (40, 2)
    frame = pd.DataFrame(
        {"x": X[:, 0], "c": pd.Categorical(np.where(X[:, 1] > 0, "a", "b"))}
    )
    clf = MultiTaskNetClassifier(**TINY, ensemble_size=2, linear_path=True)
    clf.fit(frame, Y)
    module = clf.net_.module_
    assert module.linear_weight.shape[1] == module.trunk.inputs.out_features
    assert [p.shape for p in clf.predict_proba(frame)] == [(40, 2), (40, 3)]


# ------------------------------------------------------------------ linear path
def test_linear_path_is_a_linear_model_of_the_encoded_row():
    torch.manual_seed(0)
    net = EnsembleSharing(
        MLPTrunk(4, (8,)), 4, (2, 1), ["softmax", "identity"], linear_path=True
    )
    # It starts at zero: the network starts as the one without it.
    assert not net.linear_weight.any()
    with torch.no_grad():
        net.linear_weight.normal_()
        net.heads.weight.zero_()
    X = torch.randn(5, 4)
    expected = X @ net.linear_weight.T + net.heads.bias
    torch.testing.assert_close(net.eval()(X).flat, expected)


def test_linear_path_trains(data):
    X, Y, _, _ = data
    clf = MultiTaskNetClassifier(**TINY, linear_path=True).fit(X, Y)
    assert clf.net_.module_.linear_weight.abs().sum() > 0


# ------------------------------------------------------------------ io
@pytest.mark.parametrize("params", [{"ensemble_size": 3}, {"linear_path": True}])
def test_save_load_round_trip(data, tmp_path, params):
    X, Y, _, _ = data
    clf = MultiTaskNetClassifier(**TINY, **params).fit(X, Y)
    save(clf, tmp_path / "model.safetensors")
    loaded = load(tmp_path / "model.safetensors")
    assert loaded.get_params()["ensemble_size"] == clf.ensemble_size
    for a, b in zip(clf.predict_proba(X), loaded.predict_proba(X)):
        np.testing.assert_array_equal(a, b)


def test_onnx_matches_predictions(data, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    X, Y, _, Y_reg = data
    clf = MultiTaskNetClassifier(**TINY, ensemble_size=3, linear_path=True).fit(X, Y)
    reg = MultiTaskNetRegressor(**TINY, ensemble_size=3, loss="gaussian_nll")
    reg.fit(X, Y_reg)
    for estimator in (clf, reg):
        to_onnx(estimator, tmp_path / "m.onnx")
        session = ort.InferenceSession(str(tmp_path / "m.onnx"))
        outputs = session.run(None, {session.get_inputs()[0].name: X})
        if estimator is clf:
            for out, proba in zip(outputs, clf.predict_proba(X)):
                np.testing.assert_allclose(out, proba, atol=1e-6)
        else:
            mean, std = reg.predict(X, return_std=True)
            # float32 rounding: absolute near 0 (a weight-decayed net predicts near 0).
            np.testing.assert_allclose(
                np.column_stack(outputs[:2]), mean, rtol=1e-5, atol=1e-6
            )
            np.testing.assert_allclose(np.column_stack(outputs[2:]), std, rtol=1e-4)


# ------------------------------------------------------------------ sklearn
def test_get_params_clone_and_grid_search(data):
    X, Y, _, _ = data
    clf = MultiTaskNetClassifier(**TINY, ensemble_size=2, linear_path=True)
    params = clone(clf).get_params()
    assert params["ensemble_size"] == 2 and params["linear_path"] is True
    search = GridSearchCV(
        MultiTaskNetClassifier(**TINY),
        {"ensemble_size": [1, 2], "linear_path": [False, True]},
        cv=KFold(2),
    ).fit(X, Y)
    assert len(search.cv_results_["params"]) == 4


@pytest.mark.parametrize(
    ("params", "error", "named"),
    [
        ({"ensemble_size": 0}, ValueError, "'ensemble_size'"),
        ({"ensemble_size": 2.5}, TypeError, "'ensemble_size'"),
        ({"ensemble_size": True}, TypeError, "'ensemble_size'"),
        ({"ensemble_size": "4"}, TypeError, "'ensemble_size'"),
        ({"linear_path": "yes"}, TypeError, "'linear_path'"),
        ({"ensemble_size": 2, "architecture": "mmoe"}, ValueError, "ensemble_size=2"),
        ({"linear_path": True, "architecture": "cgc"}, ValueError, "linear_path"),
        (
            {"ensemble_size": 2, "trunk": "cnn", "image_shape": (1, 2, 2)},
            ValueError,
            "trunk='mlp'",
        ),
    ],
)
def test_bad_values_are_refused_by_name(data, params, error, named):
    X, Y, _, _ = data
    with pytest.raises(error, match=named):
        MultiTaskNetClassifier(**TINY, **params).fit(X, Y)


def test_continued_fit_keeps_the_members(data):
    X, Y, _, _ = data
    clf = MultiTaskNetClassifier(**TINY, ensemble_size=2).fit(X, Y)
    clf.partial_fit(X, Y)
    assert clf.net_.module_.n_members == 2
    with pytest.raises(ValueError, match="ensemble_size"):
        clf.set_params(ensemble_size=3, warm_start=True).fit(X, Y)


@pytest.mark.parametrize("n_members", [0, 1.5, True])
def test_module_refuses_a_bad_member_count(n_members):
    with pytest.raises(ValueError, match="n_members"):
        EnsembleSharing(MLPTrunk(3, (4,)), 3, (2,), ["softmax"], n_members=n_members)
