"""All heads in one module (TaskHeads), and the binary-label (sigmoid) path."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from sklmtl import MultiTaskNetClassifier
from sklmtl._indicator import indicator_codes
from sklmtl._target_columns import split_target_columns
from sklmtl._targets import encode_column
from sklmtl.io import load, save, to_onnx
from sklmtl.nn import (
    BINARY_LOGIT_SCALE,
    HardParameterSharing,
    MaskedMultiTaskCrossEntropy,
    MLPTrunk,
    MultiGateMixtureOfExperts,
    TaskHead,
    TaskHeads,
    TaskLogits,
    task_probabilities,
)
from sklmtl.nn.heads import flat_logits
from sklmtl.weighting import ALIASES

from .conftest import FAST

pytestmark = pytest.mark.filterwarnings(
    "ignore:You are solving a parameterized problem that is not DPP"
)


def _indicator(n_samples=120, n_labels=5, missing=0.0, seed=0):
    """X and a 0/1 label matrix learnable from X (optionally with NaN cells)."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 6)).astype(np.float32)
    W = rng.normal(size=(6, n_labels))
    Y = (X @ W > 0).astype(np.int64)
    if missing:
        Y = Y.astype(float)
        Y[rng.rand(*Y.shape) < missing] = np.nan
    return X, Y


# ------------------------------------------------------------------ module
@pytest.mark.parametrize("hidden", [None, 7])
@pytest.mark.parametrize("sizes", [(2, 3, 1), (4, 4), (1,)])
class TestTaskHeads:
    def test_each_task_matches_its_standalone_head(self, hidden, sizes):
        heads = TaskHeads(5, sizes, hidden_size=hidden)
        x = torch.randn(9, 5)
        logits = heads(x)
        assert isinstance(logits, TaskLogits) and len(logits) == len(sizes)
        assert logits.flat.shape == (9, sum(sizes))
        for t, size in enumerate(sizes):
            assert logits[t].shape == (9, size)
            torch.testing.assert_close(heads.task_head(t)(x), logits[t])

    def test_per_task_features_as_tensor_or_sequence(self, hidden, sizes):
        heads = TaskHeads(5, sizes, hidden_size=hidden)
        feats = [torch.randn(6, 5) for _ in sizes]
        stacked = heads(torch.stack(feats))
        listed = heads(feats)
        torch.testing.assert_close(stacked.flat, listed.flat)
        for t, x in enumerate(feats):
            torch.testing.assert_close(stacked[t], heads(x)[t])

    def test_a_task_loss_reaches_only_its_own_parameters(self, hidden, sizes):
        heads = TaskHeads(5, sizes, hidden_size=hidden)
        t = len(sizes) - 1
        heads(torch.randn(4, 5))[t].pow(2).sum().backward()
        for name, grad in [("weight", heads.weight.grad), ("bias", heads.bias.grad)]:
            others = torch.ones(len(grad), dtype=torch.bool)
            others[heads.offsets[t] : heads.offsets[t + 1]] = False
            assert not grad[others].any(), name
            assert grad[~others].any(), name
        if hidden:
            assert not heads.hidden_weight.grad[:t].any()
            assert heads.hidden_weight.grad[t].any()

    def test_init_like_nn_linear(self, hidden, sizes):
        heads = TaskHeads(5, sizes, hidden_size=hidden)
        width = hidden or 5
        assert heads.weight.abs().max() <= 1 / np.sqrt(width)
        assert heads.weight.unique().numel() == heads.weight.numel()
        if hidden:
            assert heads.hidden_weight.abs().max() <= 1 / np.sqrt(5)


