"""Sparse X: SciPy matrices and arrays, text pipelines, bad input, memory."""

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklmtl import MultiTaskNet, MultiTaskNetClassifier, MultiTaskNetRegressor
from sklmtl.datasets import make_multitask_text
from sklmtl.io import load, save, to_onnx
from sklmtl.model_selection import cross_val_predict

SMALL = dict(hidden_layer_sizes=(8,), max_epochs=4, lr=0.05, random_state=0)


def _problem(n_samples=90, n_features=40, seed=0):
    """Sparse non-negative features; a class, a label and a value per row."""
    X = sp.random(n_samples, n_features, density=0.15, format="csr", random_state=seed)
    dense = X.toarray()
    Y = pd.DataFrame(
        {
            "topic": np.where(dense[:, :10].sum(1) > dense[:, 10:20].sum(1), "a", "b"),
            "flag": dense[:, 20:30].sum(1) > 0.5,
            "score": dense[:, 30:].sum(1),
        }
    )
    return X, dense.astype(np.float32), Y


X_SP, X_DENSE, Y_ALL = _problem()
ESTIMATORS = [
    (MultiTaskNetClassifier, ["topic", "flag"]),
    (MultiTaskNetRegressor, ["score"]),
    (MultiTaskNet, ["topic", "flag", "score"]),
]
FORMATS = [
    ("csr_matrix", lambda X: sp.csr_matrix(X)),
    ("csc_matrix", lambda X: sp.csc_matrix(X)),
    ("coo_matrix", lambda X: sp.coo_matrix(X)),
    ("csr_array", lambda X: sp.csr_array(X)),
    ("csc_array", lambda X: sp.csc_array(X)),
]


def _outputs(est, X):
    if isinstance(est, MultiTaskNetRegressor):
        return [np.asarray(est.predict(X))]
    if isinstance(est, MultiTaskNet):
        return [est.predict_proba(X, task="topic"), est.predict(X)["score"]]
    return est.predict_proba(X)


def _assert_same(left, right):
    for a, b in zip(left, right, strict=True):
        np.testing.assert_allclose(
            np.asarray(a, dtype=float), np.asarray(b, dtype=float), atol=1e-5
        )


def _snapshot(X):
    return {
        name: getattr(X, name).copy()
        for name in ("data", "indices", "indptr", "row", "col")
        if hasattr(X, name)
    }


def _assert_untouched(X, before):
    for name, values in before.items():
        np.testing.assert_array_equal(getattr(X, name), values, err_msg=name)


@pytest.mark.parametrize(
    "cls, tasks", ESTIMATORS, ids=[c.__name__ for c, _ in ESTIMATORS]
)
@pytest.mark.parametrize("fmt, to_format", FORMATS, ids=[f for f, _ in FORMATS])
def test_sparse_fit_predict_equals_dense(cls, tasks, fmt, to_format):
    """Same random_state: the sparse fit is the dense fit, in every format."""
    X = to_format(X_SP)
    before = _snapshot(X)
    dense = cls(**SMALL).fit(X_DENSE, Y_ALL[tasks])
    sparse = cls(**SMALL).fit(X, Y_ALL[tasks])
    _assert_same(_outputs(sparse, X), _outputs(dense, X_DENSE))
    assert sparse.n_features_in_ == X.shape[1]
    _assert_untouched(X, before)


def test_sparse_float64_with_unsorted_indices_is_read_not_changed():
    """A float64 CSR is used without a copy: nothing may sort or cast it."""
    X = sp.csr_matrix(X_SP, dtype=np.float64, copy=True)
    order = np.arange(X.nnz)
    for row in range(X.shape[0]):  # reverse each row's stored entries
        start, stop = X.indptr[row], X.indptr[row + 1]
        order[start:stop] = order[start:stop][::-1]
    X = sp.csr_matrix((X.data[order], X.indices[order], X.indptr), shape=X.shape)
    X.has_sorted_indices = False
    before = _snapshot(X)
    Y = Y_ALL[["topic", "flag"]]
    clf = MultiTaskNetClassifier(**SMALL).fit(X, Y)
    reference = MultiTaskNetClassifier(**SMALL).fit(X_DENSE, Y)
    _assert_same(clf.predict_proba(X), reference.predict_proba(X_DENSE))
    _assert_untouched(X, before)
    assert X.dtype == np.float64
    assert not X.has_sorted_indices


