"""
Other learners are right where the CNNs are right
=================================================

Fig. 7 of the paper: for an SVM, k-nearest neighbours, a random forest and
Gaussian naive Bayes (each 10 members on random 70% subsets), their accuracy
on the test images the CNNs get right at epoch 3, and on those the CNNs get
wrong. Learners that have nothing in common with a CNN still find the same
images hard.

**Scaling up.** The README's figure trains the 10 CNNs for 12 epochs:
``python examples/plot_single_stage_learners.py --epochs 12`` (about 30
seconds on 2 cores; 6 epochs by default; the comparison is at epoch 3 either
way). ``--out`` names the folder for the PNG file (``figures``).
"""

# %%
# Train 10 CNNs
# -------------
import matplotlib.pyplot as plt
import numpy as np
from _shared import cnn_command_line, cnns, digits, flat, output_folder, save
from sklearn.ensemble import RandomForestClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.compare import single_stage_agreement

args = cnn_command_line("Fig. 7: other learners against the CNNs.").parse_args()
out = output_folder(args.out)
X_train, X_test, y_train, y_test = digits()
networks = cnns(X_train, y_train, X_test, y_test, epochs=args.epochs)

# %%
# Ensembles of single-stage learners
# ----------------------------------
# A learner without stages is recorded once, after fitting;
# ``single_stage_agreement`` gives its accuracy on the test images the CNNs
# get right at a stage, and on those they get wrong.
learners = {
    "SVM": SVC(),
    "k-NN": KNeighborsClassifier(),
    "random forest": RandomForestClassifier(n_estimators=30),
    "naive Bayes": GaussianNB(),
}
rows = []
for name, learner in learners.items():
    single = EnsembleDifficulty(
        learner, n_estimators=10, max_samples=0.7, n_jobs=-1, random_state=0
    ).fit(flat(X_train), y_train, eval_set={"test": (flat(X_test), y_test)})
    right, wrong = single_stage_agreement(single, networks, stage=3, scored_set="test")
    rows.append((name, right, wrong))
    print(
        f"{name:14s} right on {right:.2f} of the images the CNNs get right, "
        f"on {wrong:.2f} of those they get wrong"
    )

# %%
# Accuracy on the CNNs' right and wrong images
# --------------------------------------------
figure, ax = plt.subplots(figsize=(5, 3))
positions = np.arange(len(rows))
ax.bar(positions - 0.2, [r[1] for r in rows], 0.4, label="CNNs right")
ax.bar(positions + 0.2, [r[2] for r in rows], 0.4, label="CNNs wrong")
ax.set_xticks(positions, [r[0] for r in rows])
ax.set_ylabel("accuracy of the learner")
ax.legend(fontsize=8)
figure.tight_layout()
save(figure, out / "single_stage_learners.png")