class TestTaskHeadsApi:
    @pytest.mark.parametrize("hidden", [None, 4])
    def test_one_seed_gives_the_per_task_heads_starting_weights(self, hidden):
        torch.manual_seed(3)
        heads = TaskHeads(5, (2, 3, 1), hidden_size=hidden)
        torch.manual_seed(3)
        singles = [TaskHead(5, k, hidden) for k in (2, 3, 1)]
        for t, single in enumerate(singles):
            for got, want in zip(
                heads.task_head(t).parameters(), single.parameters(), strict=True
            ):
                torch.testing.assert_close(got, want, rtol=0, atol=0)

    def test_task_parameters_are_views(self):
        heads = TaskHeads(3, (2, 1), hidden_size=4)
        params = heads.task_parameters(1)
        assert params["weight"].shape == (1, 4)
        assert params["hidden_weight"].shape == (4, 3)
        x = torch.randn(2, 3)
        before = heads(x)
        with torch.no_grad():
            params["bias"].add_(5.0)
        after = heads(x)
        torch.testing.assert_close(after[1], before[1] + 5.0)
        torch.testing.assert_close(after[0], before[0])

    def test_state_dict_holds_only_the_stacked_parameters(self):
        heads = TaskHeads(3, (2, 3), hidden_size=4)
        assert sorted(heads.state_dict()) == [
            "bias",
            "hidden_bias",
            "hidden_weight",
            "weight",
        ]
        assert len(list(heads.parameters())) == 4

    def test_parameter_count_does_not_grow_with_tasks(self):
        few = TaskHeads(8, [1] * 3, hidden_size=4)
        many = TaskHeads(8, [1] * 300, hidden_size=4)
        assert len(list(few.parameters())) == len(list(many.parameters())) == 4

    def test_bad_inputs_are_named(self):
        with pytest.raises(ValueError, match="at least one task"):
            TaskHeads(3, [])
        with pytest.raises(ValueError, match="widths >= 1"):
            TaskHeads(3, [2, 0])
        heads = TaskHeads(3, (2, 2))
        with pytest.raises(ValueError, match=r"n_tasks=2"):
            heads(torch.zeros(3, 4, 3))

    def test_task_logits_sequence(self):
        logits = TaskLogits(torch.arange(12.0).view(2, 6), (1, 2, 3))
        assert [t.shape[1] for t in logits] == [1, 2, 3]
        assert logits[-1].tolist() == [[3.0, 4.0, 5.0], [9.0, 10.0, 11.0]]
        assert len(logits[1:]) == 2
        with pytest.raises(IndexError):
            logits[3]
        plain = (torch.zeros(2, 1), torch.ones(2, 2))
        assert flat_logits(plain).shape == (2, 3)


class TestArchitecturesUseOneHeadsModule:
    def test_hps_heads_and_shared_parameters(self):
        module = HardParameterSharing(MLPTrunk(5, (8,)), n_classes=(2, 3, 4))
        assert isinstance(module.heads, TaskHeads)
        shared = {id(p) for p in module.shared_parameters()}
        assert shared == {id(p) for p in module.trunk.parameters()}
        assert not shared & {id(p) for p in module.heads.parameters()}

    @pytest.mark.parametrize("hidden", [None, 6])
    def test_mmoe_each_task_reads_its_own_mixture(self, hidden):
        experts = [MLPTrunk(5, (8,)) for _ in range(3)]
        module = MultiGateMixtureOfExperts(experts, 5, (2, 3), head_hidden_size=hidden)
        X = torch.randn(4, 5)
        features = module.encode(X)
        gates = torch.softmax(module.gates(X).view(4, 2, 3), dim=2)
        logits = module(X)
        for t in range(2):
            mixture = (gates[:, t, :, None] * features).sum(dim=1)
            torch.testing.assert_close(logits[t], module.heads.task_head(t)(mixture))
        assert len(module.shared_parameters()) == 6


# -------------------------------------------------------------------- loss
class TestBinaryLoss:
    def _cases(self):
        rng = torch.Generator().manual_seed(0)
        u = torch.randn(16, 3, generator=rng)
        codes = torch.randint(0, 2, (16, 3), generator=rng)
        codes[::3, 1] = -1
        weights = torch.rand(16, 3, generator=rng)
        return u, codes, weights

    @pytest.mark.parametrize("weighted", [False, True])
    @pytest.mark.parametrize("class_weighted", [False, True])
    def test_equals_two_class_cross_entropy(self, weighted, class_weighted):
        u, codes, weights = self._cases()
        class_weights = None
        if class_weighted:
            class_weights = [torch.tensor([1.0, 3.0]), None, torch.tensor([2.0, 0.5])]
        binary = MaskedMultiTaskCrossEntropy(class_weights, binary=True)
        softmax = MaskedMultiTaskCrossEntropy(class_weights)
        w = weights if weighted else None
        two = [
            torch.cat([torch.zeros(16, 1), BINARY_LOGIT_SCALE * u[:, t : t + 1]], 1)
            for t in range(3)
        ]
        got = binary.masked([u[:, t : t + 1] for t in range(3)], codes, w)
        want = softmax.masked(two, codes, w)
        torch.testing.assert_close(got, want)

    def test_missing_cells_add_nothing(self):
        u, codes, _ = self._cases()
        loss = MaskedMultiTaskCrossEntropy(binary=True)
        losses, counts = loss.masked(TaskLogits(u, (1, 1, 1)), codes)
        changed = u.clone()
        changed[codes == -1] = 100.0
        again, _ = loss.masked(TaskLogits(changed, (1, 1, 1)), codes)
        torch.testing.assert_close(losses, again)
        assert counts.tolist() == (codes >= 0).sum(0).float().tolist()

    def test_needs_one_logit_per_task(self):
        loss = MaskedMultiTaskCrossEntropy(binary=True)
        with pytest.raises(ValueError, match="one logit per task"):
            loss.masked((torch.zeros(2, 2),), torch.zeros(2, 1, dtype=torch.long))

    def test_probabilities_are_the_softmax_of_zero_and_z(self):
        u = torch.randn(5, 1)
        z = BINARY_LOGIT_SCALE * u
        want = torch.softmax(torch.cat([torch.zeros_like(z), z], 1), dim=1)
        torch.testing.assert_close(task_probabilities(u, binary=True), want)
        # A one-class task's single logit is a softmax of one: probability 1.
        assert task_probabilities(u, binary=False).eq(1).all()


