"""EnsembleDifficulty: fit N seeded clones, record their predictions per stage."""

from __future__ import annotations

import os
from collections.abc import Mapping
from numbers import Integral

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
    check_is_fitted,
    column_or_1d,
)

from ._assembly import build_record, check_record_folder, warn_if_identical
from ._inputs import check_eval_sets, check_inputs, check_training_inputs
from ._members import collect_members
from ._progress import Progress
from ._random import draw_member_seeds, n_drawn
from .recorders import MemberPlan, encode_labels, resolve_outputs, resolve_recorder
from .scores import (
    consensus,
    consistency,
    heldout_consistency,
    learning_speed,
    mean_over_training,
    member_accuracy,
)
from .stages import LogSpacedSteps, step_schedule

__all__ = ["EnsembleDifficulty"]


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
        (boosting rounds, epochs, or the fitted model alone). The name of a
        registered recorder (:data:`sklearn_difficulty.recorders.RECORDERS`;
        :mod:`sklearn_difficulty.recorders` describes each), or "auto": the
        first registered recorder that accepts the estimator, which is a
        network's own recorder for a skorch network or a
        :class:`~sklearn_difficulty.nets.VectorisedCNN`, else boosting
        rounds for an estimator with ``staged_predict``, else one epoch per
        ``partial_fit`` call (but naive Bayes models, whose epochs would
        count the same statistics again), else the fitted model alone.
    n_epochs : int or "auto", default="auto"
        Epochs each member trains, for the epoch recorders. "auto" takes the
        estimator's own: ``max_iter`` for ``partial_fit`` members (10 when
        it has none), a network's ``max_epochs`` (or its recipe's). An int
        overrides them.
    stage_step : int, default=1
        Keep every ``stage_step``-th round or epoch (and always stage 0 and
        the last).
    record_every : "epoch", "log", int, LogSpacedSteps or array-like of int, \
