"""Datasets and the benchmark suites (which methods run on which settings).

An *experiment* is a dataset with a family of settings (e.g. the generator
swept over relatedness) and the methods compared on it; a *suite* is a list
of experiments and the seeds. ``quick`` is the README's main job (minutes on
2 cores), ``full`` builds the committed results, ``tiny`` is for the tests,
``sharing`` compares one network, independent networks, automatic grouping
and the soft-sharing architectures (issue 16) on the relatedness sweep and
full-size MultiMNIST with the LeNet trunk.
"""

from dataclasses import dataclass, field

import numpy as np
from common import digits_split
from methods import SOFT_SHARING

from sklmtl.datasets import load_multi_mnist, make_multitask_classification

# The generator's problem: 10 related 3-class tasks in 50 features whose
# labels depend on a 4-dimensional latent subspace (see its docstring).
GENERATOR = dict(n_features=50, n_tasks=10, n_classes=3, n_latent=4, noise=0.05)
GENERATOR_TEST_SIZE = 2000


def load(dataset, setting, seed):
    """``(X_train, Y_train, X_test, Y_test)`` of one dataset setting and seed."""
    if dataset == "multitask digits":
        X_train, X_test, Y_train, Y_test = digits_split(seed)
        return X_train, Y_train, X_test, Y_test
    if dataset == "MultiMNIST":
        train = load_multi_mnist(
            "train", n_samples=setting["n_train"], random_state=seed
        )
        test = load_multi_mnist("test", n_samples=setting["n_test"], random_state=seed)
        return train.data, train.target, test.data, test.target
    if dataset == "generator":
        params = {**GENERATOR, **setting.get("generator", {})}
        n_train = setting["n_train"]
        X, Y = make_multitask_classification(
            n_samples=n_train + GENERATOR_TEST_SIZE,
            relatedness=setting["relatedness"],
            random_state=seed,
            **params,
        )
        Y_train = Y[:n_train].astype(np.float64)
        rate = setting.get("missing_rate", 0.0)
        blank = np.random.RandomState(seed + 10_000).rand(*Y_train.shape) < rate
        Y_train[blank] = np.nan
        return X[:n_train], Y_train, X[n_train:], Y[n_train:]
    raise ValueError(f"Unknown dataset {dataset!r}.")


@dataclass
class Experiment:
    """A dataset, the settings it is swept over, and the methods compared."""

    name: str
    dataset: str
    settings: list
    methods: list
    seeds: list = None  # None: the suite's seeds


@dataclass
class Suite:
    """Experiments, seeds, and how long the suite took when it was last timed."""

    experiments: list
    seeds: list = field(default_factory=lambda: [0, 1, 2])
    duration: str = "not timed"

    def runs(self, seeds=None):
        """Every (experiment, setting, method, seed) to run, in order."""
        out = []
        for exp in self.experiments:
            exp_seeds = seeds if seeds is not None else (exp.seeds or self.seeds)
            for setting in exp.settings:
                for seed in exp_seeds:
                    for method in exp.methods:
                        out.append((exp, setting, method, seed))
        return out

    def describe(self):
        """What the suite runs (experiments, settings, methods, seeds) and its time."""
        lines = [f"{len(self.runs())} runs, seeds {self.seeds}; {self.duration}"]
        for exp in self.experiments:
            details = _settings_text(exp.settings)
            if exp.seeds:
                details += f"{', ' if details else ''}seeds {exp.seeds}"
            details = f" [{details}]" if details else ""
            lines.append(f"  - {exp.name}{details}: " + ", ".join(exp.methods))
        return "\n".join(lines)


def _lenet_full_size():
    """MultiMNIST at full size with the LeNet trunk (a fresh setting dict)."""
    return {"n_train": 10_000, "n_test": 2_000, "scale_nets": False, "trunk": "cnn"}


def _pinned(experiment):
    """``experiment`` with every setting on ``methods.PINNED_NET`` (the sharing
    comparisons keep the configuration their committed results used)."""
    for setting in experiment.settings:
        setting["pinned_net"] = True
    return experiment


