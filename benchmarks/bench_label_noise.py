"""Finding flipped labels: the default label cleaner and candidates against cleanlab.

A protocol that cannot fool us: defaults are chosen on one group of data
sets and only confirmed on another, every setting is run over several
seeds, and the time of the default is measured beside cleanlab's.

Data sets (``_label_noise_data.py``; raw features, nothing downloaded):

- "choose" group, where defaults are chosen: digits (images), wine
  (tabular), MNIST-1D (signals), synth_choose (``make_classification``);
- "confirm" group, where defaults are only confirmed, never tuned on:
  breast_cancer (tabular, binary), digits16 (digits pasted at random
  offsets into 16x16 zero canvases: many near-constant pixels), waveforms
  (six noisy wave shapes) and synth_confirm (features at powers of ten
  apart, plus near-constant ones).

Noise settings: uniform 10% and 20% (a flipped label becomes one of the
other classes, uniformly) and class-dependent 20% (c -> c + 1 mod K,
multi-class sets only); exactly ``round(level * n)`` examples flipped. Each
setting is run with ``--seeds`` seeds (3 by default): the seed draws the
flips and is every model's ``random_state`` (members, folds).

Methods, each ranking every training example from hardest to easiest:

- cleanlab: 5-fold stratified shuffled ``cross_val_predict`` probabilities
  of ``MLPClassifier(hidden_layer_sizes=(100,), max_iter=30)``;
  self-confidence. PR-AUC from ``cleanlab.rank.get_label_quality_scores``,
  precision at k from ``cleanlab.filter.find_label_issues(...,
  return_indices_ranked_by="self_confidence")`` (examples it does not flag
  count as misses). Run on the features each method it is compared with
  sees ("cleanlab[floor]" ...) and on standardised features
  ("cleanlab[standard]", what a new user writes).
- candidates (``--candidates``), ``preprocessing:model:members:epochs``:
  preprocessing "standard", "minmax", "quantile", "floor" / "floor5" (a
  StandardScaler whose divisor is floored at the feature's range over 10 /
  5, see ``_label_noise_data.floored_standardise``) or "raw"; model
  "sklearn" (``MLPClassifier(hidden_layer_sizes=(100,), max_iter=epochs)``,
  ``partial_fit`` epochs, ``n_jobs=2``) or "vectorised"
  (``sklearn_difficulty.nets.VectorisedMLP``, the same parameters; skipped
  with a note when it cannot be imported). Each field takes a comma list
  (the product is run). A candidate fits one ``EnsembleDifficulty`` with
  ``record_outputs=("proba", "margin", "error_norm")``, scored by every
  registered score that applies (learning_speed, aum, confidence,
  forgetting, el2n) and rank averages (aum+learning_speed,
  aum+confidence); and one with ``max_samples=0.5`` for held-out
  consistency (mean over the training stages) and "heldout_proba" (when
  that score is registered), and the rank average aum+heldout_proba.
- the default, as a user gets it: ``selection.scorer_record(None, X, y,
  random_state=seed)`` on the raw features (timed), ranked by
  ``score_examples(record, score=resolve_score(record, "auto"))``; and
  ``pruning.DifficultyPruner(record, amount=level, per_class=True/False)``:
  the precision and recall of the removed set against the flipped mask. It is
  compared with cleanlab on ``--default-features`` (the preprocessing the
  default scorer applies; "floor", its FlooredScaler).

Metrics: PR-AUC (``average_precision_score``, flipped positive, hardness =
minus the score), precision at k (k = the number flipped). Per setting: the
mean and a 95% Student-t interval over seeds, of each metric and of its paired
difference with cleanlab. Per group: the mean over settings, the number of
settings whose mean is at least cleanlab's, the worst setting's difference,
and time against cleanlab's. The 2 loky workers are started before any
timing, and every timed path is run once on toy data first (imports); the
default's fit and cleanlab's cross-validation run one after the other on
the same cores and data, and their ratio is printed.

Writes ``benchmarks/results/label_noise_<group>.md`` and ``.json``. The
runs behind the README (times on 2 cores)::

    pip install -e ".[bench]"
    # choosing: 8 vectorised candidates on the choose group, 3 seeds: 18 min
    # (a scikit-learn candidate takes about 2 min per seed over the group)
    python benchmarks/bench_label_noise.py --group choose --methods scores heldout \\
        --candidates "standard,minmax,quantile,floor:vectorised:10:30" \\
        "floor:vectorised:5,20:30" "floor:vectorised:10:15,60"
    # the default (5 VectorisedMLP members, FlooredScaler, EL2N) on each group
    python benchmarks/bench_label_noise.py --group choose --methods default \\
        --default-features floor                        # 72 s
    python benchmarks/bench_label_noise.py --group confirm --methods default \\
        --default-features floor                        # 91 s
    python benchmarks/bench_label_noise.py --quick     # wine, 20%, 1 seed: ~10 s
"""

