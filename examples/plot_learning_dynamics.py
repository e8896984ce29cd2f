"""The learning dynamics of CNNs on the digits: Fig. 1-3, 9 and 11 of the paper.

Trains 10 CNNs (the paper's MNIST network) from different seeds on the
embedded digits, recording every member after every epoch, then

- prints, per epoch, the members' accuracy, Pearson's bi-modality measure of
  the consistency scores and the phase of learning;
- saves histograms of consistency (Fig. 1-2) and consensus (Fig. 3) for the
  training and test images over the epochs, the same histograms coloured by
  the label most members assign (Fig. 9), and the consistency of a few
  single images over the epochs (Fig. 11).

Run it with ``python examples/plot_learning_dynamics.py [--out figures]``;
it takes about half a minute on 2 cores.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
from sklearn.model_selection import train_test_split

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.datasets import load_digits_images
from sklearn_difficulty.dynamics import (
    bimodality,
    difficulty_ranking,
    learning_phases,
)
from sklearn_difficulty.nets import SkorchCNN
from sklearn_difficulty.plotting import (
    ScoreHistogramDisplay,
    TrajectoryDisplay,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="figures", help="folder for the PNG files")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)

    X, y = load_digits_images(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    cnn = SkorchCNN("mnist", max_epochs=12, lr=0.01, optimizer__momentum=0.9)
    ensemble = EnsembleDifficulty(cnn, n_estimators=10, n_jobs=-1, random_state=0)
    ensemble.fit(X_train, y_train, eval_set={"test": (X_test, y_test)})

    accuracy = ensemble.member_accuracy_.mean(axis=0)
    measure = bimodality(ensemble)
    phases = learning_phases(ensemble)
    print("epoch  train accuracy  bi-modality  phase")
    for i, epoch in enumerate(ensemble.stages_):
        print(f"{epoch:5d}  {accuracy[i]:14.3f}  {measure[i]:11.2f}  {phases[i]}")

    stages = [0, 1, 3, 6, 11]
    figures = {
        "consistency_histograms.png": ScoreHistogramDisplay.from_estimator(
            ensemble, stages=stages
        ),
        "consensus_histograms.png": ScoreHistogramDisplay.from_estimator(
            ensemble, score="consensus", stages=stages
        ),
        "consistency_by_majority_label.png": ScoreHistogramDisplay.from_estimator(
            ensemble, stages=stages, scored_sets=["train"], color_by_label=True
        ),
    }
    order = difficulty_ranking(ensemble)
    picks = order[np.linspace(0, order.size - 1, 5).round().astype(int)]
    figures["trajectories.png"] = TrajectoryDisplay.from_estimator(ensemble, picks)
    for name, display in figures.items():
        display.figure_.savefig(out / name, dpi=120)
        print(f"saved {out / name}")


if __name__ == "__main__":
    main()
