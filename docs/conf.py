"""Sphinx configuration of sklearn-difficulty's documentation.

``make docs`` builds it with warnings as errors and without the network: no
intersphinx, every theme asset local. The API reference (``api.rst``) is
written here from the package's own ``__all__`` lists (``_api.py``), so a
public name cannot be left out of it.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "examples"))  # the gallery's _shared.py

import _api  # noqa: E402

import sklearn_difficulty  # noqa: E402

project = "sklearn-difficulty"
author = "sklearn-difficulty developers"
copyright = "2026, sklearn-difficulty developers"
release = sklearn_difficulty.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md"]
templates_path = ["_templates"]

# --- the API reference ------------------------------------------------------
_api.write_api_page(HERE / "api.rst")
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
add_module_names = False

# --- the guide (Markdown, readable on the repository's web page too) -------
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 4
suppress_warnings = ["myst.header"]  # the guide's pages start at "##" in places

# --- the gallery: examples/ executed at build time ---------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/(plot_|digits_|find_)",
    "ignore_pattern": r"_shared\.py|screenshot_report\.py",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "capture_repr": (),
    "show_memory": False,
    "show_signature": False,
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sklearn_difficulty",),
    "inspect_global_variables": False,
}

# --- the page -----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "sklearn-difficulty"
html_static_path = []
html_theme_options = {
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    "show_prev_next": False,
    "navigation_with_keys": False,
    "icon_links": [],
    "footer_start": ["copyright"],
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc"],
}
# a mode of its own, or the theme logs "Got invalid theme mode" as a console error
html_context = {"default_mode": "light"}
html_sidebars = {"index": [], "reproducing_the_paper": []}
html_show_sourcelink = False
html_copy_source = False
