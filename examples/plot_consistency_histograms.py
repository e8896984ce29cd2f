"""
Consistency and consensus over the epochs of 10 CNNs
====================================================

Fig. 1-3 of the paper on the digits: the histograms of consistency (the
fraction of members that classify an image correctly) and of consensus (the
fraction that agree with the majority) for the training and test images
after some epochs, each titled with its phase of learning, and those of the
epochs where a phase begins. It prints the accuracy, Pearson's bi-modality
measure and the phase of each epoch.

**Scaling up.** The README's figures train the 10 CNNs for 12 epochs and show
epochs 0, 1, 3, 6 and 12: ``python examples/plot_consistency_histograms.py
--epochs 12`` (about 20 seconds on 2 cores; 6 epochs by default). ``--out``
names the folder for the PNG files (``figures``).
"""

# %%
# Train 10 CNNs and record them after every epoch
# -----------------------------------------------
# The paper's MNIST network with its recipe (AdaDelta, learning rate 1);
# every member's predictions on the training and test images are recorded
# before training (epoch 0) and after every epoch.
from _shared import cnn_command_line, cnns, digits, output_folder, save

from sklearn_difficulty.dynamics import bimodality, learning_phases
from sklearn_difficulty.plotting import ScoreHistogramDisplay

args = cnn_command_line("Fig. 1-3: consistency and consensus.").parse_args()
out = output_folder(args.out)
X_train, X_test, y_train, y_test = digits()
ensemble = cnns(X_train, y_train, X_test, y_test, epochs=args.epochs)

# %%
# Accuracy, bi-modality and phase per epoch
# -----------------------------------------
# Pearson's measure (kurtosis - skewness^2 - 1) is 0 for two values only,
# 0.8 for a uniform distribution and about 2 for a Gaussian: lower is more
# bi-modal. The phases are the paper's, read from each epoch's histogram.
accuracy = ensemble.member_accuracy_.mean(axis=0)
measure, phases = bimodality(ensemble), learning_phases(ensemble)
print("epoch  train accuracy  bi-modality  phase")
for i, epoch in enumerate(ensemble.stages_):
    print(f"{epoch:5d}  {accuracy[i]:14.3f}  {measure[i]:11.2f}  {phases[i]}")

# %%
# Histograms of consistency
# -------------------------
stages = [stage for stage in (0, 1, 3, 6, 12) if stage <= args.epochs]
save(
    ScoreHistogramDisplay.from_estimator(ensemble, stages=stages, phases=True),
    out / "consistency_histograms.png",
)

# %%
# Histograms of consensus
# -----------------------
save(
    ScoreHistogramDisplay.from_estimator(
        ensemble, score="consensus", stages=stages, phases=True
    ),
    out / "consensus_histograms.png",
)

# %%
# The epochs where a phase begins
# -------------------------------
# The first epoch, the first of each later phase, and the last.
save(
    ScoreHistogramDisplay.from_estimator(
        ensemble, stages="phases", scored_sets=["train"], phases=True
    ),
    out / "consistency_by_phase.png",
)
