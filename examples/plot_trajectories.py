"""Fig. 11: the consistency of single images over the epochs of 10 CNNs.

Five training images from the easiest to the hardest by learning speed.
``python examples/plot_trajectories.py [--out figures]``, about 20 seconds.
"""

import numpy as np
from _shared import cnns, digits, output_folder, save

from sklearn_difficulty.dynamics import difficulty_ranking
from sklearn_difficulty.plotting import TrajectoryDisplay


def main():
    out = output_folder(__doc__.splitlines()[0])
    X_train, X_test, y_train, y_test = digits()
    ensemble = cnns(X_train, y_train, X_test, y_test)
    order = difficulty_ranking(ensemble)
    picks = order[np.linspace(0, order.size - 1, 5).round().astype(int)]
    for index in picks:
        trajectory = ensemble.consistency_[:, index]
        print(f"image {index:4d} (label {y_train[index]}): {np.round(trajectory, 1)}")
    save(TrajectoryDisplay.from_estimator(ensemble, picks), out / "trajectories.png")


if __name__ == "__main__":
    main()
