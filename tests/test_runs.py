"""Runs as Python functions: the same folders as the command line, and reports."""

import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import CHROMIUM_FLAGS

from sklearn_difficulty import EnsembleDifficulty, registries
from sklearn_difficulty.compare import compare_records
from sklearn_difficulty.registries import DataSource, RunData, register_data
from sklearn_difficulty.runs import (
    FOLDER_VERSION,
    ComparisonFolder,
    RunFolder,
    catalog,
    compare,
    describe_phases,
    report,
    run,
)
from sklearn_difficulty.scores import (
    ExampleScore,
    get_score,
    register_score,
    score_examples,
    unregister_score,
)

TINY = dict(model="adaboost", members=2, rounds=3, max_samples=0.8, n_jobs=1)


def cli(*args):
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_difficulty.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def _holds_nothing(path):
    """Nothing written: the folder is absent, or empty (made and checked writable)."""
    return not path.exists() or not any(path.iterdir())


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    boosted = run(out=root / "ada", record_outputs=["proba"], verbose=0, **TINY)
    trees = run(
        out=root / "tree",
        model="sklearn.tree.DecisionTreeClassifier",
        params={"max_depth": 4},
        members=3,
        max_samples=0.7,
        n_jobs=1,
        verbose=0,
    )
    comparison = compare(boosted, trees, out=root / "cmp", tolerance=0.5, bootstraps=20)
    return boosted, trees, comparison


def test_a_python_run_writes_the_folder_the_command_line_writes(folders, tmp_path):
    boosted = folders[0]
    cli("run", "--model", "adaboost", "--members", 2, "--rounds", 3,
        "--max-samples", 0.8, "--n-jobs", 1, "--record-outputs", "proba",
        "--out", tmp_path / "cli", "--quiet")  # fmt: skip
    from_cli = RunFolder.open(tmp_path / "cli")
    assert sorted(p.name for p in from_cli.path.iterdir()) == sorted(
        p.name for p in boosted.path.iterdir()
    )
    for name in from_cli.record.set_names:
        np.testing.assert_array_equal(
            from_cli.record.predictions[name], boosted.record.predictions[name]
        )
    np.testing.assert_array_equal(
        from_cli.record.output("proba"), boosted.record.output("proba")
    )
    ours, theirs = boosted.summary, from_cli.summary
    for summary in (ours, theirs):
        summary.pop("seconds")
    assert ours == theirs
    assert ours["format"] == "sklearn-difficulty run folder"
    assert ours["version"] == FOLDER_VERSION
    assert ours["complete"] is True
    assert (boosted.path / "scores.csv").read_text() == (
        from_cli.path / "scores.csv"
    ).read_text()


def test_a_run_folder_reads_back(folders):
    boosted = RunFolder.open(folders[0].path)
    assert boosted.record.n_members == 2 and boosted.record.output_kinds == ("proba",)
    assert boosted.figures == [
        "consistency_histograms.png",
        "consensus_histograms.png",
        "learning_speed.png",
        "reliability.png",
        "data_map.png",
    ]
    examples = boosted.examples()
    assert examples["easiest_images"].shape == (16, 1, 8, 8)
    text = boosted.describe()
    assert "2 x adaboost on digits: 3 rounds" in text
    assert re.search(r"phases: rounds? 1", text)
    assert "split-half reliability" in text


