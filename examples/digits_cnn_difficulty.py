"""
How hard each digit is for an ensemble of small CNNs
====================================================

The paper's setting on the embedded default data: 8 CNNs (the paper's MNIST
network, its recipe: AdaDelta at learning rate 1) trained from different
seeds on scikit-learn's digits, every member's predictions recorded on the
training and test images after every epoch. It prints, per epoch, the
members' accuracy and how bi-modal the consistency scores are (the share of
images that all or no members get right), then compares the order in which
the CNNs learn the images with an AdaBoost ensemble's.

**Scaling up.** The README's run trains the 8 CNNs for 10 epochs: ``python
examples/digits_cnn_difficulty.py --epochs 10`` (about 25 seconds on 2 cores;
6 epochs by default).
"""

# %%
# Train and record 8 CNNs
# -----------------------
# ``EnsembleDifficulty`` fits the members in parallel and records what each
# predicts for every training and test image before training (epoch 0) and
# after every epoch.
import argparse
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import pearsonr
from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.datasets import load_digits_images
from sklearn_difficulty.nets import SkorchCNN

parser = argparse.ArgumentParser(description="8 CNNs on the digits.")
parser.add_argument(
    "--epochs", type=int, default=6, help="epochs (default: 6; the README: 10)"
)
args = parser.parse_args()

X, y = load_digits_images(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
cnn = SkorchCNN("mnist", max_epochs=args.epochs)  # the paper's recipe: AdaDelta
start = time.perf_counter()
cnns = EnsembleDifficulty(cnn, n_estimators=8, n_jobs=-1, random_state=0)
cnns.fit(X_train, y_train, eval_set={"test": (X_test, y_test)})
print(
    f"8 CNNs x {args.epochs} epochs trained and recorded in "
    f"{time.perf_counter() - start:.0f} s"
)

# %%
# Accuracy and bi-modality per epoch
# ----------------------------------
# The consistency of an image is the fraction of members that classify it
# correctly; bi-modal scores pile up at 0 (no member right) and 1 (all right).
print("epoch  train acc  test acc   train: all right  none right  test: all right")
test_accuracy = cnns.eval_member_accuracy_["test"].mean(axis=0)
test_consistency = cnns.eval_consistency_["test"]
for i, epoch in enumerate(cnns.stages_):
    c = cnns.consistency_[i]
    print(
        f"{epoch:5d}  {cnns.member_accuracy_[:, i].mean():9.3f}  "
        f"{test_accuracy[i]:8.3f}  {np.mean(c == 1):16.3f}  {np.mean(c == 0):10.3f}"
        f"  {np.mean(test_consistency[i] == 1):15.3f}"
    )

# %%
# The same images are hard for boosted trees
# ------------------------------------------
# 8 AdaBoost ensembles (30 rounds of depth-3 trees, each on a random 80% of
# the training images) score the same images; their learning speed (the mean
# consistency over rounds) correlates with the CNNs' (over epochs).
boosted = EnsembleDifficulty(
    AdaBoostClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=30),
    n_estimators=8,
    max_samples=0.8,
    n_jobs=-1,
    random_state=0,
).fit(  # boosted trees take flat feature vectors
    X_train.reshape(len(X_train), -1),
    y_train,
    eval_set={"test": (X_test.reshape(len(X_test), -1), y_test)},
)
r, p = pearsonr(cnns.learning_speed_, boosted.learning_speed_)
print(
    f"learning speed of the training images, CNNs against AdaBoost: "
    f"Pearson r = {r:.2f} (p = {p:.1e})"
)
hardest = np.argsort(cnns.learning_speed_)[:8]
print("hardest training images for the CNNs (index: label, CNN speed, AdaBoost speed):")
for index in hardest:
    print(
        f"  {index:4d}: {y_train[index]}, {cnns.learning_speed_[index]:.2f}, "
        f"{boosted.learning_speed_[index]:.2f}"
    )

# %%
# The hardest training images
# ---------------------------
# Each titled with its label and its learning speed for the CNNs and for
# AdaBoost (the mean consistency over the stages: near 0 for an image never
# learnt, near 1 for one learnt at once).
figure, axes = plt.subplots(1, 8, figsize=(10, 2))
for ax, index in zip(axes, hardest, strict=True):
    ax.imshow(X_train[index].squeeze(), cmap="gray_r")
    ax.set_title(
        f"label {y_train[index]}\nCNN {cnns.learning_speed_[index]:.2f}\n"
        f"AdaBoost {boosted.learning_speed_[index]:.2f}",
        fontsize=8,
    )
    ax.set_axis_off()
figure.tight_layout()
plt.show()