# -------------------------------------------------------------- encoding
class TestIndicatorEncoding:
    @pytest.mark.parametrize(
        "Y",
        [
            np.array([[0, 1], [1, 0], [1, 1]]),
            np.array([[0, 1], [1, 0], [1, 1]], dtype=np.uint8),
            np.array([[False, True], [True, False], [True, True]]),
            np.array([[0.0, np.nan], [1.0, 0.0], [np.nan, 1.0], [1.0, 1.0]]),
        ],
    )
    def test_same_codes_and_classes_as_the_general_encoder(self, Y):
        columns, _, _ = split_target_columns(Y)
        codes, classes = indicator_codes(columns, Y=Y)
        for t, column in enumerate(columns):
            want_codes, want_classes = encode_column(column, f"task_{t}")
            np.testing.assert_array_equal(codes[:, t], want_codes)
            assert classes[t].dtype == want_classes.dtype
            np.testing.assert_array_equal(classes[t], want_classes)

    @pytest.mark.parametrize(
        "Y",
        [
            np.array([[0, 1], [2, 0], [1, 1]]),  # a third label
            np.array([[0, 1], [0, 0], [0, 1]]),  # one class only
            np.array([["a", "b"], ["b", "a"]]),  # not numbers
        ],
    )
    def test_anything_else_goes_to_the_general_encoder(self, Y):
        columns, _, _ = split_target_columns(Y)
        assert indicator_codes(columns, Y=Y) is None

    def test_missing_label_sentinel(self):
        Y = np.array([[0, -1], [1, 0], [-1, 1]])
        columns, _, _ = split_target_columns(Y)
        codes, classes = indicator_codes(columns, missing_label=-1, Y=Y)
        assert codes.tolist() == [[0, -1], [1, 0], [-1, 1]]
        assert [c.tolist() for c in classes] == [[0, 1], [0, 1]]


