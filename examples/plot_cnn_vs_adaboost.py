"""
CNNs and AdaBoost learn the digits in the same order
====================================================

Fig. 4 of the paper: the epochs of 10 CNNs are matched with the rounds of 10
AdaBoost ensembles where their members' mean accuracy agrees within 1%; the
figure shows the 2-D distribution of the two consistency scores at the first
and last matched pair (Fig. 4c-d) and the learning speed of each image under
both (Fig. 4b).

**Scaling up.** The README's figure trains the 10 CNNs for 12 epochs:
``python examples/plot_cnn_vs_adaboost.py --epochs 12`` (about 25 seconds on
2 cores; 6 epochs by default). ``--out`` names the folder for the PNG file
(``figures``).
"""

# %%
# Two ensembles on the same split
# -------------------------------
import matplotlib.pyplot as plt
from _shared import boosted, cnn_command_line, cnns, digits, output_folder, save

from sklearn_difficulty.compare import compare_records
from sklearn_difficulty.plotting import JointConsistencyDisplay, LearningSpeedDisplay

args = cnn_command_line("Fig. 4: CNNs against AdaBoost.").parse_args()
out = output_folder(args.out)
X_train, X_test, y_train, y_test = digits()
networks = cnns(X_train, y_train, X_test, y_test, epochs=args.epochs)
boosting = boosted(X_train, y_train, X_test, y_test)

# %%
# Match the stages by accuracy and compare
# ----------------------------------------
# ``compare_records`` pairs each CNN epoch with the AdaBoost round of the
# closest mean accuracy (within 1%) and correlates the learning speeds.
comparison = compare_records(networks, boosting, names=("CNN", "AdaBoost"))
print(
    f"{len(comparison.pairs)} of {len(comparison.stages_a)} CNN epochs match an "
    f"AdaBoost round within 1% (unmatched: "
    f"{comparison.stages_a[comparison.unmatched].tolist()}); learning speed: "
    f"Pearson r = {comparison.pearson[0]:.2f} (p = {comparison.pearson[1]:.1e}), "
    f"Spearman rho = {comparison.spearman[0]:.2f}"
)

# %%
# Joint consistency at the first and last pair, and the learning speeds
# ---------------------------------------------------------------------
figure, axes = plt.subplots(1, 3, figsize=(11, 3.2))
for ax, pair in zip(axes[:2], [0, -1], strict=True):
    JointConsistencyDisplay.from_comparison(comparison, pair=pair, ax=ax)
LearningSpeedDisplay.from_comparison(comparison, ax=axes[2])
figure.tight_layout()
save(figure, out / "cnn_vs_adaboost.png")
