"""Hash sklmtl's predictions, to prove that a change of the inside changes nothing.

Usage::

    python benchmarks/fingerprint.py OUT.json [--parts api quick real]
    python benchmarks/fingerprint.py --compare BEFORE.json AFTER.json

Run it on the code before a refactor and after it, then compare: every hash
must be equal. Three parts, each with fixed seeds and one torch thread:

- ``api``: about 40 small fits (600 digits, 8 epochs) covering every sharing
  architecture, weighting family, input kind (dense, sparse, DataFrame with
  categories, images, NaN with indicators), label kind, sample weights,
  warm start, ``partial_fit``, the three estimators, saving and loading, and
  the wrappers; each hashes ``predict`` and ``predict_proba`` (or the
  regression outputs) on 100 rows (about 10 s on 2 idle cores);
- ``quick``: the sklmtl networks of ``benchmarks/run.py --suite quick``,
  hashing their test-set predictions (about 90 s);
- ``real``: ``MultiTaskNetClassifier()`` with its defaults in the pipeline
  of ``benchmarks/real_suite.py --suite real-quick`` (seed 0, complete and
  half-hidden labels), hashing its test-set predictions (a few minutes; needs
  the ``bench`` extra's data packages).

``--compare`` prints the entries that differ and exits with 1 when any does.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

PARTS = ("api", "quick", "real")


def digest(obj):
    """A short SHA-256 of an array, a DataFrame or a list of them."""
    if isinstance(obj, (list, tuple)):
        joined = "|".join(digest(o) for o in obj)
        return hashlib.sha256(joined.encode()).hexdigest()[:16]
    if hasattr(obj, "to_numpy"):
        obj = obj.to_numpy()
    array = np.asarray(obj)
    if array.dtype.kind == "O":
        return hashlib.sha256(repr(array.tolist()).encode()).hexdigest()[:16]
    data = array.tobytes() + str(array.dtype).encode() + str(array.shape).encode()
    return hashlib.sha256(data).hexdigest()[:16]


def _data():
    from sklmtl.datasets import load_multitask_digits

    X, Y = load_multitask_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)[:600]
    return X, Y[:600]


def api_cases():
    """Predictions of small fits covering the estimators' features."""
    import pandas as pd
    import scipy.sparse as sp

    from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor, io
    from sklmtl.calibration import CalibratedMultiTaskClassifier
    from sklmtl.grouping import TaskGroupingClassifier

    X, Y = _data()
    Xt = X[:100]
    rng = np.random.RandomState(0)
    Y_missing = Y.astype(object)
    Y_missing[rng.rand(*Y.shape) < 0.3] = None
    Y_str = np.column_stack([Y[:, 1], Y[:, 0]]).astype(object)
    Y_bool = np.column_stack(
        [Y[:, 0] % 2 == 1, Y[:, 2].astype(bool), Y[:, 3].astype(bool)]
    )
    small = {"hidden_layer_sizes": (32,), "max_epochs": 8, "random_state": 0}
    out = {}

    def case(name, est, X_fit, Y_fit, X_pred=Xt):
        try:
            est.fit(X_fit, Y_fit)
            out[name] = [digest(est.predict(X_pred)), digest(est.predict_proba(X_pred))]
        except Exception as exc:  # recorded: an error that changes is a change
            out[name] = f"error {type(exc).__name__}: {exc}"[:200]
        return est

    case("clf dense", MultiTaskNetClassifier(**small), X, Y)
    case("clf missing", MultiTaskNetClassifier(**small), X, Y_missing)
    case("clf str", MultiTaskNetClassifier(**small), X, Y_str)
    est = case("clf binary", MultiTaskNetClassifier(**small), X, Y_bool)
    out["clf binary pos"] = digest(est.predict_positive_proba(Xt))
    early = {**small, "max_epochs": 30, "early_stopping": True, "n_iter_no_change": 3}
    case("clf early", MultiTaskNetClassifier(**early), X, Y)
    case("clf balanced", MultiTaskNetClassifier(class_weight="balanced", **small), X, Y)
    case("clf f64", MultiTaskNetClassifier(dtype="float64", **small), X, Y)
    case(
        "clf bn dropout head",
        MultiTaskNetClassifier(
            batch_norm=True, dropout=0.2, head_hidden_size=8, **small
        ),
        X,
        Y,
    )
    for arch in ["mmoe", "cgc", "ple", "cross_stitch"]:
        case(f"clf {arch}", MultiTaskNetClassifier(architecture=arch, **small), X, Y)
    for weighting in ["uncertainty", "dwa", "gradnorm", "rlw", "upgrad", "pcgrad"]:
        est = MultiTaskNetClassifier(task_weighting=weighting, **small)
        case(f"clf {weighting}", est, X, Y)
    fixed = MultiTaskNetClassifier(task_weighting=[1, 2, 3, 4], **small)
    case("clf fixed", fixed, X, Y)
    case(
        "clf sparse",
        MultiTaskNetClassifier(**small),
        sp.csr_matrix(X),
        Y,
        sp.csr_matrix(Xt),
    )
    cnn = {"trunk": "cnn", "image_shape": (8, 8), "trunk__kernel_size": 3}
    cnn |= {"trunk__padding": 1, "hidden_layer_sizes": (16,), "max_epochs": 2}
    case("clf cnn", MultiTaskNetClassifier(**cnn, random_state=0), X, Y)
    frame = pd.DataFrame(X[:, :10], columns=[f"f{i}" for i in range(10)])
    frame["cat"] = pd.Categorical(np.where(X[:, 20] > 0.5, "hi", "lo"))
    frame["flag"] = X[:, 30] > 0.3
    for name, extra in [
        ("clf frame", {}),
        ("clf periodic", {"numeric_embedding": "periodic"}),
        ("clf ple emb", {"numeric_embedding": "piecewise_linear"}),
    ]:
        case(name, MultiTaskNetClassifier(**extra, **small), frame, Y, frame[:100])
    X_nan = X.copy()
    X_nan[rng.rand(*X.shape) < 0.05] = np.nan
    est = MultiTaskNetClassifier(missing_values="indicator", **small)
    case("clf nan indicator", est, X_nan, Y, X_nan[:100])
    weights = rng.rand(len(X))
    est = MultiTaskNetClassifier(**small).fit(X, Y, sample_weight=weights)
    out["clf weights"] = digest(est.predict_proba(Xt))
    est = MultiTaskNetClassifier(warm_start=True, **small).fit(X, Y)
    out["clf warm"] = digest(est.fit(X, Y).predict_proba(Xt))
    est = MultiTaskNetClassifier(hidden_layer_sizes=(32,), random_state=0)
    classes = [np.unique(Y[:, t]) for t in range(Y.shape[1])]
    for i in range(3):
        rows = slice(i * 200, (i + 1) * 200)
        est.partial_fit(X[rows], Y[rows], classes=classes if i == 0 else None)
    out["clf partial"] = digest(est.predict_proba(Xt))
    y_reg = np.column_stack([X[:, :5].sum(1) * 3 + 100, X[:, 5:10].sum(1)])
    for loss in ["mse", "huber", "gaussian_nll"]:
        reg = MultiTaskNetRegressor(loss=loss, **small).fit(X, y_reg)
        out[f"reg {loss}"] = digest(reg.predict(Xt))
        if loss == "gaussian_nll":
            out["reg std"] = digest(reg.predict(Xt, return_std=True))
    Y_mixed = pd.DataFrame(
        {
            "parity": Y[:, 1].astype(str),
            "sum": y_reg[:, 0],
            "digit": Y[:, 0].astype(int),
        }
    )
    net = MultiTaskNet(**small).fit(X, Y_mixed)
    out["mixed"] = [digest(net.predict(Xt)), digest(net.predict_proba(Xt))]
    est = MultiTaskNetClassifier(**small).fit(X, Y_str)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.safetensors")
        io.save(est, path)
        loaded = io.load(path)
    out["io roundtrip"] = [
        digest(est.predict_proba(Xt)),
        digest(loaded.predict_proba(Xt)),
    ]
    grouping = TaskGroupingClassifier(MultiTaskNetClassifier(**small), random_state=0)
    out["grouping"] = digest(grouping.fit(X, Y).predict(Xt))
    calibrated = CalibratedMultiTaskClassifier(
        MultiTaskNetClassifier(**small), random_state=0
    )
    out["calibrated"] = digest(calibrated.fit(X, Y).predict_proba(Xt))
    return out