# --------------------------------------------------------------- estimator
class TestBinaryLabelEstimator:
    @pytest.mark.parametrize("kind", ["int", "bool", "float_missing"])
    def test_public_behaviour_of_an_indicator_y(self, kind):
        X, Y = _indicator(missing=0.2 if kind == "float_missing" else 0.0)
        if kind == "bool":
            Y = Y.astype(bool)
        Y_before = Y.copy()
        clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 30}).fit(X, Y)
        np.testing.assert_array_equal(Y, Y_before)  # input untouched
        assert clf.net_.module_.heads.sizes == (1,) * Y.shape[1]
        assert all(c.dtype == Y.dtype and len(c) == 2 for c in clf.classes_)
        proba = clf.predict_proba(X)
        assert isinstance(proba, list) and len(proba) == Y.shape[1]
        for p in proba:
            assert p.shape == (len(X), 2) and p.dtype == np.float64
            np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        positive = clf.predict_positive_proba(X)
        # The network's float32 sigmoid as it is: predict_proba's column 1
        # holds the same values, widened to float64.
        assert positive.shape == Y.shape and positive.dtype == np.float32
        np.testing.assert_array_equal(
            positive.astype(np.float64), np.column_stack([p[:, 1] for p in proba])
        )
        # predict_proba's arrays are views of one buffer (no copy per task).
        assert all(np.may_share_memory(p, proba[0]) for p in proba)
        pred = clf.predict(X)
        assert pred.dtype == Y.dtype
        np.testing.assert_array_equal(pred, np.where(positive > 0.5, 1, 0))
        labelled = ~np.isnan(Y.astype(float))
        accuracy = (pred == Y)[labelled].mean()
        assert accuracy > 0.85
        assert set(clf.history_[-1]) >= {f"train_acc_{n}" for n in clf.task_names_}
        assert clf.history_[-1, "train_acc"] > 0.85

    def test_string_pairs_use_the_binary_path_too(self):
        X, Y = _indicator(n_labels=2)
        Y = np.where(Y == 1, "yes", "no")
        clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
        assert clf.net_.module_.heads.sizes == (1, 1)
        assert [c.tolist() for c in clf.classes_] == [["no", "yes"]] * 2
        np.testing.assert_allclose(
            clf.predict_positive_proba(X)[:, 1], clf.predict_proba(X)[1][:, 1]
        )

    def test_a_multiclass_task_keeps_the_softmax_path(self):
        X, Y = _indicator(n_labels=2)
        Y[:, 1] += Y[:, 0]  # classes 0, 1, 2
        clf = MultiTaskNetClassifier(**FAST).fit(X, Y)
        assert clf.net_.module_.heads.sizes == (2, 3)
        with pytest.raises(ValueError, match=r"task\(s\) \['task_1'\] have \[3\]"):
            clf.predict_positive_proba(X)

    def test_one_dimensional_y(self):
        X, Y = _indicator(n_labels=1)
        clf = MultiTaskNetClassifier(**FAST).fit(X, Y[:, 0])
        assert clf.predict_positive_proba(X).shape == (len(X),)
        assert clf.predict_proba(X).shape == (len(X), 2)

    def test_unfitted(self):
        with pytest.raises(NotFittedError):
            MultiTaskNetClassifier().predict_positive_proba(np.zeros((1, 2)))

    def test_a_label_with_one_class_is_a_clear_error(self):
        X, Y = _indicator(n_labels=3)
        Y[:, 2] = 1
        with pytest.raises(ValueError, match="Task 'task_2' has one class only"):
            MultiTaskNetClassifier(**FAST).fit(X, Y)

    def test_same_random_state_same_predictions(self):
        X, Y = _indicator(missing=0.1)
        params = {**FAST, "max_epochs": 3, "head_hidden_size": 4}
        a = MultiTaskNetClassifier(**params).fit(X, Y).predict_positive_proba(X)
        b = MultiTaskNetClassifier(**params).fit(X, Y).predict_positive_proba(X)
        np.testing.assert_array_equal(a, b)

    def test_partial_fit_keeps_classes_and_checks_labels(self):
        X, Y = _indicator()
        clf = MultiTaskNetClassifier(**FAST).partial_fit(X[:60], Y[:60])
        only_zeros = np.zeros_like(Y[60:])  # known classes: no one-class error
        clf.partial_fit(X[60:], only_zeros)
        assert clf.n_iter_ == 2
        bad = Y[60:].copy()
        bad[0, 0] = 2
        with pytest.raises(ValueError, match="task_0"):
            clf.partial_fit(X[60:], bad)

    def test_sample_and_class_weights(self):
        X, Y = _indicator(missing=0.1)
        weights = np.random.RandomState(1).rand(*Y.shape)
        clf = MultiTaskNetClassifier(class_weight="balanced", **FAST)
        clf.fit(X, Y, sample_weight=weights)
        assert np.isfinite(clf.predict_positive_proba(X)).all()

    def test_save_load_and_onnx(self, tmp_path):
        ort = pytest.importorskip("onnxruntime")
        pytest.importorskip("onnxscript")
        X, Y = _indicator(missing=0.1)
        clf = MultiTaskNetClassifier(architecture="mmoe", head_hidden_size=4, **FAST)
        clf.fit(X, Y)
        save(clf, tmp_path / "m.safetensors")
        loaded = load(tmp_path / "m.safetensors")
        np.testing.assert_array_equal(
            loaded.predict_positive_proba(X), clf.predict_positive_proba(X)
        )
        to_onnx(clf, tmp_path / "m.onnx")
        outputs = ort.InferenceSession(str(tmp_path / "m.onnx")).run(None, {"X": X})
        for got, want in zip(outputs, clf.predict_proba(X)):
            np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("alias", sorted(ALIASES))
@pytest.mark.parametrize("path", ["binary", "softmax"])
def test_every_weighting_on_both_paths(alias, path):
    X, Y = _indicator(n_samples=48, n_labels=3, missing=0.1)
    if path == "softmax":
        three = np.digitize(X[:, 0], [-0.5, 0.5]).astype(float)
        Y[:, 0] = np.where(np.isnan(Y[:, 0]), np.nan, three)
    clf = MultiTaskNetClassifier(
        task_weighting=alias,
        architecture="mmoe",
        head_hidden_size=4,
        batch_size=16,
        **{**FAST, "max_epochs": 2},
    ).fit(X, Y)
    assert clf.net_.module_.heads.sizes[0] == (1 if path == "binary" else 3)
    losses = [clf.history_[-1, f"train_loss_{name}"] for name in clf.task_names_]
    assert np.isfinite(losses).all()
    for proba in clf.predict_proba(X):
        assert np.isfinite(proba).all()
