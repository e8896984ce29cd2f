"""The documentation: the README's first screen, the guide's pages, the API
reference, the gallery, and the built site opened in a real browser.

The tests on the built site read ``docs/_build/html`` (``make docs``; ``make
test`` builds it before running pytest). Without it they skip, except under
CI, where a missing site is a failure.
"""

import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GUIDE = DOCS / "guide"
SITE = DOCS / "_build" / "html"
README = ROOT / "README.md"

sys.path.insert(0, str(DOCS))
import _api  # noqa: E402

sys.path.remove(str(DOCS))

#: Every section the README had before the guide took them over, and its
#: home now: the guide page holding a heading of that title.
OLD_README_SECTIONS = {
    "Quick start": "getting_started.md",
    "The command line": "command_line.md",
    "Neural networks": "neural_networks.md",
    "Real data sets at real size: image folders, streamed": "datasets.md",
    "What gets recorded": "record.md",
    "Stages finer than an epoch": "record.md",
    "The record, and scores without refitting": "record.md",
    "Probabilities, margins, and the field's other scores": "scores.md",
    "How many members are enough": "scores.md",
    "Learning dynamics, orderings and comparisons": "dynamics.md",
    "Using the scores: pruning, filtering, experiments": "pruning.md",
    "Finding flipped labels, against cleanlab": "label_cleaning.md",
    "Pruning curves: difficulty against random": "pruning.md",
    "Curricula: the easiest examples first": "curricula.md",
    "Long runs: resume, failing members, large records, clusters": "long_runs.md",
    "Clusters: dask and Ray": "long_runs.md",
    "Files from elsewhere": "files_from_elsewhere.md",
    "Performance": "performance.md",
    "The default label cleaner's members": "performance.md",
    "Layout": "layout.md",
}


def _headings(path: Path) -> list[str]:
    """The Markdown headings of a page, outside fenced code."""
    headings, fenced = [], False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.+)", line)):
            headings.append(match.group(1).strip())
    return headings


def _links(path: Path) -> list[str]:
    """Relative link targets of a Markdown page (no anchors, no web links)."""
    targets = re.findall(r"\]\(([^)\s]+)\)", path.read_text())
    return [t.split("#")[0] for t in targets if "://" not in t and t.split("#")[0]]


# The README: the first screen a newcomer reads.


def test_the_readme_fits_on_a_first_screen():
    lines = README.read_text().splitlines()
    assert len(lines) < 200
    assert lines[2].strip().startswith("make demo")  # the two commands first
    assert lines[3].strip().startswith("make test")


@pytest.mark.parametrize("section", sorted(OLD_README_SECTIONS))
def test_every_old_readme_section_has_a_home_in_the_guide(section):
    assert section in _headings(GUIDE / OLD_README_SECTIONS[section])


def test_the_readme_links_every_guide_page_and_every_link_resolves():
    linked = {(README.parent / t).resolve() for t in _links(README)}
    for target in linked:
        assert target.exists(), target
    pages = {p.resolve() for p in GUIDE.glob("*.md") if p.name != "index.md"}
    assert pages - linked == set()
    assert (DOCS / "reproducing_the_paper.md").resolve() in linked


@pytest.mark.parametrize(
    "page", sorted(p.name for p in GUIDE.glob("*.md")) + ["../reproducing_the_paper.md"]
)
def test_every_link_and_image_of_a_guide_page_resolves(page):
    path = GUIDE / page
    for target in _links(path):
        if target.startswith(("api", "auto_examples")):
            continue  # pages of the built site only
        assert (path.parent / target).exists(), f"{page}: {target}"


# The API reference: every public name, each with an example.


def test_every_public_name_has_a_page_in_the_api_reference(tmp_path):
    api = tmp_path / "api.rst"
    _api.write_api_page(api)
    text = api.read_text()
    homes = _api.homes()
    assert len(homes) >= 300  # every module's __all__, re-exports included
    for (module, name), home in homes.items():
        assert getattr(importlib.import_module(module), name) is _resolve(home)
        home_module, home_name = home.rsplit(".", 1)
        section = text.split(f":mod:`{home_module}`\n")[1].split("\n:mod:`")[0]
        assert f"\n   {home_name}\n" in section, home


def _resolve(dotted: str):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def test_a_name_defined_in_a_private_module_is_documented_where_users_import_it():
    homes = _api.homes()
    assert homes[("sklearn_difficulty", "aum")] == "sklearn_difficulty.scores.aum"
    assert homes[("sklearn_difficulty", "EnsembleDifficulty")] == (
        "sklearn_difficulty.ensemble.EnsembleDifficulty"
    )
    for home in homes.values():
        module = home.rsplit(".", 1)[0]
        assert not any(part.startswith("_") for part in module.split(".")), home


