"""Find mislabelled examples by how slowly they are learnt.

Flips the labels of 10% of the digits' training images, scores every
training image by its learning speed in an ensemble of 10 CNNs, and checks
that the hardest 10% hold most of the flipped labels. Then a classifier is
trained on all the (noisy) training data and, inside a pipeline, on the data
without its hardest 10% (``DifficultyPruner``), and both are scored on the
clean test set, for an SVM (robust to label noise), a 1-nearest-neighbour
classifier and a decision tree (which both learn every wrong label).

Run it with ``python examples/find_mislabelled_digits.py``; about half a
minute on 2 cores.
"""

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


def flatten(images):
    return images.reshape(len(images), -1)


def main():
    X, y = load_digits_images(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    y_noisy, flipped = flip_labels(y_train, fraction=0.1, random_state=0)
    print(f"{flipped.sum()} of {y_train.size} training labels flipped")

    cnn = SkorchCNN("mnist", max_epochs=8)  # the paper's recipe: AdaDelta
    scorer = EnsembleDifficulty(cnn, n_estimators=10, n_jobs=-1, random_state=0)
    speed = scorer.fit(X_train, y_noisy).learning_speed_
    hardest = np.argsort(speed, kind="stable")[: flipped.sum()]
    found = flipped[hardest].mean()
    print(
        f"the hardest 10% by learning speed hold {flipped[hardest].sum()} of the "
        f"{flipped.sum()} flipped labels ({found:.0%} of them are flipped; "
        f"10% would be chance)"
    )

    print("test accuracy          trained on all noisy data   without the hardest 10%")
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
        print(f"{name:21s}  {all_data:26.3f}   {without:23.3f}")


if __name__ == "__main__":
    main()
