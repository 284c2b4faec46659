"""Progress bars for long work (descent runs, sweeps, claim runs), drawn by ``tqdm``.

:class:`Progress` is the one interface the package uses; ``tqdm`` draws it, in one of three
ways chosen from where the output goes:

- a **terminal**: tqdm's bar, redrawn in place on one line (and left on screen at the end);
- a **log** (a file, CI, a pipe, a ``StringIO``): a plain line ``desc: n/total (elapsed<left)``
  at most every ``every`` seconds and a last line ``desc: n/total done``, so logs stay short
  and contain no carriage returns;
- a **notebook** (a Jupyter kernel, standard error, ``ipywidgets`` installed): the widget of
  ``tqdm.auto``.

It writes to standard error by default, never to standard output, so ``--json`` output and
printed tables stay clean. ``enabled=None`` (the default everywhere in the package) shows a
bar only on a terminal; pass ``True`` (``progress=True``) to see one in a log or a notebook.

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

import importlib.util
import sys
from typing import Iterable, Iterator, TextIO, TypeVar

from tqdm import tqdm as _tqdm

__all__ = ["Progress", "progress"]

T = TypeVar("T")

#: tqdm's format on a terminal (after ``desc: ``): the bar, count, times, and the note (postfix).
_TTY_FORMAT = "{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]"
_TTY_FORMAT_UNKNOWN = "{n_fmt} [{elapsed}{postfix}]"
#: In a log: no bar, no carriage return, one line per display.
_LOG_FORMAT = "{n_fmt}/{total_fmt} ({elapsed}<{remaining}){postfix}"
_LOG_FORMAT_UNKNOWN = "{n_fmt} ({elapsed}){postfix}"


class _Tqdm(_tqdm):
    """tqdm without its monitor thread (a bar must not start threads in worker processes)."""

    monitor_interval = 0


class _LogTqdm(_Tqdm):
    """tqdm writing each display as its own line (for files and CI logs)."""

    def display(self, msg=None, pos=None):
        if msg == "":                     # tqdm clearing its line: nothing to clear in a log
            return False
        self.fp.write((str(self) if msg is None else msg) + "\n")
        self.fp.flush()
        return True


def _in_notebook() -> bool:
    """A Jupyter kernel with ipywidgets: where ``tqdm.auto`` draws a widget."""
    ipython = sys.modules.get("IPython")
    if ipython is None or importlib.util.find_spec("ipywidgets") is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:                     # pragma: no cover - an unusual IPython
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class Progress:
    """A counter from 0 to ``total`` shown on ``stream`` (standard error by default).

    ``enabled=None`` shows it only when the stream is a terminal; ``True`` always (a widget
    in a notebook, plain lines at most every ``every`` seconds in a log); ``False`` never.
    ``update(n, note)`` advances by ``n`` and shows ``note`` (e.g. the current loss).
    ``failed`` counts items reported with ``update(failed=True)`` and is shown when non-zero.
    ``width`` is the bar's width in characters on a terminal (``None``: tqdm's choice).
    """

    def __init__(self, total: int | None, desc: str = "", *, stream: TextIO | None = None,
                 enabled: bool | None = None, every: float = 10.0, width: int | None = None):
        if total is not None and total < 0:
            raise ValueError(f"Progress: total must be >= 0, got {total}")
        self.total, self.desc, self.every, self.width = total, desc, every, width
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = self.tty if enabled is None else bool(enabled)
        self.done = self.failed = 0
        self.note = ""
        self._closed = False
        self._bar: _tqdm | None = None
        self._log = False
        if self.enabled:
            self._bar = self._make_bar(notebook=stream is None and not self.tty and _in_notebook())

    def _make_bar(self, *, notebook: bool) -> _tqdm:
        known = self.total is not None
        head = "{desc}: " if self.desc else ""
        common = dict(total=self.total, desc=self.desc or None, dynamic_ncols=False)
        if notebook:
            from tqdm.auto import tqdm as auto

            return auto(**common, leave=True)
        if self.tty:
            fmt = _TTY_FORMAT if self.width is None else _TTY_FORMAT.replace("{bar}", f"{{bar:{self.width}}}")
            return _Tqdm(**common, file=self.stream, leave=True,
                         bar_format=head + (fmt if known else _TTY_FORMAT_UNKNOWN))
        self._log = True
        return _LogTqdm(**common, file=self.stream, leave=False, mininterval=self.every, miniters=1,
                        delay=self.every, bar_format=head + (_LOG_FORMAT if known else _LOG_FORMAT_UNKNOWN))

    def _postfix(self) -> str:
        parts = [f"{self.failed} failed"] if self.failed else []
        return ", ".join(parts + ([self.note] if self.note else []))

    def update(self, n: int = 1, note: str = "", *, failed: bool = False) -> None:
        """Advance by ``n`` items; ``note`` replaces the text shown after the counter."""
        self.done += n
        self.failed += bool(failed)
        changed = bool(note and note != self.note) or bool(failed)
        if note:
            self.note = note
        if self._bar is None or self._closed:
            return
        if changed:
            self._bar.set_postfix_str(self._postfix(), refresh=False)
        self._bar.update(n)
        if n == 0 and changed and not self._log:   # e.g. the item that starts now: show it now
            self._bar.refresh()

    def close(self) -> None:
        """Finish: leave the final bar on a terminal, or write a last plain line
        ``desc: n/total done`` in a log."""
        if self._closed:
            return
        self._closed = True
        if self._bar is None:
            return
        self._bar.close()
        if self._log:
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