def test_every_public_class_and_function_has_an_example_that_runs_as_a_doctest():
    missing = []
    for home in sorted(set(_api.homes().values())):
        obj = _resolve(home)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            doc = inspect.getdoc(obj) or ""
            if not re.search(r"\nExamples\n--------\n(.*\n)*>>> ", doc):
                missing.append(home)
    assert missing == []


# The built site.


def _site():
    if not (SITE / "index.html").exists():
        if os.environ.get("CI"):
            pytest.fail("docs/_build/html is missing: CI runs `make docs` first")
        pytest.skip("the site is not built: run `make docs`")
    return SITE


def test_the_site_has_a_page_for_every_public_name():
    site = _site()
    for home in set(_api.homes().values()):
        assert (site / "generated" / f"{home}.html").exists(), home


def _gallery_examples() -> list[str]:
    return sorted(
        p.stem
        for p in (ROOT / "examples").glob("*.py")
        if re.match(r"(plot_|digits_|find_)", p.name)
    )


def test_every_example_ran_in_the_gallery_and_made_a_figure():
    site = _site()
    assert len(_gallery_examples()) >= 10
    for name in _gallery_examples():
        page = (site / "auto_examples" / f"{name}.html").read_text()
        figures = re.findall(rf'src="\.\./(_images/sphx_glr_{name}_\d+\.png)"', page)
        assert figures, f"{name} made no figure"
        for figure in figures:
            assert (site / figure).stat().st_size > 1000, figure
        assert "Total running time of the script" in page, name


BROWSING_FLAGS = ["--window-size=1280,12000", "--virtual-time-budget=5000"]

#: Put first in the page's <head>: notes console errors, uncaught exceptions,
#: failed loads (images, scripts, style sheets) and undecoded images.
PROBE = """<script>
(function () {
  var errors = [], root = document.documentElement;
  function note(text) { errors.push(String(text)); }
  var error = console.error;
  console.error = function () {
    note("console.error: " + Array.prototype.join.call(arguments, " "));
    return error.apply(console, arguments);
  };
  window.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      note("failed to load " + (target.src || target.href));
    } else {
      note("uncaught: " + event.message);
    }
  }, true);
  window.addEventListener("unhandledrejection", function (event) {
    note("unhandled rejection: " + event.reason);
  });
  window.addEventListener("load", function () {
    setTimeout(function () {
      var images = Array.prototype.slice.call(document.images);
      root.dataset.images = images.length;
      root.dataset.broken = JSON.stringify(images.filter(function (image) {
        return !(image.complete && image.naturalWidth > 0);
      }).map(function (image) { return image.getAttribute("src"); }));
      root.dataset.errors = JSON.stringify(errors);
    }, 1000);
  });
})();
</script>"""


def _open_in_chromium(site: Path, page: str, tmp_path: Path) -> dict:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    copy = tmp_path / "html"
    shutil.copytree(site, copy)
    path = copy / page
    html = path.read_text()
    head = re.search(r"<head[^>]*>", html)
    assert head is not None, page
    path.write_text(html[: head.end()] + PROBE + html[head.end() :])
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, *BROWSING_FLAGS,
         f"--user-data-dir={tmp_path / 'profile'}",
         "--allow-file-access-from-files", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = {}
    for key in ("images", "broken", "errors"):
        match = re.search(rf'data-{key}="([^"]*)"', result.stdout)
        assert match is not None, f"{page}: the probe did not run ({key})"
        found[key] = json.loads(match.group(1).replace("&quot;", '"'))
    return found


@pytest.mark.parametrize(
    "page",
    [
        "index.html",
        "generated/sklearn_difficulty.ensemble.EnsembleDifficulty.html",
        "auto_examples/plot_consistency_histograms.html",
    ],
)
def test_pages_open_in_a_real_browser_without_errors_or_broken_images(page, tmp_path):
    found = _open_in_chromium(_site(), page, tmp_path)
    assert found["errors"] == []
    assert found["broken"] == []
    if not page.startswith("generated/"):
        assert found["images"] >= 1  # the demo figure; the example's plot


def test_the_probe_sees_a_broken_image_and_a_console_error(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<html><head></head><body><img src='missing.png'>"
        "<script>console.error('boom')</script></body></html>"
    )
    found = _open_in_chromium(site, "index.html", tmp_path / "browser")
    assert found["broken"] == ["missing.png"]
    assert "console.error: boom" in found["errors"]
    assert any("failed to load" in e and "missing.png" in e for e in found["errors"])
