"""Property-based tests over small random multi-task problems (hypothesis)."""

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sklmtl import MultiTaskNetClassifier  # noqa: E402

LABEL_KINDS = {
    "int": lambda k: list(range(-1, k - 1)) if k > 2 else [3, 7],
    "str": lambda k: [f"class {i}" for i in range(k)],
    "bool": lambda k: [False, True],
}


@st.composite
def problems(draw):
    """X, Y with 1-5 tasks, 2-6 classes, int/str/bool labels, missing cells."""
    n_samples = draw(st.integers(12, 40))
    n_features = draw(st.integers(1, 5))
    n_tasks = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)).astype(np.float32)
    Y = np.empty((n_samples, n_tasks), dtype=object)
    for t in range(n_tasks):
        kind = draw(st.sampled_from(sorted(LABEL_KINDS)))
        n_classes = 2 if kind == "bool" else draw(st.integers(2, 6))
        labels = LABEL_KINDS[kind](n_classes)
        codes = rng.randint(len(labels), size=n_samples)
        codes[: len(labels)] = np.arange(len(labels))  # every class appears
        column = np.array([labels[c] for c in codes], dtype=object)
        missing_rate = draw(st.sampled_from([0.0, 0.2, 0.5]))
        blank = rng.rand(n_samples) < missing_rate
        blank[: len(labels)] = False  # keep each class labelled at least once
        column[blank] = None
        Y[:, t] = column
    return X, Y


SETTINGS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(problem=problems(), seed=st.integers(0, 1000))
def test_predictions_are_well_formed_and_reproducible(problem, seed):
    X, Y = problem
    params = dict(
        hidden_layer_sizes=(8,), max_epochs=3, batch_size=16, random_state=seed
    )
    clf = MultiTaskNetClassifier(**params).fit(X, Y)
    pred = clf.predict(X)
    proba = clf.predict_proba(X)
    assert pred.shape == Y.shape
    assert len(proba) == Y.shape[1] == len(clf.classes_)
    for t, (p, classes) in enumerate(zip(proba, clf.classes_)):
        assert p.shape == (len(X), len(classes))
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-9)
        assert (p >= 0).all()
        # Labels always come from classes_.
        assert set(pred[:, t].tolist()) <= set(classes.tolist())
        known = {v for v in Y[:, t].tolist() if v is not None}
        assert set(classes.tolist()) == known
    assert 0.0 <= clf.score(X, Y) <= 1.0
    again = MultiTaskNetClassifier(**params).fit(X, Y)
    np.testing.assert_array_equal(again.predict(X), pred)
    for p, q in zip(again.predict_proba(X), proba):
        np.testing.assert_array_equal(p, q)