def test_early_stopping_and_dataloader_options_with_sparse():
    Y = Y_ALL[["topic", "flag"]]
    stopped = MultiTaskNetClassifier(**SMALL, early_stopping=True).fit(X_SP, Y)
    assert "valid_loss" in stopped.history_[-1]
    # iterator_train__<option> switches to a DataLoader over single rows.
    loader = MultiTaskNetClassifier(**SMALL, iterator_train__num_workers=0)
    _assert_same(
        loader.fit(X_SP, Y).predict_proba(X_SP),
        MultiTaskNetClassifier(**SMALL).fit(X_SP, Y).predict_proba(X_SP),
    )


def test_warm_start_and_partial_fit_match_dense():
    Y = Y_ALL[["topic", "flag"]]
    fits = {}
    for name, X in (("sparse", X_SP), ("dense", X_DENSE)):
        warm = MultiTaskNetClassifier(**SMALL, warm_start=True).fit(X, Y)
        warm.set_params(max_epochs=2).fit(X, Y)
        streamed = MultiTaskNetClassifier(**SMALL)
        for start in range(0, 90, 30):
            streamed.partial_fit(X[start : start + 30], Y[start : start + 30])
        fits[name] = (warm.predict_proba(X), streamed.predict_proba(X))
        assert warm.n_iter_ == 6
    _assert_same(fits["sparse"][0], fits["dense"][0])
    _assert_same(fits["sparse"][1], fits["dense"][1])


def test_dense_fit_predicts_sparse_and_back():
    Y = Y_ALL[["topic", "flag"]]
    on_dense = MultiTaskNetClassifier(**SMALL).fit(X_DENSE, Y)
    on_sparse = MultiTaskNetClassifier(**SMALL).fit(X_SP, Y)
    _assert_same(on_dense.predict_proba(X_SP), on_dense.predict_proba(X_DENSE))
    _assert_same(on_sparse.predict_proba(X_DENSE), on_sparse.predict_proba(X_SP))


_DOCS = [
    "the match ended with a late goal and the fans cheered",
    "a great win for the team in the final match",
    "the striker scored twice and the coach was delighted",
    "the team lost the match after a terrible defensive error",
    "the election results surprised the party leaders",
    "the minister resigned after a terrible scandal",
    "voters welcomed the great new policy on schools",
    "parliament passed the budget after a long debate",
]


def _text_tasks(n_repeats=6):
    docs = _DOCS * n_repeats
    topic = ["sport" if i % 8 < 4 else "politics" for i in range(len(docs))]
    tone = ["negative" if "terrible" in d else "neutral" for d in docs]
    return docs, np.column_stack([topic, tone])


@pytest.mark.parametrize(
    "vectorizer",
    [TfidfVectorizer(), HashingVectorizer(n_features=2**12, alternate_sign=False)],
    ids=["tfidf", "hashing"],
)
def test_text_pipeline_learns_topic_and_tone(vectorizer):
    docs, Y = _text_tasks()
    model = make_pipeline(
        vectorizer,
        # Unregularised: with the default weight decay under 500 rows the
        # net, like LogisticRegression (C=1 to 100), calls the second unseen
        # sentence neutral (2 of 8 documents are negative).
        MultiTaskNetClassifier(
            hidden_layer_sizes=(16,),
            max_epochs=100,
            lr=0.05,
            weight_decay=0,
            random_state=0,
        ),
    ).fit(docs, Y)
    assert model.score(docs, Y) == 1.0
    # Unseen sentences: the topic words and "terrible" decide; the tone of a
    # sentence without "terrible" is only the absence of a signal, which a
    # 48-document corpus does not pin down, so it is not asserted.
    new = ["the team won a great match", "a terrible scandal for the party"]
    predicted = model.predict(new)
    np.testing.assert_array_equal(predicted[:, 0], ["sport", "politics"])
    assert predicted[1, 1] == "negative"


