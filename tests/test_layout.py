"""The house: layers that import only downwards, rooms of a modest size."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "sklearn_difficulty"

#: The package's parts from the bottom up (README, "Layout"). A part may
#: import from its own layer and the layers below, never from one above.
LAYERS = [
    {"exceptions", "record", "_record_files", "_files", "_random", "_progress"}
    | {"_validation", "stages"},
    {"_torch_data", "_inputs"},
    {"recorders"},
    {"_cache", "_members", "_assembly", "_engines"},
    {"scores", "phases", "ranking", "histograms", "dynamics", "reliability"}
    | {"compare", "frames"},
    {"ensemble"},
    {"nets", "datasets"},
    {"selection", "pruning", "experiments", "pruning_curve", "curriculum"},
    {"plotting"},
    {"runs", "registries"},
    {"cli"},
    {"__init__"},
]
LAYER = {part: level for level, parts in enumerate(LAYERS) for part in parts}


def _part(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_parts(path: Path):
    """The package's parts that ``path`` imports (lazy imports included)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = path.parent
            for _ in range(node.level - 1):
                base = base.parent
            target = base.joinpath(*(node.module or "").split("."))
            parts = target.relative_to(PACKAGE).parts if node.module else ()
            if parts:
                yield node.lineno, parts[0].removesuffix(".py")
            elif base == PACKAGE:  # from . import name
                yield from ((node.lineno, alias.name) for alias in node.names)
        elif (node.module or "").startswith("sklearn_difficulty."):
            yield node.lineno, node.module.split(".")[1]


def test_every_part_of_the_package_has_a_layer():
    parts = {_part(path) for path in PACKAGE.rglob("*.py")}
    assert parts - set(LAYER) == set()


def test_no_layer_imports_one_above_it():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        part = _part(path)
        for line, imported in _imported_parts(path):
            if imported == "__version__" or imported == part:
                continue  # the package's version is read from the top
            if LAYER[imported] > LAYER[part]:
                offenders.append(
                    f"{path.relative_to(PACKAGE)}:{line}: {part} imports {imported}"
                )
    assert offenders == []


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_modules_and_functions_stay_small(path):
    """A module near 600 lines, a function near 100, holds two concepts."""
    source = path.read_text()
    assert len(source.splitlines()) <= 600
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > 105
    ]
    assert long == []
