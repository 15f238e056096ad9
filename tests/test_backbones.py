"""Backbones by name (trunk="resnet18", "timm:<name>", builder functions),
their starting weights (trunk__weights) and saving them (sklmtl.io).

Never downloads: pretrained weights are a randomly initialised state dict
written by the test itself. Tiny images (8 rows of 32x32, one epoch).
"""

import hashlib

import numpy as np
import pytest
import torch
from torch import nn

torchvision = pytest.importorskip("torchvision")

from sklmtl import MultiTaskNetClassifier  # noqa: E402
from sklmtl.io import load, save  # noqa: E402
from sklmtl.nn._backbones import backbone_factory  # noqa: E402

pytestmark = pytest.mark.vision

TINY = dict(max_epochs=1, batch_size=4, random_state=0)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    X = rng.random((8, 3, 32, 32), dtype=np.float32)
    Y = np.array([["cat", 0], ["dog", 1]] * 4, dtype=object)
    return X, Y


@pytest.fixture(scope="module")
def resnet18_state():
    torch.manual_seed(1)
    return torchvision.models.resnet18().state_dict()


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory, resnet18_state):
    path = tmp_path_factory.mktemp("weights") / "resnet18.pt"
    torch.save(resnet18_state, path)
    return path


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _linear_widths(module):
    return [m.out_features for m in module.modules() if isinstance(m, nn.Linear)]


def _trunk(clf):
    return clf.net_.module_.trunk


def _assert_same_proba(a, b, X):
    for p, q in zip(a.predict_proba(X), b.predict_proba(X)):
        np.testing.assert_array_equal(p, q)


