"""
Bi-modality after every optimiser step
======================================

Fig. 1-2 of the paper at a finer grain: bi-modality after every optimiser
step, not every epoch. The paper's MNIST networks with its recipe (AdaDelta
at learning rate 1, batches of 100) on the digits, recorded after every step
of their training (``record_every=1``: 14 steps an epoch). Since recording
never changes training, the stages at the ends of the epochs are exactly
what recording after every epoch gives, so one fit shows both: for each
random state tried it prints the lowest Pearson bi-modality measure among
the stages in the midst of learning (mean training accuracy between 0.2 and
0.97, members not collapsed onto a few classes), after steps and after
epochs, and the phases of learning, then draws the measure and the accuracy
over the epochs (the steps as a line, the ends of epochs as dots).

**Scaling up.** By default one random state, 5 members, 3 epochs. The
README's table (4 random states, 10 members, 6 epochs; 3.5 minutes on 2
cores) comes from ``python examples/plot_bimodality_within_epochs.py
--members 10 --epochs 6 --seeds 0 1 2 3``, about 40 seconds a random state.
``--out`` names the folder for the PNG file (``figures``).
"""

# %%
# Stages in the midst of learning
# -------------------------------
# The stages whose measure is compared: trained, not collapsed onto a few
# classes, at a mean training accuracy between 0.2 and 0.97.
import matplotlib.pyplot as plt
import numpy as np
from _shared import command_line, digits, output_folder, save

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.nets import SkorchCNN
from sklearn_difficulty.phases import bimodality, collapsed_stages, phase_spans
from sklearn_difficulty.runs.descriptions import format_epoch


def midst_of_learning(ensemble) -> np.ndarray:
    """Trained stages, not collapsed, at a mean accuracy between 0.2 and 0.97."""
    accuracy = ensemble.member_accuracy_.mean(axis=0)
    return (
        (ensemble.record_.steps > 0)
        & ~collapsed_stages(ensemble)
        & (accuracy >= 0.2)
        & (accuracy <= 0.97)
    )


parser = command_line("Bi-modality after every optimiser step.")
parser.add_argument(
    "--seeds", type=int, nargs="+", default=[0], help="random states (default: 0)"
)
parser.add_argument(
    "--epochs", type=int, default=3, help="epochs (default: 3; the README: 6)"
)
parser.add_argument(
    "--members", type=int, default=5, help="networks (default: 5; the README: 10)"
)
args = parser.parse_args()
out = output_folder(args.out)
X_train, X_test, y_train, y_test = digits()

# %%
# Record after every step, for each random state
# ----------------------------------------------
# ``record_every=1`` records the members after every optimiser step; the
# stages at whole epochs are those that recording after every epoch gives.
figure, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
print("random state  lowest measure after steps (epoch)  after epochs  phases")
for seed in args.seeds:
    ensemble = EnsembleDifficulty(
        SkorchCNN("mnist", iterator_valid__batch_size=500),
        n_estimators=args.members, n_epochs=args.epochs, record_every=1,
        random_state=seed, n_jobs=-1,
    ).fit(X_train, y_train, eval_set={"test": (X_test, y_test)})  # fmt: skip
    record = ensemble.record_
    epochs, measure = record.epochs, bimodality(ensemble)
    accuracy = ensemble.member_accuracy_.mean(axis=0)
    ends = epochs == np.round(epochs)  # the stages recording epochs gives
    mid = midst_of_learning(ensemble)
    lowest = np.flatnonzero(mid)[np.argmin(measure[mid])]
    by_epoch = measure[mid & ends].min(initial=np.inf)
    phases = "; ".join(
        f"{span.phase} {format_epoch(span.epochs[0])}-{format_epoch(span.epochs[1])}"
        for span in phase_spans(ensemble)
    )
    print(
        f"{seed:12d}  {measure[lowest]:14.2f} ({format_epoch(epochs[lowest]):>4})"
        f"  {by_epoch:20.2f}  {phases}"
    )
    (line,) = axes[0].plot(epochs, measure, lw=1, label=f"random state {seed}")
    axes[0].plot(epochs[ends], measure[ends], "o", color=line.get_color())
    axes[1].plot(epochs, accuracy, lw=1, color=line.get_color())
    axes[1].plot(epochs[ends], accuracy[ends], "o", color=line.get_color())

# %%
# The measure and the accuracy over the epochs
# --------------------------------------------
# The dashed line is 0.8, the measure of a uniform distribution.
axes[0].axhline(0.8, color="grey", ls="--", lw=1)
axes[0].set(ylabel="Pearson bi-modality", ylim=(0, 4))
axes[0].legend(fontsize="small")
axes[1].set(xlabel="epoch", ylabel="mean train accuracy")
figure.suptitle(
    f"{args.members} MNIST networks (AdaDelta, lr 1) on the digits, every step"
)
figure.tight_layout()
save(figure, out / "bimodality_within_epochs.png")
