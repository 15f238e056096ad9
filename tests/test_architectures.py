import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, KFold

from sklmtl import MultiTaskNetClassifier
from sklmtl.metrics import mean_task_accuracy_scorer
from sklmtl.nn import (
    CNNTrunk,
    HardParameterSharing,
    MLPTrunk,
    MMoE,
    MultiGateMixtureOfExperts,
)

from .conftest import FAST


@pytest.fixture(scope="module")
def images():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 1, 12, 12).astype(np.float32)
    # Task 0: brighter top half; task 1: brighter left half.
    Y = np.column_stack(
        [
            X[:, 0, :6].mean(axis=(1, 2)) > X[:, 0, 6:].mean(axis=(1, 2)),
            X[:, 0, :, :6].mean(axis=(1, 2)) > X[:, 0, :, 6:].mean(axis=(1, 2)),
        ]
    ).astype(int)
    return X, Y


CNN = dict(
    trunk="cnn", trunk__kernel_size=3, trunk__padding=1, max_epochs=3, random_state=0
)


class TestModules:
    def test_hps_shapes(self):
        module = HardParameterSharing(MLPTrunk(5, (8,)), n_classes=(2, 3, 4))
        assert [o.shape for o in module(torch.zeros(7, 5))] == [(7, 2), (7, 3), (7, 4)]

    def test_mmoe_shapes_and_gates(self):
        experts = [MLPTrunk(5, (8,)) for _ in range(3)]
        module = MultiGateMixtureOfExperts(experts, 5, n_classes=(2, 3))
        X = torch.randn(4, 5)
        assert module.encode(X).shape == (4, 3, 8)
        assert [o.shape for o in module(X)] == [(4, 2), (4, 3)]
        assert len(module.shared_parameters()) == 6

    def test_cnn_shapes_flat_and_4d(self):
        trunk = CNNTrunk((1, 28, 28))
        assert trunk(torch.zeros(3, 1, 28, 28)).shape == (3, 50)
        assert trunk(torch.zeros(3, 784)).shape == (3, 50)
        with pytest.raises(ValueError, match="too small"):
            CNNTrunk((1, 8, 8))


class TestEstimatorArchitectures:
    def test_hps_fit_and_search(self, problem):
        X, Y = problem
        search = GridSearchCV(
            MultiTaskNetClassifier(**FAST),
            {"head_hidden_size": [None, 8]},
            cv=KFold(2, shuffle=True, random_state=0),
            scoring=mean_task_accuracy_scorer,
        ).fit(X, Y)
        assert search.best_estimator_.predict(X).shape == Y.shape

    def test_mmoe_fit_and_search(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(architecture="mmoe", **FAST).fit(X, Y)
        assert isinstance(clf.net_.module_, MultiGateMixtureOfExperts)
        assert len(clf.net_.module_.experts) == 4
        search = GridSearchCV(
            MultiTaskNetClassifier(architecture=MMoE(), **FAST),
            {"architecture__n_experts": [1, 3]},
            cv=KFold(2, shuffle=True, random_state=0),
            scoring=mean_task_accuracy_scorer,
        ).fit(X, Y)
        assert search.best_params_["architecture__n_experts"] in (1, 3)
        clf = MultiTaskNetClassifier(architecture="mmoe", architecture__n_experts=2)
        assert len(clf.set_params(**FAST).fit(X, Y).net_.module_.experts) == 2

    def test_cnn_on_4d_images_and_search(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(**CNN).fit(X, Y)
        assert clf.predict(X).shape == Y.shape
        search = GridSearchCV(
            MultiTaskNetClassifier(**CNN),
            {"trunk__fc_size": [8, 16]},
            cv=KFold(2, shuffle=True, random_state=0),
            scoring=mean_task_accuracy_scorer,
        ).fit(X, Y)
        assert search.best_estimator_.net_.module_.trunk.out_features in (8, 16)
        with pytest.raises(ValueError, match="samples of shape"):
            clf.predict(X[:, :, :10, :10])

    def test_cnn_on_flat_rows_with_image_shape(self, images):
        X, Y = images
        flat = X.reshape(len(X), -1)
        a = MultiTaskNetClassifier(image_shape=(12, 12), **CNN).fit(flat, Y)
        b = MultiTaskNetClassifier(**CNN).fit(X, Y)
        np.testing.assert_allclose(a.predict_proba(flat)[0], b.predict_proba(X)[0])
        with pytest.raises(ValueError, match="image_shape"):
            MultiTaskNetClassifier(image_shape=(5, 5), **CNN).fit(flat, Y)

    def test_mlp_rejects_images_and_3d_input(self, images):
        X, Y = images
        with pytest.raises(ValueError, match="trunk='cnn'"):
            MultiTaskNetClassifier(**FAST).fit(X, Y)
        with pytest.raises(ValueError, match="3 dimensions"):
            MultiTaskNetClassifier(**FAST).fit(X[:, 0], Y)

    def test_mmoe_with_cnn_experts(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(
            architecture="mmoe", architecture__n_experts=2, **CNN
        )
        assert clf.fit(X, Y).predict(X).shape == Y.shape


class _Trunk(torch.nn.Module):
    def __init__(self, width=8):
        super().__init__()
        self.layer = torch.nn.Conv1d(1, 2, 3)
        self.width = width
        self.out = torch.nn.Linear(2 * 4, width)

    def forward(self, X):
        return torch.relu(self.out(self.layer(X.unsqueeze(1)).flatten(1)))


class TestUserTrunks:
    def test_class_with_trunk_params(self, problem):
        X, Y = problem
        clf = MultiTaskNetClassifier(trunk=_Trunk, trunk__width=5, **FAST).fit(X, Y)
        assert clf.net_.module_.trunk.out_features == 5
        search = GridSearchCV(
            clf,
            {"trunk__width": [3, 6]},
            cv=KFold(2, shuffle=True, random_state=0),
            scoring=mean_task_accuracy_scorer,
        ).fit(X, Y)
        assert search.best_params_["trunk__width"] in (3, 6)

    def test_instance_is_copied_not_trained(self, problem):
        X, Y = problem
        trunk = _Trunk(4)
        before = {k: v.clone() for k, v in trunk.state_dict().items()}
        clf = MultiTaskNetClassifier(trunk=trunk, **FAST).fit(X, Y)
        assert clf.net_.module_.trunk.module is not trunk
        assert all(torch.equal(before[k], v) for k, v in trunk.state_dict().items())

    def test_bad_trunks_are_reported(self, problem):
        X, Y = problem
        with pytest.raises(ValueError, match="trunk='rnn' is not known"):
            MultiTaskNetClassifier(trunk="rnn", **FAST).fit(X, Y)
        with pytest.raises(ValueError, match="failed on input of shape"):
            MultiTaskNetClassifier(trunk=torch.nn.Linear(3, 2), **FAST).fit(X, Y)
        with pytest.raises(TypeError, match="trunk must be"):
            MultiTaskNetClassifier(trunk=3, **FAST).fit(X, Y)
        with pytest.raises(TypeError, match="unexpected keyword argument 'hidden'"):
            MultiTaskNetClassifier(hidden=3, **FAST).fit(X, Y)
        with pytest.raises(ValueError, match="architecture='tree'"):
            MultiTaskNetClassifier(architecture="tree", **FAST).fit(X, Y)
