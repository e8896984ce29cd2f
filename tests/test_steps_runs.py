"""Run folders, reports and the command line with stages finer than an epoch.

A stage recorded after optimiser steps carries its position (step, epoch):
a run folder keeps it in its summary, checked against the record when read
(a folder may come from someone else); the text and the report tell the
phases in epochs; ``run(record_every=...)`` and ``--record-every`` record
after steps, and refuse, before any training, a model that cannot be.
"""

import json
import shutil
from html.parser import HTMLParser

import numpy as np
import pytest
from test_folders_untrusted import (
    PAYLOAD,
    _assert_only_our_markup,
    _copy,
    _edit,
    _property,
)

from sklearn_difficulty import PredictionRecord
from sklearn_difficulty.cli import build_parser, main
from sklearn_difficulty.runs import (
    FOLDER_VERSION,
    RunFolder,
    describe_phases,
    describe_run,
    report,
    run,
    stage_table,
)
from sklearn_difficulty.runs.descriptions import format_epoch

STEPS = np.array([0, 1, 2, 4, 8, 18, 36])  # 18 steps an epoch: epochs 0 to 2


def _record(stages, *, stage_kind, steps=None, epochs=None, seed=0):
    """10 members learning 60 examples of 3 classes, the easy ones first."""
    rng = np.random.RandomState(seed)
    n_members, n_samples = 10, 60
    targets = rng.randint(0, 3, n_samples)
    done = np.asarray(stages, dtype=float) / np.max(stages)
    ease = np.linspace(0, 1, n_samples)
    right = np.clip(2 * done[:, None] - 1 + ease[None, :], 0, 1)
    right[0] = 0.0  # untrained: every member answers one wrong class
    correct = rng.uniform(size=(n_members, len(stages), n_samples)) < right
    predictions = np.where(correct, targets, (targets + 1) % 3).astype(np.uint8)
    return PredictionRecord(
        predictions={"train": predictions, "test": predictions[:, :, :20]},
        targets={"train": targets, "test": targets[:20]},
        classes=np.array(["a", "b", "c"]),
        stages=np.asarray(stages),
        stage_kind=stage_kind,
        steps=steps,
        epochs=epochs,
    )


def step_record():
    return _record(STEPS, stage_kind="step", steps=STEPS, epochs=STEPS / 18)


def epoch_record():
    """Recorded every epoch, by a recorder that counts its steps (18 an epoch)."""
    stages = np.arange(4)
    return _record(stages, stage_kind="epoch", steps=stages * 18, epochs=stages * 1.0)


def round_record():
    """Boosting rounds: no step, no epoch."""
    return _record(np.arange(1, 5), stage_kind="round")


