"""Runs as Python objects: ``run``, ``compare``, ``report``, ``demo``, ``prune``.

Each workflow is a plain function with keyword arguments that a notebook
calls directly and that returns the folder it wrote, as an object: :func:`run`
fits an ensemble on a data set and a model of the catalog and writes a
:class:`RunFolder`; :func:`compare` compares two runs and writes a
:class:`ComparisonFolder`; :func:`report` renders either as one
self-contained HTML page; :func:`demo` does all of it on the digits. The
command line (:mod:`sklearn_difficulty.cli`) only parses arguments and calls
these.

One concept per module:

- :mod:`~sklearn_difficulty.runs.workflows`: ``run``, ``compare``,
  ``report``, ``demo``;
- :mod:`~sklearn_difficulty.runs.folders`: the folder format, what a run
  folder and a comparison folder hold, each written and read by its class;
- :mod:`~sklearn_difficulty.runs.summary`: what a summary holds (accuracy,
  bi-modality and phase per stage, the reliability of the learning speed,
  the easiest and hardest examples by a registered score, a comparison),
  computed when a folder is written;
- :mod:`~sklearn_difficulty.runs.descriptions`: the sentences a person
  reads, made from a summary;
- :mod:`~sklearn_difficulty.runs.figures`: the figures a folder holds and
  their captions;
- ``_html`` and ``templates/``: the report, rendered from what a folder
  holds, every value escaped;
- :mod:`~sklearn_difficulty.runs.subsets`: ``prune``, the training examples
  a run's scores keep, written to an ``.npz`` file;
- :mod:`~sklearn_difficulty.runs.catalog`: the data sets and models a run
  can name (re-exported by :mod:`sklearn_difficulty.registries`).
"""

from ._html import render_comparison, render_run
from .descriptions import (
    describe_comparison,
    describe_interval,
    describe_phases,
    describe_reliability,
    describe_run,
)
from .figures import FIGURE_CAPTIONS, write_comparison_figures, write_run_figures
from .folders import (
    FOLDER_FORMAT,
    FOLDER_VERSION,
    ComparisonFolder,
    RunFolder,
    open_folder,
    write_scores,
)
from .subsets import PrunedSubset, load_subset, prune
from .summary import (
    DEFAULT_RANK_BY,
    N_EXAMPLES,
    RELIABILITY_SPLITS,
    RELIABILITY_TARGET,
    check_ranking,
    comparison_summary,
    learning_speed_reliability,
    rank_examples,
    reliability_summary,
    stage_table,
)
from .workflows import DEMO_CNN, compare, demo, report, run

__all__ = [
    "DEFAULT_RANK_BY",
    "DEMO_CNN",
    "FIGURE_CAPTIONS",
    "FOLDER_FORMAT",
    "FOLDER_VERSION",
    "N_EXAMPLES",
    "RELIABILITY_SPLITS",
    "RELIABILITY_TARGET",
    "ComparisonFolder",
    "PrunedSubset",
    "RunFolder",
    "check_ranking",
    "compare",
    "comparison_summary",
    "demo",
    "describe_comparison",
    "describe_interval",
    "describe_phases",
    "describe_reliability",
    "describe_run",
    "learning_speed_reliability",
    "load_subset",
    "open_folder",
    "prune",
    "rank_examples",
    "reliability_summary",
    "render_comparison",
    "render_run",
    "report",
    "run",
    "stage_table",
    "write_comparison_figures",
    "write_run_figures",
    "write_scores",
]