def test_folders_refuse_what_they_cannot_read(folders, tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no run"):
        RunFolder.open(tmp_path)
    with pytest.raises(FileExistsError, match="already holds a run"):
        run(out=folders[0].path, verbose=0, **TINY)
    newer = tmp_path / "newer"
    shutil.copytree(folders[0].path, newer)
    summary = json.loads((newer / "summary.json").read_text())
    (newer / "summary.json").write_text(json.dumps({**summary, "version": 99}))
    with pytest.raises(ValueError, match="version 99"):
        RunFolder.open(newer)
    with pytest.raises(ValueError, match="unknown data set 'nope'; use one of: digits"):
        run(out=tmp_path / "x", data="nope", verbose=0)
    assert _holds_nothing(tmp_path / "x")
    with pytest.raises(ValueError, match="unknown model 'resnet'; use one of mnist"):
        run(out=tmp_path / "x", model="resnet", verbose=0)


def test_a_data_set_is_added_in_one_place(tmp_path):
    def blobs(argument, data_dir, random_state):
        rng = np.random.RandomState(random_state)
        X = rng.randn(80, int(argument or 2))
        y = (X[:, 0] > 0).astype(int)
        return RunData(X, y, None, None, np.array(["neg", "pos"]), False)

    register_data("blobs:", DataSource(blobs, "Gaussian blobs", argument="dims"))
    try:
        folder = run(
            out=tmp_path / "blobs", data="blobs:5",
            model="sklearn.linear_model.LogisticRegression", members=2,
            max_samples=0.7, n_jobs=1, verbose=0,
        )  # fmt: skip
        assert folder.summary["n_train"] == 80
        assert folder.examples() is None  # not images: tables only in the report
        page = report(folder).read_text()
        assert '<table class="easiest">' in page and '<table class="hardest">' in page
        assert 'alt="example' not in page
        help_text = subprocess.run(
            [sys.executable, "-c",
             "from sklearn_difficulty import registries;"
             "from sklearn_difficulty.registries import DataSource, register_data;"
             "register_data('blobs:', DataSource(print, 'Gaussian blobs', 'dims'));"
             "from sklearn_difficulty.cli import main; main(['run', '--help'])"],
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        assert "blobs:<dims>: Gaussian blobs" in help_text
        assert "blobs:<dims>" in registries.data_names()
    finally:
        registries.DATA_SETS.pop("blobs:")


def test_a_comparison_folder(folders):
    comparison = folders[2]
    assert isinstance(comparison, ComparisonFolder)
    summary = ComparisonFolder.open(comparison.path).summary
    assert summary["names"] == ["adaboost", "sklearn.tree.DecisionTreeClassifier"]
    low, high = summary["pearson"]["ci"]
    assert low <= summary["pearson"]["r"] <= high
    assert summary["figures"][0] == "learning_speeds.png"
    assert all(name.startswith("joint_pair_") for name in summary["figures"][1:])
    assert "matched stage pairs" in comparison.describe()


def test_describe_phases_runs_of_stages():
    stages = [
        {"stage": 0, "phase": "initialization"},
        {"stage": 1, "phase": "beginning of learning"},
        {"stage": 2, "phase": "beginning of learning"},
        {"stage": 3, "phase": "bi-modality"},
    ]
    assert describe_phases(stages, "epoch") == (
        "epoch 0 initialization; epochs 1-2 beginning of learning; epoch 3 bi-modality"
    )


def test_reports_hold_every_figure(folders, tmp_path):
    boosted, _, comparison = folders
    page = report(boosted, out=tmp_path / "run.html").read_text()
    for name in boosted.figures:
        assert f'alt="{name}"' in page
    # 16 easiest and 16 hardest images, each with its label and speed
    assert len(re.findall(r'<img alt="example \d+"', page)) == 32
    assert page.count("speed ") >= 32
    assert '<table id="stages">' in page and '<p id="phases">' in page
    page = report(comparison, out=tmp_path / "cmp.html").read_text()
    for name in comparison.figures:
        assert f'alt="{name}"' in page
    assert '<table id="pairs">' in page and "Pearson r = " in page
    with pytest.raises(FileExistsError, match="already exists"):
        report(boosted, out=tmp_path / "run.html")


LOGGING_FLAGS = ["--enable-logging=stderr", "--v=0"]  # console lines on stderr


@pytest.mark.parametrize("which", ["run", "comparison"])
def test_reports_open_in_a_real_browser_without_errors(folders, tmp_path, which):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    folder = folders[0] if which == "run" else folders[2]
    page = report(folder, out=tmp_path / "report.html")
    n_images = page.read_text().count("<img ")
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, *LOGGING_FLAGS,
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f'data-images-total="{n_images}"' in result.stdout  # the script ran
    assert f'data-images-shown="{n_images}"' in result.stdout  # every image decoded
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console


# The score that ranks the examples a run keeps comes from the score registry.


def _kept(folder, kind):
    return [row["index"] for row in folder.summary["ranking"][kind]]


def test_the_default_ranking_is_the_learning_speed(folders):
    boosted = folders[0]
    ranking = boosted.summary["ranking"]
    assert ranking["score"] == "learning_speed"
    assert ranking["description"] == get_score("learning_speed").description
    order = np.argsort(-score_examples(boosted.record), kind="stable")
    assert _kept(boosted, "easiest") == order[:16].tolist()
    assert _kept(boosted, "hardest") == order[::-1][:16].tolist()
    examples = boosted.examples()
    assert examples["easiest_indices"].tolist() == _kept(boosted, "easiest")
    assert examples["hardest_indices"].tolist() == _kept(boosted, "hardest")


def test_rank_by_a_registered_score_records_what_it_needs(tmp_path):
    folder = run(out=tmp_path / "aum", rank_by="aum", verbose=0, **TINY)
    assert folder.record.output_kinds == ("margin",)  # recorded for AUM
    assert folder.summary["record_outputs"] == ["margin"]
    ranking = folder.summary["ranking"]
    assert ranking["score"] == "aum"
    assert ranking["description"] == get_score("aum").description
    order = np.argsort(-score_examples(folder.record, score="aum"), kind="stable")
    assert _kept(folder, "easiest") == order[:16].tolist()
    assert folder.examples()["hardest_indices"].tolist() == order[::-1][:16].tolist()
    assert "aum" in ranking["easiest"][0]  # its value, beside the table's columns
    page = report(folder).read_text()
    assert '<p id="ranking">Ranked by <strong>aum</strong>: area under the margin' in (
        page
    )
    assert page.count("<br>aum ") == 32  # each kept image says its AUM


def _index_score(record, scored_set, stage):
    """A score of one's own: the later an example, the easier."""
    return np.arange(record.scored_set(scored_set)[1].size, dtype=float)


OWN_SCORE = ExampleScore(
    "late_is_easy",
    _index_score,
    description='later is easier <script>alert("x")</script> & so on',
)


def test_rank_by_a_score_registered_here_and_the_report_escapes_it(tmp_path):
    register_score(OWN_SCORE)
    try:
        folder = run(out=tmp_path / "own", rank_by="late_is_easy", verbose=0, **TINY)
    finally:
        unregister_score("late_is_easy")
    n_train = folder.summary["n_train"]
    assert _kept(folder, "easiest") == list(range(n_train - 1, n_train - 17, -1))
    assert _kept(folder, "hardest") == list(range(16))
    assert folder.summary["ranking"]["description"] == OWN_SCORE.description
    # the report reads the folder, not the registry: the score is gone now
    page = report(folder).read_text()
    assert "<strong>late_is_easy</strong>" in page
    assert "<script>alert" not in page
    assert (
        "later is easier &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;"
        in (page)
    )
    assert "<th>late is easy</th>" in page  # its column in the tables


def test_a_score_that_cannot_rank_a_run_fails_before_any_training(
    tmp_path, monkeypatch
):
    def no_training(*args, **kwargs):
        raise AssertionError("trained before refusing the score")

    monkeypatch.setattr(EnsembleDifficulty, "fit", no_training)
    with pytest.raises(ValueError, match="heldout_consistency.*max_samples"):
        run(out=tmp_path / "held", model="adaboost", members=3, rounds=3,
            rank_by="heldout_consistency", verbose=0)  # fmt: skip
    with pytest.raises(ValueError, match="unknown score 'nope'.*learning_speed"):
        run(out=tmp_path / "held", rank_by="nope", verbose=0, **TINY)
    assert _holds_nothing(tmp_path / "held")


def test_rank_by_the_heldout_consistency_of_members_on_subsets(tmp_path):
    settings = {**TINY, "members": 8, "max_samples": 0.25}  # each held out
    folder = run(out=tmp_path / "held", rank_by="heldout_consistency", verbose=0,
                 **settings)  # fmt: skip
    scores = score_examples(folder.record, score="heldout_consistency")
    order = np.argsort(-scores, kind="stable")
    assert _kept(folder, "easiest") == order[:16].tolist()
    assert folder.summary["ranking"]["score"] == "heldout_consistency"


def test_the_report_renders_what_the_folder_holds_and_computes_nothing(
    folders, tmp_path, monkeypatch
):
    def no_computing(*args, **kwargs):
        raise AssertionError("the report computed what the summary holds")

    for name in ("stage_table", "rank_examples"):
        monkeypatch.setattr(f"sklearn_difficulty.runs.folders.{name}", no_computing)
    monkeypatch.setattr("sklearn_difficulty.runs.summary.example_table", no_computing)
    page = report(folders[0], out=tmp_path / "run.html").read_text()
    assert '<table id="stages">' in page and '<table class="easiest">' in page


def test_a_hostile_summary_is_escaped_and_kept_in_its_folder(folders, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(folders[0].path, copy)
    (tmp_path / "secret.png").write_bytes(b"not yours")
    summary = json.loads((copy / "summary.json").read_text())
    hostile = '"><script>alert(1)</script>'
    summary["model"] = hostile
    summary["figures"] = ["../secret.png", *summary["figures"]]
    summary["stages"][0]["phase"] = hostile
    summary["ranking"]["score"] = hostile
    summary["ranking"]["easiest"][0]["label"] = hostile
    (copy / "summary.json").write_text(json.dumps(summary))
    folder = RunFolder.open(copy)
    assert "../secret.png" not in folder.figures  # no path out of the folder
    page = report(folder).read_text()
    assert "<script>alert" not in page and 'class="phase-"><' not in page
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "secret" not in page
    (copy / "summary.json").write_text(json.dumps({**summary, "ranking": "all"}))
    with pytest.raises(ValueError, match="summary.json: ranking must be a JSON object"):
        report(RunFolder.open(copy), overwrite=True)
    (copy / "summary.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="summary.json must hold a JSON object"):
        RunFolder.open(copy)


def test_the_comparison_folder_writes_its_own_file(folders, tmp_path):
    boosted, trees, comparison = folders
    result = compare_records(
        boosted.record, trees.record, tolerance=0.5, names=("adaboost", "trees")
    )
    folder = ComparisonFolder.create(tmp_path / "own").write(
        result, runs=(boosted.path, trees.path), tolerance=0.5, bootstraps=0
    )
    written = json.loads((folder.path / "comparison.json").read_text())
    assert written["format"] == "sklearn-difficulty run folder"
    assert written["version"] == FOLDER_VERSION and written["complete"] is True
    assert written["runs"] == [str(boosted.path), str(trees.path)]
    assert written["names"] == ["adaboost", "trees"]
    assert written["pearson"]["ci"] is None and written["pearson"]["n_bootstraps"] == 0
    assert [(p["stage_a"], p["stage_b"]) for p in written["pairs"]] == [
        (int(result.stages_a[i]), int(result.stages_b[j])) for i, j in result.pairs
    ]
    assert written["figures"] == ComparisonFolder.open(folder.path).figures
    assert all((folder.path / name).is_file() for name in written["figures"])
    # compare() writes the same file through the folder (its own bootstraps aside)
    theirs = comparison.summary
    for key in ("format", "version", "pairs", "unmatched_stages_a", "tolerance"):
        assert theirs[key] == written[key], key
    assert set(theirs) == set(written)
    assert "matched stage pairs" in folder.describe()


def test_the_registries_facade_keeps_every_name_of_the_catalog():
    names = {
        "DATA_SETS", "MODELS", "DataSource", "ModelSource", "RunData",
        "build_model", "data_names", "load_data", "model_names", "parse_params",
        "register_data", "register_model",
    }  # fmt: skip
    assert set(registries.__all__) == names == set(catalog.__all__)
    for name in names:
        assert getattr(registries, name) is getattr(catalog, name), name
    assert "digits" in catalog.DATA_SETS and "adaboost" in registries.MODELS
