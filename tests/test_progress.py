import io

from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty._progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_on_a_terminal():
    stream = Terminal()
    progress = Progress(4, 3, verbose=1, stream=stream)
    progress.update(1)
    progress.close()
    text = stream.getvalue()
    assert "members 0/4 (epochs 0/12)" in text
    assert "members 1/4 (epochs 3/12)" in text and "left" in text
    assert text.endswith("\n")


def test_quiet_when_not_a_terminal_or_not_asked():
    for stream, verbose in [(io.StringIO(), 1), (Terminal(), 0)]:
        progress = Progress(4, None, verbose=verbose, stream=stream)
        progress.update(2)
        progress.close()
        assert stream.getvalue() == ""


def test_fit_is_quiet_when_stderr_is_not_a_terminal(iris, capsys):
    X, y, _, _ = iris
    EnsembleDifficulty(
        DecisionTreeClassifier(), n_estimators=2, max_samples=0.5, verbose=1
    ).fit(X, y)
    assert capsys.readouterr().err == ""