default="epoch"
        Record networks (and ``partial_fit`` members) after every epoch, or
        after optimiser steps (training batches), to see learning inside an
        epoch: an int k, every k-th step; "log" (or a
        :class:`~sklearn_difficulty.stages.LogSpacedSteps`), at log-spaced
        steps through the first epoch, then every epoch; an array, those
        steps. The last step is always recorded. Stages are then labelled by
        their step (``stage_kind`` "step"), with their epoch as a fraction
        in ``record_.epochs``. See :mod:`sklearn_difficulty.stages`.
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
        Number of jobs run at once on joblib's backend; ``-1`` means all
        processors (on dask or Ray, None too: all the cluster's CPU threads).
        The scores do not depend on it, nor on the backend (see the user guide's
        "Clusters: dask and Ray", ``docs/guide/long_runs.md``).
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
        do not). Entries never hold a pickle (one ``.npz`` per member, the
        fitted member saved by skops or as a ``state_dict``), and may come
        from someone else: one that cannot be read, does not match its key
        or does not fit the data is trained again, with a
        :class:`~sklearn_difficulty.MemberCacheWarning`.
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
        recorders that can (the networks').
    record_folder : str or path-like, default=None
        Keep the record in memory-mapped files in this folder (the folder
        format of :meth:`PredictionRecord.save`), for records larger than
        memory. With it (or ``memory``), each member is written to the
        folder where it trains and read back one at a time; on a cluster,
        it must be a folder the workers share.
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
        The label of each recorded stage (round, epoch, optimiser step, 0 for
        the untrained members, or 1 for a model recorded once, after
        fitting); ``record_.steps`` and ``record_.epochs`` say where each
        lies, when the recorder counts optimiser steps.
    stage_method_ : str
        The stage method used.
    failed_members_ : list of dict
        The members dropped with ``on_error="drop"``: their index, seed and
        error.
    members_from_memory_ : int
        How many members were read from ``memory`` rather than trained.
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
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
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
        "record_every": [
            StrOptions({"epoch", "log"}),
            Interval(Integral, 1, None, closed="left"),
            "array-like",
            LogSpacedSteps,
        ],
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
        record_every="epoch",
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
        self.record_every = record_every
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
        recorder, plan = self._check_and_plan(X, y, eval_set, sample_weight, fit_params)
        seeds = draw_member_seeds(
            check_random_state(self.random_state), self.n_estimators
        )
        run = self._run(recorder, plan, seeds)
        estimators = [record.estimator for record in run.records]

        def load(member):  # a member written where it was made, read whole
            record = run.load(member, recorder, self.estimator, plan)
            estimators[member] = record.estimator
            return record

        self.stage_method_ = recorder.name
        self.record_ = build_record(
            run.records,
            plan=plan,
            classes=self.classes_,
            stage_kind="step" if plan.schedule is not None else recorder.kind,
            seeds=np.asarray(run.seeds),
            folder=self.record_folder,
            load=load,
        )
        self.estimators_ = estimators
        run.discard()
        self.stages_ = self.record_.stages
        self._set_scores()
        if plan.n_draw is None:
            warn_if_identical(self.record_.predictions["train"], self.estimator)
        return self

    def _check_and_plan(self, X, y, eval_set, sample_weight, fit_params):
        """Check the data, labels and parameters; plan what every member records."""
        self._check_counts()
        if not is_classifier(self.estimator):
            raise ValueError(
                "EnsembleDifficulty scores examples by the labels its members "
                f"predict: estimator must be a classifier; got "
                f"{type(self.estimator).__name__}."
            )
        train = check_training_inputs(self, X, y)
        check_classification_targets(train.y)
        y = column_or_1d(train.y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                "EnsembleDifficulty needs samples of at least 2 classes in the "
                f"data; got 1 class: {self.classes_[0]!r}."
            )
        eval_sets = check_eval_sets(self, eval_set, self.classes_)
        recorder = resolve_recorder(self.estimator, self.stage_method)
        fit_params = train.inputs.sample_params(fit_params, sample_weight)
        outputs = resolve_outputs(self.record_outputs)
        recorder.check(self.estimator, fit_params=fit_params, outputs=outputs)
        settings = recorder.settings(self.estimator, n_epochs=self.n_epochs)
        schedule = step_schedule(
            self.record_every, recorder=recorder, stage_step=self.stage_step
        )
        # Networks learn class indices; other members the labels themselves.
        self._member_classes = (
            np.arange(self.classes_.size) if recorder.uses_codes else self.classes_
        )
        plan = MemberPlan(
            X=train.inputs.for_members(
                codes, learns_codes=recorder.uses_codes, reader=recorder.name
            ),
            y=codes if recorder.uses_codes else y,
            fit_params=fit_params,
            scored=(
                train.inputs.for_scoring(codes),
                *(s.inputs.for_scoring(s.codes) for s in eval_sets),
            ),
            names=("train", *(s.name for s in eval_sets)),
            targets=(codes, *(s.codes for s in eval_sets)),
            classes=self._member_classes,
            sample_shape=train.inputs.sample_shape,
            n_epochs=settings.n_epochs,
            step=self.stage_step,
            schedule=schedule,
            n_draw=n_drawn(self.max_samples, self.bootstrap, train.inputs.n_samples),
            bootstrap=self.bootstrap,
            record_initial=self.record_initial,
            options=settings.options,
            outputs=outputs,
            output_dtype=np.dtype(self.output_dtype),
        )
        return recorder, plan

    def _check_counts(self) -> None:
        """What ``_parameter_constraints`` cannot say, checked before any training.

        A bool is an ``Integral`` to Python: ``n_estimators=True`` would pass
        the constraints and fail later in numpy. And ``min_members`` can only
        be met if it is at most ``n_estimators``. And ``record_folder`` must be
        a folder that can be written into.
        """
        for name in ("n_estimators", "n_epochs", "stage_step", "max_samples"):
            value = getattr(self, name)
            if isinstance(value, bool | np.bool_):
                raise ValueError(f"{name} must be a number, not a bool; got {value!r}.")
        if isinstance(self.min_members, bool | np.bool_):
            raise ValueError(
                f"min_members must be an int, not a bool; got {self.min_members!r}."
            )
        if self.min_members > self.n_estimators:
            raise ValueError(
                f"min_members={self.min_members} is more than "
                f"n_estimators={self.n_estimators}: the fit could never keep "
                "enough members; lower min_members or train more members."
            )
        if self.record_folder is not None:
            check_record_folder(self.record_folder)

    def _run(self, recorder, plan, seeds):
        """Every member through the recorder: cache, failures, progress."""
        progress = Progress(
            self.n_estimators, recorder.n_stages(self.estimator, plan), self.verbose
        )
        try:
            run = collect_members(
                recorder,
                self.estimator,
                plan,
                seeds,
                memory=self.memory,
                record_folder=self.record_folder,
                on_error=self.on_error,
                n_jobs=self.n_jobs,
                verbose=self.verbose,
                on_done=progress.update,
                min_members=self.min_members,
            )
        finally:  # a failing member (or Ctrl-C) still ends the bar's line
            progress.close()
        self.failed_members_: list[dict] = run.failed
        self.members_from_memory_ = run.from_memory
        return run

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
        inputs = check_inputs(self, X, reset=False)
        proba = np.zeros((inputs.n_samples, self.classes_.size))
        rows = np.arange(inputs.n_samples)
        for estimator in self.estimators_:
            if hasattr(estimator, "predict_proba"):
                member_classes = getattr(estimator, "classes_", self._member_classes)
                columns = np.searchsorted(self._member_classes, member_classes)
                proba[:, columns] += estimator.predict_proba(inputs.data)
            else:
                labels = estimator.predict(inputs.data)
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
