"""MultiTaskNet: classification and regression tasks in one network."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import is_classifier, is_regressor
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold

from sklmtl import MultiTaskNet
from sklmtl.io import load, save, to_onnx
from sklmtl.metrics import mean_task_score, task_scores
from sklmtl.nn import MaskedMultiTaskRegressionLoss, MultiTaskObjective
from sklmtl.nn.losses import pack_targets
from sklmtl.weighting import EqualWeighting

FAST = dict(hidden_layer_sizes=(32,), max_epochs=60, lr=0.01, random_state=0)


def make_mixed_problem(n_samples=200, seed=0):
    """Species (str), sex (bool), body mass (float, missing cells), as a frame."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, 4)).astype(np.float32)
    mass = 4000 + 500 * X[:, 1] + 300 * X[:, 0] + 20 * rng.normal(size=n_samples)
    mass[rng.rand(n_samples) < 0.2] = np.nan
    Y = pd.DataFrame(
        {
            "species": np.where(X[:, 0] > 0, "adelie", "gentoo"),
            "mass": mass,
            "male": X[:, 2] + 0.3 * X[:, 0] > 0,
        }
    )
    return X, Y


@pytest.fixture(scope="module")
def mixed_problem():
    return make_mixed_problem()


@pytest.fixture(scope="module")
def fitted(mixed_problem):
    X, Y = mixed_problem
    return MultiTaskNet(**FAST).fit(X, Y)


