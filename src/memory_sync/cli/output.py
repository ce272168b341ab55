"""The one exit for text: stdout for results, stderr for progress and warnings, all redacted."""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from memory_sync.cli.grid import Table, render
from memory_sync.history.reporter import Progress, Reporter
from memory_sync.redact import Redact

if TYPE_CHECKING:
    from rich.console import Console


def _identity(text: str) -> str:
    return text


_PLAIN = frozenset("0123456789abcdef-:.TZ+ ")  # dates, times, fingerprints: nothing to mask


def _redact_values(data: Any, redact: Redact) -> Any:
    """`data` with every string in it (keys too) passed through `redact` (a short one, or one
    of only digits, hex and date punctuation, is left to the pass over the whole document)."""
    if isinstance(data, str):
        if len(data) < 8 or _PLAIN.issuperset(data):
            return data
        return redact(data)
    if isinstance(data, dict):
        return {
            redact(k) if isinstance(k, str) else k: _redact_values(v, redact)
            for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [_redact_values(item, redact) for item in data]
    return data


class Output:
    """Where a command's words go. Every string passes the redactor on its way out."""

    def __init__(
        self,
        *,
        quiet: bool = False,
        verbose: int = 0,
        color: bool | None = None,
        redactor: Redact | None = None,
    ) -> None:
        self.no_color = color is False
        self.quiet = quiet
        self.verbose = verbose
        self.redact: Redact = redactor or _identity

    def reporter(self, progress: Progress | None = None) -> Reporter:
        """What a run reports, sent here: `progress` (a bar's advance), notices as warnings,
        debug lines with -v."""
        return Reporter(progress=progress, notice=self.warn, debug=self.debug)

    @functools.cached_property
    def out(self) -> Console:
        """A rich console on stdout, made on first use (plain lines need none)."""
        from rich.console import Console

        console = Console(no_color=self.no_color, highlight=False, soft_wrap=True)
        if not console.is_terminal:
            console.width = 200  # piped: no terminal to fit, keep rows on one line
        return console

    @functools.cached_property
    def err(self) -> Console:
        """A rich console on stderr, made on first use (for progress bars)."""
        from rich.console import Console

        return Console(stderr=True, no_color=self.no_color, highlight=False, soft_wrap=True)

    @staticmethod
    def _line(stream: TextIO, text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

    def result(self, text: str) -> None:
        """A line of the command's result on stdout."""
        self._line(sys.stdout, self.redact(text))

    def renderable(self, item: Any) -> None:
        """A rich table or other renderable on stdout (its cells were redacted when built)."""
        self.out.print(item)

    def table(self, table: Table) -> None:
        """A plain table on stdout (cells were redacted when built), fitted to a terminal."""
        terminal = sys.stdout.isatty()
        lines = render(
            table.columns,
            table.rows,
            table.styles,
            width=shutil.get_terminal_size().columns if terminal else None,
            color=terminal and not self.no_color,
        )
        self._line(sys.stdout, "\n".join([self.redact(table.title), *lines]))

    def json(self, data: Any) -> None:
        """One JSON document on stdout. Every string is redacted before it is encoded (an
        encoded value has escaped quotes and newlines that a secret's shape does not), then
        the document once more."""
        clean = _redact_values(data, self.redact)
        raw = orjson.dumps(clean, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
        del clean
        # written in pieces of whole lines (a JSON line holds whole values): a document of
        # years of days is never held as text twice more
        start, piece = 0, 1 << 16
        while start < len(raw):
            end = raw.find(b"\n", start + piece)
            end = len(raw) if end < 0 else end + 1
            sys.stdout.write(self.redact(raw[start:end].decode()))
            start = end
        self._line(sys.stdout, "")

    def warn(self, text: str) -> None:
        """A warning on stderr (shown even with -q)."""
        self._line(sys.stderr, self.redact(text))

    def info(self, text: str) -> None:
        """A note on stderr, hidden by -q."""
        if not self.quiet:
            self._line(sys.stderr, self.redact(text))

    def debug(self, text: str) -> None:
        """A -v detail on stderr."""
        if self.verbose:
            self._line(sys.stderr, self.redact(text))

    @contextmanager
    def progress(
        self, label: str, total: int | Callable[[], int]
    ) -> Iterator[Callable[[int], None] | None]:
        """A byte progress bar on stderr, only on a terminal and not with -q (the total may be
        given as a function, so nothing is measured when no bar is drawn)."""
        if self.quiet or not sys.stderr.isatty():
            yield None
            return
        total = total() if callable(total) else total
        if total <= 0:
            yield None
            return
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=self.err,
            transient=True,
        )
        with bar:
            task = bar.add_task(label, total=total)

            def advance(n: int) -> None:
                bar.advance(task, n)

            yield advance

    def poll_reporter(self, label: str) -> Callable[[int, int], None]:
        """A reporter of `done/total` for a polled job: a progress bar on a terminal, else a
        line per poll (none with -q)."""
        if self.quiet or not sys.stderr.isatty():
            return lambda done, total: self.info(f"{label}: {done}/{total} done")
        from rich.progress import BarColumn, Progress

        bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            "{task.completed}/{task.total}",
            console=self.err,
            transient=True,
        )
        task: list[Any] = []

        def report(done: int, total: int) -> None:
            if not task:
                bar.start()
                task.append(bar.add_task(label, total=total))
            bar.update(task[0], completed=done, total=total)
            if total and done >= total:
                bar.stop()

        return report
