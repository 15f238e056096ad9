"""MultiTaskNetClassifier: one shared network, one head per task.

The training machinery, the parameters and the fitted state live in
:class:`sklmtl._base.MultiTaskNetBase`; this module adds what is specific to
classification: labels encoded per task (each column keeps its own label
kind), class weights, ``classes_``, ``predict_proba`` and ``predict``.
"""

import numpy as np
import torch
from sklearn.base import ClassifierMixin, MultiOutputMixin
from sklearn.utils.validation import check_is_fitted

from ._base import PREDICT_BATCH_ROWS, MultiTaskNetBase
from ._batches import torch_threads
from ._binary import binary_outputs
from ._targets import decode_predictions, task_class_weights
from .metrics import MultiTaskScoreMixin

__all__ = ["MultiTaskNetClassifier"]


class MultiTaskNetClassifier(
    MultiTaskScoreMixin, ClassifierMixin, MultiOutputMixin, MultiTaskNetBase
):
    """Multi-task neural network classifier: a shared trunk, one head per task.

    Trains one PyTorch network (through skorch) whose trunk is shared by all
    tasks and whose heads each predict one column of ``y``. Each column may
    have its own label type, and unknown cells are skipped: they add nothing to
    their task's loss, while the sample still trains the trunk through its
    other tasks. A drop-in replacement for
    ``MultiOutputClassifier(MLPClassifier())``.

    When every task is binary (a label-indicator ``Y`` of 0/1 or bools,
    missing cells allowed, or any two labels per column), the network has
    one sigmoid logit per task trained with a binary cross-entropy instead
    of two softmax logits (the same model family, a smaller output layer
    and one loss op for all tasks): ``classes_``, ``predict_proba``'s list
    and ``predict`` are unchanged, and :meth:`predict_positive_proba` gives
    the positive-class probabilities as one ``(n_samples, n_tasks)`` array.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 128)
        Widths of the shared MLP trunk's hidden layers.
    activation : {"relu", "tanh", "logistic", "identity", "gelu", "elu", \
"leaky_relu"}, default="relu"
        Activation of the hidden layers.
    dropout : float, default=0.0
        Dropout probability after each hidden layer (trunk and heads).
    batch_norm : bool, default=False
        Whether to add batch normalisation to the trunk.
    head_hidden_size : int or None, default=None
        Width of a hidden layer of each task's own head; None for linear heads.
    trunk : {"mlp", "cnn"}, nn.Module subclass or nn.Module instance, \
default="mlp"
        What extracts the shared features. ``"mlp"`` uses
        ``hidden_layer_sizes``; ``"cnn"`` is a LeNet-sized
        :class:`~sklmtl.nn.CNNTrunk` for images ``(n_samples, C, H, W)`` or
        flat rows with ``image_shape``. A class is built with the
        ``trunk__<param>`` keyword arguments; an instance (e.g. a torchvision
        backbone) is copied. The feature width is found with a dry forward
        pass, so the heads attach automatically.
    architecture : {"hps", "mmoe", "cgc", "ple", "cross_stitch"} or HPS, default="hps"
        How tasks share the trunk: hard parameter sharing, a multi-gate
        mixture of experts whose experts are trunks (``architecture__n_experts``),
        task-specific and shared experts (CGC, or PLE over ``n_levels``), or one
        trunk per task joined by cross-stitch units; an alias or a spec from
        :mod:`sklmtl.nn` (:class:`~sklmtl.nn.MMoE`, :class:`~sklmtl.nn.PLE`, ...).
    image_shape : tuple of int or None, default=None
        ``(C, H, W)`` or ``(H, W)`` of flat image rows, for image trunks.
    categorical_features : None, "from_dtype" or array-like, default="from_dtype"
        Which columns of ``X`` are categorical, as in
        ``HistGradientBoostingClassifier``: ``"from_dtype"`` takes a
        DataFrame's ``category``, ``object``, ``string`` and ``bool`` columns
        (a numeric array has none); column indices, names or a boolean mask
        select them explicitly; None makes every column numeric. Each
        categorical column is encoded at fit and gets a learned embedding;
        missing values and categories unseen at fit map to a reserved
        "unknown" embedding (see the user guide, "Tabular input").
    categorical_embedding_dim : "auto" or int, default="auto"
        Width of each categorical column's embedding; ``"auto"`` is
        ``min(16, round(1.6 * n_levels ** 0.56))``.
    numeric_embedding : {None, "periodic", "piecewise_linear"}, default=None
        Embeddings for numerical features (Gorishniy et al., NeurIPS 2022):
        ``"periodic"`` (PLR; ``numeric_embedding__n_frequencies``,
        ``__sigma``, ``__d_embedding``) or ``"piecewise_linear"`` (PLE with
        ``numeric_embedding__n_bins`` training quantile bins, default 16).
    missing_values : {"error", "indicator"}, default="error"
        NaN in numeric columns of ``X``: ``"error"`` rejects them;
        ``"indicator"`` imputes the training median and adds an indicator
        column for each numeric column that had missing values at fit.
        Whenever a table needs encoding (categorical columns, or either
        option above), numeric columns are also standardised with the
        training mean and standard deviation.
    task_weighting : str, list, dict or TaskWeighting, default="equal"
        How per-task losses (or gradients) are combined: an alias (see
        ``sklmtl.weighting.ALIASES``), fixed weights (a list or a
        ``{task_name: weight}`` dict) or a strategy instance from
        :mod:`sklmtl.weighting` (copied at fit). Its hyperparameters are
        ``task_weighting__<param>``.
    class_weight : None, "balanced", dict or list, default=None
        Class weights in each task's cross-entropy: ``"balanced"`` for every
        task, or a list with one entry per task (``None``, ``"balanced"`` or
        ``{label: weight}``); a dict for a single task.
    missing_label : scalar, default=np.nan
        Marks unknown cells of ``y`` in addition to ``None``, ``NaN`` and
        ``pd.NA`` (e.g. ``-1``).
    optimizer : torch.optim.Optimizer subclass, default=torch.optim.Adam
        The optimizer class.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        L2 penalty handed to the optimizer (omitted when 0).
    batch_size : int, default=128
        Training mini-batch size. Batches are shuffled every epoch.
    max_epochs : int, default=200
        Number of passes over the training data (an upper bound with early
        stopping).
    early_stopping : "auto" or bool, default="auto"
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
        weighting) or be redrawn (``"rlw"``).
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=20
        Patience of early stopping, in epochs. The best weights are restored,
        so a long patience costs time, not accuracy: in
        ``benchmarks/defaults_sweep.py`` 20 instead of 10 changed no table but
        diamonds, whose validation loss improves slowly (+0.6 and +1.5
        points).
    tol : float or None, default=1e-3
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
        stopping and the monitored loss*).
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
    dtype : {"float32", "float64"}, default="float32"
        The floating-point type the network trains and predicts in (numpy's
        and torch's float32/float64 dtypes are accepted too); inputs are
        converted to it. float64 doubles the memory of weights and
        batches and is slower (1.4x the fit time of a (256, 128) MLP on one
        CPU thread, ``benchmarks/dtype_cost.py``; much more on most GPUs),
        and gives results exact to ~1e-15 instead of ~1e-7: e.g. a fit with
        integer sample weights and one on repeated rows then agree to
        scikit-learn's tolerance. Fixed by the first fit (a continued fit
        cannot change it).
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (or ``(name, callback)`` pairs); they are
        copied, never modified.
    progress_bar : bool, default=False
        Show skorch's per-batch progress bar with the running loss and mean
        task accuracy.
    warm_start : bool, default=False
        When True, a new ``fit`` continues training the fitted network for
        ``max_epochs`` more epochs. Every training setting changed with
        ``set_params`` in between takes effect (``lr``, ``max_epochs``,
        ``batch_size``, ``optimizer`` and ``optimizer__<name>``, ``callbacks``,
        ``early_stopping``, ``class_weight``, ``dropout``); the optimizer's
        moments carry over when the optimizer class is unchanged. Parameters
        that define the weights (``hidden_layer_sizes``, ``batch_norm``,
        ``head_hidden_size``, ``trunk``, ``architecture``, ``image_shape``,
        ``task_weighting``, the four tabular options above and their
        ``<prefix>__`` arguments) cannot change on a continued fit: that
        raises a ``ValueError`` naming them.
    verbose : int or bool, default=0
        1 (or True) prints the per-epoch table: the plain-mean ``train_loss`` and
        ``valid_loss``, the mean task accuracies ``train_acc``/``valid_acc``,
        and task weights when they change and there are at most 4 tasks.
        Per-task values are in ``history_``.
    on_divergence : {"raise", "restore_best"}, default="raise"
        What happens when a task's loss becomes NaN or infinite: ``"raise"``
        stops with :class:`~sklmtl.exceptions.TrainingDivergedError` naming the
        epoch and the task (a new fit leaves the estimator unfitted; a
        continued fit restores the weights it started from);
        ``"restore_best"`` stops training, restores the weights of the best
        completed epoch (lowest validation loss with early stopping, else
        training loss) and warns with a ``ConvergenceWarning``.
    n_threads : "auto", int or None, default="auto"
        Torch intra-op threads used by ``fit`` and ``predict``; the caller's
        setting is restored afterwards. ``"auto"`` uses one thread for small
        networks on the CPU (parameters x batch rows below 2e6, where more
        threads only add overhead) and torch's setting otherwise; None always
        keeps torch's setting. Parallel searches need nothing more: joblib's
        workers (and Dask's and Ray's) already start torch with one thread
        each. Float sums depend on the thread count: for results identical
        across processes and machines, fix it (e.g. ``n_threads=1``).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation
        split. An int gives identical predictions across fits. The caller's
        global torch RNG is left untouched.
    **kwargs : dict
        ``trunk__<param>``, ``architecture__<param>`` and
        ``task_weighting__<param>`` arguments for string aliases and classes,
        ``optimizer__<name>`` arguments of the optimizer (e.g.
        ``optimizer__momentum=0.9`` for SGD, ``optimizer__betas`` for Adam;
        ``lr`` and ``weight_decay`` have their own parameters), and
        ``iterator_train__<name>``/``iterator_valid__<name>`` DataLoader
        options. All are visible to ``get_params``, so ``GridSearchCV`` can
        search them, and saved by :func:`sklmtl.io.save`.

    Attributes
    ----------
    classes_ : list of ndarray of shape (n_classes_t,), or ndarray
        Class labels of each task (a single array when ``y`` was 1-D).
    n_tasks_ : int
        Number of tasks.
    task_names_ : list of str
        ``y``'s column names when it was a DataFrame, else ``task_0``, ...
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` had string column names.
    net_ : MultiTaskNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch records: ``train_loss`` (plain mean of the task losses),
        ``train_objective`` (the weighted loss the optimizer minimised),
        ``train_acc`` (mean task accuracy), ``train_loss_<task>``,
        ``train_acc_<task>``, ``task_weight_<task>`` and the ``valid_``
        counterparts. A continued fit appends to it.
    n_iter_ : int
        Number of epochs trained.
    do_early_stopping_ : bool
        Whether this fit held out a validation split and stopped early (see
        ``early_stopping``).

    See Also
    --------
    sklearn.multioutput.MultiOutputClassifier : one independent model per task.
    sklmtl.metrics.subset_accuracy : the metric of :meth:`score`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklmtl import MultiTaskNetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4)).astype(np.float32)
    >>> Y = np.column_stack([X[:, 0] > 0, np.where(X[:, 1] > 0, "up", "down")])
    >>> clf = MultiTaskNetClassifier(hidden_layer_sizes=(16,), max_epochs=30,
    ...                              lr=0.01, random_state=0).fit(X, Y)
    >>> clf.predict(X[:2]).shape
    (2, 2)
    >>> [p.shape for p in clf.predict_proba(X[:2])]
    [(2, 2), (2, 2)]
    >>> clf.score(X, Y) > 0.9
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        head_hidden_size=None,
        trunk="mlp",
        architecture="hps",
        image_shape=None,
        categorical_features="from_dtype",
        categorical_embedding_dim="auto",
        numeric_embedding=None,
        missing_values="error",
        task_weighting="equal",
        class_weight=None,
        missing_label=np.nan,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        weight_decay=0.0,
        batch_size=128,
        max_epochs=200,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=20,
        tol=1e-3,
        device="cpu",
        dtype="float32",
        callbacks=None,
        progress_bar=False,
        warm_start=False,
        verbose=0,
        on_divergence="raise",
        n_threads="auto",
        random_state=None,
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.head_hidden_size = head_hidden_size
        self.trunk = trunk
        self.architecture = architecture
        self.image_shape = image_shape
        self.categorical_features = categorical_features
        self.categorical_embedding_dim = categorical_embedding_dim
        self.numeric_embedding = numeric_embedding
        self.missing_values = missing_values
        self.task_weighting = task_weighting
        self.class_weight = class_weight
        self.missing_label = missing_label
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.dtype = dtype
        self.callbacks = callbacks
        self.progress_bar = progress_bar
        self.warm_start = warm_start
        self.verbose = verbose
        self.on_divergence = on_divergence
        self.n_threads = n_threads
        self.random_state = random_state
        self._store_extra_params(kwargs)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None):
        """Fit the network to ``X`` and the task labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, one column per task; unknown cells are ``None``, ``NaN``,
            ``pd.NA`` or equal to ``missing_label``.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Non-negative weights per row, or per label cell (label confidence,
            cost per task). Each task's loss is the weighted mean over its
            labelled cells; the weights follow shuffling, batching and the
            validation split, so early stopping monitors the weighted
            validation loss. A cell of weight 0 counts as missing.

        Returns
        -------
        self : MultiTaskNetClassifier
            The fitted estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(max_epochs=2).fit(
        ...     [[0.0], [1.0], [2.0]], [["a", 0], ["b", None], ["a", 1]])
        >>> clf.classes_[0].tolist(), clf.task_names_
        (['a', 'b'], ['task_0', 'task_1'])
        """
        continuing = self.warm_start and hasattr(self, "net_")
        return self._fit(
            X,
            y,
            continuing=continuing,
            epochs=None,
            classes=None,
            sample_weight=sample_weight,
        )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on a batch of data, keeping what was learned so far.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like or DataFrame of shape (n_samples, n_tasks) or (n_samples,)
            Labels, as for :meth:`fit`.
        classes : list of array-like, or array-like, default=None
            The classes of each task (one array for 1-D ``y``). Needed only on
            the first call when that batch does not show every class; later
            batches must use these classes.
        sample_weight : array-like of shape (n_samples,) or (n_samples, n_tasks), \
default=None
            Weights per row or per label cell, as for :meth:`fit`.

        Returns
        -------
        self : MultiTaskNetClassifier
            The updated estimator.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(hidden_layer_sizes=(8,))
        >>> clf = clf.partial_fit([[0.0], [1.0]], [0, 0], classes=[0, 1])
        >>> clf = clf.partial_fit([[2.0], [3.0]], [1, 1])
        >>> clf.n_iter_
        2
        """
        continuing = hasattr(self, "net_")
        if not continuing and classes is not None:
            classes = _classes_as_list(classes, y)
        return self._fit(
            X,
            y,
            continuing=continuing,
            epochs=1,
            classes=classes,
            sample_weight=sample_weight,
        )

    # ------------------------------------------------------------- targets
    def _encode_targets(self, y, *, continuing, classes):
        """Encode ``y`` per task; a new fit learns ``classes_`` and the names."""
        codes = super()._encode_targets(y, continuing=continuing, classes=classes)
        if not continuing:
            self._set_classes()
        # Class weights follow each fit's labels (and a changed class_weight).
        self._class_weights = task_class_weights(
            self.class_weight, codes, self._classes_list(), self.task_names_
        )
        return codes

    def _set_classes(self):
        classes = [task.classes for task in self._tasks]
        self.classes_ = classes[0] if self._y_is_1d else classes

    def _target_state(self):
        return {
            **super()._target_state(),
            "class_weights": None
            if self._class_weights is None
            else [None if w is None else np.asarray(w) for w in self._class_weights],
        }

    def _restore_target_state(self, state):
        super()._restore_target_state(state)
        self._set_classes()
        self._class_weights = state["class_weights"]

    def _classes_list(self):
        return [task.classes for task in self._tasks]

    # -------------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities of each task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : list of ndarray of shape (n_samples, n_classes_t), or ndarray
            One array per task, columns ordered as ``classes_[t]``; a single
            array when the estimator was fitted on a 1-D ``y``.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(max_epochs=2).fit(
        ...     [[0.0], [1.0]], [[0, "x"], [1, "y"]])
        >>> [p.shape for p in clf.predict_proba([[0.5]])]
        [(1, 2), (1, 2)]
        """
        probas = self._predict_outputs(X)
        return probas[0] if self._y_is_1d else probas

    def predict_positive_proba(self, X):
        """Probability of each task's positive class, as one array.

        For binary tasks (a label-indicator ``Y``), the probability of
        ``classes_[t][1]`` (the larger label: 1, ``True``, ...) for every
        task, in one ``(n_samples, n_tasks)`` array: what ``MLPClassifier``'s
        ``predict_proba`` returns for multi-label targets, and column 1 of
        each of :meth:`predict_proba`'s arrays.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_tasks), or (n_samples,)
            ``proba[:, t]`` is the probability of ``classes_[t][1]``; 1-D
            when the estimator was fitted on a 1-D ``y``.

        Raises
        ------
        ValueError
            When a task does not have exactly two classes.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> Y = [[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 0]]
        >>> clf = MultiTaskNetClassifier(max_epochs=2, random_state=0).fit(
        ...     [[0.0], [1.0], [2.0], [3.0]], Y)
        >>> clf.predict_positive_proba([[0.5], [1.5]]).shape
        (2, 3)
        """
        check_is_fitted(self)
        if not self._layout.one_logit_per_task:
            not_binary = [t.name for t in self._tasks if len(t.classes) != 2]
            raise ValueError(
                "predict_positive_proba needs binary tasks (exactly two classes "
                f"each); task(s) {not_binary} have "
                f"{[len(t.classes) for t in self._tasks if t.name in not_binary]} "
                "classes. Use predict_proba."
            )
        # Every task binary: the network has one sigmoid logit per task.
        X = self._validate_X(X, reset=False)
        module = self.net_.module_.eval()
        device = next(module.parameters()).device
        with torch_threads(self._threads_for(PREDICT_BATCH_ROWS)):
            proba = binary_outputs(
                module, X, PREDICT_BATCH_ROWS, device, "positive", self._float_dtype()
            )
        return proba[:, 0] if self._y_is_1d else proba

    def predict(self, X):
        """Predict the label of every task.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples, n_tasks), or (n_samples,)
            Labels from ``classes_``; object dtype only when tasks mix label
            kinds.

        Examples
        --------
        >>> from sklmtl import MultiTaskNetClassifier
        >>> clf = MultiTaskNetClassifier(max_epochs=2).fit(
        ...     [[0.0], [1.0]], [[0, "x"], [1, "y"]])
        >>> clf.predict([[0.5]]).shape
        (1, 2)
        """
        probas = self._predict_outputs(X)
        codes = np.column_stack([p.argmax(axis=1) for p in probas])
        return decode_predictions(codes, self._classes_list(), self._y_is_1d)


def _classes_as_list(classes, y):
    """``classes`` of ``partial_fit`` as one entry per task.

    The entries stay as given: ``encode_targets`` turns each into an array
    that keeps the task's label kind (``np.unique`` or ``np.asarray`` of a
    list would turn ``[0, 1]`` beside strings, or ``True`` beside ``1``,
    into another kind).
    """
    if np.ndim(y) == 1 or (hasattr(y, "name") and not hasattr(y, "columns")):
        return [classes]
    if (
        isinstance(classes, np.ndarray)
        and classes.ndim == 1
        and not isinstance(classes[0], (list, tuple, np.ndarray))
    ):
        raise ValueError(
            "For a 2-D y, classes must be a list with one array of classes per task."
        )
    return list(classes)