class TestMixed:
    def test_kinds_are_inferred_per_column(self, fitted):
        assert fitted.task_types_ == ["classification", "regression", "classification"]
        assert fitted.classes_[0].tolist() == ["adelie", "gentoo"]
        assert fitted.classes_[1] is None
        assert fitted.classes_[2].dtype == bool

    def test_predict_keeps_each_column_kind(self, fitted, mixed_problem):
        X, Y = mixed_problem
        pred = fitted.predict(X)
        assert isinstance(pred, pd.DataFrame)
        assert list(pred.columns) == ["species", "mass", "male"]
        assert pred["species"].map(type).eq(str).all()
        assert pred["mass"].dtype == np.float64
        assert pred["male"].dtype == bool

    def test_learns_every_task(self, fitted, mixed_problem):
        X, Y = mixed_problem
        pred = fitted.predict(X)
        labelled = Y["mass"].notna()
        assert accuracy_score(Y["species"], pred["species"]) > 0.95
        assert accuracy_score(Y["male"], pred["male"]) > 0.9
        assert r2_score(Y["mass"][labelled], pred["mass"][labelled]) > 0.9

    def test_array_target_gives_object_array(self, mixed_problem):
        X, Y = mixed_problem
        rows = [[s, m] for s, m in zip(Y["species"], Y["mass"])]
        net = MultiTaskNet(**{**FAST, "max_epochs": 3}).fit(X, rows)
        pred = net.predict(X[:4])
        assert pred.dtype == object and pred.shape == (4, 2)
        assert {type(v) for v in pred[:, 0]} == {str}
        assert {type(v) for v in pred[:, 1]} == {float}

    def test_score_is_mean_of_accuracy_and_r2(self, fitted, mixed_problem):
        X, Y = mixed_problem
        pred = fitted.predict(X)
        labelled = Y["mass"].notna()
        expected = np.mean(
            [
                accuracy_score(Y["species"], pred["species"]),
                r2_score(Y["mass"][labelled], pred["mass"][labelled]),
                accuracy_score(Y["male"], pred["male"]),
            ]
        )
        assert fitted.score(X, Y) == pytest.approx(expected)
        scores = task_scores(Y, pred, task_types=fitted.task_types_)
        assert scores.mean() == pytest.approx(expected)

    def test_history_has_accuracy_and_r2(self, fitted):
        row = fitted.history_[-1]
        assert {"train_acc_species", "train_r2_mass", "train_acc_male"} <= set(row)
        assert row["train_acc"] == pytest.approx(
            (row["train_acc_species"] + row["train_acc_male"]) / 2
        )
        assert row["train_r2"] == row["train_r2_mass"]
        losses = [row[f"train_loss_{t}"] for t in ("species", "mass", "male")]
        assert row["train_loss"] == pytest.approx(np.mean(losses))

    def test_predict_proba_classification_tasks_only(self, fitted, mixed_problem):
        X, _ = mixed_problem
        probas = fitted.predict_proba(X[:5])
        assert [p.shape for p in probas] == [(5, 2), (5, 2)]
        np.testing.assert_allclose(probas[0].sum(axis=1), 1.0)
        single = fitted.predict_proba(X[:5], task="male")
        np.testing.assert_array_equal(single, probas[1])

    def test_task_types_declares_integral_floats_as_regression(self, mixed_problem):
        X, Y = mixed_problem
        Y = Y.assign(age=np.round(10 + 5 * X[:, 3]).astype(float))
        inferred = MultiTaskNet(max_epochs=1).fit(X, Y)
        assert inferred.task_types_[3] == "classification"
        declared = MultiTaskNet(max_epochs=1, task_types={"age": "regression"})
        assert declared.fit(X, Y).task_types_[3] == "regression"

    def test_declared_classification_for_non_integral_floats_is_refused(self):
        X = np.arange(6, dtype=np.float32).reshape(-1, 1)
        with pytest.raises(ValueError, match="continuous"):
            MultiTaskNet(task_types={"task_0": "classification"}).fit(
                X, [0.5, 1.5, 2.5, 0.5, 1.5, 2.5]
            )

    def test_same_random_state_same_predictions(self, mixed_problem):
        X, Y = mixed_problem
        first = MultiTaskNet(**{**FAST, "max_epochs": 5}).fit(X, Y).predict(X)
        second = MultiTaskNet(**{**FAST, "max_epochs": 5}).fit(X, Y).predict(X)
        pd.testing.assert_frame_equal(first, second)

    def test_neither_classifier_nor_regressor(self):
        assert not is_classifier(MultiTaskNet())
        assert not is_regressor(MultiTaskNet())

    def test_grid_search_uses_the_mixed_score(self, mixed_problem):
        X, Y = mixed_problem
        search = GridSearchCV(
            MultiTaskNet(hidden_layer_sizes=(16,), max_epochs=10, lr=0.01),
            {"task_weighting": ["equal", "uncertainty"]},
            cv=KFold(2),
        ).fit(X, Y)
        assert np.isfinite(search.best_score_)

    def test_uncertainty_weighting_trains_mixed_tasks(self, mixed_problem):
        X, Y = mixed_problem
        net = MultiTaskNet(task_weighting="uncertainty", **FAST).fit(X, Y)
        assert net.score(X, Y) > 0.85

    def test_save_load_and_onnx(self, fitted, mixed_problem, tmp_path):
        X, _ = mixed_problem
        save(fitted, tmp_path / "mixed.safetensors")
        loaded = load(tmp_path / "mixed.safetensors")
        assert type(loaded) is MultiTaskNet
        assert loaded.task_types_ == fitted.task_types_
        pd.testing.assert_frame_equal(loaded.predict(X), fitted.predict(X))
        ort = pytest.importorskip("onnxruntime")
        names = to_onnx(fitted, tmp_path / "mixed.onnx")
        assert names == ["proba_species", "value_mass", "proba_male"]
        outputs = ort.InferenceSession(str(tmp_path / "mixed.onnx")).run(
            None, {"X": X[:10]}
        )
        np.testing.assert_allclose(
            outputs[1], fitted.predict(X[:10])["mass"], rtol=1e-4
        )
        np.testing.assert_allclose(
            outputs[0], fitted.predict_proba(X[:10])[0], rtol=1e-4, atol=1e-6
        )


