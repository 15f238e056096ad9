"""Image data as it comes, train-only augmentation and validation data.

Tiny images (8x8 to 16x16), a dozen rows, one or two epochs. Each image
carries its row id in its pixels (every pixel equals the id), so a transform
can tell which rows it was called on.
"""

import os
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import torch
from PIL import Image
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from skorch.dataset import Dataset as SkorchDataset
from skorch.dataset import ValidSplit
from skorch.helper import SliceDataset, predefined_split
from torch import nn
from torch.utils.data import Dataset, TensorDataset

from sklmtl import MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.datasets import DatasetRows, ImageFiles

N, SIZE = 12, 8


class PooledConv(nn.Module):
    """A size-agnostic trunk: one convolution, then global average pooling."""

    def __init__(self, in_channels=3):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 4, 3, padding=1)

    def forward(self, X):
        return torch.relu(self.conv(X)).mean(dim=(2, 3))


def net(**params):
    defaults = dict(
        trunk=PooledConv, max_epochs=1, batch_size=4, random_state=0, n_threads=1
    )
    return MultiTaskNetClassifier(**{**defaults, **params})


def id_images(ids, size=SIZE, layout="NHWC"):
    """uint8 images whose every pixel is the row id."""
    ids = np.asarray(ids, dtype=np.uint8)
    shape = (len(ids), size, size, 3) if layout == "NHWC" else (len(ids), 3, size, size)
    return np.broadcast_to(ids[:, None, None, None], shape).copy()


def labels(n=N):
    rng = np.random.default_rng(0)
    return np.c_[rng.integers(0, 2, n), rng.integers(0, 3, n)]


class IdRecorder:
    """A transform that records the row id of each image it is called on."""

    def __init__(self):
        self.ids = []

    def __call__(self, image):
        self.ids.append(round(float(image[0, 0, 0]) * 255))
        return image


# ------------------------------------------------------------- uint8 arrays
def test_uint8_either_layout_equals_float_scaled():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, (N, SIZE, SIZE, 3), dtype=np.uint8)
    Y = labels()
    nhwc = net().fit(X, Y).predict_proba(X)
    nchw_X = np.ascontiguousarray(X.transpose(0, 3, 1, 2))
    nchw = net().fit(nchw_X, Y).predict_proba(nchw_X)
    scaled = nchw_X.astype(np.float32) / 255
    reference = net().fit(scaled, Y).predict_proba(scaled)
    for a, b, c in zip(nhwc, nchw, reference):
        np.testing.assert_allclose(a, c, atol=1e-6)
        np.testing.assert_allclose(b, c, atol=1e-6)