import argparse
import itertools
import json
import time
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _label_noise_data import (
    DATASETS,
    GROUPS,
    NOISE,
    PREPROCESSING,
    flip_labels,
    preprocess,
)
from _label_noise_report import markdown, summarise
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neural_network import MLPClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.pruning import DifficultyPruner
from sklearn_difficulty.scores import (
    heldout_consistency,
    heldout_probability,
    mean_over_training,
    outputs_needed,
    score_names,
)
from sklearn_difficulty.selection import resolve_score, score_examples, scorer_record

OUTPUTS = ("proba", "margin", "error_norm")
FULL_SCORES = ("learning_speed", "aum", "confidence", "forgetting", "el2n")
FULL_AVERAGES = (("aum", "learning_speed"), ("aum", "confidence"))
HELDOUT_PROBA = "heldout_proba"
METHODS = ("default", "scores", "heldout")
MODELS = ("sklearn", "vectorised")
CLEANLAB_EPOCHS, FOLDS = 30, 5
CANDIDATES = ("standard,minmax,quantile,floor:sklearn,vectorised:10:30",)
QUICK_CANDIDATE = "floor:sklearn:10:30"


@dataclass(frozen=True)
class Candidate:
    preprocessing: str
    model: str
    members: int
    epochs: int

    @property
    def name(self) -> str:
        return f"{self.preprocessing}:{self.model}:{self.members}:{self.epochs}"


def parse_candidates(specs) -> list[Candidate]:
    """``prep:model:members:epochs`` specs, each field a comma list (product)."""
    candidates = []
    for spec in specs:
        fields = [field.split(",") for field in spec.split(":")]
        if len(fields) != 4:
            raise SystemExit(f"a candidate is prep:model:members:epochs; got {spec!r}")
        for prep, model, members, epochs in itertools.product(*fields):
            preprocess(prep, np.zeros((2, 1)))  # a known name, or an error
            if model not in MODELS:
                raise SystemExit(f"model must be one of {MODELS}; got {model!r}")
            candidate = Candidate(prep, model, int(members), int(epochs))
            if candidate not in candidates:
                candidates.append(candidate)
    return candidates


_VECTORISED: dict = {}
_NOTES: set[str] = set()


def note(text: str) -> None:
    """Print a note once."""
    if text not in _NOTES:
        _NOTES.add(text)
        print(f"note: {text}", flush=True)


def vectorised_mlp():
    """``VectorisedMLP``, imported on first use; None (and a note) if it fails."""
    if "class" not in _VECTORISED:
        try:
            from sklearn_difficulty.nets import VectorisedMLP
        except ImportError as error:
            note(f"the vectorised model is skipped: {error}")
            VectorisedMLP = None
        _VECTORISED["class"] = VectorisedMLP
    return _VECTORISED["class"]


def ensemble(candidate: Candidate, seed: int, **options) -> EnsembleDifficulty:
    if candidate.model == "sklearn":
        model = MLPClassifier(hidden_layer_sizes=(100,), max_iter=candidate.epochs)
        options["n_jobs"] = 2
    else:
        model = vectorised_mlp()(hidden_layer_sizes=(100,), max_iter=candidate.epochs)
    return EnsembleDifficulty(
        model, n_estimators=candidate.members, random_state=seed, **options
    )


# Metrics ---------------------------------------------------------------------------


def metrics(flipped, hardness) -> dict:
    """Precision at k = number flipped (ties by index), and PR-AUC."""
    k = int(flipped.sum())
    top = np.argsort(-hardness, kind="stable")[:k]
    return {
        "precision_at_k": float(flipped[top].mean()),
        "pr_auc": float(average_precision_score(flipped, hardness)),
    }


