"""Run and comparison folders from elsewhere cannot run code, leak or lie.

A folder may come from someone else, or be half-written by a killed run:
its values are escaped in the report, its figures are PNG files of its own,
its files are read through the schema (one ValueError naming the file),
``out`` never destroys the user's files or mixes two runs, and an
unfinished run is refused with a word on how to resume it.
"""

import base64
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from conftest import CHROMIUM_FLAGS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_difficulty.runs import (
    ComparisonFolder,
    RunFolder,
    _html,
    compare,
    open_folder,
    report,
    run,
)

TINY = dict(
    data="digits", model="adaboost", members=2, rounds=3, max_samples=0.8, n_jobs=1
)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A real run of images (digits), a second one, and their comparison."""
    root = tmp_path_factory.mktemp("untrusted")
    a = run(out=root / "a", verbose=0, **TINY)
    b = run(out=root / "b", verbose=0, **{**TINY, "max_samples": 0.7})
    comparison = compare(a, b, out=root / "cmp", tolerance=0.5, bootstraps=10)
    return a, b, comparison


def _copy(folder, tmp_path, name="copy") -> Path:
    copy = tmp_path / name
    shutil.copytree(folder.path, copy, ignore=shutil.ignore_patterns("report.html"))
    return copy


def _edit(path: Path, change) -> None:
    content = json.loads(path.read_text())
    change(content)
    path.write_text(json.dumps(content))


# Reports that escape everything ------------------------------------------------------


# An element whose error handler marks the page: tabs, not spaces, as in the issue.
PAYLOAD = '"><img\tsrc=x\tonerror="document.body.dataset.pwned=1">'


def _dom(page: Path, tmp_path: Path) -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=2000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_payload_runs_when_put_into_a_page_raw(tmp_path):
    """The check of the tests below can fail: unescaped, the payload runs."""
    page = tmp_path / "raw.html"
    page.write_text(f'<html><body><table><tr class="{PAYLOAD}"></tr></table></body>')
    assert 'data-pwned="1"' in _dom(page, tmp_path)


def test_a_phase_with_tabs_and_html_runs_no_script_in_a_browser(folders, tmp_path):
    copy = _copy(folders[0], tmp_path)
    _edit(copy / "summary.json", lambda s: s["stages"][0].update(phase=PAYLOAD))
    page = report(copy)
    html = page.read_text()
    assert "phase-&quot;" not in html and "<img\tsrc=x" not in html
    dom = _dom(page, tmp_path)
    assert "pwned" in dom  # the text is shown, escaped
    assert 'data-pwned="1"' not in dom  # its script did not run
    assert 'data-images-total="' in dom  # the page's own script did


def test_a_tolerance_holding_html_runs_no_script(folders, tmp_path):
    copy = _copy(folders[2], tmp_path)
    _edit(copy / "comparison.json", lambda s: s.update(tolerance=PAYLOAD))
    with pytest.raises(
        ValueError, match=r"comparison.json: tolerance must be a number"
    ):
        report(copy)
    assert not (copy / "report.html").exists()


def test_a_phase_of_its_own_gets_no_class_from_the_data(folders, tmp_path):
    copy = _copy(folders[0], tmp_path)
    _edit(copy / "summary.json", lambda s: s["stages"][0].update(phase="warm up"))
    html = report(copy).read_text()
    assert "phase-warm" not in html and "<tr><td>" in html
    classes = set(_html.PHASE_CLASSES.values())
    assert classes == {
        "phase-initialization", "phase-beginning-of-learning",
        "phase-bi-modality", "phase-end-of-learning",
    }  # fmt: skip


SECRET_PNG = b"\x89PNG\r\n\x1a\n" + b"secret pixels" * 4


def test_figures_are_only_the_folders_own_png_files(folders, tmp_path):
    copy = _copy(folders[0], tmp_path)
    secret = tmp_path / "secret.png"
    secret.write_bytes(SECRET_PNG)  # a PNG, but outside the folder
    (copy / "learning_speed.png").unlink()
    os.symlink(secret, copy / "learning_speed.png")  # a figure's name, linked out
    (copy / "data_map.png").write_bytes(b"<script>alert(1)</script>")  # not a PNG
    listed = ["/etc/passwd", "../../secret.txt", "record.npz", "data_map.png"]
    _edit(copy / "summary.json", lambda s: s.update(figures=[*listed, *s["figures"]]))
    folder = RunFolder.open(copy)
    assert folder.figures == [
        "consistency_histograms.png", "consensus_histograms.png", "reliability.png",
    ]  # fmt: skip
    html = report(folder).read_text()
    assert re.findall(r'<img alt="([^"]*)"', html)[:3] == folder.figures
    assert len(re.findall(r'<img alt="example', html)) == 32
    for name in ("learning_speed.png", "data_map.png", "passwd", "record.npz"):
        assert f'alt="{name}"' not in html and f'alt="/etc/{name}"' not in html
    assert base64.b64encode(b"secret pixels").decode()[:12] not in html
    assert base64.b64encode(Path("/etc/passwd").read_bytes()[:30]).decode()[
        :20
    ] not in (html)


def test_a_symlinked_report_is_replaced_not_written_through(folders, tmp_path):
    copy = _copy(folders[0], tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("my own file")
    os.symlink(victim, copy / "report.html")
    with pytest.raises(FileExistsError, match="already exists"):
        report(copy)
    path = report(copy, overwrite=True)
    assert victim.read_text() == "my own file"
    assert not path.is_symlink() and "<!DOCTYPE html>" in path.read_text()
    assert [p.name for p in copy.iterdir() if p.name.startswith(".tmp-")] == []


# Folders read through a schema ------------------------------------------------------


def _delete(key):
    return lambda s: s.pop(key)


SUMMARY_DAMAGE = {
    "stage without phase": (
        lambda s: s["stages"][1].pop("phase"),
        r"stages\[1\]\.phase must be present",
    ),
    "accuracy a string": (
        lambda s: s["stages"][0].update(train_accuracy="0.9"),
        r"stages\[0\]\.train_accuracy must be a number from 0 to 1",
    ),
    "accuracy above one": (
        lambda s: s["stages"][0].update(train_accuracy=3.0),
        r"stages\[0\]\.train_accuracy must be a number from 0 to 1",
    ),
    "no stages at all": (lambda s: s.update(stages=[]), r"stages must be a list of"),
    "stages of another record": (
        lambda s: s["stages"][0].update(stage=7),
        r"stages must be the record's",
    ),
    "members of another record": (
        lambda s: s.update(members=5),
        r"members must be the record's 2",
    ),
    "a ranked index out of range": (
        lambda s: s["ranking"]["easiest"][0].update(index=10**6),
        r"ranking\.easiest\[0\]\.index must be below the record's",
    ),
    "a negative ranked index": (
        lambda s: s["ranking"]["hardest"][0].update(index=-1),
        r"ranking\.hardest\[0\]\.index must be an integer of at least 0",
    ),
    "a reliability without its members": (
        lambda s: s["reliability"].pop("members_needed"),
        r"reliability\.members_needed must be present",
    ),
    "figures not a list": (
        lambda s: s.update(figures="all"),
        r"figures must be a list",
    ),
    "an unknown version 0": (lambda s: s.update(version=0), r"version must be an int"),
    "someone else's format": (lambda s: s.update(format="mine"), r"format must be"),
}


@pytest.mark.parametrize("damage", SUMMARY_DAMAGE, ids=str)
def test_a_damaged_summary_is_one_clear_error(folders, tmp_path, damage):
    change, message = SUMMARY_DAMAGE[damage]
    copy = _copy(folders[0], tmp_path)
    _edit(copy / "summary.json", change)
    with pytest.raises(ValueError, match=message) as error:
        report(copy)
    assert str(copy) in str(error.value)


def test_a_summary_that_is_a_list_or_not_json(folders, tmp_path):
    copy = _copy(folders[0], tmp_path)
    (copy / "summary.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="summary.json must hold a JSON object"):
        report(copy)
    (copy / "summary.json").write_bytes(b"\xff{")
    with pytest.raises(ValueError, match="summary.json is not readable JSON"):
        report(copy)


COMPARISON_DAMAGE = {
    "no pearson": (_delete("pearson"), r"comparison.json: pearson must be present"),
    "names not two strings": (
        lambda s: s.update(names=["a", 3]),
        r"names\[1\] must be a string",
    ),
    "three names": (lambda s: s.update(names=["a", "b", "c"]), r"names must be a list"),
    "a malformed pair": (
        lambda s: s["pairs"][0].pop("stage_b"),
        r"pairs\[0\]\.stage_b must be present",
    ),
    "pairs not a list": (lambda s: s.update(pairs={"a": 1}), r"pairs must be a list"),
    "half an interval": (
        lambda s: s["pearson"].update(ci=[0.1, None]),
        r"pearson\.ci must be two",
    ),
}


@pytest.mark.parametrize("damage", COMPARISON_DAMAGE, ids=str)
def test_a_damaged_comparison_is_one_clear_error(folders, tmp_path, damage):
    change, message = COMPARISON_DAMAGE[damage]
    copy = _copy(folders[2], tmp_path)
    _edit(copy / "comparison.json", change)
    with pytest.raises(ValueError, match=message):
        report(copy)


def _examples_of(folder):
    with np.load(folder.path / "examples.npz") as data:
        return {key: data[key] for key in data.files}


EXAMPLES_DAMAGE = {
    "an index out of range": (
        lambda e: e["easiest_indices"].__setitem__(0, 10**6),
        r"easiest_indices must be indices from 0 to",
    ),
    "a negative index": (
        lambda e: e["hardest_indices"].__setitem__(0, -3),
        r"hardest_indices must be indices from 0 to",
    ),
    "another run's indices": (
        lambda e: e.update(easiest_indices=e["easiest_indices"][::-1].copy()),
        r"easiest_indices must be those of the summary's ranking",
    ),
    "fewer images than indices": (
        lambda e: e.update(easiest_images=e["easiest_images"][:3]),
        r"easiest_images must be 16 images",
    ),
    "images without indices": (
        lambda e: e.pop("hardest_indices"),
        r"hardest_images must be kept with its",
    ),
    "images of text": (
        lambda e: e.update(easiest_images=np.full((16, 8, 8), "x")),
        r"easiest_images must be numbers",
    ),
    "an object array": (
        lambda e: e.update(easiest_images=np.array([None] * 16, dtype=object)),
        r"examples.npz cannot be read as kept examples",
    ),
}


@pytest.mark.parametrize("damage", EXAMPLES_DAMAGE, ids=str)
def test_damaged_examples_are_one_clear_error(folders, tmp_path, damage):
    change, message = EXAMPLES_DAMAGE[damage]
    copy = _copy(folders[0], tmp_path)
    arrays = _examples_of(folders[0])
    change(arrays)
    np.savez(copy / "examples.npz", **arrays)  # object arrays: pickled, never read
    with pytest.raises(ValueError, match=message) as error:
        report(copy)
    assert "examples.npz" in str(error.value)


def test_examples_that_are_not_a_zip_or_a_link_out(folders, tmp_path):
    copy = _copy(folders[0], tmp_path)
    (copy / "examples.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="examples.npz cannot be read"):
        report(copy)
    (copy / "examples.npz").unlink()
    os.symlink(folders[0].path / "examples.npz", copy / "examples.npz")
    with pytest.raises(ValueError, match="examples.npz must be a file in its folder"):
        report(copy)


def test_a_version_1_folder_still_opens_and_reports(folders, tmp_path):
    copy = _copy(folders[0], tmp_path)
    _edit(copy / "summary.json", lambda s: (s.pop("complete"), s.update(version=1)))
    folder = RunFolder.open(copy)
    assert folder.complete
    assert '<table id="stages">' in report(folder).read_text()
    _edit(copy / "summary.json", lambda s: s.update(version=2))  # 2 must say
    with pytest.raises(ValueError, match="summary.json: complete must be present"):
        RunFolder.open(copy)


# The run folder's life cycle --------------------------------------------------------


def test_an_out_that_is_a_file_fails_before_training(tmp_path):
    out = tmp_path / "results"
    out.write_text("my notes")
    with pytest.raises(NotADirectoryError, match="exists and is not a folder"):
        RunFolder.create(out)
    with pytest.raises(NotADirectoryError, match="exists and is not a folder"):
        ComparisonFolder.create(out, overwrite=True)
    with pytest.raises(NotADirectoryError, match="cannot make the folder"):
        RunFolder.create(out / "below")
    assert out.read_text() == "my notes"


def test_create_makes_the_folder_and_checks_it_is_writable(tmp_path):
    folder = RunFolder.create(tmp_path / "deep" / "er")
    assert folder.path.is_dir() and list(folder.path.iterdir()) == []
    assert folder.memory_path == folder.path / "members"
    assert not folder.complete


def test_the_users_own_files_in_out_are_never_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "scores.csv").write_text("my,scores\n")
    (out / "summary.json").write_text('{"my": "summary"}')
    for overwrite in (False, True):
        with pytest.raises(FileExistsError, match="not a run of sklearn-difficulty"):
            run(out=out, overwrite=overwrite, verbose=0, **TINY)
    with pytest.raises(FileExistsError, match="not a comparison"):
        ComparisonFolder.create(out, overwrite=True)
    assert (out / "scores.csv").read_text() == "my,scores\n"
    assert json.loads((out / "summary.json").read_text()) == {"my": "summary"}
    assert sorted(p.name for p in out.iterdir()) == ["scores.csv", "summary.json"]


def test_overwrite_removes_exactly_the_files_of_the_format(folders, tmp_path):
    copy = _copy(folders[0], tmp_path)
    (copy / "notes.txt").write_text("mine")
    (copy / "members").mkdir(exist_ok=True)  # the run keeps its members there
    (copy / "members" / "entry.npz").write_bytes(b"cached")
    (copy / "joint_pair_12.png").write_bytes(b"old")
    (copy / ".tmp-0123456789ab-record.npz").write_bytes(b"left by a kill")
    (copy / "report.html").write_text("old report")
    with pytest.raises(FileExistsError, match="already holds a run"):
        RunFolder.create(copy)
    RunFolder.create(copy, overwrite=True)
    assert sorted(p.name for p in copy.iterdir()) == ["members", "notes.txt"]
    assert (copy / "members" / "entry.npz").read_bytes() == b"cached"


def test_overwrite_leaves_no_stale_examples_of_an_image_run(folders, tmp_path):
    out = _copy(folders[0], tmp_path, "out")  # an image run: examples.npz
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    np.savez(tmp_path / "flat.npz", X_train=X, y_train=(X[:, 0] > 0).astype(int))
    folder = run(out=out, overwrite=True, verbose=0,
                 **{**TINY, "data": str(tmp_path / "flat.npz")})  # fmt: skip
    assert not (out / "examples.npz").exists()
    assert folder.examples() is None
    assert 'alt="example' not in report(folder).read_text()


def test_an_unfinished_run_is_refused_and_resumed(folders, tmp_path):
    out = tmp_path / "unfinished"
    folder = RunFolder.create(out).begin({"data": "digits", "model": "adaboost"})
    assert json.loads((out / "summary.json").read_text())["complete"] is False
    assert not folder.complete
    for read in (RunFolder.open, open_folder, report):
        with pytest.raises(ValueError, match="unfinished run") as error:
            read(out)
        assert "run the same command again" in str(error.value)
        assert str(out / "members") in str(error.value)
    with pytest.raises(ValueError, match="unfinished run"):
        compare(out, folders[1].path, out=tmp_path / "cmp")
    with pytest.raises(ValueError, match="unfinished run"):
        compare(RunFolder(out), folders[1], out=tmp_path / "cmp")
    assert RunFolder.create(out).path == out  # resumed without overwrite


def test_a_run_killed_between_its_record_and_its_summary_is_unfinished(
    folders, tmp_path
):
    copy = _copy(folders[0], tmp_path)
    (copy / "summary.json").unlink()  # version 1 wrote the summary last
    assert not RunFolder(copy).complete
    with pytest.raises(ValueError, match="unfinished run"):
        report(copy)
    assert RunFolder.create(copy).path == copy  # resumed without overwrite


def test_a_comparison_says_it_is_unfinished_until_its_figures_are_written(
    folders, tmp_path
):
    copy = _copy(folders[2], tmp_path)
    _edit(copy / "comparison.json", lambda s: s.update(complete=False))
    with pytest.raises(ValueError, match="unfinished comparison"):
        report(copy)
    assert ComparisonFolder.create(copy).path == copy


# Any value of a real summary: rendered escaped, or one clear error ------------------

TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p",
    "strong", "em", "table", "tr", "th", "td", "figure", "img", "figcaption",
    "div", "footer", "br", "script",
}  # fmt: skip
IDS = {"phases", "reliability", "stages", "ranking", "easiest", "hardest", "pairs",
       "correlation"}  # fmt: skip
CLASSES = {
    "phase-initialization", "phase-beginning-of-learning", "phase-bi-modality",
    "phase-end-of-learning", "examples", "easiest", "hardest",
}  # fmt: skip


class _Markup(HTMLParser):
    """Every tag and attribute of a page, to hold them to the templates' own."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _assert_only_our_markup(page: str):
    markup = _Markup()
    markup.feed(page)
    assert {tag for tag, _ in markup.found} <= TAGS
    assert sum(tag == "script" for tag, _ in markup.found) == 1
    for tag, attrs in markup.found:
        assert set(attrs) <= {"lang", "charset", "alt", "src", "class", "id"}, tag
        assert attrs.get("class", "examples") in CLASSES
        assert attrs.get("id", "phases") in IDS
        assert attrs.get("src", "data:image/png;base64,").startswith(
            "data:image/png;base64,"
        )
    assert "<z" not in page and "<q" not in page  # the data's own tags


