"""Finding flipped labels: our difficulty scores against cleanlab.

On scikit-learn's digits, wine and breast cancer data sets and on MNIST-1D
(generated locally by the ``mnist1d`` package: 4,000 training signals of
length 40, 10 classes), features standardised, a fraction (10%, 20%, 40%)
of the training labels is flipped, two ways:

- "uniform": each flipped label becomes one of the other K - 1 classes,
  drawn uniformly;
- "class": class-dependent, a permutation noise matrix: class c always
  becomes class (c + 1) mod K (noise matrix (1 - rho) I + rho P, P the
  cyclic shift). For a binary data set this is a swap of the two classes,
  the same as uniform noise, so it is run for the multi-class sets only.

The flipped examples are drawn uniformly at random (exactly
``round(rho * n)`` of them). Every training example is then ranked from
hardest to easiest, by:

- our scores, from one ``EnsembleDifficulty`` of 10 ``MLPClassifier``
  members (one hidden layer of 100 units, adam, 30 epochs, each epoch one
  ``partial_fit`` call, recorded after every epoch with
  ``record_outputs=("proba", "margin", "error_norm")``), through
  :func:`sklearn_difficulty.selection.score_examples`: learning speed, AUM,
  data-map confidence, forgetting and EL2N (at its default early epoch);
- held-out consistency: a second ensemble of the same 10 members, each on a
  random half of the examples (``max_samples=0.5``), the consistency over
  the members that did not train on an example, averaged over the epochs
  (the few examples every member trained on get the median);
- cleanlab, on 5-fold ``cross_val_predict`` probabilities (stratified,
  shuffled folds) of the same ``MLPClassifier`` (``fit`` for 30 epochs):
  precision at k from ``cleanlab.filter.find_label_issues(...,
  return_indices_ranked_by="self_confidence")`` (examples it does not flag
  count as misses), the area under the precision-recall curve from the
  self-confidence score of ``cleanlab.rank.get_label_quality_scores``.

For each data set, noise kind and level it prints precision at k (k = the
number of flipped labels) and the area under the precision-recall curve
(``average_precision_score``, flipped = positive, hardness = score), and the
wall time of each ensemble against cleanlab's cross-validation (all with
``n_jobs=2``); then writes the tables to ``benchmarks/results/
label_noise.md`` and ``label_noise.json``. Every seed is fixed. Run::

    pip install -e ".[bench]"
    python benchmarks/bench_label_noise.py            # about 4 minutes on 2 cores
    python benchmarks/bench_label_noise.py --quick    # digits, 20%: seconds
"""

import argparse
import json
import time
import warnings
import zlib
from pathlib import Path

import numpy as np
from cleanlab.filter import find_label_issues
from cleanlab.rank import get_label_quality_scores
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.scores import heldout_consistency, mean_over_training
from sklearn_difficulty.selection import score_examples

DATASETS = ("digits", "wine", "breast_cancer", "mnist1d")
KINDS = ("uniform", "class")
LEVELS = (0.1, 0.2, 0.4)
# Our scores, by the name score_examples takes, and their column headers.
OURS = {
    "learning_speed": "speed",
    "aum": "AUM",
    "confidence": "confidence",
    "forgetting": "forgetting",
    "el2n": "EL2N",
}
HELDOUT, CLEANLAB = "held-out", "cleanlab"
METHODS = (*OURS.values(), HELDOUT, CLEANLAB)
OUTPUTS = ("proba", "margin", "error_norm")


def load(name: str, mnist1d_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features and labels 0..K-1 of a data set's training set."""
    if name == "mnist1d":
        from mnist1d.data import get_dataset_args, make_dataset

        args = get_dataset_args()
        args.num_samples = int(mnist1d_samples / args.train_split)
        data = make_dataset(args)  # seeded by args.seed = 42 (numpy's global one)
        X, y = data["x"], data["y"]
    else:
        loader = {"digits": load_digits, "wine": load_wine}.get(
            name, load_breast_cancer
        )
        X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), np.unique(y, return_inverse=True)[1]


