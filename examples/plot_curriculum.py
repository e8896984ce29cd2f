"""
A curriculum on the digits: easiest first
=========================================

Easiest first, against vanilla, anti-curriculum and random order. Hacohen &
Weinshall (2019): order the training images from the easiest to the hardest
and draw each batch from the easiest ones only, a pool that grows
exponentially with the steps. Here the order is self-taught (the learning
speed of the vanilla ensemble's own members), the network is the paper's
MNIST network trained with VectorisedCNN (all members of a condition at
once), and the figure shows the members' mean test accuracy after every
epoch, with the pool's size; it prints the paper's phase of learning at each
stage of each condition (:func:`~sklearn_difficulty.phases.learning_phases`).

**Scaling up.** By default 2 members per condition train for 3 epochs. The
README's figure has 4 members per condition and 4 epochs: ``python
examples/plot_curriculum.py --members 4 --epochs 4`` (about a minute on a CPU,
62 s measured on 2 cores). ``--out`` names the folder for the PNG file
(``figures``).
"""

# %%
# Vanilla training, and the order it teaches
# ------------------------------------------
# The members of the vanilla ensemble give each training image its learning
# speed; ``order_from_record`` turns it into an order, from the easiest to
# the hardest (``curriculum``), the reverse (``anti``) or shuffled
# (``random``).
import matplotlib.pyplot as plt
import numpy as np
from _shared import command_line, digits, output_folder, save

from sklearn_difficulty import EnsembleDifficulty, member_accuracy
from sklearn_difficulty.curriculum import CurriculumSampler, order_from_record
from sklearn_difficulty.nets import VectorisedCNN
from sklearn_difficulty.phases import learning_phases

parser = command_line("A curriculum on the digits.")
parser.add_argument(
    "--members", type=int, default=2, help="per condition (default: 2; README: 4)"
)
parser.add_argument(
    "--epochs", type=int, default=3, help="of training (default: 3; README: 4)"
)
args = parser.parse_args()
out = output_folder(args.out)

BATCH = 100
# The authors' exponential pacing, faster for a short run: 10% of the
# images, times 1.9 every 10 steps (all of them after 40 steps, 3 epochs).
PACING = dict(starting_percent=0.1, increase=1.9, step_length=10)


def ensemble(sampler=None):
    net = VectorisedCNN(
        "mnist", max_epochs=args.epochs, batch_size=BATCH, optimizer="sgd",
        lr=0.05, momentum=0.9, lr_step=None, sampler=sampler,
    )  # fmt: skip
    return EnsembleDifficulty(net, n_estimators=args.members, random_state=0)


X_train, X_test, y_train, y_test = digits()
test = {"test": (X_test, y_test)}
vanilla = ensemble().fit(X_train, y_train, eval_set=test)

# %%
# Train under each order
# ----------------------
# ``CurriculumSampler`` draws each batch from the pool of the first images of
# the order; the pool grows with the steps (``pacing_params``).
records = {"vanilla": vanilla.record_}
for kind in ("curriculum", "anti", "random"):
    order = order_from_record(
        vanilla.record_, y_train, score="learning_speed", kind=kind,
        random_state=0,
    )  # fmt: skip
    sampler = CurriculumSampler(order, batch_size=BATCH, pacing_params=PACING)
    records[kind] = ensemble(sampler).fit(X_train, y_train, eval_set=test).record_

# %%
# Test accuracy along training, and the pool's size
# -------------------------------------------------
# The phases are read from the histograms of consistency: with the default 2
# members a consistency takes three values only (0, 0.5, 1), so the
# bi-modality they find comes from the few members more than from learning;
# more members (``--members``) give them meaning.
figure, (ax, pool_ax) = plt.subplots(
    2, 1, figsize=(6, 5), sharex=True, height_ratios=(3, 1)
)
for name, record in records.items():
    accuracy = member_accuracy(record, scored_set="test")  # (members, stages)
    mean = accuracy.mean(axis=0)
    sem = accuracy.std(axis=0, ddof=1) / np.sqrt(len(accuracy))
    ax.errorbar(record.steps, mean, yerr=sem, label=name, capsize=2)
    print(f"{name:>10}: test accuracy after each epoch {np.round(mean, 3)}")
    print(f"{'':>10}  phase at each stage: {', '.join(learning_phases(record))}")
ax.set_ylabel("test accuracy (mean ± s.e.m.)")
ax.legend()
steps = np.arange(records["vanilla"].steps.max() + 1)
sizes = [sampler.pool_size(s) for s in steps]
pool_ax.step(steps, np.divide(sizes, len(y_train)), where="post")
pool_ax.set_ylabel("pool (fraction)")
pool_ax.set_xlabel("optimiser step")
figure.tight_layout()
save(figure, out / "curriculum.png")
