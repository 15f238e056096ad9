"""TaskAffinity: TAG lookahead affinity and gradient cosines recorded in training."""

import numpy as np
import pytest
from torch import nn

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.callbacks import TaskAffinity, normalized_affinity


def _data(n=160, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 0, X[:, 0] + 0.3 * X[:, 1] > 0, X[:, 4] > 0])
    return X, Y.astype(int)


NET = dict(hidden_layer_sizes=(16,), max_epochs=3, lr=0.01, random_state=0)


@pytest.fixture(scope="module")
def fitted():
    X, Y = _data()
    return MultiTaskNetClassifier(callbacks=[TaskAffinity(every=1)], **NET).fit(X, Y)


class TestTaskAffinity:
    def test_recorded_per_epoch_and_as_attributes(self, fitted):
        epochs = [row for row in fitted.history_ if "task_affinity" in row]
        assert len(epochs) == 3
        assert np.asarray(epochs[0]["gradient_cosine"]).shape == (3, 3)
        assert fitted.task_affinity_.shape == (3, 3)
        np.testing.assert_allclose(
            fitted.task_affinity_,
            np.mean([row["task_affinity"] for row in epochs], axis=0),
        )

    def test_cosine_is_a_cosine_matrix(self, fitted):
        cosine = fitted.gradient_cosine_
        np.testing.assert_allclose(np.diag(cosine), 1.0, atol=1e-6)
        np.testing.assert_allclose(cosine, cosine.T, atol=1e-6)
        assert np.all(np.abs(cosine) <= 1 + 1e-6)

    def test_self_affinity_positive(self, fitted):
        # A small step along a task's own gradient lowers its own loss.
        assert np.all(np.diag(fitted.task_affinity_) > 0)

    def test_lookahead_is_first_order_in_the_step(self):
        X, Y = _data()
        small, double = (
            MultiTaskNetClassifier(
                callbacks=[TaskAffinity(every=1, lookahead_lr=lr)], **NET
            ).fit(X, Y)
            for lr in (1e-4, 2e-4)
        )
        np.testing.assert_allclose(
            double.task_affinity_, 2 * small.task_affinity_, rtol=0.05, atol=1e-7
        )
        # To first order Z[i, j] ~ lr * g_i . g_j / L_j: its sign is the cosine's.
        strong = np.abs(small.gradient_cosine_) > 0.1
        assert np.array_equal(
            np.sign(small.task_affinity_[strong]),
            np.sign(small.gradient_cosine_[strong]),
        )

    def test_measuring_does_not_change_training(self):
        X, Y = _data()
        params = dict(NET, dropout=0.2, batch_norm=True)
        plain = MultiTaskNetClassifier(**params).fit(X, Y)
        measured = MultiTaskNetClassifier(
            callbacks=[TaskAffinity(every=1)], **params
        ).fit(X, Y)
        np.testing.assert_array_equal(
            plain.predict_proba(X)[1], measured.predict_proba(X)[1]
        )

    def test_regressor_and_missing_labels(self):
        X, Y = _data()
        Y = Y.astype(float) + X[:, :3]
        Y[:40, 2] = np.nan
        reg = MultiTaskNetRegressor(callbacks=[TaskAffinity(every=2)], **NET)
        reg.fit(X, Y)
        assert np.isfinite(reg.task_affinity_).all()

    def test_refit_without_callback_drops_attributes(self, fitted):
        X, Y = _data()
        clf = MultiTaskNetClassifier(callbacks=[TaskAffinity()], **NET).fit(X, Y)
        clf.set_params(callbacks=None).fit(X, Y)
        assert not hasattr(clf, "task_affinity_")
        assert not hasattr(clf, "gradient_cosine_")

    def test_no_shared_parameters_is_an_error(self):
        X, Y = _data()
        clf = MultiTaskNetClassifier(
            trunk=nn.Flatten(), callbacks=[TaskAffinity()], max_epochs=1
        )
        with pytest.raises(ValueError, match="shared parameters"):
            clf.fit(X, Y)

    @pytest.mark.parametrize(
        "kwargs, match",
        [
            ({"every": 0}, "every must be an int >= 1"),
            ({"max_rows": 1.5}, "max_rows must be an int"),
            ({"lookahead_lr": -1.0}, "lookahead_lr must be a float > 0"),
        ],
    )
    def test_bad_parameters(self, kwargs, match):
        X, Y = _data()
        clf = MultiTaskNetClassifier(callbacks=[TaskAffinity(**kwargs)], max_epochs=1)
        with pytest.raises(ValueError, match=match):
            clf.fit(X, Y)


def test_normalized_affinity_is_scale_free():
    Z = np.array([[0.4, 0.1, -0.05], [0.2, 0.5, 0.0], [0.0, 0.01, 0.3]])
    np.testing.assert_allclose(normalized_affinity(Z), normalized_affinity(7 * Z))
    N = normalized_affinity(Z)
    np.testing.assert_allclose(N, N.T)
    np.testing.assert_allclose(np.diag(N), 1.0)


def test_saved_and_loaded_with_the_estimator(tmp_path):
    from sklmtl.io import load, save

    X, Y = _data()
    clf = MultiTaskNetClassifier(callbacks=[TaskAffinity(every=1)], **NET).fit(X, Y)
    # io saves no user callbacks; the measured history travels with the model.
    save(clf.set_params(callbacks=None), tmp_path / "clf.safetensors")
    restored = load(tmp_path / "clf.safetensors")
    np.testing.assert_allclose(restored.task_affinity_, clf.task_affinity_)
    np.testing.assert_allclose(restored.gradient_cosine_, clf.gradient_cosine_)
