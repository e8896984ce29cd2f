"""A tqdm progress bar for long fits: members and stages done, time left."""

from __future__ import annotations

from typing import TextIO

from tqdm import tqdm


class Progress:
    """A progress bar over the members of a fit, drawn by tqdm.

    When each member's number of stages is known, the bar counts stages
    (``n_members * n_stages``: epochs or boosting rounds, stage 0 included
    where it is recorded) with the members done as its postfix; otherwise it
    counts members. tqdm gives the time taken and the time left.

    Quiet when ``verbose`` is 0 or when ``stream`` (standard error by
    default) is not a terminal.

    Parameters
    ----------
    n_members : int
        The members to train.
    n_stages : int or None
        The stages each member records, if known.
    verbose : int
        0 draws nothing.
    stream : text stream, default=None
        Where to draw; None is standard error at the time of the call.
    """

    def __init__(
        self,
        n_members: int,
        n_stages: int | None,
        verbose: int,
        stream: TextIO | None = None,
    ):
        self.n_members = n_members
        self.per_member = n_stages if n_stages else 1
        self.show_members = bool(n_stages)  # else the bar counts members itself
        self._started = False
        self.bar = tqdm(
            total=n_members * self.per_member,
            unit="stage" if n_stages else "member",
            file=stream,
            # None: tqdm is quiet when the stream is not a terminal
            disable=None if verbose else True,
            mininterval=0,  # updates come once per member (or group)
            miniters=1,
            leave=True,
            postfix=self._members(0) if self.show_members else None,
        )

    def _members(self, done: int) -> str:
        return f"members {done}/{self.n_members}"

    def update(self, done: int) -> None:
        """Show ``done`` members finished (an ``on_done`` callback)."""
        bar = self.bar
        if bar.disable:
            return
        if self.show_members:
            bar.set_postfix_str(self._members(done), refresh=False)
        n = done * self.per_member
        if not self._started:
            # The first report counts the members loaded from the cache: they
            # took no time, so they are the bar's start, not part of its rate.
            self._started = True
            if n:
                bar.initial = bar.n = bar.last_print_n = n
                bar.refresh()
        elif n > bar.n:
            bar.update(n - bar.n)
        else:
            bar.refresh()

    def close(self) -> None:
        """End the bar's line (safe to call more than once)."""
        self.bar.close()
