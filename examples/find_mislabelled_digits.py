"""
Find mislabelled digits by how slowly they are learnt
=====================================================

Flips the labels of 10% of the digits' training images, scores every
training image by its learning speed in an ensemble of 10 CNNs, and checks
that the hardest 10% hold most of the flipped labels. Then a classifier is
trained on all the (noisy) training data and, inside a pipeline, on the data
without its hardest 10% (``DifficultyPruner``), and both are scored on the
clean test set, for an SVM (robust to label noise), a 1-nearest-neighbour
classifier and a decision tree (which both learn every wrong label).

**Scaling up.** The README's numbers (the hardest 10% hold 103 of the 135
flipped labels) come from 8 epochs of the 10 CNNs: ``python
examples/find_mislabelled_digits.py --epochs 8`` (about 20 seconds on 2
cores; 5 epochs by default).
"""

# %%
# Flip 10% of the training labels
# -------------------------------
import argparse

import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.datasets import load_digits_images
from sklearn_difficulty.experiments import flip_labels
from sklearn_difficulty.nets import SkorchCNN
from sklearn_difficulty.pruning import DifficultyPruner

parser = argparse.ArgumentParser(description="Find mislabelled digits.")
parser.add_argument(
    "--epochs", type=int, default=5, help="epochs (default: 5; the README: 8)"
)
args = parser.parse_args()

X, y = load_digits_images(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
y_noisy, flipped = flip_labels(y_train, fraction=0.1, random_state=0)
print(f"{flipped.sum()} of {y_train.size} training labels flipped")

# %%
# Score the training images by learning speed
# -------------------------------------------
# 10 CNNs (the paper's recipe: AdaDelta) learn the noisy labels; an image
# with a wrong label is learnt late, if at all, so its learning speed is low.
cnn = SkorchCNN("mnist", max_epochs=args.epochs)
scorer = EnsembleDifficulty(cnn, n_estimators=10, n_jobs=-1, random_state=0)
speed = scorer.fit(X_train, y_noisy).learning_speed_
hardest = np.argsort(speed, kind="stable")[: flipped.sum()]
found = flipped[hardest].mean()
print(
    f"the hardest 10% by learning speed hold {flipped[hardest].sum()} of the "
    f"{flipped.sum()} flipped labels ({found:.0%} of them are flipped; "
    f"10% would be chance)"
)

# %%
# Drop the hardest 10% before training
# ------------------------------------
# ``DifficultyPruner`` is an imbalanced-learn sampler: inside a pipeline it
# removes the hardest examples of the training data only, never of the data
# a pipeline predicts.


def flatten(images):
    return images.reshape(len(images), -1)


print("test accuracy          trained on all noisy data   without the hardest 10%")
scores = {}
for name, classifier in [
    ("SVM", SVC(gamma=0.02)),
    ("1-nearest neighbour", KNeighborsClassifier(n_neighbors=1)),
    ("decision tree", DecisionTreeClassifier(random_state=0)),
]:
    plain = make_pipeline(FunctionTransformer(flatten), classifier)
    pruned = make_pipeline(
        DifficultyPruner(scorer.record_, amount=0.1, per_class=False),
        FunctionTransformer(flatten),
        classifier,
    )
    all_data = plain.fit(X_train, y_noisy).score(X_test, y_test)
    without = pruned.fit(X_train, y_noisy).score(X_test, y_test)
    scores[name] = all_data, without
    print(f"{name:21s}  {all_data:26.3f}   {without:23.3f}")

# %%
# The clean test accuracy, with and without the hardest 10%
# ---------------------------------------------------------
figure, ax = plt.subplots(figsize=(5, 3))
positions = np.arange(len(scores))
ax.bar(positions - 0.2, [s[0] for s in scores.values()], 0.4, label="all noisy data")
ax.bar(
    positions + 0.2, [s[1] for s in scores.values()], 0.4, label="without hardest 10%"
)
ax.set_xticks(positions, list(scores))
ax.set_ylim(0.5, 1)
ax.set_ylabel("clean test accuracy")
ax.legend(fontsize=8, loc="lower left")
figure.tight_layout()
plt.show()
