"""The sklearn-difficulty command, driven in a subprocess on tiny settings."""

import csv
import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import (
    EnsembleDifficulty,
    PredictionRecord,
    members_needed,
    split_half_reliability,
)
from sklearn_difficulty.datasets import load_digits_images
from sklearn_difficulty.frames import record_frame
from sklearn_difficulty.scores import get_score, score_names


def cli(*args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_difficulty.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(result.stderr)
    return result


ADABOOST = ["--model", "adaboost", "--members", 2, "--rounds", 3, "--max-samples", 0.8]


@pytest.fixture(scope="module")
def adaboost_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "adaboost"
    cli("run", *ADABOOST, "--record-outputs", "proba", "--n-jobs", 1, "--out", out,
        "--quiet")  # fmt: skip
    return out


def test_run_writes_a_record_that_loads_back_equal(adaboost_run):
    names = {p.name for p in adaboost_run.iterdir()}
    assert {"record.npz", "scores.csv", "summary.json", "examples.npz"} <= names
    assert {"consistency_histograms.png", "consensus_histograms.png"} <= names
    assert {"reliability.png", "data_map.png"} <= names  # it recorded "proba"
    record = PredictionRecord.load(adaboost_run / "record.npz")
    assert record.output_kinds == ("proba",)
    # the same ensemble fitted here, on the same split, gives the same record
    X, y = load_digits_images(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    ensemble = EnsembleDifficulty(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=3),
        n_estimators=2,
        max_samples=0.8,
        random_state=0,
    ).fit(
        X_train.reshape(len(X_train), -1),
        y_train,
        eval_set={"test": (X_test.reshape(len(X_test), -1), y_test)},
    )
    for name in ("train", "test"):
        np.testing.assert_array_equal(
            record.predictions[name], ensemble.record_.predictions[name]
        )
    summary = json.loads((adaboost_run / "summary.json").read_text())
    assert [s["stage"] for s in summary["stages"]] == [1, 2, 3]
    assert summary["n_train"] == 1347 and summary["n_test"] == 450
    assert summary["figures"] == [
        "consistency_histograms.png",
        "consensus_histograms.png",
        "learning_speed.png",
        "reliability.png",
        "data_map.png",
    ]
    reliability = summary["reliability"]
    expected = split_half_reliability(record, n_splits=10, random_state=0)
    assert reliability["split_half"] == pytest.approx(expected.half)
    assert reliability["reliability"] == pytest.approx(expected.reliability)
    assert (reliability["n_members"], reliability["n_half"]) == (2, 1)
    assert reliability["members_needed"] == members_needed(expected, 0.95)
    assert reliability["target"] == 0.95 and reliability["score"] == "learning_speed"
    with open(adaboost_run / "scores.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1347 + 450
    frame = record_frame(record)
    assert float(rows[5]["learning_speed"]) == pytest.approx(
        frame["learning_speed"].iloc[5], abs=1e-6
    )


def test_run_a_cnn_and_report_it(tmp_path):
    out = tmp_path / "cnn"
    result = cli("run", "--model", "mnist", "--members", 2, "--epochs", 2, "--out", out)
    assert "2 x mnist on digits: 2 epochs" in result.stdout
    assert "epoch 0 (untrained): train accuracy 0." in result.stdout
    assert re.search(
        r"Learning speed split-half reliability -?[\d.]+ \(1 member\), -?[\d.]+ "
        r"for all 2; (about \d+ members would reach|no number of members reaches) "
        r"0.95\.",
        result.stdout,
    )
    summary = json.loads((out / "summary.json").read_text())
    assert "reliability.png" in summary["figures"]
    assert "data_map.png" not in summary["figures"]  # labels only
    assert [s["stage"] for s in summary["stages"]] == [0, 1, 2]
    assert abs(summary["stages"][0]["train_accuracy"] - 0.1) < 0.1  # chance
    assert summary["stages"][0]["phase"] == "initialization"
    examples = np.load(out / "examples.npz", allow_pickle=False)
    assert examples["easiest_images"].shape == (16, 1, 8, 8)
    cli("report", out)
    page = (out / "report.html").read_text()
    # the histograms, learning speed, reliability, 16 easiest and 16 hardest images
    assert page.count("data:image/png;base64,") == 4 + 32
    assert "<table" in page and "phase" in page
    assert '<p id="reliability">Learning speed split-half reliability' in page


def test_a_network_trains_with_its_recipe_unless_told_otherwise():
    pytest.importorskip("torch", reason="the torch extra is not installed")
    from sklearn_difficulty.cli import build_parser
    from sklearn_difficulty.registries import build_model

    args = build_parser().parse_args(["run", "--model", "mnist", "--out", "x"])
    assert args.epochs is None  # the recipe's
    net, _ = build_model("mnist", {}, epochs=None, rounds=1, device="cpu")
    assert net.resolved_max_epochs() == 12 and net.get_params()["optimizer"] == "auto"
    net, _ = build_model("st_vgg", {}, epochs=3, rounds=1, device="cpu")
    assert net.resolved_max_epochs() == 3
    params = {"max_epochs": 5, "optimizer": "sgd", "lr": 0.1}
    net, _ = build_model("mnist", params, epochs=3, rounds=1, device="cpu")
    assert (net.max_epochs, net.optimizer, net.lr) == (5, "sgd", 0.1)


def test_compare_two_runs(adaboost_run, tmp_path):
    other = tmp_path / "tree"
    cli(
        "run",
        "--model",
        "sklearn.tree.DecisionTreeClassifier",
        "--param",
        "max_depth=4",
        "--members",
        3,
        "--max-samples",
        0.7,
        "--out",
        other,
        "--quiet",
    )
    out = tmp_path / "comparison"
    result = cli("compare", adaboost_run, other, "--out", out, "--tolerance", 0.5)
    assert "matched stage pairs" in result.stdout
    assert re.search(
        r"Pearson r = -?[\d.]+ \(95% CI -?[\d.]+ to -?[\d.]+ over 200 bootstraps "
        r"of the members\)",
        result.stdout,
    )
    comparison = json.loads((out / "comparison.json").read_text())
    assert comparison["names"] == ["adaboost", "sklearn.tree.DecisionTreeClassifier"]
    pearson = comparison["pearson"]
    assert -1 <= pearson["r"] <= 1
    assert pearson["n_bootstraps"] == 200 and pearson["confidence_level"] == 0.95
    low, high = pearson["ci"]
    assert low <= pearson["r"] <= high
    assert (out / "learning_speeds.png").stat().st_size > 1000


def test_user_arrays_from_an_npz_file(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = (X[:, 0] > 0).astype(int)
    np.savez(tmp_path / "mine.npz", X_train=X, y_train=y)
    cli(
        "run",
        "--data",
        tmp_path / "mine.npz",
        "--model",
        "sklearn.neighbors.KNeighborsClassifier",
        "--members",
        3,
        "--max-samples",
        0.6,
        "--out",
        tmp_path / "run",
        "--quiet",
    )
    record = PredictionRecord.load(tmp_path / "run" / "record.npz")
    assert record.set_names == ("train",) and record.predictions["train"].shape == (
        3,
        1,
        60,
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "--data", "imagenet22k", "--out", "{tmp}/a"], "unknown data set"),
        (
            ["run", "--data", "imagenet", "--data-dir", "{tmp}", "--out", "{tmp}/a"],
            "the train folder of ImageNet, .*/train does not exist",
        ),
        (["run", "--model", "resnet", "--out", "{tmp}/a"], "unknown model 'resnet'"),
        (
            ["run", "--data", "mnist", "--data-dir", "{tmp}", "--out", "{tmp}/a"],
            "train-images-idx3-ubyte",
        ),
        (
            ["run", "--model", "sklearn.svm.SVC", "--param", "kernel='cubic'",
             "--members", "1", "--out", "{tmp}/a"],
            "kernel",
        ),
        (["run", "--members", "0", "--out", "{tmp}/a"], "positive integer"),
        (["run", "--max-samples", "1.5", "--out", "{tmp}/a"], r"in \(0, 1\]"),
        (["report", "{tmp}"], "holds no run"),
        (
            ["run", *map(str, ADABOOST[:-2]), "--rank-by", "heldout_consistency",
             "--out", "{tmp}/a"],
            "by 'heldout_consistency'.*max_samples",
        ),
        (["run", "--rank-by", "nope", "--out", "{tmp}/a"], "invalid choice: 'nope'"),
    ],
)  # fmt: skip
def test_errors_a_person_can_act_on(tmp_path, args, message):
    result = cli(*[a.format(tmp=tmp_path) for a in args], check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert re.search(message, result.stderr)


def test_an_existing_run_is_not_overwritten_unless_asked(adaboost_run, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(adaboost_run, copy)
    result = cli("run", *ADABOOST, "--out", copy, check=False)
    assert result.returncode == 1 and "already holds a run" in result.stderr
    cli("run", *ADABOOST, "--out", copy, "--overwrite", "--quiet")


def test_a_pickled_record_is_refused(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    np.savez(run / "record.npz", metadata=np.array([{"evil": 1}], dtype=object))
    summary = {"format": "sklearn-difficulty run folder", "version": 1}
    (run / "summary.json").write_text(json.dumps(summary))  # a finished run
    result = cli("report", run, check=False)
    assert result.returncode == 1
    assert "pickled objects" in result.stderr


def test_run_on_an_image_folder_and_refuse_what_cannot_read_it(tmp_path):
    pytest.importorskip("torch", reason="the torch extra is not installed")
    from PIL import Image

    X, y = load_digits_images(return_X_y=True)
    for subset, rows in (("train", range(0, 80)), ("test", range(80, 110))):
        for row in rows:
            folder = tmp_path / "digits" / subset / f"digit_{y[row]}"
            folder.mkdir(parents=True, exist_ok=True)
            image = np.round(X[row, 0] * 255).astype(np.uint8)
            Image.fromarray(image).save(folder / f"{row:04d}.png")
    out = tmp_path / "run"
    data = f"imagefolder:{tmp_path / 'digits'}"
    cli("run", "--data", data, "--model", "mnist", "--members", 2, "--epochs", 1,
        "--out", out, "--quiet")  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_train"] == 80 and summary["n_test"] == 30
    assert summary["classes"] == [f"digit_{k}" for k in range(10)]
    examples = np.load(out / "examples.npz", allow_pickle=False)
    assert examples["easiest_images"].shape == (16, 3, 8, 8)  # RGB from PNG
    record = PredictionRecord.load(out / "record.npz")
    assert record.predictions["test"].shape == (2, 2, 30)
    refused = cli("run", "--data", data, "--model", "adaboost", "--out",
                  tmp_path / "no", check=False)  # fmt: skip
    assert refused.returncode != 0 and "choose a network" in refused.stderr
    missing = cli("run", "--data", f"imagefolder:{tmp_path / 'nowhere'}", "--out",
                  tmp_path / "no", check=False)  # fmt: skip
    assert missing.returncode != 0 and "nowhere" in missing.stderr


REGISTER_OWN_SCORE = """
import sys
import numpy as np
from sklearn_difficulty.scores import ExampleScore, register_score
register_score(ExampleScore(
    "late_is_easy",
    lambda record, scored_set, stage: np.arange(
        record.scored_set(scored_set)[1].size, dtype=float),
    description="later examples are easier (100% made up)",
))
from sklearn_difficulty.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_rank_by_offers_the_scores_of_the_registry(tmp_path):
    def own(*args):
        return subprocess.run(
            [sys.executable, "-c", REGISTER_OWN_SCORE, *map(str, args)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    help_text = " ".join(own("run", "--help").stdout.split())
    for name in (*score_names(), "late_is_easy"):
        description = (
            get_score(name).description
            if name in score_names()
            else "later examples are easier (100% made up)"
        )
        assert f"{name}: {description}" in help_text, name
    assert "default learning_speed" in help_text
    out = tmp_path / "own"
    result = own("run", *ADABOOST, "--n-jobs", 1, "--rank-by", "late_is_easy",
                 "--out", out, "--quiet")  # fmt: skip
    assert result.returncode == 0, result.stderr
    ranking = json.loads((out / "summary.json").read_text())["ranking"]
    assert ranking["score"] == "late_is_easy"
    assert [row["index"] for row in ranking["easiest"][:2]] == [1346, 1345]
    # a score that needs outputs gets them recorded
    cli("run", *ADABOOST, "--n-jobs", 1, "--rank-by", "aum", "--out", tmp_path / "a",
        "--quiet")  # fmt: skip
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["record_outputs"] == ["margin"]
    assert summary["ranking"]["score"] == "aum"
    cli("report", tmp_path / "a")
    page = (tmp_path / "a" / "report.html").read_text()
    assert "Ranked by <strong>aum</strong>" in page


def _fits(log) -> int:
    try:
        with open(log) as handle:
            return len(handle.read().split())
    except FileNotFoundError:
        return 0


def test_a_killed_cli_run_resumes_with_the_same_command(tmp_path):
    import os
    import signal
    import time
    from pathlib import Path

    tests = str(Path(__file__).parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests, os.getcwd()])}
    log, out = tmp_path / "fits.log", tmp_path / "run"
    command = [
        sys.executable, "-m", "sklearn_difficulty.cli", "run",
        "--model", "conftest.SlowCountingClassifier", "--param", f"log={log}",
        "--param", "sleep=0.3", "--members", "6", "--max-samples", "0.8",
        "--n-jobs", "1", "--quiet", "--out", str(out),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    deadline = time.time() + 120
    while _fits(log) < 3 and time.time() < deadline:  # some members are done
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done_before = _fits(log)
    assert 3 <= done_before < 6
    refused = cli("report", out, check=False)  # an unfinished run is not a run
    assert refused.returncode == 1 and "unfinished" in refused.stderr
    assert "same command" in refused.stderr

    subprocess.run(command, env=env, check=True, timeout=300)  # the same command
    refitted = _fits(log) - done_before
    assert refitted <= 6 - done_before + 1  # the killed one at most
    summary = json.loads((out / "summary.json").read_text())
    assert summary["members_from_memory"] == 6 - refitted >= 2
    whole = tmp_path / "whole"  # an uninterrupted run, in this process
    sys.path.insert(0, tests)
    try:
        from sklearn_difficulty import runs

        runs.run(out=whole, model="conftest.SlowCountingClassifier",
                 params={"sleep": 0.0}, members=6, max_samples=0.8, n_jobs=1,
                 memory=None, verbose=0)  # fmt: skip
    finally:
        sys.path.remove(tests)
    resumed, uninterrupted = (
        PredictionRecord.load(folder / "record.npz") for folder in (out, whole)
    )
    for name in resumed.set_names:
        np.testing.assert_array_equal(
            resumed.predictions[name], uninterrupted.predictions[name]
        )
    np.testing.assert_array_equal(resumed.in_bag, uninterrupted.in_bag)
    np.testing.assert_array_equal(resumed.seeds, uninterrupted.seeds)
    assert cli("report", out).returncode == 0
