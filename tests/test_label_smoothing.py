"""``label_smoothing``: the cross-entropy of every classification task as
``torch.nn.functional.cross_entropy(..., label_smoothing=eps)`` gives it."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from sklmtl import MultiTaskNetClassifier
from sklmtl.nn import MaskedMultiTaskCrossEntropy

SMALL = {"hidden_layer_sizes": (8,), "max_epochs": 3, "random_state": 0}


@settings(max_examples=30, deadline=None)
@given(
    st.floats(0.0, 0.9),
    st.lists(st.integers(2, 5), min_size=1, max_size=3),
    st.integers(0, 2**31 - 1),
    st.booleans(),
)
def test_each_task_is_torchs_smoothed_cross_entropy(eps, sizes, seed, masked):
    """Padded tasks of different class counts, with missing cells or not."""
    gen = torch.Generator().manual_seed(seed)
    logits = [torch.randn(6, k, generator=gen, dtype=torch.float64) for k in sizes]
    codes = torch.stack(
        [torch.randint(0, k, (6,), generator=gen) for k in sizes], dim=1
    )
    if masked:
        codes[0] = -1  # the first row unlabelled in every task
    loss = MaskedMultiTaskCrossEntropy(label_smoothing=eps)
    loss.complete_codes = not masked
    losses, _ = loss(logits, codes)
    rows = codes[:, 0] >= 0
    for t, z in enumerate(logits):
        expected = F.cross_entropy(z[rows], codes[rows, t], label_smoothing=eps)
        torch.testing.assert_close(losses[t], expected)


@pytest.mark.parametrize("masked", [False, True])
def test_binary_path_smooths_the_targets(masked):
    gen = torch.Generator().manual_seed(0)
    outputs = [torch.randn(5, 1, generator=gen) for _ in range(2)]
    codes = torch.tensor([[0, 1], [1, 0], [1, 1], [0, 0], [1, 0]])
    if masked:
        codes[0, 1] = -1
    loss = MaskedMultiTaskCrossEntropy(binary=True, label_smoothing=0.2)
    loss.complete_codes = not masked
    losses, _ = loss(outputs, codes)
    for t, u in enumerate(outputs):
        rows = codes[:, t] >= 0
        two_logits = torch.cat([torch.zeros_like(u), 2 * u], dim=1)[rows]
        expected = F.cross_entropy(two_logits, codes[rows, t], label_smoothing=0.2)
        torch.testing.assert_close(losses[t], expected)


def test_zero_is_the_plain_cross_entropy():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    Y = np.c_[X[:, 0] > 0, rng.randint(0, 3, 30)]
    plain = MultiTaskNetClassifier(**SMALL).fit(X, Y)
    zero = MultiTaskNetClassifier(label_smoothing=0.0, **SMALL).fit(X, Y)
    np.testing.assert_array_equal(plain.predict_proba(X)[1], zero.predict_proba(X)[1])
    smooth = MultiTaskNetClassifier(label_smoothing=0.3, **SMALL).fit(X, Y)
    assert not np.allclose(smooth.predict_proba(X)[1], plain.predict_proba(X)[1])


@pytest.mark.parametrize("bad", [-0.1, 1.0, 2])
def test_bad_value_is_named(bad):
    with pytest.raises(ValueError, match="label_smoothing"):
        MultiTaskNetClassifier(label_smoothing=bad, **SMALL).fit([[0.0], [1.0]], [0, 1])
