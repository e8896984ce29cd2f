"""
Pruning curves on digits with flipped labels
============================================

Drop the hard end, not at random. 20% of the digits' training labels are
flipped. 5 multi-layer perceptrons, recorded after each of 20 epochs with
their margins, score every training example by AUM (Pleiss et al. 2020;
``score="auto"`` picks it when margins are recorded). A 1-nearest-neighbour
classifier and a logistic regression are then retrained on what is kept
after dropping the hardest, the easiest or random examples, and scored on
the clean test set: one pruning curve per downstream model, with 95%
Student-t intervals over the seeds and the score of training on every
example.

**Scaling up.** By default 5 fractions are kept (90%, 70%, 50%, 30%, 10%),
2 seeds each. The README's curves (90% kept down to 10% in steps of 10%, 3
seeds each; a 1-NN on the 80% kept by dropping the hardest scores 0.94)
come from ``python examples/plot_pruning_curve.py --full`` (about 40 seconds
on 2 cores). ``--out`` names the folder for the PNG file (``figures``).
"""

# %%
# Score the noisy training set by AUM
# -----------------------------------
import matplotlib.pyplot as plt
import numpy as np
from _shared import command_line, output_folder, save
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.experiments import flip_labels
from sklearn_difficulty.plotting import PruningCurveDisplay
from sklearn_difficulty.pruning_curve import pruning_curve

parser = command_line("Pruning curves on digits with 20% flipped labels.")
parser.add_argument(
    "--full",
    action="store_true",
    help="the README's scale: 9 fractions kept (90%% to 10%%), 3 seeds each",
)
args = parser.parse_args()
out = output_folder(args.out)
keep = np.round(np.arange(0.9, 0.05, -0.1 if args.full else -0.2), 1)
n_repeats = 3 if args.full else 2

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
noisy, flipped = flip_labels(y_train, fraction=0.2, random_state=0)
ensemble = EnsembleDifficulty(
    MLPClassifier(hidden_layer_sizes=(100,), max_iter=20),
    n_estimators=5,
    record_outputs=("margin",),
    n_jobs=-1,
    random_state=0,
).fit(X_train, noisy)


# %%
# Retrain on what is kept
# -----------------------
# ``pruning_curve`` drops the easiest, the hardest or random examples at each
# fraction kept, retrains the model on the rest with several seeds and scores
# it on the clean test set.
def print_curve(name, curve):
    low, high = curve.interval
    print(
        f"{name} ({int(flipped.sum())} of {flipped.size} labels flipped; "
        f"trained on all: {curve.full_mean:.3f})"
    )
    print("  kept  " + "".join(f"{'drop ' + end:>22s}" for end in curve.drop))
    for f, kept in enumerate(curve.keep):
        cells = "".join(
            f"{curve.mean[d, f]:10.3f} [{low[d, f]:.3f}, {high[d, f]:.3f}]"
            if np.isfinite(low[d, f])
            else f"{curve.mean[d, f]:22.3f}"
            for d in range(len(curve.drop))
        )
        print(f"  {kept:4.0%}  {cells}")


figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
models = {
    "1-nearest neighbour": KNeighborsClassifier(n_neighbors=1),
    "logistic regression": LogisticRegression(max_iter=300),
}
for ax, (name, model) in zip(axes, models.items(), strict=True):
    curve = pruning_curve(
        model, X_train, noisy, X_test, y_test, scores=ensemble, keep=keep,
        n_repeats=n_repeats, n_jobs=-1, random_state=0,
    )  # fmt: skip
    print_curve(name, curve)
    PruningCurveDisplay.from_curve(curve, ax=ax)
    ax.set_title(f"{name}, {ax.get_title()}", fontsize=9)
figure.tight_layout()
save(figure, out / "pruning_curve.png")