def rank_average(*easiness) -> np.ndarray:
    """Mean of the ranks (1 = hardest) of several scores, higher easier."""
    return np.mean([rankdata(e) for e in easiness], axis=0)


def fill_undefined(values) -> np.ndarray:
    """NaN (an example every member trained on) -> the median of the others."""
    values = np.array(values, dtype=float)
    undefined = np.isnan(values)
    values[undefined] = np.median(values[~undefined])
    return values


def memorised(record, flipped) -> float:
    """Fraction of the flipped examples the members predict with their noisy
    label at the last stage: how far the members memorised the noise."""
    predictions, targets = record.scored_set("train")
    return float((predictions[:, -1, flipped] == targets[flipped]).mean())


# Methods ---------------------------------------------------------------------------


def run_cleanlab(X, y_noisy, flipped, seed: int) -> tuple[dict, float]:
    start = time.perf_counter()
    # Shuffled folds, as cleanlab's own estimate_cv_predicted_probabilities:
    # plain cv=5 keeps the files' order (the digits' writers).
    cv = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    model = MLPClassifier(
        hidden_layer_sizes=(100,), max_iter=CLEANLAB_EPOCHS, random_state=seed
    )
    proba = cross_val_predict(
        model, X, y_noisy, cv=cv, method="predict_proba", n_jobs=2
    )
    quality = get_label_quality_scores(y_noisy, proba, method="self_confidence")
    issues = find_label_issues(
        y_noisy, proba, return_indices_ranked_by="self_confidence", n_jobs=1
    )
    seconds = time.perf_counter() - start
    k = int(flipped.sum())
    return {
        "precision_at_k": float(flipped[issues[:k]].sum() / k),
        "pr_auc": float(average_precision_score(flipped, -quality)),
        "flagged": int(issues.size),
    }, seconds


def run_default(X, y_noisy, flipped, seed: int, level: float) -> dict:
    """The default scorer as a user gets it, its ranking and its pruner."""
    start = time.perf_counter()
    record = scorer_record(None, X, y_noisy, random_state=seed)
    seconds = time.perf_counter() - start
    score = resolve_score(record, "auto")
    easiness = score_examples(record, score=score)
    pruners = {}
    for per_class in (True, False):
        pruner = DifficultyPruner(record, amount=level, per_class=per_class)
        pruner.fit_resample(X, y_noisy)
        removed = np.ones(y_noisy.size, bool)
        removed[pruner.sample_indices_] = False
        pruners[f"per_class={per_class}"] = {
            "removed": int(removed.sum()),
            "precision": float(flipped[removed].mean()) if removed.any() else 0.0,
            "recall": float(flipped[removed].sum() / flipped.sum()),
            "same_ranking": bool(np.allclose(pruner.scores_, easiness)),
        }
    return {
        "metrics": metrics(flipped, -easiness),
        "seconds": seconds,
        "score": score,
        "pruners": pruners,
        "memorised": memorised(record, flipped),
    }


def full_scores(candidate, X, y_noisy, flipped, seed) -> tuple[dict, float, float]:
    """Easiness by every full-ensemble score, the fit's seconds, memorisation."""
    start = time.perf_counter()
    fitted = ensemble(candidate, seed, record_outputs=OUTPUTS).fit(X, y_noisy)
    seconds = time.perf_counter() - start
    record = fitted.record_
    registered = score_names()
    easiness = {
        name: score_examples(record, score=name)
        for name in FULL_SCORES
        if name in registered
    }
    for first, second in FULL_AVERAGES:
        if first in easiness and second in easiness:
            easiness[f"{first}+{second}"] = rank_average(
                easiness[first], easiness[second]
            )
    return easiness, seconds, memorised(record, flipped)


