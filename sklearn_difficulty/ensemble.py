"""EnsembleDifficulty: fit N seeded clones, record their predictions per stage."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from inspect import signature
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    _fit_context,
    is_classifier,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, RealNotInt, StrOptions
from sklearn.utils._tags import get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_method_params,
    _check_sample_weight,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    has_fit_parameter,
    validate_data,
)

from ._data import dataset_labels, is_torch_dataset, n_samples, unaugmented
from ._members import MemberCache, build_record, run_members
from ._progress import Progress
from ._random import draw_member_seeds
from .exceptions import IdenticalMembersWarning, MemberFailedWarning
from .record import OUTPUTS, label_dtype
from .recorders import MemberPlan, encode_labels, resolve_recorder
from .scores import (
    consensus,
    consistency,
    heldout_consistency,
    learning_speed,
    mean_over_training,
    member_accuracy,
)

__all__ = ["EnsembleDifficulty"]


def _is_dataframe(X) -> bool:
    return hasattr(X, "columns") and hasattr(X, "iloc")


class EnsembleDifficulty(ClassifierMixin, BaseEstimator):
    """Score the difficulty of every example with an ensemble of seeded clones.

    Fits ``n_estimators`` clones of ``estimator``, each with its own seed,
    and records what every clone (a *member*) predicts for every training
    example, and every example of each evaluation set, at every stage of its
    training: each boosting round, each epoch, or once after fitting. From
    that record come the scores of Hacohen & Weinshall, "All Neural Networks
    are Created Equal": the *consistency* of an example at a stage (the
    fraction of members that classify it correctly) and its *consensus* (the
    largest fraction of members that agree on any one label).

    As a classifier, the ensemble predicts by averaging its members'
    ``predict_proba`` (or their votes, for members without one).

    Parameters
    ----------
    estimator : object
        A scikit-learn classifier (anything with ``fit`` and ``predict``) to
        clone. Every ``random_state`` parameter of each clone, nested ones
        included, gets the member's own seed.
    n_estimators : int, default=10
        Number of members. When every member trained on all the data and
        predicts the same labels at every stage, an
        :class:`~sklearn_difficulty.IdenticalMembersWarning` says so.
    stage_method : str, default="auto"
        The recorder: how members are trained and their stages recorded
        (see :mod:`sklearn_difficulty.recorders`, where each is one class of
        one registry).

        - "skorch": one stage per epoch of a skorch classifier
          (``NeuralNetClassifier``, :class:`~sklearn_difficulty.nets.SkorchCNN`),
          from an eval-mode pass over every scored set at the end of each
          epoch, and before the first one (stage 0). Each member gets its
          own initial weights, dropout masks and mini-batch order from its
          own seed, shuffles its batches, and trains on all its data
          (skorch's default hidden validation split is switched off; a
          split the user passed is kept). Members train on class indices
          0..n_classes-1, so any labels work. Each trains on one CPU thread,
          and members sharing a process (the threading backend) take turns,
          so that the record does not depend on ``n_jobs`` or the backend;
          separate processes (loky, dask) train in parallel, on CPUs or
          sharing a GPU. torch's global random generator is left as it was.
        - "vectorised": all members of a network that trains many at once
          (:class:`~sklearn_difficulty.nets.VectorisedCNN`) as one batched
          model, in groups of its ``member_chunk``; recorded like "skorch".
        - "staged_predict": fit, then one stage per boosting round from
          ``staged_predict`` (AdaBoost, gradient boosting).
        - "partial_fit": one stage per epoch; each epoch is one call of
          ``partial_fit`` over the training data in an order that each member
          draws for itself (SGD, Perceptron, MLP). There is no stage 0:
          scikit-learn's estimators create their weights in their first
          ``partial_fit`` call and cannot predict before it.
        - "final": the fitted model alone, one stage (SVM, k-NN, trees,
          forests).
        - "auto": the first registered recorder that accepts the estimator:
          a network's own recorder, else the first of the core ones above
          that the estimator offers, except that naive Bayes models, whose
          epochs would repeat the same statistics, are recorded once, after
          fitting.
    n_epochs : int or "auto", default="auto"
        Epochs each member trains, for the epoch recorders. "auto" takes the
        estimator's own: ``max_iter`` for ``partial_fit`` members (10 when
        it has none), a network's ``max_epochs`` (or its recipe's). An int
        overrides them.
    stage_step : int, default=1
        Keep every ``stage_step``-th round or epoch (and always stage 0 and
        the last).
    max_samples : int or float, default=None
        Train each member on a random subset of the training set: ``int``
        examples, or that fraction of them. None trains every member on all
        of it (or, with ``bootstrap=True``, on as many examples drawn with
        replacement). Deterministic learners (k-NN, SVM, naive Bayes) need
        subsets to give members that differ. With subsets,
        ``heldout_consistency_`` scores each example over the members that
        did not train on it.
    bootstrap : bool, default=False
        Draw each member's training examples with replacement.
    n_jobs : int, default=None
        Number of members fitted in parallel through joblib; ``-1`` means all
        processors. The scores do not depend on it, nor on the joblib backend.
    random_state : int, RandomState instance or None, default=None
        Draws every member's seed once, before any member is fitted.
    memory : str, joblib.Memory or None, default=None
        Cache each member as soon as it finishes (a folder, or a
        ``joblib.Memory``'s location), with every recorder: a vectorised
        trainer caches each member of a group when the group finishes.
        Fitting again with the same data and parameters reuses the finished
        members and trains only the missing ones, so a run killed midway
        resumes where it stopped; changing the data or any parameter that
        affects the results trains the members again (``n_estimators``,
        ``n_jobs``, the backend and a vectorised trainer's ``member_chunk``
        do not).
    on_error : {"raise", "drop"}, default="raise"
        What a failing member does (an exception, or a training loss that
        turns NaN or infinite): stop the fit, or be dropped with a
        :class:`~sklearn_difficulty.MemberFailedWarning`; dropped members and
        their errors are in ``failed_members_`` and the scores use the
        members that finished.
    min_members : int, default=1
        With ``on_error="drop"``, fewer finished members than this is an error.
    record_initial : bool, default=True
        Record the untrained members before the first epoch as stage 0
        (the paper's initialisation phase: scores around chance), with the
        recorders that can ("skorch" and "vectorised").
    record_folder : str or path-like, default=None
        Keep the record in memory-mapped files in this folder (the folder
        format of :meth:`PredictionRecord.save`), for records larger than
        memory.
    record_outputs : None, "all" or sequence of {"proba", "margin", \
"error_norm"}, default=None
        What to record per member, stage and example beyond the predicted
        label (None: labels only, the smallest record), for the scores of
        :mod:`sklearn_difficulty.scores` that need them (data maps, AUM,
        EL2N):

        - "proba": the probability of the true class. Networks: the softmax
          of their outputs; scikit-learn members: ``predict_proba``
          (``staged_predict_proba`` for boosting rounds), which they must have.
        - "margin": the true class's score minus the largest other class's
          score. Networks: their logits; scikit-learn members: their
          ``decision_function`` (``staged_decision_function``) when they have
          one (a binary one counts as the scores ``(0, value)``), else
          their log-probabilities (which give a softmax model's logit margin).
        - "error_norm": the L2 norm of the probability vector minus the
          one-hot true label (what EL2N averages); needs probabilities.

        Like the labels, they come from an evaluation pass after each stage
        (not from the training pass: see :mod:`sklearn_difficulty.scores`).
        Members that cannot give them are an error before anything trains.
    output_dtype : {"float16", "float32"}, default="float32"
        The dtype of the recorded outputs: float16 halves their memory
        (about 3 significant digits, enough for the scores' means).
    verbose : int, default=0
        1 shows a progress bar (tqdm's) on standard error: the stages done
        (epochs or boosting rounds, over all members, where their number is
        known, else the members), the members done, the time taken and the
        time left; nothing when standard error is not a terminal. 2 and more
        also joblib's own messages.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.
    record_ : PredictionRecord
        Every member's predicted class index at every stage on the training
        set ("train") and on each evaluation set. Every score below is a
        function of it (see :mod:`sklearn_difficulty.scores`).
    stages_ : ndarray of shape (n_stages,)
        The label of each recorded stage (round, epoch, 0 for the untrained
        members, or 1 for "final").
    stage_method_ : str
        The stage method used.
    failed_members_ : list of dict
        The members dropped with ``on_error="drop"``: their index, seed and
        error.
    consistency_ : ndarray of shape (n_stages, n_samples)
        Consistency of each training example at each stage.
    consensus_ : ndarray of shape (n_stages, n_samples)
        Consensus of each training example at each stage.
    member_accuracy_ : ndarray of shape (n_estimators, n_stages)
        Training accuracy of each member at each stage.
    learning_speed_ : ndarray of shape (n_samples,)
        Mean consistency of each training example over the training stages
        (stage 0, the untrained members, left out).
    heldout_consistency_ : ndarray of shape (n_stages, n_samples)
        Consistency of each training example over the members that did not
        train on it (NaN where every member did). Only with ``max_samples``
        or ``bootstrap``.
    eval_consistency_, eval_consensus_ : dict of str to ndarray
        The same scores on each evaluation set, by name, each of shape
        (n_stages, n_samples_eval).
    eval_member_accuracy_ : dict of str to ndarray of shape (n_estimators, n_stages)
        Accuracy of each member at each stage on each evaluation set.
    eval_learning_speed_ : dict of str to ndarray of shape (n_samples_eval,)
        Learning speed of each example of each evaluation set.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen during fit (for images, the size of axis 1).
    sample_shape_ : tuple of int
        Shape of one sample seen during fit: ``(n_features,)``, or the shape
        of one image.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has feature names.

    See Also
    --------
    sklearn_difficulty.scores : the scores as functions of a record.
    sklearn.ensemble.BaggingClassifier : members on subsets, without a record.

    References
    ----------
    G. Hacohen and D. Weinshall, "All Neural Networks are Created Equal",
    arXiv:1905.10854.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import AdaBoostClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> X, y = load_iris(return_X_y=True)
    >>> ed = EnsembleDifficulty(AdaBoostClassifier(n_estimators=10), n_estimators=5,
    ...                         max_samples=0.5, random_state=0)
    >>> ed = ed.fit(X[::2], y[::2], eval_set={"test": (X[1::2], y[1::2])})
    >>> ed.consistency_.shape   # (boosting rounds, training examples)
    (10, 75)
    >>> ed.eval_consistency_["test"].shape
    (10, 75)
    >>> bool((ed.consensus_ >= ed.consistency_).all())
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "stage_method": [str],
        "n_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "stage_step": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [
            None,
            Interval(Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="right"),
        ],
        "bootstrap": ["boolean"],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "memory": [None, str, os.PathLike, HasMethods(["cache"])],
        "on_error": [StrOptions({"raise", "drop"})],
        "min_members": [Interval(Integral, 1, None, closed="left")],
        "record_initial": ["boolean"],
        "record_folder": [None, str, os.PathLike],
        "record_outputs": [None, str, list, tuple],
        "output_dtype": [StrOptions({"float16", "float32"})],
    }

    def __init__(
        self,
        estimator,
        *,
        n_estimators: int = 10,
        stage_method: str = "auto",
        n_epochs: int | str = "auto",
        stage_step: int = 1,
        max_samples: int | float | None = None,
        bootstrap: bool = False,
        n_jobs: int | None = None,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        memory=None,
        on_error: str = "raise",
        min_members: int = 1,
        record_initial: bool = True,
        record_folder=None,
        record_outputs=None,
        output_dtype: str = "float32",
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.stage_method = stage_method
        self.n_epochs = n_epochs
        self.stage_step = stage_step
        self.max_samples = max_samples
        self.bootstrap = bootstrap
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.memory = memory
        self.on_error = on_error
        self.min_members = min_members
        self.record_initial = record_initial
        self.record_folder = record_folder
        self.record_outputs = record_outputs
        self.output_dtype = output_dtype

    def _recorded_outputs(self) -> tuple[str, ...]:
        """``record_outputs`` as a tuple of known output kinds, in OUTPUTS order."""
        wanted = self.record_outputs
        if wanted is None:
            return ()
        if isinstance(wanted, str):
            wanted = OUTPUTS if wanted == "all" else (wanted,)
        unknown = sorted(set(wanted) - set(OUTPUTS))
        if unknown:
            raise ValueError(
                f"record_outputs names unknown outputs {unknown}; it takes None, "
                f"'all' or some of {list(OUTPUTS)}."
            )
        return tuple(kind for kind in OUTPUTS if kind in wanted)

    def _validate_X(self, X, *, reset, y="no_validation"):
        """Check X (and y); return what the members get: X itself for a DataFrame.

        A torch Dataset goes to the members as it is; its labels come from
        ``y``, or from the data set itself when ``y`` is None.
        """
        if is_torch_dataset(X):
            return self._validate_dataset(X, reset=reset, y=y)
        checked = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse=["csr", "csc"],
            dtype=None,
            ensure_all_finite=False,
            allow_nd=True,
        )
        no_y = isinstance(y, str) and y == "no_validation"
        if not no_y:
            checked, y = checked
        self._check_sample_shape(checked, reset)
        members_X = X if _is_dataframe(X) else checked
        return (members_X, checked) if no_y else (members_X, checked, y)

    def _validate_dataset(self, dataset, *, reset, y):
        if len(dataset) == 0:
            raise ValueError("the data set has no examples.")
        first = dataset[0]
        image = first[0] if isinstance(first, tuple | list) else first
        shape = tuple(getattr(image, "shape", ()))
        if reset:
            self.n_features_in_ = shape[0] if shape else 1
            self.sample_shape_ = shape
        elif shape != self.sample_shape_:
            raise ValueError(
                f"the data set has images of shape {shape}, but "
                f"{type(self).__name__} was fitted on samples of shape "
                f"{self.sample_shape_}."
            )
        if isinstance(y, str) and y == "no_validation":
            return dataset, dataset
        y = dataset_labels(dataset) if y is None else column_or_1d(y)
        check_consistent_length(np.empty(len(dataset)), y)
        return dataset, dataset, y

    def _check_sample_shape(self, checked, reset: bool) -> None:
        """Images and other n-d samples must keep the shape seen in fit."""
        if reset:
            self.sample_shape_ = checked.shape[1:]
        elif checked.shape[1:] != self.sample_shape_:
            raise ValueError(
                f"X has samples of shape {checked.shape[1:]}, but "
                f"{type(self).__name__} was fitted on samples of shape "
                f"{self.sample_shape_}."
            )

    def _validate_eval_sets(self, eval_set) -> list[tuple[str, Any, np.ndarray]]:
        if eval_set is None:
            return []
        if isinstance(eval_set, Mapping):
            items = list(eval_set.items())
        elif isinstance(eval_set, list):
            items = [(f"eval_{i}", pair) for i, pair in enumerate(eval_set)]
        else:
            raise TypeError(
                "eval_set must be a list of (X, y) pairs or a dict of names to "
                f"(X, y) pairs, e.g. eval_set=[(X_test, y_test)]; got "
                f"{type(eval_set).__name__}."
            )
        validated, names = [], set()
        for name, pair in items:
            if not isinstance(name, str) or name == "train" or name in names:
                raise ValueError(
                    f"eval_set names must be distinct strings other than 'train'; "
                    f"got {name!r}."
                )
            names.add(name)
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise TypeError(f"eval_set {name!r} must be an (X, y) pair.")
            X_eval, y_eval = pair
            try:
                if is_torch_dataset(X_eval):
                    members_X, _, y_eval = self._validate_X(
                        X_eval, reset=False, y=y_eval
                    )
                else:
                    members_X, checked = self._validate_X(X_eval, reset=False)
                    y_eval = column_or_1d(y_eval, warn=True)
                    check_consistent_length(checked, y_eval)
            except ValueError as error:
                error.add_note(f"(in the evaluation set {name!r})")
                raise
            unseen = ~np.isin(y_eval, self.classes_)
            if unseen.any():
                raise ValueError(
                    f"the evaluation set {name!r} has labels never seen in "
                    f"training: {np.unique(y_eval[unseen])[:10].tolist()}. "
                    f"The training labels are {self.classes_[:10].tolist()}"
                    f"{'...' if self.classes_.size > 10 else ''}."
                )
            codes = np.asarray(np.searchsorted(self.classes_, y_eval))
            if is_torch_dataset(members_X):
                from ._torch_data import relabelled

                members_X = relabelled(members_X, codes)
            validated.append((name, members_X, codes))
        return validated

    def _n_draw(self, n_samples: int) -> int | None:
        """Training examples drawn for each member; None when each gets them all."""
        if self.max_samples is None:
            n_draw = n_samples
        elif isinstance(self.max_samples, Integral):
            if self.max_samples > n_samples and not self.bootstrap:
                raise ValueError(
                    f"max_samples={self.max_samples} is larger than the "
                    f"{n_samples} training examples; lower it, or set "
                    "bootstrap=True to draw with replacement."
                )
            n_draw = int(self.max_samples)
        else:
            n_draw = max(1, int(round(self.max_samples * n_samples)))
        if n_draw == n_samples and not self.bootstrap:
            return None
        return n_draw

    def _check_sample_weight_support(self, stage_method: str) -> None:
        if stage_method == "partial_fit":
            accepts = (
                "sample_weight" in signature(self.estimator.partial_fit).parameters
            )
        else:
            accepts = has_fit_parameter(self.estimator, "sample_weight")
        if not accepts:
            method = "partial_fit" if stage_method == "partial_fit" else "fit"
            raise ValueError(
                f"sample_weight was given but {type(self.estimator).__name__}."
                f"{method} does not take sample_weight. For a pipeline, pass it "
                "to its last step as <step name>__sample_weight=..."
            )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike | None = None,
        *,
        eval_set: list[tuple[ArrayLike, ArrayLike]]
        | Mapping[str, tuple[ArrayLike, ArrayLike]]
        | None = None,
        sample_weight: ArrayLike | None = None,
        **fit_params,
    ) -> EnsembleDifficulty:
        """Fit the members and record their predictions at every stage.

        Fitting is four steps, as in scikit-learn's bagging: check the data
        and parameters, plan what every member trains on and records, run
        the members through the recorder (the per-member cache, failures and
        progress included), and assemble their records into ``record_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features) \
or torch Dataset
            Training data, passed to the members as the estimator takes it
            (a DataFrame stays a DataFrame). For networks, a map-style
            ``torch.utils.data.Dataset`` of ``(image, label)`` pairs, as
            skorch takes it (the data sets of
            :mod:`sklearn_difficulty.datasets`, torchvision's): members read
            it in batches through their DataLoaders, for training and for
            the recording pass, and a subset (``max_samples``) is a
            ``Subset`` of it, so its images are never all in memory.
        y : array-like of shape (n_samples,), default=None
            Class labels, of any kind. With a Dataset, None takes them from
            the data set without opening its images where it can (its
            ``targets``, its ``samples``, a ``Subset``'s data set), else in
            one pass over it. Required with arrays.
        eval_set : list of (X, y) pairs or dict of str to (X, y), default=None
            Sets to score as well, named "eval_0", "eval_1", ... or by the
            dict's keys. Their labels must all occur in ``y``. ``X`` may be
            a Dataset, with ``y`` None for its own labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to each member's ``fit`` (or ``partial_fit``), which must
            accept it.
        **fit_params : dict
            Other parameters of the members' ``fit`` (or ``partial_fit``);
            those of one value per sample follow each member's subset.
            Parameters the members' method does not take are an error.

        Returns
        -------
        self : EnsembleDifficulty
            The fitted ensemble.
        """
        recorder, plan, targets = self._check_and_plan(
            X, y, eval_set, sample_weight, fit_params
        )
        seeds = draw_member_seeds(
            check_random_state(self.random_state), self.n_estimators
        )
        results, kept_seeds = self._run(recorder, plan, seeds)
        self.estimators_ = [result.estimator for result in results]
        self.stage_method_ = recorder.name
        self.record_ = build_record(
            results,
            plan=plan,
            targets=targets,
            classes=self.classes_,
            stage_kind=recorder.kind,
            subsets=plan.n_draw is not None,
            seeds=np.asarray(kept_seeds),
            folder=self.record_folder,
        )
        self.stages_ = self.record_.stages
        self._set_scores()
        if plan.n_draw is None:
            _warn_if_identical(self.record_.predictions["train"], self.estimator)
        return self

    def _check_and_plan(self, X, y, eval_set, sample_weight, fit_params):
        """Check the data, labels and parameters; plan what every member records."""
        if not is_classifier(self.estimator):
            raise ValueError(
                "EnsembleDifficulty scores examples by the labels its members "
                f"predict: estimator must be a classifier; got "
                f"{type(self.estimator).__name__}."
            )
        if y is None and not is_torch_dataset(X):
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None (only a torch Dataset brings its own labels)."
            )
        members_X, checked_X, y = self._validate_X(X, reset=True, y=y)
        check_classification_targets(y)
        y = column_or_1d(y)
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                "EnsembleDifficulty needs samples of at least 2 classes in the "
                f"data; got 1 class: {self.classes_[0]!r}."
            )
        eval_sets = self._validate_eval_sets(eval_set)
        recorder = resolve_recorder(self.estimator, self.stage_method)
        if is_torch_dataset(members_X):
            if not recorder.uses_codes:
                raise ValueError(
                    "a torch Dataset is read by networks (the skorch and "
                    f"vectorised recorders); {type(self.estimator).__name__} is "
                    f"recorded by {recorder.name!r}: give it arrays."
                )
            from ._torch_data import relabelled

            scored_X = relabelled(unaugmented(members_X), y_codes)
            members_X = relabelled(members_X, y_codes)
        else:
            scored_X = members_X
        fit_params = _check_method_params(
            np.empty(n_samples(checked_X)) if is_torch_dataset(X) else checked_X,
            fit_params,
        )
        if sample_weight is not None:
            self._check_sample_weight_support(recorder.name)
            fit_params["sample_weight"] = _check_sample_weight(sample_weight, checked_X)
        recorder.check_fit_params(self.estimator, fit_params)
        outputs = self._recorded_outputs()
        recorder.check_outputs(self.estimator, outputs)
        targets = [y_codes, *(codes for _, _, codes in eval_sets)]
        # Networks learn class indices; other members the labels themselves.
        codes = recorder.uses_codes
        self._member_classes = np.arange(self.classes_.size) if codes else self.classes_
        plan = MemberPlan(
            X=members_X,
            y=y_codes if codes else y,
            fit_params=fit_params,
            scored=[scored_X, *(X_eval for _, X_eval, _ in eval_sets)],
            names=["train", *(name for name, _, _ in eval_sets)],
            classes=self._member_classes,
            label_dtype=label_dtype(self.classes_.size),
            n_epochs=recorder.n_epochs(self.estimator, self.n_epochs),
            step=self.stage_step,
            n_draw=self._n_draw(n_samples(checked_X)),
            bootstrap=self.bootstrap,
            record_initial=self.record_initial,
            options=recorder.options(self.estimator),
            targets=targets,
            outputs=outputs,
            output_dtype=np.dtype(self.output_dtype),
        )
        return recorder, plan, targets

    def _run(self, recorder, plan, seeds):
        """Every member through the recorder: cache, failures, progress."""
        progress = Progress(
            self.n_estimators, recorder.n_stages(self.estimator, plan), self.verbose
        )
        results, kept_seeds = [], []
        self.failed_members_: list[dict] = []
        try:
            outcomes = run_members(
                recorder,
                self.estimator,
                plan,
                seeds,
                cache=MemberCache.from_memory(self.memory),
                on_error=self.on_error,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                on_done=progress.update,
            )
            for member, outcome in enumerate(outcomes):  # in member order
                if outcome.error is None:
                    results.append(outcome.record)
                    kept_seeds.append(seeds[member])
                else:
                    self._member_failed(member, int(seeds[member]), outcome.error)
        finally:  # a failing member (or Ctrl-C) still ends the bar's line
            progress.close()
        if len(results) < self.min_members:
            raise ValueError(
                f"only {len(results)} of {self.n_estimators} members finished, fewer "
                f"than min_members={self.min_members}; the failures: "
                + "; ".join(f["error"] for f in self.failed_members_[:3])
            )
        return results, kept_seeds

    def _member_failed(self, member: int, seed: int, message: str) -> None:
        self.failed_members_.append({"member": member, "seed": seed, "error": message})
        warnings.warn(
            f"member {member} (seed {seed}) failed and is dropped: {message}",
            MemberFailedWarning,
            stacklevel=3,
        )

    def _set_scores(self) -> None:
        record = self.record_
        self.consistency_ = consistency(record)
        self.consensus_ = consensus(record)
        self.member_accuracy_ = member_accuracy(record)
        self.learning_speed_ = mean_over_training(self.consistency_, record.stages)
        if record.in_bag is not None:
            self.heldout_consistency_ = heldout_consistency(record)
        eval_names = [name for name in record.set_names if name != "train"]
        self.eval_consistency_ = {
            n: consistency(record, scored_set=n) for n in eval_names
        }
        self.eval_consensus_ = {n: consensus(record, scored_set=n) for n in eval_names}
        self.eval_member_accuracy_ = {
            n: member_accuracy(record, scored_set=n) for n in eval_names
        }
        self.eval_learning_speed_ = {
            n: learning_speed(record, scored_set=n) for n in eval_names
        }

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Mean of the members' class probabilities (or vote fractions).

        Members with ``predict_proba`` contribute their probabilities, others
        a vote for the label they predict.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        members_X, checked = self._validate_X(X, reset=False)
        n_rows = n_samples(checked)
        proba = np.zeros((n_rows, self.classes_.size))
        rows = np.arange(n_rows)
        for estimator in self.estimators_:
            if hasattr(estimator, "predict_proba"):
                member_classes = getattr(estimator, "classes_", self._member_classes)
                columns = np.searchsorted(self._member_classes, member_classes)
                proba[:, columns] += estimator.predict_proba(members_X)
            else:
                labels = estimator.predict(members_X)
                codes = encode_labels(labels, self._member_classes, np.intp)
                proba[rows, codes] += 1
        return proba / len(self.estimators_)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predict the class with the highest mean probability over members.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator_tags = get_tags(self.estimator)
        tags.input_tags.sparse = estimator_tags.input_tags.sparse
        tags.input_tags.allow_nan = estimator_tags.input_tags.allow_nan
        return tags


def _warn_if_identical(train_predictions: np.ndarray, estimator) -> None:
    first = train_predictions[0]
    if train_predictions.shape[0] > 1 and all(
        np.array_equal(first, other) for other in train_predictions[1:]
    ):
        warnings.warn(
            f"all {train_predictions.shape[0]} members of {type(estimator).__name__} "
            "predicted the same labels at every stage, so every consistency score "
            "is 0 or 1. A deterministic learner gives the same model on the same "
            "data whatever its seed: train members on random subsets with "
            "max_samples=... or bootstrap=True.",
            IdenticalMembersWarning,
            stacklevel=3,
        )
