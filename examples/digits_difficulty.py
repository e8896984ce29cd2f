"""
How hard each digit is for an ensemble of boosted trees
=======================================================

The main job on the embedded default data (scikit-learn's digits): fit 20
AdaBoost ensembles from different seeds, each on a random 80% of the
training set, record what each predicts for every training and test image
after every boosting round, and read off each image's consistency (the
fraction of members that classify it correctly) and learning speed (its mean
consistency over the rounds).

**Scaling up.** This runs at the README's scale already (20 members x 40
rounds, about 7 seconds on 2 cores): ``python examples/digits_difficulty.py``.
For more members or rounds, raise ``n_estimators`` of ``EnsembleDifficulty``
(members) or of ``AdaBoostClassifier`` (rounds); ``make demo`` runs the
command line's main job (10 CNNs and 10 AdaBoost ensembles, with reports).
"""

# %%
# Fit and record 20 boosted ensembles
# -----------------------------------
# Every boosting round is a stage: ``EnsembleDifficulty`` records each
# member's predictions after each round (``staged_predict``), on the training
# images and on the test images passed in ``eval_set``.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
ensemble = EnsembleDifficulty(
    AdaBoostClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=40),
    n_estimators=20,
    max_samples=0.8,
    n_jobs=-1,
    random_state=0,
    verbose=1,
)
start = time.perf_counter()
ensemble.fit(X_train, y_train, eval_set={"test": (X_test, y_test)})
print(
    f"\n20 members x 40 rounds fitted and recorded in "
    f"{time.perf_counter() - start:.1f} s"
)

# %%
# Accuracy and consistency per round
# ----------------------------------
# The share of training images that no member (consistency 0) or every member
# (consistency 1) gets right, and the mean consensus (the share of members
# that agree with the majority).
print("round  train acc  test acc  train consistency: =0    =1   mean consensus")
test_accuracy = ensemble.eval_member_accuracy_["test"].mean(axis=0)
for i, stage in enumerate(ensemble.stages_):
    if stage in (1, 2, 5, 10, 20, 40):
        c = ensemble.consistency_[i]
        print(
            f"{stage:5d}  {ensemble.member_accuracy_[:, i].mean():9.3f}"
            f"  {test_accuracy[i]:8.3f}  {np.mean(c == 0):22.3f}"
            f"  {np.mean(c == 1):5.3f}  {ensemble.consensus_[i].mean():14.3f}"
        )

# %%
# The hardest and the easiest training images
# -------------------------------------------
# The held-out consistency counts only the members that never saw the image
# (each member trained on a random 80%).
speed = ensemble.learning_speed_
order = np.argsort(speed, kind="stable")
print("hardest training images (lowest learning speed):")
print("  index  label  speed  held-out consistency  most members say")
final = ensemble.record_.predictions["train"][:, -1, :]
for index in order[:10]:
    votes = np.bincount(final[:, index], minlength=10)
    print(
        f"  {index:5d}  {y_train[index]:5d}  {speed[index]:5.2f}"
        f"  {ensemble.heldout_consistency_[-1, index]:20.2f}"
        f"  {ensemble.classes_[votes.argmax()]:16d}"
    )
learnt = ensemble.consistency_[-1] == 1
print(
    f"\n{learnt.sum()} of {speed.size} training images are classified correctly "
    "by every member after the last round; the fastest learnt:"
)
for index in order[::-1][:5]:
    print(f"  index {index:5d}  label {y_train[index]}  speed {speed[index]:.2f}")
print(f"ensemble test accuracy: {ensemble.score(X_test, y_test):.3f}")

# %%
# The ten hardest images
# ----------------------
# Each titled with its label, the label most members give it after the last
# round, and its learning speed.
figure, axes = plt.subplots(1, 10, figsize=(10, 1.8))
for ax, index in zip(axes, order[:10], strict=True):
    said = ensemble.classes_[np.bincount(final[:, index], minlength=10).argmax()]
    ax.imshow(X_train[index].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"label {y_train[index]}\nsaid {said}\n{speed[index]:.2f}", fontsize=8)
    ax.set_axis_off()
figure.tight_layout()
plt.show()