def flip_labels(y, level: float, kind: str, seed: int):
    """Noisy labels and the mask of the flipped examples."""
    rng = np.random.RandomState(seed)
    n_classes = int(y.max()) + 1
    flipped = np.zeros(y.size, bool)
    flipped[rng.choice(y.size, int(round(level * y.size)), replace=False)] = True
    noisy = y.copy()
    if kind == "uniform":
        shift = rng.randint(1, n_classes, flipped.sum())
    else:
        shift = 1
    noisy[flipped] = (y[flipped] + shift) % n_classes
    return noisy, flipped


def metrics(flipped, hardness) -> dict:
    """Precision at k = number flipped (ties by index), and PR-AUC."""
    k = int(flipped.sum())
    top = np.argsort(-hardness, kind="stable")[:k]
    return {
        "precision_at_k": float(flipped[top].mean()),
        "pr_auc": float(average_precision_score(flipped, hardness)),
    }


def base_model(epochs: int) -> MLPClassifier:
    return MLPClassifier(hidden_layer_sizes=(100,), max_iter=epochs, random_state=0)


def run_setting(X, y_noisy, flipped, *, members, epochs, folds, seed) -> dict:
    model = base_model(epochs)
    results, times = {}, {}

    start = time.perf_counter()
    ensemble = EnsembleDifficulty(
        model, n_estimators=members, n_jobs=2, random_state=seed,
        record_outputs=OUTPUTS,
    ).fit(X, y_noisy)  # fmt: skip
    for score, column in OURS.items():
        easiness = score_examples(ensemble.record_, score=score)
        results[column] = metrics(flipped, -easiness)
    times["ours"] = time.perf_counter() - start
    accuracy = float(ensemble.member_accuracy_[:, -1].mean())

    start = time.perf_counter()
    subsets = EnsembleDifficulty(
        model, n_estimators=members, n_jobs=2, random_state=seed, max_samples=0.5
    ).fit(X, y_noisy)
    record = subsets.record_
    held_out = mean_over_training(heldout_consistency(record), record.stages)
    never = np.isnan(held_out)
    held_out[never] = np.median(held_out[~never])
    results[HELDOUT] = metrics(flipped, -held_out)
    times["held_out"] = time.perf_counter() - start

    start = time.perf_counter()
    # Shuffled folds, as cleanlab's own estimate_cv_predicted_probabilities:
    # plain cv=5 keeps the files' order (the digits' writers), which costs
    # cleanlab up to 0.1 of PR-AUC on the digits.
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    proba = cross_val_predict(
        clone(model), X, y_noisy, cv=cv, method="predict_proba", n_jobs=2
    )
    quality = get_label_quality_scores(y_noisy, proba, method="self_confidence")
    issues = find_label_issues(
        y_noisy, proba, return_indices_ranked_by="self_confidence", n_jobs=1
    )
    times["cleanlab"] = time.perf_counter() - start
    k = int(flipped.sum())
    results[CLEANLAB] = {
        "precision_at_k": float(flipped[issues[:k]].sum() / k),
        "pr_auc": float(average_precision_score(flipped, -quality)),
    }
    return {
        "scores": results,
        "seconds": times,
        "cleanlab_flagged": int(issues.size),
        "train_accuracy_last_epoch": accuracy,
        "heldout_undefined": int(never.sum()),
    }


def best_of(scores: dict, metric: str, among) -> set:
    top = max(scores[m][metric] for m in among)
    return {m for m in among if scores[m][metric] >= top - 1e-12}