def heldout_scores(candidate, X, y_noisy, seed) -> tuple[dict, float]:
    """Easiness of the held-out scores of members on random halves."""
    proba_registered = HELDOUT_PROBA in score_names()
    if not proba_registered:
        note(f"{HELDOUT_PROBA} is not a registered score: skipped")
    outputs = outputs_needed(HELDOUT_PROBA) if proba_registered else ()
    start = time.perf_counter()
    fitted = ensemble(
        candidate, seed, max_samples=0.5, record_outputs=outputs or None
    ).fit(X, y_noisy)
    seconds = time.perf_counter() - start
    record = fitted.record_
    easiness = {
        "heldout_consistency": fill_undefined(
            mean_over_training(heldout_consistency(record), record.stages)
        )
    }
    if proba_registered:
        # As score_examples(record, score="heldout_proba"), which refuses the
        # few examples every member trained on (about 1 in 1,000 with 10
        # members on halves): they get the median, as for the consistency.
        easiness[HELDOUT_PROBA] = fill_undefined(
            mean_over_training(heldout_probability(record), record.stages)
        )
    return easiness, seconds


def run_candidate(candidate, X, y_noisy, flipped, seed, methods) -> dict:
    """Metrics of every score of a candidate (by method name), its times and
    how far its full ensemble memorised the flipped labels."""
    easiness, times, memorisation = {}, {}, None
    if "scores" in methods:
        full, times["full"], memorisation = full_scores(
            candidate, X, y_noisy, flipped, seed
        )
        easiness.update(full)
    if "heldout" in methods:
        held, times["subsets"] = heldout_scores(candidate, X, y_noisy, seed)
        easiness.update(held)
        if "aum" in easiness and HELDOUT_PROBA in easiness:
            easiness[f"aum+{HELDOUT_PROBA}"] = rank_average(
                easiness["aum"], easiness[HELDOUT_PROBA]
            )
    results = {
        f"{candidate.name}/{name}": metrics(flipped, -values)
        for name, values in easiness.items()
    }
    return {"results": results, "seconds": times, "memorised": memorisation}


# One run: a data set, a noise setting, a seed ----------------------------------------


def run_once(X, y, setting, seed_index, candidates, methods, default_features):
    name, kind, level = setting
    seed = zlib.crc32(f"{name}/{kind}/{level}/{seed_index}".encode()) % 2**31
    y_noisy, flipped = flip_labels(y, level, kind, seed)
    row = {"dataset": name, "group": DATASETS[name].group, "noise": kind,
           "level": level, "seed": seed_index, "n": int(y.size),
           "k": int(flipped.sum()), "results": {}, "reference": {},
           "seconds": {}, "memorised": {}}  # fmt: skip
    features: dict[str, np.ndarray] = {}

    def cleanlab_on(prep: str) -> str:
        key = f"cleanlab[{prep}]"
        if key not in row["results"]:
            features.setdefault(prep, preprocess(prep, X))
            result, seconds = run_cleanlab(features[prep], y_noisy, flipped, seed)
            row["results"][key], row["seconds"][key] = result, seconds
            row["reference"][key] = "cleanlab[standard]"
        return key

    cleanlab_on("standard")
    if "default" in methods:
        default = run_default(X, y_noisy, flipped, seed, level)
        reference = cleanlab_on(default_features)  # right after: same machine state
        row["results"]["default"] = default["metrics"]
        row["reference"]["default"] = reference
        row["seconds"]["default"] = default["seconds"]
        row["memorised"]["default"] = default["memorised"]
        row["default_score"], row["pruners"] = default["score"], default["pruners"]
    for candidate in candidates:
        if candidate.model == "vectorised" and vectorised_mlp() is None:
            continue
        features.setdefault(
            candidate.preprocessing, preprocess(candidate.preprocessing, X)
        )
        run = run_candidate(
            candidate, features[candidate.preprocessing], y_noisy, flipped, seed,
            methods,
        )  # fmt: skip
        reference = cleanlab_on(candidate.preprocessing)
        for method in run["results"]:
            row["reference"][method] = reference
        row["results"].update(run["results"])
        for part, seconds in run["seconds"].items():
            row["seconds"][f"{candidate.name} {part}"] = seconds
        if run["memorised"] is not None:
            row["memorised"][candidate.name] = run["memorised"]
    return row


def warm_up(default: bool) -> None:
    """Start the two worker processes and run every timed path once on toy data,
    so that no timing holds a first call's imports and set-up."""
    Parallel(n_jobs=2)(delayed(abs)(i) for i in range(2))
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 4)), np.arange(60) % 3
    flipped = np.arange(60) < 6
    run_cleanlab(X, y, flipped, 0)
    if default:
        scorer_record(None, X, y, random_state=0)


