"""Parameters declared once: name, default, constraint and documentation.

The network estimators share most of their parameters. Each is declared here
once, as a :class:`Parameter`; an estimator names only the parameters of its
own (``loss``, ``class_weight``, ...) and :func:`declare_parameters` gives it,
from the one list:

- ``__init__``, generated as :mod:`dataclasses` generates one: real Python
  code with an explicit signature, so that scikit-learn's ``get_params``,
  ``clone`` and ``repr`` (which read the signature) work as for a hand-written
  ``__init__`` that stores each argument;
- ``_parameter_constraints``, the table :func:`~sklmtl._validation.validate_params`
  checks at fit;
- the ``Parameters`` section of its docstring, where ``{parameters}`` stands;
- ``_network_parameter_names``, the parameters that define the network's
  weights (a continued fit cannot change them).

Adding a setting to every estimator is one :class:`Parameter` in
``SHARED_PARAMETERS``. A documentation text may hold ``{placeholders}`` that
each estimator fills (``_doc_vars``): what its progress bar and epoch table
show differs between classification and regression.
"""

import numbers
from dataclasses import dataclass

import numpy as np
import torch

from .._validation import (
    FloatDtype,
    InstanceOf,
    Interval,
    LayerSizes,
    Options,
    SubclassOf,
)
from ..nn.tabular import NUMERIC_EMBEDDINGS

__all__ = ["MISSING_LABEL", "SHARED_PARAMETERS", "Parameter", "declare_parameters"]

_BOOL = InstanceOf(bool, np.bool_, name="bool")
_NONE = Options({None})


@dataclass(frozen=True)
class Parameter:
    """One hyperparameter of an estimator, declared once.

    Parameters
    ----------
    name : str
        The argument's name (and the attribute ``__init__`` stores it in).
    default : object
        Its default value.
    constraints : tuple
        Constraint objects of :mod:`sklmtl._validation` (any one satisfied
        is enough); empty when the parameter is checked where it is used.
    doc : str
        The numpydoc entry without the name: the type line, then the
        description indented by four spaces. ``{placeholders}`` are filled
        from the estimator's ``_doc_vars``.
    network : bool, default=False
        Whether the parameter defines the network's weights, so that a
        continued fit cannot change it.

    Examples
    --------
    >>> from sklmtl._estimator._parameters import Parameter
    >>> Parameter("lr", 1e-3, (), "float, default=1e-3\\n    Learning rate.").name
    'lr'
    """

    name: str
    default: object
    constraints: tuple
    doc: str
    network: bool = False

    def numpydoc(self, doc_vars):
        """The entry of a ``Parameters`` section, indented for a class docstring."""
        text = self.doc
        for key, value in doc_vars.items():
            text = text.replace("{" + key + "}", value)
        lines = f"{self.name} : {text}".split("\n")
        return "\n".join("    " + line if line else "" for line in lines)