def _settings_text(settings):
    """``key=v1/v2`` for every setting key, in first-seen order."""
    values = {}
    for setting in settings:
        flat = {**setting, **setting.get("generator", {})}
        for key, value in flat.items():
            if key not in ("generator", "scale_nets", "fixed_epochs"):
                values.setdefault(key, dict.fromkeys([]))[value] = None
    return ", ".join(f"{k}=" + "/".join(map(str, v)) for k, v in values.items())


ALL_NETS = ["shared net (equal)", "shared net (uncertainty)", "shared net (MGDA)"]
CLASSIC = ["powerset SVM", "SVM per task", "LogReg per task"]


def _generator_sweep(name, key, values, fixed, missing, methods):
    """The generator with ``key`` swept over ``values``, with and without labels."""
    settings = [
        {"n_train": None, "relatedness": None, **fixed, key: v, "missing_rate": m}
        for m in missing
        for v in values
    ]
    return Experiment(f"generator: {name}", "generator", settings, methods)


def _relatedness(n_train, values, missing, methods):
    return _generator_sweep(
        "relatedness", "relatedness", values, {"n_train": n_train}, missing, methods
    )


def _size(relatedness, sizes, missing, methods):
    return _generator_sweep(
        "training-set size",
        "n_train",
        sizes,
        {"relatedness": relatedness},
        missing,
        methods,
    )


def _tasks(counts, n_train, epochs):
    return Experiment(
        "generator: number of tasks",
        "generator",
        [
            {
                "n_train": n_train,
                "relatedness": 1.0,
                "generator": {"n_tasks": k},
                "fixed_epochs": True,
                "max_epochs": epochs,
            }
            for k in counts
        ],
        ["shared net (equal)", "independent nets"],
    )


_GEN_METHODS = [
    "shared net (equal)",
    "shared net (uncertainty)",
    "independent nets",
    *CLASSIC,
]

