"""``tol``: MLP's training-loss plateau rule when early stopping is off."""

import numpy as np
import pytest
from sklearn.base import clone

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.callbacks import TrainingLossPlateau


def _data(estimator):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    labels = (X[:, :2] > 0).astype(int)
    values = X[:, :2] @ np.array([[1.0, -2.0], [0.5, 1.0]])
    if estimator is MultiTaskNetClassifier:
        return X, labels
    if estimator is MultiTaskNetRegressor:
        return X, values
    return X, np.column_stack([labels[:, 0], values[:, 0]])


ESTIMATORS = [MultiTaskNetClassifier, MultiTaskNetRegressor, MultiTaskNet]
SMALL = dict(hidden_layer_sizes=(8,), lr=0.01, random_state=0)


def _first_stop(losses, tol, patience):
    """The epoch (1-based) where scikit-learn's count of misses reaches patience."""
    best, misses = np.inf, 0
    for epoch, loss in enumerate(losses, start=1):
        misses = misses + 1 if loss > best - tol else 0
        best = min(best, loss)
        if misses >= patience:
            return epoch
    return None


@pytest.mark.parametrize("estimator", ESTIMATORS)
class TestTol:
    def test_is_a_documented_parameter(self, estimator):
        model = estimator()
        assert model.get_params()["tol"] == 1e-3
        assert clone(model.set_params(tol=None)).tol is None
        assert "tol : float or None, default=1e-3" in estimator.__doc__

    def test_stops_on_a_plateau_of_the_training_loss(self, estimator):
        X, Y = _data(estimator)
        model = estimator(max_epochs=400, tol=1e-3, n_iter_no_change=5, **SMALL)
        model.fit(X, Y)
        assert not model.do_early_stopping_
        assert model.n_iter_ < 400
        # It stopped exactly where the rule first fires on the recorded losses.
        losses = model.history_[:, "train_loss"]
        assert len(losses) == model.n_iter_
        assert _first_stop(losses, 1e-3, 5) == model.n_iter_

    def test_tol_none_trains_every_epoch(self, estimator):
        X, Y = _data(estimator)
        model = estimator(max_epochs=60, tol=None, n_iter_no_change=2, **SMALL)
        assert model.fit(X, Y).n_iter_ == 60

    def test_huge_tol_stops_after_patience(self, estimator):
        # The first epoch always improves on inf; every later one is a miss.
        X, Y = _data(estimator)
        model = estimator(max_epochs=50, tol=1e9, n_iter_no_change=3, **SMALL)
        assert model.fit(X, Y).n_iter_ == 4

    def test_unused_with_early_stopping(self, estimator):
        X, Y = _data(estimator)
        # Installed, the rule would stop at epoch 3; the validation loss
        # keeps improving for longer.
        params = dict(max_epochs=8, early_stopping=True, n_iter_no_change=2)
        with_tol = estimator(tol=1e9, **params, **SMALL).fit(X, Y)
        without = estimator(tol=None, **params, **SMALL).fit(X, Y)
        assert with_tol.n_iter_ == without.n_iter_ > 3
        np.testing.assert_allclose(
            with_tol.history_[:, "train_loss"], without.history_[:, "train_loss"]
        )

    def test_count_restarts_with_each_call(self, estimator):
        X, Y = _data(estimator)
        model = estimator(tol=1e9, n_iter_no_change=2, warm_start=True, **SMALL)
        assert model.fit(X, Y).n_iter_ == 3
        assert model.fit(X, Y).n_iter_ == 6
        # partial_fit trains one epoch per call: never a miss.
        model = estimator(tol=1e9, n_iter_no_change=1, **SMALL)
        for _ in range(3):
            model.partial_fit(X, Y)
        assert model.n_iter_ == 3

    @pytest.mark.parametrize(
        "tol, error, match",
        [
            (-1e-4, ValueError, r"'tol' parameter .* range \[0, inf\]"),
            (float("nan"), ValueError, "'tol' parameter"),
            ("1e-4", TypeError, "'tol' parameter .* None or a float"),
        ],
    )
    def test_bad_tol_names_the_parameter(self, estimator, tol, error, match):
        X, Y = _data(estimator)
        with pytest.raises(error, match=match):
            estimator(tol=tol, max_epochs=2, **SMALL).fit(X, Y)


def test_verbose_says_why_it_stopped(capsys):
    X, Y = _data(MultiTaskNetClassifier)
    MultiTaskNetClassifier(
        max_epochs=20, tol=1e9, n_iter_no_change=2, verbose=1, **SMALL
    ).fit(X, Y)
    assert "has not improved by at least tol=1000000000.0 for 2 epochs" in (
        capsys.readouterr().out
    )


def test_callback_follows_every_decrease():
    """A loss creeping down by less than tol is a miss, as in scikit-learn."""

    class Net:
        verbose = 0
        history = []

    plateau = TrainingLossPlateau(tol=0.1, patience=3)
    net = Net()
    plateau.on_train_begin(net)
    with pytest.raises(KeyboardInterrupt):
        for loss in [1.0, 0.95, 0.9, 0.85]:
            net.history.append({"train_loss": loss})
            plateau.on_epoch_end(net)
    assert plateau.misses_ == 3
    assert plateau.best_ == 0.85