SHARED_PARAMETERS = (
    Parameter(
        "hidden_layer_sizes",
        (256, 128),
        [LayerSizes()],
        """\
tuple of int, default=(256, 128)
    Widths of the shared MLP trunk's hidden layers.""",
        network=True,
    ),
    Parameter(
        "activation",
        "relu",
        (),
        """\
{"relu", "tanh", "logistic", "identity", "gelu", "elu", \
"leaky_relu"}, default="relu"
    Activation of the hidden layers.""",
    ),
    Parameter(
        "dropout",
        0.0,
        [Interval(numbers.Real, 0, 1, closed="left")],
        """\
float, default=0.0
    Dropout probability after each hidden layer (trunk and heads).""",
    ),
    Parameter(
        "batch_norm",
        False,
        [_BOOL],
        """\
bool, default=False
    Whether to add batch normalisation to the trunk.""",
        network=True,
    ),
    Parameter(
        "head_hidden_size",
        None,
        [_NONE, Interval(numbers.Integral, 1, None)],
        """\
int or None, default=None
    Width of a hidden layer of each task's own head; None for linear heads.""",
        network=True,
    ),
    Parameter(
        "trunk",
        "mlp",
        (),
        """\
{"mlp", "cnn"}, nn.Module subclass or nn.Module instance, \
default="mlp"
    What extracts the shared features. ``"mlp"`` uses
    ``hidden_layer_sizes``; ``"cnn"`` is a LeNet-sized
    :class:`~sklmtl.nn.CNNTrunk` for images ``(n_samples, C, H, W)`` or
    flat rows with ``image_shape``. A class is built with the
    ``trunk__<param>`` keyword arguments; an instance (e.g. a torchvision
    backbone) is copied. The feature width is found with a dry forward
    pass, so the heads attach automatically.""",
        network=True,
    ),
    Parameter(
        "architecture",
        "hps",
        (),
        """\
{"hps", "mmoe", "cgc", "ple", "cross_stitch"} or HPS, default="hps"
    How tasks share the trunk: hard parameter sharing, a multi-gate
    mixture of experts whose experts are trunks (``architecture__n_experts``),
    task-specific and shared experts (CGC, or PLE over ``n_levels``), or one
    trunk per task joined by cross-stitch units; an alias or a spec from
    :mod:`sklmtl.nn` (:class:`~sklmtl.nn.MMoE`, :class:`~sklmtl.nn.PLE`, ...).""",
        network=True,
    ),
    Parameter(
        "image_shape",
        None,
        [_NONE, InstanceOf(tuple, list)],
        """\
tuple of int or None, default=None
    ``(C, H, W)`` or ``(H, W)`` of flat image rows, for image trunks.""",
        network=True,
    ),
    Parameter(
        "categorical_features",
        "from_dtype",
        [
            Options({None, "from_dtype"}),
            InstanceOf(list, tuple, np.ndarray),
        ],
        """\
None, "from_dtype" or array-like, default="from_dtype"
    Which columns of ``X`` are categorical, as in
    ``HistGradientBoostingClassifier``: ``"from_dtype"`` takes a
    DataFrame's ``category``, ``object``, ``string`` and ``bool`` columns
    (a numeric array has none); column indices, names or a boolean mask
    select them explicitly; None makes every column numeric. Each
    categorical column is encoded at fit and gets a learned embedding;
    missing values and categories unseen at fit map to a reserved
    "unknown" embedding (see the user guide, "Tabular input").""",
        network=True,
    ),
    Parameter(
        "categorical_embedding_dim",
        "auto",
        [
            Options({"auto"}),
            Interval(numbers.Integral, 1, None),
        ],
        """\
"auto" or int, default="auto"
    Width of each categorical column's embedding; ``"auto"`` is
    ``min(16, round(1.6 * n_levels ** 0.56))``, where ``n_levels``
    counts the column's categories plus the reserved unknown level
    (3 categories: ``n_levels=4``, width 3).""",
        network=True,
    ),
    Parameter(
        "numeric_embedding",
        None,
        [Options({None, *NUMERIC_EMBEDDINGS})],
        """\
{None, "periodic", "piecewise_linear"}, default=None
    Embeddings for numerical features (Gorishniy et al., NeurIPS 2022):
    ``"periodic"`` (PLR; ``numeric_embedding__n_frequencies``,
    ``__sigma``, ``__d_embedding``) or ``"piecewise_linear"`` (PLE with
    ``numeric_embedding__n_bins`` training quantile bins, default 16).""",
        network=True,
    ),
    Parameter(
        "missing_values",
        "error",
        [Options({"error", "indicator"})],
        """\
{"error", "indicator"}, default="error"
    NaN in numeric columns of ``X``: ``"error"`` rejects them;
    ``"indicator"`` imputes the training median and adds an indicator
    column for each numeric column that had missing values at fit.
    Whenever a table needs encoding (categorical columns, or either
    option above), numeric columns are also standardised with the
    training mean and standard deviation.""",
        network=True,
    ),
    Parameter(
        "task_weighting",
        "equal",
        (),
        """\
str, list, dict or TaskWeighting, default="equal"
    How per-task losses (or gradients) are combined: an alias (see
    ``sklmtl.weighting.ALIASES``), fixed weights (a list or a
    ``{task_name: weight}`` dict) or a strategy instance from
    :mod:`sklmtl.weighting` (copied at fit). Its hyperparameters are
    ``task_weighting__<param>``.""",
        network=True,
    ),
    Parameter(
        "optimizer",
        torch.optim.Adam,
        [SubclassOf(torch.optim.Optimizer, "torch.optim.Adam")],
        """\
torch.optim.Optimizer subclass, default=torch.optim.Adam
    The optimizer class.""",
    ),
    Parameter(
        "lr",
        0.001,
        [Interval(numbers.Real, 0, None, closed="neither")],
        """\
float, default=1e-3
    Learning rate.""",
    ),
    Parameter(
        "weight_decay",
        0.0,
        [Interval(numbers.Real, 0, None)],
        """\
float, default=0.0
    L2 penalty handed to the optimizer (omitted when 0).""",
    ),
    Parameter(
        "batch_size",
        128,
        [Interval(numbers.Integral, 1, None)],
        """\
int, default=128
    Training mini-batch size. Batches are shuffled every epoch. With
    BatchNorm layers (``batch_norm=True``, or a trunk that has them) a
    one-row last batch joins the one before, since BatchNorm cannot
    train on one row.""",
    ),
    Parameter(
        "max_epochs",
        200,
        [Interval(numbers.Integral, 1, None)],
        """\
int, default=200
    Number of passes over the training data (an upper bound with early
    stopping).""",
    ),
    Parameter(
        "early_stopping",
        "auto",
        [_BOOL, Options({"auto"})],
        """\
"auto" or bool, default="auto"
    Hold out ``validation_fraction`` of the training data, stop when the
    validation loss has not improved for ``n_iter_no_change`` epochs and
    restore the best weights. ``"auto"`` turns it on when the first fit
    has at least 500 rows (so the validation split has 50) and off below,
    where every row and every epoch is needed (``benchmarks/defaults_sweep.py``
    on the real-data suite's tables: it lifted five of the six of 800 rows
    and more and cost the two under 300 up to 8 points), and off for
    ``partial_fit`` (streamed batches); a continued fit keeps the first
    fit's choice, which is in ``do_early_stopping_``. The monitored
    ``valid_loss`` is the plain mean over tasks of each task's validation
    loss (averaged over its labelled cells), whatever the
    ``task_weighting``: a weighted objective can go negative (uncertainty
    weighting) or be redrawn (``"rlw"``).""",
    ),
    Parameter(
        "validation_fraction",
        0.1,
        [Interval(numbers.Real, 0, 1, closed="neither")],
        """\
float, default=0.1
    Share of the training data held out for early stopping.""",
    ),
    Parameter(
        "n_iter_no_change",
        20,
        [Interval(numbers.Integral, 1, None)],
        """\
int, default=20
    Patience of early stopping, in epochs. The best weights are restored,
    so a long patience costs time, not accuracy: in
    ``benchmarks/defaults_sweep.py`` 20 instead of 10 changed no table but
    diamonds, whose validation loss improves slowly (+0.6 and +1.5
    points).""",
    ),
    Parameter(
        "tol",
        0.001,
        [_NONE, Interval(numbers.Real, 0, None)],
        """\
float or None, default=1e-3
    When early stopping is off (``early_stopping=False``, or ``"auto"``
    below 500 rows), training stops once ``train_loss`` (the plain mean
    over tasks of each task's loss) has not improved by at least ``tol``
    for ``n_iter_no_change`` consecutive epochs: the stopping rule of
    ``MLPClassifier``/``MLPRegressor`` (their ``tol``;
    :class:`~sklmtl.callbacks.TrainingLossPlateau`). ``None`` trains all
    ``max_epochs``. Unused with early stopping on, where the validation
    loss decides; ``partial_fit`` (one epoch per call) never stops on it.
    ``1e-3`` rather than scikit-learn's ``1e-4``: this network's loss
    falls faster than a one-layer MLP's, and ``1e-4`` changed no
    penguins or mpg score of the mixed suite; ``1e-3`` stopped penguins
    after 76 to 147 epochs and lifted its scores (user guide, *Early
    stopping and the monitored loss*).""",
    ),
    Parameter(
        "device",
        "cpu",
        (),
        """\
str, default="cpu"
    ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).""",
    ),
    Parameter(
        "dtype",
        "float32",
        [FloatDtype()],
        """\
{"float32", "float64"}, default="float32"
    The floating-point type the network trains and predicts in (numpy's
    and torch's float32/float64 dtypes are accepted too); inputs are
    converted to it. float64 doubles the memory of weights and
    batches and is slower (1.4x the fit time of a (256, 128) MLP on one
    CPU thread, ``benchmarks/dtype_cost.py``; much more on most GPUs),
    and gives results exact to ~1e-15 instead of ~1e-7: e.g. a fit with
    integer sample weights and one on repeated rows then agree to
    scikit-learn's tolerance. Fixed by the first fit (a continued fit
    cannot change it).""",
        network=True,
    ),
    Parameter(
        "callbacks",
        None,
        [_NONE, InstanceOf(list, tuple)],
        """\
list of skorch callbacks or None, default=None
    Extra skorch callbacks (or ``(name, callback)`` pairs); they are
    copied, never modified.""",
    ),
    Parameter(
        "progress_bar",
        False,
        [_BOOL],
        """\
bool, default=False
    Show skorch's per-batch progress bar with the running loss{progress}.""",
    ),
    Parameter(
        "warm_start",
        False,
        [_BOOL],
        """\
bool, default=False
    When True, a new ``fit`` continues training the fitted network for
    ``max_epochs`` more epochs. Every training setting changed with
    ``set_params`` in between takes effect (``lr``, ``max_epochs``,
    ``batch_size``, ``optimizer`` and ``optimizer__<name>``, ``callbacks``,
    ``early_stopping``, {training_setting}``dropout``); the optimizer's
    moments carry over when the optimizer class is unchanged. Parameters
    that define the weights (``hidden_layer_sizes``, ``batch_norm``,
    ``head_hidden_size``, ``trunk``, ``architecture``, ``image_shape``,
    ``task_weighting``, the four tabular options above and their
    ``<prefix>__`` arguments) cannot change on a continued fit: that
    raises a ``ValueError`` naming them.""",
    ),
    Parameter(
        "verbose",
        0,
        # bool as well: MLPClassifier's verbose is a bool.
        [Interval(numbers.Integral, 0, None), _BOOL],
        """\
int or bool, default=0
    1 (or True) prints the per-epoch table: the plain-mean ``train_loss`` and
    ``valid_loss``, {epoch_scores},
    and task weights when they change and there are at most 4 tasks.
    Per-task values are in ``history_``.""",
    ),
    Parameter(
        "on_divergence",
        "raise",
        [Options({"raise", "restore_best"})],
        """\
{"raise", "restore_best"}, default="raise"
    What happens when a task's loss becomes NaN or infinite: ``"raise"``
    stops with :class:`~sklmtl.exceptions.TrainingDivergedError` naming the
    epoch and the task (a new fit leaves the estimator unfitted; a
    continued fit restores the weights it started from);
    ``"restore_best"`` stops training, restores the weights of the best
    completed epoch (lowest validation loss with early stopping, else
    training loss) and warns with a ``ConvergenceWarning``.""",
    ),
    Parameter(
        "n_threads",
        "auto",
        [Options({None, "auto"}), Interval(numbers.Integral, 1, None)],
        """\
"auto", int or None, default="auto"
    Torch intra-op threads used by ``fit`` and ``predict``; the caller's
    setting is restored afterwards. ``"auto"`` uses one thread for small
    networks on the CPU (parameters x batch rows below 2e6, where more
    threads only add overhead) and torch's setting otherwise; None always
    keeps torch's setting. Parallel searches need nothing more: joblib's
    workers (and Dask's and Ray's) already start torch with one thread
    each. Float sums depend on the thread count: for results identical
    across processes and machines, fix it (e.g. ``n_threads=1``).""",
    ),
    Parameter(
        "random_state",
        None,
        [
            _NONE,
            Interval(numbers.Integral, 0, 2**32 - 1),
            InstanceOf(np.random.RandomState),
        ],
        """\
int, RandomState instance or None, default=None
    Seeds weight initialisation, shuffling, dropout and the validation
    split. An int gives identical predictions across fits. The caller's
    global torch RNG is left untouched.""",
    ),
)