SUITES = {
    "full": Suite(
        [
            # The cheap experiments first: an interrupted run keeps them.
            _relatedness(200, [0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.5], _GEN_METHODS),
            _size(1.0, [100, 200, 500, 1000, 2000], [0.0, 0.5], _GEN_METHODS),
            _tasks([1, 2, 4, 8, 16], 2000, 20),
            Experiment(
                "multitask digits",
                "multitask digits",
                [{}],
                [*ALL_NETS, "independent nets", "powerset net", *CLASSIC],
            ),
            Experiment(
                "MultiMNIST: MLP",
                "MultiMNIST",
                [{"n_train": 10_000, "n_test": 2_000, "scale_nets": False}],
                [*ALL_NETS, "independent nets", "powerset net", *CLASSIC],
                seeds=[0, 1],
            ),
            Experiment(
                "MultiMNIST: LeNet",
                "MultiMNIST",
                [_lenet_full_size()],
                [*ALL_NETS, "independent nets"],
                seeds=[0, 1],
            ),
        ],
        duration=(
            "the committed run (estimator defaults, one torch thread, a 2-core "
            "machine shared with about a dozen other jobs) took 39 min "
            "wall-clock (8.5 min of CPU) for the generator and digits "
            "experiments and was stopped before the two MultiMNIST ones, whose "
            "fits and predictions took 29 min in the previous run (pinned "
            "configuration, a quieter machine); its two generator sweeps over "
            "relatedness and training-set size were rerun with the defaults of "
            "weight_decay='auto' (414 s for their 360 runs, beside CI)"
        ),
    ),
    "quick": Suite(
        [
            Experiment(
                "multitask digits",
                "multitask digits",
                [{}],
                ["shared net (equal)", "independent nets", *CLASSIC],
            ),
            Experiment(
                "MultiMNIST: MLP",
                "MultiMNIST",
                [{"n_train": 2_000, "n_test": 1_000, "scale_nets": False}],
                ["shared net (equal)", "independent nets", *CLASSIC],
            ),
            Experiment(
                "MultiMNIST: LeNet",
                "MultiMNIST",
                [
                    {
                        "n_train": 2_000,
                        "n_test": 1_000,
                        "scale_nets": False,
                        "trunk": "cnn",
                    }
                ],
                ["shared net (equal)", "independent nets"],
            ),
            _relatedness(
                200,
                [0.0, 0.5, 1.0],
                [0.0],
                ["shared net (equal)", "independent nets", *CLASSIC],
            ),
            _size(
                1.0,
                [100, 400, 1600],
                [0.0, 0.5],
                ["shared net (equal)", "independent nets", "LogReg per task"],
            ),
            _tasks([1, 4, 16], 1000, 10),
        ],
        seeds=[0],
        duration=(
            "163 s for its 51 fits (2.9 min wall-clock for the command, report "
            "included; 115 s of CPU) on a 2-core machine shared with the full "
            "suite and other jobs (load average 3-5), on the code of the round "
            "that recorded it in the user guide (mtl.rst)"
        ),
    ),
    "soft-sharing": Suite(
        [
            Experiment(
                "MultiMNIST: LeNet, soft sharing",
                "MultiMNIST",
                [
                    {
                        "n_train": 2_000,
                        "n_test": 1_000,
                        "scale_nets": False,
                        "trunk": "cnn",
                        "fixed_epochs": True,
                        "max_epochs": 8,
                    }
                ],
                ["shared net (equal)", *SOFT_SHARING, "independent nets"],
            ),
        ],
        seeds=[0, 1, 2],
        duration=(
            "7 min wall-clock (6 min of fit and predict) under nice -n 19 and one "
            "torch thread, on a 2-core machine shared with other jobs (load "
            "average 7-8)"
        ),
    ),
    "sharing": Suite(
        [
            _relatedness(
                200,
                [0.0, 0.5, 1.0],
                [0.0],
                [
                    "shared net (equal)",
                    "independent nets",
                    "grouping net",
                    "grouping net (CV)",
                    "MMoE net",
                    "PLE net",
                    "SVM per task",
                    "LogReg per task",
                ],
            ),
            Experiment(
                "MultiMNIST: LeNet",
                "MultiMNIST",
                [_lenet_full_size()],
                [
                    "shared net (equal)",
                    "independent nets",
                    "grouping net",
                    "MMoE net",
                    "PLE net",
                    "cross-stitch net",
                ],
                seeds=[0, 1],
            ),
        ],
        seeds=[0, 1, 2],
        duration=(
            "51 min wall-clock (relatedness 9 min, 6 of them the CV grouping; "
            "MultiMNIST 42 min) under nice -n 19 and one torch thread, on a "
            "2-core machine shared with other jobs (load average 2-4.7)"
        ),
    ),
    "tiny": Suite(
        [
            Experiment(
                "MultiMNIST: LeNet",
                "MultiMNIST",
                [
                    {
                        "n_train": 200,
                        "n_test": 100,
                        "scale_nets": False,
                        "trunk": "cnn",
                        "max_epochs": 2,
                    }
                ],
                ["shared net (equal)", "SVM per task"],
            ),
            _relatedness(
                100,
                [0.0, 1.0],
                [0.0],
                [
                    "shared net (equal)",
                    "grouping net",
                    "powerset SVM",
                    "LogReg per task",
                ],
            ),
            _size(1.0, [50, 100], [0.5], ["shared net (equal)", "powerset SVM"]),
            _tasks([1, 2], 100, 2),
        ],
        seeds=[0],
        duration=(
            "3 min wall-clock (24 s of CPU) measured on a 2-core machine shared "
            "with other jobs"
        ),
    ),
}
# The architecture comparisons keep the network configuration of their
# committed results; every other suite measures the estimator's defaults.
for _name in ("sharing", "soft-sharing"):
    for _exp in SUITES[_name].experiments:
        _pinned(_exp)
# The tiny suite's networks train for 2 epochs.
for _exp in SUITES["tiny"].experiments:
    for _setting in _exp.settings:
        _setting.setdefault("max_epochs", 2)