class TestBadInput:
    def test_regression_column_with_inf(self, mixed_problem):
        X, Y = mixed_problem
        Y = Y.copy()
        Y.loc[0, "mass"] = np.inf
        before = Y.copy()
        with pytest.raises(ValueError, match="'mass'"):
            MultiTaskNet(max_epochs=1).fit(X, Y)
        pd.testing.assert_frame_equal(Y, before)

    def test_constant_regression_column(self, mixed_problem):
        X, Y = mixed_problem
        Y = Y.assign(mass=2.5)
        with pytest.raises(ValueError, match="Task 'mass' has one repeated value"):
            MultiTaskNet(max_epochs=1, task_types={"mass": "regression"}).fit(X, Y)

    def test_strings_in_declared_regression_column(self, mixed_problem):
        X, Y = mixed_problem
        before = Y.copy()
        with pytest.raises(TypeError, match="Task 'species' is a regression task"):
            MultiTaskNet(max_epochs=1, task_types={"species": "regression"}).fit(X, Y)
        pd.testing.assert_frame_equal(Y, before)

    @pytest.mark.parametrize(
        "task_types, match",
        [
            ({"weight": "regression"}, r"unknown task\(s\) \['weight'\]"),
            ({"mass": "ordinal"}, r"task_types\['mass'\] is 'ordinal'"),
            (["regression"], "task_types"),
        ],
    )
    def test_bad_task_types(self, mixed_problem, task_types, match):
        X, Y = mixed_problem
        net = MultiTaskNet(max_epochs=1, task_types=task_types)
        with pytest.raises((ValueError, TypeError), match=match):
            net.fit(X, Y)
        assert not hasattr(net, "net_")

    def test_predict_proba_for_a_regression_task(self, fitted, mixed_problem):
        X, _ = mixed_problem
        with pytest.raises(ValueError, match="Task 'mass' is a regression task"):
            fitted.predict_proba(X, task="mass")
        with pytest.raises(ValueError, match="not a task"):
            fitted.predict_proba(X, task="height")

    def test_predict_proba_without_classification_tasks(self, mixed_problem):
        X, Y = mixed_problem
        net = MultiTaskNet(max_epochs=1).fit(X, Y[["mass"]])
        with pytest.raises(ValueError, match="every task is a regression task"):
            net.predict_proba(X)


class TestMixedLoss:
    def test_regression_loss_ignores_nan_and_respects_weights(self):
        loss = MaskedMultiTaskRegressionLoss("mse")
        outputs = (torch.zeros(3, 1),)
        values = torch.tensor([[1.0], [float("nan")], [3.0]], dtype=torch.float64)
        losses, counts = loss(outputs, values, torch.tensor([[1.0], [5.0], [3.0]]))
        assert losses.tolist() == [pytest.approx((1 + 3 * 9) / 4)]
        assert counts.tolist() == [4.0]

    def test_mixed_objective_equals_separate_losses(self):
        torch.manual_seed(0)
        outputs = (torch.randn(4, 3), torch.randn(4, 1), torch.randn(4, 2))
        values = torch.tensor(
            [[0, 0.5, 1], [2, float("nan"), 0], [-1, -1.0, 1], [1, 2.0, -1]],
            dtype=torch.float64,
        )
        kinds = ["classification", "regression", "classification"]
        objective = MultiTaskObjective(EqualWeighting().setup(list("abc")), None, kinds)
        losses, counts = objective.task_losses(outputs, pack_targets(values))
        cross_entropy = torch.nn.functional.cross_entropy
        expected_a = cross_entropy(outputs[0][[0, 1, 3]], torch.tensor([0, 2, 1]))
        expected_b = ((outputs[1][[0, 2, 3], 0] - values[[0, 2, 3], 1]) ** 2).mean()
        expected_c = cross_entropy(outputs[2][[0, 1, 2]], torch.tensor([1, 0, 1]))
        torch.testing.assert_close(
            losses, torch.stack([expected_a, expected_b.float(), expected_c])
        )
        assert counts.tolist() == [3.0, 3.0, 3.0]


def test_mean_task_score_with_weights():
    Y_true = [["a", 1.0], ["b", 2.0], ["b", 4.0]]
    Y_pred = [["a", 1.0], ["a", 2.0], ["b", 3.0]]
    kinds = ["classification", "regression"]
    weights = [1.0, 2.0, 1.0]
    expected = np.mean(
        [
            np.average([1, 0, 1], weights=weights),
            r2_score([1.0, 2.0, 4.0], [1.0, 2.0, 3.0], sample_weight=weights),
        ]
    )
    assert mean_task_score(
        Y_true, Y_pred, task_types=kinds, sample_weight=weights
    ) == pytest.approx(expected)


def test_user_guide_mixed_example_runs_as_written():
    guide = Path(__file__).resolve().parents[1] / "docs/user_guide/regression.rst"
    blocks = re.findall(
        r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", guide.read_text()
    )
    (block,) = [b for b in blocks if "MultiTaskNet(" in b]
    code = "\n".join(line[3:] for line in block.splitlines())
    namespace = {"__name__": "__guide__"}
    exec(compile(code, str(guide), "exec"), namespace)
    assert namespace["net"].task_types_ == [
        "classification",
        "regression",
        "regression",
    ]