def quick_suite():
    """Test-set predictions of the quick suite's sklmtl networks."""
    from methods import METHODS
    from suites import SUITES, load

    out, cache = {}, {}
    for exp, setting, method, seed in SUITES["quick"].runs():
        if "net" not in method:
            continue
        key = (exp.dataset, json.dumps(setting, sort_keys=True, default=str), seed)
        if key not in cache:
            cache[key] = load(exp.dataset, setting, seed)
        X_train, Y_train, X_test, _ = cache[key]
        model = METHODS[method](seed, setting).fit(X_train, Y_train)
        out[f"{exp.name} | {key[1]} | {method} | {seed}"] = digest(
            model.predict(X_test)
        )
    return out


def real_quick():
    """Test-set predictions of the default network on the real-quick tables."""
    import real_suite
    from realdata import load_table
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    suite = real_suite.SUITES["real-quick"]
    out, seed = {}, 0
    for name in suite.tables:
        X, Y = load_table(name)
        X_train, Y_train, X_test, _ = real_suite.split(X, Y, seed, suite)
        for fraction in suite.hidden_fractions:
            Y_fit = real_suite.hide_labels(Y_train, fraction, seed)
            model = make_pipeline(
                real_suite.preprocessor(X_train),
                real_suite.METHODS[real_suite.SKLMTL][0](seed),
            )
            with threadpool_limits(1):
                model.fit(X_train, Y_fit)
                out[f"{name} | {fraction} | {seed}"] = digest(model.predict(X_test))
    return out


def compare(before_path, after_path):
    """Print the entries that differ; return the number of differences."""
    before = json.loads(Path(before_path).read_text())
    after = json.loads(Path(after_path).read_text())
    n_diff = 0
    for part in sorted(set(before) & set(after)):
        keys = sorted(set(before[part]) | set(after[part]))
        diff = [k for k in keys if before[part].get(k) != after[part].get(k)]
        n_diff += len(diff)
        print(f"{part}: {len(keys) - len(diff)} of {len(keys)} equal")
        for key in diff:
            print(f"  differs: {key}")
    return n_diff


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", help="the JSON file to write")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args(argv)
    if args.compare:
        return 1 if compare(*args.compare) else 0
    if args.out is None:
        parser.error("give the JSON file to write, or --compare BEFORE AFTER")
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    functions = {"api": api_cases, "quick": quick_suite, "real": real_quick}
    results = {}
    for part in args.parts:
        start = time.perf_counter()
        results[part] = functions[part]()
        elapsed = time.perf_counter() - start
        print(f"{part}: {len(results[part])} entries in {elapsed:.0f} s", flush=True)
    Path(args.out).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
