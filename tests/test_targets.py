import numpy as np
import pandas as pd
import pytest

from sklmtl._target_columns import missing_mask
from sklmtl._targets import decode_predictions, encode_targets


def test_missing_mask_covers_none_nan_na_and_sentinel():
    column = np.array([1, None, np.nan, pd.NA, -1, 2], dtype=object)
    assert missing_mask(column).tolist() == [False, True, True, True, False, False]
    assert missing_mask(column, missing_label=-1).tolist() == [
        False,
        True,
        True,
        True,
        True,
        False,
    ]


def test_encode_decode_round_trip_mixed_label_types():
    Y = np.array([[1, "b", True], [0, "a", False], [1, None, True]], dtype=object)
    codes, classes, names, is_1d = encode_targets(Y)
    assert codes.tolist() == [[1, 1, 1], [0, 0, 0], [1, -1, 1]]
    assert [c.tolist() for c in classes] == [[0, 1], ["a", "b"], [False, True]]
    assert names == ["task_0", "task_1", "task_2"] and not is_1d
    decoded = decode_predictions(np.maximum(codes, 0), classes, is_1d)
    assert decoded.dtype == object
    assert decoded[:2].tolist() == Y[:2].tolist()


def test_dataframe_names_and_nullable_dtypes():
    Y = pd.DataFrame(
        {
            "species": ["a", "b", None, "a"],
            "count": pd.array([1, pd.NA, 2, 1], dtype="Int64"),
        }
    )
    codes, classes, names, _ = encode_targets(Y)
    assert names == ["species", "count"]
    assert codes[:, 0].tolist() == [0, 1, -1, 0]
    assert codes[:, 1].tolist() == [0, -1, 1, 0]


def test_numeric_labels_keep_their_dtype():
    codes, classes, _, _ = encode_targets(np.array([[3, 1], [5, 0]]))
    assert decode_predictions(codes, classes, False).dtype == np.int64


@pytest.mark.parametrize(
    "Y, error, match",
    [
        (np.array([[0, "a"], [1, 2]], dtype=object), TypeError, "task_1.*mixes"),
        (np.array([[0, [1]], [1, [2]]], dtype=object), TypeError, "unhashable"),
        (np.array([[0, None], [1, np.nan]], dtype=object), ValueError, "task_1.*no"),
        (np.array([[0, 1], [1, 1]]), ValueError, "task_1.*one class"),
        (np.array([[0, 0.5], [1, 1.5]]), ValueError, "Unknown label type.*task_1"),
        (np.array([[0, np.inf], [1, 1.0]]), ValueError, "infinity.*task_1"),
        (np.zeros((2, 2, 2)), ValueError, "3 dimensions"),
        (None, ValueError, "requires y"),
    ],
)
def test_bad_targets_name_the_task(Y, error, match):
    with pytest.raises(error, match=match):
        encode_targets(Y)


def test_unknown_label_with_known_classes():
    classes = [np.array([0, 1])]
    with pytest.raises(ValueError, match="label 7"):
        encode_targets(np.array([0, 7]), classes=classes)


def _decode_column_by_column(codes, classes):
    """decode_predictions as it was written: one column copy per task."""
    columns = [task_classes[codes[:, t]] for t, task_classes in enumerate(classes)]
    kinds = {np.dtype(c.dtype).kind for c in classes}
    same_kind = len(kinds) == 1 and kinds <= set("biufUSmM")
    dtype = np.result_type(*[c.dtype for c in classes]) if same_kind else object
    out = np.empty((codes.shape[0], len(classes)), dtype=dtype)
    for t, column in enumerate(columns):
        out[:, t] = column
    return out


CLASS_SETS = {
    "ints of two widths": [np.array([3, 7]), np.array([0, 1, 2], dtype=np.int32)],
    "bools": [np.array([False, True])] * 3,
    "strings of two lengths": [np.array(["a", "b"]), np.array(["no", "yes", "zz"])],
    "floats": [np.array([0.5, 1.5]), np.array([-1.0, 0.0, 2.0, 9.0])],
    "datetimes": [np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]")] * 2,
    "ints and bools": [np.array([3, 7]), np.array([False, True])],
}


@pytest.mark.parametrize("name", list(CLASS_SETS))
@pytest.mark.parametrize("as_bool", [False, True])
def test_decode_equals_a_column_by_column_decode(name, as_bool):
    """The one-gather decode gives each cell, dtype and shape of the loop."""
    classes = CLASS_SETS[name]
    rng = np.random.default_rng(0)
    width = 2 if as_bool else min(len(c) for c in classes)
    codes = rng.integers(0, width, size=(50, len(classes)))
    if as_bool:  # the binary path hands over p > 0.5
        codes = codes.astype(bool)
    got = decode_predictions(codes, classes, is_1d=False)
    want = _decode_column_by_column(codes.astype(np.intp), classes)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tolist() == want.tolist()
    empty = decode_predictions(codes[:0], classes, is_1d=False)
    assert empty.shape == (0, len(classes)) and empty.dtype == want.dtype
