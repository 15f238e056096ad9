"""``early_stopping="cv"``: epochs chosen by cross-validation inside the
training rows, then a refit on every row (as ``LogisticRegressionCV``)."""

import numpy as np
import pytest

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.io import load, save

CV = {
    "hidden_layer_sizes": (4,),
    "max_epochs": 3,
    "batch_size": 8,
    "early_stopping": "cv",
    "random_state": 0,
}


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    Y = np.c_[X[:, 0] > 0, X[:, 1] + X[:, 2] > 0].astype(float)
    Y[::5, 1] = np.nan  # missing labels
    return X, Y


@pytest.fixture(scope="module")
def fitted(data):
    return MultiTaskNetClassifier(**CV).fit(*data)


class TestChoice:
    def test_chosen_epochs_are_the_best_of_the_mean_curve(self, fitted):
        curve = fitted.cv_valid_loss_
        assert curve.shape == (3,) and np.all(np.isfinite(curve))
        assert 1 <= fitted.n_epochs_cv_ <= 3
        assert fitted.n_epochs_cv_ == int(np.argmin(curve)) + 1

    def test_refit_trains_that_many_epochs_on_every_row(self, fitted, data):
        assert fitted.n_iter_ == fitted.n_epochs_cv_
        assert not fitted.do_early_stopping_
        # 30 rows in batches of 8: every row trains, no validation split.
        assert all(len(row["batches"]) == 4 for row in fitted.history_)
        assert all(
            "valid_loss" not in b for row in fitted.history_ for b in row["batches"]
        )

    def test_deterministic(self, fitted, data):
        again = MultiTaskNetClassifier(**CV).fit(*data)
        np.testing.assert_array_equal(again.cv_valid_loss_, fitted.cv_valid_loss_)
        np.testing.assert_array_equal(
            again.predict_proba(data[0])[1], fitted.predict_proba(data[0])[1]
        )

    def test_plateau_rule_does_not_cut_the_folds(self, data):
        clf = MultiTaskNetClassifier(**{**CV, "tol": 1e9, "n_iter_no_change": 1})
        clf.fit(*data)
        assert clf.cv_valid_loss_.shape == (3,) and np.all(
            np.isfinite(clf.cv_valid_loss_)
        )
        assert clf.n_iter_ == clf.n_epochs_cv_

    def test_sample_weights_move_the_curve(self, fitted, data):
        X, Y = data
        weights = np.where(X[:, 0] > 0, 5.0, 0.2)
        clf = MultiTaskNetClassifier(**CV).fit(X, Y, sample_weight=weights)
        assert not np.allclose(clf.cv_valid_loss_, fitted.cv_valid_loss_)

    def test_regressor(self, data):
        X, _ = data
        reg = MultiTaskNetRegressor(**CV).fit(X, X[:, :2] * 3.0)
        assert 1 <= reg.n_epochs_cv_ <= 3 and reg.n_iter_ == reg.n_epochs_cv_


class TestOtherFits:
    def test_without_cv_there_is_no_choice(self, fitted, data):
        clf = MultiTaskNetClassifier(**{**CV, "early_stopping": False})
        clf.fit(*data)
        assert not hasattr(clf, "n_epochs_cv_") and not hasattr(clf, "cv_valid_loss_")
        # A refit of a cv-fitted estimator without cv forgets the choice.
        again = MultiTaskNetClassifier(**CV).fit(*data)
        again.set_params(early_stopping=False).fit(*data)
        assert not hasattr(again, "n_epochs_cv_")

    def test_warm_start_trains_max_epochs_more(self, data):
        clf = MultiTaskNetClassifier(**{**CV, "warm_start": True}).fit(*data)
        chosen, first = clf.n_epochs_cv_, clf.n_iter_
        clf.fit(*data)
        assert clf.n_iter_ == first + 3 and clf.n_epochs_cv_ == chosen

    def test_partial_fit_does_not_cross_validate(self, data):
        clf = MultiTaskNetClassifier(**CV)
        clf.partial_fit(*data, classes=[np.array([0.0, 1.0])] * 2)
        assert clf.n_iter_ == 1 and not hasattr(clf, "n_epochs_cv_")

    def test_validation_data_is_refused(self, data):
        X, Y = data
        clf = MultiTaskNetClassifier(**CV, validation_data=(X, Y))
        with pytest.raises(ValueError, match="cannot be combined with validation_data"):
            clf.fit(X, Y)

    def test_two_rows_are_enough(self):
        reg = MultiTaskNetRegressor(**CV).fit([[0.0], [1.0]], [0.0, 1.0])
        assert 1 <= reg.n_epochs_cv_ <= 3

    def test_bad_value_names_the_options(self, data):
        with pytest.raises(ValueError, match="early_stopping.*'cv'"):
            MultiTaskNetClassifier(**{**CV, "early_stopping": "cv5"}).fit(*data)

    def test_saved_and_loaded(self, fitted, data, tmp_path):
        save(fitted, tmp_path / "m.sklmtl")
        back = load(tmp_path / "m.sklmtl")
        assert back.n_epochs_cv_ == fitted.n_epochs_cv_
        np.testing.assert_array_equal(back.cv_valid_loss_, fitted.cv_valid_loss_)
        np.testing.assert_array_equal(
            back.predict_proba(data[0])[0], fitted.predict_proba(data[0])[0]
        )