#: ``missing_label`` of the estimators with classification tasks.
MISSING_LABEL = Parameter(
    "missing_label",
    np.nan,
    (),
    """\
scalar, default=np.nan
    Marks unknown cells of {labelled_cells} in addition to ``None``,
    ``NaN`` and ``pd.NA`` (e.g. ``-1``){regression_missing}.""",
)

#: The last entry of every estimator's ``Parameters`` section.
KWARGS_DOC = """\
    **kwargs : dict
        ``trunk__<param>``, ``architecture__<param>`` and
        ``task_weighting__<param>`` arguments for string aliases and classes,
        ``optimizer__<name>`` arguments of the optimizer (e.g.
        ``optimizer__momentum=0.9`` for SGD, ``optimizer__betas`` for Adam;
        ``lr`` and ``weight_decay`` have their own parameters), and
        ``iterator_train__<name>``/``iterator_valid__<name>`` DataLoader
        options. All are visible to ``get_params``, so ``GridSearchCV`` can
        search them, and saved by :func:`sklmtl.io.save`."""


def _with_own(inherited, own, after):
    """``inherited`` with ``own`` inserted after the parameter named ``after``."""
    names = [p.name for p in inherited]
    clash = sorted({p.name for p in own} & set(names))
    if clash:
        raise TypeError(f"Parameters {clash} are declared twice.")
    at = 0 if after is None else names.index(after) + 1
    return (*inherited[:at], *own, *inherited[at:])