PHASES = [
    "initialization", "beginning of learning", "beginning of learning",
    "bi-modality", "bi-modality", "end of learning", "end of learning",
]  # fmt: skip
PHASES_IN_EPOCHS = (
    "epoch 0 initialization; epochs 0.056-0.11 beginning of learning; "
    "epochs 0.22-0.44 bi-modality; epochs 1-2 end of learning"
)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A step run, an epoch run with positions, a run of rounds (none)."""
    root = tmp_path_factory.mktemp("steps")
    asked = {"data": "toy", "model": "hand-made", "record_every": "log"}
    RunFolder.create(root / "step").write(step_record(), asked)
    for name, record in (("epoch", epoch_record()), ("round", round_record())):
        # the step run's folder with another record and its stages: the same
        # files as its own write() gives, without drawing the figures again
        shutil.copytree(root / "step", root / name)
        record.save(root / name / "record.npz")
        _edit(root / name / "summary.json", lambda s, r=record: s.update(
            stages=stage_table(r), stage_kind=r.stage_kind, record_every="epoch"
        ))  # fmt: skip
    # the four phases, each at stages of its own: what the text and report show
    _edit(root / "step" / "summary.json", lambda s: [
        row.update(phase=phase) for row, phase in zip(s["stages"], PHASES, strict=True)
    ])  # fmt: skip
    return {name: RunFolder.open(root / name) for name in ("step", "epoch", "round")}


# Run folders keep the positions --------------------------------------------------


def test_a_step_record_keeps_its_positions_in_a_run_folder(folders):
    folder = RunFolder.open(folders["step"].path)
    assert folder.summary["version"] == FOLDER_VERSION == 3
    record = folder.record
    assert record.stage_kind == "step"
    np.testing.assert_array_equal(record.steps, STEPS)
    np.testing.assert_array_equal(record.epochs, STEPS / 18)
    rows = folder.stages
    assert [row["step"] for row in rows] == STEPS.tolist()
    assert [row["epoch"] for row in rows] == (STEPS / 18).tolist()
    assert list(rows[0])[:3] == ["stage", "step", "epoch"]
    on_disk = json.loads((folder.path / "summary.json").read_text())
    assert on_disk["stages"][1]["epoch"] == 1 / 18  # JSON keeps the float exactly
    assert on_disk["record_every"] == "log"


def test_rows_hold_the_positions_the_record_knows_and_no_others(folders):
    epoch_rows = RunFolder.open(folders["epoch"].path).stages
    assert [(r["stage"], r["step"], r["epoch"]) for r in epoch_rows] == [
        (0, 0, 0.0), (1, 18, 1.0), (2, 36, 2.0), (3, 54, 3.0),
    ]  # fmt: skip
    round_rows = RunFolder.open(folders["round"].path).stages
    assert all("step" not in row and "epoch" not in row for row in round_rows)


def test_a_version_2_folder_opens_without_positions(folders, tmp_path):
    copy = _copy(folders["step"], tmp_path)

    def version_2(summary):
        summary.update(version=2)
        summary.pop("record_every")
        for row in summary["stages"]:
            row.pop("step"), row.pop("epoch")

    _edit(copy / "summary.json", version_2)
    folder = RunFolder.open(copy)
    assert folder.complete and folder.summary["version"] == 2
    assert all("step" not in row and "epoch" not in row for row in folder.stages)
    assert "phases: step 0 initialization; steps 1-2 beginning of learning" in (
        folder.describe()
    )  # by its stages' labels
    page = report(folder).read_text()
    assert "<tr><th>step</th><th>train accuracy</th>" in page


# Positions from elsewhere: one clear error naming the file and the field ---------


def _row(i, **change):
    return lambda s: s["stages"][i].update(change)


def _swap(key, i):
    def change(summary):
        rows = summary["stages"]
        rows[i][key], rows[i + 1][key] = rows[i + 1][key], rows[i][key]

    return change


POSITION_DAMAGE = {
    "a step that is a string": (
        _row(2, step="2"),
        r"stages\[2\]\.step must be an integer of at least 0",
    ),
    "a step that is a float": (
        _row(2, step=2.0),
        r"stages\[2\]\.step must be an integer of at least 0",
    ),
    "a negative step": (
        _row(0, step=-1),
        r"stages\[0\]\.step must be an integer of at least 0",
    ),
    "an epoch that is NaN": (
        _row(1, epoch=float("nan")),
        r"stages\[1\]\.epoch must be a finite number of at least 0; got nan",
    ),
    "an infinite epoch": (
        _row(6, epoch=float("inf")),
        r"stages\[6\]\.epoch must be a finite number of at least 0; got inf",
    ),
    "an epoch that is a string": (
        _row(3, epoch="0.2"),
        r"stages\[3\]\.epoch must be a finite number",
    ),
    "an epoch that is true": (
        _row(3, epoch=True),
        r"stages\[3\]\.epoch must be a finite number",
    ),
    "decreasing steps": (
        _swap("step", 3),
        r"stages\[4\]\.step must be at least stages\[3\]\.step \(8\).*got 4",
    ),
    "decreasing epochs": (
        _swap("epoch", 1),
        r"stages\[2\]\.epoch must be at least stages\[1\]\.epoch",
    ),
    "a step missing from one stage": (
        lambda s: s["stages"][4].pop("step"),
        r"stages\[4\]\.step must be given for every stage or for none",
    ),
    "a step that is not the record's": (
        _row(4, step=5),
        r"stages\[4\]\.step must be the record's 8; got 5",
    ),
    "an epoch that is not the record's": (
        _row(3, epoch=0.25),
        r"stages\[3\]\.epoch must be the record's 0\.222.*; got 0\.25",
    ),
    "an epoch beyond any float": (
        _row(6, epoch=10**400),
        r"stages\[6\]\.epoch must be the record's 2\.0",
    ),
    "record_every of no kind": (
        lambda s: s.update(record_every={"every": 3}),
        r"record_every must be a string, a positive integer or a list of them",
    ),
    "record_every zero": (
        lambda s: s.update(record_every=0),
        r"record_every must be a string, a positive integer",
    ),
}


@pytest.mark.parametrize("damage", POSITION_DAMAGE, ids=str)
def test_damaged_positions_are_one_clear_error(folders, tmp_path, damage):
    change, message = POSITION_DAMAGE[damage]
    copy = _copy(folders["step"], tmp_path)
    _edit(copy / "summary.json", change)  # NaN and Infinity as JSON writes them
    with pytest.raises(ValueError, match=message) as error:
        report(copy)
    assert str(copy / "summary.json") in str(error.value)


def test_positions_for_a_record_that_holds_none_are_refused(folders, tmp_path):
    copy = _copy(folders["round"], tmp_path)
    _edit(copy / "summary.json", lambda s: [
        row.update(step=i, epoch=float(i)) for i, row in enumerate(s["stages"])
    ])  # fmt: skip
    with pytest.raises(ValueError, match=r"stages\[0\]\.step must be absent: the "
                       "record holds no step of its stages"):  # fmt: skip
        report(copy)


def test_any_value_of_a_step_summary_is_escaped_or_refused(folders, tmp_path_factory):
    _property(folders["step"], "summary.json", tmp_path_factory)


# What a person reads: the phases in epochs ----------------------------------------


def test_phases_of_steps_are_told_in_epochs():
    steps = [0, 3, 15, 20, 45, 50, 500]  # 50 steps an epoch
    rows = [
        {"stage": s, "step": s, "epoch": s / 50, "phase": p}
        for s, p in zip(steps, PHASES, strict=True)
    ]
    assert describe_phases(rows, "step") == (
        "epoch 0 initialization; epochs 0.06-0.3 beginning of learning; "
        "epochs 0.4-0.9 bi-modality; epochs 1-10 end of learning"
    )
    without = [{k: v for k, v in row.items() if k != "epoch"} for row in rows]
    assert describe_phases(without, "step").startswith(
        "step 0 initialization; steps 3-15 beginning"
    )  # no epochs: the steps themselves


def test_epochs_are_short_integers_stay_integers():
    assert [format_epoch(e) for e in (0, 1 / 18, 0.3125, 0.999, 1.0, 1.5278, 12.0)] == [
        "0", "0.056", "0.31", "1", "1", "1.5", "12",
    ]  # fmt: skip
    assert format_epoch(2e-6) == "0.000002"  # never an exponent
    assert format_epoch(1 / 18, digits=3) == "0.0556"


def test_epoch_records_read_exactly_as_before_positions():
    rows = [
        {"stage": 0, "phase": "initialization", "train_accuracy": 0.1},
        {"stage": 1, "phase": "beginning of learning", "train_accuracy": 0.5},
        {"stage": 2, "phase": "beginning of learning", "train_accuracy": 0.7},
        {"stage": 3, "phase": "bi-modality", "train_accuracy": 0.9},
    ]
    placed = [{**row, "step": 18 * row["stage"], "epoch": float(row["stage"])}
              for row in rows]  # fmt: skip
    summary = {"members": 10, "model": "mnist", "data": "digits", "seconds": 25.0}
    expected = (
        "10 x mnist on digits: 3 epochs in 25 s; epoch 0 (untrained): train accuracy "
        "0.100; last epoch: train accuracy 0.900. Results in out/\n"
        "phases: epoch 0 initialization; epochs 1-2 beginning of learning; epoch 3 "
        "bi-modality\nOne member: the learning speed's reliability needs at least two."
    )
    for table in (rows, placed):
        assert describe_run(summary, stages=table, stage_kind="epoch", path="out") == (
            expected
        )


def test_a_step_run_is_described_in_epochs(folders):
    text = folders["step"].describe()
    first, phases = text.splitlines()[:2]
    assert first.startswith(
        "10 x hand-made on toy: 6 stages after optimiser steps, through epoch 2; "
        "epoch 0 (untrained): train accuracy 0.000; last (step 36): train accuracy"
    )
    assert phases == f"phases: {PHASES_IN_EPOCHS}"  # not steps 1-2, 4-8, 18-36


# The report: step and epoch columns, every value escaped --------------------------


class _Table(HTMLParser):
    """The cells of the stage table, row by row."""

    def __init__(self):
        super().__init__()
        self.rows, self._inside, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._inside = dict(attrs).get("id") == "stages"
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._inside = False
        elif self._inside and tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _stage_table(page: str) -> list[list[str]]:
    table = _Table()
    table.feed(page)
    return table.rows


def test_the_report_shows_the_step_and_epoch_columns(folders, tmp_path):
    page = report(folders["step"], out=tmp_path / "step.html").read_text()
    header, *rows = _stage_table(page)
    assert header[:3] == ["step", "epoch", "train accuracy"]
    assert [row[:2] for row in rows][:3] == [
        ["0", "0"],
        ["1", "0.0556"],
        ["2", "0.111"],
    ]
    assert rows[-1][:2] == ["36", "2"]
    assert "recorded after optimiser steps (training batches), through epoch 2" in page
    assert f'<p id="phases"><strong>Phases:</strong> {PHASES_IN_EPOCHS}</p>' in page

    epoch_page = report(folders["epoch"], out=tmp_path / "epoch.html").read_text()
    header, *rows = _stage_table(epoch_page)
    assert header[:3] == ["epoch", "step", "train accuracy"]  # no epoch twice
    assert [row[:2] for row in rows] == [
        ["0", "0"],
        ["1", "18"],
        ["2", "36"],
        ["3", "54"],
    ]
    assert "recorded after optimiser steps" not in epoch_page

    round_page = report(folders["round"], out=tmp_path / "round.html").read_text()
    assert _stage_table(round_page)[0][:2] == ["round", "train accuracy"]


def test_a_step_report_escapes_the_folders_values(folders, tmp_path):
    copy = _copy(folders["step"], tmp_path)
    _edit(copy / "summary.json", lambda s: (
        s["stages"][2].update(phase=PAYLOAD), s.update(stage_kind=PAYLOAD),
        s.update(record_every=PAYLOAD, model=PAYLOAD),
    ))  # fmt: skip
    page = report(copy).read_text()
    assert "<img\tsrc=x" not in page and "&quot;&gt;&lt;img\tsrc=x" in page
    _assert_only_our_markup(page)

    hostile = tmp_path / "hostile kind"
    kind = 'step"><img src=x onerror=alert(1)>'
    record = _record(STEPS, stage_kind=kind, steps=STEPS, epochs=STEPS / 18)
    RunFolder.create(hostile).write(record, {"model": "<q>", "data": "toy"})
    page = report(hostile).read_text()
    _assert_only_our_markup(page)
    header = _stage_table(page)[0]
    assert header[:3] == [kind, "step", "epoch"]  # not "step": both positions


# run() and --record-every ----------------------------------------------------------


def _parse(*args):
    return build_parser().parse_args(["run", "--out", "x", *args])


def test_the_command_line_parses_record_every(capsys):
    assert _parse().record_every == "epoch"
    assert _parse("--record-every", "log").record_every == "log"
    assert _parse("--record-every", "epoch").record_every == "epoch"
    assert _parse("--record-every", "12").record_every == 12
    for wrong in ("0", "-3", "1.5", "often", "Log", ""):
        with pytest.raises(SystemExit) as exit_:
            _parse("--record-every", wrong)
        assert exit_.value.code == 2
        error = capsys.readouterr().err
        assert "argument --record-every: must be 'epoch', 'log' or a positive " in error
        assert repr(wrong) in error


@pytest.mark.parametrize(
    "model, counts",
    [("adaboost", "of the kind 'round'"),
     ("sklearn.svm.SVC", "of the kind 'final'")],
)  # fmt: skip
def test_a_model_that_counts_no_steps_is_refused_before_training(
    tmp_path, capsys, model, counts
):
    out = tmp_path / "run"
    code = main(["run", "--model", model, "--members", "2", "--rounds", "2",
                 "--record-every", "log", "--out", str(out), "--quiet"])  # fmt: skip
    assert code == 1
    error = capsys.readouterr().err
    assert f"{model} cannot be recorded after optimiser steps" in error
    assert counts in error and "record_every='epoch'" in error
    assert not (out / "summary.json").exists()  # not begun: nothing trained
    with pytest.raises(ValueError, match="cannot be recorded after optimiser steps"):
        run(out=out, model=model, members=2, rounds=2, record_every=4, verbose=0)
    with pytest.raises(ValueError, match="record_every must be 'epoch', 'log'"):
        run(out=out, model=model, record_every="every batch", verbose=0)
    assert not (out / "summary.json").exists()


def test_a_run_every_epoch_keeps_what_it_recorded_after(tmp_path):
    folder = run(
        out=tmp_path / "ada", model="adaboost", members=2, rounds=2,
        max_samples=0.8, n_jobs=1, record_every="epoch", verbose=0,
    )  # fmt: skip
    assert folder.summary["record_every"] == "epoch"
    assert folder.record.stage_kind == "round" and folder.record.steps is None


@pytest.fixture
def network_records_steps():
    """Skip, saying why, while the networks' recorder records no steps."""
    pytest.importorskip("skorch", reason="the torch extra is not installed")
    from sklearn_difficulty.recorders import resolve_recorder
    from sklearn_difficulty.runs.catalog import build_model

    estimator, _ = build_model("mnist", epochs=1)
    if not resolve_recorder(estimator).records_steps:
        pytest.skip(
            "the skorch recorder does not record after optimiser steps on this "
            "branch yet (issue 20, its own stream): this runs once it does"
        )


def test_a_network_run_after_steps_keeps_positions_and_resumes(
    tmp_path, network_records_steps
):
    memory = tmp_path / "members"
    tiny = dict(model="mnist", members=2, epochs=1, n_jobs=1, verbose=0, memory=memory)
    folder = run(out=tmp_path / "steps", record_every=7, **tiny)
    record = RunFolder.open(folder.path).record
    assert record.stage_kind == "step" and folder.summary["record_every"] == 7
    per_epoch = record.steps[-1]  # 1347 digits in batches of 100: 14
    assert record.steps.tolist() == [0, *range(7, per_epoch, 7), per_epoch]
    np.testing.assert_allclose(record.epochs, record.steps / per_epoch)
    assert [row["epoch"] for row in folder.stages] == record.epochs.tolist()
    assert "phases: epoch 0 " in folder.describe()

    again = run(out=tmp_path / "again", record_every=7, **tiny)  # the same call
    assert again.summary["members_from_memory"] == 2
    np.testing.assert_array_equal(
        again.record.predictions["train"], record.predictions["train"]
    )