def print_row(row) -> None:
    results, seconds = row["results"], row["seconds"]
    head = (f"{row['dataset']:13s} {row['noise']:7s} {row['level']:4.0%} "
            f"seed {row['seed']}")  # fmt: skip
    shown = ["cleanlab[standard]", "default"] + sorted(
        (m for m in results if "/" in m),
        key=lambda m: -results[m]["pr_auc"],
    )[:3]
    print(head, "PR-AUC " + ", ".join(
        f"{m} {results[m]['pr_auc']:.3f}" for m in shown if m in results
    ), flush=True)  # fmt: skip
    times = ", ".join(f"{key} {value:.1f}" for key, value in seconds.items())
    print(f"{'':35s}seconds: {times}", flush=True)
    if "default" in seconds:
        reference = seconds[row["reference"]["default"]]
        print(f"{'':35s}default / {row['reference']['default']}: "
              f"{seconds['default'] / reference:.2f}", flush=True)  # fmt: skip


def settings_of(datasets, quick: bool):
    for name in datasets:
        X, y = DATASETS[name].load()
        noise = [("uniform", 0.2)] if quick else NOISE
        for kind, level in noise:
            if kind == "class" and y.max() == 1:
                continue  # a swap of the two classes: the same as uniform noise
            yield X, y, (name, kind, level)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", choices=[*GROUPS, "all"], default="all")
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS),
                        help="these data sets only (default: the group's)")  # fmt: skip
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--candidates", nargs="+",
        help="prep:model:members:epochs, each field a comma list (default: "
        f"{' '.join(CANDIDATES)}; with --quick {QUICK_CANDIDATE})",
    )  # fmt: skip
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS),
                        help="default: the default scorer and pruner; scores: "
                        "the candidates' full ensembles; heldout: their "
                        "ensembles on halves")  # fmt: skip
    parser.add_argument("--default-features", default="floor",
                        choices=list(PREPROCESSING),
                        help="the preprocessing the default scorer applies (its "
                        "cleanlab is run on the same features)")  # fmt: skip
    parser.add_argument("--detail", type=int, default=4,
                        help="per-setting columns for the best N methods")  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help="wine, uniform 20%%, 1 seed, one candidate")  # fmt: skip
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    if args.quick:
        args.datasets, args.seeds = args.datasets or ["wine"], 1
        args.candidates = args.candidates or [QUICK_CANDIDATE]
    args.candidates = args.candidates or list(CANDIDATES)
    if not args.datasets:
        groups = GROUPS if args.group == "all" else (args.group,)
        args.datasets = [n for n, d in DATASETS.items() if d.group in groups]
    return args


def main():
    args = parse_arguments()
    candidates = []
    if {"scores", "heldout"} & set(args.methods):
        candidates = parse_candidates(args.candidates)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    warm_up("default" in args.methods)
    settings = {"seeds": args.seeds, "candidates": [c.name for c in candidates],
                "methods": args.methods, "default_features": args.default_features,
                "datasets": args.datasets, "cleanlab_epochs": CLEANLAB_EPOCHS,
                "folds": FOLDS}  # fmt: skip
    print(f"data sets {args.datasets}; candidates {settings['candidates']}; "
          f"methods {args.methods}; {args.seeds} seeds", flush=True)  # fmt: skip
    start, rows = time.perf_counter(), []
    for X, y, setting in settings_of(args.datasets, args.quick):
        for seed_index in range(args.seeds):
            row = run_once(X, y, setting, seed_index, candidates, args.methods,
                           args.default_features)  # fmt: skip
            rows.append(row)
            print_row(row)
    settings["wall_seconds"] = time.perf_counter() - start
    summary = summarise(rows)
    text = markdown(rows, summary, settings, detail=args.detail)
    print()
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "label_noise_quick" if args.quick else f"label_noise_{args.group}"
    (out / f"{stem}.md").write_text(text)
    (out / f"{stem}.json").write_text(
        json.dumps({"settings": settings, "summary": summary, "rows": rows}, indent=1)
    )
    print(f"wrote {out / stem}.md and .json ({settings['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
