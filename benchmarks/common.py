"""Helpers shared by the benchmark scripts: the digits split and the JSON record."""

import json
import os
import platform
import sys

import numpy as np
import sklearn
import torch
from sklearn.model_selection import train_test_split

import sklmtl
from sklmtl.datasets import load_multitask_digits

DIGITS_DESCRIPTION = "multitask digits, 1/3 of digit labels missing, 30% test split"


def digits_split(seed):
    """The multi-task digits split 70/30 with a third of the digit labels removed."""
    X, Y = load_multitask_digits(return_X_y=True)
    X_train, X_test, Y_train, Y_test = train_test_split(
        X, Y, test_size=0.3, random_state=seed
    )
    Y_train = Y_train.copy()
    Y_train[np.random.RandomState(seed).rand(len(Y_train)) < 1 / 3, 0] = None
    return X_train, X_test, Y_train, Y_test


def warm_up_torch():
    """Pay torch's one-time, per-process import cost before anything is timed.

    The first ``torch.optim`` optimizer a process builds imports
    ``torch._dynamo`` (several seconds, more on a busy machine), which would
    otherwise be charged to whichever network is fitted first. scikit-learn's
    estimators have no such cost, so it is paid here, once, untimed.
    """
    import torch._dynamo  # noqa: F401


def write_results(path, dataset, records, **extra):
    """Write ``records`` with the versions and the machine to ``path`` (JSON).

    ``extra`` keys (e.g. a description of the data) are added to the payload.
    """
    payload = {
        "dataset": dataset,
        "versions": {
            "python": sys.version.split()[0],
            "sklmtl": sklmtl.__version__,
            "torch": torch.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
        },
        "records": records,
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2))
