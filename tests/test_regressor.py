"""MultiTaskNetRegressor: missing cells, standardisation, losses, integration."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_linnerud
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetRegressor
from sklmtl.io import load, save, to_onnx
from sklmtl.nn import ARCHITECTURES
from sklmtl.weighting import ALIASES

FAST = dict(hidden_layer_sizes=(32,), max_epochs=60, lr=0.01, random_state=0)


def make_regression_problem(n_samples=200, seed=0):
    """Two related targets on very different scales, with missing cells."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4)).astype(np.float32)
    Y = np.column_stack(
        [X[:, 0] + 0.5 * X[:, 1], 1000 * (X[:, 0] - X[:, 2]) + 5000]
    ).astype(np.float64)
    Y += 0.05 * Y.std(axis=0) * rng.normal(size=Y.shape)
    Y[rng.rand(n_samples) < 0.2, 1] = np.nan
    return X, Y


@pytest.fixture(scope="module")
def regression_problem():
    return make_regression_problem()


class TestRegressor:
    def test_learns_both_scales_despite_missing_cells(self, regression_problem):
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(**FAST).fit(X, Y)
        pred = reg.predict(X)
        assert pred.shape == Y.shape and pred.dtype == np.float64
        labelled = ~np.isnan(Y[:, 1])
        assert r2_score(Y[:, 0], pred[:, 0]) > 0.9
        assert r2_score(Y[labelled, 1], pred[labelled, 1]) > 0.9
        # Predictions come back in each target's own units.
        assert abs(pred[:, 1].mean() - 5000) < 300
        np.testing.assert_allclose(reg.target_mean_[1], np.nanmean(Y[:, 1]))
        np.testing.assert_allclose(reg.target_scale_[1], np.nanstd(Y[:, 1]))

    def test_score_is_mean_r2_over_labelled_cells(self, regression_problem):
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(**FAST).fit(X, Y)
        pred = reg.predict(X)
        labelled = ~np.isnan(Y[:, 1])
        expected = np.mean(
            [
                r2_score(Y[:, 0], pred[:, 0]),
                r2_score(Y[labelled, 1], pred[labelled, 1]),
            ]
        )
        assert reg.score(X, Y) == pytest.approx(expected)

    def test_score_matches_r2_score_without_missing_cells(self, regression_problem):
        X, Y = regression_problem
        Y = Y[:, :1].repeat(2, axis=1) * [1, 3]
        reg = MultiTaskNetRegressor(**FAST).fit(X, Y)
        assert reg.score(X, Y) == pytest.approx(r2_score(Y, reg.predict(X)))

    def test_1d_target_gives_1d_predictions(self, regression_problem):
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(**FAST).fit(X, Y[:, 0])
        assert reg.predict(X[:3]).shape == (3,)

    def test_same_random_state_same_predictions(self, regression_problem):
        X, Y = regression_problem
        first = MultiTaskNetRegressor(**FAST).fit(X, Y).predict(X)
        second = MultiTaskNetRegressor(**FAST).fit(X, Y).predict(X)
        np.testing.assert_array_equal(first, second)

    def test_dataframe_target_names_tasks(self, regression_problem):
        X, Y = regression_problem
        frame = pd.DataFrame(Y, columns=["length", "mass"])
        reg = MultiTaskNetRegressor(**{**FAST, "max_epochs": 3}).fit(X, frame)
        assert reg.task_names_ == ["length", "mass"]
        assert reg.task_types_ == ["regression", "regression"]
        assert "train_r2_mass" in reg.history_[-1]
        assert "train_r2" in reg.history_[-1]

    @pytest.mark.parametrize("loss", ["mse", "huber", "gaussian_nll"])
    def test_losses_learn(self, regression_problem, loss):
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(loss=loss, **FAST).fit(X, Y)
        assert reg.score(X, Y) > 0.8

    def test_gaussian_nll_predicts_standard_deviations(self, regression_problem):
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(loss="gaussian_nll", **FAST).fit(X, Y)
        mean, std = reg.predict(X, return_std=True)
        assert mean.shape == std.shape == Y.shape
        assert np.all(std > 0)
        # The larger-scale target has the larger predicted spread.
        assert np.median(std[:, 1]) > 100 * np.median(std[:, 0])
        with pytest.raises(ValueError, match="loss='gaussian_nll'"):
            MultiTaskNetRegressor(**FAST).fit(X, Y).predict(X, return_std=True)

    def test_history_r2_agrees_with_score(self, regression_problem):
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(**{**FAST, "batch_size": 1000}).fit(X, Y)
        # One batch per epoch: the epoch's R² is that of the weights before
        # the last step; close to the final score.
        assert reg.history_[-1]["train_r2"] == pytest.approx(reg.score(X, Y), abs=0.05)

    def test_sample_weight_equals_repeated_rows(self, regression_problem):
        X, Y = regression_problem
        X, Y = X[:40], Y[:40]
        weights = np.where(np.arange(40) < 10, 2, 1)
        params = dict(FAST, max_epochs=10, batch_size=1000)
        weighted = MultiTaskNetRegressor(**params).fit(X, Y, sample_weight=weights)
        rows = np.repeat(np.arange(40), weights)
        repeated = MultiTaskNetRegressor(**params).fit(X[rows], Y[rows])
        np.testing.assert_allclose(weighted.target_mean_, repeated.target_mean_)
        np.testing.assert_allclose(
            weighted.predict(X), repeated.predict(X), rtol=1e-4, atol=1e-4
        )

    def test_partial_fit_keeps_the_first_scaling(self, regression_problem):
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(hidden_layer_sizes=(8,), random_state=0)
        reg.partial_fit(X[:100], Y[:100])
        mean = reg.target_mean_.copy()
        reg.partial_fit(X[100:], Y[100:] + 1000)
        np.testing.assert_array_equal(reg.target_mean_, mean)
        assert reg.n_iter_ == 2

    def test_linnerud_matches_the_scale_of_each_target(self):
        X, Y = load_linnerud(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        reg = MultiTaskNetRegressor(**{**FAST, "max_epochs": 200}).fit(X, Y)
        assert reg.score(X, Y) > 0.3


@pytest.mark.parametrize("weighting", sorted(ALIASES))
def test_every_task_weighting_trains(regression_problem, weighting):
    X, Y = regression_problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NashMTL's solver warns each solve
        reg = MultiTaskNetRegressor(
            hidden_layer_sizes=(16,),
            max_epochs=3,
            lr=0.01,
            task_weighting=weighting,
            random_state=0,
        ).fit(X[:80], Y[:80])
    pred = reg.predict(X[:5])
    assert pred.shape == (5, 2) and np.all(np.isfinite(pred))


@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
@pytest.mark.parametrize("loss", ["mse", "gaussian_nll"])
def test_every_architecture_trains(regression_problem, architecture, loss):
    X, Y = regression_problem
    reg = MultiTaskNetRegressor(
        hidden_layer_sizes=(16,),
        max_epochs=3,
        architecture=architecture,
        loss=loss,
        random_state=0,
    ).fit(X[:80], Y[:80])
    assert np.all(np.isfinite(reg.predict(X[:5])))


class TestIntegration:
    def test_grid_search_in_a_pipeline(self, regression_problem):
        X, Y = regression_problem
        pipe = make_pipeline(
            StandardScaler(),
            MultiTaskNetRegressor(hidden_layer_sizes=(16,), max_epochs=20, lr=0.01),
        )
        search = GridSearchCV(
            pipe,
            {"multitasknetregressor__loss": ["mse", "huber"]},
            cv=KFold(2),
        ).fit(X, Y)
        assert search.best_params_["multitasknetregressor__loss"] in ("mse", "huber")
        assert search.predict(X[:3]).shape == (3, 2)

    def test_clone_keeps_params(self):
        reg = MultiTaskNetRegressor(loss="huber", task_weighting="uncertainty")
        assert clone(reg).get_params()["loss"] == "huber"

    def test_save_load_round_trip(self, regression_problem, tmp_path):
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(loss="gaussian_nll", **FAST).fit(X, Y)
        save(reg, tmp_path / "reg.safetensors")
        loaded = load(tmp_path / "reg.safetensors")
        assert type(loaded) is MultiTaskNetRegressor
        np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
        np.testing.assert_array_equal(loaded.target_scale_, reg.target_scale_)
        loaded.set_params(warm_start=True, max_epochs=2).fit(X, Y)
        assert loaded.n_iter_ == reg.n_iter_ + 2

    def test_onnx_outputs_are_in_target_units(self, regression_problem, tmp_path):
        ort = pytest.importorskip("onnxruntime")
        X, Y = regression_problem
        reg = MultiTaskNetRegressor(**FAST).fit(X, Y)
        names = to_onnx(reg, tmp_path / "reg.onnx")
        assert names == ["value_task_0", "value_task_1"]
        session = ort.InferenceSession(str(tmp_path / "reg.onnx"))
        outputs = session.run(None, {"X": X[:20]})
        np.testing.assert_allclose(
            np.column_stack(outputs), reg.predict(X[:20]), rtol=1e-4, atol=1e-3
        )


class TestBadInput:
    def test_infinite_target_names_the_task(self, regression_problem):
        X, Y = regression_problem
        Y = pd.DataFrame(Y, columns=["length", "mass"])
        Y.loc[3, "mass"] = np.inf
        before = Y.copy()
        with pytest.raises(ValueError, match="infinity in regression task 'mass'"):
            MultiTaskNetRegressor(max_epochs=1).fit(X, Y)
        pd.testing.assert_frame_equal(Y, before)

    def test_constant_target_names_the_task(self, regression_problem):
        X, Y = regression_problem
        Y = Y.copy()
        Y[:, 0] = 3.0
        with pytest.raises(ValueError, match="Task 'task_0' has one repeated value"):
            MultiTaskNetRegressor(max_epochs=1).fit(X, Y)

    def test_strings_name_the_task(self, regression_problem):
        X, _ = regression_problem
        Y = [[1.0, "a"], [2.0, "b"]] * 100
        with pytest.raises(TypeError, match="Task 'task_1' is a regression task"):
            MultiTaskNetRegressor(max_epochs=1).fit(X, Y)

    def test_empty_task_names_the_task(self, regression_problem):
        X, Y = regression_problem
        Y = Y.copy()
        Y[:, 1] = np.nan
        with pytest.raises(ValueError, match="Task 'task_1' has no labelled sample"):
            MultiTaskNetRegressor(max_epochs=1).fit(X, Y)

    def test_unknown_loss(self, regression_problem):
        X, Y = regression_problem
        with pytest.raises(ValueError, match="loss"):
            MultiTaskNetRegressor(loss="mae", max_epochs=1).fit(X, Y)
