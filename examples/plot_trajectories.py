"""
Consistency of single images over training
==========================================

Fig. 11 of the paper: the consistency of single training images (the
fraction of 10 CNNs that classify each correctly) after every epoch, for five
images from the easiest to the hardest by learning speed. Easy images are
learnt at once by every member; hard ones late, by a few, or never.

**Scaling up.** The README's figure trains the 10 CNNs for 12 epochs:
``python examples/plot_trajectories.py --epochs 12`` (about 20 seconds on 2
cores; 6 epochs by default). ``--out`` names the folder for the PNG file
(``figures``).
"""

# %%
# Train 10 CNNs and record them after every epoch
# -----------------------------------------------
# The paper's MNIST network with its recipe (AdaDelta, learning rate 1), 10
# members from different seeds on 75% of the digits.
import numpy as np
from _shared import cnn_command_line, cnns, digits, output_folder, save

from sklearn_difficulty.dynamics import difficulty_ranking
from sklearn_difficulty.plotting import TrajectoryDisplay

args = cnn_command_line("Fig. 11: the consistency of single images.").parse_args()
out = output_folder(args.out)
X_train, X_test, y_train, y_test = digits()
ensemble = cnns(X_train, y_train, X_test, y_test, epochs=args.epochs)

# %%
# Five images from the easiest to the hardest
# -------------------------------------------
# ``difficulty_ranking`` orders the training images by learning speed; five
# picks spread evenly along that order, with their consistency per epoch.
order = difficulty_ranking(ensemble)
picks = order[np.linspace(0, order.size - 1, 5).round().astype(int)]
for index in picks:
    trajectory = ensemble.consistency_[:, index]
    print(f"image {index:4d} (label {y_train[index]}): {np.round(trajectory, 1)}")

# %%
# The trajectories
# ----------------
save(TrajectoryDisplay.from_estimator(ensemble, picks), out / "trajectories.png")
