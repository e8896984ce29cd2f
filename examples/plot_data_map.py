"""
A data map, and how many members are enough
===========================================

On the digits with 10% flipped labels. 10 multi-layer perceptrons, recorded
after each of 30 epochs with their probabilities and margins, give the data
map of Swayamdipta et al. (2020, Fig. 1: confidence against variability,
coloured by correctness), where the flipped labels sit at the bottom (hard
to learn); AUM (Pleiss et al. 2020) ranks them; and the split-half
reliability of the learning speed, projected by Spearman-Brown, says how
many members a reliability of 0.95 needs.

**Scaling up.** This runs at the README's scale already (10 members x 30
epochs, about 10 seconds on 2 cores): ``python examples/plot_data_map.py``.
For a larger ensemble, raise ``n_estimators`` (members) and ``max_iter``
(epochs); ``--out`` names the folder for the PNG file (``figures``).
"""

# %%
# Record 10 MLPs with their probabilities and margins
# ---------------------------------------------------
# ``record_outputs`` keeps each member's probabilities (for the data map) and
# margins (for AUM) after every epoch, besides its predictions.
import matplotlib.pyplot as plt
import numpy as np
from _shared import command_line, output_folder, save
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty, members_needed
from sklearn_difficulty.experiments import flip_labels
from sklearn_difficulty.plotting import DataMapDisplay, ReliabilityDisplay
from sklearn_difficulty.reliability import split_half_reliability
from sklearn_difficulty.scores import aum

args = command_line("A data map on digits with flipped labels.").parse_args()
out = output_folder(args.out)
X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
noisy, flipped = flip_labels(y, fraction=0.1, random_state=0)
ensemble = EnsembleDifficulty(
    MLPClassifier(hidden_layer_sizes=(100,), max_iter=30),
    n_estimators=10,
    record_outputs=("proba", "margin"),
    n_jobs=-1,
    random_state=0,
).fit(X, noisy)

# %%
# AUM finds the flipped labels
# ----------------------------
n_flipped = int(flipped.sum())
hardest = np.argsort(aum(ensemble))[:n_flipped]
print(
    f"{n_flipped} labels flipped; the {n_flipped} lowest AUM hold "
    f"{flipped[hardest].sum()} of them"
)

# %%
# How many members are enough
# ---------------------------
# The correlation of the learning speeds of two random halves of the
# members, projected to the whole ensemble and beyond by Spearman-Brown.
reliability = split_half_reliability(ensemble, random_state=0)
print(
    f"learning speed: split-half reliability {reliability.half:.3f} (5 members), "
    f"{reliability.reliability:.3f} (10); {members_needed(reliability)} members "
    "for 0.95"
)

# %%
# The data map and the reliability
# --------------------------------
# The flipped labels are circled in red: low confidence, low variability.
figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
data_map = DataMapDisplay.from_estimator(ensemble, ax=left)
left.scatter(
    data_map.variability[flipped],
    data_map.confidence[flipped],
    facecolors="none", edgecolors="red", s=14, linewidths=0.6,
    label="flipped label",
)  # fmt: skip
left.legend(loc="lower right", fontsize=8)
ReliabilityDisplay.from_reliability(reliability, ax=right)
figure.tight_layout()
save(figure, out / "data_map.png")
