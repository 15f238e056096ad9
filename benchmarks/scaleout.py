"""Time one hyperparameter search sequentially and on Dask, Ray and joblib's loky.

Usage::

    python benchmarks/scaleout.py [--out DIR]

A ``GridSearchCV`` over ``MultiTaskNetClassifier`` on the multi-task digits
(8 candidates x 3 folds, 24 fits) runs sequentially, with joblib's default
``loky`` backend (``n_jobs=2``), on a ``dask.distributed`` ``LocalCluster``
(2 workers x 1 thread) and on a local Ray (2 CPUs). Prints the wall-clock time
of each and whether its ``cv_results_`` scores equal the sequential ones;
writes ``scaleout.json``. Backends whose extra is missing are skipped.
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklmtl import MultiTaskNetClassifier
from sklmtl.datasets import load_multitask_digits
from sklmtl.metrics import mean_task_accuracy_scorer


def search(n_jobs):
    return GridSearchCV(
        make_pipeline(
            StandardScaler(),
            # A fixed thread count: results are then identical on every
            # backend (joblib's, Dask's and Ray's workers run 1 thread, and
            # float sums differ with the number of threads).
            MultiTaskNetClassifier(max_epochs=20, random_state=0, n_threads=1),
        ),
        {
            "multitasknetclassifier__hidden_layer_sizes": [(64,), (256, 128)],
            "multitasknetclassifier__lr": [1e-3, 1e-2],
            "multitasknetclassifier__task_weighting": ["equal", "uncertainty"],
        },
        cv=KFold(3, shuffle=True, random_state=0),
        scoring=mean_task_accuracy_scorer,
        n_jobs=n_jobs,
    )


def timed(fit):
    start = time.perf_counter()
    result = fit()
    return time.perf_counter() - start, result.cv_results_["mean_test_score"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "scaleout"
    )
    args = parser.parse_args(argv)
    X, Y = load_multitask_digits(return_X_y=True)
    results = {}
    seq_time, reference = timed(lambda: search(None).fit(X, Y))
    results["sequential"] = {"seconds": seq_time, "same_scores": True}
    loky_time, scores = timed(lambda: search(2).fit(X, Y))
    results["joblib loky, n_jobs=2"] = {
        "seconds": loky_time,
        "same_scores": bool(np.array_equal(scores, reference)),
    }
    try:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            Client(cluster),
        ):
            start = time.perf_counter()
            with parallel_backend("dask"):
                _, scores = timed(lambda: search(2).fit(X, Y))
            dask_time = time.perf_counter() - start
        results["dask LocalCluster, 2 workers x 1 thread"] = {
            "seconds": dask_time,
            "same_scores": bool(np.array_equal(scores, reference)),
        }
    except ImportError:
        print("dask.distributed not installed: skipped")
    try:
        import ray
        from ray.util.joblib import register_ray

        start = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        register_ray()
        with parallel_backend("ray"):
            _, scores = timed(lambda: search(2).fit(X, Y))
        ray.shutdown()
        results["ray, 2 CPUs (start-up included)"] = {
            "seconds": time.perf_counter() - start,
            "same_scores": bool(np.array_equal(scores, reference)),
        }
    except ImportError:
        print("ray not installed: skipped")
    payload = {
        "search": "GridSearchCV, 8 candidates x 3 folds, multitask digits, 20 epochs",
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scaleout.json").write_text(json.dumps(payload, indent=2))
    print("| backend | wall-clock (s) | vs sequential | same cv scores |")
    print("|---|---|---|---|")
    for name, row in results.items():
        print(
            f"| {name} | {row['seconds']:.1f} | {seq_time / row['seconds']:.2f}x "
            f"| {row['same_scores']} |"
        )


if __name__ == "__main__":
    main()
