"""
AdaBoost on the images the CNNs find easy, intermediate and hard
================================================================

Fig. 6a of the paper: the CNNs' learning speed splits the training images
into three groups of equal size; AdaBoost, round after round, learns the
CNNs' easy images first. 10 CNNs against 10 AdaBoost ensembles (60 rounds of
depth-2 trees, each on a random 80% of the training images).

**Scaling up.** The README's figure trains the 10 CNNs for 12 epochs:
``python examples/plot_group_accuracy.py --epochs 12`` (about 25 seconds on 2
cores; 6 epochs by default). ``--out`` names the folder for the PNG file
(``figures``).
"""

# %%
# Two ensembles on the same split
# -------------------------------
from _shared import boosted, cnn_command_line, cnns, digits, output_folder, save

from sklearn_difficulty.plotting import GroupAccuracyDisplay

args = cnn_command_line("Fig. 6a: AdaBoost on the CNNs' groups.").parse_args()
out = output_folder(args.out)
X_train, X_test, y_train, y_test = digits()
networks = cnns(X_train, y_train, X_test, y_test, epochs=args.epochs)
boosting = boosted(X_train, y_train, X_test, y_test)

# %%
# AdaBoost's accuracy on each of the CNNs' groups
# -----------------------------------------------
# ``GroupAccuracyDisplay.from_comparison`` groups the images by the CNNs'
# learning speed and follows AdaBoost's accuracy on each group.
display = GroupAccuracyDisplay.from_comparison(
    boosting, networks, names=("AdaBoost", "the CNNs")
)
for name, curve in zip(["easy", "intermediate", "hard"], display.accuracy, strict=True):
    print(
        f"{name:12s} AdaBoost accuracy after rounds 1, 10, 60: "
        f"{curve[0]:.2f}, {curve[9]:.2f}, {curve[-1]:.2f}"
    )
display.figure_.tight_layout()
save(display, out / "adaboost_on_cnn_groups.png")