HOSTILE = [
    PAYLOAD, "<script>document.title='x'</script>", "\"'><zz onload=alert(1)>",
    "javascript:alert(1)", "../../etc/passwd", "/etc/passwd", "phase-x\t<q>",
]  # fmt: skip
TEXTS = st.one_of(
    st.sampled_from(HOSTILE), st.text(alphabet="<>\"'&\t zq=/", max_size=10)
)
VALUES = st.one_of(
    TEXTS,
    TEXTS,  # most fields are text: half the values are hostile strings
    TEXTS,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.lists(st.one_of(st.integers(-5, 5), st.sampled_from(HOSTILE)), max_size=3),
    st.dictionaries(st.sampled_from(["<zz>", "r", "phase"]), st.integers(), max_size=2),
)


def _places(value, path=()):
    """Every (container path, key) of a JSON value."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        yield (*path, key)
        if isinstance(item, dict | list) and item:
            yield from _places(item, (*path, key))


@st.composite
def _mutations(draw, original):
    places = list(_places(original))
    changes = []
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(places))
        changes.append((place, draw(st.one_of(VALUES, st.just("<delete>")))))
    return changes


def _mutated(original, changes):
    content = json.loads(json.dumps(original))
    for place, value in changes:
        container = content
        try:
            for key in place[:-1]:
                container = container[key]
            if value == "<delete>" and isinstance(container, dict):
                container.pop(place[-1], None)
            elif value != "<delete>":
                container[place[-1]] = value
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change replaced this value's container
    return content


def _property(folder, name, tmp_path_factory):
    copy = _copy(folder, tmp_path_factory.mktemp("mutated"))
    original = json.loads((copy / name).read_text())
    out = copy.parent / "report.html"

    @settings(max_examples=60, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(changes=_mutations(original))
    def check(changes):
        (copy / name).write_text(json.dumps(_mutated(original, changes)))
        try:
            page = report(copy, out=out, overwrite=True).read_text()
        except ValueError as error:
            assert str(copy) in str(error), error  # names the file (or the folder)
            return
        _assert_only_our_markup(page)

    check()


def test_any_value_of_a_real_summary_is_escaped_or_refused(folders, tmp_path_factory):
    _property(folders[0], "summary.json", tmp_path_factory)


def test_any_value_of_a_real_comparison_is_escaped_or_refused(
    folders, tmp_path_factory
):
    _property(folders[2], "comparison.json", tmp_path_factory)