def test_uint8_array_is_converted_per_batch_not_whole():
    # 400 images of 32x32x3 (1.2 MB as uint8, 4.9 MB as float32): prediction
    # converts batch_size rows at a time, never a float copy of the array.
    X = np.random.default_rng(0).integers(0, 256, (400, 32, 32, 3), dtype=np.uint8)
    clf = net(batch_size=16).fit(X[:8], labels(8))
    tracemalloc.start()
    clf.predict(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < X.nbytes


def test_ambiguous_layout_refused_then_explicit():
    X = id_images(range(N), size=3, layout="NCHW")  # (12, 3, 3, 3)
    with pytest.raises(ValueError, match="image_layout='NCHW'"):
        net().fit(X, labels())
    net(image_layout="NCHW").fit(X, labels())


def test_layout_from_the_trunks_channels():
    # (N, 3, 8, 1): one grey channel last; a 1-channel trunk decides it.
    X = np.zeros((N, 3, 8, 1), np.uint8)
    with pytest.raises(ValueError, match="both match"):
        net().fit(X, labels())
    clf = net(trunk__in_channels=1).fit(X, labels())
    assert clf.n_features_in_ == 1
    assert clf.predict(X).shape == (N, 2)


def test_other_image_size_at_predict():
    X, Y = id_images(range(N)), labels()
    clf = net().fit(X, Y)
    assert clf.predict(id_images(range(3), size=13)).shape == (3, 2)
    fixed = net(trunk="cnn", trunk__conv_channels=(4,), trunk__kernel_size=3).fit(X, Y)
    with pytest.raises(ValueError, match="fitted on 8x8 images.*13x13"):
        fixed.predict(id_images(range(3), size=13))
    with pytest.raises(ValueError, match="shape"):
        clf.predict(np.zeros((2, 8, 8, 1), np.uint8))


# -------------------------------------------------------- Datasets, labels
class TupleImages(Dataset):
    """(image, labels) items; ``as_dict`` gives dicts with custom keys."""

    def __init__(self, n=N, as_dict=False, pil=False):
        self.images = torch.from_numpy(id_images(range(n), layout="NCHW"))
        self.y = labels(n)
        self.as_dict, self.pil = as_dict, pil

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = self.images[i]
        if self.pil:
            image = Image.fromarray(image.permute(1, 2, 0).numpy())
        if self.as_dict:
            return {
                "pixels": image,
                "attrs": {"smiling": self.y[i, 0], "hat": self.y[i, 1]},
            }
        return image, torch.as_tensor(self.y[i])


def test_fit_dataset_with_labels_inside():
    data = TupleImages()
    clf = net().fit(data)
    reference = net().fit(data, labels())
    np.testing.assert_array_equal(
        clf.predict_proba(data)[1], reference.predict_proba(data)[1]
    )
    assert clf.task_names_ == ["task_0", "task_1"]


def test_fit_dataset_of_dicts_with_keys():
    data = TupleImages(as_dict=True)
    with pytest.raises(ValueError, match="item_keys"):
        net().fit(data)
    clf = net(item_keys=("pixels", "attrs")).fit(data)
    assert clf.task_names_ == ["smiling", "hat"]
    assert clf.predict(data).shape == (N, 2)


def test_fit_dataset_of_pil_images():
    clf = net().fit(TupleImages(pil=True))
    assert clf.n_features_in_ == 3
    assert clf.predict(TupleImages(pil=True)).shape == (N, 2)


class ImagesOnly(Dataset):
    """Items are images only; the labels are declared in ``targets``."""

    def __init__(self):
        self.images = torch.from_numpy(id_images(range(N), layout="NCHW"))
        self.targets = pd.DataFrame(labels(), columns=["a", "b"])

    def __len__(self):
        return N

    def __getitem__(self, i):
        return self.images[i]


def test_fit_dataset_reads_declared_targets():
    clf = net().fit(ImagesOnly())
    assert clf.task_names_ == ["a", "b"]


def test_y_none_refused_for_arrays():
    with pytest.raises(ValueError, match="requires y to be passed"):
        net().fit(id_images(range(N)))
    with pytest.raises(ValueError, match="hold no labels"):
        net().fit(TensorDataset(torch.zeros(N, 3, 8, 8)))


class PidRecorder(Dataset):
    """Writes the id of the process that reads each item into ``folder``."""

    def __init__(self, folder):
        self.folder = folder
        self.images = torch.from_numpy(id_images(range(N), layout="NCHW"))

    def __len__(self):
        return N

    def __getitem__(self, i):
        with open(os.path.join(self.folder, f"{os.getpid()}.pid"), "a") as file:
            file.write(f"{i}\n")
        return self.images[i], torch.as_tensor(labels()[i])


def test_predict_reads_a_dataset_in_loader_workers(tmp_path):
    clf = net().fit(PidRecorder(tmp_path))
    for path in tmp_path.iterdir():
        path.unlink()
    clf.set_params(iterator_valid__num_workers=2)
    clf.predict(PidRecorder(tmp_path))
    reads = {int(p.stem): p.read_text().split() for p in tmp_path.iterdir()}
    # The main process checks the first item; the workers read every row.
    assert reads.pop(os.getpid()) == ["0"]
    assert len(reads) == 2
    assert sorted(int(i) for rows in reads.values() for i in rows) == list(range(N))


# ------------------------------------------------------------- image files
@pytest.fixture
def image_table(tmp_path):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(N):
        name = f"img_{i}.{'png' if i % 2 else 'jpg'}"
        pixels = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(tmp_path / name)
        rows.append({"path": str(tmp_path / name), "file": name})
    table = pd.DataFrame(rows)
    table[["smiling", "hat"]] = labels()
    return table, tmp_path


def test_fit_paths_column_beside_attributes(image_table):
    table, _ = image_table
    clf = net(image_column="path").fit(table[["path"]], table[["smiling", "hat"]])
    assert clf.task_names_ == ["smiling", "hat"]
    assert clf.predict(table[["path"]]).shape == (N, 2)
    with pytest.raises(ValueError, match="one column of image paths"):
        clf.predict(table[["path", "file"]])


def test_fit_image_files_from_a_folder_and_table(image_table):
    table, folder = image_table
    files = ImageFiles.from_frame(table, "file", ["smiling", "hat"], root=folder)
    workers = dict(iterator_train__num_workers=2, iterator_valid__num_workers=2)
    clf = net(**workers).fit(files)
    by_column = net(image_column="path", **workers).fit(
        table[["path"]], table[["smiling", "hat"]]
    )
    np.testing.assert_allclose(
        clf.predict_proba(files)[0],
        by_column.predict_proba(table[["path"]])[0],
        atol=1e-6,
    )


def test_images_of_different_sizes_in_one_batch_refused(tmp_path):
    for i, size in enumerate([8, 8, 6]):
        Image.fromarray(np.zeros((size, size, 3), np.uint8)).save(tmp_path / f"{i}.png")
    files = ImageFiles([tmp_path / f"{i}.png" for i in range(3)])
    clf = net().fit(id_images(range(N)), labels())
    with pytest.raises(ValueError, match="different sizes in one batch"):
        clf.predict(files)


# ---------------------------------------------- augmentation and validation
def test_validation_data_never_augmented():
    train, valid = id_images(range(N)), id_images(range(100, 106))
    augment, prepare = IdRecorder(), IdRecorder()
    clf = net(
        max_epochs=2,
        train_transform=augment,
        valid_transform=prepare,
        validation_data=(valid, labels(6)),
    ).fit(train, labels())
    # Drawn anew every epoch: each training row once per epoch, nothing else.
    assert sorted(augment.ids) == sorted(list(range(N)) * 2)
    assert "valid_loss" in clf.history_[-1]
    # The validation rows each epoch (and the first row, for the input shape).
    assert sorted(prepare.ids) == sorted([0, *list(range(100, 106)) * 2])
    prepare.ids.clear()
    clf.predict(id_images(range(50, 53)))
    assert prepare.ids == [50, 51, 52]
    assert len(augment.ids) == 2 * N


def test_early_stopping_split_never_augmented():
    augment = IdRecorder()
    clf = net(
        max_epochs=2,
        train_transform=augment,
        early_stopping=True,
        validation_fraction=0.25,
    ).fit(id_images(range(N)), labels())
    assert len(set(augment.ids)) == N - 3
    assert clf.history_[-1]["valid_loss"] > 0


@pytest.mark.parametrize(
    ("split", "n_train"),
    [
        (lambda: predefined_split(SkorchDataset(id_images([90] * 4), labels(4))), N),
        (lambda: predefined_split(TupleImages(4)), N),
        (lambda: ValidSplit(4, stratified=False), N - N // 4),
    ],
    ids=["predefined_arrays", "predefined_dataset", "valid_split"],
)
def test_train_split(split, n_train):
    augment = IdRecorder()
    clf = net(train_transform=augment, train_split=split()).fit(
        id_images(range(N)), labels()
    )
    assert "valid_loss" in clf.history_[-1]
    assert len(augment.ids) == len(set(augment.ids)) == n_train
    assert 90 not in augment.ids


def test_transforms_are_parameters():
    augment = IdRecorder()
    clf = net(train_transform=augment, validation_data=(id_images(range(3)), labels(3)))
    params = clf.get_params()
    assert params["train_transform"] is augment and params["valid_transform"] is None
    assert isinstance(clone(clf).train_transform, IdRecorder)


def test_save_refuses_transforms_then_round_trips(tmp_path):
    from sklmtl.io import load, save

    X = id_images(range(N))
    clf = net(
        trunk="cnn",
        trunk__conv_channels=(4,),
        trunk__kernel_size=3,
        valid_transform=IdRecorder(),
        validation_data=(X[:3], labels(3)),
    ).fit(X, labels())
    with pytest.raises(TypeError, match=r"set_params\(valid_transform=None, vali"):
        save(clf, tmp_path / "m.safetensors")
    clf.set_params(valid_transform=None, validation_data=None)
    save(clf, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(loaded.predict_proba(X)[1], clf.predict_proba(X)[1])


def test_loading_a_checkpoint_warns_that_valid_transform_is_not_in_it(tmp_path):
    """A checkpoint is written with the transforms left out (save refuses
    them): a model read from it must not silently predict without one."""
    from sklmtl.io import TrainingCheckpoint, load

    X = id_images(range(N))
    path = tmp_path / "run.safetensors"
    net(valid_transform=IdRecorder(), callbacks=[TrainingCheckpoint(path)]).fit(
        X, labels()
    )
    with pytest.warns(UserWarning, match=r"set_params\(valid_transform=\.\.\.\)"):
        loaded = load(path, custom_objects={"PooledConv": PooledConv})
    assert loaded.valid_transform is None


def test_conflicting_settings_refused():
    X, Y = id_images(range(N)), labels()
    with pytest.raises(ValueError, match="collate_fn and train_transform"):
        net(train_transform=IdRecorder(), iterator_train__collate_fn=list).fit(X, Y)
    both = net(validation_data=(X, Y), train_split=ValidSplit(3, stratified=False))
    with pytest.raises(ValueError, match="both set"):
        both.fit(X, Y)
    with pytest.raises(TypeError, match="validation_data must be"):
        net(validation_data=X).fit(X, Y)
    # Checked as X and Y are, and said to be the validation data.
    with pytest.raises(ValueError, match="^validation_data: X has 4 features"):
        MultiTaskNetClassifier(
            max_epochs=1, validation_data=(np.zeros((3, 4)), [[0, 1]] * 3)
        ).fit(np.zeros((6, 2)), [[0, 1], [1, 0]] * 3)
    with pytest.raises(ValueError, match="^validation_data: Task 'task_1' has label 7"):
        MultiTaskNetClassifier(
            max_epochs=1, validation_data=(np.zeros((3, 2)), [[0, 7]] * 3)
        ).fit(np.zeros((6, 2)), [[0, 1], [1, 0]] * 3)
    with pytest.raises(ValueError, match="item_keys must be a pair"):
        net(item_keys=("image",)).fit(X, Y)


def test_regression_validation_data_uses_the_fit_scaling():
    X = id_images(range(N))
    y = np.arange(N, dtype=float) * 100.0
    reg = MultiTaskNetRegressor(
        trunk=PooledConv, max_epochs=1, random_state=0, validation_data=(X, y)
    ).fit(X, y)
    # Standardised with the fit's mean and scale (the raw targets, up to
    # 1,100, would give a squared error of about 1e5).
    assert reg.history_[-1]["valid_loss"] < 10


# ---------------------------------------------------------- lazy searches
class CountingImages(Dataset):
    """uint8 id images with labels; counts item reads."""

    def __init__(self):
        self.images = torch.from_numpy(id_images(range(N), layout="NCHW"))
        self.reads = 0

    def __len__(self):
        return N

    def __getitem__(self, i):
        self.reads += 1
        return self.images[i], torch.as_tensor(labels()[i])


def id_recording_function():
    """IdRecorder as a function: clone (deepcopy) keeps a function as it is, so
    the ids of every fit of a search reach one list."""
    ids = []

    def record(image):
        ids.append(round(float(image[0, 0, 0]) * 255))
        return image

    record.ids = ids
    return record


def test_search_folds_are_views_and_test_rows_never_augmented():
    data, augment = CountingImages(), id_recording_function()
    train, test = np.arange(8), np.arange(8, N)
    search = GridSearchCV(
        net(max_epochs=2, train_transform=augment),
        {"lr": [1e-3, 1e-2]},
        cv=[(train, test)],
        refit=False,
    ).fit(DatasetRows(data), labels())
    assert len(search.cv_results_["mean_test_score"]) == 2
    assert set(augment.ids) == set(train)
    # Two fits of two epochs each: every training row augmented 4 times.
    assert sorted(augment.ids) == sorted(list(train) * 4)
    # Nothing read up front: the epochs' rows, the scored rows, first items.
    assert data.reads <= 2 * (2 * len(train) + len(test) + 4)


def test_skorch_slice_dataset_read_lazily():
    data, augment = CountingImages(), IdRecorder()
    rows = SliceDataset(data)
    clf = net(max_epochs=2, train_transform=augment).fit(rows, labels())
    assert sorted(augment.ids) == sorted(list(range(N)) * 2)
    assert data.reads == 2 * N + 1  # two epochs and the first item's check
    assert clf.predict(rows[np.arange(3)]).shape == (3, 2)


def test_dataset_rows_slice_like_arrays():
    rows = DatasetRows(ImagesOnly())
    fold = rows[np.array([True, False] * (N // 2))]
    assert len(fold) == N // 2 and fold.shape == (N // 2,)
    assert fold.targets["a"].tolist() == ImagesOnly().targets["a"][::2].tolist()
    assert float(fold[1][0, 0, 0]) == 2


# ----------------------------------------------------- torchvision transforms
@pytest.mark.vision
def test_torchvision_v2_transforms():
    v2 = pytest.importorskip("torchvision.transforms.v2")
    clf = net(
        train_transform=v2.Compose(
            [v2.RandomResizedCrop(6, antialias=True), v2.RandomHorizontalFlip()]
        ),
        valid_transform=v2.Compose(
            [v2.Resize(6, antialias=True), v2.Normalize([0.5] * 3, [0.25] * 3)]
        ),
        trunk="cnn",
        trunk__conv_channels=(4,),
        trunk__kernel_size=3,
        validation_data=(id_images(range(4)), labels(4)),
    ).fit(id_images(range(N)), labels())
    assert clf.predict(id_images(range(3), size=10)).shape == (3, 2)


# ------------------------------------------------------------------ ONNX export
def _onnx_proba(clf, X, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from sklmtl.io import to_onnx

    path = tmp_path / "model.onnx"
    names = to_onnx(clf, path)
    return ort.InferenceSession(str(path)).run(names, {"X": X})


def test_onnx_graph_applies_the_valid_transform(tmp_path):
    # A uint8 NHWC fit: the graph reads float NCHW in [0, 1], then the
    # normalisation of valid_transform, as predict_proba does (it was left
    # out of the graph, whose probabilities then differed).
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(N, SIZE, SIZE, 3), dtype=np.uint8)
    clf = net(valid_transform=lambda image: (image - 0.5) / 0.05, max_epochs=2)
    clf.fit(images, labels())
    batch = images.transpose(0, 3, 1, 2).astype(np.float32) / 255
    for got, expected in zip(
        _onnx_proba(clf, batch, tmp_path), clf.predict_proba(images)
    ):
        np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize(
    "transform",
    [
        lambda image: image[:, 1:, 1:],  # written for one (C, H, W) image
        lambda image: image + torch.rand(()),  # random
    ],
    ids=["single-image", "random"],
)
def test_onnx_refuses_a_valid_transform_that_takes_no_batch(transform, tmp_path):
    clf = net(valid_transform=transform).fit(id_images(range(N)), labels())
    with pytest.raises(ValueError, match="valid_transform=None"):
        _onnx_proba(clf, None, tmp_path)
    assert not (tmp_path / "model.onnx").exists()


# ------------------------------------------- transforms with their own get_params
class RandomShift:
    """As torchvision's random transforms: a static ``get_params`` that draws
    one call's parameters (scikit-learn takes such an object for an estimator)."""

    def __init__(self, max_shift=2):
        self.max_shift = max_shift

    @staticmethod
    def get_params(image, max_shift):
        return int(torch.randint(-max_shift, max_shift + 1, ()))

    def __call__(self, image):
        return image.roll(self.get_params(image, self.max_shift), dims=-1)


def test_transform_with_its_own_get_params_is_cloned_and_searched():
    clf = net(train_transform=RandomShift(3), valid_transform=RandomShift(0))
    params = clf.get_params(deep=True)  # raised: get_params() missing 'image'
    assert params["train_transform"] is clf.train_transform
    assert not any(key.startswith("train_transform__") for key in params)
    copy = clone(clf)  # raised: get_params() got an unexpected keyword 'deep'
    assert copy.train_transform is not clf.train_transform
    assert copy.train_transform.max_shift == 3
    search = GridSearchCV(clf, {"lr": [1e-3, 1e-2]}, cv=2).fit(
        id_images(range(N)), labels()
    )
    assert search.best_estimator_.train_transform.max_shift == 3
