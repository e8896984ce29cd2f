import io
import re
import sys

import pytest
from conftest import SlowCountingClassifier
from sklearn.ensemble import AdaBoostClassifier
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty._progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def lines(text):
    """The bar's successive states (tqdm redraws the line after a '\\r')."""
    return [line for line in re.split(r"[\r\n]", text) if line.strip()]


def test_bar_on_a_terminal_counts_stages_and_members_with_time_left():
    stream = Terminal()
    progress = Progress(4, 3, verbose=1, stream=stream)
    # as if the bar had started 10 s ago: a rate, hence a time left
    progress.bar.start_t -= 10
    progress.bar.last_print_t -= 10
    progress.update(0)
    progress.update(1)
    progress.close()
    text = stream.getvalue()
    first, *_, last = lines(text)
    assert "0/12" in first and "members 0/4" in first and "stage" in first
    assert "3/12" in last and "members 1/4" in last and "25%" in last
    # elapsed<left: about 10 s for 3 stages, so about 30 s for the other 9
    elapsed, left = re.search(r"\[(\d\d:\d\d)<(\d\d:\d\d)", last).groups()
    assert elapsed == "00:10" and left in {"00:29", "00:30", "00:31"}
    assert text.endswith("\n")
    progress.close()  # a second close writes nothing more
    assert stream.getvalue() == text


def test_bar_counts_members_when_the_stages_are_unknown():
    stream = Terminal()
    progress = Progress(4, None, verbose=1, stream=stream)
    progress.update(2)
    progress.update(4)
    progress.close()
    last = lines(stream.getvalue())[-1]
    assert "4/4" in last and "member" in last and "members 4/4" not in last


def test_cached_members_are_the_start_not_the_rate():
    stream = Terminal()
    progress = Progress(4, 2, verbose=1, stream=stream)
    progress.update(2)  # two members from the cache, at once
    progress.close()
    last = lines(stream.getvalue())[-1]
    assert "4/8" in last and "members 2/4" in last and "<?" in last


@pytest.mark.parametrize(
    ("stream", "verbose"), [(io.StringIO(), 1), (Terminal(), 0)], ids=["pipe", "v0"]
)
def test_quiet_when_not_a_terminal_or_not_asked(stream, verbose):
    progress = Progress(4, 3, verbose=verbose, stream=stream)
    progress.update(0)
    progress.update(2)
    progress.close()
    assert stream.getvalue() == ""


def test_fit_is_quiet_when_stderr_is_not_a_terminal(iris, capsys):
    X, y, _, _ = iris
    EnsembleDifficulty(
        DecisionTreeClassifier(), n_estimators=2, max_samples=0.5, verbose=1
    ).fit(X, y)
    assert capsys.readouterr().err == ""


def test_fit_shows_the_bar_on_a_terminal(iris, monkeypatch):
    X, y, _, _ = iris
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    EnsembleDifficulty(
        AdaBoostClassifier(n_estimators=3),
        n_estimators=2,
        max_samples=0.5,
        random_state=0,
        verbose=1,
    ).fit(X, y)
    last = lines(stream.getvalue())[-1]
    assert "6/6" in last and "members 2/2" in last and "stage" in last
    assert stream.getvalue().endswith("\n")


def test_fit_is_quiet_at_verbose_0_on_a_terminal(iris, monkeypatch):
    X, y, _, _ = iris
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    EnsembleDifficulty(DecisionTreeClassifier(), n_estimators=2, max_samples=0.5).fit(
        X, y
    )
    assert stream.getvalue() == ""


def test_the_bar_ends_its_line_when_a_member_fails(iris, monkeypatch):
    X, y, _, _ = iris
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    with pytest.raises(RuntimeError, match="breaks"):
        EnsembleDifficulty(
            SlowCountingClassifier(fail_every=2),
            n_estimators=8,
            random_state=0,
            verbose=1,
        ).fit(X, y)
    text = stream.getvalue()
    assert "/8" in lines(text)[-1] and text.endswith("\n")
