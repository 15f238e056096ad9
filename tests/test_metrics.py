from functools import partial

import numpy as np
import pytest
from sklearn.metrics import f1_score

from sklmtl.metrics import mean_task_accuracy, per_task_scores, subset_accuracy

Y_TRUE = np.array([[0, "a"], [1, None], [1, "b"], [0, "b"]], dtype=object)
Y_PRED = np.array([[0, "a"], [0, "b"], [1, "a"], [0, "b"]], dtype=object)


def test_subset_accuracy_ignores_missing_cells():
    # Row 1: only task 0 is labelled and it is wrong; row 2: task 1 wrong.
    assert subset_accuracy(Y_TRUE, Y_PRED) == pytest.approx(0.5)


def test_subset_accuracy_skips_rows_without_labels():
    Y_true = np.array([[0, None], [None, None]], dtype=object)
    assert subset_accuracy(Y_true, np.array([[0, 1], [1, 1]])) == 1.0


def test_subset_accuracy_sample_weight():
    score = subset_accuracy(Y_TRUE, Y_PRED, sample_weight=[3, 1, 1, 1])
    assert score == pytest.approx(4 / 6)


def test_per_task_and_mean_task_accuracy():
    scores = per_task_scores(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(scores, [3 / 4, 2 / 3])
    assert mean_task_accuracy(Y_TRUE, Y_PRED) == pytest.approx((3 / 4 + 2 / 3) / 2)


def test_per_task_scores_with_other_metric_and_sentinel():
    Y_true = np.array([[0, 1], [1, -1], [1, 0]])
    Y_pred = np.array([[0, 1], [0, 0], [1, 0]])
    macro_f1 = partial(f1_score, average="macro")
    scores = per_task_scores(Y_true, Y_pred, metric=macro_f1, missing_label=-1)
    assert scores[1] == 1.0
    assert scores[0] == pytest.approx(f1_score([0, 1, 1], [0, 0, 1], average="macro"))


def test_mismatched_shapes_are_reported():
    with pytest.raises(ValueError, match="2 task"):
        subset_accuracy(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="3 samples"):
        subset_accuracy(np.zeros((3, 2)), np.zeros((2, 2)))