class TestByName:
    @pytest.mark.parametrize(
        "name, width",
        [("resnet18", 512), ("mobilenet_v3_small", 1024), ("efficientnet_b0", 1280)],
    )
    def test_classifier_removed_and_width_found(self, images, name, width):
        X, Y = images
        clf = MultiTaskNetClassifier(trunk=name, **TINY).fit(X, Y)
        assert _trunk(clf).out_features == width
        # No ImageNet classifier left: the heads read the pooled features.
        assert 1000 not in _linear_widths(_trunk(clf))
        assert clf.predict(X).shape == (8, 2)

    def test_builder_function(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(trunk=torchvision.models.resnet18, **TINY)
        clf.fit(X, Y)
        assert _trunk(clf).out_features == 512

    def test_any_callable_returning_a_model(self, images, weights_file):
        def my_backbone(zero_init_residual=False):
            return torchvision.models.resnet18(zero_init_residual=zero_init_residual)

        X, Y = images
        clf = MultiTaskNetClassifier(
            trunk=my_backbone,
            trunk__zero_init_residual=True,
            trunk__weights=weights_file,
            **TINY,
        ).fit(X, Y)
        assert _trunk(clf).out_features == 512
        assert clf.trunk_weights_sha256_ == _sha256(weights_file)

    def test_builder_kwargs_are_trunk_params(self, images):
        X, Y = images
        clf = MultiTaskNetClassifier(
            trunk="mobilenet_v3_small", trunk__width_mult=0.5, **TINY
        ).fit(X, Y)
        # width_mult reached the builder: a narrower last convolution.
        assert _trunk(clf).module.features[-1][0].out_channels == 288

    def test_instance_with_classifier_is_stripped_not_trained_on(self, images):
        X, Y = images
        model = torchvision.models.resnet18()
        clf = MultiTaskNetClassifier(trunk=model, **TINY).fit(X, Y)
        assert _trunk(clf).out_features == 512
        assert 1000 not in _linear_widths(_trunk(clf))
        # The user's module is copied, never changed.
        assert isinstance(model.fc, nn.Linear) and model.fc.out_features == 1000

    def test_timm_by_name(self, images):
        pytest.importorskip("timm")
        X, Y = images
        clf = MultiTaskNetClassifier(trunk="timm:resnet18", **TINY).fit(X, Y)
        assert _trunk(clf).out_features == 512
        assert 1000 not in _linear_widths(_trunk(clf))

    def test_timm_instance_with_classifier_is_stripped(self, images):
        timm = pytest.importorskip("timm")
        X, Y = images
        model = timm.create_model("resnet18")
        clf = MultiTaskNetClassifier(trunk=model, **TINY).fit(X, Y)
        assert _trunk(clf).out_features == 512
        assert model.num_classes == 1000  # the user's model is not changed

    def test_unknown_name(self, images):
        X, Y = images
        with pytest.raises(ValueError, match="trunk='resnet19' is not known"):
            MultiTaskNetClassifier(trunk="resnet19", **TINY).fit(X, Y)

    def test_unknown_timm_name(self, images):
        pytest.importorskip("timm")
        X, Y = images
        with pytest.raises(ValueError, match="is not a timm model"):
            MultiTaskNetClassifier(trunk="timm:no_such_net", **TINY).fit(X, Y)

    def test_flat_rows_refused(self):
        X = np.zeros((4, 5), dtype=np.float32)
        with pytest.raises(ValueError, match="image backbone"):
            MultiTaskNetClassifier(trunk="resnet18", **TINY).fit(X, [0, 1, 0, 1])

    def test_sparse_rows_refused(self):
        import scipy.sparse as sp

        X = sp.csr_matrix(np.eye(4, 12, dtype=np.float32))
        clf = MultiTaskNetClassifier(trunk="resnet18", **TINY)
        with pytest.raises(ValueError, match=r"set up for images \(trunk='resnet18'"):
            clf.fit(X, [0, 1, 0, 1])


class TestWeights:
    def test_local_file_is_loaded_and_digest_recorded(
        self, images, weights_file, resnet18_state
    ):
        backbone = backbone_factory("resnet18", {"weights": weights_file})()
        for key, value in backbone.state_dict().items():
            torch.testing.assert_close(value, resnet18_state[key], rtol=0, atol=0)
        X, Y = images
        clf = MultiTaskNetClassifier(
            trunk="resnet18", trunk__weights=str(weights_file), **TINY
        ).fit(X, Y)
        assert clf.trunk_weights_sha256_ == _sha256(weights_file)

    def test_safetensors_file_without_classifier(self, tmp_path, resnet18_state):
        from safetensors.torch import save_file

        path = tmp_path / "backbone.safetensors"
        save_file({k: v for k, v in resnet18_state.items() if "fc." not in k}, path)
        backbone = backbone_factory("resnet18", {"weights": path})()
        torch.testing.assert_close(
            backbone.conv1.weight, resnet18_state["conv1.weight"], rtol=0, atol=0
        )

    def test_weights_of_another_model_refused(self, tmp_path):
        path = tmp_path / "mobilenet.pt"
        torch.save(torchvision.models.mobilenet_v3_small().state_dict(), path)
        with pytest.raises(ValueError, match="do not fit the backbone ResNet"):
            backbone_factory("resnet18", {"weights": path})()

    def test_file_that_is_not_a_state_dict(self, tmp_path):
        path = tmp_path / "list.pt"
        torch.save([torch.zeros(1)], path)
        with pytest.raises(ValueError, match="not a state dict"):
            backbone_factory("resnet18", {"weights": path})

    def test_missing_file(self, images, tmp_path):
        X, Y = images
        clf = MultiTaskNetClassifier(
            trunk="resnet18", trunk__weights=str(tmp_path / "none.pt"), **TINY
        )
        with pytest.raises(ValueError, match="no such file"):
            clf.fit(X, Y)

    def test_torchvision_weights_by_name_without_download(
        self, monkeypatch, resnet18_state
    ):
        # The enum's download, replaced by the local state dict.
        from torchvision.models import _api

        urls = []

        def fake_download(url, *args, **kwargs):
            urls.append(url)
            return resnet18_state

        monkeypatch.setattr(_api, "load_state_dict_from_url", fake_download)
        for weights in ("IMAGENET1K_V1", torchvision.models.ResNet18_Weights.DEFAULT):
            backbone = backbone_factory("resnet18", {"weights": weights})()
            torch.testing.assert_close(
                backbone.conv1.weight, resnet18_state["conv1.weight"], rtol=0, atol=0
            )
            assert isinstance(backbone.fc, nn.Identity)
        assert len(urls) == 2
        # Built without weights (what load does): nothing is downloaded.
        backbone_factory("resnet18", {"weights": "IMAGENET1K_V1"}, load_weights=False)()
        assert len(urls) == 2

    @pytest.mark.parametrize("name", ["resnet18", "googlenet"])
    def test_built_without_download_behaves_as_with_it(self, monkeypatch, name):
        """load builds without the weights: the same network as torchvision's
        with them (googlenet's pretrained weights switch on transform_input
        and drop the auxiliary heads)."""
        from torchvision.models import _api

        builder = torchvision.models.get_model_builder(name)
        aux = {"aux_logits": True, "init_weights": False} if name == "googlenet" else {}
        state = builder(**aux).state_dict()
        monkeypatch.setattr(_api, "load_state_dict_from_url", lambda *a, **k: state)
        downloaded = backbone_factory(name, {"weights": "DEFAULT"})().eval()
        rebuilt = backbone_factory(name, {"weights": "DEFAULT"}, load_weights=False)()
        rebuilt.load_state_dict(downloaded.state_dict())
        X = torch.rand(2, 3, 64, 64)
        with torch.no_grad():
            torch.testing.assert_close(rebuilt.eval()(X), downloaded(X), rtol=0, atol=0)

    def test_unknown_weights_name(self):
        with pytest.raises(ValueError, match="IMAGENET1K_V1"):
            backbone_factory("resnet18", {"weights": "IMAGENET_NOPE"})


@pytest.fixture(scope="module")
def fitted(images, weights_file):
    """A builder function with a local weights file (a pathlib.Path)."""
    X, Y = images
    return MultiTaskNetClassifier(
        trunk=torchvision.models.resnet18, trunk__weights=weights_file, **TINY
    ).fit(X, Y)


class TestSaving:
    def test_round_trip_without_custom_objects_or_weights_file(
        self, fitted, images, tmp_path, weights_file, monkeypatch
    ):
        X, _ = images
        path = tmp_path / "model.safetensors"
        save(fitted, path)

        def no_read(*args, **kwargs):
            raise AssertionError("load read the starting weights file")

        monkeypatch.setattr(torch, "load", no_read)
        loaded = load(path)
        _assert_same_proba(loaded, fitted, X)
        # The builder function is saved as its name, the path as a string.
        assert loaded.trunk == "resnet18"
        assert loaded.trunk__weights == str(weights_file)
        assert loaded.trunk_weights_sha256_ == _sha256(weights_file)

    def test_weights_only(self, fitted, images, tmp_path):
        X, Y = images
        full, light = tmp_path / "full.safetensors", tmp_path / "light.safetensors"
        save(fitted, full)
        save(fitted, light, optimizer_state=False)
        # Adam's two moments are twice the weights: about a third of the size.
        assert light.stat().st_size < 0.4 * full.stat().st_size
        loaded = load(light)
        _assert_same_proba(loaded, fitted, X)
        assert loaded.net_.optimizer_.state_dict()["state"] == {}
        loaded.set_params(warm_start=True).fit(X, Y)
        assert loaded.n_iter_ == 2
        assert loaded.net_.optimizer_.state_dict()["state"]

    def test_instance_refused_with_the_way_out(self, images, tmp_path):
        X, Y = images
        clf = MultiTaskNetClassifier(trunk=torchvision.models.resnet18(), **TINY)
        clf.fit(X, Y)
        with pytest.raises(TypeError, match="trunk='resnet18'"):
            save(clf, tmp_path / "m.safetensors")

    def test_onnx_export(self, fitted, images, tmp_path):
        ort = pytest.importorskip("onnxruntime")
        pytest.importorskip("onnx")
        from sklmtl.io import to_onnx

        X, _ = images
        path = tmp_path / "model.onnx"
        to_onnx(fitted, path)
        session = ort.InferenceSession(str(path))
        outputs = session.run(None, {session.get_inputs()[0].name: X})
        for got, expected in zip(outputs, fitted.predict_proba(X)):
            np.testing.assert_allclose(got, expected, atol=1e-5)

    def test_onnx_export_with_torchvision_valid_transform(self, images, tmp_path):
        # The example's setting: a named backbone, a v2 Resize + Normalize at
        # prediction (and bf16, whose probabilities differ by its rounding).
        ort = pytest.importorskip("onnxruntime")
        pytest.importorskip("onnx")
        from torchvision.transforms import v2

        from sklmtl.io import to_onnx

        X, Y = images
        transform = v2.Compose([v2.Resize(24), v2.Normalize([0.5] * 3, [0.2] * 3)])
        clf = MultiTaskNetClassifier(
            trunk="resnet18", valid_transform=transform, **TINY
        ).fit(X, Y)
        path = tmp_path / "model.onnx"
        names = to_onnx(clf, path)
        outputs = ort.InferenceSession(str(path)).run(names, {"X": X})
        for got, expected in zip(outputs, clf.predict_proba(X)):
            np.testing.assert_allclose(got, expected, atol=1e-5)


def test_search_over_image_files_with_train_transform(tmp_path, weights_file):
    # The gallery example's estimator in GridSearchCV over files: the named
    # backbone, its weights file, train-only augmentation and parameter
    # groups are cloned into every fold.
    from PIL import Image
    from sklearn.model_selection import GridSearchCV, KFold
    from torchvision.transforms import v2

    from sklmtl.datasets import ImageFiles

    rng = np.random.default_rng(0)
    paths = []
    for i, pixels in enumerate(rng.integers(0, 256, (8, 32, 32, 3), np.uint8)):
        Image.fromarray(pixels).save(tmp_path / f"{i}.png")
        paths.append(tmp_path / f"{i}.png")
    files = ImageFiles(paths, targets=np.array([["a", "x"], ["b", "y"]] * 4))
    clf = MultiTaskNetClassifier(
        trunk="resnet18",
        trunk__weights=weights_file,
        train_transform=v2.RandomResizedCrop(32, scale=(0.8, 1.0)),
        optimizer__param_groups=[("trunk.*", {"lr": 1e-4})],
        lr_schedule="cosine",
        warmup_epochs=0.5,
        **TINY,
    )
    search = GridSearchCV(clf, {"lr": [1e-3, 1e-2]}, cv=KFold(2)).fit(
        files, files.targets
    )
    assert len(search.cv_results_["mean_test_score"]) == 2
    best = search.best_estimator_
    assert best.trunk_weights_sha256_ == _sha256(weights_file)
    # The backbone's group, then the heads' at the searched rate (peak values).
    peaks = [g["initial_lr"] for g in best.net_.optimizer_.param_groups]
    assert peaks == [1e-4, search.best_params_["lr"]]
    assert best.predict(files[:3]).shape == (3, 2)