def table(rows, metric: str) -> list[str]:
    header = ["data set", "noise", "rate", "n", "k", *METHODS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        scores = row["scores"]
        best = best_of(scores, metric, METHODS)
        cells = [
            f"**{scores[m][metric]:.3f}**" if m in best else f"{scores[m][metric]:.3f}"
            for m in METHODS
        ]
        lead = [row["dataset"], row["noise"], f"{row['level']:.0%}", str(row["n"]),
                str(row["k"])]  # fmt: skip
        lines.append("| " + " | ".join(lead + cells) + " |")
    return lines


def summary(rows) -> list[str]:
    ours = tuple(OURS.values()) + (HELDOUT,)
    lines = []
    for metric, title in (("pr_auc", "PR-AUC"), ("precision_at_k", "precision@k")):
        wins = {m: 0 for m in ours}
        beat = {m: 0 for m in ours}
        for row in rows:
            for m in best_of(row["scores"], metric, ours):
                wins[m] += 1
            for m in ours:
                if row["scores"][m][metric] >= row["scores"][CLEANLAB][metric]:
                    beat[m] += 1
        lines.append(
            f"- {title}: best of our scores in "
            + ", ".join(f"{m} {wins[m]}" for m in ours)
            + f" of {len(rows)} settings (ties count for each); at least "
            "cleanlab's in " + ", ".join(f"{m} {beat[m]}" for m in ours) + "."
        )
    return lines


def markdown(rows, settings: dict) -> str:
    times = ["| data set | noise | rate | ours (s) | held-out (s) | cleanlab CV (s) "
             "| cleanlab flagged | members' final train accuracy |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for row in rows:
        s = row["seconds"]
        times.append(
            f"| {row['dataset']} | {row['noise']} | {row['level']:.0%} "
            f"| {s['ours']:.1f} | {s['held_out']:.1f} | {s['cleanlab']:.1f} "
            f"| {row['cleanlab_flagged']} | {row['train_accuracy_last_epoch']:.3f} |"
        )
    total = {k: sum(r["seconds"][k] for r in rows) for k in rows[0]["seconds"]}
    return "\n".join([
        "# Finding flipped labels: difficulty scores against cleanlab",
        "",
        f"Ensemble: {settings['members']} x `MLPClassifier(hidden_layer_sizes="
        f"(100,), max_iter={settings['epochs']})`, one `partial_fit` epoch per "
        "stage, `n_jobs=2`; held-out: the same on 50% subsets; cleanlab: "
        f"{settings['folds']}-fold `cross_val_predict` (stratified, shuffled) of "
        "the same model. "
        "Hardness: minus each score (higher is easier). Best per row in bold.",
        "",
        "## Area under the precision-recall curve (flipped = positive)",
        "",
        *table(rows, "pr_auc"),
        "",
        "## Precision at k = number of flipped labels",
        "",
        *table(rows, "precision_at_k"),
        "",
        "## Summary",
        "",
        *summary(rows),
        "",
        "## Wall time (2 cores)",
        "",
        *times,
        "",
        f"Total: ours {total['ours']:.0f} s, held-out {total['held_out']:.0f} s, "
        f"cleanlab {total['cleanlab']:.0f} s.",
        "",
    ])  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS),
                        choices=DATASETS)  # fmt: skip
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--levels", nargs="+", type=float, default=list(LEVELS))
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--mnist1d-samples", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true",
                        help="digits, 20%% noise only: a smoke run")  # fmt: skip
    parser.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = parser.parse_args()
    if args.quick:
        args.datasets, args.levels = ["digits"], [0.2]
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    settings = {"members": args.members, "epochs": args.epochs, "folds": args.folds}
    # Start the two worker processes before any timing (both sides reuse them).
    Parallel(n_jobs=2)(delayed(abs)(i) for i in range(2))

    rows = []
    for name in args.datasets:
        X, y = load(name, args.mnist1d_samples)
        binary = y.max() == 1
        for kind in args.kinds:
            if kind == "class" and binary:
                continue  # a swap: the same as uniform noise
            for level in args.levels:
                seed = zlib.crc32(f"{name}/{kind}/{level}/{args.seed}".encode())
                y_noisy, flipped = flip_labels(y, level, kind, seed)
                result = run_setting(
                    X, y_noisy, flipped, members=args.members, epochs=args.epochs,
                    folds=args.folds, seed=args.seed,
                )  # fmt: skip
                row = {"dataset": name, "noise": kind, "level": level,
                       "n": int(y.size), "k": int(flipped.sum()), **result}  # fmt: skip
                rows.append(row)
                s, t = row["scores"], row["seconds"]
                print(
                    f"{name:13s} {kind:7s} {level:4.0%}  PR-AUC "
                    + " ".join(f"{m} {s[m]['pr_auc']:.3f}" for m in METHODS)
                    + f"  | ours {t['ours']:.1f} s, held-out {t['held_out']:.1f} s, "
                    f"cleanlab {t['cleanlab']:.1f} s",
                    flush=True,
                )

    text = markdown(rows, settings)
    print()
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "label_noise_quick" if args.quick else "label_noise"
    (out / f"{stem}.md").write_text(text)
    (out / f"{stem}.json").write_text(
        json.dumps({"settings": settings, "rows": rows}, indent=1)
    )
    print(f"wrote {out / stem}.md and .json")


if __name__ == "__main__":
    main()
