"""The figures a run and a comparison write, one PNG each, and their captions.

The Displays of :mod:`sklearn_difficulty.plotting` draw them (matplotlib is
imported only here, when a folder is written); the report reads the files
back and captions them with :func:`figure_caption`.

A folder may come from someone else, so the report embeds a figure only
through :func:`read_figure`: a name the format owns (:func:`is_figure_name`:
one of :data:`FIGURE_CAPTIONS` or ``joint_pair_<n>.png``), a regular file
that resolves inside the folder (no absolute path, no "..", no symbolic
link that leaves it), at most :data:`MAX_FIGURE_BYTES`, and starting with
the PNG signature. Anything else is left out of the report.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from .._files import write_atomically
from ..compare import RecordComparison
from ..record import PredictionRecord
from .summary import RELIABILITY_TARGET, learning_speed_reliability

__all__ = [
    "FIGURE_CAPTIONS",
    "MAX_FIGURE_BYTES",
    "figure_caption",
    "is_figure_name",
    "read_figure",
    "write_comparison_figures",
    "write_run_figures",
]

FIGURE_CAPTIONS = {
    "consistency_histograms.png": (
        "Consistency of the training and test examples at the stages that show "
        "each phase of learning, each labelled with its phase."
    ),
    "consensus_histograms.png": (
        "Consensus (the largest fraction of members agreeing on one label) at the "
        "same stages."
    ),
    "learning_speed.png": (
        "The learning speed (mean consistency over the training stages) of the "
        "examples of each scored set."
    ),
    "reliability.png": (
        "Reliability of the learning speed against the number of members "
        "(Spearman-Brown projection of the split-half correlation)."
    ),
    "data_map.png": (
        "Data map (Swayamdipta et al. 2020): mean probability of the true class "
        "against its standard deviation over the epochs, coloured by correctness."
    ),
    "learning_speeds.png": "The learning speeds of the two runs, example by example.",
}
"""The caption of each figure a folder may hold, by file name."""

JOINT_PAIR_PREFIX = "joint_pair_"  # then the position of the pair, ".png"
JOINT_PAIR_CAPTION = "Joint distribution of the two consistencies at a matched pair."
MAX_FIGURE_BYTES = 32 * 2**20
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def is_figure_name(name) -> bool:
    """Whether ``name`` is the file name of a figure the folder format owns.

    Examples
    --------
    >>> from sklearn_difficulty.runs.figures import is_figure_name
    >>> [is_figure_name(name) for name in ("data_map.png", "joint_pair_2.png",
    ...                                    "../data_map.png", "notes.png", None)]
    [True, True, False, False, False]
    """
    return isinstance(name, str) and (
        name in FIGURE_CAPTIONS
        or re.fullmatch(re.escape(JOINT_PAIR_PREFIX) + r"[0-9]{1,6}\.png", name)
        is not None
    )


def read_figure(folder: Path, name) -> bytes | None:
    """The PNG bytes of the figure ``name`` in ``folder``; None if it is not one.

    None for a name the format does not own, a file that is missing, not
    regular, outside the folder once resolved (a symbolic link that leaves
    it), larger than :data:`MAX_FIGURE_BYTES`, or not a PNG.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from matplotlib.image import imsave
    >>> from sklearn_difficulty.runs.figures import read_figure
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     imsave(Path(tmp, "data_map.png"), np.zeros((2, 2)))
    ...     _ = Path(tmp, "learning_speed.png").write_text("not a PNG")
    ...     read_figure(tmp, "data_map.png")[:4], read_figure(tmp, "learning_speed.png")
    (b'\x89PNG', None)
    """
    if not is_figure_name(name):
        return None
    root = Path(folder).resolve()
    try:
        path = (root / name).resolve(strict=True)
        if path.parent != root or not path.is_file():
            return None
        with open(path, "rb") as handle:
            data = handle.read(MAX_FIGURE_BYTES + 1)
    except (OSError, RuntimeError):  # missing, unreadable, or a loop of links
        return None
    if len(data) > MAX_FIGURE_BYTES or not data.startswith(PNG_SIGNATURE):
        return None
    return data


def figure_caption(name: str) -> str:
    """The caption of a figure by its file name (the name itself if unknown).

    Examples
    --------
    >>> from sklearn_difficulty.runs.figures import figure_caption
    >>> figure_caption("learning_speeds.png")
    'The learning speeds of the two runs, example by example.'
    >>> figure_caption("joint_pair_0.png")
    'Joint distribution of the two consistencies at a matched pair.'
    >>> figure_caption("notes.png")
    'notes.png'
    """
    caption = FIGURE_CAPTIONS.get(name)
    if caption is None and name.startswith(JOINT_PAIR_PREFIX):
        caption = JOINT_PAIR_CAPTION
    return caption or name


def write_run_figures(record: PredictionRecord, out: Path, reliability=None):
    """Every figure of a run, one PNG each; their file names.

    The consistency and consensus histograms at the stages that show each
    phase (labelled with it), the learning speed, the reliability against
    the number of members, and the data map of a record with "proba".
    ``reliability`` is the run's split-half reliability of the learning
    speed (computed if None).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.runs import write_run_figures
    >>> record = PredictionRecord(  # 4 members, 2 epochs, 6 examples
    ...     predictions={"train": np.array([[[0, 1, 1, 0, 1, 0], [0, 1, 1, 1, 1, 0]],
    ...                                     [[0, 1, 0, 0, 0, 1], [0, 1, 1, 1, 0, 0]],
    ...                                     [[1, 1, 1, 0, 0, 0], [0, 1, 1, 1, 1, 1]],
    ...                                     [[0, 1, 0, 0, 0, 0], [0, 1, 1, 0, 1, 0]]])},
    ...     targets={"train": np.array([0, 1, 1, 1, 1, 0])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_run_figures(record, tmp)  # doctest: +NORMALIZE_WHITESPACE
    ['consistency_histograms.png', 'consensus_histograms.png', 'learning_speed.png',
     'reliability.png']
    """
    from ..plotting import (
        DataMapDisplay,
        LearningSpeedHistogramDisplay,
        ReliabilityDisplay,
        ScoreHistogramDisplay,
    )

    displays = {
        f"{score}_histograms.png": ScoreHistogramDisplay.from_record(
            record, score=score, stages="phases", phases=True
        )
        for score in ("consistency", "consensus")
    }
    displays["learning_speed.png"] = LearningSpeedHistogramDisplay.from_record(record)
    if reliability is None:
        reliability = learning_speed_reliability(record)
    if reliability is not None:
        displays["reliability.png"] = ReliabilityDisplay.from_reliability(
            reliability, target=RELIABILITY_TARGET
        )
    if "proba" in record.output_kinds:
        displays["data_map.png"] = DataMapDisplay.from_record(record)
    return _save(displays, Path(out))


def write_comparison_figures(comparison: RecordComparison, out: Path) -> list[str]:
    """The figures of a comparison, one PNG each; their file names.

    The two learning speeds example by example, and the joint distribution
    of the two consistencies at the first, middle and last matched pairs.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.compare import compare_records
    >>> from sklearn_difficulty.runs import write_comparison_figures
    >>> targets, classes = {"train": np.array([0, 1, 1, 0])}, np.array([0, 1])
    >>> a = PredictionRecord(  # 2 members, 2 epochs, 4 examples
    ...     predictions={"train": np.array([[[0, 0, 1, 1], [0, 1, 1, 0]],
    ...                                     [[0, 1, 0, 1], [0, 1, 1, 0]]])},
    ...     targets=targets, classes=classes, stages=np.array([1, 2]))
    >>> b = PredictionRecord(  # 2 members, 1 round
    ...     predictions={"train": np.array([[[0, 1, 1, 1]], [[0, 0, 1, 1]]])},
    ...     targets=targets, classes=classes, stages=np.array([1]))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_comparison_figures(compare_records(a, b, tolerance=0.2), tmp)
    ['learning_speeds.png', 'joint_pair_0.png']
    """
    from ..plotting import JointConsistencyDisplay, LearningSpeedDisplay

    displays = {"learning_speeds.png": LearningSpeedDisplay.from_comparison(comparison)}
    n_pairs = len(comparison.pairs)
    for position in sorted({0, n_pairs // 2, n_pairs - 1}) if n_pairs else []:
        displays[f"{JOINT_PAIR_PREFIX}{position}.png"] = (
            JointConsistencyDisplay.from_comparison(comparison, pair=position)
        )
    return _save(displays, Path(out))


def _save(displays: dict, out: Path) -> list[str]:
    from ..plotting import save_figure

    out.mkdir(parents=True, exist_ok=True)
    for name, display in displays.items():
        write_atomically(out / name, partial(save_figure, display))
    return list(displays)
