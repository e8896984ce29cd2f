"""The data sets and models a run can name (a facade of :mod:`.runs.catalog`).

The catalog lives in the runs package, beside the workflows that read it
(:mod:`sklearn_difficulty.runs.catalog`); this module keeps its names
importable from where they were first documented. ``DATA_SETS`` and
``MODELS`` are the catalog's own dicts, so :func:`register_data` and
:func:`register_model` (or editing the dicts) here change what a run, the
command line and its help know.

Not every registry of the package lives here: recorders are registered in
:mod:`sklearn_difficulty.recorders`, scores in :mod:`sklearn_difficulty.scores`.
"""

from .runs.catalog import (
    DATA_SETS,
    MODELS,
    DataSource,
    ModelSource,
    RunData,
    build_model,
    data_names,
    load_data,
    model_names,
    parse_params,
    register_data,
    register_model,
)

__all__ = [
    "DATA_SETS",
    "MODELS",
    "DataSource",
    "ModelSource",
    "RunData",
    "build_model",
    "data_names",
    "load_data",
    "model_names",
    "parse_params",
    "register_data",
    "register_model",
]