def test_grid_search_and_clone_over_a_text_pipeline():
    docs, Y = _text_tasks()
    model = make_pipeline(
        TfidfVectorizer(),
        MultiTaskNetClassifier(hidden_layer_sizes=(16,), max_epochs=60, random_state=0),
    )
    search = GridSearchCV(
        model,
        {"multitasknetclassifier__lr": [1e-5, 0.05]},
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(docs, Y)
    assert search.best_params_ == {"multitasknetclassifier__lr": 0.05}
    assert search.best_estimator_.score(docs, Y) == 1.0
    refit = clone(search.best_estimator_).fit(docs, Y)
    _assert_same(refit.predict_proba(docs), search.best_estimator_.predict_proba(docs))


def test_cross_val_predict_with_sparse_x():
    Y = Y_ALL[["topic", "flag"]]
    cv = KFold(3, shuffle=True, random_state=0)
    sparse = cross_val_predict(MultiTaskNetClassifier(**SMALL), X_SP, Y, cv=cv)
    dense = cross_val_predict(MultiTaskNetClassifier(**SMALL), X_DENSE, Y, cv=cv)
    np.testing.assert_array_equal(np.asarray(sparse), np.asarray(dense))


def test_save_load_and_onnx_of_a_sparse_fit(tmp_path):
    Y = Y_ALL[["topic", "flag", "score"]]
    model = MultiTaskNet(**SMALL).fit(X_SP, Y)
    save(model, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    _assert_same(_outputs(loaded, X_SP), _outputs(model, X_SP))
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    names = to_onnx(model, tmp_path / "m.onnx")
    # The graph takes dense float32 rows: densify each batch before run().
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    got = dict(zip(names, session.run(None, {"X": X_SP[:7].toarray().astype("f4")})))
    np.testing.assert_allclose(
        got["proba_topic"], model.predict_proba(X_SP[:7], task="topic"), atol=1e-5
    )
    np.testing.assert_allclose(
        got["value_score"], model.predict(X_SP[:7])["score"].astype(float), rtol=1e-4
    )


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("value, word", [(np.nan, "1 NaN"), (np.inf, "1 infinite")])
@pytest.mark.parametrize("method", ["fit", "predict"])
def test_non_finite_stored_values_are_refused(value, word, method):
    X = X_SP.copy()
    X.data[3] = value
    before = _snapshot(X)
    clf = MultiTaskNetClassifier(**SMALL)
    if method == "predict":
        clf.fit(X_SP, Y_ALL[["topic"]])
    with pytest.raises(ValueError, match=f"Sparse X stores .*{word}.*finite"):
        getattr(clf, method)(*([X, Y_ALL[["topic"]]] if method == "fit" else [X]))
    _assert_untouched(X, before)


def test_zero_columns_and_wrong_width_are_refused():
    clf = MultiTaskNetClassifier(**SMALL)
    with pytest.raises(ValueError, match="0 feature"):
        clf.fit(sp.csr_matrix((90, 0)), Y_ALL[["topic"]])
    with pytest.raises(ValueError, match="0 sample"):
        clf.fit(sp.csr_matrix((0, 5)), Y_ALL[["topic"]][:0])
    clf.fit(X_SP, Y_ALL[["topic"]])
    with pytest.raises(ValueError, match="40 features"):
        clf.predict(X_SP[:, :30])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MultiTaskNetClassifier(**SMALL).fit(X_SP[:50], Y_ALL[["topic"]])


@pytest.mark.parametrize(
    "params, named",
    [
        ({"trunk": "cnn"}, "trunk='cnn'"),
        ({"image_shape": (1, 5, 8)}, "image_shape"),
    ],
)
def test_image_trunks_refuse_sparse_x(params, named):
    X = X_SP.copy()
    before = _snapshot(X)
    with pytest.raises(ValueError, match=f"sparse X .*images \\({named}\\)"):
        MultiTaskNetClassifier(**SMALL, **params).fit(X, Y_ALL[["topic"]])
    _assert_untouched(X, before)


@pytest.mark.parametrize(
    "params",
    [{"categorical_features": [0]}, {"missing_values": "indicator"}],
    ids=["categorical_features", "missing_values"],
)
def test_tabular_options_refuse_sparse_x(params):
    with pytest.raises(ValueError, match="sparse X.*tabular encoder"):
        MultiTaskNetClassifier(**SMALL, **params).fit(X_SP, Y_ALL[["topic"]])


# --------------------------------------------------------------------- memory
_PEAK_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    import numpy as np, scipy.sparse as sp
    from sklmtl import MultiTaskNetClassifier

    n_rows, n_cols, per_row = 4000, 2**17, 128
    rng = np.random.default_rng(0)
    indices = np.sort(rng.integers(0, n_cols, (n_rows, per_row)), axis=1)
    X = sp.csr_matrix(
        (rng.random(n_rows * per_row, dtype=np.float32), indices.ravel(),
         np.arange(0, n_rows * per_row + 1, per_row)),
        shape=(n_rows, n_cols),
    )
    left = np.asarray(X[:, : n_cols // 2].sum(axis=1)).ravel()
    Y = np.column_stack([left > np.median(left), np.arange(n_rows) % 3])
    clf = MultiTaskNetClassifier(hidden_layer_sizes=(4,), max_epochs=1,
                                 batch_size=256, random_state=0)
    # The warm-up fit imports lazily, starts thread pools and densifies
    # batches of the same size: the full fit may add only what grows with
    # the number of rows.
    clf.fit(X[:300], Y[:300])
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    clf.fit(X, Y)
    clf.predict_proba(X)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"growth": peak - base, "dense": n_rows * n_cols * 4}))
    """
)


def test_fit_and_predict_never_densify_the_whole_matrix():
    """Peak RSS grows by far less than the dense matrix would take (2 GB)."""
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    # A training batch (256 rows) densified is 128 MiB, a prediction batch
    # 32 MiB; densifying the whole matrix would add the full 2 GiB.
    assert measured["growth"] < 0.2 * measured["dense"], measured


# ------------------------------------------------------------------ text data
def test_make_multitask_text_labels_follow_the_words():
    texts, Y = make_multitask_text(n_samples=200, random_state=3, return_X_y=True)
    again, Y_again = make_multitask_text(n_samples=200, random_state=3, return_X_y=True)
    assert texts == again and (Y == Y_again).all()
    assert Y.shape == (200, 5) and len(texts) == 200
    assert set(Y[:, 0]) == {"sport", "politics", "science", "food"}
    assert set(Y[:, 1]) == {"positive", "neutral", "negative"}
    tone_words = {
        "positive": "success|great|excellent",
        "negative": "terrible|disappoint|awful",
    }
    for text, (_topic, tone, question, numbers, person) in zip(texts, Y):
        assert bool(re.search(r"\b(why|what|how)\b", text)) == bool(question)
        assert bool(re.search(r"million|percent|hundred", text)) == bool(numbers)
        assert bool(re.search(r"anna|omar|li wei|maria", text)) == bool(person)
        if tone in tone_words:
            assert re.search(tone_words[tone], text)
    # Tags are independent draws: every label set size from 0 to 3 occurs.
    assert set(Y[:, 2:].astype(int).sum(axis=1)) == {0, 1, 2, 3}


def test_make_multitask_text_missing_cells_frame_and_bad_arguments():
    data = make_multitask_text(
        n_samples=400, missing_fraction=0.25, as_frame=True, random_state=0
    )
    assert list(data.target.columns) == data.target_names
    share = data.target.isna().to_numpy().mean()
    assert 0.2 < share < 0.3
    for bad in ({"n_samples": 0}, {"noise": 1.0}, {"missing_fraction": -0.1}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            make_multitask_text(**bad)


# ------------------------------------------------------------------ benchmark
def test_sparse_benchmark_writes_json_table_and_figure(tmp_path):
    pytest.importorskip("matplotlib")
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "sparse.py"
    args = ["--rows", "300", "600", "--features", "2048", "--density", "0.01"]
    args += ["--hidden", "4", "--batch", "64", "--compare-matmul"]
    done = subprocess.run(
        [sys.executable, str(script), *args, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "sparse.json").read_text())
    assert [r["rows"] for r in result["runs"]] == [300, 600]
    for run in result["runs"]:
        assert run["seconds_per_epoch"] > 0 and run["rss_peak"] >= run["rss_baseline"]
        assert run["parameters"] > 2048 * 4  # the first layer and the heads
    assert set(result["matmul"]) == {"densified", "sparse_mm"}
    assert "| 600 |" in done.stdout and "log-log slope" in done.stdout
    assert (tmp_path / "sparse.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_binary_label_path_reads_sparse_rows():
    """Every task binary (one sigmoid output each): sparse and dense X agree."""
    Y = Y_ALL[["topic", "flag"]]
    sparse = MultiTaskNetClassifier(**SMALL).fit(X_SP, Y)
    dense = MultiTaskNetClassifier(**SMALL).fit(X_DENSE, Y)
    # The sparse product sums in another order: equal within float32 rounding.
    np.testing.assert_allclose(
        sparse.predict_positive_proba(X_SP),
        dense.predict_positive_proba(X_DENSE),
        rtol=1e-5,
    )
    for got, want in zip(sparse.predict_proba(X_SP), dense.predict_proba(X_DENSE)):
        np.testing.assert_allclose(got, want, rtol=1e-5)


class _BatchLayouts(Callback):
    """Records the layout of every training batch's X (sparse or dense)."""

    def initialize(self):
        self.seen = set()
        return self

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        self.seen.add(batch[0].layout)


def _layouts_seen(clf, X):
    """Layouts of the training batches and of the prediction batches."""
    seen = set()
    hook = clf.net_.module_.register_forward_pre_hook(
        lambda module, args: seen.add(args[0].layout)
    )
    try:
        clf.predict_proba(X)
    finally:
        hook.remove()
    return dict(clf.net_.callbacks_)["_BatchLayouts"].seen, seen


SPARSE_ARCHITECTURES = [
    ("hps", {}),
    ("mmoe", {"architecture__n_experts": 2}),
    ("cgc", {}),
    ("ple", {"architecture__n_levels": 2}),
    ("cross_stitch", {}),
]


@pytest.mark.parametrize(("architecture", "params"), SPARSE_ARCHITECTURES)
def test_every_architecture_multiplies_sparse_batches_as_dense(architecture, params):
    """Trunks, experts and gates read the sparse batch itself (no densifying),
    and the fit equals the dense fit within float32 rounding."""
    Y = Y_ALL[["topic", "flag"]]
    fits = {
        name: MultiTaskNetClassifier(
            architecture=architecture,
            **params,
            **{**SMALL, "hidden_layer_sizes": (8, 6)},
            callbacks=[_BatchLayouts()],
        ).fit(X, Y)
        for name, X in (("sparse", X_SP), ("dense", X_DENSE))
    }
    train, predict = _layouts_seen(fits["sparse"], X_SP)
    assert train == predict == {torch.sparse_coo}
    _assert_same(
        fits["sparse"].predict_proba(X_SP), fits["dense"].predict_proba(X_DENSE)
    )


class _SumTrunk(torch.nn.Module):
    """A user's trunk: reads dense rows only (``X.sum`` of a sparse X is 0-D)."""

    out_features = 3

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(40, 2)

    def forward(self, X):
        return torch.cat([self.linear(X), X.sum(dim=1, keepdim=True)], dim=1)


@pytest.mark.parametrize(
    "params",
    [{"trunk": _SumTrunk}, {"hidden_layer_sizes": ()}],
    ids=["user_trunk", "no_hidden_layer"],
)
def test_other_networks_read_densified_batches(params):
    """A user's trunk, or heads reading X directly, get dense batches."""
    Y = Y_ALL[["topic", "flag"]]
    settings = {**SMALL, **params, "callbacks": [_BatchLayouts()]}
    sparse = MultiTaskNetClassifier(**settings).fit(X_SP, Y)
    dense = MultiTaskNetClassifier(**settings).fit(X_DENSE, Y)
    train, predict = _layouts_seen(sparse, X_SP)
    assert train == predict == {torch.strided}
    _assert_same(sparse.predict_proba(X_SP), dense.predict_proba(X_DENSE))