def _make_init(params):
    """``__init__`` storing every parameter, generated as dataclasses do."""
    defaults = {f"_default_{p.name}": p.default for p in params}
    arguments = ", ".join(f"{p.name}=_default_{p.name}" for p in params)
    body = "\n".join(f"    self.{p.name} = {p.name}" for p in params)
    source = (
        f"def __init__(self, {arguments}, **kwargs):\n"
        f"{body}\n"
        "    self._store_extra_params(kwargs)\n"
    )
    namespace = {}
    exec(compile(source, "<sklmtl declared __init__>", "exec"), defaults, namespace)
    return namespace["__init__"]


def declare_parameters(cls):
    """Give ``cls`` its parameters: ``__init__``, constraints and documentation.

    ``cls`` declares ``_own_parameters`` (a tuple of :class:`Parameter`) and
    where they go, ``_own_parameters_after`` (a parameter's name, or None
    for the front); they join the parameters of the nearest class in its MRO
    that has them. Called by
    ``MultiTaskNetBase.__init_subclass__`` for every class that declares
    ``_own_parameters``; a class that writes its own ``__init__`` keeps it.

    Parameters
    ----------
    cls : type
        A subclass of ``MultiTaskNetBase``.

    Returns
    -------
    cls : type
        The same class.

    Examples
    --------
    >>> from sklmtl import MultiTaskNetRegressor
    >>> [p.name for p in MultiTaskNetRegressor._parameters][12:15]
    ['task_weighting', 'loss', 'optimizer']
    """
    own = vars(cls)["_own_parameters"]
    after = vars(cls).get("_own_parameters_after", "task_weighting")
    inherited = next(k._parameters for k in cls.__mro__[1:] if "_parameters" in vars(k))
    params = _with_own(inherited, own, after)
    cls._parameters = params
    cls._parameter_constraints = {
        p.name: list(p.constraints) for p in params if p.constraints
    }
    cls._network_parameter_names = tuple(p.name for p in params if p.network)
    if "__init__" not in vars(cls):
        init = _make_init(params)
        init.__qualname__ = f"{cls.__qualname__}.__init__"
        init.__module__ = cls.__module__
        cls.__init__ = init
    if cls.__doc__ and "    {parameters}" in cls.__doc__:
        doc_vars = getattr(cls, "_doc_vars", {})
        entries = [p.numpydoc(doc_vars) for p in params]
        cls.__doc__ = cls.__doc__.replace(
            "    {parameters}", "\n".join([*entries, KWARGS_DOC])
        )
    return cls
