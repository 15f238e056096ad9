"""scikit-learn's common estimator checks, with no expected failure."""

from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier, LabelPowersetClassifier
from sklmtl.calibration import CalibratedMultiTaskClassifier


@parametrize_with_checks(
    [
        MultiTaskNetClassifier(
            hidden_layer_sizes=(32,), max_epochs=20, lr=0.01, random_state=0
        ),
        IndependentTaskClassifier(LogisticRegression(max_iter=1000)),
        LabelPowersetClassifier(LogisticRegression(max_iter=1000)),
        CalibratedMultiTaskClassifier(
            IndependentTaskClassifier(LogisticRegression(max_iter=1000)), cv=3
        ),
    ],
    expected_failed_checks=lambda est: {},
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
