"""A progress line on the terminal for long fits."""

from __future__ import annotations

import sys
import time


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return (
        f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    )


class Progress:
    """Members (and epochs) done, time taken and time left, on one line.

    Quiet when ``verbose`` is 0 or when the stream is not a terminal.
    """

    def __init__(self, total: int, epochs: int | None, verbose: int, stream=None):
        self.total = total
        self.epochs = epochs
        self.stream = stream if stream is not None else sys.stderr
        self.active = bool(verbose) and getattr(self.stream, "isatty", lambda: False)()
        self.start = time.perf_counter()
        if self.active:
            self.update(0)

    def line(self, done: int) -> str:
        elapsed = time.perf_counter() - self.start
        text = f"members {done}/{self.total}"
        if self.epochs:
            text += f" (epochs {done * self.epochs}/{self.total * self.epochs})"
        text += f", {_clock(elapsed)} elapsed"
        if 0 < done < self.total:
            text += f", about {_clock(elapsed / done * (self.total - done))} left"
        return text

    def update(self, done: int) -> None:
        if self.active:
            self.stream.write("\r" + self.line(done).ljust(70))
            self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\n")
            self.stream.flush()
