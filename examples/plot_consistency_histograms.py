"""Fig. 1-3: consistency and consensus of the digits over the epochs of 10 CNNs.

Prints accuracy, Pearson's bi-modality measure and the phase of learning per
epoch, and saves the histograms of consistency and of consensus for the
training and test images, each epoch titled with its phase, and those of the
epochs where a phase begins. ``python examples/plot_consistency_histograms.py
[--out figures]``, about 20 seconds on 2 cores.
"""

from _shared import cnns, digits, output_folder, save

from sklearn_difficulty.dynamics import bimodality, learning_phases
from sklearn_difficulty.plotting import ScoreHistogramDisplay


def main():
    out = output_folder(__doc__.splitlines()[0])
    X_train, X_test, y_train, y_test = digits()
    ensemble = cnns(X_train, y_train, X_test, y_test)
    accuracy = ensemble.member_accuracy_.mean(axis=0)
    measure, phases = bimodality(ensemble), learning_phases(ensemble)
    print("epoch  train accuracy  bi-modality  phase")
    for i, epoch in enumerate(ensemble.stages_):
        print(f"{epoch:5d}  {accuracy[i]:14.3f}  {measure[i]:11.2f}  {phases[i]}")
    stages = [0, 1, 3, 6, 12]
    save(
        ScoreHistogramDisplay.from_estimator(ensemble, stages=stages, phases=True),
        out / "consistency_histograms.png",
    )
    save(
        ScoreHistogramDisplay.from_estimator(
            ensemble, score="consensus", stages=stages, phases=True
        ),
        out / "consensus_histograms.png",
    )
    save(  # the first epoch, the first of each later phase, and the last
        ScoreHistogramDisplay.from_estimator(
            ensemble, stages="phases", scored_sets=["train"], phases=True
        ),
        out / "consistency_by_phase.png",
    )


if __name__ == "__main__":
    main()
