"""A dependency-free progress bar for long work (descent runs, sweeps, claim runs).

On a terminal the bar is redrawn in place on one line; elsewhere (a log file, CI, a pipe) it
writes a plain line at most every ``every`` seconds and one at the end, so logs stay short.
It writes to standard error by default, never to standard output, so ``--json`` output and
printed tables stay clean.

>>> import io
>>> out = io.StringIO()
>>> with Progress(3, "seeds", stream=out, enabled=True, every=0) as bar:
...     for _ in range(3):
...         bar.update()
>>> print(out.getvalue().splitlines()[-1])
seeds: 3/3 done
>>> [x for x in progress(range(2), "quiet", enabled=False)]
[0, 1]
"""
from __future__ import annotations

import shutil
import sys
import time
from typing import Iterable, Iterator, TextIO, TypeVar

__all__ = ["Progress", "progress"]

T = TypeVar("T")


class Progress:
    """A counter from 0 to ``total`` shown on ``stream`` (standard error by default).

    ``enabled=None`` shows it only when the stream is a terminal; ``True`` always; ``False``
    never. ``update(n, note)`` advances by ``n`` and shows ``note`` (e.g. the current loss).
    ``failed`` counts items reported with ``update(failed=True)`` and is shown when non-zero.
    """

    def __init__(self, total: int | None, desc: str = "", *, stream: TextIO | None = None,
                 enabled: bool | None = None, every: float = 10.0, width: int = 24):
        if total is not None and total < 0:
            raise ValueError(f"Progress: total must be >= 0, got {total}")
        self.total, self.desc, self.every, self.width = total, desc, every, width
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = self.tty if enabled is None else enabled
        self.done = self.failed = 0
        self.note = ""
        self._start = self._last = time.monotonic()
        self._closed = False

    def update(self, n: int = 1, note: str = "", *, failed: bool = False) -> None:
        """Advance by ``n`` items; ``note`` replaces the text shown after the counter."""
        self.done += n
        self.failed += bool(failed)
        if note:
            self.note = note
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            self._draw()
        elif now - self._last >= self.every:
            self._line()
            self._last = now

    def _text(self) -> str:
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        failed = f", {self.failed} failed" if self.failed else ""
        elapsed = time.monotonic() - self._start
        note = f"  {self.note}" if self.note else ""
        return f"{count}{failed} ({elapsed:.1f} s){note}"

    def _draw(self) -> None:
        head = f"{self.desc}: " if self.desc else ""
        bar = ""
        if self.total:
            bar = "[" + ("#" * (self.width * min(self.done, self.total) // self.total)).ljust(self.width) + "] "
        cols = max(shutil.get_terminal_size().columns - 1, 20)
        self.stream.write("\r" + (head + bar + self._text())[:cols].ljust(cols))
        self.stream.flush()

    def _line(self) -> None:
        head = f"{self.desc}: " if self.desc else ""
        self.stream.write(head + self._text() + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Finish: clear the terminal line, or write a last plain line ``desc: n/total done``."""
        if self._closed:
            return
        self._closed = True
        if not self.enabled:
            return
        if self.tty:
            cols = max(shutil.get_terminal_size().columns - 1, 20)
            self.stream.write("\r" + " " * cols + "\r")
        head = f"{self.desc}: " if self.desc else ""
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        failed = f", {self.failed} failed" if self.failed else ""
        self.stream.write(f"{head}{count} done{failed}\n")
        self.stream.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress(items: Iterable[T], desc: str = "", *, total: int | None = None,
             stream: TextIO | None = None, enabled: bool | None = None,
             every: float = 10.0) -> Iterator[T]:
    """Iterate over ``items`` while showing a :class:`Progress` (``total`` from ``len`` if known)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(total, desc, stream=stream, enabled=enabled, every=every) as bar:
        for item in items:
            yield item
            bar.update()
