"""The API reference, written from the package's own ``__all__`` lists.

Every public module (no part of its name starts with ``_``) and every name in
its ``__all__`` is listed. An object that several modules export is documented
once, at its *home*: the deepest public module that holds its definition and
exports it (``aum`` lives in ``sklearn_difficulty.scores``, which the package's
top level re-exports); a module that only re-exports it links there.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

PACKAGE = "sklearn_difficulty"


def public_modules() -> list[str]:
    """Every importable public module of the package, the package first."""
    package = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for info in pkgutil.walk_packages(package.__path__, PACKAGE + "."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return names


def public_names() -> list[tuple[str, str]]:
    """``(module, name)`` for every non-module name in a public ``__all__``."""
    pairs = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            if not inspect.ismodule(getattr(module, name)):
                pairs.append((module_name, name))
    return pairs


def homes() -> dict[tuple[str, str], str]:
    """Map each public ``(module, name)`` to the dotted name it is documented at."""
    pairs = public_names()
    exporters: dict[int, list[tuple[str, str]]] = {}
    for module_name, name in pairs:
        obj = getattr(importlib.import_module(module_name), name)
        exporters.setdefault(id(obj), []).append((module_name, name))
    result = {}
    for candidates in exporters.values():
        module_name, name = candidates[0]
        obj = getattr(importlib.import_module(module_name), name)
        defined = getattr(obj, "__module__", None) or ""
        holding = [
            (m, n) for m, n in candidates if defined == m or defined.startswith(m + ".")
        ]
        # the deepest module holding the definition, else the shallowest exporter
        if holding:
            home = max(holding, key=lambda pair: pair[0].count("."))
        else:
            home = min(candidates, key=lambda pair: pair[0].count("."))
        for pair in candidates:
            result[pair] = f"{home[0]}.{home[1]}"
    return result


def _summary(module) -> str:
    doc = inspect.getdoc(module) or ""
    return doc.split("\n\n")[0].replace("\n", " ").strip()


def write_api_page(path: Path) -> None:
    """Write ``api.rst``: one section per public module, autosummary tables."""
    where = homes()
    lines = [
        ".. This page is written by docs/_api.py at each build: do not edit.",
        "",
        "=============",
        "API reference",
        "=============",
        "",
        "Every public module of ``sklearn_difficulty`` and every name it exports.",
        "An object that several modules export is documented once, where it is",
        "defined; the other modules link to it.",
        "",
    ]
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        own, elsewhere = [], []
        for name in getattr(module, "__all__", ()):
            if inspect.ismodule(getattr(module, name)):
                continue
            home = where[(module_name, name)]
            (own if home == f"{module_name}.{name}" else elsewhere).append(home)
        title = f":mod:`{module_name}`"
        lines += [title, "=" * len(title), "", f".. automodule:: {module_name}",
                  "   :no-members:", "   :no-index:", ""]  # fmt: skip
        summary = _summary(module)
        if summary:
            lines += [summary, ""]
        lines += [f".. currentmodule:: {module_name}", ""]
        if own:
            lines += [".. autosummary::", "   :toctree: generated/",
                      "   :nosignatures:", ""]  # fmt: skip
            lines += [f"   {home.rsplit('.', 1)[1]}" for home in own]
            lines.append("")
        if elsewhere:
            lines += ["Also exports: " + ", ".join(
                f":obj:`~{home}`" for home in elsewhere) + ".", ""]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
