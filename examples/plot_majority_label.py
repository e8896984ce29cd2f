"""
Consistency histograms coloured by the majority label
=====================================================

Fig. 9 of the paper: the histograms of consistency of the training images
after some epochs of 10 CNNs, each bar split by the label that most members
assign. At the first epochs most members give most images the same one or
two labels; the classes emerge one after another.

**Scaling up.** The README's figure trains the 10 CNNs for 12 epochs and
shows epochs 0, 1, 3, 6 and 12: ``python examples/plot_majority_label.py
--epochs 12`` (about 20 seconds on 2 cores; 6 epochs by default). ``--out``
names the folder for the PNG file (``figures``).
"""

# %%
# Train 10 CNNs and record them after every epoch
# -----------------------------------------------
import numpy as np
from _shared import cnn_command_line, cnns, digits, output_folder, save

from sklearn_difficulty.dynamics import majority_label
from sklearn_difficulty.plotting import ScoreHistogramDisplay

args = cnn_command_line("Fig. 9: consistency by majority label.").parse_args()
out = output_folder(args.out)
X_train, X_test, y_train, y_test = digits()
ensemble = cnns(X_train, y_train, X_test, y_test, epochs=args.epochs)

# %%
# The label most members assign
# -----------------------------
# ``majority_label`` gives, per stage and image, the label most members
# predict. Early on, a few digits take most of the images.
labels = majority_label(ensemble)
for i in (0, 3, args.epochs - 1):
    shares = np.bincount(labels[i], minlength=10) / labels.shape[1]
    print(
        f"epoch {ensemble.stages_[i]:2d}: share of images whose majority label "
        f"is each digit: {np.round(shares, 2).tolist()}"
    )

# %%
# The histograms, coloured by majority label
# ------------------------------------------
stages = [stage for stage in (0, 1, 3, 6, 12) if stage <= args.epochs]
save(
    ScoreHistogramDisplay.from_estimator(
        ensemble, stages=stages, scored_sets=["train"], color_by_label=True
    ),
    out / "consistency_by_majority_label.png",
)
